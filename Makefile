# CrisisDesk: the two commands of the README, and a few more for developers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: run test lint install install-dev messages bench clean

$(BIN)/crisisdesk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(BIN)/crisisdesk
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/crisisdesk
install-dev: $(VENV)/.dev-installed

## make run: install, migrate, load the demo into an empty database, serve on http://127.0.0.1:8000
run: install
	$(BIN)/crisisdesk migrate
	$(BIN)/crisisdesk demo --if-empty
	$(BIN)/crisisdesk serve --host $(HOST) --port $(PORT)

## make test: install with the test tools and run the whole suite (SQLite; TEST_DATABASE_URL for PostgreSQL)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff (lint + format check), mypy --strict, the Dockerfile (hadolint) and compose.yaml (schema + our rules)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests deploy
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m deploy.check_compose compose.yaml

## make messages: extract translatable strings and update the English catalog
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _ -o app/locale/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -l en --no-fuzzy-matching --width 120

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
