"""Statements through the HTTP API: drafting, versions and diffs, the approval path, authority, notices."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.errors import NotFound
from app.notices import service as notices
from tests.conftest import FIXED_NOW, Clock
from tests.factories import appoint_spokesperson, case_in_progress, make_case, standard_org
from tests.statements.helpers import CHECKLIST, Api


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def ref(session: Session, org: None) -> str:
    """A case of Phòng GDTrH, in progress, answering a press article."""
    case = case_in_progress(session, now=FIXED_NOW, outlet="Báo Tuổi Trẻ", source_url="https://tuoitre.example.vn/a",
                            topic="education_quality", received_at=FIXED_NOW - timedelta(hours=3))  # fmt: skip
    return case.reference


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in events]


class TestDrafting:
    def test_a_handler_drafts_version_1(self, api: Api, ref: str) -> None:
        body = api.draft(ref, text="Sở đã nắm thông tin và chỉ đạo kiểm tra.")
        assert isinstance(body["id"], int)
        assert body["version"] == 1
        assert body["status"] == "draft"
        assert body["kind"] == "response" and body["main"] is True
        assert body["text_sha256"] == sha("Sở đã nắm thông tin và chỉ đạo kiểm tra.")
        assert body["versions"][0]["author"]["username"] == "handler"
        assert body["allowed_actions"] == ["add_version"]  # the handler may not submit
        event = api.events(ref)[-1]
        assert event["kind"] == "statement_created"
        assert event["data"] == {"statement_id": body["id"], "statement_kind": "response", "version": 1}

    def test_versions_keep_author_time_and_text(self, api: Api, ref: str, clock: Clock) -> None:
        sid = api.draft(ref, text="Bản 1")["id"]
        clock.advance(minutes=10)
        api.version(sid, "Bản 2", who="office")
        clock.advance(minutes=10)
        body = api.version(sid, "Bản 3", who="head", title="Trả lời Báo Tuổi Trẻ")
        assert body["version"] == 3 and body["text"] == "Bản 3" and body["title"] == "Trả lời Báo Tuổi Trẻ"
        assert [(v["number"], v["text"], v["author"]["username"], v["created_at"]) for v in body["versions"]] == [
            (1, "Bản 1", "handler", "2026-11-27T02:00:00Z"),
            (2, "Bản 2", "office", "2026-11-27T02:10:00Z"),
            (3, "Bản 3", "head", "2026-11-27T02:20:00Z"),
        ]
        first = api.ok(api.get(f"/api/v1/statements/{sid}/versions/1", "handler"))
        assert first["text"] == "Bản 1" and first["text_sha256"] == sha("Bản 1")
        assert api.get(f"/api/v1/statements/{sid}/versions/9", "handler").status_code == 404
        assert kinds(api.events(ref))[-2:] == ["statement_version_added", "statement_version_added"]

    def test_a_version_must_change_something(self, api: Api, ref: str) -> None:
        sid = api.draft(ref, text="Giống nhau")["id"]
        response = api.post(f"/api/v1/statements/{sid}/versions", "handler", {"text": "Giống nhau"})
        assert response.status_code == 422 and response.json()["field"] == "text"

    def test_a_stale_base_version_is_a_conflict(self, api: Api, ref: str) -> None:
        sid = api.draft(ref, text="v1")["id"]
        api.version(sid, "v2", base_version=1)
        response = api.post(f"/api/v1/statements/{sid}/versions", "office", {"text": "v3", "base_version": 1})
        assert response.status_code == 409

    def test_text_is_stored_in_one_form(self, api: Api, ref: str) -> None:
        body = api.draft(ref, text="Dòng 1\r\nDòng 2")
        assert body["text"] == "Dòng 1\nDòng 2"
        for bad in ("", "   \n ", "nul \x00"):
            response = api.post(f"/api/v1/cases/{ref}/statements", "handler", {"kind": "initial_information",
                                                                                "text": bad})  # fmt: skip
            assert response.status_code == 422, bad

    def test_scope_other_units_and_roles(self, api: Api, ref: str) -> None:
        response = api.post(f"/api/v1/cases/{ref}/statements", "handler2", {"kind": "response", "text": "x"})
        assert response.status_code == 404
        sid = api.draft(ref)["id"]
        assert api.get(f"/api/v1/statements/{sid}", "handler2").status_code == 404
        assert api.post(f"/api/v1/statements/{sid}/versions", "handler2", {"text": "y"}).status_code == 404
        assert api.post(f"/api/v1/cases/{ref}/statements", "admin", {"kind": "response", "text": "x"}).status_code \
            == 403  # fmt: skip

    def test_the_main_statement_waits_for_the_unit(self, api: Api, session: Session, org: None) -> None:
        fresh = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH").reference
        response = api.post(f"/api/v1/cases/{fresh}/statements", "office", {"kind": "response", "text": "x"})
        assert response.status_code == 409
        # An initial-information statement can be drafted at once (the 24-hour clock runs from receipt).
        api.draft(fresh, who="office", kind="initial_information", text="Sở đã tiếp nhận thông tin.")

    def test_one_open_main_statement_at_a_time(self, api: Api, ref: str) -> None:
        api.draft(ref)
        response = api.post(f"/api/v1/cases/{ref}/statements", "head", {"kind": "rebuttal", "text": "x"})
        assert response.status_code == 409
        api.draft(ref, kind="initial_information")  # does not count

    def test_a_refusal_needs_its_legal_ground_and_a_reason(self, api: Api, ref: str) -> None:
        url = f"/api/v1/cases/{ref}/statements"
        cases_ = [({}, "refusal_ground"), ({"refusal_ground": "state_secret"}, "refusal_reason"),
                  ({"refusal_ground": "policy_draft", "refusal_reason": "x"}, "refusal_ground"),
                  ({"refusal_ground": "nonsense", "refusal_reason": "x"}, "refusal_ground")]  # fmt: skip
        for extra, field in cases_:
            response = api.post(url, "handler", {"kind": "refusal", "text": "Sở từ chối cung cấp.", **extra})
            assert response.status_code == 422, extra
            assert field in response.text, extra
        body = api.draft(ref, kind="refusal", text="Sở từ chối cung cấp thông tin.",
                         refusal_ground="proceedings_pending",
                         refusal_reason="Vụ việc đang được Thanh tra Sở xác minh, chưa có kết luận.")  # fmt: skip
        assert body["refusal"]["ground"] == "proceedings_pending"
        assert body["refusal"]["basis"].startswith("Luật Báo chí 2025, Điều 31 khoản 2")
        wrong = api.post(url, "handler", {"kind": "initial_information", "text": "x", "refusal_ground": "state_secret"})
        assert wrong.status_code == 422
        # A later version keeps the ground unless it changes it, and cannot drop it.
        sid = body["id"]
        kept = api.version(sid, "Sở từ chối cung cấp thông tin (sửa).")
        assert kept["refusal"]["ground"] == "proceedings_pending"
        dropped = api.post(f"/api/v1/statements/{sid}/versions", "handler", {"text": "y", "refusal_ground": None})
        assert dropped.status_code == 422

    def test_comments(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        comment = api.ok(api.post(f"/api/v1/statements/{sid}/comments", "office",
                                  {"text": "Đề nghị rút gọn đoạn 2.", "version": 1}), 201)  # fmt: skip
        assert comment["kind"] == "comment" and comment["version"] == 1 and comment["author"]["username"] == "office"
        assert api.post(f"/api/v1/statements/{sid}/comments", "office", {"text": "x", "version": 5}).status_code == 422
        listed = api.ok(api.get(f"/api/v1/statements/{sid}/comments", "handler"))["items"]
        assert [c["text"] for c in listed] == ["Đề nghị rút gọn đoạn 2."]

    def test_listing_a_cases_statements(self, api: Api, ref: str) -> None:
        first = api.draft(ref, kind="initial_information", text="Thông tin ban đầu.")
        second = api.draft(ref, text="Trả lời.")
        items = api.ok(api.get(f"/api/v1/cases/{ref}/statements", "handler"))["items"]
        assert [(i["id"], i["kind"], i["main"]) for i in items] == [
            (first["id"], "initial_information", False), (second["id"], "response", True),
        ]  # fmt: skip


class TestDiff:
    def test_any_two_versions(self, api: Api, ref: str) -> None:
        sid = api.draft(ref, text="Đoàn kiểm tra làm việc ngày 27/11.\nKết quả sẽ công bố sau.")["id"]
        api.version(sid, "Đoàn thanh tra làm việc ngày 27/11.\nKết quả sẽ công bố sau.")
        api.version(sid, "Đoàn thanh tra làm việc ngày 28/11.\nKết quả sẽ công bố sau.\nLiên hệ Văn phòng Sở.")
        body = api.ok(api.get(f"/api/v1/statements/{sid}/diff", "handler", params={"from": 1, "to": 3}))
        assert (body["from_version"], body["to_version"]) == (1, 3)
        assert body["unified"].splitlines()[:2] == ["--- v1", "+++ v3"]
        assert "-Đoàn kiểm tra làm việc ngày 27/11." in body["unified"]
        assert "+Liên hệ Văn phòng Sở." in body["unified"]
        assert [r["kind"] for r in body["rows"]] == ["replace", "equal", "insert"]
        changed = [s["text"] for s in body["rows"][0]["right_segments"] if s["changed"]]
        assert changed == ["thanh", "28"]
        assert (body["added"], body["removed"]) == (2, 1)
        default = api.ok(api.get(f"/api/v1/statements/{sid}/diff", "office"))
        assert (default["from_version"], default["to_version"]) == (2, 3)
        backwards = api.ok(api.get(f"/api/v1/statements/{sid}/diff?from=3&to=1", "office"))
        assert "+Đoàn kiểm tra làm việc ngày 27/11." in backwards["unified"]

    def test_bad_versions(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        assert api.get(f"/api/v1/statements/{sid}/diff?from=1&to=4", "office").status_code == 404
        assert api.get(f"/api/v1/statements/{sid}/diff?from=abc", "office").status_code == 422
        assert api.get(f"/api/v1/statements/{sid}/diff?from=0", "office").status_code == 422
        assert api.get("/api/v1/statements/999999/diff", "office").status_code == 404


class TestApproval:
    def test_the_path_drives_the_case(self, api: Api, ref: str) -> None:
        sid = api.draft(ref, text="Trả lời chính thức.")["id"]
        assert api.post(f"/api/v1/statements/{sid}/submit", "handler").status_code == 403
        submitted = api.submit(sid)
        assert submitted["status"] == "submitted" and submitted["submitted_by"]["username"] == "head"
        assert api.case(ref)["status"] == "awaiting_approval"
        approved = api.approve(sid)
        assert approved["status"] == "approved"
        approval = approved["approval"]
        assert approval["approver"]["username"] == "spokesperson"
        assert approval["capacity"] == "standing_spokesperson"
        assert approval["approver_title"] == "Chánh Văn phòng Sở"
        assert approval["regime"] == "decree-244-2026"
        assert approval["basis"] == "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 2 điểm b"
        assert approval["text_sha256"] == sha("Trả lời chính thức.")
        assert approval["checklist"] == CHECKLIST["checklist"]
        assert approval["approved_at"] == "2026-11-27T02:00:00Z"
        assert api.case(ref)["status"] == "approved"
        events = api.events(ref)
        assert [(e["kind"], e["action"], e["to_status"]) for e in events if e["kind"] == "transition"][-2:] == [
            ("transition", "submit", "awaiting_approval"), ("transition", "approve", "approved"),
        ]  # fmt: skip
        approved_event = next(e for e in events if e["kind"] == "statement_approved")
        assert approved_event["data"]["capacity"] == "standing_spokesperson"
        assert approved_event["data"]["text_sha256"] == sha("Trả lời chính thức.")

    def test_a_handler_cannot_approve_a_spokesperson_can(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.submit(sid)
        for who in ("handler", "head", "office", "admin"):
            response = api.post(f"/api/v1/statements/{sid}/approve", who, CHECKLIST)
            assert response.status_code == 403, who
        assert api.ok(api.get(f"/api/v1/statements/{sid}", "handler"))["status"] == "submitted"
        assert "approve" in api.ok(api.get(f"/api/v1/statements/{sid}", "spokesperson"))["allowed_actions"]
        assert api.approve(sid)["status"] == "approved"

    def test_the_director_approves_as_the_head(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.submit(sid)
        approval = api.approve(sid, who="director")["approval"]
        assert approval["capacity"] == "director" and approval["approver_title"] == "Giám đốc Sở"

    def test_the_spokesperson_role_alone_is_not_authority(self, api: Api, ref: str) -> None:
        appointment = api.ok(api.get("/api/v1/spokespersons/appointments", "office"))["items"][0]
        api.ok(api.post(f"/api/v1/spokespersons/appointments/{appointment['id']}/end", "director", {"note": "Nghỉ"}))
        sid = api.draft(ref)["id"]
        api.submit(sid)
        response = api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", CHECKLIST)
        assert response.status_code == 403
        assert "thẩm quyền phát ngôn" in response.json()["detail"]

    def test_the_checklist_must_be_complete(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.submit(sid)
        for missing in ("no_state_secret", "no_private_data", "no_pending_proceedings"):
            checklist = {**CHECKLIST["checklist"], missing: False}
            response = api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", {"checklist": checklist})
            assert response.status_code == 422
            assert response.json()["field"] == f"checklist.{missing}"
        partial = api.post(f"/api/v1/statements/{sid}/approve", "spokesperson",
                           {"checklist": {"no_state_secret": True}})  # fmt: skip
        assert partial.json()["field"] == "checklist.no_private_data"
        assert api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", {}).status_code == 422
        for almost in ("on", "1", "yes", "true", 1):  # a legal confirmation: JSON true, nothing that looks like it
            loose = {**CHECKLIST["checklist"], "no_state_secret": almost}
            response = api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", {"checklist": loose})
            assert response.status_code == 422, almost
            assert response.json()["fields"][0]["field"] == "checklist.no_state_secret"
        english = api.client.post(f"/api/v1/statements/{sid}/approve", json={"checklist": {}},
                                  headers={**api.headers("spokesperson"), "Cookie": "lang=en"})  # fmt: skip
        assert "state secret" in english.json()["detail"]
        assert api.ok(api.get(f"/api/v1/statements/{sid}", "office"))["status"] == "submitted"
        assert api.case(ref)["status"] == "awaiting_approval"

    def test_approving_a_stale_version_is_a_conflict(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.version(sid, "Bản sửa")
        api.submit(sid)
        response = api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", {**CHECKLIST, "version": 1})
        assert response.status_code == 409
        assert api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", {**CHECKLIST, "version": 2}).status_code \
            == 200  # fmt: skip

    def test_return_with_a_comment(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.submit(sid)
        assert api.post(f"/api/v1/statements/{sid}/return", "spokesperson", {}).status_code == 422
        assert api.post(f"/api/v1/statements/{sid}/return", "head", {"comment": "x"}).status_code == 403
        body = api.ok(api.post(f"/api/v1/statements/{sid}/return", "spokesperson",
                               {"comment": "Bổ sung số liệu học sinh bị ảnh hưởng."}))  # fmt: skip
        assert body["status"] == "returned"
        assert body["comments"][-1]["kind"] == "return"
        assert body["comments"][-1]["text"] == "Bổ sung số liệu học sinh bị ảnh hưởng."
        assert api.case(ref)["status"] == "in_progress"
        returned = next(e for e in api.events(ref) if e["kind"] == "statement_returned")
        assert returned["note"] == "Bổ sung số liệu học sinh bị ảnh hưởng."
        # The unit reworks and submits again.
        api.version(sid, "Bản bổ sung số liệu.")
        api.submit(sid)
        assert api.approve(sid)["version"] == 2

    def test_submitting_while_the_case_is_on_hold_is_refused(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.ok(api.post(f"/api/v1/cases/{ref}/transitions", "head", {"action": "hold", "note": "Chờ Công an"}))
        response = api.post(f"/api/v1/statements/{sid}/submit", "head")
        assert response.status_code == 409
        assert api.ok(api.get(f"/api/v1/statements/{sid}", "head"))["status"] == "draft"


class TestAuthorisation:
    def _authorise(self, api: Api, ref: str, who: str = "head", until: str = "2026-11-30",
                   by: str = "director") -> Any:  # fmt: skip
        body = {"username": who, "number": "12/GUQ-SGDĐT", "signed_on": "2026-11-27", "valid_until": until,
                "title": "Trưởng phòng Giáo dục Trung học", "matters": "Trả lời báo chí về vụ việc"}  # fmt: skip
        return api.post(f"/api/v1/cases/{ref}/authorisations", by, body)

    def test_valid_for_that_case_only_until_its_end_date(self, api: Api, session: Session, ref: str,
                                                         clock: Clock) -> None:  # fmt: skip
        other = case_in_progress(session, now=FIXED_NOW).reference
        grant = api.ok(self._authorise(api, ref), 201)
        assert grant["in_force"] is True
        assert grant["valid_until"] == "2026-11-30T17:00:00Z"  # 24:00 on 30/11, local time
        sid = api.draft(ref, text="Trả lời")["id"]
        api.submit(sid)
        other_sid = api.draft(other, text="Trả lời khác")["id"]
        api.submit(other_sid)
        assert api.post(f"/api/v1/statements/{other_sid}/approve", "head", CHECKLIST).status_code == 403
        approval = api.approve(sid, who="head")["approval"]
        assert approval["capacity"] == "authorised"
        assert approval["authorisation_id"] == grant["id"]
        assert approval["approver_title"] == "Trưởng phòng Giáo dục Trung học"
        # After the end date, it approves nothing.
        api.version(sid, "Trả lời (sửa)", who="office")
        api.submit(sid)
        clock.set(datetime(2026, 11, 30, 16, 59, tzinfo=UTC))
        api.relogin()
        api.ok(api.post(f"/api/v1/statements/{sid}/return", "head", {"comment": "Sửa thêm"}))
        api.version(sid, "Trả lời (sửa lần 2)")
        api.submit(sid)
        clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
        api.relogin()
        assert api.post(f"/api/v1/statements/{sid}/approve", "head", CHECKLIST).status_code == 403
        listed = api.ok(api.get(f"/api/v1/cases/{ref}/authorisations", "office"))["items"]
        assert [g["in_force"] for g in listed] == [False]
        events = [e for e in api.events(ref) if e["kind"] == "authorisation_granted"]
        assert events[0]["data"]["authorisation_id"] == grant["id"]

    def test_revoked_approves_nothing(self, api: Api, ref: str, clock: Clock) -> None:
        grant = api.ok(self._authorise(api, ref), 201)
        sid = api.draft(ref)["id"]
        api.submit(sid)
        clock.advance(minutes=5)
        assert api.post(f"/api/v1/authorisations/{grant['id']}/revoke", "head", {"reason": "x"}).status_code == 403
        revoked = api.ok(api.post(f"/api/v1/authorisations/{grant['id']}/revoke", "director",
                                  {"reason": "Giám đốc trực tiếp phát ngôn."}))  # fmt: skip
        assert revoked["in_force"] is False and revoked["revoked_by"]["username"] == "director"
        assert api.post(f"/api/v1/statements/{sid}/approve", "head", CHECKLIST).status_code == 403
        assert api.post(f"/api/v1/authorisations/{grant['id']}/revoke", "director", {"reason": "x"}).status_code \
            == 409  # fmt: skip
        assert "authorisation_revoked" in kinds(api.events(ref))

    def test_an_authorised_person_cannot_authorise_anyone(self, api: Api, ref: str) -> None:
        api.ok(self._authorise(api, ref), 201)
        for who in ("head", "spokesperson", "office"):
            response = self._authorise(api, ref, who="handler", by=who)
            assert response.status_code == 403, who
        assert len(api.ok(api.get(f"/api/v1/cases/{ref}/authorisations", "office"))["items"]) == 1

    def test_grant_validation(self, api: Api, ref: str) -> None:
        assert self._authorise(api, ref, who="director").status_code == 422  # already a spokesperson by law
        assert self._authorise(api, ref, who="handler2").status_code == 422  # cannot see the case
        assert self._authorise(api, ref, who="nobody").status_code == 422
        assert self._authorise(api, ref, until="2026-11-26").status_code == 422  # ends before it starts
        late = api.post(f"/api/v1/cases/{ref}/authorisations", "director",
                        {"username": "head", "number": "1/GUQ", "signed_on": "2026-12-01",
                         "valid_until": "2026-12-05"})  # fmt: skip
        assert late.status_code == 422 and late.json()["field"] == "signed_on"


class TestDecree09:
    def test_no_standing_spokesperson_for_a_case_received_before_july_2026(self, api: Api, session: Session,
                                                                            org: None) -> None:  # fmt: skip
        old = case_in_progress(session, now=FIXED_NOW, received_at=datetime(2026, 6, 20, 3, 0, tzinfo=UTC))
        sid = api.draft(old.reference)["id"]
        api.submit(sid)
        response = api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", CHECKLIST)
        assert response.status_code == 403
        approval = api.approve(sid, who="director")["approval"]
        assert (approval["capacity"], approval["regime"]) == ("director", "decree-09-2017")
        assert approval["basis"] == "Nghị định 09/2017/NĐ-CP, Điều 3 khoản 2"

    def test_a_deputy_authorised_for_an_old_case(self, api: Api, session: Session, org: None) -> None:
        old = case_in_progress(session, now=FIXED_NOW, received_at=datetime(2026, 6, 20, 3, 0, tzinfo=UTC))
        body = {"username": "spokesperson", "number": "3/GUQ-SGDĐT", "signed_on": "2026-11-27",
                "valid_until": "2026-12-31", "title": "Phó Giám đốc Sở"}  # fmt: skip
        refused = api.post(f"/api/v1/cases/{old.reference}/authorisations", "director", body)
        assert refused.status_code == 422 and refused.json()["field"] == "deputy"  # 09/2017: only a deputy
        assert "cấp phó" in refused.json()["detail"]
        grant = api.ok(api.post(f"/api/v1/cases/{old.reference}/authorisations", "director",
                                {**body, "deputy": True}), 201)  # fmt: skip
        assert grant["deputy"] is True
        sid = api.draft(old.reference)["id"]
        api.submit(sid)
        approval = api.approve(sid)["approval"]
        assert (approval["capacity"], approval["regime"]) == ("authorised", "decree-09-2017")
        assert approval["approver_title"] == "Phó Giám đốc Sở"
        refusal = api.draft(old.reference, kind="initial_information", text="x")
        assert refusal["status"] == "draft"


class TestEditAfterApproval:
    def test_voids_the_approval_and_publishing_is_refused(self, api: Api, ref: str, clock: Clock) -> None:
        sid = api.draft(ref, text="Bản đã duyệt.")["id"]
        api.submit(sid)
        api.approve(sid)
        clock.advance(minutes=3)
        edited = api.version(sid, "Bản sửa sau khi duyệt.", who="office")
        assert edited["status"] == "draft"
        assert edited["approval"] is None and edited["approved"] is False
        voided = edited["approvals"][0]
        assert voided["valid"] is False and voided["voided_at"] == "2026-11-27T02:03:00Z"
        assert voided["voided_by"]["username"] == "office"
        assert api.case(ref)["status"] == "in_progress"
        events = api.events(ref)
        void_event = next(e for e in events if e["kind"] == "approval_voided")
        assert void_event["data"]["approval_id"] == voided["id"] and void_event["data"]["version"] == 2
        refused = api.post(f"/api/v1/statements/{sid}/publish", "office")
        assert refused.status_code == 409
        # Approving the new text is a new approval of the new hash; that one publishes.
        api.submit(sid)
        approval = api.approve(sid)["approval"]
        assert approval["text_sha256"] == sha("Bản sửa sau khi duyệt.") != voided["text_sha256"]
        notice = api.publish(sid)
        assert notice["text"] == "Bản sửa sau khi duyệt."
        assert notice["text_sha256"] == approval["text_sha256"]


class TestPublish:
    def test_the_notice_is_the_approved_text_numbered(self, api: Api, ref: str) -> None:
        text = "Sở GD&ĐT thông báo kết quả xác minh:\n- Nội dung 1.\n- Nội dung 2."
        sid = api.draft(ref, text=text, title="Kết quả xác minh vụ việc")["id"]
        api.submit(sid)
        approved = api.approve(sid)
        for who in ("spokesperson", "handler", "head", "director"):
            assert api.post(f"/api/v1/statements/{sid}/publish", who).status_code == 403, who
        notice = api.publish(sid)
        assert notice["number"] == "1/TB-SGDĐT" and notice["slug"] == "2026-tb-1"
        assert (notice["notice_type"], notice["year"], notice["kind"]) == ("TB", 2026, "response")
        assert notice["title"] == "Kết quả xác minh vụ việc"
        assert notice["text"] == text
        assert notice["text_sha256"] == approved["approval"]["text_sha256"] == sha(text)
        assert notice["spokesperson"] == {"name": "Võ Thanh Bình", "title": "Chánh Văn phòng Sở",
                                          "capacity": "standing_spokesperson"}  # fmt: skip
        assert notice["case_reference"] == ref and notice["topic"] == "education_quality"
        assert notice["answers"]["outlet"] == "Báo Tuổi Trẻ"
        assert notice["answers"]["url"] == "https://tuoitre.example.vn/a"
        assert notice["published_at"] == "2026-11-27T02:00:00Z" and notice["scheduled"] is False
        assert api.case(ref)["status"] == "published"
        events = api.events(ref)
        published = [e for e in events if e["kind"] == "notice_published"]
        assert published[0]["data"] == {"statement_id": sid, "statement_kind": "response",
                                        "notice_number": "1/TB-SGDĐT",
                                        "published_at": "2026-11-27T02:00:00+00:00"}  # fmt: skip
        assert "notice_scheduled" not in kinds(events)
        statement = api.ok(api.get(f"/api/v1/statements/{sid}", "handler"))
        assert statement["status"] == "published" and statement["notice"]["number"] == "1/TB-SGDĐT"
        assert statement["allowed_actions"] == []
        # Final: no new version, no second publication.
        assert api.post(f"/api/v1/statements/{sid}/versions", "office", {"text": "x"}).status_code == 409
        assert api.post(f"/api/v1/statements/{sid}/publish", "office").status_code == 409
        staff = api.ok(api.get("/api/v1/notices/2026-tb-1", "office"))
        assert staff["statement_id"] == sid and staff["issued_by"]["username"] == "office"
        assert api.ok(api.get("/api/v1/notices/1/TB-SGDĐT", "office"))["slug"] == "2026-tb-1"

    def test_initial_information_does_not_move_the_case(self, api: Api, ref: str) -> None:
        first = api.published(ref, kind="initial_information", text="Sở đã tiếp nhận và đang xác minh.",
                              submitter="office")  # fmt: skip
        assert first["number"] == "1/TC-SGDĐT"
        assert api.case(ref)["status"] == "in_progress"
        second = api.published(ref, kind="initial_information", text="Cập nhật thông tin ban đầu.")
        assert second["number"] == "2/TC-SGDĐT"
        response = api.published(ref, text="Trả lời chính thức.")
        assert response["number"] == "1/TB-SGDĐT"
        assert api.case(ref)["status"] == "published"
        transitions = [e["action"] for e in api.events(ref) if e["kind"] == "transition"]
        assert transitions == ["assign", "accept", "submit", "approve", "publish"]
        # After the case is published, an initial information is still possible (it never moves the case).
        late = api.published(ref, kind="initial_information", text="Bổ sung.")
        assert late["number"] == "3/TC-SGDĐT" and api.case(ref)["status"] == "published"

    def test_a_published_refusal_carries_its_ground(self, api: Api, ref: str) -> None:
        notice = api.published(ref, kind="refusal", text="Sở chưa cung cấp thông tin về nội dung này.",
                               refusal_ground="criminal_case_pending",
                               refusal_reason="Vụ việc đang được cơ quan Công an điều tra.")  # fmt: skip
        assert notice["refusal"] == {
            "ground": "criminal_case_pending",
            "basis": "Luật Báo chí 2025, Điều 31 khoản 2; Nghị định 244/2026/NĐ-CP, Điều 4 khoản 3",
            "reason": "Vụ việc đang được cơ quan Công an điều tra.",
        }
        assert notice["number"] == "1/TB-SGDĐT"

    def test_nothing_moves_on_a_closed_case(self, api: Api, ref: str) -> None:
        api.published(ref, text="Trả lời.")
        sid = api.draft(ref, kind="initial_information", text="Cập nhật.")["id"]
        api.submit(sid, "office")
        api.ok(api.post(f"/api/v1/cases/{ref}/transitions", "office", {"action": "close"}))
        for path, who, body in ((f"/api/v1/statements/{sid}/approve", "spokesperson", CHECKLIST),
                                (f"/api/v1/statements/{sid}/versions", "office", {"text": "x"}),
                                (f"/api/v1/cases/{ref}/statements", "office",
                                 {"kind": "initial_information", "text": "x"})):  # fmt: skip
            assert api.post(path, who, body).status_code == 409, path
        assert api.ok(api.get(f"/api/v1/statements/{sid}", "spokesperson"))["allowed_actions"] == []
        api.ok(api.post(f"/api/v1/cases/{ref}/transitions", "office", {"action": "reopen"}))
        assert api.approve(sid)["status"] == "approved"

    def test_an_unknown_notice_is_404(self, api: Api, org: None) -> None:
        for key in ("2026-tc-99", "99/TC-SGDĐT", "nonsense"):
            assert api.get(f"/api/v1/notices/{key}", "office").status_code == 404


class TestCorrections:
    def test_a_correction_links_to_the_notice_and_the_history_stays(self, api: Api, ref: str, session: Session,
                                                                    clock: Clock) -> None:  # fmt: skip
        original = api.published(ref, kind="initial_information", text="Sự việc xảy ra ngày 25/11.")
        clock.advance(hours=1)
        correction = api.draft(ref, kind="correction", text="Đính chính: sự việc xảy ra ngày 24/11.",
                               corrects=original["number"])  # fmt: skip
        assert correction["corrects"]["slug"] == "2026-tc-1"
        api.submit(correction["id"])
        api.approve(correction["id"])
        notice = api.publish(correction["id"])
        assert notice["number"] == "1/TB-SGDĐT"
        assert notice["corrects"]["number"] == "1/TC-SGDĐT" and notice["withdraws"] is False
        assert api.case(ref)["status"] == "in_progress"
        public = notices.get_published(session, "2026-tc-1", clock.now)
        assert public.text == "Sự việc xảy ra ngày 25/11."  # never changed
        assert [n.number for n in public.corrected_by] == ["1/TB-SGDĐT"]
        assert public.withdrawn is False
        assert [n.number for n in public.history] == ["1/TC-SGDĐT", "1/TB-SGDĐT"]
        again = notices.get_published(session, "2026-tb-1", clock.now)
        assert [n.number for n in again.history] == ["1/TC-SGDĐT", "1/TB-SGDĐT"]

    def test_a_withdrawal_marks_the_earlier_notice(self, api: Api, ref: str, session: Session, clock: Clock) -> None:
        original = api.published(ref, kind="initial_information", text="Thông tin có sai sót.")
        withdrawal = api.published(ref, kind="correction", text="Sở thu hồi thông cáo số 1/TC-SGDĐT.",
                                   corrects="2026-tc-1", withdraw=True)  # fmt: skip
        assert withdrawal["withdraws"] is True
        public = notices.get_published(session, original["slug"], clock.now)
        assert public.withdrawn is True and public.withdrawn_by is not None
        assert public.withdrawn_by.number == withdrawal["number"]
        assert public.text == "Thông tin có sai sót."
        listed, _cursor = notices.list_published(session, clock.now)
        assert {n.number for n in listed} == {"1/TC-SGDĐT", "1/TB-SGDĐT"}  # the history stays visible
        twice = api.post(f"/api/v1/cases/{ref}/statements", "handler",
                         {"kind": "correction", "text": "x", "corrects": "2026-tc-1", "withdraw": True})  # fmt: skip
        assert twice.status_code == 409

    def test_a_correction_names_a_notice_of_its_case(self, api: Api, ref: str, session: Session) -> None:
        other = case_in_progress(session, now=FIXED_NOW).reference
        elsewhere = api.published(other, kind="initial_information", text="Thông tin khác.")
        url = f"/api/v1/cases/{ref}/statements"
        for body in ({"kind": "correction", "text": "x"},
                     {"kind": "correction", "text": "x", "corrects": elsewhere["number"]},
                     {"kind": "correction", "text": "x", "corrects": "2026-tc-77"},
                     {"kind": "response", "text": "x", "corrects": elsewhere["number"]}):  # fmt: skip
            response = api.post(url, "handler", body)
            assert response.status_code == 422, body
            assert response.json()["field"] == "corrects"


class TestEmbargo:
    def test_visible_everywhere_at_its_minute(self, api: Api, ref: str, session: Session, clock: Clock) -> None:
        sid = api.draft(ref, text="Công bố lúc 11:00.")["id"]
        api.submit(sid)
        api.approve(sid)
        notice = api.publish(sid, at="2026-11-27T11:00:30+07:00")
        assert notice["published_at"] == "2026-11-27T04:00:00Z" and notice["scheduled"] is True
        assert api.case(ref)["status"] == "published"
        events = api.events(ref)
        scheduled = next(e for e in events if e["kind"] == "notice_scheduled")
        published = next(e for e in events if e["kind"] == "notice_published")
        data = {"statement_id": sid, "statement_kind": "response", "notice_number": "1/TB-SGDĐT",
                "published_at": "2026-11-27T04:00:00+00:00"}  # fmt: skip
        assert scheduled["data"] == published["data"] == data
        assert scheduled["at"] == "2026-11-27T02:00:00Z"
        assert published["at"] == "2026-11-27T04:00:00Z"  # dated at the minute the notice becomes public
        for at in (clock.now, datetime(2026, 11, 27, 3, 59, 59, tzinfo=UTC)):
            with pytest.raises(NotFound):
                notices.get_published(session, "2026-tb-1", at)
            with pytest.raises(NotFound):
                notices.get_published(session, "1/TB-SGDĐT", at)
            assert notices.list_published(session, at)[0] == []
        assert api.ok(api.get("/api/v1/notices/2026-tb-1", "office"))["scheduled"] is True
        clock.set(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
        assert notices.get_published(session, "2026-tb-1", clock.now).text == "Công bố lúc 11:00."
        assert [n.number for n in notices.list_published(session, clock.now)[0]] == ["1/TB-SGDĐT"]
        assert api.ok(api.get("/api/v1/notices/2026-tb-1", "office"))["scheduled"] is False

    def test_the_minute_must_be_ahead(self, api: Api, ref: str) -> None:
        sid = api.draft(ref)["id"]
        api.submit(sid)
        api.approve(sid)
        for at in ("2026-11-27T08:59:00+07:00", "2026-11-27T09:00:20+07:00", "2027-03-01T09:00:00+07:00", "soon"):
            response = api.post(f"/api/v1/statements/{sid}/publish", "office", {"at": at})
            assert response.status_code == 422, at
        assert api.ok(api.get(f"/api/v1/statements/{sid}", "office"))["status"] == "approved"


class TestClocks:
    """The statement path feeds the deadline engine (its events): initial information meets the 24-hour clock."""

    def statutory(self, api: Api, ref: str) -> dict[str, Any]:
        items = api.ok(api.get(f"/api/v1/cases/{ref}/clocks", "office"))["items"]
        found = [c for c in items if c["origin"] == "statutory"]
        assert len(found) == 1, found
        return found[0]

    def test_initial_information_meets_the_24_hour_clock(self, api: Api, session: Session, org: None,
                                                         clock: Clock) -> None:  # fmt: skip
        ref = case_in_progress(session, now=FIXED_NOW, legal_trigger="major_event",
                               received_at=FIXED_NOW - timedelta(hours=3)).reference  # fmt: skip
        assert self.statutory(api, ref)["state"] == "running"
        clock.advance(hours=2)
        api.relogin()
        notice = api.published(ref, kind="initial_information", text="Sở đã tiếp nhận, đang xác minh.",
                               submitter="office")  # fmt: skip
        met = self.statutory(api, ref)
        assert met["state"] == "met_on_time"
        assert met["met_at"] is not None and datetime.fromisoformat(met["met_at"]) == datetime.fromisoformat(
            notice["published_at"].replace("Z", "+00:00")
        )
        assert api.case(ref)["status"] == "in_progress"

    def test_an_embargoed_answer_meets_the_clock_at_its_minute(self, api: Api, session: Session, org: None,
                                                               clock: Clock) -> None:  # fmt: skip
        ref = case_in_progress(session, now=FIXED_NOW, legal_trigger="major_event",
                               received_at=FIXED_NOW - timedelta(hours=23)).reference  # fmt: skip
        sid = api.draft(ref, text="Trả lời, công bố lúc 10:30.")["id"]
        api.submit(sid)
        api.approve(sid)
        api.publish(sid, at="2026-11-27T10:30:00+07:00")  # 24 hours end at 10:00 local time: late
        met = self.statutory(api, ref)
        assert datetime.fromisoformat(met["met_at"]) == datetime(2026, 11, 27, 3, 30, tzinfo=UTC)
        assert met["state"] == "met_late"
