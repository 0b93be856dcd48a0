"""The public JSON API and Atom feed: an anonymous reader sees every published notice and nothing else."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.inquiries.models import InquiryCreate, InquiryNoticeLink, InquiryReceipt, InquiryStatusPublic
from app.notices.models import NoticePublicPage
from app.spokespersons.models import SpokespersonPublic
from tests.conftest import FIXED_NOW, Clock
from tests.factories import case_in_progress, make_case
from tests.statements.helpers import Api

ATOM = "{http://www.w3.org/2005/Atom}"
NOTICE_FIELDS = {
    "number", "slug", "notice_type", "year", "kind", "title", "text", "text_sha256", "published_at",
    "spokesperson", "case_reference", "topic", "answers", "refusal", "corrects", "withdraws", "withdrawn",
    "withdrawn_by", "corrected_by", "history", "attachments",
}  # fmt: skip


def test_public_schemas_are_pinned() -> None:
    assert set(NoticePublicPage.model_fields) == {"items", "next_cursor"}
    assert set(SpokespersonPublic.model_fields) == {"name", "title", "phone", "email", "capacity", "since"}
    assert set(InquiryCreate.model_fields) == {
        "outlet", "reporter_name", "press_card_number", "contact", "question", "reporter_deadline",
    }  # fmt: skip
    assert set(InquiryReceipt.model_fields) == {"code", "status"}
    assert set(InquiryStatusPublic.model_fields) == {"code", "status", "notice"}
    assert set(InquiryNoticeLink.model_fields) == {"number", "slug", "url"}


def test_every_published_notice_through_api_pages_and_feed(
    anon: TestClient, publish: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    first = publish("Sở đã kiểm tra việc thu phí.", outlet="Báo Tuổi Trẻ", topic="facilities_finance_tuition")
    clock.advance(minutes=5)
    second = publish("Kết quả kỳ thi được công bố đúng hạn.", kind="response", topic="education_quality")
    clock.advance(minutes=5)

    page = anon.get("/api/public/v1/notices")
    assert page.status_code == 200
    body = page.json()
    assert set(body) == {"items", "next_cursor"} and body["next_cursor"] is None
    assert [n["number"] for n in body["items"]] == [second["number"], first["number"]]  # newest first
    assert all(set(n) == NOTICE_FIELDS for n in body["items"])

    for notice in (first, second):
        for key in (notice["slug"], quote(notice["number"], safe="")):
            one = anon.get(f"/api/public/v1/notices/{key}")
            assert one.status_code == 200, key
            assert one.json()["number"] == notice["number"] and set(one.json()) == NOTICE_FIELDS
        html = anon.get(f"/notices/{notice['slug']}")
        assert html.status_code == 200 and notice["number"] in html.text and notice["text"] in html.text
        for shown in ("Võ Thanh Bình", "Chánh Văn phòng Sở", notice["case_reference"]):
            assert shown in html.text
    first_page = anon.get(f"/notices/{first['slug']}").text
    assert "27/11/2026 09:00" in first_page  # 02:00 UTC, shown in Hồ Chí Minh City time
    assert "Báo Tuổi Trẻ" in first_page and "Cơ sở vật chất, tài chính, học phí" in first_page

    feed = anon.get("/api/public/v1/notices.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        f"http://127.0.0.1:8000/notices/{second['slug']}", f"http://127.0.0.1:8000/notices/{first['slug']}",
    ]  # fmt: skip
    for entry in entries:  # what RFC 4287 requires of an entry
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated") and entry.find(f"{ATOM}author")
    assert entries[1].findtext(f"{ATOM}content") == first["text"]
    assert root.findtext(f"{ATOM}updated") and root.find(f"{ATOM}link[@rel='self']") is not None
    assert (root.findtext(f"{ATOM}subtitle") or "").startswith("Thông cáo, thông báo báo chí do người phát ngôn của")

    per_topic = ET.fromstring(anon.get("/api/public/v1/notices.atom?topic=education_quality").content)
    assert [e.findtext(f"{ATOM}id") for e in per_topic.findall(f"{ATOM}entry")] == [
        f"http://127.0.0.1:8000/notices/{second['slug']}"
    ]


def test_drafts_unpublished_cases_and_embargoes_are_404(
    anon: TestClient, staff: Api, session: Session, clock: Clock
) -> None:
    unpublished = make_case(session, by="office", now=FIXED_NOW, title="Vụ việc nội bộ chưa công bố")
    ref = case_in_progress(session, now=FIXED_NOW).reference
    draft = staff.draft(ref, text="Bản dự thảo mật.")
    approved = staff.draft(ref, kind="initial_information", text="Đã duyệt, hẹn giờ công bố.")
    staff.submit(approved["id"])
    staff.approve(approved["id"])
    embargoed = staff.publish(approved["id"], at=(clock.now.replace(second=0) + timedelta(minutes=5)).isoformat())

    for path in (
        f"/api/public/v1/notices/{draft['id']}",
        f"/api/public/v1/notices/{unpublished.reference}",
        f"/api/public/v1/notices/{embargoed['slug']}",
        f"/api/public/v1/notices/{quote(embargoed['number'], safe='')}",
        "/api/public/v1/cases/" + unpublished.reference,
    ):
        response = anon.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "NotFound"
    for path in (f"/notices/{draft['id']}", f"/notices/{unpublished.reference}", f"/notices/{embargoed['slug']}"):
        page = anon.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
    listing = anon.get("/api/public/v1/notices").json()
    assert listing["items"] == []
    for q in ("mật", "noi bo", unpublished.reference, "hẹn giờ"):
        assert anon.get("/api/public/v1/notices", params={"q": q}).json()["items"] == []
    assert anon.get("/api/public/v1/notices.atom").text.count("<entry>") == 0

    clock.advance(minutes=10)  # the embargo's minute has come: everywhere at once, the caches included
    assert anon.get(f"/api/public/v1/notices/{embargoed['slug']}").status_code == 200
    assert [n["slug"] for n in anon.get("/api/public/v1/notices").json()["items"]] == [embargoed["slug"]]
    assert anon.get(f"/api/public/v1/notices/{draft['id']}").status_code == 404


def test_nothing_internal_in_public_answers(anon: TestClient, staff: Api, session: Session) -> None:
    ref = case_in_progress(session, now=FIXED_NOW, outlet="VnExpress", summary="Tóm tắt nội bộ bí mật").reference
    statement = staff.draft(ref, text="Bản nháp đầu tiên.")
    staff.version(statement["id"], "Văn bản cuối cùng đã duyệt.")
    staff.ok(staff.post(f"/api/v1/statements/{statement['id']}/comments", "office", {"text": "Góp ý nội bộ"}), 201)
    staff.ok(staff.post(f"/api/v1/cases/{ref}/notes", "office", {"text": "Ghi chú nội bộ của Văn phòng"}), 201)
    staff.submit(statement["id"])
    staff.approve(statement["id"])
    notice = staff.publish(statement["id"])
    answers = [
        anon.get("/api/public/v1/notices").text,
        anon.get(f"/api/public/v1/notices/{notice['slug']}").text,
        anon.get("/api/public/v1/notices.atom").text,
        anon.get("/notices").text,
        anon.get(f"/notices/{notice['slug']}").text,
    ]
    assert all("Văn bản cuối cùng đã duyệt." in answers[i] for i in (0, 1, 2, 4))
    for text in answers:
        for secret in ("Bản nháp đầu tiên", "Góp ý nội bộ", "Ghi chú nội bộ", "Tóm tắt nội bộ", "Trần Minh Quân",
                       "Lê Thị Hồng Nhung", "GDTrH", "handler", "statement_id", "approval_id"):  # fmt: skip
            assert secret not in text


def test_search_with_and_without_diacritics(anon: TestClient, publish: Callable[..., dict[str, Any]]) -> None:
    fees = publish("Học phí năm học 2026–2027 giữ nguyên như năm trước.")
    violence = publish("Vụ bạo lực học đường tại Trường THCS Lê Lợi đã được xử lý.")
    cases = {
        "học phí": [fees], "hoc phi": [fees], "HỌC PHÍ": [fees], "Hoc Phi": [fees],
        "bạo lực": [violence], "bao luc": [violence], "truong thcs le loi": [violence],
        "học": [violence, fees], "hoc phi bao luc": [],
    }  # fmt: skip
    for q, expected in cases.items():
        got = anon.get("/api/public/v1/notices", params={"q": q}).json()["items"]
        assert [n["number"] for n in got] == [n["number"] for n in expected], q
    page = anon.get("/notices", params={"q": "bao luc"})
    assert violence["number"] in page.text and fees["number"] not in page.text
    for path in ("/api/public/v1/notices", "/notices"):  # a control character: a clear 422 on either database
        refused = anon.get(path, params={"q": "học\x00phí"}, headers={"Accept": "application/json"})
        assert refused.status_code == 422, (path, refused.text)
    assert anon.get("/api/public/v1/notices", params={"outlet": "a\x00"}).json()["fields"][0]["field"] == "outlet"


def test_filters_and_cursor_pages(
    anon: TestClient, staff: Api, publish: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    published = []
    for i in range(5):
        published.append(publish(f"Thông tin số {i}.", topic="education_quality" if i % 2 else "other",
                                 outlet="Báo Tuổi Trẻ" if i == 3 else None))  # fmt: skip
        clock.advance(hours=6)
        staff.relogin()
    numbers = [n["number"] for n in reversed(published)]
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = anon.get("/api/public/v1/notices", params=params).json()
        seen += [n["number"] for n in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == numbers

    def numbers_for(**params: Any) -> list[str]:
        response = anon.get("/api/public/v1/notices", params=params)
        assert response.status_code == 200, response.text
        return [n["number"] for n in response.json()["items"]]

    assert numbers_for(topic="education_quality") == [published[3]["number"], published[1]["number"]]
    assert numbers_for(kind="response") == numbers and numbers_for(kind="rebuttal") == []
    assert numbers_for(outlet="Báo Tuổi Trẻ") == [published[3]["number"]]
    # Local times: 27/11 09:00, 15:00, 21:00, then 28/11 03:00 and 09:00.
    assert numbers_for(since="2026-11-28", until="2026-11-28") == [published[4]["number"], published[3]["number"]]
    assert numbers_for(until="2026-11-27") == [n["number"] for n in reversed(published[:3])]
    assert numbers_for(since="2026-11-28T06:00:00+07:00") == [published[4]["number"]]
    for bad in ({"topic": "nope"}, {"since": "yesterday"}, {"limit": 0}, {"limit": 101}):
        response = anon.get("/api/public/v1/notices", params=bad)
        assert response.status_code == 422 and response.json()["error"] == "ValidationFailed", bad
    response = anon.get("/api/public/v1/notices", params={"cursor": "@@"})
    assert response.status_code == 400 and response.json()["field"] == "cursor"


def test_withdrawn_notice_stays_readable_with_its_history(
    anon: TestClient, staff: Api, session: Session, clock: Clock
) -> None:
    ref = case_in_progress(session, now=FIXED_NOW).reference
    original = staff.published(ref, text="Lịch thi được giữ nguyên.")
    clock.advance(minutes=30)
    withdrawal = staff.published(ref, kind="correction", text="Thu hồi thông báo về lịch thi.",
                                 corrects=original["slug"], withdraw=True)  # fmt: skip
    clock.advance(seconds=2)
    body = anon.get(f"/api/public/v1/notices/{original['slug']}").json()
    assert body["withdrawn"] is True and body["withdrawn_by"]["number"] == withdrawal["number"]
    assert [h["number"] for h in body["history"]] == [original["number"], withdrawal["number"]]
    page = anon.get(f"/notices/{original['slug']}")
    assert page.status_code == 200 and "Thông cáo này đã bị thu hồi" in page.text and "Lịch thi được giữ" in page.text
    assert withdrawal["number"] in page.text
    listed = anon.get("/api/public/v1/notices").json()["items"]
    assert [(n["number"], n["withdrawn"]) for n in listed] == [
        (withdrawal["number"], False),
        (original["number"], True),
    ]


def test_spokespersons(anon: TestClient, staff: Api) -> None:
    body = anon.get("/api/public/v1/spokespersons").json()
    assert [(p["name"], p["capacity"]) for p in body["items"]] == [
        ("Đặng Quốc Hưng", "director"), ("Võ Thanh Bình", "standing_spokesperson"),
    ]  # fmt: skip
    assert body["items"][1]["phone"] == "028 3829 1000"
    assert all(set(p) == {"name", "title", "phone", "email", "capacity", "since"} for p in body["items"])
    page = anon.get("/spokespersons")
    assert page.status_code == 200 and "Võ Thanh Bình" in page.text and "phatngon@sgddt.example.gov.vn" in page.text


def test_openapi_has_a_public_section_with_examples(anon: TestClient) -> None:
    spec = anon.get("/openapi.json").json()
    assert any(t["name"] == "public" for t in spec["tags"])
    public_paths = {p for p, ops in spec["paths"].items() if any("public" in o.get("tags", []) for o in ops.values())}
    assert public_paths == {
        "/api/public/v1/notices", "/api/public/v1/notices.atom", "/api/public/v1/notices/{number}",
        "/api/public/v1/spokespersons", "/api/public/v1/inquiries", "/api/public/v1/inquiries/{code}",
        "/api/public/v1/subscriptions", "/api/public/v1/information-requests",
        "/api/public/v1/attachments/{attachment_id}/content",
        "/api/public/v1/stories", "/api/public/v1/stories.atom", "/api/public/v1/stories/{story_id}",
    }  # fmt: skip
    listing = spec["paths"]["/api/public/v1/notices"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["example"]["items"]
    assert "429" in listing["responses"]
