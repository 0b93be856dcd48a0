"""The layering rules of the style guide, checked on the source (docs/architecture.md draws them):

* pure modules do no I/O, not even through another module of ours they import;
* the web layer neither queries nor commits, and never touches the session itself (no ``session.`` at all);
* services never commit;
* no domain package imports the web layer;
* no function-level imports between app's packages (the entry points ``cli.py``, ``main.py``, ``demo.py`` aside);
* the package graph: ``cases`` imports nothing of ``clocks`` or ``workdays``; ``clocks`` and ``workdays`` share no
  loop; every remaining loop among app's packages is allow-listed below, and that list may only shrink.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

APP = Path(__file__).resolve().parent.parent / "app"

# Modules that hold rules and must stay pure (no web framework, no database session).
PURE = ["cases/workflow.py", "cases/vocabulary.py", "auth/permissions.py", "i18n.py", "text.py", "timeutil.py"]
PURE += [str(p.relative_to(APP)) for p in APP.glob("*/rules.py")]
PURE += [str(p.relative_to(APP)) for p in APP.glob("*/engine.py")]
PURE += ["reports/charts.py", "rules/schema.py", "rules/packs.py", "clocks/schedule.py"]
FORBIDDEN_IN_PURE = ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "app.db", "httpx", "smtplib")

# The entry points wire everything together and may import lazily (a CLI command loads only what it runs).
ENTRY_POINTS = {"cli.py", "main.py", "demo.py"}

# The loops that remain among app's packages (each a set of packages that reach each other). This list may only
# shrink: a new loop, or a bigger one, fails the test. Largest allowed: 4 packages.
ALLOWED_LOOPS: list[frozenset[str]] = [
    frozenset({"auth", "org"}),  # org.models needs the Role vocabulary; auth.service loads users and their grants
    frozenset({"notices", "statements"}),  # a notice records its statement's kind; statements read their notices
]


def _module_name(path: Path) -> str:
    if not path.is_relative_to(APP.parent):
        return path.stem
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _path_of(module: str) -> Path | None:
    base = APP.parent.joinpath(*module.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for n in ast.walk(node))
    return inside


@cache
def _import_nodes(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import of the module that runs (``TYPE_CHECKING`` blocks left out), and whether it is inside a
    function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)
    return [
        (node, id(node) in in_function)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip
    ]


def _imported_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement may load (``from app.x import y`` may load ``app.x.y`` too)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.module or node.level:
        return []
    return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]


def _imports(path: Path) -> set[str]:
    return {name for node, _ in _import_nodes(path) for name in _imported_names(node)}


def _app_modules_imported(path: Path) -> set[str]:
    """The modules of ``app`` that ``path`` loads (packages' ``__init__`` included)."""
    found: set[str] = set()
    for name in _imports(path):
        if not name.startswith("app."):
            continue
        parts = name.split(".")
        for i in range(2, len(parts) + 1):  # the packages on the way are loaded too
            prefix = ".".join(parts[:i])
            if _path_of(prefix) is not None:
                found.add(prefix)
    return found


def _closure(path: Path) -> dict[str, str]:
    """Every module ``path`` loads directly or indirectly, each with the chain that loads it (for the message)."""
    seen: dict[str, str] = {}
    todo = [(_module_name(path), path, _module_name(path))]
    while todo:
        _name, current, chain = todo.pop()
        for module in _app_modules_imported(current):
            if module in seen:
                continue
            seen[module] = f"{chain} → {module}"
            target = _path_of(module)
            if target is not None:
                todo.append((module, target, seen[module]))
    return seen


def _io_of(path: Path) -> list[str]:
    """What I/O ``path`` imports, directly or through the modules of ours it loads (with the chain)."""
    found = [f"{name} (directly)" for name in sorted(_imports(path)) if name.startswith(FORBIDDEN_IN_PURE)]
    for imported, chain in sorted(_closure(path).items()):
        target = _path_of(imported)
        assert target is not None
        found += [f"{name} through {chain}" for name in sorted(_imports(target)) if name.startswith(FORBIDDEN_IN_PURE)]
    return found


@pytest.mark.parametrize("module", sorted(set(PURE)))
def test_pure_modules_do_no_io(module: str) -> None:
    bad = _io_of(APP / module)
    assert not bad, f"{module} imports " + "; ".join(bad)


def test_the_purity_check_sees_indirect_imports(tmp_path: Path) -> None:
    """A module with no database import of its own fails when one of ours that it imports has one."""
    module = tmp_path / "rules.py"
    module.write_text("from app.cases.models import Case\n", encoding="utf-8")
    found = _io_of(module)
    assert any("sqlmodel" in line and "app.cases.models" in line for line in found), found


WEB_FILES = sorted(str(p.relative_to(APP)) for p in (APP / "web").rglob("*.py"))


@pytest.mark.parametrize("path", WEB_FILES)
def test_the_web_layer_neither_queries_nor_commits(path: str) -> None:
    tree = ast.parse((APP / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            assert name not in ("select", "commit"), f"{path}:{node.lineno} calls {name}()"


@pytest.mark.parametrize("path", WEB_FILES)
def test_the_web_layer_leaves_the_session_to_the_services(path: str) -> None:
    """No ``session.<anything>`` in app/web (get, add, rollback, exec…): a route hands the session to a service."""
    tree = ast.parse((APP / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "session":
            if node.attr == "router":  # app/web/staff/session.py is a module of pages called ``session``
                continue
            raise AssertionError(f"{path}:{node.lineno} uses session.{node.attr}")


@pytest.mark.parametrize("path", sorted(str(p.relative_to(APP)) for p in APP.glob("*/service.py")))
def test_services_never_commit(path: str) -> None:
    tree = ast.parse((APP / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr != "commit", f"{path}:{node.lineno} commits"


@pytest.mark.parametrize("path", sorted(str(p.relative_to(APP)) for p in APP.glob("*/*.py")))
def test_no_service_module_passes_500_lines(path: str) -> None:
    if not path.endswith(("service.py", "queries.py")):
        return
    lines = len((APP / path).read_text(encoding="utf-8").splitlines())
    assert lines <= 500, f"{path} has {lines} lines: split it by job (scope, queries, writes, read models)"


# --- the package graph ----------------------------------------------------------------------------------------


def _package_of(module: str) -> str:
    return module.split(".")[1]


def _packages() -> list[str]:
    return sorted(p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").is_file())


def _package_graph() -> dict[str, set[str]]:
    packages = set(_packages())
    graph: dict[str, set[str]] = {p: set() for p in packages}
    for package in packages:
        for path in (APP / package).rglob("*.py"):
            for module in _app_modules_imported(path):
                target = _package_of(module)
                if target in packages and target != package:
                    graph[package].add(target)
    return graph


def _loops(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_new_package_loop() -> None:
    loops = _loops(_package_graph())
    for loop in loops:
        assert any(loop <= allowed for allowed in ALLOWED_LOOPS), f"a new import loop among {sorted(loop)}"
    assert max((len(loop) for loop in loops), default=0) <= 4
    # The allow-list only shrinks: an entry no longer needed must be taken out.
    for allowed in ALLOWED_LOOPS:
        assert any(loop == allowed for loop in loops), f"{sorted(allowed)} is no loop any more: drop it"


def test_cases_do_not_call_the_clocks_or_the_calendar() -> None:
    """Clocks listen to case events (``cases.events.listen``); cases never import them."""
    graph = _package_graph()
    assert not graph["cases"] & {"clocks", "workdays"}
    assert not ({"clocks", "workdays"} <= next((set(loop) for loop in _loops(graph) if "clocks" in loop), set()))


@pytest.mark.parametrize("package", [p for p in _packages() if p != "web"])
def test_domains_do_not_import_the_web_layer(package: str) -> None:
    for path in (APP / package).rglob("*.py"):
        web = {m for m in _app_modules_imported(path) if m == "app.web" or m.startswith("app.web.")}
        assert not web, f"{path.relative_to(APP)} imports {sorted(web)}"


def test_no_function_level_imports_between_packages() -> None:
    """Imports sit at the top of the module, so that the package graph above is the whole truth. Only the entry
    points (and ``if TYPE_CHECKING:`` blocks) may import inside a function."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.parent == APP and path.name in ENTRY_POINTS:
            continue
        for node, in_function in _import_nodes(path):
            own = _package_of(_module_name(path)) if path.parent != APP else path.stem
            names = [n for n in _imported_names(node) if n.startswith("app.") and _package_of(n) != own]
            if in_function and names:
                offenders.append(f"{path.relative_to(APP)}:{node.lineno} imports {names[0]}")
    assert not offenders, "\n".join(offenders)


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
