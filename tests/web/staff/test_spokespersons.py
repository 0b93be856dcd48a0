"""The spokesperson registry and per-case authorisations in the browser: the director appoints (or replaces) the
standing spokesperson and ends an appointment; grants a written authorisation for one case and revokes it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.spokespersons.models import SpokespersonAuthorisation
from tests.conftest import FIXED_NOW
from tests.factories import appoint_spokesperson, case_in_progress
from tests.web.staff.pages import login, post_form

APPOINTMENT = {"username": "spokesperson", "title": "Phó Chánh Văn phòng", "phone": "028 3829 1111",
               "email": "phatngon@sgddt.example.gov.vn", "decision_number": "20/QĐ-SGDĐT",
               "decision_date": "26/11/2026"}  # fmt: skip


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="err-{re.escape(field)}">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


class TestRegistry:
    def test_everyone_reads_it_only_the_director_appoints(self, browser: TestClient, org: None) -> None:
        login(browser, "spokesperson")
        page = browser.get("/staff/spokespersons")
        assert page.status_code == 200 and "Đặng Quốc Hưng" in page.text and "action-appoint" not in page.text
        assert 'href="/staff/spokespersons"' in page.text  # in the menu
        login(browser, "director")
        assert "action-appoint" in browser.get("/staff/spokespersons").text
        login(browser, "handler")
        assert 'href="/staff/spokespersons"' not in browser.get("/staff/").text

    def test_the_director_appoints_the_standing_spokesperson(self, browser: TestClient, org: None) -> None:
        login(browser, "director")
        response = post_form(browser, "/staff/spokespersons", "/staff/spokespersons/appointments", APPOINTMENT)
        assert response.status_code == 303
        page = browser.get(response.headers["location"]).text
        assert "Đã giao nhiệm vụ người phát ngôn thường xuyên." in page
        registry = page.split('id="registry"')[1].split("</section>")[0]
        assert "Võ Thanh Bình" in registry and "Phó Chánh Văn phòng" in registry and "028 3829 1111" in registry
        assert "20/QĐ-SGDĐT" in page and "Đang có hiệu lực" in page

    def test_errors_beside_the_fields(self, browser: TestClient, org: None) -> None:
        login(browser, "director")
        response = post_form(browser, "/staff/spokespersons", "/staff/spokespersons/appointments",
                             {**APPOINTMENT, "username": "handler", "email": "not-an-email"})  # fmt: skip
        assert response.status_code == 422 and field_error(response.text, "ap-email")
        response = post_form(browser, "/staff/spokespersons", "/staff/spokespersons/appointments",
                             {**APPOINTMENT, "username": "handler"})  # fmt: skip
        assert response.status_code == 422 and "vai trò người phát ngôn" in field_error(response.text, "ap-username")

    def test_refused_to_anyone_but_the_director(self, browser: TestClient, org: None) -> None:
        login(browser, "spokesperson")
        response = post_form(browser, "/staff/spokespersons", "/staff/spokespersons/appointments", APPOINTMENT)
        assert response.status_code == 403

    def test_end_an_appointment(self, browser: TestClient, org: None, session: Session) -> None:
        appointment = appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=2))
        login(browser, "director")
        response = post_form(browser, "/staff/spokespersons", f"/staff/spokespersons/appointments/{appointment.id}/end",
                             {"note": "Nghỉ hưu"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get("/staff/spokespersons").text
        assert "Hết hiệu lực" in page and "Nghỉ hưu" in page
        again = post_form(browser, "/staff/spokespersons", f"/staff/spokespersons/appointments/{appointment.id}/end",
                          {})  # fmt: skip
        assert again.status_code == 409 and "Không thực hiện được thao tác" in again.text


class TestAuthorisations:
    def test_the_director_authorises_a_person_for_one_case(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = case_in_progress(session, now=FIXED_NOW - timedelta(hours=1))
        url = f"/staff/cases/{case.reference}"
        login(browser, "spokesperson")
        assert "action-authorise" not in browser.get(url).text
        login(browser, "director")
        page = browser.get(url).text
        assert "action-authorise" in page and '<option value="head"' in page and '<option value="handler2"' not in page
        response = post_form(browser, url, f"{url}/authorisations",
                             {"username": "head", "number": "05/UQ-SGDĐT", "signed_on": "27/11/2026",
                              "valid_until": "2026-12-05", "title": "Trưởng phòng GDTrH"})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"].endswith("#authority")
        page = browser.get(url).text
        assert "05/UQ-SGDĐT" in page and "đến hết ngày 05/12/2026" in page and "Đang có hiệu lực" in page
        assert "Ủy quyền phát ngôn" in page.split('id="timeline"')[1]
        login(browser, "head")
        assert "Người được ủy quyền phát ngôn" in browser.get(url).text  # the head now holds authority

    def test_errors_beside_the_fields(self, browser: TestClient, org: None, session: Session) -> None:
        case = case_in_progress(session, now=FIXED_NOW - timedelta(hours=1))
        url = f"/staff/cases/{case.reference}"
        login(browser, "director")
        response = post_form(browser, url, f"{url}/authorisations",
                             {"username": "head", "number": "", "signed_on": "2026-11-30",
                              "valid_until": "2026-12-05"})  # fmt: skip
        assert response.status_code == 422 and field_error(response.text, "auth-number")
        response = post_form(browser, url, f"{url}/authorisations",
                             {"username": "head", "number": "06/UQ", "signed_on": "2026-11-30",
                              "valid_until": "2026-12-05"})  # fmt: skip
        assert response.status_code == 422 and "tương lai" in field_error(response.text, "auth-signed_on")

    def test_under_decree_09_only_a_deputy(self, browser: TestClient, org: None, session: Session) -> None:
        old = case_in_progress(session, now=FIXED_NOW, received_at=datetime(2026, 6, 20, 3, 0, tzinfo=UTC))
        url = f"/staff/cases/{old.reference}"
        login(browser, "director")
        page = browser.get(url).text
        assert "theo Nghị định 09/2017/NĐ-CP: chỉ ủy quyền cho cấp phó" in page and 'name="deputy"' in page
        form = {"username": "head", "number": "07/UQ", "signed_on": "2026-11-27", "valid_until": "2026-12-05"}
        response = post_form(browser, url, f"{url}/authorisations", form)
        assert response.status_code == 422 and "cấp phó" in field_error(response.text, "auth-deputy")
        response = post_form(browser, url, f"{url}/authorisations", {**form, "deputy": "1"})
        assert response.status_code == 303
        assert "cấp phó" in browser.get(url).text.split('class="authorisations"')[1].split("</table>")[0]

    def test_revoke_from_the_case_page_and_from_the_registry(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = case_in_progress(session, now=FIXED_NOW - timedelta(hours=1))
        url = f"/staff/cases/{case.reference}"
        login(browser, "director")
        for number in ("07/UQ", "08/UQ"):
            post_form(
                browser,
                url,
                f"{url}/authorisations",
                {"username": "head", "number": number, "signed_on": "2026-11-27", "valid_until": "2026-12-05"},
            )
        first, second = session.exec(
            select(SpokespersonAuthorisation).order_by(SpokespersonAuthorisation.id)  # type: ignore[arg-type]
        ).all()
        empty = post_form(browser, url, f"/staff/authorisations/{first.id}/revoke", {"reason": "", "back": "case"})
        assert empty.status_code == 422 and field_error(empty.text, f"revoke-{first.id}-reason")
        response = post_form(browser, url, f"/staff/authorisations/{first.id}/revoke",
                             {"reason": "Đã có kết luận", "back": "case"})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"].startswith(url)
        response = post_form(browser, "/staff/spokespersons", f"/staff/authorisations/{second.id}/revoke",
                             {"reason": "Hết việc", "back": "registry"})  # fmt: skip
        assert response.headers["location"] == "/staff/spokespersons?done=revoked_authorisation"
        page = browser.get("/staff/spokespersons").text
        assert page.count("Đã thu hồi") >= 2 and case.reference in page
