"""Case list exports: CSV and XLSX with the list's filters, the caller's scope and language."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.cases import service as cases
from app.cases.workflow import Action
from app.reports import exports as reports_exports
from tests.conftest import FIXED_NOW, Clock
from tests.factories import actor, make_case, standard_org, token

VI_HEADER_START = ["Mã vụ việc", "Tiêu đề", "Trạng thái", "Mức độ", "Lĩnh vực", "Nguồn thông tin"]
EN_HEADER_START = ["Reference", "Title", "Status", "Severity", "Topic", "Source"]


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    office = actor(session, "office")
    a = make_case(session, by="office", now=FIXED_NOW, title="Bạo lực học đường ở THCS Lê Lợi", severity="crisis",
                  topic="ethics_school_safety", lead_unit="GDTrH", tags=["bạo lực", "thcs"],
                  received_at="2026-11-26T08:15:00+07:00", outlet="Báo Tuổi Trẻ")  # fmt: skip
    cases.transition_case(session, actor=office, case=a, action=Action.ASSIGN, now=FIXED_NOW, lead_unit="GDTrH",
                          supporting_units=["GDTH"], assignees=["handler"])  # fmt: skip
    make_case(session, by="office", now=FIXED_NOW, title="Học phí trường tiểu học", severity="hot",
              topic="facilities_finance_tuition", lead_unit="GDTH",
              received_at="2026-11-25T10:00:00+07:00")  # fmt: skip
    make_case(session, by="office", now=FIXED_NOW, title="=HYPERLINK(\"http://evil\")", severity="routine",
              received_at="2026-11-24T10:00:00+07:00")  # fmt: skip
    session.flush()


def _csv(response_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response_text)))


class TestCsv:
    def test_bom_headers_rows_and_local_times(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases/export.csv", headers=token(client, "office"))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="vu-viec-2026-11-27.csv"'
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = _csv(response.content.decode("utf-8-sig"))
        assert rows[0][:6] == VI_HEADER_START
        assert [r[1] for r in rows[1:]] == [
            "Bạo lực học đường ở THCS Lê Lợi",
            "Học phí trường tiểu học",
            '\'=HYPERLINK("http://evil")',
        ]
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["Trạng thái"] == "Đã chuyển đơn vị"
        assert first["Mức độ"] == "Khủng hoảng"
        assert first["Thời điểm tiếp nhận (giờ Việt Nam)"] == "26/11/2026 08:15"  # dd/mm/yyyy, 24-hour
        assert first["Đơn vị chủ trì"] == "Phòng Giáo dục Trung học"
        assert first["Đơn vị phối hợp"] == "Phòng Giáo dục Tiểu học"
        assert first["Người xử lý"] == "Trần Minh Quân"
        assert first["Nhãn"] == "bạo lực, thcs"
        assert first["Cơ quan báo chí"] == "Báo Tuổi Trẻ"

    def test_english_headers_and_labels(self, client: TestClient, org: None) -> None:
        headers = {**token(client, "office"), "Accept-Language": "en"}
        rows = _csv(client.get("/api/v1/cases/export.csv", headers=headers).content.decode("utf-8-sig"))
        assert rows[0][:6] == EN_HEADER_START
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["Severity"] == "Crisis"
        client.cookies.set("lang", "en")
        rows = _csv(client.get("/api/v1/cases/export.csv", headers=token(client, "office")).content.decode("utf-8-sig"))
        assert rows[0][:6] == EN_HEADER_START

    def test_filters_apply(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases/export.csv?severity=hot,crisis&q=hoc+phi", headers=token(client, "office"))
        rows = _csv(response.content.decode("utf-8-sig"))
        assert [r[1] for r in rows[1:]] == ["Học phí trường tiểu học"]
        response = client.get("/api/v1/cases/export.csv?unit=GDTH", headers=token(client, "office"))
        assert len(_csv(response.content.decode("utf-8-sig"))) == 3  # lead or supporting unit

    @pytest.mark.parametrize(
        "query", ["", "overdue=true", "overdue=false", "due_within_hours=720", "severity=crisis&overdue=true",
                  "status=assigned", "tag=thcs", "assignee=handler"],
    )  # fmt: skip
    def test_the_same_cases_as_the_list(self, client: TestClient, org: None, clock: Clock, query: str) -> None:
        clock.advance(days=3)  # some clocks are overdue by now
        headers = token(client, "office")
        listed = client.get(f"/api/v1/cases?limit=200&{query}", headers=headers)
        assert listed.status_code == 200, listed.text
        exported = client.get(f"/api/v1/cases/export.csv?{query}", headers=headers)
        rows = _csv(exported.content.decode("utf-8-sig"))[1:]
        assert [r[0] for r in rows] == [c["reference"] for c in listed.json()["items"]]

    def test_a_handler_exports_only_the_cases_of_the_unit(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases/export.csv", headers=token(client, "handler2"))
        titles = [r[1] for r in _csv(response.content.decode("utf-8-sig"))[1:]]
        assert titles == ["Bạo lực học đường ở THCS Lê Lợi", "Học phí trường tiểu học"]  # supports, leads
        response = client.get("/api/v1/cases/export.csv", headers=token(client, "handler"))
        titles = [r[1] for r in _csv(response.content.decode("utf-8-sig"))[1:]]
        assert titles == ["Bạo lực học đường ở THCS Lê Lợi"]

    def test_a_bad_filter_is_a_422_before_any_byte(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases/export.csv?unit=NOPE", headers=token(client, "office"))
        assert response.status_code == 422
        assert response.json()["field"] == "unit"

    def test_documented_in_openapi(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert "text/csv" in paths["/api/v1/cases/export.csv"]["get"]["responses"]["200"]["content"]
        assert "/api/v1/cases/export.xlsx" in paths

    def test_needs_credentials(self, client: TestClient, org: None) -> None:
        assert client.get("/api/v1/cases/export.csv").status_code == 401
        assert client.get("/api/v1/cases/export.xlsx").status_code == 401

    def test_batches_keep_the_list_order(self, client: TestClient, session: Session,
                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
        standard_org(session, FIXED_NOW)
        for i in range(23):  # ties on received_at across batch boundaries
            make_case(session, by="office", now=FIXED_NOW, title=f"Vụ {i:02d}",
                      received_at=f"2026-11-{i // 3 + 1:02d}T10:00:00+07:00")  # fmt: skip
        listed = client.get("/api/v1/cases?limit=200", headers=token(client, "office")).json()["items"]
        monkeypatch.setattr(reports_exports, "EXPORT_BATCH", 4)
        response = client.get("/api/v1/cases/export.csv", headers=token(client, "office"))
        rows = _csv(response.content.decode("utf-8-sig"))[1:]
        assert [r[0] for r in rows] == [c["reference"] for c in listed]
        assert len(rows) == 23


class TestXlsx:
    def test_opens_with_the_rows(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases/export.xlsx?severity=crisis,hot", headers=token(client, "office"))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert response.headers["content-disposition"] == 'attachment; filename="vu-viec-2026-11-27.xlsx"'
        assert int(response.headers["content-length"]) == len(response.content)
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0][:6]) == VI_HEADER_START
        assert [r[1] for r in rows[1:]] == ["Bạo lực học đường ở THCS Lê Lợi", "Học phí trường tiểu học"]
        received = rows[1][11]
        assert received.isoformat() == "2026-11-26T08:15:00"

    def test_formulas_stay_text_and_english(self, client: TestClient, org: None) -> None:
        headers = {**token(client, "office"), "Accept-Language": "en"}
        response = client.get("/api/v1/cases/export.xlsx?severity=routine", headers=headers)
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0][:6]) == EN_HEADER_START
        assert rows[1][1] == '=HYPERLINK("http://evil")'
        cell = sheet.cell(row=2, column=2)
        assert cell.data_type == "s"

    def test_scope(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases/export.xlsx", headers=token(client, "handler"))
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert [r[1] for r in rows[1:]] == ["Bạo lực học đường ở THCS Lê Lợi"]
