"""The written inquiry for a browser: the form, its CSRF token, the status page, and what the edge does with them
(never cached; a POST counts against the inquiry limit, in the API's bucket)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.cases.models import Case
from app.cases.vocabulary import LegalTrigger, SourceKind
from app.cases.workflow import CaseStatus
from app.inquiries.models import Inquiry
from app.web.public.edge import INQUIRY_PAGE, classify
from app.web.public.inquiry_pages import FORM_COOKIE, signed
from tests.conftest import Clock
from tests.statements.helpers import Api
from tests.web.public.test_inquiries import BODY
from tests.web.staff.pages import untranslated

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r"/inquiries/(PV-[A-Z2-7]{24})$")


def open_form(browser: TestClient, **headers: str) -> tuple[str, Any]:
    page = browser.get("/inquiries/new", headers=headers)
    assert page.status_code == 200, page.text
    match = TOKEN.search(page.text)
    assert match is not None
    return match.group(1), page


def send(browser: TestClient, token: str | None, headers: dict[str, str] | None = None, **changes: str) -> Any:
    fields = {**BODY, **changes}
    if token is not None:
        fields["csrf_token"] = token
    return browser.post("/inquiries", data=fields, headers=headers, follow_redirects=False)


def inquiries_saved(session: Session) -> int:
    return session.exec(select(func.count(col(Inquiry.id)))).one()


def test_the_form_in_vietnamese_and_english(anon: TestClient) -> None:
    token, vi = open_form(anon)
    assert 'lang="vi"' in vi.text and "Gửi câu hỏi bằng văn bản" in vi.text
    for name in ("outlet", "reporter_name", "press_card_number", "contact", "question", "reporter_deadline"):
        assert f'<label for="f-{name}">' in vi.text and f'id="f-{name}" name="{name}"' in vi.text, name
    assert 'action="/inquiries"' in vi.text and 'action="/inquiries"' in vi.text.split('method="get"')[1]
    assert "<script" not in vi.text and "style=" not in vi.text  # the CSP allows neither
    cookie = vi.headers["set-cookie"]
    assert f"{FORM_COOKIE}={token}" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/inquiries" in cookie and "Secure" in cookie
    head = anon.head("/inquiries/new")
    assert head.status_code == 200 and head.content == b""  # like the other public pages
    _token, en = open_form(anon, Cookie="lang=en")
    assert 'lang="en"' in en.text and "Send a written inquiry" in en.text and "Press card number" in en.text
    assert untranslated(en.text) == []
    for path in ("/notices", "/spokespersons"):  # where a reporter finds it
        assert 'href="/inquiries/new"' in anon.get(path).text, path


def test_a_sent_inquiry_opens_a_new_case_and_shows_its_code(
    anon: TestClient, staff: Api, session: Session, clock: Clock
) -> None:
    token, _page = open_form(anon)
    deadline = (clock.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")  # what a datetime-local input sends
    sent = send(anon, token, reporter_deadline=deadline)
    assert sent.status_code == 303
    match = CODE.search(sent.headers["location"])
    assert match is not None
    code = match.group(1)
    inquiry = session.exec(select(Inquiry).where(Inquiry.code == code)).one()
    assert inquiry.reporter_deadline is not None and inquiry.press_card_number == BODY["press_card_number"]
    case = session.get(Case, inquiry.case_id)
    assert case is not None and case.status == CaseStatus.NEW and case.source_kind == SourceKind.PRESS_INQUIRY
    assert case.legal_trigger == LegalTrigger.PRESS_REQUEST and case.outlet == BODY["outlet"]

    page = anon.get(sent.headers["location"])
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'<p class="tracking-code" translate="no">{code}</p>' in page.text
    assert "Hãy giữ mã này" in page.text and "Đã tiếp nhận" in page.text
    api = anon.get(f"/api/public/v1/inquiries/{code}").json()
    assert api == {"code": code, "status": "received", "notice": None}
    lookup = anon.get("/inquiries", params={"code": f" {code.lower()} "}, follow_redirects=False)
    assert lookup.status_code == 303 and lookup.headers["location"] == f"/inquiries/{code}"
    assert anon.get("/inquiries", follow_redirects=False).headers["location"] == "/inquiries/new"


def test_errors_beside_the_fields_with_the_values_kept(anon: TestClient, session: Session, clock: Clock) -> None:
    token, _page = open_form(anon)
    past = (clock.now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    wrong = send(anon, token, outlet="", press_card_number="<thẻ>", question="ngắn", contact="Gọi 0903 000 111")
    assert wrong.status_code == 422
    text = wrong.text
    assert re.search(r'id="f-outlet"[^>]* aria-invalid="true" aria-describedby="[^"]*err-outlet"', text)
    assert '<p class="field-error" id="err-outlet">Không được để trống.</p>' in text
    assert 'id="err-press_card_number"' in text and "chữ cái không dấu, chữ Đ, chữ số, dấu cách" in text
    assert 'id="err-question"' in text and "Cần ít nhất 10 ký tự." in text
    assert 'id="err-contact"' not in text and 'value="Gọi 0903 000 111"' in text  # kept
    assert 'value="&lt;thẻ&gt;"' in text and ">ngắn</textarea>" in text
    assert TOKEN.search(text) is not None and TOKEN.search(text).group(1) == token  # type: ignore[union-attr]
    late = send(anon, token, reporter_deadline=past)
    assert late.status_code == 422 and 'id="err-reporter_deadline"' in late.text
    assert "Thời hạn phóng viên cần trả lời phải ở tương lai." in late.text
    english = send(anon, token, {"Cookie": f"lang=en; {FORM_COOKIE}={token}"}, question="short")
    assert english.status_code == 422 and "At least 10 characters" in english.text
    assert inquiries_saved(session) == 0


def test_a_post_without_a_valid_token_is_refused(app: FastAPI, anon: TestClient, session: Session) -> None:
    token, _page = open_form(anon)
    forged = "abc.def"
    tampered = token[:-1] + ("1" if token.endswith("0") else "0")  # one character of the signature changed
    for sent, cookie in ((None, token), ("", token), (tampered, token), (forged, forged)):
        refused = send(anon, sent, {"Cookie": f"{FORM_COOKIE}={cookie}"})
        assert refused.status_code == 403, (sent, cookie)
        assert refused.headers["content-type"].startswith("text/html") and "Biểu mẫu đã hết hạn" in refused.text
        assert BODY["question"] in refused.text  # the form again, with what was typed: nothing is lost
        again = re.search(r'name="csrf_token" value="([^"]+)"', refused.text)
        assert again and signed(app.state.settings, again.group(1))
    with TestClient(app, base_url="https://testserver") as stranger:  # the field alone, without our cookie
        assert send(stranger, token).status_code == 403
    assert inquiries_saved(session) == 0


def test_the_status_turns_answered_with_the_notice_link(anon: TestClient, staff: Api) -> None:
    token, _page = open_form(anon)
    status_url = send(anon, token).headers["location"]
    code = status_url.rsplit("/", 1)[1]
    case_ref = staff.get(f"/api/v1/inquiries/{code}", "office").json()["case_reference"]
    staff.ok(staff.post(f"/api/v1/cases/{case_ref}/transitions", "office", {"action": "assign", "lead_unit": "GDTrH"}))
    assert "Đang xử lý" in anon.get(status_url).text
    staff.ok(staff.post(f"/api/v1/cases/{case_ref}/transitions", "head", {"action": "accept"}))
    answer = staff.published(case_ref, text="Kết quả kiểm tra: nhà trường đã hoàn trả các khoản thu sai.")
    page = anon.get(status_url)  # at once: the page is not cached
    assert "Đã trả lời" in page.text and f'href="/notices/{answer["slug"]}"' in page.text
    assert answer["number"] in page.text
    for internal in (case_ref, "GDTrH", BODY["question"], BODY["contact"], BODY["press_card_number"], answer["text"]):
        assert internal not in page.text, internal
    english = anon.get(status_url, headers={"Cookie": "lang=en"})
    assert "Answered" in english.text and untranslated(english.text) == []


def test_an_unknown_code_is_the_public_404_page(anon: TestClient) -> None:
    for path in ("/inquiries/PV-AAAAAAAAAAAAAAAAAAAAAAAA", "/inquiries/garbage"):
        page = anon.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
        assert "Hãy kiểm tra lại mã theo dõi" in page.text and 'href="/inquiries/new"' in page.text
        assert page.headers["cache-control"] == "no-store" and "/staff/" not in page.text


def test_the_edge_never_caches_the_inquiry_pages(app: FastAPI, anon: TestClient) -> None:
    assert classify("/inquiries") == classify("/inquiries/new") == classify("/inquiries/PV-X") == INQUIRY_PAGE
    with TestClient(app, base_url="https://testserver") as other:
        mine, first = open_form(anon)
        theirs, second = open_form(other)
        assert mine != theirs and mine not in second.text and theirs not in first.text
        for page in (first, second):
            assert page.headers["cache-control"] == "no-store" and "etag" not in page.headers
        mine_again, _page = open_form(anon)
        assert mine_again == mine  # the visitor's own signed token, kept: two open tabs both work
        assert anon.get("/inquiries/new", headers={"If-None-Match": "*"}).status_code == 200
    assert not [key for key in app.state.public_cache.entries if key[0].startswith("/inquiries")]


def test_a_form_post_counts_against_the_inquiry_limit(make_app: Callable[..., FastAPI], staff: Api) -> None:
    app = make_app(rate_limit_enabled=True, rate_limit_read_burst=50, rate_limit_read_per_second=1,
                   rate_limit_inquiry_burst=2, rate_limit_inquiry_per_hour=6)  # fmt: skip
    address = ("203.0.113.7", 40000)
    with (
        TestClient(app, base_url="https://testserver", client=address) as browser,
        TestClient(app, base_url="https://testserver", client=address) as tool,
    ):
        token, _page = open_form(browser)
        assert tool.post("/api/public/v1/inquiries", json=BODY).status_code == 201  # the same bucket
        assert send(browser, token).status_code == 303
        refused = send(browser, token)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "600"
        assert refused.headers["content-type"].startswith("text/html")
        assert tool.post("/api/public/v1/inquiries", json=BODY).status_code == 429
        assert browser.get("/inquiries/new").status_code == 200  # reading is another bucket
        metrics = tool.get("/metrics").text
        assert 'route="/inquiries/{path}",status_class="4xx"' in metrics
