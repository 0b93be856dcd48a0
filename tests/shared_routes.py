"""One route table per test process, shared by the apps the tests build.

FastAPI includes a router lazily: the first request an app serves builds, for every route of every included
router it walks, the dependency tree and the validators of the parameters (``get_dependant``, pydantic
``TypeAdapter``s). That is about 0.3 s of CPU per app for our ~330 routes, and the suite builds an app per test:
measured, 40 % of the CPU of the HTTP tests went there.

``share_routes(app)`` swaps the app's included routers for those of one holder app built once per process, with
the same routers included the same way, so the work is done once. Only the route table is shared: each test's app
keeps its own settings, state, middleware, error handlers and clock (``request.app`` is the test's app). The shared
routes resolve ``dependency_overrides`` on the holder app, which has none; no test overrides a dependency (they
build the app with other settings instead). An include that differs from the holder's (another prefix, other
dependencies) is left as it is.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing

from app.main import create_app
from app.settings import Settings

# FastAPI's lazily built included router. Without it (another FastAPI), nothing is shared: the tests run as before,
# only slower (tests/test_shared_routes.py says so).
_INCLUDED = getattr(fastapi_routing, "_IncludedRouter", None)
_holder: FastAPI | None = None


def _include_args(route: Any) -> list[tuple[str, Any]]:
    """How an included router was included (prefix, dependencies, responses …), the app it belongs to left out."""
    context = route.include_context
    return [(f.name, getattr(context, f.name)) for f in dataclasses.fields(context)
            if f.name not in ("included_router", "dependency_overrides_provider")]  # fmt: skip


def share_routes(app: FastAPI) -> FastAPI:
    """``app`` with the included routers of this process's holder app (see the module docstring)."""
    global _holder
    if _INCLUDED is None:
        return app
    if _holder is None:
        # Its settings do not matter (they shape no route); its database is never opened.
        _holder = create_app(Settings(environment="test", database_url="sqlite://"))
    shared = [r for r in _holder.router.routes if isinstance(r, _INCLUDED)]
    routes = app.router.routes
    for index, route in enumerate(routes):
        if not isinstance(route, _INCLUDED):
            continue
        for candidate in shared:
            if candidate.original_router is route.original_router and _include_args(candidate) == _include_args(route):
                routes[index] = candidate
                break
    return app
