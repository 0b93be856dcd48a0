"""Documents on a case through the HTTP API (product §11.1), on both storages (a folder and S3): upload, type
judged from the bytes (415), size limit (413), the original Vietnamese name, who may see them (404 otherwise),
the timeline, removal, and the public attachments of a published notice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.attachments import samples
from tests.conftest import FIXED_NOW
from tests.factories import appoint_spokesperson, case_in_progress, standard_org
from tests.statements.helpers import Api

PDF_NAME = "Công văn số 123 trả lời báo chí.pdf"
PHOTO_NAME = "Ảnh hiện trường — lớp 10A1.png"


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def ref(session: Session) -> str:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    case = case_in_progress(session, now=FIXED_NOW - timedelta(hours=3), outlet="Báo Tuổi Trẻ",
                            title="Phụ huynh phản ánh tai nạn trong giờ thể dục")  # fmt: skip
    return case.reference


def upload(api: Api, path: str, who: str, name: str, content: bytes, **fields: Any) -> Any:
    data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}
    return api.client.post(path, headers=api.headers(who), files={"file": (name, content, "application/pdf")},
                           data=data)  # fmt: skip


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class TestUpload:
    def test_a_pdf_and_a_photo_are_attached_listed_and_downloaded_by_the_cases_units(self, api: Api,
                                                                                       ref: str) -> None:  # fmt: skip
        pdf, photo = samples.pdf(), samples.png()
        first = api.ok(upload(api, f"/api/v1/cases/{ref}/attachments", "handler", PDF_NAME, pdf,
                              description="Công văn đã ký"), 201)  # fmt: skip
        assert first["filename"] == PDF_NAME
        assert first["content_type"] == "application/pdf"
        assert first["size"] == len(pdf) and first["sha256"] == sha(pdf)
        assert first["description"] == "Công văn đã ký" and first["public"] is False
        assert isinstance(first["id"], int)
        # the photo's name claims a PDF type in the request: the bytes decide
        second = api.ok(upload(api, f"/api/v1/cases/{ref}/attachments", "head", PHOTO_NAME, photo), 201)
        assert second["content_type"] == "image/png"

        items = api.ok(api.get(f"/api/v1/cases/{ref}/attachments", "handler"))["items"]
        assert [i["filename"] for i in items] == [PDF_NAME, PHOTO_NAME]

        for who in ("handler", "head", "office", "spokesperson"):
            response = api.get(f"/api/v1/attachments/{first['id']}/content", who)
            assert response.status_code == 200, (who, response.text)
            assert response.content == pdf
            assert response.headers["content-type"] == "application/pdf"
            disposition = response.headers["content-disposition"]
            assert disposition.startswith("attachment;")
            assert f"filename*=UTF-8''{quote(PDF_NAME, safe='')}" in disposition
            assert 'filename="Cong van so 123 tra loi bao chi.pdf"' in disposition
        photo_back = api.get(f"/api/v1/attachments/{second['id']}/content", "handler")
        assert photo_back.content == photo and photo_back.headers["content-type"] == "image/png"

    def test_another_units_handler_gets_404(self, api: Api, ref: str) -> None:
        attached = api.ok(upload(api, f"/api/v1/cases/{ref}/attachments", "handler", PDF_NAME, samples.pdf()), 201)
        for path in (f"/api/v1/attachments/{attached['id']}/content", f"/api/v1/attachments/{attached['id']}",
                     f"/api/v1/cases/{ref}/attachments"):  # fmt: skip
            assert api.get(path, "handler2").status_code == 404, path
        response = upload(api, f"/api/v1/cases/{ref}/attachments", "handler2", "x.pdf", samples.pdf())
        assert response.status_code == 404

    def test_an_exe_renamed_pdf_is_refused_with_415_and_nothing_is_saved(self, api: Api, ref: str) -> None:
        before = len(api.events(ref))
        response = upload(api, f"/api/v1/cases/{ref}/attachments", "handler", "công-văn.pdf", samples.exe())
        assert response.status_code == 415, response.text
        assert response.json()["error"] == "UnsupportedMediaType"
        assert response.json()["content_type"] == "application/x-msdownload"
        assert api.ok(api.get(f"/api/v1/cases/{ref}/attachments", "handler"))["items"] == []
        assert len(api.events(ref)) == before

    def test_a_30_mb_file_is_refused_with_413(self, api: Api, ref: str) -> None:
        big = b"%PDF-1.4\n" + bytes(30 * 1024 * 1024)
        response = upload(api, f"/api/v1/cases/{ref}/attachments", "handler", "lớn.pdf", big)
        assert response.status_code == 413
        assert response.json()["error"] == "PayloadTooLarge"
        assert "25 MB" in response.json()["detail"]
        assert api.ok(api.get(f"/api/v1/cases/{ref}/attachments", "handler"))["items"] == []

    def test_a_body_without_a_declared_length_is_cut_off_at_the_limit(self, api: Api, ref: str) -> None:
        """Chunked transfer: no Content-Length to judge by; the body is counted as it arrives and refused past
        the limit (file + 1 MiB of form), with 413 even though the parser had started."""
        boundary = "crisisdesk-test-boundary"

        def body() -> Iterator[bytes]:
            yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="lớn.pdf"\r\n'
                   "Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF-1.4\n"  # fmt: skip
            for _ in range(40):  # 40 MiB, more than 25 + 1
                yield bytes(1024 * 1024)
            yield f"\r\n--{boundary}--\r\n".encode()

        headers = {**api.headers("handler"), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        response = api.client.post(f"/api/v1/cases/{ref}/attachments", headers=headers, content=body())
        assert response.status_code == 413
        assert response.json()["error"] == "PayloadTooLarge"
        assert api.ok(api.get(f"/api/v1/cases/{ref}/attachments", "handler"))["items"] == []

    def test_the_limit_holds_for_the_bytes_themselves(self, api: Api, ref: str) -> None:
        """Under the request cap (file + 1 MiB of form) but over the file limit: the service counts the bytes."""
        api.client.app.state.settings.max_upload_mb = 1  # type: ignore[attr-defined]
        response = upload(api, f"/api/v1/cases/{ref}/attachments", "handler", "a.pdf",
                          b"%PDF-1.4\n" + bytes(1024 * 1024 + 10))  # fmt: skip
        assert response.status_code == 413
        assert response.json()["error"] == "PayloadTooLarge"

    @pytest.mark.parametrize(
        ("name", "content", "expected"),
        [
            ("thư phóng viên.eml", samples.EML, "message/rfc822"),
            ("biên bản.txt", samples.TEXT, "text/plain"),
            ("số liệu.xlsx", samples.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("ảnh.jpg", samples.jpeg(), "image/jpeg"),
        ],
    )
    def test_text_email_office_and_photos_are_recognised(self, api: Api, ref: str, name: str, content: bytes,
                                                         expected: str) -> None:  # fmt: skip
        body = api.ok(upload(api, f"/api/v1/cases/{ref}/attachments", "handler", name, content), 201)
        assert body["content_type"] == expected and body["filename"] == name

    def test_binary_garbage_is_refused(self, api: Api, ref: str) -> None:
        response = upload(api, f"/api/v1/cases/{ref}/attachments", "handler", "dữ liệu.txt", bytes(range(256)) * 4)
        assert response.status_code == 415

    def test_public_only_on_a_statement(self, api: Api, ref: str) -> None:
        response = upload(api, f"/api/v1/cases/{ref}/attachments", "handler", "a.pdf", samples.pdf(), public=True)
        assert response.status_code == 422
        assert response.json()["field"] == "public"


class TestTimelineAndRemoval:
    def test_upload_and_removal_are_case_events(self, api: Api, ref: str) -> None:
        pdf = samples.pdf()
        attached = api.ok(upload(api, f"/api/v1/cases/{ref}/attachments", "handler", PDF_NAME, pdf), 201)
        added = api.events(ref)[-1]
        assert added["kind"] == "attachment_added"
        assert added["actor"]["username"] == "handler"
        assert added["data"]["filename"] == PDF_NAME and added["data"]["sha256"] == sha(pdf)

        # another handler of the unit may not remove it (only its uploader or whoever edits the case)
        assert api.client.delete(f"/api/v1/attachments/{attached['id']}",
                                 headers=api.headers("head")).status_code == 403  # fmt: skip
        response = api.client.delete(f"/api/v1/attachments/{attached['id']}", headers=api.headers("handler"))
        assert response.status_code == 204
        removed = api.events(ref)[-1]
        assert removed["kind"] == "attachment_removed" and removed["data"]["attachment_id"] == attached["id"]
        assert api.get(f"/api/v1/attachments/{attached['id']}/content", "handler").status_code == 404
        assert api.ok(api.get(f"/api/v1/cases/{ref}/attachments", "handler"))["items"] == []


class TestPublicAttachments:
    def test_a_notices_public_attachment_is_downloadable_anonymously_with_its_sha256(self, api: Api, ref: str) -> None:
        statement = api.draft(ref, text="Sở đã chỉ đạo nhà trường báo cáo; công văn kèm theo.")
        sid = statement["id"]
        dispatch = samples.pdf("Cong van da ky")
        public = api.ok(upload(api, f"/api/v1/statements/{sid}/attachments", "handler", "Công văn 45-SGDĐT.pdf",
                               dispatch, public=True), 201)  # fmt: skip
        assert public["statement_id"] == sid and public["public"] is True
        internal = api.ok(upload(api, f"/api/v1/cases/{ref}/attachments", "handler", "nội bộ.pdf", samples.pdf(),
                                 statement_id=sid), 201)  # fmt: skip
        assert internal["public"] is False

        anonymous = api.client
        assert anonymous.get(f"/api/public/v1/attachments/{public['id']}/content").status_code == 404  # not yet

        api.submit(sid)
        api.approve(sid)
        notice = api.publish(sid)
        assert [a["filename"] for a in notice["attachments"]] == ["Công văn 45-SGDĐT.pdf"]

        published = anonymous.get(f"/api/public/v1/notices/{notice['slug']}").json()
        [item] = published["attachments"]
        url = f"/api/public/v1/attachments/{public['id']}/content"
        assert item == {"filename": "Công văn 45-SGDĐT.pdf", "url": url, "size": len(dispatch),
                        "sha256": sha(dispatch), "content_type": "application/pdf"}  # fmt: skip
        response = anonymous.get(item["url"])
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == item["sha256"]
        assert response.headers["etag"] == f'"{item["sha256"]}"'
        assert response.headers["access-control-allow-origin"] == "*"
        assert "filename*=UTF-8''" in response.headers["content-disposition"]
        again = anonymous.get(item["url"], headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        # the internal one stays internal
        assert anonymous.get(f"/api/public/v1/attachments/{internal['id']}/content").status_code == 404

        page = anonymous.get(f"/notices/{notice['slug']}")
        assert page.status_code == 200
        assert item["url"] in page.text and item["sha256"] in page.text

    def test_a_published_statements_attachments_do_not_change(self, api: Api, ref: str) -> None:
        notice = api.published(ref, text="Nội dung trả lời.")
        response = upload(api, f"/api/v1/statements/{notice['statement_id']}/attachments", "office", "muộn.pdf",
                          samples.pdf(), public=True)  # fmt: skip
        assert response.status_code == 409
