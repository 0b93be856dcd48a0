"""The staff interface in a real browser, the acceptance flow of issue 6: a press officer logs a case and routes it;
the handler sees it on the unit's worklist, accepts it and drafts the statement; the unit head submits it; the
spokesperson approves it with the checklist; the press officer publishes it; every step is in the timeline. The
same in English with no untranslated text; CSRF refusal; another unit's case is the 404 page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

# Interface text with Vietnamese letters, outside user data (marked translate="no"): texts, labels, placeholders,
# aria-labels, titles, confirmations.
UNTRANSLATED_JS = r"""() => {
  const vi = /[ăâđêôơưĂÂĐÊÔƠƯ\u0300-\u0323\u1ea0-\u1ef9àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]/i;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent.trim();
    if (text && !node.parentElement.closest('[translate="no"], script, style') && vi.test(text)) found.push(text);
  }
  const attrs = ["placeholder", "aria-label", "title", "alt", "data-confirm", "label"];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest('[translate="no"]')) continue;
    for (const name of attrs) {
      const value = el.getAttribute(name);
      if (value && vi.test(value)) found.push(value);
    }
  }
  return found;
}"""


def log_in(page: Page, username: str) -> None:
    page.goto("/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/staff/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def log_out(page: Page) -> None:
    page.locator("form.logout button").click()
    expect(page).to_have_url(re.compile(r"/staff/login"))


def log_case(page: Page, *, title: str, submit_label: str) -> str:
    page.locator("nav.main-nav a[href='/staff/cases/new']").click()
    page.select_option("#f-source_kind", "press_inquiry")
    page.fill("#f-outlet", "Báo Tuổi Trẻ")
    page.fill("#f-reporter_name", "Nguyễn Hoàng Anh")
    page.fill("#f-title", title)
    page.fill("#f-summary", "Phóng viên hỏi về lịch thi và chỉ tiêu tuyển sinh lớp 10 công lập.")
    page.select_option("#f-topic", "education_quality")
    page.select_option("#f-severity", "hot")
    page.select_option("#f-legal_trigger", "press_request")
    page.fill("#f-tags", "tuyển sinh")
    page.get_by_role("button", name=submit_label).click()
    expect(page).to_have_url(re.compile(r"/staff/cases/VV-\d{4}-\d{5}\?done=created$"))
    match = re.search(r"VV-\d{4}-\d{5}", page.url)
    assert match
    return match.group(0)


def route_to_secondary(page: Page, action_label: str) -> None:
    page.locator("details.action-assign summary").click()
    page.select_option("#f-assign-lead_unit", "GDTrH")
    page.fill("#f-assign-note", "Giao Phòng Giáo dục Trung học chủ trì.")
    page.locator("details.action-assign button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=assign$"))
    expect(page.locator("#timeline")).to_contain_text(action_label)


def accept(page: Page, reference: str) -> None:
    page.locator(f"a[href='/staff/cases/{reference}']").first.click()
    expect(page).to_have_url(re.compile(f"/staff/cases/{reference}$"))
    page.locator("details.action-accept summary").click()
    page.locator("details.action-accept button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=accept$"))


def untranslated(page: Page) -> list[str]:
    found: list[str] = page.evaluate(UNTRANSLATED_JS)
    return found


def open_case(page: Page, reference: str) -> None:
    page.goto(f"/staff/cases/{reference}")


def draft_statement(page: Page, text: str) -> None:
    """On the case page: draft the case's response; lands on the statement's page."""
    page.locator("details.action-draft summary").click()
    page.select_option("#f-st-kind", "response")
    page.fill("#f-st-text", text)
    page.locator("details.action-draft button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/statements/\d+\?done=statement_created$"))


def statement_action(page: Page, reference: str, action: str) -> None:
    """From the case page, follow the statement's link to one of the actions allowed now."""
    open_case(page, reference)
    page.locator(f"#statements a.button[href$='#{action}']").first.click()
    expect(page.locator(f"details#{action}")).to_have_attribute("open", "")


def add_version(page: Page, text: str) -> None:
    page.locator("details#add_version summary").click()
    page.fill("#f-v-text", text)
    page.locator("details#add_version button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=version$"))


def submit_statement(page: Page) -> None:
    page.locator("details#submit button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=submitted$"))


def approve_statement(page: Page) -> None:
    for key in ("no_state_secret", "no_private_data", "no_pending_proceedings"):
        page.locator(f"#f-approve-{key}").check()
    page.locator("details#approve button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=approved$"))


def publish_statement(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation: a number cannot be taken back
    page.locator("details#publish button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=published_t[cb]$"))


def test_log_route_accept_in_vietnamese(page: Page, site: Site) -> None:
    log_in(page, "office")
    expect(page.locator("h1")).to_have_text("Trang chính")
    expect(page.locator("#triage-new")).to_be_visible()
    page.keyboard.press("Tab")  # the first stop is the skip link
    expect(page.locator("a.skip")).to_be_focused()
    screenshot(page, "vi-01-home-press-office")

    page.locator("nav.main-nav a[href='/staff/cases/new']").click()
    screenshot(page, "vi-02-intake-form")
    page.go_back()
    reference = log_case(page, title="Phóng viên hỏi về lịch thi tuyển sinh lớp 10", submit_label="Tiếp nhận")
    expect(page.locator("p.flash")).to_have_text("Đã tiếp nhận vụ việc.")
    expect(page.locator("#timeline")).to_contain_text("Tiếp nhận vụ việc")
    expect(page.locator(".case-head")).to_contain_text("Mới tiếp nhận")

    route_to_secondary(page, "Chuyển đơn vị xử lý")
    expect(page.locator(".case-head")).to_contain_text("Đã chuyển đơn vị")
    expect(page.locator("#timeline")).to_contain_text("Mới tiếp nhận → Đã chuyển đơn vị")
    expect(page.locator("#timeline")).to_contain_text("Phòng Giáo dục Trung học")
    screenshot(page, "vi-03-case-routed")
    page.goto("/staff/cases")
    screenshot(page, "vi-04-case-list")
    log_out(page)

    log_in(page, "handler")
    worklist = page.locator("section.panel", has_text="Việc của đơn vị")
    expect(worklist).to_contain_text(reference)
    expect(worklist).not_to_contain_text(site.other_unit_case)
    screenshot(page, "vi-05-home-unit-worklist")
    accept(page, reference)
    expect(page.locator("p.flash")).to_have_text("Đã thực hiện: Nhận xử lý.")
    timeline = page.locator("#timeline")
    for step in ("Tiếp nhận vụ việc", "Chuyển đơn vị xử lý", "Nhận xử lý", "Đã chuyển đơn vị → Đang xử lý"):
        expect(timeline).to_contain_text(step)
    expect(page.locator(".case-head")).to_contain_text("Đang xử lý")
    screenshot(page, "vi-06-case-accepted")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    screenshot(page, "vi-07-case-on-a-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The handler drafts the response and revises it.
    draft_statement(page, "Sở Giáo dục và Đào tạo thông tin:\nLịch thi tuyển sinh lớp 10 năm 2027 giữ nguyên.")
    expect(page.locator("p.flash")).to_have_text("Đã tạo dự thảo nội dung phát ngôn.")
    add_version(page, "Sở Giáo dục và Đào tạo thông tin:\nLịch thi tuyển sinh lớp 10 năm 2027 giữ nguyên như kế hoạch."
                      "\nChỉ tiêu sẽ công bố trước ngày 15/3.")  # fmt: skip
    page.locator("form.compare button[type=submit]").click()
    expect(page.locator("table.diff ins").first).to_be_visible()
    screenshot(page, "vi-10-statement-diff")
    log_out(page)

    # The unit head submits it.
    log_in(page, "head")
    statement_action(page, reference, "submit")
    submit_statement(page)
    expect(page.locator(".case-head")).to_contain_text("Đã trình duyệt")
    log_out(page)

    # The spokesperson approves it with the checklist, from the approval queue.
    log_in(page, "spokesperson")
    queue = page.locator("#approval-queue")
    expect(queue).to_contain_text(reference)
    expect(queue).to_contain_text("hạn duyệt")
    screenshot(page, "vi-11-home-spokesperson-queue")
    queue.locator("a[href$='#approve']").first.click()
    expect(page.locator("details#approve")).to_have_attribute("open", "")
    expect(page.locator("details#approve")).to_contain_text("Không có bí mật nhà nước.")
    screenshot(page, "vi-12-approval-form")
    page.set_viewport_size({"width": 390, "height": 844})  # the spokesperson approves from a phone
    screenshot(page, "vi-18-approval-form-on-a-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    approve_statement(page)
    expect(page.locator("#approvals")).to_contain_text("Người phát ngôn thường xuyên")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(page)

    # The press office publishes it: a numbered notice.
    log_in(page, "office")
    statement_action(page, reference, "publish")
    publish_statement(page)
    expect(page.locator("#notice")).to_contain_text("/TB-SGDĐT")
    open_case(page, reference)
    timeline = page.locator("#timeline")
    for step in ("Tạo dự thảo nội dung phát ngôn", "Thêm phiên bản nội dung phát ngôn", "Trình duyệt",
                 "Đang xử lý → Chờ duyệt", "Duyệt nội dung phát ngôn", "Chờ duyệt → Đã duyệt",
                 "Thông cáo được công bố", "Đã duyệt → Đã công bố"):  # fmt: skip
        expect(timeline).to_contain_text(step)
    expect(page.locator(".case-head")).to_contain_text("Đã công bố")
    expect(page.locator("#clocks")).to_contain_text("Đúng hạn")
    screenshot(page, "vi-13-case-published-clocks-statements")


def test_the_same_in_english_with_nothing_left_untranslated(page: Page, site: Site) -> None:
    page.goto("/staff/login")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Log in")
    assert untranslated(page) == []
    log_in(page, "office")
    expect(page.locator("h1")).to_have_text("Home")
    assert untranslated(page) == []
    screenshot(page, "en-01-home-press-office")

    page.locator("nav.main-nav a[href='/staff/cases/new']").click()
    assert untranslated(page) == []
    page.go_back()
    reference = log_case(page, title="Phóng viên hỏi về học phí năm học mới", submit_label="Log case")
    expect(page.locator("p.flash")).to_have_text("The case has been logged.")
    route_to_secondary(page, "Assign to a unit")
    expect(page.locator("#timeline")).to_contain_text("New → Assigned to a unit")
    assert untranslated(page) == []
    screenshot(page, "en-02-case-routed")
    for url in ("/staff/cases", f"/staff/cases/{reference}/edit", "/staff/settings"):
        page.goto(url)
        assert untranslated(page) == [], url
    screenshot(page, "en-03-settings")
    page.goto("/staff/cases")
    screenshot(page, "en-04-case-list")
    log_out(page)

    log_in(page, "handler")  # the language switch stays with the browser
    expect(page.locator("section.panel", has_text="Unit's worklist")).to_contain_text(reference)
    assert untranslated(page) == []
    accept(page, reference)
    timeline = page.locator("#timeline")
    for step in ("Log a case", "Assign to a unit", "Accept", "Assigned to a unit → In progress"):
        expect(timeline).to_contain_text(step)
    assert untranslated(page) == []
    screenshot(page, "en-05-case-accepted")
    draft_statement(page, "The Department informs:\nTuition for the new school year is unchanged.")
    expect(page.locator("p.flash")).to_have_text("The draft statement has been created.")
    assert untranslated(page) == []
    log_out(page)

    log_in(page, "head")
    statement_action(page, reference, "submit")
    assert untranslated(page) == []
    submit_statement(page)
    log_out(page)

    log_in(page, "spokesperson")
    assert untranslated(page) == []
    page.locator("#approval-queue a[href$='#approve']").first.click()
    expect(page.locator("details#approve")).to_contain_text("No state secret")
    assert untranslated(page) == []
    screenshot(page, "en-06-approval-form")
    approve_statement(page)
    log_out(page)

    log_in(page, "office")
    statement_action(page, reference, "publish")
    publish_statement(page)
    assert untranslated(page) == []
    open_case(page, reference)
    timeline = page.locator("#timeline")
    for step in ("Statement drafted", "Statement submitted for approval", "In progress → Awaiting approval",
                 "Statement approved", "Notice published", "Approved → Published"):  # fmt: skip
        expect(timeline).to_contain_text(step)
    assert untranslated(page) == []
    screenshot(page, "en-07-case-published")


def test_a_form_without_its_csrf_token_is_refused(page: Page, site: Site) -> None:
    log_in(page, "office")
    page.goto(f"/staff/cases/{site.other_unit_case}")
    page.fill("#f-note-text", "Ghi chú không có mã CSRF")
    page.evaluate("document.querySelector('#notes input[name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.url.endswith("/notes")) as posted:
        page.locator("#notes button[type=submit]").click()
    assert posted.value.status == 403
    expect(page.locator("h1")).to_have_text("Không được phép")
    expect(page.locator(".error-message")).to_contain_text("CSRF")
    screenshot(page, "vi-08-csrf-refused")
    page.goto(f"/staff/cases/{site.other_unit_case}")
    expect(page.locator("#timeline")).not_to_contain_text("Ghi chú không có mã CSRF")


def test_another_units_case_is_the_404_page(page: Page, site: Site) -> None:
    log_in(page, "handler")
    response = page.goto(f"/staff/cases/{site.other_unit_case}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy")
    expect(page.locator("main")).not_to_contain_text("Vụ việc của Tiểu học")
    screenshot(page, "vi-09-not-found")


def test_home_pages_of_the_director_and_the_calendar(page: Page, site: Site) -> None:
    log_in(page, "director")
    expect(page.locator("#overview-severity")).to_be_visible()
    expect(page.locator("#overview-missed")).to_be_visible()
    expect(page.locator("#overview-crises")).to_contain_text(site.other_unit_case)
    screenshot(page, "vi-14-home-director")
    page.goto("/staff/spokespersons")
    expect(page.locator("#registry")).to_contain_text("Võ Thanh Bình")
    screenshot(page, "vi-15-spokesperson-registry")
    log_out(page)
    log_in(page, "admin")
    page.goto("/staff/admin/calendar?year=2026")
    expect(page.locator("table.month")).to_have_count(12)
    expect(page.locator("#overrides")).to_contain_text("02/01/2026")
    screenshot(page, "vi-16-calendar-admin")
    page.goto(f"/staff/cases/{site.other_unit_case}")
    page.locator("#clocks a[href*='/clocks/']").first.click()
    expect(page.locator("h1")).to_have_text("Cách tính thời hạn")
    screenshot(page, "vi-17-clock-explained")
