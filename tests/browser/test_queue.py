"""What waits for me, in a real browser, role by role: each user's home shows first exactly what waits for them on
the case, updated by the others' actions (route, accept, draft, submit, return, approve, publish), with the count
in the header; a mention in a note reaches its user; each cause is a message on "Tin nhắn của tôi"."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, new_page, screenshot
from tests.browser.test_staff_flow import (
    approve_statement,
    draft_statement,
    log_case,
    log_in,
    log_out,
    open_case,
    publish_statement,
    route_to_secondary,
    statement_action,
    submit_statement,
)

pytestmark = pytest.mark.browser

EVERYONE = ("office", "handler", "head", "head2", "spokesperson", "director", "admin")


def waiting(page: Page, reference: str) -> list[str]:
    """The kinds of the home page's "Việc chờ tôi" rows for ``reference``."""
    page.goto("/staff/")
    panel = page.locator("section.panel").first
    expect(panel).to_have_attribute("id", "my-queue")  # the queue comes first, for every role
    rows = panel.locator(f"tr.waiting-item[data-case='{reference}']")
    return sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.kind)"))


class Everyone:
    """Each user in a browser profile of their own, logged in on first use and kept for the test."""

    def __init__(self, chromium: Browser, site: Site) -> None:
        self.chromium, self.site = chromium, site
        self.pages: dict[str, Page] = {}

    def page(self, user: str) -> Page:
        if user not in self.pages:
            self.pages[user] = new_page(self.chromium, self.site)
            log_in(self.pages[user], user)
        return self.pages[user]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def everyone(chromium: Browser, site: Site) -> Iterator[Everyone]:
    people = Everyone(chromium, site)
    yield people
    people.close()


def expect_queues(everyone: Everyone, reference: str, expected: dict[str, list[str]]) -> None:
    """Each user's home, in their own session: exactly ``expected[user]`` waits for them on the case (nothing for
    the rest)."""
    for user in EVERYONE:
        assert waiting(everyone.page(user), reference) == sorted(expected.get(user, [])), user


def messages(page: Page) -> list[str]:
    page.goto("/staff/notifications")
    return page.locator("li.notification").evaluate_all("items => items.map(i => i.dataset.kind)")


def test_each_role_sees_what_waits_for_them(page: Page, everyone: Everyone) -> None:
    log_in(page, "office")
    reference = log_case(page, title="Phóng viên hỏi về khoản thu đầu năm học", submit_label="Tiếp nhận")
    page.goto("/staff/")
    expect(page.locator("#my-queue-link .unread")).to_be_visible()  # the header's count
    assert waiting(page, reference) == ["to_route"]
    screenshot(page, "queue-01-office-to-route")
    open_case(page, reference)
    route_to_secondary(page, "Chuyển đơn vị xử lý")
    # A mention once the unit may see the case (before routing, the handler could not: nobody would be told).
    page.fill("#f-note-text", "@handler kiểm tra giúp số liệu thu của trường; @head2 không thấy vụ này.")
    page.locator("#notes button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=note"))
    log_out(page)

    expect_queues(everyone, reference, {"head": ["to_accept"], "handler": ["mentioned"]})

    # The mention reached the handler (and only who can see the case): a message, and the queue links to it.
    log_in(page, "handler")
    kinds = messages(page)
    assert "mentioned" in kinds and "routed" in kinds
    expect(page.locator("li.notification[data-kind='mentioned']").first).to_contain_text("nhắc đến bạn")
    screenshot(page, "queue-02-handler-messages")
    page.goto("/staff/")
    page.locator(f"tr.waiting-item[data-case='{reference}'][data-kind='mentioned'] a").first.click()
    expect(page).to_have_url(re.compile(r"/staff/notifications"))
    page.locator("li.notification[data-kind='mentioned'] form button").first.click()
    log_out(page)
    log_in(page, "head2")
    assert "mentioned" not in messages(page)
    log_out(page)

    # The unit head accepts, naming the handler; the handler now has the answer to draft.
    log_in(page, "head")
    open_case(page, reference)
    page.locator("details.action-accept summary").click()
    page.locator("details.action-accept input[name='assignees'][value='handler']").check()
    page.locator("details.action-accept button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=accept$"))
    log_out(page)
    expect_queues(everyone, reference, {"handler": ["to_draft"]})

    log_in(page, "handler")
    assert "assigned" in messages(page)
    open_case(page, reference)
    draft_statement(page, "Sở Giáo dục và Đào tạo thông tin: các khoản thu đầu năm thực hiện theo quy định.")
    log_out(page)
    expect_queues(everyone, reference, {"head": ["to_submit"]})

    log_in(page, "head")
    statement_action(page, reference, "submit")
    submit_statement(page)
    log_out(page)
    expect_queues(everyone, reference, {"spokesperson": ["to_approve"], "director": ["to_approve"]})

    # The spokesperson returns it with a comment: it waits for its drafter.
    log_in(page, "spokesperson")
    assert "submitted" in messages(page)
    screenshot(page, "queue-03-spokesperson-messages")
    statement_action(page, reference, "return")
    page.fill("#f-return-comment", "Nêu rõ văn bản quy định các khoản thu.")
    page.locator("details#return button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=returned$"))
    log_out(page)
    expect_queues(everyone, reference, {"handler": ["returned"]})

    log_in(page, "handler")
    page.goto("/staff/notifications")
    expect(page.locator("li.notification[data-kind='returned']").first).to_contain_text("Nêu rõ văn bản quy định")
    statement_action(page, reference, "add_version")  # opens the form
    page.fill("#f-v-text", "Sở Giáo dục và Đào tạo thông tin: các khoản thu thực hiện theo Nghị quyết của HĐND tỉnh.")
    page.locator("details#add_version button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=version$"))
    log_out(page)
    log_in(page, "head")
    statement_action(page, reference, "submit")
    submit_statement(page)
    log_out(page)

    log_in(page, "spokesperson")
    page.goto("/staff/")
    screenshot(page, "queue-04-spokesperson-to-approve")
    page.locator(f"tr.waiting-item[data-case='{reference}'][data-kind='to_approve'] a").first.click()
    approve_statement(page)
    log_out(page)
    expect_queues(everyone, reference, {"office": ["to_publish"]})

    log_in(page, "office")
    assert "approved" in messages(page)
    page.goto("/staff/")
    page.locator(f"tr.waiting-item[data-case='{reference}'][data-kind='to_publish'] a").first.click()
    publish_statement(page)
    log_out(page)
    expect_queues(everyone, reference, {})

    for user in ("handler", "head", "spokesperson"):
        log_in(page, user)
        assert "published" in messages(page), user
        log_out(page)


def test_the_email_choice_on_the_settings_page(page: Page, site: Site) -> None:
    log_in(page, "director")
    page.goto("/staff/settings")
    page.select_option("#f-email_frequency", "daily")
    page.locator("form[action='/staff/settings/email'] button[type=submit]").click()
    expect(page.locator("p.flash")).to_have_text("Đã lưu cách nhận thư điện tử.")
    expect(page.locator("#f-email_frequency")).to_have_value("daily")
    page.select_option("#f-email_frequency", "immediate")
    page.locator("form[action='/staff/settings/email'] button[type=submit]").click()
    expect(page.locator("#f-email_frequency")).to_have_value("immediate")
