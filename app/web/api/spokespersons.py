"""Spokesperson authority: the registry, the standing spokesperson's appointment, per-case authorisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.cases.scope import get_case
from app.spokespersons import service
from app.spokespersons.models import (
    AppointmentCreate,
    AppointmentEnd,
    AppointmentPage,
    AppointmentRead,
    AuthorisationCreate,
    AuthorisationPage,
    AuthorisationRead,
    AuthorisationRevoke,
    SpokespersonPage,
)
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep

router = APIRouter(tags=["spokespersons"])

Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]


@router.get("/spokespersons", response_model=SpokespersonPage)
def registry(session: SessionDep, actor: ActorDep, now: NowDep) -> SpokespersonPage:
    """The current spokespersons with their public contacts (what the public side shows)."""
    return SpokespersonPage(items=service.current_spokespersons(session, now))


@router.get("/spokespersons/appointments", response_model=AppointmentPage)
def list_appointments(session: SessionDep, actor: ActorDep, now: NowDep) -> AppointmentPage:
    """Every standing-spokesperson appointment, newest first, ended ones included."""
    rows = service.list_appointments(session, actor=actor)
    return AppointmentPage(items=service.appointment_reads(session, rows, now=now))


@router.post("/spokespersons/appointments", response_model=AppointmentRead, status_code=201)
def appoint(session: SessionDep, actor: ActorDep, now: NowDep, body: AppointmentCreate) -> AppointmentRead:
    """The director appoints (or replaces) the standing spokesperson; the one in force ends when it takes effect."""
    appointment = service.appoint_spokesperson(session, actor=actor, data=body, now=now)
    return service.appointment_reads(session, [appointment], now=now)[0]


@router.post("/spokespersons/appointments/{appointment_id}/end", response_model=AppointmentRead)
def end_appointment(
    session: SessionDep, actor: ActorDep, now: NowDep, appointment_id: IdPath, body: AppointmentEnd | None = None
) -> AppointmentRead:
    """The director ends an appointment now (without a successor)."""
    appointment = service.end_appointment(session, actor=actor, appointment_id=appointment_id,
                                          note=body.note if body else None, now=now)  # fmt: skip
    return service.appointment_reads(session, [appointment], now=now)[0]


@router.get("/cases/{reference}/authorisations", response_model=AuthorisationPage)
def list_authorisations(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> AuthorisationPage:
    """The written authorisations to speak on this case, oldest first."""
    case = get_case(session, actor=actor, reference=reference)
    rows = service.list_authorisations(session, actor=actor, case=case)
    return AuthorisationPage(items=service.authorisation_reads(session, rows, case=case, now=now))


@router.post("/cases/{reference}/authorisations", response_model=AuthorisationRead, status_code=201)
def grant(
    session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: AuthorisationCreate
) -> AuthorisationRead:
    """The director authorises one person in writing to speak on this case until an end date (``valid_until``,
    inclusive). Nobody else can authorise: no sub-delegation."""
    case = get_case(session, actor=actor, reference=reference)
    grant = service.grant_authorisation(session, actor=actor, case=case, data=body, now=now)
    return service.authorisation_reads(session, [grant], case=case, now=now)[0]


@router.post("/authorisations/{authorisation_id}/revoke", response_model=AuthorisationRead)
def revoke(
    session: SessionDep, actor: ActorDep, now: NowDep, authorisation_id: IdPath, body: AuthorisationRevoke
) -> AuthorisationRead:
    """The director revokes an authorisation now (with a reason): from then on it approves nothing."""
    grant, case = service.revoke_authorisation(session, actor=actor, authorisation_id=authorisation_id,
                                               reason=body.reason, now=now)  # fmt: skip
    return service.authorisation_reads(session, [grant], case=case, now=now)[0]
