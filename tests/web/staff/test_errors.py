"""Errors under /staff are pages; elsewhere they stay JSON."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.staff.pages import login


def test_an_unexpected_error_is_the_500_page(app: FastAPI, org: None) -> None:
    @app.get("/staff/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    def api_boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        page = client.get("/staff/boom")
        assert page.status_code == 500
        assert "Lỗi hệ thống" in page.text and "<html" in page.text and "secret internals" not in page.text
        api = client.get("/api/v1/boom")
        assert api.status_code == 500 and api.json()["error"] == "InternalError"


def test_a_wrong_method_is_the_405_page(browser: TestClient, org: None) -> None:
    login(browser, "office")
    page = browser.post("/staff/cases/new")
    assert page.status_code == 405
    assert "Thao tác không được hỗ trợ" in page.text


def test_an_unknown_page_is_the_404_page(browser: TestClient, org: None) -> None:
    page = browser.get("/staff/no-such-page")
    assert page.status_code == 404 and "Không tìm thấy" in page.text
    assert browser.get("/api/v1/no-such-thing").json()["error"] == "NotFound"
