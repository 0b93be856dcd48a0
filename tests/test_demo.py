"""The demo data: cases in every status, and behind the answered ones real statements, approvals and notices."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.cases.models import Case
from app.demo import CASES
from app.notices.models import Notice
from app.spokespersons.models import SpokespersonAppointment, SpokespersonAuthorisation
from app.spokespersons.service import current_spokespersons
from app.statements.models import Statement, StatementApproval
from app.statements.rules import MAIN_KINDS, StatementStatus
from tests.conftest import FIXED_NOW


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """These tests read the demo: the database that has it, loaded once per test process (each test rolls back)."""
    return demo_engine


def test_the_demo_has_real_statements_and_notices(session: Session) -> None:
    statuses = {c.title: c.status for c in session.exec(select(Case)).all()}
    assert statuses == {spec.title: spec.status for spec in CASES}

    appointment = session.exec(select(SpokespersonAppointment)).one()
    assert [p.capacity for p in current_spokespersons(session, FIXED_NOW)] == ["director", "standing_spokesperson"]
    assert appointment.ended_at is None
    grant = session.exec(select(SpokespersonAuthorisation)).one()
    assert grant.valid_until > FIXED_NOW

    notices = session.exec(select(Notice).order_by(col(Notice.published_at))).all()
    for notice_type in ("TC", "TB"):
        seqs = [n.seq for n in notices if n.notice_type == notice_type]
        assert seqs == list(range(1, len(seqs) + 1))  # numbered in publication order, no gaps
    for notice in notices:
        approval = session.get(StatementApproval, notice.approval_id)
        assert approval is not None and approval.voided_at is None
        assert notice.text_sha256 == approval.text_sha256 == hashlib.sha256(notice.text.encode()).hexdigest()
    assert {n.spokesperson_capacity for n in notices} == {"director", "standing_spokesperson", "authorised"}
    assert any(n.corrects_id for n in notices)

    # Every case past in_progress got there through its main statement.
    main = {s.case_id: s for s in session.exec(select(Statement)).all() if s.kind in MAIN_KINDS}
    expected = {"awaiting_approval": StatementStatus.SUBMITTED, "approved": StatementStatus.APPROVED,
                "published": StatementStatus.PUBLISHED}  # fmt: skip
    for case in session.exec(select(Case)).all():
        if case.status.value in expected:
            assert case.id is not None
            assert main[case.id].status == expected[case.status.value], case.title


def test_the_demo_ships_holding_statements_for_the_common_situations(session: Session) -> None:
    from app.answer_templates import service as answer_templates
    from tests.factories import actor

    office = actor(session, "office")
    templates = answer_templates.list_templates(session, actor=office)
    names = [t.name for t in templates]
    for situation in ("Tai nạn", "lộ đề thi", "Thu tiền trái quy định", "giáo viên vi phạm"):
        assert any(situation in name for name in names), situation
    assert {t.kind for t in templates} == {"initial_information"}
    case = session.exec(select(Case).where(col(Case.outlet).is_not(None), col(Case.lead_unit_id).is_not(None))).first()
    assert case is not None
    values = answer_templates.case_values(session, case=case, now=FIXED_NOW)
    text = answer_templates.filled_text(session, actor=office, case=case, template_id=templates[0].id or 0,
                                        kind=templates[0].kind, now=FIXED_NOW)  # fmt: skip
    assert case.reference in text and values["outlet"] in text and "[" not in text
