"""The cases' read models (``CaseRead``): a page of them with a fixed number of statements, whatever its length."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Integer, String, any_, bindparam, literal, literal_column, null, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlmodel import Session, col

from app.auth.permissions import Actor, can
from app.cases.models import (
    Case,
    CaseAssignee,
    CaseRead,
    CaseRelation,
    CaseSupportingUnit,
    CaseTag,
    UnitRef,
    UserRef,
)
from app.cases.scope import Scope, scope_key, visible
from app.cases.workflow import Action, allowed_actions, edge_for
from app.org.models import Unit, User


@dataclass
class _PageLinks:
    """What the read models of a page show beyond the cases' own columns."""

    units: dict[int, UnitRef] = field(default_factory=dict)  # the lead units, by id
    supporting: dict[int, list[tuple[int, UnitRef]]] = field(default_factory=lambda: defaultdict(list))
    assignees: dict[int, list[UserRef]] = field(default_factory=lambda: defaultdict(list))
    tags: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    related: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    creators: dict[int, str] = field(default_factory=dict)


def id_list(name: str, values: list[int], *, postgres: bool) -> BindParameter[Any]:
    """A list of ids as ONE parameter: an array on PostgreSQL (``= ANY(:ids)``), an expanding ``IN`` on SQLite.

    Expanded, a page's 50 ids were 50 placeholders in each part of ``_page_links``: a long statement whose text
    changed with the page, which psycopg converted anew each time (it caches texts of up to 4,096 characters and
    50 parameters) and PostgreSQL never prepared. As an array the text is always the same. (The export's batches of
    1,000 spent a second of CPU on 24 MB of placeholders at 24,000 rows.)"""
    if postgres:
        return bindparam(name, values, type_=ARRAY(Integer()))
    return bindparam(name, values, expanding=True)


def among(column: Any, ids: BindParameter[Any]) -> ColumnElement[bool]:
    """``column`` is one of the ``id_list``."""
    return col(column).in_(ids) if ids.expanding else col(column) == any_(ids)


def _page_links(session: Session, *, actor: Actor, cases: Sequence[Case]) -> _PageLinks:
    """The lead and supporting units, assignees, tags, visible related cases and creators of the page's cases, in
    ONE statement (``_links_statement``), rows ``(key, kind, n, a, b)`` in the order each list shows (supporting
    units by id, the rest by name). One query per relation made six round trips a page, most of a list's database
    time on a busy machine."""
    postgres = session.get_bind().dialect.name == "postgresql"
    shape = (postgres, scope_key(actor))
    statement = _LINKS.get(shape)
    if statement is None:
        if len(_LINKS) >= _LINKS_KEPT:
            _LINKS.clear()
        statement = _LINKS[shape] = _links_statement(actor, postgres=postgres)
    parameters = {
        "page_ids": [c.id for c in cases if c.id is not None],
        "lead_ids": sorted({c.lead_unit_id for c in cases if c.lead_unit_id}),
        "creator_ids": sorted({c.created_by_id for c in cases if c.created_by_id}),
    }
    links = _PageLinks()
    for key, what, n, a, b in session.execute(statement, parameters):
        if what == "supporting":
            links.supporting[key].append((n, UnitRef(code=a, name=b)))
        elif what == "lead":
            links.units[key] = UnitRef(code=a, name=b)
        elif what == "assignee":
            links.assignees[key].append(UserRef(username=a, full_name=b))
        elif what == "tag":
            links.tags[key].append(a)
        elif what == "related":
            links.related[key].append(a)
        else:
            links.creators[key] = a
    return links


# ``_links_statement`` by engine and reader's scope (``scope.scope_key``): every list page runs it, and building the
# statement and its cache key anew cost more CPU than PostgreSQL spends answering it. A few hundred scopes at most
# (the press office's one, each unit's); cleared if ever more.
_LINKS: dict[tuple[bool, tuple[int, ...] | None], Executable] = {}
_LINKS_KEPT = 512


def _links_statement(actor: Actor, *, postgres: bool) -> Executable:
    """A ``UNION ALL`` of a part per relation, each bounded by the page's ids (one parameter, ``page_ids``; the lead
    units' and creators' ids, ``lead_ids`` and ``creator_ids``), the related cases those ``actor``'s scope shows."""
    ids = id_list("page_ids", [], postgres=postgres)
    lead_ids = id_list("lead_ids", [], postgres=postgres)
    creator_ids = id_list("creator_ids", [], postgres=postgres)

    def kind(name: str) -> Any:
        return literal(name, String(), literal_execute=True).label("kind")

    zero = literal(0, Integer(), literal_execute=True)
    parts: list[Any] = [
        sa_select(col(CaseSupportingUnit.case_id).label("key"), kind("supporting"),
                  col(CaseSupportingUnit.unit_id).label("n"), col(Unit.code).label("a"), col(Unit.name).label("b"))
        .join(Unit, col(Unit.id) == col(CaseSupportingUnit.unit_id))
        .where(among(CaseSupportingUnit.case_id, ids)),
        sa_select(col(CaseAssignee.case_id), kind("assignee"), zero, col(User.username), col(User.full_name))
        .join(User, col(User.id) == col(CaseAssignee.user_id))
        .where(among(CaseAssignee.case_id, ids)),
        sa_select(col(CaseTag.case_id), kind("tag"), zero, col(CaseTag.tag), null())
        .where(among(CaseTag.case_id, ids)),
        sa_select(col(CaseRelation.case_id), kind("related"), zero, col(Case.reference), null())
        .join(Case, col(Case.id) == col(CaseRelation.related_id))
        .where(among(CaseRelation.case_id, ids), visible(actor)),
        sa_select(col(Unit.id), kind("lead"), zero, col(Unit.code), col(Unit.name))
        .where(among(Unit.id, lead_ids)),
        sa_select(col(User.id), kind("creator"), zero, col(User.username), null())
        .where(among(User.id, creator_ids)),
    ]  # fmt: skip
    return union_all(*parts).order_by(*(literal_column(name) for name in ("kind", "key", "n", "a")))


def case_reads(session: Session, *, actor: Actor, cases: Sequence[Case], now: datetime | None = None) -> list[CaseRead]:
    """Read schemas for many cases with a fixed number of queries (two: the cases, then ``_page_links``; no lazy
    loads). ``now`` decides ``overdue``."""
    if not cases:
        return []
    links = _page_links(session, actor=actor, cases=cases)
    reads = []
    for case in cases:
        assert case.id is not None
        supporting = links.supporting[case.id]
        scope = Scope(case.lead_unit_id, frozenset(unit_id for unit_id, _ref in supporting))
        actions = []
        for action in allowed_actions(case.status):
            edge = edge_for(case.status, action)
            if not edge.via_statement and can(actor, edge.permission, None if action in (
                    Action.ASSIGN, Action.REASSIGN) else scope):  # fmt: skip
                actions.append(action)
        reads.append(
            CaseRead(
                reference=case.reference,
                status=case.status,
                title=case.title,
                summary=case.summary,
                source_kind=case.source_kind,
                topic=case.topic,
                severity=case.severity,
                legal_trigger=case.legal_trigger,
                outlet=case.outlet,
                reporter_name=case.reporter_name,
                reporter_contact=case.reporter_contact,
                source_url=case.source_url,
                source_published_at=case.source_published_at,
                received_at=case.received_at,
                occurred_at=case.occurred_at,
                impact_determined_at=case.impact_determined_at,
                complaint_concluded_at=case.complaint_concluded_at,
                next_due_at=case.next_due_at,
                overdue=None if now is None else case.next_due_at is not None and case.next_due_at < now,
                lead_unit=links.units.get(case.lead_unit_id) if case.lead_unit_id else None,
                supporting_units=[ref for _unit_id, ref in supporting],
                assignees=links.assignees[case.id],
                tags=links.tags[case.id],
                related=links.related[case.id],
                close_reason=case.close_reason,
                status_changed_at=case.status_changed_at,
                created_at=case.created_at,
                updated_at=case.updated_at,
                created_by=links.creators.get(case.created_by_id) if case.created_by_id else None,
                allowed_actions=actions,
            )
        )
    return reads


def case_read(session: Session, *, actor: Actor, case: Case, now: datetime | None = None) -> CaseRead:
    return case_reads(session, actor=actor, cases=[case], now=now)[0]
