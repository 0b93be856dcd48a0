"""A story's photos (issue 15) through the HTTP API: images only, judged from the bytes (415 otherwise), the
original Vietnamese name, who may add them (another unit: 404), the story's history, the public JSON, page and
anonymous download once the story is published (404 before), and removal while not published."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.permissions import Role
from app.org.models import UnitKind
from app.settings import Settings
from tests.attachments import samples
from tests.conftest import FIXED_NOW, make_settings
from tests.factories import make_unit, make_user, standard_org
from tests.stories.test_api_stories import SCHOOL, draft, h
from tests.web.staff.pages import csrf_of, login

PHOTO = "Lễ tuyên dương em Khôi — lớp 11A2.png"


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    make_unit(session, SCHOOL, name="Trường THPT Lê Quý Đôn", kind=UnitKind.SCHOOL, now=FIXED_NOW)
    make_user(session, "teacher", (Role.HANDLER, SCHOOL), now=FIXED_NOW, full_name="Ngô Thị Lan")
    make_user(session, "principal", (Role.UNIT_HEAD, SCHOOL), now=FIXED_NOW, full_name="Hoàng Văn Sơn")
    session.flush()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, storage_url=f"file://{tmp_path / 'files'}", max_upload_mb=1)


def add(client: TestClient, sid: int, user: str, name: str, content: bytes) -> object:
    return client.post(f"/api/v1/stories/{sid}/photos", headers=h(client, user),
                       files={"file": (name, content, "image/png")}, data={"description": "Ảnh buổi lễ"})  # fmt: skip


def publish(client: TestClient, sid: int) -> None:
    office = h(client, "office")
    assert client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal")).status_code == 200
    assert client.post(f"/api/v1/stories/{sid}/approve", headers=office).status_code == 200
    assert client.post(f"/api/v1/stories/{sid}/publish", headers=office).status_code == 200


def test_a_png_is_kept_and_shown_publicly_only_after_publication(client: TestClient, org: None,
                                                                  session: Session) -> None:  # fmt: skip
    sid = draft(client)["id"]
    content = samples.png()
    r = add(client, sid, "teacher", PHOTO, content)
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    photo = r.json()  # type: ignore[attr-defined]
    assert photo["filename"] == PHOTO and photo["content_type"] == "image/png"
    assert photo["sha256"] == hashlib.sha256(content).hexdigest() and photo["size"] == len(content)

    story = client.get(f"/api/v1/stories/{sid}", headers=h(client, "teacher")).json()
    assert [p["id"] for p in story["photos"]] == [photo["id"]] and story["may_change_photos"] is True
    assert [(e["action"], e["comment"]) for e in story["events"]][-1] == ("photo_add", PHOTO)
    listed = client.get(f"/api/v1/stories/{sid}/photos", headers=h(client, "principal")).json()["items"]
    assert [p["filename"] for p in listed] == [PHOTO]
    got = client.get(photo["url"], headers=h(client, "teacher"))
    assert got.status_code == 200 and got.content == content

    # a draft's photo is not downloadable anonymously
    public_url = f"/api/public/v1/attachments/{photo['id']}/content"
    assert client.get(public_url).status_code == 404

    publish(client, sid)
    item = client.get(f"/api/public/v1/stories/{sid}").json()
    assert item["photos"] == [{"filename": PHOTO, "url": public_url, "size": len(content),
                               "sha256": hashlib.sha256(content).hexdigest(), "content_type": "image/png"}]  # fmt: skip
    assert client.get("/api/public/v1/stories").json()["items"][0]["photos"] == item["photos"]
    anonymous = client.get(public_url)
    assert anonymous.status_code == 200 and anonymous.content == content
    assert anonymous.headers["x-content-sha256"] == hashlib.sha256(content).hexdigest()
    page = client.get(f"/stories/{sid}")
    assert page.status_code == 200 and public_url in page.text

    # published: the photos no longer change
    office = h(client, "office")
    assert client.delete(f"/api/v1/stories/{sid}/photos/{photo['id']}", headers=office).status_code == 409
    assert add(client, sid, "office", "thêm.png", content).status_code == 409  # type: ignore[attr-defined]


def test_a_renamed_exe_is_refused_with_415_and_a_pdf_too(client: TestClient, org: None) -> None:
    sid = draft(client)["id"]
    r = add(client, sid, "teacher", "ảnh.png", samples.exe())
    assert r.status_code == 415  # type: ignore[attr-defined]
    assert add(client, sid, "teacher", "ảnh.png", samples.pdf()).status_code == 415  # type: ignore[attr-defined]
    assert add(client, sid, "teacher", "ảnh.jpg", samples.jpeg()).status_code == 201  # type: ignore[attr-defined]
    big = samples.png() + bytes(2 * 1024 * 1024)
    assert add(client, sid, "teacher", "lớn.png", big).status_code == 413  # type: ignore[attr-defined]
    photos = client.get(f"/api/v1/stories/{sid}/photos", headers=h(client, "teacher")).json()["items"]
    assert [p["content_type"] for p in photos] == ["image/jpeg"]


def test_another_units_handler_gets_404(client: TestClient, org: None) -> None:
    sid = draft(client)["id"]
    pid = add(client, sid, "teacher", PHOTO, samples.png()).json()["id"]  # type: ignore[attr-defined]
    assert add(client, sid, "handler", PHOTO, samples.png()).status_code == 404  # type: ignore[attr-defined]
    other = h(client, "handler")
    assert client.get(f"/api/v1/stories/{sid}/photos", headers=other).status_code == 404
    assert client.get(f"/api/v1/stories/{sid}/photos/{pid}/content", headers=other).status_code == 404
    assert client.delete(f"/api/v1/stories/{sid}/photos/{pid}", headers=other).status_code == 404


def test_a_photo_comes_off_a_draft_and_the_history_says_so(client: TestClient, org: None) -> None:
    sid = draft(client)["id"]
    pid = add(client, sid, "teacher", PHOTO, samples.png()).json()["id"]  # type: ignore[attr-defined]
    teacher = h(client, "teacher")
    assert client.delete(f"/api/v1/stories/{sid}/photos/{pid}", headers=teacher).status_code == 204
    story = client.get(f"/api/v1/stories/{sid}", headers=teacher).json()
    assert story["photos"] == []
    assert [e["action"] for e in story["events"]] == ["create", "photo_add", "photo_remove"]
    assert client.get(f"/api/v1/stories/{sid}/photos/{pid}/content", headers=teacher).status_code == 404
    publish(client, sid)
    assert client.get(f"/api/public/v1/stories/{sid}").json()["photos"] == []
    assert client.get(f"/api/public/v1/attachments/{pid}/content").status_code == 404


def test_the_staff_page_shows_uploads_and_removes_photos(app: FastAPI, org: None) -> None:
    with TestClient(app, base_url="https://testserver") as browser:
        login(browser, "teacher")
        api = h(browser, "teacher")
        sid = browser.post("/api/v1/stories", headers=api, json={"kind": "news", "title": "Ngày hội đọc sách",
                                                                 "body": "Nội dung tin."}).json()["id"]  # fmt: skip
        url = f"/staff/stories/{sid}"
        page = browser.get(url)
        assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
        content = samples.png()
        r = browser.post(f"{url}/photos", data={"csrf_token": csrf_of(page), "description": "Ảnh thư viện"},
                         files={"file": (PHOTO, content, "image/png")}, follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
        page = browser.get(url)
        photo = browser.get(f"/api/v1/stories/{sid}/photos", headers=api).json()["items"][0]
        assert PHOTO in page.text and f"{url}/photos/{photo['id']}/content" in page.text
        got = browser.get(f"{url}/photos/{photo['id']}/content")
        assert got.status_code == 200 and got.content == content
        bad = browser.post(f"{url}/photos", data={"csrf_token": csrf_of(page)},
                           files={"file": ("ảnh.png", samples.exe(), "image/png")}, follow_redirects=False)  # fmt: skip
        assert bad.status_code == 415
        r = browser.post(f"{url}/photos/{photo['id']}/remove", data={"csrf_token": csrf_of(page)},
                         follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        assert "Chưa có ảnh." in browser.get(url).text
