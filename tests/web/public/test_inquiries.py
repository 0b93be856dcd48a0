"""Written inquiries: a tracking code, a public status that follows the case, and one answer for every reporter
linked to the same case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cases.models import Case
from app.cases.vocabulary import LegalTrigger, SourceKind
from app.cases.workflow import CaseStatus
from tests.conftest import Clock
from tests.statements.helpers import Api

BODY = {
    "outlet": "Báo Thanh Niên",
    "reporter_name": "Nguyễn Văn An",
    "press_card_number": "01234/BTN",
    "contact": "an.nguyen@thanhnien.example.vn",
    "question": "Đề nghị Sở cho biết kết quả kiểm tra việc thu các khoản ngoài học phí?",
}


def submit(anon: TestClient, **changes: Any) -> dict[str, Any]:
    response = anon.post("/api/public/v1/inquiries", json={**BODY, **changes})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "status"} and body["status"] == "received"
    return body


def status(anon: TestClient, code: str) -> dict[str, Any]:
    response = anon.get(f"/api/public/v1/inquiries/{code}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "status", "notice"}
    return body


def test_an_inquiry_turns_answered_with_the_notice_link(
    anon: TestClient, staff: Api, session: Session, clock: Clock
) -> None:
    deadline = (clock.now + timedelta(days=2)).isoformat()
    code = submit(anon, reporter_deadline=deadline)["code"]
    assert code.startswith("PV-") and len(code) == 27
    case_ref = staff.get(f"/api/v1/inquiries/{code}", "office").json()["case_reference"]
    case = session.exec(select(Case).where(Case.reference == case_ref)).one()
    assert case.status == CaseStatus.NEW and case.source_kind == SourceKind.PRESS_INQUIRY
    assert case.legal_trigger == LegalTrigger.PRESS_REQUEST and case.outlet == "Báo Thanh Niên"
    assert "01234/BTN" in case.summary and BODY["question"] in case.summary
    assert status(anon, code) == {"code": code, "status": "received", "notice": None}

    staff.ok(staff.post(f"/api/v1/cases/{case_ref}/transitions", "office", {"action": "assign", "lead_unit": "GDTrH"}))
    assert status(anon, code)["status"] == "being_handled"
    staff.ok(staff.post(f"/api/v1/cases/{case_ref}/transitions", "head", {"action": "accept"}))
    staff.published(case_ref, kind="initial_information", text="Sở đang xác minh.")
    assert status(anon, code)["status"] == "being_handled"  # a holding statement is not the answer
    answer = staff.published(case_ref, text="Kết quả kiểm tra: nhà trường đã hoàn trả các khoản thu sai.")
    got = status(anon, code)
    assert got["status"] == "answered"
    assert got["notice"] == {"number": answer["number"], "slug": answer["slug"],
                             "url": f"http://127.0.0.1:8000/notices/{answer['slug']}"}  # fmt: skip
    lower = anon.get(f"/api/public/v1/inquiries/{code.lower()}")
    assert lower.status_code == 200 and lower.headers["cache-control"] == "no-cache" and lower.headers["etag"]
    assert (
        anon.get(f"/api/public/v1/inquiries/{code}", headers={"If-None-Match": lower.headers["etag"]}).status_code
        == 304
    )


def test_linked_inquiries_all_get_the_one_answer(anon: TestClient, staff: Api, session: Session) -> None:
    first = submit(anon)["code"]
    second = submit(anon, outlet="Báo Tuổi Trẻ", reporter_name="Trần Thị Bình")["code"]
    third = submit(anon, outlet="VnExpress", reporter_name="Phạm Minh")["code"]
    main = staff.get(f"/api/v1/inquiries/{first}", "office").json()["case_reference"]
    own_second = staff.get(f"/api/v1/inquiries/{second}", "office").json()["case_reference"]
    for code in (second, third):
        linked = staff.ok(staff.post(f"/api/v1/inquiries/{code}/link", "office", {"reference": main}))
        assert linked["case_reference"] == main and linked["linked_by"]["username"] == "office"
    again = staff.post(f"/api/v1/inquiries/{second}/link", "office", {"reference": main})
    assert again.status_code == 409
    assert staff.case(own_second)["status"] == "closed" and staff.case(own_second)["close_reason"] == "duplicate"
    kinds = [e["kind"] for e in staff.events(main)]
    assert kinds.count("inquiry_linked") == 2
    assert "inquiry_moved" in [e["kind"] for e in staff.events(own_second)]
    listed = staff.ok(staff.get(f"/api/v1/cases/{main}/inquiries", "office"))["items"]
    assert [i["code"] for i in listed] == [first, second, third]

    staff.ok(staff.post(f"/api/v1/cases/{main}/transitions", "office", {"action": "assign", "lead_unit": "GDTrH"}))
    staff.ok(staff.post(f"/api/v1/cases/{main}/transitions", "head", {"action": "accept"}))
    answer = staff.published(main, text="Trả lời chung cho các cơ quan báo chí.")
    for code in (first, second, third):
        got = status(anon, code)
        assert got["status"] == "answered" and got["notice"]["number"] == answer["number"]


def test_only_the_press_office_links(anon: TestClient, staff: Api) -> None:
    code = submit(anon)["code"]
    other = submit(anon)["code"]
    target = staff.get(f"/api/v1/inquiries/{other}", "office").json()["case_reference"]
    assert staff.post(f"/api/v1/inquiries/{code}/link", "handler", {"reference": target}).status_code in (403, 404)
    assert staff.post(f"/api/v1/inquiries/{code}/link", "office", {"reference": "VV-2026-99999"}).status_code == 404
    assert staff.post("/api/v1/inquiries/PV-AAAAAAAAAAAAAAAAAAAAAAAA/link", "office",
                      {"reference": target}).status_code == 404  # fmt: skip


def test_inquiry_input_is_checked(anon: TestClient, clock: Clock, staff: Api) -> None:
    for changes in ({"question": "ngắn"}, {"contact": ""}, {"press_card_number": "<script>"}, {"outlet": ""},
                    {"reporter_deadline": (clock.now - timedelta(hours=1)).isoformat()},
                    {"question": "Câu hỏi có ký tự \x00 điều khiển"}):  # fmt: skip
        response = anon.post("/api/public/v1/inquiries", json={**BODY, **changes})
        assert response.status_code == 422, changes
        assert response.json()["error"] == "ValidationFailed"
    for missing in BODY:
        assert (
            anon.post("/api/public/v1/inquiries", json={k: v for k, v in BODY.items() if k != missing}).status_code
            == 422
        )
    for code in ("PV-AAAAAAAAAAAAAAAAAAAAAAAA", "garbage", "VV-2026-00001"):
        assert anon.get(f"/api/public/v1/inquiries/{code}").status_code == 404
