"""What people expect of a ticket list, around the staff case list (``/staff/cases``): the context the list page
needs for its CSV/XLSX links (the list's filters), its bulk actions and the person's saved views. The forms post to
``case_list_actions.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from app.auth.permissions import Actor, Permission, can
from app.cases.bulk import BULK_ACTION_LABELS, BulkAction
from app.cases.queries import CaseFilters
from app.saved_views import service as views


def export_query(filters: CaseFilters) -> str:
    """The list's filters as the query of ``/api/v1/cases/export.csv`` / ``.xlsx`` (the API's names: the page's
    "due" choice is ``overdue`` / ``due_within_hours``, its days are ISO times), without paging."""
    params: list[tuple[str, str]] = [("status", s.value) for s in filters.status]
    params += [("severity", s.value) for s in filters.severity] + [("topic", t.value) for t in filters.topic]
    params += [("source_kind", k.value) for k in filters.source_kind]
    for name in ("unit", "q", "assignee", "tag"):
        value = getattr(filters, name)
        if value:
            params.append((name, value))
    for name in ("received_from", "received_to"):
        moment: datetime | None = getattr(filters, name)
        if moment is not None:
            params.append((name, moment.isoformat()))
    if filters.overdue is not None:
        params.append(("overdue", "true" if filters.overdue else "false"))
    if filters.due_within_hours is not None:
        params.append(("due_within_hours", str(filters.due_within_hours)))
    params.append(("sort", filters.sort.value))
    return urlencode(params)


def list_tools(session: Session, actor: Actor, query: str, filters: CaseFilters) -> dict[str, Any]:
    """The list page's extra context: the person's saved views, the bulk actions they may try, the file links."""
    clean = views.clean_query(query)
    return {
        "my_views": views.list_views(session, actor=actor),
        "list_query": clean,
        "export_query": export_query(filters),
        "bulk_actions": [
            (a.value, BULK_ACTION_LABELS[a])
            for a in BulkAction
            if a != BulkAction.ASSIGN or can(actor, Permission.CASE_TRIAGE)
        ],  # fmt: skip
    }
