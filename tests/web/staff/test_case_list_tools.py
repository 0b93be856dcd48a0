"""The staff case list as people expect of a ticket list (issue 12 §4.7, §4.13): CSV/XLSX links with the list's
filters, selection with bulk actions (route, tag, close as duplicates) through the existing services and recorded
per case, all or nothing; saved personal views; a search box in the header; the help page of the shortcuts."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cases.models import Case
from tests.conftest import FIXED_NOW
from tests.factories import make_case
from tests.statements.helpers import Api
from tests.web.staff.pages import csrf_of, login, post_form


def _cases(session: Session, n: int, **fields: Any) -> list[Case]:
    return [make_case(session, by="office", now=FIXED_NOW, title=f"Vụ việc hàng loạt {i}", **fields) for i in range(n)]


def _bulk(browser: TestClient, data: dict[str, Any], query: str = "") -> Any:
    """The bulk form posts to /staff/cases/bulk with the list's query string (its filters), to come back to them."""
    return post_form(browser, "/staff/cases", "/staff/cases/bulk" + (f"?{query}" if query else ""), data)


class TestExportLinks:
    def test_the_list_links_its_files_with_its_filters(self, browser: TestClient, org: None, session: Session) -> None:
        make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới", topic="facilities_finance_tuition")
        make_case(session, by="office", now=FIXED_NOW, title="Bạo lực học đường")
        login(browser, "office")
        page = browser.get("/staff/cases?q=hoc+phi&severity=&topic=facilities_finance_tuition").text
        csv_link = re.search(r'href="(/api/v1/cases/export\.csv[^"]*)"', page)
        xlsx_link = re.search(r'href="(/api/v1/cases/export\.xlsx[^"]*)"', page)
        assert csv_link and xlsx_link
        url = csv_link.group(1).replace("&amp;", "&")
        assert "q=hoc+phi" in url and "topic=facilities_finance_tuition" in url and "severity=" not in url
        csv = browser.get(url)  # the session is enough
        assert csv.status_code == 200 and "Học phí năm học mới" in csv.text and "Bạo lực" not in csv.text
        xlsx = browser.get(xlsx_link.group(1).replace("&amp;", "&"))
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


class TestBulkActions:
    def test_the_list_offers_selection(self, browser: TestClient, org: None, session: Session) -> None:
        (case,) = _cases(session, 1)
        login(browser, "office")
        page = browser.get("/staff/cases").text
        assert f'name="selected" value="{case.reference}"' in page and 'form="bulk-form"' in page
        assert 'id="select-all"' in page and 'id="bulk-form"' in page

    def test_route_several_cases(self, browser: TestClient, org: None, session: Session) -> None:
        first, second, third = _cases(session, 3)
        login(browser, "office")
        response = _bulk(browser, {"bulk_action": "assign", "lead_unit": "GDTrH", "note": "Giao hàng loạt",
                                   "selected": [first.reference, second.reference]}, query="q=hang+loat")  # fmt: skip
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/staff/cases?q=hang+loat&done=bulk"
        assert "Đã thực hiện thao tác cho các vụ việc đã chọn." in browser.get(response.headers["location"]).text
        api = Api(browser)
        for case in (first, second):
            assert api.case(case.reference)["status"] == "assigned"
            routing = [e for e in api.events(case.reference) if e["action"] == "assign"]
            assert len(routing) == 1 and routing[0]["note"] == "Giao hàng loạt"  # recorded per case
        assert api.case(third.reference)["status"] == "new"

    def test_add_a_tag(self, browser: TestClient, org: None, session: Session) -> None:
        first, second = _cases(session, 2)
        tagged = make_case(session, by="office", now=FIXED_NOW, tags=["học phí"])
        login(browser, "office")
        response = _bulk(browser, {"bulk_action": "tag", "tag": "học phí",
                                   "selected": [first.reference, second.reference, tagged.reference]})  # fmt: skip
        assert response.status_code == 303, response.text
        api = Api(browser)
        for case in (first, second):
            assert api.case(case.reference)["tags"] == ["học phí"]
            assert [e["kind"] for e in api.events(case.reference)] == ["created", "updated"]
        assert [e["kind"] for e in api.events(tagged.reference)] == ["created"]  # already tagged: nothing to record

    def test_close_as_duplicates(self, browser: TestClient, org: None, session: Session) -> None:
        original = make_case(session, by="office", now=FIXED_NOW, title="Bản gốc")
        first, second = _cases(session, 2)
        login(browser, "office")
        response = _bulk(browser, {"bulk_action": "close_duplicate", "duplicate_of": original.reference.lower(),
                                   "selected": [first.reference, second.reference]})  # fmt: skip
        assert response.status_code == 303, response.text
        api = Api(browser)
        for case in (first, second):
            read = api.case(case.reference)
            assert read["status"] == "closed" and read["close_reason"] == "duplicate"
            assert read["related"] == [original.reference]
            closing = [e for e in api.events(case.reference) if e["action"] == "close"]
            assert closing[0]["data"]["duplicate_of"] == original.reference
        assert sorted(api.case(original.reference)["related"]) == sorted([first.reference, second.reference])

    def test_all_or_nothing(self, browser: TestClient, org: None, session: Session) -> None:
        fresh, closed = _cases(session, 2)
        api = Api(browser)
        api.ok(api.post(f"/api/v1/cases/{closed.reference}/transitions", "office",
                        {"action": "close", "reason": "no_action", "note": "Không cần xử lý"}))  # fmt: skip
        login(browser, "office")
        response = _bulk(browser, {"bulk_action": "assign", "lead_unit": "GDTrH",
                                   "selected": [fresh.reference, closed.reference]})  # fmt: skip
        assert response.status_code == 409
        assert closed.reference in response.text and 'role="alert"' in response.text
        assert api.case(fresh.reference)["status"] == "new"  # nothing half-saved
        assert [e["kind"] for e in api.events(fresh.reference)] == ["created"]

    def test_what_is_missing_is_said(self, browser: TestClient, org: None, session: Session) -> None:
        (case,) = _cases(session, 1)
        login(browser, "office")
        nothing = _bulk(browser, {"bulk_action": "assign", "lead_unit": "GDTrH"})
        assert nothing.status_code == 422 and "Chưa chọn vụ việc nào." in nothing.text
        no_unit = _bulk(browser, {"bulk_action": "assign", "selected": [case.reference]})
        assert no_unit.status_code == 422 and "Cần chọn đơn vị chủ trì xử lý." in no_unit.text

    def test_a_case_one_may_not_see(self, browser: TestClient, org: None, session: Session) -> None:
        theirs = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTH", route=True)
        login(browser, "head")
        response = _bulk(browser, {"bulk_action": "tag", "tag": "x", "selected": [theirs.reference]})
        assert response.status_code == 404 and theirs.reference in response.text

    def test_a_handler_may_not_route(self, browser: TestClient, org: None, session: Session) -> None:
        mine = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH", route=True)
        login(browser, "handler")
        response = _bulk(browser, {"bulk_action": "assign", "lead_unit": "GDTH", "selected": [mine.reference]})
        assert response.status_code == 403
        assert Api(browser).case(mine.reference)["lead_unit"]["code"] == "GDTrH"


class TestSavedViews:
    def test_save_use_replace_delete(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        saved = post_form(browser, "/staff/cases", "/staff/cases/views",
                          {"name": "Học phí nóng", "query": "?q=hoc+phi&severity=hot&topic=&cursor=abc"})  # fmt: skip
        assert saved.status_code == 303
        assert saved.headers["location"] == "/staff/cases?q=hoc+phi&severity=hot&done=view_saved"
        page = browser.get("/staff/cases").text
        views = page.split('class="saved-views"')[1].split("</nav>")[0]
        assert "Học phí nóng" in views and 'href="/staff/cases?q=hoc+phi&amp;severity=hot"' in views
        again = post_form(browser, "/staff/cases", "/staff/cases/views", {"name": "Học phí nóng", "query": "q=hoc+phi"})
        assert again.status_code == 303
        views = browser.get("/staff/cases").text.split('class="saved-views"')[1].split("</nav>")[0]
        assert views.count(">Học phí nóng</a>") == 1 and 'href="/staff/cases?q=hoc+phi"' in views
        view_id = re.search(r'action="/staff/cases/views/(\d+)/delete"', views)
        assert view_id
        login(browser, "head")  # another person sees none of them, and may not delete them
        assert "Học phí nóng" not in browser.get("/staff/cases").text
        other = post_form(browser, "/staff/cases", f"/staff/cases/views/{view_id.group(1)}/delete", {})
        assert other.status_code == 404
        login(browser, "office")
        deleted = post_form(browser, "/staff/cases", f"/staff/cases/views/{view_id.group(1)}/delete", {})
        assert deleted.status_code == 303 and "Học phí nóng" not in browser.get("/staff/cases").text

    def test_a_name_is_needed(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        response = post_form(browser, "/staff/cases", "/staff/cases/views", {"name": " ", "query": "q=x"})
        assert response.status_code == 422 and 'id="err-view-name"' in response.text


class TestHeaderSearchAndHelp:
    def test_the_search_box_is_on_every_staff_page(self, browser: TestClient, org: None, session: Session) -> None:
        make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới")
        login(browser, "office")
        for url in ("/staff/", "/staff/settings", "/staff/help"):
            page = browser.get(url).text
            assert 'form class="header-search"' in page and 'id="header-q"' in page, url
            assert '<label for="header-q"' in page  # labelled, for screen readers too
        found = browser.get("/staff/cases?q=hoc+phi").text
        assert "Học phí năm học mới" in found

    def test_the_help_page_lists_the_shortcuts(self, browser: TestClient, org: None) -> None:
        login(browser, "handler")
        page = browser.get("/staff/help")
        assert page.status_code == 200
        for key in ("/", "j", "k", "x", "?"):
            assert f'<kbd translate="no">{key}</kbd>' in page.text
        assert 'href="/staff/help"' in browser.get("/staff/").text
        browser.cookies.set("lang", "en")
        english = browser.get("/staff/help").text
        assert "Keyboard shortcuts" in english and "In the case list: the next / previous case" in english


def test_csrf_is_required(browser: TestClient, org: None, session: Session) -> None:
    (case,) = _cases(session, 1)
    login(browser, "office")
    page = browser.get("/staff/cases")
    assert csrf_of(page)
    response = browser.post("/staff/cases/bulk", data={"bulk_action": "tag", "tag": "x", "selected": [case.reference]},
                            follow_redirects=False)  # fmt: skip
    assert response.status_code in (400, 403)


def test_saved_views_in_the_api(browser: TestClient, org: None) -> None:
    api = Api(browser)
    saved = api.ok(api.post("/api/v1/me/views", "office", {"name": "Nóng", "query": "severity=hot&cursor=x"}), 201)
    assert saved["query"] == "severity=hot" and saved["url"] == "/staff/cases?severity=hot"
    assert [v["name"] for v in api.ok(api.get("/api/v1/me/views", "office"))["items"]] == ["Nóng"]
    assert api.ok(api.get("/api/v1/me/views", "head"))["items"] == []
    assert browser.delete(f"/api/v1/me/views/{saved['id']}", headers=api.headers("head")).status_code == 404
    assert browser.delete(f"/api/v1/me/views/{saved['id']}", headers=api.headers("office")).status_code == 204
