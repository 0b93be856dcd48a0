"""The caller's own saved views of the case list (the staff list page shows them too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlmodel import SQLModel

from app.saved_views import service
from app.saved_views.models import SavedViewCreate, SavedViewRead
from app.web.deps import ActorDep, NowDep, SessionDep

router = APIRouter(tags=["cases"])

ViewId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class SavedViewPage(SQLModel):
    items: list[SavedViewRead]


@router.get("/me/views", response_model=SavedViewPage)
def list_views(session: SessionDep, actor: ActorDep) -> SavedViewPage:
    """The caller's saved views, by name: each with the query string of `/staff/cases` (and of `GET /api/v1/cases`
    for the filters both share) and the page's URL."""
    return SavedViewPage(items=service.list_views(session, actor=actor))


@router.post("/me/views", response_model=SavedViewRead, status_code=201)
def save_view(session: SessionDep, actor: ActorDep, now: NowDep, body: SavedViewCreate) -> SavedViewRead:
    """`{"name", "query"}`: save (or, under a name already used, replace) a view. The query keeps the filters only
    (no cursor, no empty values)."""
    return service.save_view(session, actor=actor, data=body, now=now)


@router.delete("/me/views/{view_id}", status_code=204)
def delete_view(session: SessionDep, actor: ActorDep, view_id: ViewId) -> Response:
    """404 for a view that is not the caller's."""
    service.delete_view(session, actor=actor, view_id=view_id)
    return Response(status_code=204)
