"""Cases: intake, list, read, update, transitions, notes, timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.auth.permissions import Actor
from app.cases import queries, reads, scope, service
from app.cases.events import list_events
from app.cases.models import CaseCreate, CasePage, CaseRead, CaseUpdate, EventPage, NoteIn, TransitionIn
from app.web.case_query import FiltersDep
from app.web.cursors import seal
from app.web.deps import ActorDep, NowDep, SessionDep
from app.web.idempotency import StaffIdempotencyDep
from app.web.json import model_json

router = APIRouter(tags=["cases"])

Reference = Annotated[
    str, Path(max_length=30, pattern=r"^[A-Za-z0-9-]+$", description="The case reference, e.g. VV-2026-00042")
]


def _read(session: SessionDep, actor: Actor, reference: str, now: datetime) -> CaseRead:
    case = scope.get_case(session, actor=actor, reference=reference)
    return reads.case_read(session, actor=actor, case=case, now=now)


@router.post("/cases", response_model=CaseRead, status_code=201)
def create_case(
    session: SessionDep, actor: ActorDep, now: NowDep, body: CaseCreate, idem: StaffIdempotencyDep
) -> CaseRead:
    """Intake: log a new case. It starts as ``new`` with the next reference of the year (``VV-2026-00042``).
    Send an ``Idempotency-Key`` to retry safely after a time-out: the retry answers the same case."""
    case = service.open_case(session, actor=actor, data=body, now=now, numbered=False)
    answer = reads.case_read(session, actor=actor, case=case, now=now)  # read before the counter row is locked
    if case.ref_seq < 0:  # provisional: number it last (a case routed at intake is numbered already)
        service.take_reference(session, case, now)
        answer = answer.model_copy(update={"reference": case.reference})
    return idem.answer(201, answer)


@router.get("/cases", response_model=CasePage)
def list_cases(request: Request, session: SessionDep, actor: ActorDep, filters: FiltersDep) -> Response:
    """The cases the caller may see, newest received first (``sort=due``: nearest due clock first), with filters
    and cursor pagination. ``overdue=true`` keeps the cases whose nearest running clock is past due;
    ``due_within_hours=N`` those whose nearest running clock falls due between now and N hours from now."""
    cases, next_cursor = queries.list_cases(session, actor=actor, filters=filters)
    page = CasePage(
        items=reads.case_reads(session, actor=actor, cases=cases, now=filters.now),
        next_cursor=seal(request, next_cursor, f"cases:{filters.sort.value}"),
    )
    return model_json(page)


@router.get("/cases/{reference}", response_model=CaseRead)
def get_case(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> CaseRead:
    return _read(session, actor, reference, now)


@router.patch("/cases/{reference}", response_model=CaseRead)
def update_case(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: CaseUpdate) -> CaseRead:
    """Change a case's fields. The status is not a field: use ``/transitions``."""
    case = scope.get_case(session, actor=actor, reference=reference)
    service.update_case(session, actor=actor, case=case, data=body, now=now)
    return reads.case_read(session, actor=actor, case=case, now=now)


@router.post("/cases/{reference}/transitions", response_model=CaseRead)
def transition(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: TransitionIn) -> CaseRead:
    """Move the case along its lifecycle: ``assign`` (with ``lead_unit``), ``reassign``, ``accept``, ``hold``,
    ``resume``, ``close`` (with ``reason`` and ``note``), ``reopen``. 409 when the action is not allowed now."""
    case = scope.get_case(session, actor=actor, reference=reference)
    service.apply_transition(session, actor=actor, case=case, body=body, now=now)
    return reads.case_read(session, actor=actor, case=case, now=now)


@router.post("/cases/{reference}/notes", response_model=EventPage, status_code=201)
def add_note(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: NoteIn) -> EventPage:
    """Add an internal note to the timeline (never public). Returns the timeline."""
    case = scope.get_case(session, actor=actor, reference=reference)
    service.add_note(session, actor=actor, case=case, text=body.text, now=now)
    return EventPage(items=list_events(session, case=case))


@router.get("/cases/{reference}/events", response_model=EventPage)
def events(session: SessionDep, actor: ActorDep, reference: Reference) -> EventPage:
    """The case's timeline, oldest first."""
    case = scope.get_case(session, actor=actor, reference=reference)
    return EventPage(items=list_events(session, case=case))
