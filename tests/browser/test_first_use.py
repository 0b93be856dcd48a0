"""What a first real use found (issue 12 §4), in Chromium: the notices' search form submitted as a person does (its
empty "all" choices), the main pages on a 390 px phone (screenshots kept as test artifacts), dates typed and read
dd/mm/yyyy 24-hour in an English-language browser, the confirmation before publishing, the approval checklist
checked in the browser first. The HTTP side of the same fixes: ``tests/web/staff/test_first_use.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, FloatRect, Page, ViewportSize, expect

from tests.browser.conftest import SCREENSHOTS, Site
from tests.browser.test_staff_flow import log_in
from tests.statements.helpers import Api

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
PHONE_SHOTS = SCREENSHOTS / "phone-390"
NOTICE_TEXT = "Sở Giáo dục và Đào tạo thông tin về học phí năm học 2026-2027: mức thu giữ nguyên như năm trước."


@dataclass
class Published:
    reference: str
    slug: str
    statement_id: int


def _api(site: Site) -> Iterator[Api]:
    with httpx.Client(base_url=site.base_url, timeout=30) as client:
        yield Api(client)


def _case(api: Api, title: str) -> str:
    """A case logged and routed in one step (issue 12 §4.5), accepted by the unit head: ready for statements."""
    case = api.ok(api.post("/api/v1/cases", "office", {"title": title, "source_kind": "press_inquiry",
                                                       "topic": "facilities_finance_tuition", "outlet": "Báo Tuổi Trẻ",
                                                       "legal_trigger": "press_request", "lead_unit": "GDTrH",
                                                       "route": True}), 201)  # fmt: skip
    reference: str = case["reference"]
    api.ok(api.post(f"/api/v1/cases/{reference}/transitions", "head", {"action": "accept"}))
    return reference


@pytest.fixture(scope="module")
def published(site: Site) -> Iterator[Published]:
    """A published notice on học phí (for the public pages) through the API."""
    for api in _api(site):
        reference = _case(api, "Phóng viên hỏi về học phí năm học mới")
        notice = api.published(reference, text=NOTICE_TEXT)
        statement = api.ok(api.get(f"/api/v1/cases/{reference}/statements", "office"))["items"][0]
        yield Published(reference, notice["slug"], int(statement["id"]))


@pytest.fixture
def phone(chromium: Browser, site: Site) -> Iterator[Page]:
    """A phone-sized window in an English-language browser (its own date formats would be mm/dd/yyyy, AM/PM)."""
    context = chromium.new_context(base_url=site.base_url, viewport=PHONE, locale="en-US",
                                   timezone_id="Asia/Ho_Chi_Minh", device_scale_factor=1)  # fmt: skip
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def english_browser(chromium: Browser, site: Site) -> Iterator[Page]:
    """A laptop window whose browser speaks American English and sits in another time zone."""
    context = chromium.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 900}, locale="en-US",
                                   timezone_id="America/New_York")  # fmt: skip
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> Path:
    PHONE_SHOTS.mkdir(parents=True, exist_ok=True)
    path = PHONE_SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_the_screen(page: Page) -> bool:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"] + 1


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


# --- §4.1: the public search form, submitted as a person does -------------------------------------------------


def test_the_notices_search_form_as_a_person_submits_it(page: Page, published: Published) -> None:
    page.goto("/notices")
    page.fill("#f-q", "hoc phi")  # without diacritics
    page.locator("form[role=search] .search-row button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/notices\?q=hoc\+phi&topic=&kind=&outlet=&since=&until="))
    expect(page.locator("h1")).to_have_text("Thông cáo báo chí và thông báo của Sở")
    expect(page.locator(".notice-list")).to_contain_text("Phóng viên hỏi về học phí năm học mới")
    # The folded filters, with their "Tất cả" choices and a date typed day first.
    page.locator("#more-filters summary").click()
    page.select_option("#f-kind", "response")
    page.fill("#f-since", "01/11/2026")
    page.locator("#more-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"kind=response&outlet=&since=01%2F11%2F2026&until="))
    expect(page.locator(".notice-list")).to_contain_text("Phóng viên hỏi về học phí năm học mới")
    expect(page.locator("#f-since")).to_have_value("01/11/2026")
    expect(page.locator("#more-filters")).to_have_attribute("open", "")  # a folded filter in use stays shown


# --- §4.2: phones ---------------------------------------------------------------------------------------------


def test_the_main_pages_on_a_phone(phone: Page, published: Published, site: Site) -> None:
    page = phone
    shots: list[Path] = []

    page.goto("/notices")
    expect(page.locator("#more-filters")).not_to_have_attribute("open", "")  # the filters are folded
    assert box(page, ".notice-row")["y"] < PHONE["height"]  # the first notice is on the first screen
    shots.append(shot(page, "public-notices"))
    assert fits_the_screen(page)

    page.goto(f"/notices/{published.slug}")
    hash_box = box(page, ".notice-page code")
    assert hash_box["x"] + hash_box["width"] <= PHONE["width"]  # the SHA-256 wraps
    shots.append(shot(page, "public-notice"))
    assert fits_the_screen(page)

    page.goto("/inquiries/new")
    shots.append(shot(page, "public-inquiry-form"))
    assert fits_the_screen(page)

    log_in(page, "office")
    shots.append(shot(page, "staff-home-press-office"))
    assert fits_the_screen(page)
    statement = f"/staff/statements/{published.statement_id}"
    for name, url in (("staff-case-list", "/staff/cases"), ("staff-intake", "/staff/cases/new"),
                      ("staff-reports", "/staff/reports"), ("staff-statement", statement)):  # fmt: skip
        page.goto(url)
        shots.append(shot(page, name))
        assert fits_the_screen(page), url

    page.goto(f"/staff/cases/{published.reference}")
    label, value = box(page, "#summary .facts dt"), box(page, "#summary .facts dd")
    assert value["width"] >= 300 and label["width"] >= 300  # one column: the value gets the whole width
    shots.append(shot(page, "staff-case"))
    assert fits_the_screen(page)
    page.locator("form.logout button").click()

    log_in(page, "head2")  # the unit of the crisis case: its worklist has a running 24-hour clock
    countdown = page.locator(".countdown").first
    expect(countdown).to_be_visible()
    found = countdown.bounding_box()
    assert found is not None and found["x"] + found["width"] <= PHONE["width"]  # not off-screen
    shots.append(shot(page, "staff-home-unit-worklist"))
    assert fits_the_screen(page)
    print(f"\nscreenshots at 390 px: {PHONE_SHOTS} ({len(shots)} files)")  # noqa: T201  (where the artifacts are)
    assert all(p.exists() for p in shots)


# --- §4.3: dates in an English-language browser ---------------------------------------------------------------


def test_dates_in_an_english_browser(english_browser: Page) -> None:
    page = english_browser
    log_in(page, "office")
    page.goto("/staff/cases/new")
    received = page.locator("#f-received_at")
    expect(received).to_have_attribute("type", "text")
    expect(received).to_have_attribute("placeholder", "dd/mm/yyyy HH:MM")
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", received.input_value())  # 24-hour, day first
    page.select_option("#f-source_kind", "press_inquiry")
    page.fill("#f-title", "Phóng viên hỏi về lịch thi học kỳ")
    received.fill("03/11/2026 14:30")  # 3 November, 2:30 pm: read day first whatever the browser's language
    page.fill("#f-occurred_at", "02/11/2026 21:05")
    page.select_option("#f-lead_unit", "GDTrH")  # routes in the same step (§4.5)
    page.locator("form.case-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/cases/VV-\d{4}-\d{5}\?done=created$"))
    summary = page.locator("#summary")
    expect(summary).to_contain_text("03/11/2026 14:30")
    expect(summary).to_contain_text("02/11/2026 21:05")
    expect(page.locator(".case-head")).to_contain_text("Đã chuyển đơn vị")
    expect(page.locator("#timeline .event")).to_have_count(1)  # one event: logged and routed

    page.goto("/staff/reports")
    expect(page.locator("#f-from")).to_have_attribute("placeholder", "dd/mm/yyyy")
    page.fill("#f-from", "01/11/2026")
    page.fill("#f-to", "30/11/2026")
    page.locator("form.period-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"from=01%2F11%2F2026&to=30%2F11%2F2026"))
    expect(page.locator("#f-from")).to_have_value("01/11/2026")

    page.goto("/inquiries/new")
    expect(page.locator("#f-reporter_deadline")).to_have_attribute("placeholder", "dd/mm/yyyy HH:MM")


# --- §4.4 and §4.8: publishing asks first; the checklist is checked in the browser ---------------------------


def _submitted(site: Site, title: str) -> int:
    for api in _api(site):
        reference = _case(api, title)
        statement = api.draft(reference, text="Sở Giáo dục và Đào tạo thông tin: sự việc đã được xác minh.")
        api.submit(statement["id"])
        return int(statement["id"])
    raise AssertionError("unreachable")


def test_the_checklist_is_checked_in_the_browser_first(page: Page, site: Site) -> None:
    sid = _submitted(site, "Phụ huynh phản ánh thu tiền ngoài quy định")
    log_in(page, "spokesperson")
    page.goto(f"/staff/statements/{sid}#approve")
    page.locator("#f-approve-no_state_secret").check()
    page.locator("details#approve button[type=submit]").click()
    error = page.locator("details#approve .checklist-error")
    expect(error).to_be_visible()
    expect(error.locator("li")).to_have_count(2)  # every unticked item at once
    expect(error).to_contain_text("Không có bí mật cá nhân")
    expect(error).to_contain_text("Không có nội dung về vụ việc đang điều tra")
    expect(page.locator("#f-approve-no_private_data")).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/staff/statements/{sid}#approve$"))  # nothing was sent
    page.locator("#f-approve-no_private_data").check()
    page.locator("#f-approve-no_pending_proceedings").check()
    page.locator("details#approve button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=approved$"))


def test_publishing_asks_first_and_names_the_notice_type(page: Page, site: Site) -> None:
    sid = _submitted(site, "Phóng viên hỏi về kết quả kiểm tra")
    for api in _api(site):
        api.approve(sid)
    log_in(page, "office")
    page.goto(f"/staff/statements/{sid}#publish")
    button = page.locator("details#publish button[type=submit]")
    expect(button).to_have_text("Công bố thông báo")  # a response becomes a thông báo (TB), not a thông cáo
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    button.click()
    expect(page.locator("#notice")).to_have_count(0)  # not published
    assert asked and "thông báo" in asked[0] and "Không thể hoàn tác" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(page).to_have_url(re.compile(r"\?done=published_tb$"))
    expect(page.locator("p.flash")).to_have_text("Đã công bố thông báo.")
    expect(page.locator("#notice")).to_contain_text("/TB-SGDĐT")


# --- §4.13: the staff list as a ticket list --------------------------------------------------------------------


def test_the_list_by_keyboard_select_and_act_in_bulk(page: Page, site: Site) -> None:
    for api in _api(site):
        refs = [api.ok(api.post("/api/v1/cases", "office", {"title": f"Phản ánh về đồng phục số {i}",
                                                            "source_kind": "public_feedback"}), 201)["reference"]
                for i in range(2)]  # fmt: skip
    log_in(page, "office")
    page.keyboard.press("/")  # the header's search box
    expect(page.locator("#header-q")).to_be_focused()
    page.keyboard.type("dong phuc")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/cases\?q=dong\+phuc"))
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("a[href^='/api/v1/cases/export.csv?']")).to_have_attribute("href", re.compile("q=dong"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")  # the first case
    expect(rows.nth(0).locator("td.col-reference a")).to_be_focused()
    page.keyboard.press("x")  # select it
    expect(rows.nth(0).locator("input[name=selected]")).to_be_checked()
    expect(page.locator("#selected-count")).to_have_text("Đã chọn 1 vụ việc.")
    page.locator("#select-all").check()  # and every case of the page
    expect(page.locator("#selected-count")).to_have_text("Đã chọn 2 vụ việc.")
    page.select_option("#f-bulk-bulk_action", "tag")
    page.fill("#f-bulk-tag", "đồng phục")
    page.locator("#bulk-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/cases\?q=dong\+phuc&done=bulk$"))  # back to the same list
    expect(page.locator("p.flash")).to_have_text("Đã thực hiện thao tác cho các vụ việc đã chọn.")
    for reference in refs:
        page.goto(f"/staff/cases/{reference}")
        expect(page.locator("#summary")).to_contain_text("đồng phục")
        expect(page.locator("#timeline")).to_contain_text("Sửa thông tin")  # each case records it
    page.keyboard.press("?")
    expect(page).to_have_url(re.compile(r"/staff/help$"))
    expect(page.locator("table.shortcuts")).to_contain_text("vụ việc tiếp theo")
