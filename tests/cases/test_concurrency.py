"""Races, with real commits on a database of their own: references stay unique and gap-free, and of two
racing transitions one wins and the other gets a clean 409."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cases import service
from app.cases.models import Case, CaseEvent
from app.cases.workflow import Action, CaseStatus, CloseReason
from app.db import make_engine, writer
from app.errors import Conflict
from app.main import create_app
from tests.conftest import FIXED_NOW, Clock, make_settings
from tests.factories import actor, make_case, standard_org, token

pytestmark = pytest.mark.isolated_db


@pytest.fixture
def real_engine(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url, pool_size=20, max_overflow=30)
    with Session(writer(engine)) as s:
        standard_org(s, FIXED_NOW)
        s.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def real_app(isolated_url: str, real_engine: Engine) -> FastAPI:
    return create_app(make_settings(isolated_url), engine=real_engine, clock=Clock())


def test_concurrent_intakes_get_distinct_consecutive_references(real_app: FastAPI, real_engine: Engine) -> None:
    n = 200 if real_engine.dialect.name == "postgresql" else 60
    with TestClient(real_app, base_url="https://testserver") as c:
        headers = token(c, "office")

    def intake(i: int) -> str:
        with TestClient(real_app, base_url="https://testserver") as client:
            response = client.post("/api/v1/cases", json={"title": f"Phản ánh số {i}", "source_kind": "social_media"},
                                   headers=headers)  # fmt: skip
            assert response.status_code == 201, response.text
            return str(response.json()["reference"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        references = list(pool.map(intake, range(n)))
    assert len(set(references)) == n
    assert sorted(references) == [f"VV-2026-{i:05d}" for i in range(1, n + 1)]


def test_racing_transitions_one_wins_one_conflicts(real_app: FastAPI, real_engine: Engine) -> None:
    with Session(writer(real_engine)) as s:
        reference = make_case(s, by="office", now=FIXED_NOW).reference
        s.commit()
    with TestClient(real_app, base_url="https://testserver") as c:
        headers = token(c, "office")
    racers = 8
    barrier = Barrier(racers)

    def assign(unit: str) -> int:
        with TestClient(real_app, base_url="https://testserver") as client:
            barrier.wait()
            response = client.post(f"/api/v1/cases/{reference}/transitions",
                                   json={"action": "assign", "lead_unit": unit}, headers=headers)  # fmt: skip
            assert response.status_code in (200, 409), response.text
            return response.status_code

    with ThreadPoolExecutor(max_workers=racers) as pool:
        codes = list(pool.map(assign, ["GDTrH", "GDTH"] * (racers // 2)))
    assert sorted(codes) == [200] + [409] * (racers - 1)
    with Session(real_engine) as s:
        case = s.exec(select(Case).where(Case.reference == reference)).one()
        transitions = s.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition")
        ).all()
        assert case.status == CaseStatus.ASSIGNED
        assert len(transitions) == 1


def test_a_stale_copy_cannot_overwrite_a_newer_status(real_engine: Engine) -> None:
    """The guarded UPDATE: a transition decided on an old read of the case fails with Conflict."""
    with Session(writer(real_engine), expire_on_commit=False) as s:
        case = make_case(s, by="office", now=FIXED_NOW)
        s.commit()
    with Session(writer(real_engine), expire_on_commit=False) as stale:
        stale_case = stale.exec(select(Case).where(Case.id == case.id)).one()
        stale.commit()  # the read is over; the form stays open in someone's browser
        with Session(writer(real_engine)) as other:
            fresh = other.exec(select(Case).where(Case.id == case.id)).one()
            service.transition_case(other, actor=actor(other, "office"), case=fresh, action=Action.ASSIGN,
                                    now=FIXED_NOW, lead_unit="GDTrH")  # fmt: skip
            other.commit()
        office = actor(stale, "office")
        stale_case.status = CaseStatus.NEW  # what the stale copy still believes
        with pytest.raises(Conflict):
            service.transition_case(stale, actor=office, case=stale_case, action=Action.CLOSE, now=FIXED_NOW,
                                    reason=CloseReason.NO_ACTION, note="x")  # fmt: skip
        stale.rollback()
    with Session(real_engine) as s:
        assert s.exec(select(Case.status).where(Case.id == case.id)).one() == CaseStatus.ASSIGNED
