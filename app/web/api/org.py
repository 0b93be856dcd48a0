"""The organisation: units (public to staff), users and roles (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.org import service
from app.org.models import UnitCreate, UnitRead, UnitUpdate, UserCreate, UserRead, UserUpdate
from app.web.deps import ActorDep, HasherDep, NowDep, SessionDep

router = APIRouter(tags=["organisation"])

UnitCode = Annotated[str, Path(max_length=40)]
Username = Annotated[str, Path(max_length=64)]


@router.get("/units", response_model=list[UnitRead])
def list_units(session: SessionDep, actor: ActorDep) -> list[UnitRead]:
    codes = service.unit_codes(session)
    return [service.unit_read(u, codes) for u in service.list_units(session)]


@router.post("/units", response_model=UnitRead, status_code=201)
def create_unit(session: SessionDep, actor: ActorDep, now: NowDep, body: UnitCreate) -> UnitRead:
    unit = service.create_unit(session, actor=actor, data=body, now=now)
    return service.unit_read(unit, service.unit_codes(session))


@router.patch("/units/{code}", response_model=UnitRead)
def update_unit(session: SessionDep, actor: ActorDep, code: UnitCode, body: UnitUpdate) -> UnitRead:
    unit = service.update_unit(session, actor=actor, code=code, data=body)
    return service.unit_read(unit, service.unit_codes(session))


@router.get("/users", response_model=list[UserRead])
def list_users(session: SessionDep, actor: ActorDep) -> list[UserRead]:
    return service.list_users(session, actor=actor)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(session: SessionDep, hasher: HasherDep, actor: ActorDep, now: NowDep, body: UserCreate) -> UserRead:
    user = service.create_user(session, data=body, now=now, hasher=hasher, actor=actor)
    return service.user_read(session, user)


@router.patch("/users/{username}", response_model=UserRead)
def update_user(
    session: SessionDep, hasher: HasherDep, actor: ActorDep, username: Username, body: UserUpdate
) -> UserRead:
    user = service.update_user(session, actor=actor, username=username, data=body, hasher=hasher)
    return service.user_read(session, user)
