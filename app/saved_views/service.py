"""Saved views: each person keeps their own named filters of the case list (``/staff/cases?…``).

A view is a query string: what the list's filter form sends, without its page cursor and without empty values.
``save_view`` with a name already used replaces that view's filters (saving "Học phí" twice keeps one view).
Nobody sees or deletes another person's views (404).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session, col, select

from app.auth.permissions import Actor
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.saved_views.models import SavedView, SavedViewCreate, SavedViewRead

MAX_VIEWS = 30
LIST_URL = "/staff/cases"
NOT_KEPT = frozenset({"cursor", "csrf_token", "done", "name"})


def clean_query(query: str) -> str:
    """``"?q=hoc+phi&topic=&cursor=abc"`` → ``"q=hoc+phi"``: the filters only, in a stable form."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    return urlencode([(k, v) for k, v in pairs if k not in NOT_KEPT and v.strip()])


def view_read(view: SavedView) -> SavedViewRead:
    assert view.id is not None
    return SavedViewRead(id=view.id, name=view.name, query=view.query,
                         url=LIST_URL + (f"?{view.query}" if view.query else ""))  # fmt: skip


def list_views(session: Session, *, actor: Actor) -> list[SavedViewRead]:
    rows = session.exec(select(SavedView).where(SavedView.user_id == actor.user_id).order_by(col(SavedView.name))).all()
    return [view_read(v) for v in rows]


def save_view(session: Session, *, actor: Actor, data: SavedViewCreate, now: datetime) -> SavedViewRead:
    query = clean_query(data.query)
    view = session.exec(
        select(SavedView).where(SavedView.user_id == actor.user_id, SavedView.name == data.name)
    ).first()
    if view is None:
        count = len(session.exec(select(SavedView.id).where(SavedView.user_id == actor.user_id)).all())
        if count >= MAX_VIEWS:
            raise ValidationFailed(_("Mỗi người lưu được tối đa {n} danh sách.", n=MAX_VIEWS), field="name")
        view = SavedView(user_id=actor.user_id, name=data.name, query=query, created_at=now)
    else:
        view.query = query
    session.add(view)
    session.flush()
    return view_read(view)


def delete_view(session: Session, *, actor: Actor, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != actor.user_id:
        raise NotFound(_("Không tìm thấy danh sách đã lưu."))
    session.delete(view)
    session.flush()
