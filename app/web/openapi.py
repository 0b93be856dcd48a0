"""The OpenAPI document says what the API really answers: our error shapes, and the errors each operation can give.

FastAPI documents every 422 as its own ``HTTPValidationError`` (a list) while ``app/web/errors.py`` answers
``{"error", "detail", "field", "fields"}``, and it knows nothing of the 400/401/403/404/409/429/503 our handlers
give. ``install(app)`` replaces FastAPI's document by one where, for each operation, read from its route:

* 422 (a parameter or body that is not valid) is ``ValidationErrorBody`` — every operation with input;
* 400 ``ErrorBody`` where a request can be malformed beyond validation (a body, a cursor, a JSON body not parsed);
* 401 and 403 where the caller must be signed in (the route depends on ``get_actor``), and for ``/metrics``;
* 404 where a path names something, 409 on staff writes (a concurrent change, a step not allowed now);
* 413 where a body is read, 429 on the public API and the log-in, 503 (with ``Retry-After``) everywhere the
  database is used.

Responses a route documents itself (examples) are kept; only their schema is filled in when missing.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from app.web.deps import get_actor, get_db


class FieldError(BaseModel):
    field: str = Field(description="The field, parameter or header, e.g. `title`, `limit`, `Idempotency-Key`")
    message: str = Field(description="What is wrong, in the caller's language")
    type: str = Field(description="The kind of error (pydantic's), e.g. `missing`, `string_too_long`")


class ErrorBody(BaseModel):
    """Every error of the API: the kind (``NotFound``, ``Conflict`` …) and a message in the caller's language."""

    error: str = Field(description="The kind of error, e.g. `NotFound`, `Conflict`, `RateLimited`")
    detail: str = Field(description="A message in Vietnamese, or English with `Accept-Language: en`")
    field: str | None = Field(default=None, description="The field or parameter at fault, when there is one")
    retry_after: int | None = Field(default=None, description="Seconds to wait (also in `Retry-After`)")


class ValidationErrorBody(BaseModel):
    """A 422: the input is not valid. ``field`` is the first field at fault, ``fields`` lists them all."""

    error: str = Field(description="`ValidationFailed`")
    detail: str = Field(description="A summary of what is wrong, in the caller's language")
    field: str | None = Field(default=None, description="The first field at fault")
    fields: list[FieldError] | None = Field(default=None, description="Every field at fault (input errors)")


DESCRIPTIONS = {
    400: "The request is malformed (e.g. a paging cursor that is not one we gave, a body that cannot be read)",
    401: "Not signed in: send `Authorization: Bearer <token>`",
    403: "Signed in, but this role or unit may not do this",
    404: "No such thing (or not visible to the caller)",
    409: "Conflicts with the current state (changed concurrently, or a step not allowed now)",
    413: "The request body is too large",
    422: "A field, parameter or header is not valid",
    429: "Too many requests (or failed log-ins): wait `Retry-After` seconds",
    503: "The database is out of reach or saturated for a moment: retry after `Retry-After` seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}}


def _tree(dependant: Dependant) -> list[Dependant]:
    found = [dependant]
    for sub in dependant.dependencies:
        found += _tree(sub)
    return found


def api_routes(app: FastAPI) -> list[Any]:
    """Every API route as served: included routers are kept nested (FastAPI ≥ 0.16x); their contexts carry the
    full path and the effective dependencies."""
    return [c for c in routing.iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def _errors_of(route: Any, method: str) -> set[int]:
    dependant: Dependant = route.dependant
    tree = _tree(dependant)
    calls = [d.call for d in tree]
    has_input = any(d.query_params or d.path_params or d.header_params or d.body_params or d.cookie_params
                    for d in tree)  # fmt: skip
    codes: set[int] = set()
    if has_input:
        codes.add(422)
    if any(d.body_params for d in tree) or method in ("POST", "PUT", "PATCH"):
        codes |= {400, 413, 422}
    if any(p.name == "cursor" for d in tree for p in d.query_params):
        codes.add(400)
    if get_actor in calls:
        codes |= {401, 403}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.add(409)
    if route.path == "/metrics":
        codes.add(401)
    if dependant.path_params or route.path.startswith("/api/v1/"):
        codes.add(404)
    if route.path.startswith("/api/public/") or route.path == "/api/v1/auth/token":
        codes.add(429)
    if route.path == "/api/v1/auth/token":
        codes.add(401)
    if get_db in calls or route.path in ("/readyz", "/metrics"):
        codes.add(503)
    return codes


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                         tags=app.openapi_tags)  # fmt: skip
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (FieldError, ErrorBody, ValidationErrorBody):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            documented = {int(c) for c in responses if c.isdigit() and int(c) >= 400 and int(c) in DESCRIPTIONS}
            for code in sorted(_errors_of(route, method) | documented):
                entry = responses.setdefault(str(code), {})
                entry.setdefault("description", DESCRIPTIONS[code])
                content = entry.setdefault("content", {}).setdefault("application/json", {})
                content["schema"] = _ref("ValidationErrorBody" if code == 422 else "ErrorBody")
                if code in (429, 503):
                    entry["headers"] = RETRY_AFTER
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
