"""The remaining duties of the legal table (shared/docs/legal.md §6.1) as rule-pack data, one named test each:
D8, D9, D12, D14 — and the rule packs cite their articles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.notices import publication
from app.rules.duties import registry_duties
from app.rules.packs import pack_by_code
from app.statements import service as statements
from app.statements.models import ApproveIn, Checklist, StatementCreate
from tests.conftest import FIXED_NOW, Clock
from tests.factories import actor, appoint_spokesperson, case_in_progress, standard_org, token
from tests.web.staff.pages import login


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    session.flush()


def _clocks(client: TestClient, reference: str) -> list[dict[str, object]]:
    answer = client.get(f"/api/v1/cases/{reference}/clocks", headers=token(client, "office"))
    assert answer.status_code == 200
    items: list[dict[str, object]] = answer.json()["items"]
    return items


def _intake(client: TestClient, trigger: str, **fields: object) -> str:
    body = {"title": "Vụ việc", "source_kind": "press_inquiry", "legal_trigger": trigger, **fields}
    answer = client.post("/api/v1/cases", headers=token(client, "office"), json=body)
    assert answer.status_code == 201, answer.text
    reference: str = answer.json()["reference"]
    return reference


def test_d8_an_overdue_press_forwarded_feedback_clock_says_the_press_may_escalate(
    client: TestClient, org: None, clock: Clock
) -> None:
    """Decree 237/2026 Art. 18.4: once the D6 (or D7) clock is overdue, the press may report it or publish."""
    reference = _intake(client, "press_forwarded_feedback", outlet="Báo Tuổi Trẻ")
    [d6] = [c for c in _clocks(client, reference) if c["origin"] == "statutory"]
    assert "Điều 18 khoản 4" not in str(d6["note"])  # not overdue yet
    clock.advance(days=30)
    [d6] = [c for c in _clocks(client, reference) if c["origin"] == "statutory"]
    assert d6["overdue"] is True
    assert "cơ quan báo chí có quyền" in str(d6["note"]) and "Nghị định 237/2026/NĐ-CP, Điều 18 khoản 4" in str(
        d6["note"]
    )
    pack = pack_by_code("decree-244-2026")
    assert pack is not None
    assert [a.key for a in pack.alerts_for("complaint_conclusion_to_press")] == ["press_may_escalate"]  # D7 too


def test_d9_a_new_spokespersons_contacts_are_due_on_the_portal_within_24_hours() -> None:
    """Decree 244/2026 Art. 3.3: a clock on the registry, met by its publication."""
    pack = pack_by_code("decree-244-2026")
    assert pack is not None
    [on_time] = registry_duties(pack, appointed_at=FIXED_NOW, published_at=FIXED_NOW + timedelta(minutes=5),
                                now=FIXED_NOW + timedelta(hours=1))  # fmt: skip
    assert on_time.basis == "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 3"
    assert (on_time.due_at, on_time.state) == (FIXED_NOW + timedelta(hours=24), "met_on_time")
    [late] = registry_duties(pack, appointed_at=FIXED_NOW, published_at=FIXED_NOW + timedelta(hours=30),
                             now=FIXED_NOW + timedelta(hours=30))  # fmt: skip
    assert late.state == "met_late"
    [waiting] = registry_duties(pack, appointed_at=FIXED_NOW, published_at=None, now=FIXED_NOW + timedelta(hours=25))
    assert waiting.state == "overdue"


def test_d9_the_registry_shows_whether_each_appointments_contacts_were_posted_within_24_hours(
    client: TestClient, session: Session, clock: Clock
) -> None:
    """Decree 244/2026 Art. 3.3 on the staff registry and in its API read: met, late, or due in …"""
    standard_org(session, FIXED_NOW)  # 27/11/2026 09:00 local
    appoint_spokesperson(session, now=FIXED_NOW, decision_date=FIXED_NOW.date() - timedelta(days=3))  # signed 24/11
    later = FIXED_NOW + timedelta(days=2)
    appoint_spokesperson(session, now=FIXED_NOW, decision_number="16/QĐ-SGDĐT", valid_from=later.isoformat())
    session.flush()

    def duties() -> list[dict[str, object]]:
        answer = client.get("/api/v1/spokespersons/appointments", headers=token(client, "office"))
        assert answer.status_code == 200, answer.text
        return [item["contacts_posted"] for item in answer.json()["items"]]

    scheduled, recorded_late = duties()  # newest first
    assert recorded_late["state"] == "met_late" and recorded_late["basis"] == "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 3"
    assert recorded_late["due_at"] == "2026-11-25T17:00:00Z"  # 24 h after the end of its signing day (local)
    assert recorded_late["posted_at"] == "2026-11-27T02:00:00Z"
    assert scheduled["state"] == "running" and scheduled["posted_at"] is None  # public from its start
    assert scheduled["due_at"] == "2026-11-30T02:00:00Z"

    login(client, "office")
    page = client.get("/staff/spokespersons")
    assert page.status_code == 200
    assert "Liên hệ công bố muộn: 27/11/2026 09:00, hạn 25/11/2026 24:00" in page.text
    assert "Liên hệ cần công bố: còn 3 ngày (hạn 30/11/2026 09:00)" in page.text

    clock.advance(days=2, hours=1)  # the scheduled appointment is in force: the registry shows its contacts
    scheduled, _ = duties()
    assert (scheduled["state"], scheduled["posted_at"]) == ("met_on_time", "2026-11-29T02:00:00Z")
    login(client, "office")  # the staff session of two days ago has expired
    assert "Liên hệ đã công bố trong 24 giờ (29/11/2026 09:00)" in client.get("/staff/spokespersons").text


def test_d12_a_signed_statement_is_issued_by_the_next_working_day(
    client: TestClient, session: Session, org: None, clock: Clock
) -> None:
    """Decree 30/2020 Art. 18.1: from approval (signature) to issue, the same day or the next working day."""
    case = case_in_progress(session, now=FIXED_NOW)
    office, director = actor(session, "office"), actor(session, "director")
    statement = statements.create_statement(
        session,
        actor=office,
        case=case,
        now=FIXED_NOW,
        data=StatementCreate.model_validate({"kind": "response", "text": "Trả lời."}),
    )
    statements.submit(session, actor=office, statement=statement, case=case, note=None, now=FIXED_NOW)
    checklist = Checklist(no_state_secret=True, no_private_data=True, no_pending_proceedings=True)
    statements.approve(session, actor=director, statement=statement, case=case, data=ApproveIn(checklist=checklist),
                       now=FIXED_NOW)  # fmt: skip
    session.flush()
    [issue] = [c for c in _clocks(client, case.reference) if c["origin"] == "document"]
    assert issue["basis"] == "Nghị định 30/2020/NĐ-CP, Điều 18 khoản 1"
    assert issue["due_at"] == "2026-12-01T00:00:00+07:00"  # approved Friday 27/11 → end of Monday 30/11
    assert issue["state"] == "running"
    publication.publish(session, actor=office, statement=statement, case=case, at=None,
                       now=FIXED_NOW + timedelta(hours=2), issuer="SGDĐT")  # fmt: skip
    session.flush()
    [issue] = [c for c in _clocks(client, case.reference) if c["origin"] == "document"]
    assert issue["state"] == "met_on_time"
    statutory = [c for c in _clocks(client, case.reference) if c["origin"] == "statutory"]
    assert all(c["basis"] != "Nghị định 30/2020/NĐ-CP, Điều 18 khoản 1" for c in statutory)  # apart from the press's


def test_d14_a_petition_outside_the_sos_competence_is_transferred_within_5_working_days(
    client: TestClient, org: None, clock: Clock
) -> None:
    """Decree 20/2008 Art. 9.1.d: transfer within 5 working days; closing the case as transferred meets it."""
    reference = _intake(client, "petition_outside_competence", source_kind="public_feedback")
    [transfer] = [c for c in _clocks(client, reference) if c["origin"] == "statutory"]
    assert transfer["basis"] == "Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d"
    assert transfer["due_at"] == "2026-12-05T00:00:00+07:00"  # Friday 27/11 + 5 working days → end of Friday 4/12
    clock.advance(days=3)
    closed = client.post(f"/api/v1/cases/{reference}/transitions", headers=token(client, "office"),
                         json={"action": "close", "reason": "transferred", "note": "Chuyển Sở Tư pháp."})  # fmt: skip
    assert closed.status_code == 200, closed.text
    [transfer] = [c for c in _clocks(client, reference) if c["origin"] == "statutory"]
    assert transfer["state"] == "met_on_time"


def test_every_pack_clock_cites_its_article() -> None:
    for code in ("decree-09-2017", "decree-244-2026"):
        pack = pack_by_code(code)
        assert pack is not None
        keys = {c.key: c.basis for c in pack.clocks}
        assert keys["citizen_information_first"] == keys["citizen_information_answer"] == \
            "Luật Tiếp cận thông tin 2016, Điều 30"  # fmt: skip
        assert keys["petition_transfer"] == "Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d"
        assert keys["signed_document_issued"] == "Nghị định 30/2020/NĐ-CP, Điều 18 khoản 1"
        assert all("Điều" in basis for basis in keys.values())
