"""Admin screens: units, users and roles, API tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD
from tests.web.staff.pages import login, post_form
from tests.web.staff.test_cases import field_error


class TestUnits:
    def test_the_tree(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        page = browser.get("/staff/admin/units")
        assert page.status_code == 200
        assert "Phòng Giáo dục Trung học" in page.text and "Văn phòng Sở" in page.text
        assert page.text.index("Văn phòng Sở</a>") < page.text.index("Phòng Giáo dục Tiểu học</a>")  # office first

    def test_create_a_child_unit_with_its_contact(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        data = {
            "code": "THPT-NTMK",
            "name": "Trường THPT Nguyễn Thị Minh Khai",
            "kind": "school",
            "parent": "GDTrH",
            "contact_name": "Lương Thị Bích",
            "contact_phone": "028 3930 1122",
            "contact_email": "ntmk@example.edu.vn",
        }
        response = post_form(browser, "/staff/admin/units/new", "/staff/admin/units", data)
        assert response.status_code == 303
        page = browser.get("/staff/admin/units?done=unit")
        assert "Đã lưu đơn vị." in page.text and "Lương Thị Bích" in page.text
        # the school is drawn inside its parent's list
        parent = page.text.index("Phòng Giáo dục Trung học</a>")
        assert page.text.index("Trường THPT Nguyễn Thị Minh Khai") > parent

    def test_a_used_code_is_an_error_beside_the_field(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(
            browser,
            "/staff/admin/units/new",
            "/staff/admin/units",
            {"code": "GDTrH", "name": "Trùng", "kind": "division"},
        )
        assert response.status_code == 409
        assert field_error(response.text, "code") == "Mã đơn vị GDTrH đã được dùng."
        bad = post_form(
            browser,
            "/staff/admin/units/new",
            "/staff/admin/units",
            {"code": "có dấu", "name": "", "kind": "division", "contact_email": "x@"},
        )
        assert bad.status_code == 422
        assert "không dấu" in field_error(bad.text, "code")
        assert field_error(bad.text, "name") == "Trường này là bắt buộc."
        assert field_error(bad.text, "contact_email") == "Địa chỉ e-mail không hợp lệ."

    def test_edit_a_unit(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        url = "/staff/admin/units/GDTH"
        page = browser.get(url)
        assert 'value="Phòng Giáo dục Tiểu học"' in page.text
        response = post_form(
            browser,
            url,
            url,
            {
                "name": "Phòng Giáo dục Tiểu học",
                "kind": "division",
                "name_en": "Primary Education Division",
                "active": "1",
                "contact_name": "Đỗ Thị Kim Oanh",
            },
        )
        assert response.status_code == 303
        units = {u["code"]: u for u in browser.get("/api/v1/units").json()}
        assert units["GDTH"]["contact_name"] == "Đỗ Thị Kim Oanh"
        assert units["GDTH"]["name_en"] == "Primary Education Division"

    def test_a_loop_is_refused(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        url = "/staff/admin/units/GDTH"
        response = post_form(
            browser, url, url, {"name": "Phòng Giáo dục Tiểu học", "kind": "division", "parent": "GDTH", "active": "1"}
        )
        assert response.status_code == 422
        assert "vòng lặp" in field_error(response.text, "parent")

    def test_only_an_admin(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        assert browser.get("/staff/admin/units").status_code == 403
        assert browser.get("/staff/admin/users").status_code == 403
        assert browser.get("/staff/admin/tokens").status_code == 403
        assert browser.get("/staff/admin/").status_code == 403
        assert "/staff/admin/" not in browser.get("/staff/").text


class TestUsers:
    def test_list(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        page = browser.get("/staff/admin/users")
        assert page.status_code == 200
        assert "Trần Minh Quân" in page.text and "Chuyên viên xử lý" in page.text and "GDTrH" in page.text

    def test_create_with_roles_and_log_in(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        data = {
            "username": "nguyen.van.a",
            "full_name": "Nguyễn Văn A",
            "title": "Chuyên viên",
            "locale": "en",
            "password": "mat-khau-dai",
            "password_confirm": "mat-khau-dai",
            "role": ["handler", "unit_head", ""],
            "role_unit": ["GDTH", "GDTH", ""],
        }
        response = post_form(browser, "/staff/admin/users/new", "/staff/admin/users", data)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/staff/admin/users/nguyen.van.a?done=user"
        page = browser.get(response.headers["location"])
        assert "Đã lưu người dùng." in page.text
        assert len(re.findall(r'<option value="(handler|unit_head)" selected>', page.text)) == 2
        assert login(browser, "nguyen.van.a", "mat-khau-dai").status_code == 303
        assert "Unit&#39;s worklist" in browser.get("/staff/").text  # their own language

    def test_errors(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        base = {
            "username": "b",
            "full_name": "",
            "password": "ngan",
            "password_confirm": "ngan",
            "role": ["handler"],
            "role_unit": [""],
        }
        response = post_form(browser, "/staff/admin/users/new", "/staff/admin/users", base)
        assert response.status_code == 422
        assert field_error(response.text, "username") == "Cần ít nhất 2 ký tự."
        assert field_error(response.text, "full_name") == "Trường này là bắt buộc."
        assert field_error(response.text, "password") == "Cần ít nhất 8 ký tự."
        mismatch = post_form(
            browser, "/staff/admin/users/new", "/staff/admin/users", {**base, "password_confirm": "khac"}
        )
        assert field_error(mismatch.text, "password_confirm") == "Hai lần nhập mật khẩu không khớp."
        unitless = post_form(
            browser,
            "/staff/admin/users/new",
            "/staff/admin/users",
            {
                **base,
                "username": "bbb",
                "full_name": "B",
                "password": "mat-khau-dai",
                "password_confirm": "mat-khau-dai",
            },
        )
        assert unitless.status_code == 422
        assert "phải gắn với một đơn vị" in field_error(unitless.text, "roles")
        taken = post_form(
            browser,
            "/staff/admin/users/new",
            "/staff/admin/users",
            {
                **base,
                "username": "handler",
                "full_name": "B",
                "password": "mat-khau-dai",
                "password_confirm": "mat-khau-dai",
                "role_unit": ["GDTH"],
            },
        )
        assert taken.status_code == 409
        assert field_error(taken.text, "username") == "Tên đăng nhập handler đã tồn tại."

    def test_edit_roles(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        url = "/staff/admin/users/handler2"
        response = post_form(
            browser,
            url,
            url,
            {
                "full_name": "Đỗ Thị Kim Oanh",
                "title": "Phó Trưởng phòng",
                "locale": "vi",
                "active": "1",
                "role": ["unit_head", ""],
                "role_unit": ["GDTH", ""],
            },
        )
        assert response.status_code == 303
        me = browser.get("/api/v1/users").json()
        handler2 = next(u for u in me if u["username"] == "handler2")
        assert handler2["roles"] == [{"role": "unit_head", "unit": "GDTH"}] and handler2["title"] == "Phó Trưởng phòng"

    def test_set_password_and_deactivate(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        url = "/staff/admin/users/handler"
        mismatch = post_form(browser, url, f"{url}/password", {"password": "mat-khau-moi", "password_confirm": "x"})
        assert mismatch.status_code == 422
        assert field_error(mismatch.text, "pw-password_confirm") == "Hai lần nhập mật khẩu không khớp."
        ok = post_form(
            browser, url, f"{url}/password", {"password": "mat-khau-moi", "password_confirm": "mat-khau-moi"}
        )
        assert ok.status_code == 303
        assert post_form(browser, url, f"{url}/active", {"active": "0"}).status_code == 303
        assert "Tài khoản đã ngừng kích hoạt." in browser.get(url).text
        assert login(browser, "handler", "mat-khau-moi").status_code == 401  # deactivated
        login(browser, "admin")
        assert post_form(browser, url, f"{url}/active", {"active": "1"}).status_code == 303
        assert login(browser, "handler", "mat-khau-moi").status_code == 303
        assert login(browser, "handler", PASSWORD).status_code == 401


class TestTokens:
    def test_issue_show_once_list_revoke(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(
            browser,
            "/staff/admin/tokens",
            "/staff/admin/tokens",
            {"username": "office", "name": "Cổng thông tin", "expires_on": "2027-01-31"},
        )
        assert response.status_code == 201
        token = re.search(r'id="issued-token" class="token" translate="no">([^<]+)<', response.text)
        assert token
        raw = token.group(1)
        assert browser.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()["username"] == "office"
        listing = browser.get("/staff/admin/tokens")
        assert "Cổng thông tin" in listing.text and raw not in listing.text
        assert "31/01/2027 00:00" not in listing.text and "01/02/2027 00:00" in listing.text  # end of that day
        token_id = re.search(r"/staff/admin/tokens/(\d+)/revoke", listing.text)
        assert token_id
        revoke = post_form(browser, "/staff/admin/tokens", f"/staff/admin/tokens/{token_id.group(1)}/revoke", {})
        assert revoke.status_code == 303
        assert "Đã thu hồi" in browser.get("/staff/admin/tokens").text
        assert browser.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401

    def test_errors(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(
            browser,
            "/staff/admin/tokens",
            "/staff/admin/tokens",
            {"username": "office", "name": "", "expires_on": "2020-01-01"},
        )
        assert response.status_code == 422
        assert field_error(response.text, "name") == "Không được để trống."
        past = post_form(
            browser,
            "/staff/admin/tokens",
            "/staff/admin/tokens",
            {"username": "office", "name": "Cũ", "expires_on": "2020-01-01"},
        )
        assert field_error(past.text, "expires_on") == "Thời điểm hết hạn phải ở tương lai."
