"""Request ids, the JSON access log and the application's JSON log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.logs import JsonFormatter, RequestIdFilter, TextFormatter, logging_config
from tests.conftest import FIXED_NOW
from tests.factories import standard_org, token


class Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.all() if line["logger"] == logger]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """The handler our logging configuration installs, capturing what it writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("crisisdesk")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield Lines(stream)
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


class TestRequestId:
    def test_a_sane_id_is_kept(self, client: TestClient) -> None:
        response = client.get("/healthz", headers={"X-Request-ID": "abc-123.DEF:4"})
        assert response.headers["x-request-id"] == "abc-123.DEF:4"

    @pytest.mark.parametrize("sent", [None, "", "x" * 129, "has space", "é".encode(), "a\tb", "<script>"])
    def test_otherwise_one_is_generated(self, client: TestClient, sent: str | bytes | None) -> None:
        headers = {"X-Request-ID": sent} if sent is not None else {}
        response = client.get("/healthz", headers=headers)
        generated = response.headers["x-request-id"]
        assert generated != sent
        assert len(generated) == 32 and all(c in "0123456789abcdef" for c in generated)
        assert client.get("/healthz").headers["x-request-id"] != generated

    def test_on_errors_too(self, client: TestClient) -> None:
        response = client.get("/api/v1/cases", headers={"X-Request-ID": "req-401"})
        assert response.status_code == 401
        assert response.headers["x-request-id"] == "req-401"
        assert client.get("/nowhere", headers={"X-Request-ID": "req-404"}).headers["x-request-id"] == "req-404"


class TestAccessLog:
    def test_one_json_line_per_request(self, client: TestClient, org: None, log_lines: Lines) -> None:
        headers = {**token(client, "office"), "X-Request-ID": "trace-1"}
        response = client.get("/api/v1/cases/VV-2026-99999", headers=headers)
        assert response.status_code == 404
        (line,) = [entry for entry in log_lines.of("crisisdesk.http") if entry["request_id"] == "trace-1"]
        assert line["level"] == "INFO"
        assert line["method"] == "GET"
        assert line["route"] == "/api/v1/cases/{reference}"
        assert line["path"] == "/api/v1/cases/VV-2026-99999"
        assert line["status"] == 404
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert isinstance(line["user_id"], int)
        assert line["ts"].endswith("Z")
        assert line["message"] == "GET /api/v1/cases/{reference} 404"

    def test_anonymous_and_unmatched(self, client: TestClient, log_lines: Lines) -> None:
        client.get("/no/such/page", headers={"X-Request-ID": "trace-2"})
        (line,) = log_lines.of("crisisdesk.http")
        assert line["route"] == "<unmatched>"
        assert line["user_id"] is None
        assert line["request_id"] == "trace-2"

    def test_probes_log_at_debug(self, client: TestClient, log_lines: Lines) -> None:
        client.get("/healthz")
        (line,) = log_lines.of("crisisdesk.http")
        assert line["level"] == "DEBUG"


class TestApplicationLogs:
    @pytest.fixture
    def app_with_test_routes(self, app: FastAPI) -> FastAPI:
        def inside() -> dict[str, str]:
            logging.getLogger("crisisdesk.test").info("working", extra={"case_count": 3})
            return {"ok": "yes"}

        def boom() -> None:
            raise RuntimeError("something broke")

        app.add_api_route("/test/inside", inside)
        app.add_api_route("/test/boom", boom)
        return app

    def test_lines_logged_in_a_request_carry_its_id(self, app_with_test_routes: FastAPI, log_lines: Lines) -> None:
        with TestClient(app_with_test_routes) as client:
            client.get("/test/inside", headers={"X-Request-ID": "trace-3"})
        (line,) = log_lines.of("crisisdesk.test")
        assert line["request_id"] == "trace-3"
        assert line["message"] == "working"
        assert line["case_count"] == 3

    def test_an_unexpected_error_is_logged_with_the_id_and_answered_with_it(
        self, app_with_test_routes: FastAPI, log_lines: Lines
    ) -> None:
        with TestClient(app_with_test_routes, raise_server_exceptions=False) as client:
            response = client.get("/test/boom", headers={"X-Request-ID": "trace-4"})
        assert response.status_code == 500
        assert response.headers["x-request-id"] == "trace-4"
        assert "something broke" not in response.text
        (error,) = log_lines.of("crisisdesk.web")
        assert error["level"] == "ERROR"
        assert error["request_id"] == "trace-4"
        assert "RuntimeError: something broke" in error["exc"]
        (access,) = log_lines.of("crisisdesk.http")
        assert access["status"] == 500 and access["request_id"] == "trace-4"


class TestConfiguration:
    def test_dict_config_routes_everything_through_one_handler(self) -> None:
        config = logging_config("WARNING", "json")
        assert config["root"] == {"level": "WARNING", "handlers": ["stderr"]}
        assert config["formatters"]["default"]["()"] == "app.logs.JsonFormatter"
        assert logging_config("INFO", "text")["formatters"]["default"]["()"] == "app.logs.TextFormatter"

    def test_formatters(self) -> None:
        record = logging.LogRecord("crisisdesk.x", logging.WARNING, __file__, 1, "hello %s", ("Hà Nội",), None)
        record.request_id = "r1"
        record.user_id = 7
        entry = json.loads(JsonFormatter().format(record))
        assert entry == {**entry, "level": "WARNING", "logger": "crisisdesk.x", "message": "hello Hà Nội",
                         "request_id": "r1", "user_id": 7}  # fmt: skip
        assert "[r1] hello Hà Nội user_id=7" in TextFormatter().format(record)

    def test_level_and_format_come_from_the_settings(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from app.settings import Settings

        monkeypatch.setenv("CRISISDESK_LOG_LEVEL", "debug")
        monkeypatch.setenv("CRISISDESK_LOG_FORMAT", "text")
        settings = Settings()
        assert settings.log_level == "DEBUG"
        assert settings.log_format == "text"
