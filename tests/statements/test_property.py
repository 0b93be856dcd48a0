"""Property: whatever random actions random people take, no published notice carries a text that was not approved,
as it stands, by someone who held spokesperson authority for that case at the moment of approval.

A Hypothesis state machine walks the HTTP API at random: draft (response, refusal, initial information,
correction), add versions (also after approval), submit, return, approve (with and without the checklist), publish
now or at a later minute, appoint or end the standing spokesperson, grant or revoke per-case authorisations, let
time pass; on three cases (one judged under Decree 244/2026, one under Decree 09/2017, one of another unit).
Each step is taken by a random staff member one time in four, by its natural actor otherwise, so that walks do
reach publication while a good share of the attempts must be refused (any answer but 2xx/403/404/409/422 fails).
After each walk, every notice is checked against an oracle written here from the law (legal.md §1A Điều 3, §1B),
independent of ``spokespersons/rules.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sqlalchemy import Connection
from sqlmodel import Session, select

from app.auth.permissions import Role
from app.cases.models import Case
from app.notices.models import Notice
from app.org.models import RoleAssignment
from app.spokespersons.models import SpokespersonAppointment, SpokespersonAuthorisation
from app.statements.models import Statement, StatementApproval, StatementVersion
from app.statements.rules import StatementStatus
from app.timeutil import local_date, to_local
from tests.conftest import FIXED_NOW, Clock
from tests.factories import appoint_spokesperson, case_in_progress, make_user, standard_org
from tests.statements.helpers import CHECKLIST, Api

ACTORS = ("handler", "head", "office", "spokesperson", "spokesperson2", "director", "handler2", "head2")
# Who would naturally take each step (varied by the step's small integer, so every capacity gets exercised).
NATURAL: dict[str, tuple[str, ...]] = {
    "draft_main": ("handler", "office"), "draft_refusal": ("head", "office"), "draft_initial": ("office", "handler"),
    "draft_correction": ("office",), "version": ("office", "handler"), "revise": ("office",),
    "submit": ("office", "head"), "return": ("spokesperson", "director"),
    "approve": ("spokesperson", "director", "spokesperson2", "head"), "approve_unchecked": ("spokesperson",),
    "publish": ("office",), "publish_later": ("office",), "appoint": ("director",), "end_appointment": ("director",),
    "authorise": ("director",), "revoke": ("director",), "advance": ("director",),
}  # fmt: skip
ALLOWED_STATUSES = {200, 201, 403, 404, 409, 422}
APPLIES_TO = {
    "version": {"draft", "returned"}, "revise": {"approved"}, "submit": {"draft", "returned"}, "return": {"submitted"},
    "approve": {"submitted"}, "approve_unchecked": {"submitted"}, "publish": {"approved"},
    "publish_later": {"approved"},
}  # fmt: skip
SWITCH = datetime(2026, 7, 1).date()

WHO = st.sampled_from(("@",) * 3 * len(ACTORS) + ACTORS)  # the natural actor 3 times in 4, anyone else 1 in 4
N = st.integers(0, 5)


class World:
    """The state of one example: the API, the cases, what was created so far."""

    def __init__(self, api: Api, clock: Clock, cases: list[str]) -> None:
        self.api = api
        self.clock = clock
        self.cases = cases
        self.statements: list[int] = []
        self.status: dict[int, str] = {}
        self.notices: list[str] = []
        self.counter = 0

    def pick(self, items: list[Any], n: int, *, newest: bool = True) -> Any:
        """Half the time the newest item (so that steps chain on one statement), else one by index."""
        if not items:
            return None
        return items[-1 if newest else 0] if n < 3 else items[n % len(items)]

    def target(self, action: str, n: int) -> int | None:
        """A statement on which the step makes sense by its status (else any): random walks then reach
        publication, while who acts stays random."""
        wanted = APPLIES_TO.get(action, set())
        candidates = [sid for sid in self.statements if self.status[sid] in wanted] or self.statements
        return self.pick(candidates, n)

    def has(self, action: str) -> bool:
        return any(self.status[sid] in APPLIES_TO[action] for sid in self.statements)

    def text(self) -> str:
        self.counter += 1
        return f"Nội dung phát ngôn số {self.counter}."

    def run(self, action: str, who: str, n: int) -> int | None:
        natural = NATURAL[action]
        api, who = self.api, natural[n % len(natural)] if who == "@" else who
        self.clock.advance(seconds=1)  # time passes between two acts: "at that moment" is never ambiguous
        case = self.pick(self.cases, n, newest=False)
        sid = self.target(action, n)
        if action == "advance":
            self.clock.advance(hours=3 * n + 1)
            api.relogin()
            return None
        if action in ("draft_main", "draft_refusal", "draft_initial", "draft_correction"):
            kind = {"draft_main": "response", "draft_refusal": "refusal", "draft_initial": "initial_information",
                    "draft_correction": "correction"}[action]  # fmt: skip
            body: dict[str, Any] = {"kind": kind, "text": self.text()}
            if action == "draft_refusal":
                body |= {"refusal_ground": "proceedings_pending", "refusal_reason": "Chưa có kết luận thanh tra."}
            if action == "draft_correction":
                body |= {"corrects": self.pick(self.notices, n) or "2026-tc-1", "withdraw": n % 2 == 1}
            response = api.post(f"/api/v1/cases/{case}/statements", who, body)
            if response.status_code == 201:
                self.statements.append(response.json()["id"])
                self.status[response.json()["id"]] = "draft"
            return response.status_code
        if action == "appoint":
            body = {
                "username": "spokesperson" if n % 2 else "spokesperson2",
                "title": "Người phát ngôn",
                "phone": "028 3829 1000",
                "email": "pn@sgddt.example.gov.vn",
                "decision_number": f"{n}/QĐ-SGDĐT",
                "decision_date": local_date(self.clock.now).isoformat(),
            }
            if n == 5:
                body["valid_from"] = (self.clock.now + timedelta(hours=n)).isoformat()
            return api.post("/api/v1/spokespersons/appointments", who, body).status_code
        if action == "end_appointment":
            items = api.ok(api.get("/api/v1/spokespersons/appointments", "office"))["items"]
            live = [a for a in items if a["in_force"]]
            target = live[0]["id"] if live else 999999
            return api.post(f"/api/v1/spokespersons/appointments/{target}/end", who).status_code
        if action == "authorise":
            until = local_date(self.clock.now + timedelta(days=n % 3)).isoformat()
            body = {"username": ("head", "handler", "spokesperson2", "head2", "spokesperson")[n % 5],
                    "number": f"{n}/GUQ-SGDĐT", "signed_on": local_date(self.clock.now).isoformat(),
                    "valid_until": until, "deputy": n % 2 == 0}  # fmt: skip
            return api.post(f"/api/v1/cases/{case}/authorisations", who, body).status_code
        if action == "revoke":
            items = api.ok(api.get(f"/api/v1/cases/{case}/authorisations", "office"))["items"]
            live = [g for g in items if g["in_force"]]
            target = live[0]["id"] if live else 999999
            return api.post(f"/api/v1/authorisations/{target}/revoke", who, {"reason": "Thu hồi."}).status_code
        if sid is None:
            return None
        if action in ("version", "revise"):  # revise: a new version of an approved text (voids the approval)
            response = api.post(f"/api/v1/statements/{sid}/versions", who, {"text": self.text()})
        elif action == "submit":
            response = api.post(f"/api/v1/statements/{sid}/submit", who)
        elif action == "return":
            response = api.post(f"/api/v1/statements/{sid}/return", who, {"comment": "Sửa lại."})
        elif action == "approve":
            response = api.post(f"/api/v1/statements/{sid}/approve", who, CHECKLIST)
        elif action == "approve_unchecked":
            checklist = {**CHECKLIST["checklist"], "no_private_data": False}
            response = api.post(f"/api/v1/statements/{sid}/approve", who, {"checklist": checklist})
        else:
            later = action == "publish_later"
            body = {"at": (self.clock.now + timedelta(minutes=10 * (n + 1))).isoformat()} if later else {}
            response = api.post(f"/api/v1/statements/{sid}/publish", who, body or None)
            if response.status_code == 200:
                self.notices.append(response.json()["slug"])
                self.status[sid] = "published"
            return response.status_code
        if response.status_code in (200, 201):
            self.status[sid] = response.json()["status"]
        return response.status_code


def _held_authority(session: Session, approval: StatementApproval, case: Case) -> bool:
    """The oracle: did the approver hold spokesperson authority for this case when approving?"""
    at = approval.approved_at
    new_rules = to_local(case.received_at).date() >= SWITCH
    roles = set(session.exec(select(RoleAssignment.role).where(RoleAssignment.user_id == approval.approver_id)).all())
    if approval.capacity == "director":
        return Role.DIRECTOR in roles
    if approval.capacity == "standing_spokesperson":
        a = session.get(SpokespersonAppointment, approval.appointment_id)
        return (new_rules and a is not None and a.user_id == approval.approver_id and a.valid_from <= at
                and all(end is None or at < end for end in (a.valid_until, a.ended_at)))  # fmt: skip
    if approval.capacity == "authorised":
        g = session.get(SpokespersonAuthorisation, approval.authorisation_id)
        return (g is not None and g.user_id == approval.approver_id and g.case_id == case.id
                and g.valid_from <= at < g.valid_until and (g.revoked_at is None or at < g.revoked_at)
                and (new_rules or g.deputy))  # fmt: skip  # Decree 09/2017: only a deputy is authorised
    return False


def check_invariant(session: Session) -> int:
    session.expire_all()
    notices = session.exec(select(Notice)).all()
    for notice in notices:
        statement = session.get(Statement, notice.statement_id)
        approval = session.get(StatementApproval, notice.approval_id)
        version = session.get(StatementVersion, notice.version_id)
        case = session.get(Case, notice.case_id)
        assert statement is not None and approval is not None and version is not None and case is not None
        assert statement.status == StatementStatus.PUBLISHED
        assert approval.voided_at is None, notice.number
        assert approval.statement_id == statement.id and approval.version_id == version.id
        assert version.number == statement.current_version  # nothing was added after publication
        digest = hashlib.sha256(notice.text.encode()).hexdigest()
        assert notice.text == version.text
        assert digest == notice.text_sha256 == approval.text_sha256 == version.text_sha256
        assert approval.approved_at <= notice.issued_at <= notice.published_at
        assert _held_authority(session, approval, case), (notice.number, approval.capacity)
    # Authority records are never changed retroactively, so "at that moment" stays checkable.
    for a in session.exec(select(SpokespersonAppointment)).all():
        assert a.ended_at is None or a.ended_at >= a.created_at
    for g in session.exec(select(SpokespersonAuthorisation)).all():
        assert g.revoked_at is None or g.revoked_at >= g.created_at
    return len(notices)


class Walk(RuleBasedStateMachine):
    """One random walk. Rules whose target does not exist yet are not drawn (preconditions), so walks reach
    approval and publication; who acts is random, so most steps are also attempts that must be refused."""

    world: World
    check: Callable[[], int]

    @rule(who=WHO, n=N, kind=st.sampled_from(("draft_main", "draft_refusal", "draft_initial")))
    def draft(self, who: str, n: int, kind: str) -> None:
        self.step(kind, who, n)

    @rule(n=N, kind=st.sampled_from(("draft_initial", "draft_main", "draft_refusal")), later=st.booleans())
    def whole_path(self, n: int, kind: str, later: bool) -> None:
        """Draft, submit, approve and publish in a row by the natural actors (any step may still be refused:
        the approver of the day may hold no authority, the case may not allow it)."""
        self.step(kind, "@", n)
        for action in ("submit", "approve", "publish_later" if later else "publish"):
            self.step(action, "@", n)

    @precondition(lambda self: bool(self.world.notices))
    @rule(who=WHO, n=N)
    def draft_correction(self, who: str, n: int) -> None:
        self.step("draft_correction", who, n)

    @precondition(lambda self: self.world.has("version"))
    @rule(who=WHO, n=N)
    def version(self, who: str, n: int) -> None:
        self.step("version", who, n)

    @precondition(lambda self: self.world.has("submit"))
    @rule(who=WHO, n=N)
    def submit(self, who: str, n: int) -> None:
        self.step("submit", who, n)

    @precondition(lambda self: self.world.has("approve"))
    @rule(who=WHO, n=N, action=st.sampled_from(("approve", "approve", "approve_unchecked", "return")))
    def review(self, who: str, n: int, action: str) -> None:
        self.step(action, who, n)

    @precondition(lambda self: self.world.has("publish"))
    @rule(who=WHO, n=N, action=st.sampled_from(("publish", "publish", "publish_later", "revise")))
    def publish(self, who: str, n: int, action: str) -> None:
        self.step(action, who, n)

    @rule(who=WHO, n=N, action=st.sampled_from(("appoint", "end_appointment", "authorise", "authorise", "revoke",
                                                 "advance")))  # fmt: skip
    def authority_and_time(self, who: str, n: int, action: str) -> None:
        self.step(action, who, n)

    def step(self, action: str, who: str, n: int) -> None:
        status = self.world.run(action, who, n)
        assert status is None or status in ALLOWED_STATUSES, (action, who, n, status)

    def teardown(self) -> None:
        self.published = self.check()


@pytest.fixture
def base(connection: Connection) -> list[str]:
    """The organisation, an appointed spokesperson and three cases, built once for all the walks of a run:
    a case under the 2026 rules and one under the 2017 rules (Phòng GDTrH), and one of Phòng GDTH."""
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        standard_org(session, FIXED_NOW)
        make_user(session, "spokesperson2", (Role.SPOKESPERSON, "VP"), now=FIXED_NOW)
        appoint_spokesperson(session, now=FIXED_NOW)
        old = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)
        cases = [
            case_in_progress(session, now=FIXED_NOW).reference,
            case_in_progress(session, now=FIXED_NOW, received_at=old).reference,
            case_in_progress(session, now=FIXED_NOW, unit="GDTH").reference,
        ]
        session.commit()
    return cases


def test_no_notice_without_authorised_approval_of_its_exact_text(client: TestClient, connection: Connection,
                                                                  clock: Clock, base: list[str]) -> None:  # fmt: skip
    totals: list[int] = []

    def check() -> int:
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
            return check_invariant(session)

    class IsolatedWalk(Walk):
        def __init__(self) -> None:
            super().__init__()
            clock.set(FIXED_NOW)
            self.savepoint = connection.begin_nested()  # each walk starts from the base, leaves nothing behind
            self.world = World(Api(client), clock, base)
            self.check = check

        def teardown(self) -> None:
            try:
                super().teardown()
                totals.append(self.published)
            finally:
                self.savepoint.rollback()

    run_state_machine_as_test(
        IsolatedWalk,
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]),
    )  # fmt: skip
    assert sum(totals) >= 8, totals  # the walks did publish: the property was really exercised
