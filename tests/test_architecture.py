"""The layering rules of the style guide, checked on the source: pure modules do no I/O, the web layer does not
query or commit, and services never commit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Modules that hold rules and must stay pure (no web framework, no database session).
PURE = ["cases/workflow.py", "cases/vocabulary.py", "auth/permissions.py", "i18n.py", "text.py", "timeutil.py"]
PURE += [str(p.relative_to(APP)) for p in APP.glob("*/rules.py")]
PURE += [str(p.relative_to(APP)) for p in APP.glob("*/engine.py")]
PURE += ["reports/charts.py"]
FORBIDDEN_IN_PURE = ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "app.db", "httpx", "smtplib")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(set(PURE)))
def test_pure_modules_do_no_io(module: str) -> None:
    bad = {name for name in _imports(APP / module) if name.startswith(FORBIDDEN_IN_PURE)}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("path", sorted(str(p.relative_to(APP)) for p in (APP / "web").rglob("*.py")))
def test_the_web_layer_neither_queries_nor_commits(path: str) -> None:
    source = (APP / path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            assert name not in ("select", "commit"), f"{path}:{node.lineno} calls {name}()"


@pytest.mark.parametrize("path", sorted(str(p.relative_to(APP)) for p in APP.glob("*/service.py")))
def test_services_never_commit(path: str) -> None:
    tree = ast.parse((APP / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr != "commit", f"{path}:{node.lineno} commits"


# Press monitoring sits above the case domains: it opens cases through the cases service, and nothing below it
# imports it (the web layer, the command line, the demo and the model registry may).
MONITOR_USERS = ("monitor/", "web/", "cli.py", "demo.py", "all_models.py")


@pytest.mark.parametrize("path", sorted(str(p.relative_to(APP)) for p in APP.rglob("*.py")))
def test_only_the_layers_above_import_the_monitoring(path: str) -> None:
    imported = {name for name in _imports(APP / path) if name.startswith("app.monitor")}
    if path.startswith(MONITOR_USERS):
        return
    assert not imported, f"{path} imports {imported}"


@pytest.mark.parametrize("path", sorted(str(p.relative_to(APP)) for p in (APP / "monitor").glob("*.py")))
def test_the_monitoring_does_not_import_the_web_layer(path: str) -> None:
    bad = {name for name in _imports(APP / path) if name.startswith(("app.web", "fastapi", "starlette"))}
    assert not bad, f"{path} imports {bad}"
