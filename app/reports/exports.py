"""The case export: one row per case the actor may see (CSV, XLSX, ODS through ``formats.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.auth.permissions import Actor
from app.cases.models import Case, CaseAssignee, CaseSupportingUnit, CaseTag
from app.cases.queries import CaseFilters, filtered_cases
from app.cases.reads import among, id_list
from app.org.models import Unit, User
from app.reports.columns import CaseExportRow, UnitName

EXPORT_BATCH = 1000


def case_export_rows(
    session: Session,
    *,
    actor: Actor,
    filters: CaseFilters,
    open_session: Callable[[], Session] | None = None,
    batch_size: int | None = None,
) -> Iterator[CaseExportRow]:
    """Every case of the list with these filters (``limit`` and ``cursor`` do not apply), newest received first.

    The filters are checked now (an unknown unit is a 422 before any byte is sent); the rows are read lazily, in
    batches, from ``session`` or, for a response streamed after the request's session has closed, from a session
    that ``open_session`` opens (and the iterator closes).
    """
    query = filtered_cases(session, actor=actor, filters=filters)
    batch_size = batch_size or EXPORT_BATCH
    lead = aliased(Unit)
    rows_query = (
        query.with_only_columns(
            col(Case.id),
            col(Case.reference),
            col(Case.title),
            col(Case.status),
            col(Case.severity),
            col(Case.topic),
            col(Case.source_kind),
            col(Case.legal_trigger),
            col(Case.outlet),
            col(Case.reporter_name),
            col(Case.reporter_contact),
            col(Case.source_url),
            col(Case.received_at),
            col(Case.occurred_at),
            col(Case.close_reason),
            col(Case.status_changed_at),
            col(Case.created_at),
            col(Case.summary),
            col(lead.name),
            col(lead.name_en),
            maintain_column_froms=True,
        )
        .outerjoin(lead, col(lead.id) == col(Case.lead_unit_id))
        .order_by(col(Case.received_at).desc(), col(Case.id).desc())
        .limit(batch_size)
    )

    def batches(reader: Session) -> Iterator[CaseExportRow]:
        after: tuple[datetime, int] | None = None
        while True:
            page = rows_query
            if after is not None:
                at, ident = after
                # "received_at <= at" lets both databases walk the received_at index from where the last batch ended.
                page = page.where(
                    col(Case.received_at) <= at,
                    or_(col(Case.received_at) < at, and_(col(Case.received_at) == at, col(Case.id) < ident)),
                )
            rows = reader.connection().execute(page).all()  # plain rows: no ORM loading step
            if not rows:
                return
            yield from _export_rows(reader, rows)
            if len(rows) < batch_size:
                return
            after = (rows[-1].received_at, rows[-1].id)

    def iterate() -> Iterator[CaseExportRow]:
        if open_session is None:
            yield from batches(session)
            return
        with open_session() as reader:
            yield from batches(reader)

    return iterate()


def _export_rows(session: Session, rows: Iterable[Any]) -> Iterator[CaseExportRow]:
    rows = list(rows)
    connection = session.connection()
    ids = id_list("ids", [r.id for r in rows], postgres=connection.dialect.name == "postgresql")
    supporting: dict[int, list[UnitName]] = defaultdict(list)
    for case_id, name, name_en in connection.execute(
        select(CaseSupportingUnit.case_id, Unit.name, Unit.name_en)
        .join(Unit, col(Unit.id) == col(CaseSupportingUnit.unit_id))
        .where(among(CaseSupportingUnit.case_id, ids))
        .order_by(col(CaseSupportingUnit.case_id), col(Unit.name))
    ).all():
        supporting[case_id].append(UnitName(name, name_en))
    assignees: dict[int, list[str]] = defaultdict(list)
    for case_id, full_name in connection.execute(
        select(CaseAssignee.case_id, User.full_name)
        .join(User, col(User.id) == col(CaseAssignee.user_id))
        .where(among(CaseAssignee.case_id, ids))
        .order_by(col(CaseAssignee.case_id), col(User.full_name))
    ).all():
        assignees[case_id].append(full_name)
    tags: dict[int, list[str]] = defaultdict(list)
    for case_id, tag in connection.execute(
        select(CaseTag.case_id, CaseTag.tag).where(among(CaseTag.case_id, ids)).order_by(col(CaseTag.tag))
    ).all():
        tags[case_id].append(tag)
    for r in rows:
        yield CaseExportRow(  # positional: in the order of its fields
            r.reference,
            r.title,
            r.status,
            r.severity,
            r.topic,
            r.source_kind,
            r.legal_trigger,
            r.outlet,
            r.reporter_name,
            r.reporter_contact,
            r.source_url,
            r.received_at,
            r.occurred_at,
            UnitName(r.name, r.name_en) if r.name is not None else None,
            tuple(supporting[r.id]),
            tuple(assignees[r.id]),
            tuple(tags[r.id]),
            r.close_reason,
            r.status_changed_at,
            r.created_at,
            r.summary,
        )
