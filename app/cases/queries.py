"""Reading cases: the list query grammar (filters, orders, cursors), the counts, and the read models the pages
and the API show (``case_reads``), plus what the actor may change (for forms)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    tuple_,
    union_all,
)
from sqlalchemy import Select as SaSelect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.permissions import Actor
from app.cases.models import (
    Case,
    CaseAssignee,
    CaseSupportingUnit,
    CaseTag,
)
from app.cases.scope import (
    scope_key,
    supported_parts,
    visibility_parts,
    visible,
    visible_cases,
)
from app.cases.vocabulary import Severity, SourceKind, Topic
from app.cases.workflow import (
    OPEN_STATUSES,
    CaseStatus,
)
from app.errors import ValidationFailed
from app.i18n import _
from app.org.models import User
from app.org.service import unit_by_code
from app.text import search_terms

# --- reading ------------------------------------------------------------------------------------------------


class CaseSort(StrEnum):
    """List orders; a leading ``-`` means newest first. Paging cursors are tied to the order they came from."""

    RECEIVED_DESC = "-received_at"
    RECEIVED_ASC = "received_at"
    UPDATED_DESC = "-updated_at"
    UPDATED_ASC = "updated_at"
    DUE = "due"  # nearest due clock first (``next_due_at``); cases without a running clock last

    @property
    def column_name(self) -> str:
        return "next_due_at" if self == CaseSort.DUE else self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


class CaseFilters(BaseModel):
    status: list[CaseStatus] = []
    unit: str | None = None
    severity: list[Severity] = []
    topic: list[Topic] = []
    source_kind: list[SourceKind] = []
    q: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    assignee: str | None = None
    tag: str | None = None
    overdue: bool | None = None  # true: the nearest running clock is past due; false: it is not (or none runs)
    due_within_hours: int | None = None  # the nearest running clock falls due between now and now + N hours
    now: datetime | None = None  # needed by overdue / due_within_hours
    limit: int = 50
    cursor: str | None = None
    sort: CaseSort = CaseSort.RECEIVED_DESC


def _encode_cursor(case: Case, sort: CaseSort) -> str:
    value: datetime | None = getattr(case, sort.column_name)
    parts: list[Any] = [value.isoformat() if value else None, case.id]
    if sort != CaseSort.RECEIVED_DESC:
        parts.append(sort.value)
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: CaseSort) -> tuple[datetime | None, int]:
    """The (value, id) a page ended at; the value is None only past the end of a ``due`` order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) not in (2, 3):
            raise ValueError
        at, ident = parts[0], parts[1]
        cursor_sort = CaseSort(parts[2]) if len(parts) == 3 else CaseSort.RECEIVED_DESC
        value = None if at is None and sort == CaseSort.DUE else datetime.fromisoformat(at)
        if (value is not None and value.tzinfo is None) or not isinstance(ident, int) or cursor_sort != sort:
            raise ValueError
        return value, ident
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Con trỏ phân trang không hợp lệ."), field="cursor") from exc


# A list's query: the cases themselves, or (for the parts of a unit-scoped search) their ids and sort keys.
_Query = TypeVar("_Query", SelectOfScalar[Case], SaSelect[Any])


def filtered_cases(session: Session, *, actor: Actor, filters: CaseFilters) -> SelectOfScalar[Case]:
    """The actor's visible cases narrowed by the list filters (no order, no paging)."""
    return _narrowed(session, visible_cases(actor), _beyond_scope(session, actor, filters))


def _beyond_scope(session: Session, actor: Actor, filters: CaseFilters) -> CaseFilters:
    """``filters`` without ``unit`` when the actor's scope is that one unit's cases (a head's or a handler's list of
    their own unit): the condition would be written twice, and PostgreSQL, taking the two for independent, expected
    a few rows where there are thousands (a unit's worklist read and sorted every open case)."""
    scope = scope_key(actor)
    if not filters.unit or scope is None or len(scope) != 1:
        return filters  # no unit, or a scope it cannot equal: no look-up (``_narrowed`` makes the one it needs)
    if unit_by_code(session, filters.unit, field="unit").id == scope[0]:
        return filters.model_copy(update={"unit": None})
    return filters


def _narrowed(session: Session, query: _Query, filters: CaseFilters) -> _Query:
    if filters.status:
        query = query.where(col(Case.status).in_(filters.status))
    if filters.severity:
        query = query.where(col(Case.severity).in_(filters.severity))
    if filters.topic:
        query = query.where(col(Case.topic).in_(filters.topic))
    if filters.source_kind:
        query = query.where(col(Case.source_kind).in_(filters.source_kind))
    if filters.unit:
        unit = unit_by_code(session, filters.unit, field="unit")
        query = query.where(
            or_(
                col(Case.lead_unit_id) == unit.id,
                exists().where(
                    col(CaseSupportingUnit.case_id) == col(Case.id), col(CaseSupportingUnit.unit_id) == unit.id
                ),
            )
        )
    if filters.assignee:
        query = query.where(_assigned_to(session, filters.assignee))
    if filters.tag:
        query = query.where(
            exists().where(col(CaseTag.case_id) == col(Case.id), col(CaseTag.tag) == filters.tag.lower())
        )
    if filters.received_from:
        query = query.where(col(Case.received_at) >= filters.received_from)
    if filters.received_to:
        query = query.where(col(Case.received_at) < filters.received_to)
    if filters.q:
        postgres = session.get_bind().dialect.name == "postgresql"
        for term in search_terms(filters.q):
            query = query.where(_text_contains(term, postgres=postgres))
    if filters.overdue is not None or filters.due_within_hours is not None:
        if filters.now is None:
            raise ValueError("the overdue and due_within_hours filters need now")
        now = filters.now
        if filters.overdue is True:
            query = query.where(col(Case.next_due_at) < now)
        elif filters.overdue is False:
            query = query.where(or_(col(Case.next_due_at).is_(None), col(Case.next_due_at) >= now))
        if filters.due_within_hours is not None:
            until = now + timedelta(hours=filters.due_within_hours)
            query = query.where(col(Case.next_due_at) >= now, col(Case.next_due_at) < until)
    return query


# How a case reference starts once folded into ``search_text`` (``VV-2021-00101`` → ``vv-2021-00101``).
REFERENCE_MARK = "vv-"


def _text_contains(term: str, *, postgres: bool) -> ColumnElement[bool]:
    """``search_text LIKE '%term%'``: the folded text contains ``term`` (a word of ``q``, escaped by
    ``text.search_terms``). The pattern is a bound parameter, never text written into the statement (what a user
    typed); the generic plan's guess at its selectivity is avoided by ``plan_cache_mode`` (``app.db.make_engine``).

    On PostgreSQL a term containing ``vv-`` (a reference, ``vv-2021-00101``) is written as the same condition in two
    parts, each with an index of its own: the text *starts* with the term — its first word does, since the term has
    no space: ``split_part(search_text, ' ', 1) LIKE 'term%'`` (``ix_case_search_first_word``; the first word is the
    case's own reference) — or ``vv-`` occurs after the first character and the text contains the term
    (``ix_case_search_quotes_trgm``: the trigrams of the few texts that quote a reference). A match at the first
    character is the first part; any later match has the term's ``vv-`` after the first character, the second. The
    trigram index alone intersected the posting lists of ``vv``, ``202``, ``00``… that every case has: 14 ms for
    ``VV-2021-00101`` at a million cases."""
    folded = col(Case.search_text)
    contains = folded.like(f"%{term}%", escape="\\")
    if not postgres or REFERENCE_MARK not in term:
        return contains
    # Constants written into the statement as the index definitions write them (migration 6d2f8b4a1c93), so
    # that PostgreSQL matches the expression and proves the partial index's predicate (QUOTES_REFERENCE_SQL).
    first_word = func.split_part(folded, literal_column("' '"), literal_column("1"))
    quotes = func.strpos(
        func.substr(folded, literal_column("2")), literal_column(f"'{REFERENCE_MARK}'")
    ) > literal_column("0")
    return or_(first_word.like(f"{term}%", escape="\\"), and_(quotes, contains))


def _assigned_to(session: Session, username: str) -> ColumnElement[bool]:
    """The cases ``username`` is assigned to (none when there is no such user), as a condition on ``case``.

    The user's id is looked up first and written into the statement as a literal, so that PostgreSQL plans it
    with that user's own number of cases: walk the sort order probing ``case_assignee`` for a handler with 22,000
    of a million (3 ms), read the user's few rows and sort them for a head with 3 (5 ms). Joined to ``user`` by
    name, the count was a guess and the plan walked the whole order for the head (2.1 s); bound as a parameter, a
    prepared statement's generic plan would guess the same for everyone."""
    user_id = _user_id(session, username)
    if user_id is None:
        return false()
    return exists().where(col(CaseAssignee.case_id) == col(Case.id), col(CaseAssignee.user_id) == user_id)


def _user_id(session: Session, username: str) -> Any:
    """The user's id as a literal of the statement (``_assigned_to``), or None when there is no such user."""
    user_id = session.exec(select(User.id).where(col(User.username) == username)).first()
    return None if user_id is None else literal(user_id, Integer(), literal_execute=True)


def list_cases(session: Session, *, actor: Actor, filters: CaseFilters) -> tuple[list[Case], str | None]:
    """A page of the actor's visible cases matching ``filters`` and the next page's cursor (None at the end).

    A unit-scoped search (``q``) reads each part of the scope (``scope.visibility_parts``) as a page of its own, in
    the list's order, then merges them (``UNION ALL``) and joins the cases back: the rows of the scope's ``OR``, in
    the same order, but a handler's search at a million cases reads 2,400 rows by index, not 22,207 (30 → 5 ms). So
    does a unit's worklist (open statuses, nearest deadline first: the home of a head or a handler): each part is an
    index-only walk of ``ix_case_open_next_due_at``, which carries the lead unit and the status; as one ``OR`` the
    planner, misjudging the ``EXISTS`` of the supported cases, read and sorted every open case (13-33 ms). Without
    ``q`` the ``OR`` finds its page in a few hundred rows (2 ms); merged, the supported part would start parallel
    workers (12 ms on a loaded machine). In order of receipt (the default), the cases a unit only supports are read
    from ``case_supporting_unit`` in that order (``scope.supported_parts``: a range of
    ``ix_case_supporting_unit_unit_received``, stopped at the page), not all of them (1,885 for a handler)."""
    by_receipt = filters.sort in (CaseSort.RECEIVED_DESC, CaseSort.RECEIVED_ASC)
    open_by_due = filters.sort == CaseSort.DUE and bool(filters.status) and OPEN_STATUSES.issuperset(filters.status)
    if not (filters.q and search_terms(filters.q)) and not open_by_due:
        if by_receipt and (filters.tag or filters.assignee):
            return _by_link(session, actor=actor, filters=filters)
        if len(filters.status) > 1 and by_receipt:
            return _by_status(session, actor=actor, filters=filters)
        return _paged(session, _page(filtered_cases(session, actor=actor, filters=filters), filters), filters)
    support = aliased(CaseSupportingUnit)
    split = supported_parts(actor, support) if by_receipt else None
    parts = visibility_parts(actor) if split is None else split[0]
    if parts is None:
        return _paged(session, _page(filtered_cases(session, actor=actor, filters=filters), filters), filters)
    narrowing = _beyond_scope(session, actor, filters)
    narrowed = _narrowed(session, sa_select(col(Case.id), getattr(Case, filters.sort.column_name)), narrowing)
    pages = [_page(narrowed.where(part), filters) for part in parts]
    if split is not None:
        keys = _CopiedKeys(support)
        supported = sa_select(keys.id.label("id"), keys.received_at.label("received_at"))
        supported = _narrowed(session, supported.join(Case, col(Case.id) == keys.id), narrowing)
        pages += [_page(supported.where(part), filters, keys) for part in split[1]]
    return _merged(session, pages, filters)


def _by_status(session: Session, *, actor: Actor, filters: CaseFilters) -> tuple[list[Case], str | None]:
    """Several statuses in order of receipt: each status's page read from ``ix_case_status_received`` (a range of
    ``(status, received_at)``, stopped at the page), then merged. As one ``status IN (…)`` the order walked the
    open cases' receipt index discarding every other status (3,100 rows for ``new,assigned``: 3.6 ms at a million
    cases)."""
    ids = sa_select(col(Case.id), getattr(Case, filters.sort.column_name)).where(visible(actor))
    others = _narrowed(session, ids, filters.model_copy(update={"status": []}))  # once: a unit's or user's look-up
    return _merged(session, [_page(others.where(col(Case.status) == status), filters) for status in filters.status],
                   filters)  # fmt: skip


def _by_link(session: Session, *, actor: Actor, filters: CaseFilters) -> tuple[list[Case], str | None]:
    """A tag's or an assignee's cases in order of receipt: a range of ``ix_case_tag_tag_received`` or
    ``ix_case_assignee_user_received`` (the link's row keeps the case's receipt time), stopped at the page, joined to
    the cases for the scope and the other filters. As an ``EXISTS`` the order walked the cases' receipt index
    probing the link for each: 2,500 cases for a page of a tag one case in ten has (6.4 ms at a million cases)."""
    link: Any
    if filters.tag:
        link = aliased(CaseTag)  # aliased: a filter's own EXISTS on the same table must not correlate to it
        condition = col(link.tag) == filters.tag.lower()
        rest = filters.model_copy(update={"tag": None})
    else:
        assert filters.assignee
        user_id = _user_id(session, filters.assignee)
        if user_id is None:
            return [], None
        link = aliased(CaseAssignee)
        condition = col(link.user_id) == user_id
        rest = filters.model_copy(update={"assignee": None})
    keys = _CopiedKeys(link)
    ids = sa_select(keys.id.label("id"), keys.received_at.label("received_at"))
    ids = _narrowed(session, ids.join(Case, col(Case.id) == keys.id).where(condition, visible(actor)), rest)
    return _merged(session, [_page(ids, filters, keys)], filters)


def _merged(session: Session, pages: list[SaSelect[Any]], filters: CaseFilters) -> tuple[list[Case], str | None]:
    """The cases of several pages of ids and sort keys (each in the list's order), merged into the list's page."""
    merged = union_all(*(page.subquery(f"part{n}").select() for n, page in enumerate(pages))).subquery("scoped")
    query = _ordered(select(Case).join(merged, col(Case.id) == merged.c.id), merged.c, filters.sort)
    return _paged(session, query.limit(_page_size(filters)), filters)


class _CopiedKeys:
    """The keys of a case as a row linked to it holds them (``_page``'s ``keys``): the case's id and its receipt
    time, copied (``case_supporting_unit``, ``case_tag``, ``case_assignee``)."""

    def __init__(self, row: Any) -> None:
        self.id: Any = col(row.case_id)
        self.received_at: Any = col(row.received_at)


def _paged(session: Session, query: SelectOfScalar[Case], filters: CaseFilters) -> tuple[list[Case], str | None]:
    cases = list(session.exec(query).all())
    next_cursor = _encode_cursor(cases[filters.limit - 1], filters.sort) if len(cases) > filters.limit else None
    return cases[: filters.limit], next_cursor


def _page(query: _Query, filters: CaseFilters, keys: Any = Case) -> _Query:
    """The cases after the cursor in the list's order, one more than a page; ``keys`` has the columns the order
    reads (``id`` and the sort's), ``Case``'s or those of a row that copies them (``_CopiedKeys``)."""
    sort = filters.sort
    if sort == CaseSort.DUE:
        return _due_page(query, filters.cursor).limit(_page_size(filters))
    if filters.cursor:
        column = col(getattr(keys, sort.column_name))
        at, ident = _decode_cursor(filters.cursor, sort)
        key, after = _keyset(column, at, ident, keys.id)
        query = query.where(key < after if sort.descending else key > after)
    return _ordered(query, keys, sort).limit(_page_size(filters))


def _page_size(filters: CaseFilters) -> Any:
    """One more than a page, written into the statement: as a parameter, a prepared statement's generic plan
    guesses a tenth of the rows (the eleventh same search of a connection took 0.4-1 s instead of 12 ms)."""
    return literal(filters.limit + 1, Integer(), literal_execute=True)


def _ordered(query: _Query, cases: Any, sort: CaseSort) -> _Query:
    """``query`` in the list's order, read from ``cases`` (``Case`` or a subquery's columns); ties broken by id."""
    ident = col(cases.id)
    if sort == CaseSort.DUE:
        return query.order_by(col(cases.next_due_at).asc().nulls_last(), ident.asc())
    column = col(getattr(cases, sort.column_name))
    if sort.descending:
        return query.order_by(column.desc(), ident.desc())
    return query.order_by(column.asc(), ident.asc())


def _keyset(column: Any, at: datetime | None, ident: int, id_column: Any = Case.id) -> tuple[Any, Any]:
    """The row values ``(column, id)`` and ``(at, ident)`` of a keyset cursor. Compared as rows (``(received_at,
    id) < (:at, :id)``), the condition bounds an index on ``(column, id)`` — or on ``column`` alone — directly,
    where ``column < :at OR (column = :at AND id < :id)`` made PostgreSQL scan from the first row and discard
    every row before the cursor (900,001 rows 90 % down a million cases: 316 ms, against 0.03 ms). SQLite has
    row values since 3.15. The values are bound with the columns' types (UTC timestamps are stored as text on
    SQLite)."""
    return tuple_(column, col(id_column)), tuple_(literal(at, column.type), literal(ident, Integer()))


def _due_page(query: _Query, cursor: str | None) -> _Query:
    """Nearest due first, cases without a running clock last; keyset pagination on (next_due_at, id)."""
    due = col(Case.next_due_at)
    if cursor:
        at, ident = _decode_cursor(cursor, CaseSort.DUE)
        if at is None:
            query = query.where(due.is_(None), col(Case.id) > ident)
        else:
            key, after = _keyset(due, at, ident)
            query = query.where(or_(key > after, due.is_(None)))
    return _ordered(query, Case, CaseSort.DUE)


def count_by_severity(session: Session, *, actor: Actor, filters: CaseFilters) -> dict[Severity, int]:
    """How many of the actor's visible cases matching ``filters`` there are of each severity."""
    matching = filtered_cases(session, actor=actor, filters=filters).subquery()
    rows = session.exec(select(matching.c.severity, func.count()).group_by(matching.c.severity)).all()
    counts = dict.fromkeys(Severity, 0)
    for severity, number in rows:
        counts[Severity(severity)] = number
    return counts
