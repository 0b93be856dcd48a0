"""Answer templates through the HTTP API (product §11.3): the library (list, create, update, retire), placeholders
checked when a template is saved, and a statement drafted from a template for a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.answer_templates.rules import fill, placeholders_in
from tests.conftest import FIXED_NOW
from tests.factories import appoint_spokesperson, case_in_progress, standard_org
from tests.statements.helpers import Api

HOLDING = (
    "Ngày {received_date}, {outlet} phản ánh sự việc (hồ sơ {case_reference}). Sở Giáo dục và Đào tạo đã giao "
    "{unit_name} xác minh và sẽ thông tin kết quả. Người phát ngôn: {spokesperson_name}. Dấu ngoặc: {{ }}."
)


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    return Api(client)


def create(api: Api, who: str = "office", **fields: Any) -> Any:
    body = {"name": "Thông tin ban đầu — tai nạn", "kind": "initial_information", "text": HOLDING, **fields}
    return api.post("/api/v1/templates", who, body)


class TestRules:
    def test_placeholders_in_order_of_use(self) -> None:
        assert placeholders_in(HOLDING) == ["received_date", "outlet", "case_reference", "unit_name",
                                            "spokesperson_name"]  # fmt: skip

    @pytest.mark.parametrize("text", ["Kính gửi {reporter}", "{outlet!r}", "{outlet:>10}", "Lẻ { ngoặc", "}"])
    def test_anything_else_is_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            placeholders_in(text)

    def test_fill(self) -> None:
        assert fill("{outlet} {{x}}", {"outlet": "Báo Tuổi Trẻ"}) == "Báo Tuổi Trẻ {x}"


class TestLibrary:
    def test_create_list_update_retire(self, api: Api) -> None:
        created = api.ok(create(api, topic="ethics_school_safety"), 201)
        assert created["name"] == "Thông tin ban đầu — tai nạn"
        assert created["kind"] == "initial_information" and created["topic"] == "ethics_school_safety"
        assert created["text"] == HOLDING and created["retired"] is False
        assert created["placeholders"][0] == "received_date"
        other = api.ok(create(api, name="Trả lời chung", kind="response", text="Sở trả lời {outlet}."), 201)

        listed = api.ok(api.get("/api/v1/templates", "handler"))["items"]  # every staff member reads them
        assert {t["id"] for t in listed} == {created["id"], other["id"]}
        only = api.ok(api.get("/api/v1/templates", "handler", params={"kind": "response"}))["items"]
        assert [t["id"] for t in only] == [other["id"]]

        changed = api.client.patch(f"/api/v1/templates/{created['id']}", headers=api.headers("spokesperson"),
                                   json={"name": "Tai nạn trong trường", "topic": None})  # fmt: skip
        assert changed.status_code == 200, changed.text
        assert changed.json()["name"] == "Tai nạn trong trường" and changed.json()["topic"] is None
        assert changed.json()["text"] == HOLDING

        retired = api.ok(api.post(f"/api/v1/templates/{created['id']}/retire", "office"))
        assert retired["retired"] is True
        listed = api.ok(api.get("/api/v1/templates", "office"))["items"]
        assert [t["id"] for t in listed] == [other["id"]]
        everything = api.ok(api.get("/api/v1/templates", "office", params={"include_retired": "true"}))["items"]
        assert {t["id"] for t in everything} == {created["id"], other["id"]}

    @pytest.mark.parametrize("text", ["Kính gửi {reporter_name}", "Lẻ { ngoặc", "{outlet!r}"])
    def test_an_unknown_placeholder_is_refused_at_save_time(self, api: Api, text: str) -> None:
        response = create(api, text=text)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "text"
        made = api.ok(create(api), 201)
        response = api.client.patch(f"/api/v1/templates/{made['id']}", headers=api.headers("office"),
                                    json={"text": text})  # fmt: skip
        assert response.status_code == 422

    def test_a_handler_reads_but_does_not_write(self, api: Api) -> None:
        assert create(api, who="handler").status_code == 403


class TestDraftFromTemplate:
    def test_the_draft_carries_the_cases_reference_and_outlet(self, api: Api, session: Session) -> None:
        received = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)  # 23:30 on 26/11 in Hồ Chí Minh City
        case = case_in_progress(session, now=FIXED_NOW, outlet="Báo Thanh Niên", received_at=received)
        template = api.ok(create(api), 201)
        body = api.ok(api.post(f"/api/v1/cases/{case.reference}/statements", "handler",
                               {"kind": "initial_information", "template_id": template["id"]}), 201)  # fmt: skip
        assert body["version"] == 1 and body["kind"] == "initial_information"
        assert body["text"] == (
            f"Ngày 26/11/2026, Báo Thanh Niên phản ánh sự việc (hồ sơ {case.reference}). Sở Giáo dục và Đào tạo "
            "đã giao Phòng Giáo dục Trung học xác minh và sẽ thông tin kết quả. Người phát ngôn: Võ Thanh Bình. "
            "Dấu ngoặc: { }."
        )
        event = api.events(case.reference)[-1]
        assert event["kind"] == "statement_created" and event["data"]["template_id"] == template["id"]

    def test_a_missing_value_is_left_for_the_drafter(self, api: Api, session: Session) -> None:
        case = case_in_progress(session, now=FIXED_NOW)  # no outlet
        template = api.ok(create(api, text="Trả lời {outlet} về {case_reference}."), 201)
        body = api.ok(api.post(f"/api/v1/cases/{case.reference}/statements", "handler",
                               {"kind": "initial_information", "template_id": template["id"]}), 201)  # fmt: skip
        assert body["text"] == f"Trả lời [cơ quan báo chí] về {case.reference}."

    def test_refused_drafts(self, api: Api, session: Session) -> None:
        ref = case_in_progress(session, now=FIXED_NOW, outlet="VnExpress").reference
        template = api.ok(create(api), 201)
        path = f"/api/v1/cases/{ref}/statements"
        wrong_kind = api.post(path, "handler", {"kind": "response", "template_id": template["id"]})
        assert wrong_kind.status_code == 422 and wrong_kind.json()["field"] == "template_id"
        both = api.post(path, "handler", {"kind": "initial_information", "template_id": template["id"], "text": "x"})
        assert both.status_code == 422
        neither = api.post(path, "handler", {"kind": "initial_information"})
        assert neither.status_code == 422
        # An id no row can have (beyond the database's integers: the API contract's fuzzer found a 500 here).
        huge = api.post(path, "handler", {"kind": "initial_information", "template_id": 122310600500143412215808})
        assert huge.status_code == 422 and huge.json()["field"] == "template_id", huge.text
        api.ok(api.post(f"/api/v1/templates/{template['id']}/retire", "office"))
        retired = api.post(path, "handler", {"kind": "initial_information", "template_id": template["id"]})
        assert retired.status_code == 422
        assert [e for e in api.events(ref) if e["kind"] == "statement_created"] == []

    def test_preview(self, api: Api, session: Session) -> None:
        ref = case_in_progress(session, now=FIXED_NOW, outlet="VnExpress").reference
        template = api.ok(create(api, text="{outlet}: {case_reference}"), 201)
        preview = api.ok(api.get(f"/api/v1/cases/{ref}/templates/{template['id']}", "handler"))
        assert preview["text"] == f"VnExpress: {ref}"
