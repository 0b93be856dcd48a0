"""Cases: intake, list, read, update, transitions, notes, timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request

from app.auth.permissions import Actor
from app.cases import service
from app.cases.models import CaseCreate, CasePage, CaseRead, CaseUpdate, EventPage, NoteIn, TransitionIn
from app.cases.service import CaseFilters, CaseSort
from app.cases.vocabulary import Severity, SourceKind, Topic
from app.cases.workflow import CaseStatus
from app.errors import ValidationFailed
from app.i18n import _
from app.validation import OptionalTimestamp, QueryText
from app.web.cursors import seal, unseal
from app.web.deps import ActorDep, NowDep, SessionDep, get_now
from app.web.idempotency import StaffIdempotencyDep

router = APIRouter(tags=["cases"])

Reference = Annotated[
    str, Path(max_length=30, pattern=r"^[A-Za-z0-9-]+$", description="The case reference, e.g. VV-2026-00042")
]
E = TypeVar("E", bound=StrEnum)


def _enum_list(values: list[str] | None, enum_cls: type[E], field: str) -> list[E]:
    """Accept repeated parameters and comma-separated values: ``?status=new&status=assigned`` or ``new,assigned``."""
    result: list[E] = []
    for raw in values or []:
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                result.append(enum_cls(part))
            except ValueError:
                allowed = ", ".join(e.value for e in enum_cls)
                raise ValidationFailed(
                    _(
                        "Giá trị «{value}» không hợp lệ cho {field}; chọn một trong: {allowed}.",
                        value=part,
                        field=field,
                        allowed=allowed,
                    ),
                    field=field,
                ) from None
    return result


def case_filters(
    request: Request,
    status: Annotated[list[str] | None, Query(max_length=200)] = None,
    unit: Annotated[QueryText | None, Query(max_length=40)] = None,
    severity: Annotated[list[str] | None, Query()] = None,
    topic: Annotated[list[str] | None, Query()] = None,
    source_kind: Annotated[list[str] | None, Query()] = None,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
    received_from: Annotated[OptionalTimestamp, Query()] = None,
    received_to: Annotated[OptionalTimestamp, Query()] = None,
    assignee: Annotated[QueryText | None, Query(max_length=64)] = None,
    tag: Annotated[QueryText | None, Query(max_length=50)] = None,
    overdue: Annotated[bool | None, Query(description="true: the nearest running clock is past due")] = None,
    due_within_hours: Annotated[
        int | None, Query(ge=0, le=24 * 366, description="the nearest running clock falls due within N hours")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[QueryText | None, Query(max_length=500)] = None,
    sort: Annotated[
        CaseSort,
        Query(
            description="Order: -received_at (default), received_at, -updated_at, updated_at, or due (nearest "
            "running clock first, cases without one last)"
        ),
    ] = (CaseSort.RECEIVED_DESC),
    now: datetime = Depends(get_now),
) -> CaseFilters:
    return CaseFilters(
        status=_enum_list(status, CaseStatus, "status"),
        unit=unit or None,
        severity=_enum_list(severity, Severity, "severity"),
        topic=_enum_list(topic, Topic, "topic"),
        source_kind=_enum_list(source_kind, SourceKind, "source_kind"),
        q=q or None,
        received_from=received_from,
        received_to=received_to,
        assignee=assignee or None,
        tag=tag or None,
        overdue=overdue,
        due_within_hours=due_within_hours,
        now=now,
        limit=limit,
        cursor=unseal(request, cursor, f"cases:{sort.value}"),
        sort=sort,
    )


FiltersDep = Annotated[CaseFilters, Depends(case_filters)]


def _read(session: SessionDep, actor: Actor, reference: str, now: datetime) -> CaseRead:
    case = service.get_case(session, actor=actor, reference=reference)
    return service.case_read(session, actor=actor, case=case, now=now)


@router.post("/cases", response_model=CaseRead, status_code=201)
def create_case(
    session: SessionDep, actor: ActorDep, now: NowDep, body: CaseCreate, idem: StaffIdempotencyDep
) -> CaseRead:
    """Intake: log a new case. It starts as ``new`` with the next reference of the year (``VV-2026-00042``).
    Send an ``Idempotency-Key`` to retry safely after a time-out: the retry answers the same case."""
    case = service.open_case(session, actor=actor, data=body, now=now)
    return idem.answer(201, service.case_read(session, actor=actor, case=case, now=now))


@router.get("/cases", response_model=CasePage)
def list_cases(request: Request, session: SessionDep, actor: ActorDep, filters: FiltersDep) -> CasePage:
    """The cases the caller may see, newest received first (``sort=due``: nearest due clock first), with filters
    and cursor pagination. ``overdue=true`` keeps the cases whose nearest running clock is past due;
    ``due_within_hours=N`` those whose nearest running clock falls due between now and N hours from now."""
    cases, next_cursor = service.list_cases(session, actor=actor, filters=filters)
    return CasePage(
        items=service.case_reads(session, actor=actor, cases=cases, now=filters.now),
        next_cursor=seal(request, next_cursor, f"cases:{filters.sort.value}"),
    )


@router.get("/cases/{reference}", response_model=CaseRead)
def get_case(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> CaseRead:
    return _read(session, actor, reference, now)


@router.patch("/cases/{reference}", response_model=CaseRead)
def update_case(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: CaseUpdate) -> CaseRead:
    """Change a case's fields. The status is not a field: use ``/transitions``."""
    case = service.get_case(session, actor=actor, reference=reference)
    service.update_case(session, actor=actor, case=case, data=body, now=now)
    return service.case_read(session, actor=actor, case=case, now=now)


@router.post("/cases/{reference}/transitions", response_model=CaseRead)
def transition(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: TransitionIn) -> CaseRead:
    """Move the case along its lifecycle: ``assign`` (with ``lead_unit``), ``reassign``, ``accept``, ``hold``,
    ``resume``, ``close`` (with ``reason`` and ``note``), ``reopen``. 409 when the action is not allowed now."""
    case = service.get_case(session, actor=actor, reference=reference)
    service.apply_transition(session, actor=actor, case=case, body=body, now=now)
    return service.case_read(session, actor=actor, case=case, now=now)


@router.post("/cases/{reference}/notes", response_model=EventPage, status_code=201)
def add_note(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: NoteIn) -> EventPage:
    """Add an internal note to the timeline (never public). Returns the timeline."""
    case = service.get_case(session, actor=actor, reference=reference)
    service.add_note(session, actor=actor, case=case, text=body.text, now=now)
    return EventPage(items=service.list_events(session, case=case))


@router.get("/cases/{reference}/events", response_model=EventPage)
def events(session: SessionDep, actor: ActorDep, reference: Reference) -> EventPage:
    """The case's timeline, oldest first."""
    case = service.get_case(session, actor=actor, reference=reference)
    return EventPage(items=service.list_events(session, case=case))
