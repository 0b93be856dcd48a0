"""A response model sent as FastAPI sends it, serialized in the route's own thread."""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import BaseModel


def model_json(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as FastAPI would send it for a route whose ``response_model`` is its class (the same bytes:
    pydantic's JSON, by alias), but serialized here, in the plain ``def`` route's thread.

    A returned model is validated again by FastAPI in a second trip to the thread pool, then serialized on the event
    loop: for a page of 50 cases about a millisecond of the loop a request, and a thread hop. Keep the route's
    ``response_model`` (the OpenAPI document, the API contract test) and build the model from typed values."""
    body = model.__pydantic_serializer__.to_json(model, by_alias=True)
    return Response(body, status_code, media_type="application/json")
