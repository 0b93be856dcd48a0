"""GET /api/v1/reports/…: the yearly report of Decree 244/2026 Art. 10 on hand-built cases (on time, late, missed,
refused, rebutted, either side of 14/15 December), the dashboard, the scorecards, and their CSV/XLSX files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.cases import service as cases
from app.cases.models import Case
from app.cases.workflow import Action, CloseReason
from app.clocks import actions as clock_actions
from app.clocks.models import Clock
from app.press_events.models import PressEventCreate, PressEventKind
from app.press_events.service import create_press_event
from app.timeutil import LOCAL_TZ
from tests.conftest import Clock as SettableClock
from tests.factories import actor, case_in_progress, make_case, publish_statement, standard_org, token


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A local time (Asia/Ho_Chi_Minh) as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


NOW = at(12, 18, 10)


def _close(session: Session, case: Case, when: datetime, reason: CloseReason) -> None:
    cases.transition_case(session, actor=actor(session, "office"), case=case, action=Action.CLOSE, now=when,
                          reason=reason, note="Không cần phát ngôn.")  # fmt: skip


def _event(session: Session, kind: PressEventKind, when: datetime, title: str, refs: list[str]) -> None:
    data = PressEventCreate(kind=kind, held_at=when, title=title, spokesperson_name="Võ Thanh Bình", cases=refs)
    create_press_event(session, actor=actor(session, "office"), data=data, now=when)


@pytest.fixture
def year(session: Session, clock: SettableClock) -> dict[str, str]:
    """Cases around the end of the 2026 report year (15 Dec 2025 – 14 Dec 2026); now is 18 Dec 2026."""
    standard_org(session, at(11, 1))
    clock.set(NOW)
    refs: dict[str, str] = {}

    def new(name: str, received: datetime, trigger: str | None, source: str = "press_article",
            **fields: Any) -> Case:  # fmt: skip
        case = make_case(session, by="office", now=received, received_at=received, legal_trigger=trigger,
                         source_kind=source, title=f"Vụ việc {name}", **fields)  # type: ignore[arg-type]  # fmt: skip
        refs[name] = case.reference
        return case

    def working(name: str, received: datetime, trigger: str | None, source: str = "press_article",
                unit: str = "GDTrH") -> Case:  # fmt: skip
        case = case_in_progress(session, now=received, unit=unit, received_at=received, legal_trigger=trigger,
                                source_kind=source, title=f"Vụ việc {name}")  # fmt: skip
        refs[name] = case.reference
        return case

    initial = "initial_information"
    # Art. 7.3: 24 hours from receipt.
    publish_statement(session, new("A", at(12, 1), "major_event"), kind=initial, at=at(12, 1, 15))  # 6 h: on time
    publish_statement(session, new("B", at(12, 2), "major_event"), kind=initial, at=at(12, 4))  # 48 h: late
    _close(session, new("C", at(12, 3), "major_event"), at(12, 5), CloseReason.NO_ACTION)  # missed
    new("D", at(12, 10), "major_event")  # nothing yet: overdue
    e = new("E", at(12, 5), "major_event")
    clock_id = session.exec(select(Clock.id).where(Clock.case_id == e.id)).first()
    assert clock_id is not None
    clock_actions.extend_clock(session, actor=actor(session, "spokesperson"), reference=e.reference, clock_id=clock_id,
                               by=12, reason="Chờ kết quả xác minh.", now=at(12, 5, 20), locale="vi")  # fmt: skip
    publish_statement(session, e, kind=initial, at=at(12, 6, 15))  # 30 h: within the extension, late for the law
    # received on the last evening of the year, answered the next morning: on time, in the 2026 report
    publish_statement(session, new("F", at(12, 14, 23, 30), "major_event"), kind=initial, at=at(12, 15, 8))
    new("G", at(12, 15, 0, 10), "major_event")  # the first minutes of the 2027 report year
    new("H", at(12, 7), "divided_opinion")  # impact never determined: the clock has not started
    _close(session, new("I", at(12, 8), "major_event"), at(12, 8, 10), CloseReason.DUPLICATE)  # counts nowhere
    _close(session, new("J", at(12, 9), "major_event"), at(12, 9, 12), CloseReason.NO_ACTION)  # stopped in time
    # Requests from the press.
    publish_statement(session, working("K", at(12, 10), "press_request"), kind="refusal", at=at(12, 11, 10),
                      refusal_ground="proceedings_pending", refusal_reason="Đang thanh tra.")  # fmt: skip
    publish_statement(session, working("L", at(12, 13), None, "press_inquiry"), kind="response", at=at(12, 14, 10))
    new("M", at(12, 4), None, "press_inquiry")  # not answered
    new("N", at(12, 4, 10), "press_request")  # answered at the press conference below
    publish_statement(session, working("O", at(12, 11), "editor_reply_request"), kind="response", at=at(12, 12))
    publish_statement(session, new("P", at(12, 1, 10), "major_event", "press_inquiry"), kind=initial,
                      at=at(12, 1, 12))  # fmt: skip
    # Art. 7.6: untrue reports.
    publish_statement(session, working("Q", at(12, 5), "untrue_report"), kind="rebuttal", at=at(12, 6))
    publish_statement(session, working("R", at(12, 5), "untrue_report", unit="GDTH"), kind="response", at=at(12, 6))
    new("S", at(12, 15, 8), "untrue_report")
    # Press events.
    _event(session, PressEventKind.PRESS_CONFERENCE, at(12, 5, 14), "Họp báo tháng 12", [refs["N"]])
    _event(session, PressEventKind.EXTERNAL_PRESS_CONFERENCE, at(12, 6, 14), "Họp báo của UBND Thành phố", [])
    _event(session, PressEventKind.PRESS_BRIEFING, at(12, 14, 23), "Giao ban báo chí", [])
    _event(session, PressEventKind.PRESS_BRIEFING, at(12, 15, 1), "Giao ban đầu năm báo cáo 2027", [])
    session.flush()
    return refs


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, at(11, 1))


def annual(client: TestClient, who: str = "office", **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/reports/annual", params=params, headers=token(client, who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_number(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {i["number"]: i for i in report["indicators"]}


def outcomes(indicator: dict[str, Any], refs: dict[str, str]) -> dict[str, str]:
    names = {v: k for k, v in refs.items()}
    return {names[c["reference"]]: c["outcome"] for c in indicator["cases"]}


class TestAnnualReport:
    def test_the_contract(self, client: TestClient, year: dict[str, str]) -> None:
        report = annual(client, year=2026)
        assert report["period"] == {"start": "2025-12-15", "end": "2026-12-14", "year": 2026}
        assert len(report["indicators"]) == 6
        codes = [i["code"] for i in report["indicators"]]
        assert codes == ["press_conferences", "press_briefings", "press_replies", "unusual_cases_spoken",
                         "statements_on_time", "untrue_reports_rebutted"]  # fmt: skip
        for i in report["indicators"]:
            assert {"number", "code", "label", "label_en", "numerator", "denominator", "cases"} <= i.keys()
            assert (i["denominator"] is None) == (i["number"] in (1, 2))
        first = report["indicators"][0]
        assert first["label"] == "Số cuộc họp báo tổ chức trong năm"
        assert first["label_en"] == "Number of press conferences held in the year"

    def test_1_and_2_press_conferences_and_briefings(self, client: TestClient, year: dict[str, str]) -> None:
        ind = by_number(annual(client, year=2026))
        assert ind[1]["numerator"] == 1
        assert [e["title"] for e in ind[1]["events"]] == ["Họp báo tháng 12"]
        assert [c["reference"] for c in ind[1]["cases"]] == [year["N"]]
        assert ind[2]["numerator"] == 1  # 14 Dec 23:00 counts; 15 Dec 01:00 is next year's
        assert by_number(annual(client, year=2027))[2]["numerator"] == 1

    def test_3_replies_to_press_requests(self, client: TestClient, year: dict[str, str]) -> None:
        ind = by_number(annual(client, year=2026))[3]
        assert outcomes(ind, year) == {
            "K": "answered",  # a refusal with its reason is a reply
            "L": "answered",  # a journalist's question without a trigger
            "M": "not_answered",
            "N": "answered",  # at the press conference
            "O": "answered",  # the editor's request (Decree 237/2026 Art. 18.1)
            "P": "not_answered",  # initial information only
        }
        assert (ind["numerator"], ind["denominator"]) == (4, 6)
        assert ind["rate"] == pytest.approx(4 / 6)

    def test_4_unusual_cases_spoken(self, client: TestClient, year: dict[str, str]) -> None:
        ind = by_number(annual(client, year=2026))[4]
        spoken = {"A", "B", "E", "F", "K", "L", "N", "P"}
        assert outcomes(ind, year) == {n: "spoken" if n in spoken else "not_spoken"
                                       for n in "ABCDEFHJKLMNP"}  # fmt: skip
        assert (ind["numerator"], ind["denominator"]) == (8, 13)
        provisions = {c["reference"]: c["provision"] for c in ind["cases"]}
        assert provisions[year["A"]] == "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3"
        assert provisions[year["H"]] == "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 4"
        assert provisions[year["M"]] == "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 5"

    def test_5_on_time_against_the_24_hours(self, client: TestClient, year: dict[str, str]) -> None:
        ind = by_number(annual(client, year=2026))[5]
        assert outcomes(ind, year) == {
            "A": "on_time", "B": "late", "C": "overdue", "D": "overdue",
            "E": "late",  # met within the spokesperson's extension, but after the law's 24 hours
            "F": "on_time", "P": "on_time",
        }  # fmt: skip
        assert (ind["numerator"], ind["denominator"]) == (3, 7)
        assert [c["reference"] for c in ind["pending"]] == [year["H"]]
        assert {c["reference"] for c in ind["cases"] if c["counted"]} == {year["A"], year["F"], year["P"]}

    def test_6_written_feedback_on_untrue_reports(self, client: TestClient, year: dict[str, str]) -> None:
        ind = by_number(annual(client, year=2026))[6]
        assert outcomes(ind, year) == {"Q": "rebutted", "R": "not_rebutted"}
        assert (ind["numerator"], ind["denominator"]) == (1, 2)

    def test_the_next_year_starts_on_15_december(self, client: TestClient, year: dict[str, str]) -> None:
        ind = by_number(annual(client, year=2027))
        assert outcomes(ind[4], year) == {"G": "not_spoken"}
        assert outcomes(ind[5], year) == {"G": "overdue"}
        assert outcomes(ind[6], year) == {"S": "not_rebutted"}
        assert (ind[3]["numerator"], ind[3]["denominator"]) == (0, 0) and ind[3]["rate"] is None

    def test_the_default_period_contains_today(self, client: TestClient, year: dict[str, str]) -> None:
        assert annual(client)["period"]["year"] == 2027  # 18 Dec 2026 belongs to the 2027 report

    def test_explicit_dates(self, client: TestClient, year: dict[str, str]) -> None:
        report = annual(client, **{"from": "2026-12-01", "to": "2026-12-02"})
        assert report["period"] == {"start": "2026-12-01", "end": "2026-12-02", "year": None}
        assert outcomes(by_number(report)[5], year) == {"A": "on_time", "B": "late", "P": "on_time"}

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"year": 2026, "from": "2026-01-01"}, "year"), ({"from": "2026-01-01"}, "to"),
         ({"from": "2026-02-01", "to": "2026-01-01"}, "from")],
    )  # fmt: skip
    def test_bad_periods(self, client: TestClient, org: None, params: dict[str, Any], field: str) -> None:
        response = client.get("/api/v1/reports/annual", params=params, headers=token(client, "office"))
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationFailed"
        assert response.json()["field"] == field
        assert client.get("/api/v1/reports/annual?year=1999", headers=token(client, "office")).status_code == 422
        assert client.get("/api/v1/reports/annual?from=xx&to=yy", headers=token(client, "office")).status_code == 422

    def test_who_may_read_it(self, client: TestClient, year: dict[str, str]) -> None:
        assert client.get("/api/v1/reports/annual").status_code == 401
        assert client.get("/api/v1/reports/annual", headers=token(client, "handler")).status_code == 403
        for who in ("spokesperson", "director", "admin"):
            assert annual(client, who, year=2026)["scope"] == "all"
        # A unit head's report covers the cases of the unit.
        head = annual(client, "head", year=2026)
        assert head["scope"] == "units"
        assert outcomes(by_number(head)[6], year) == {"Q": "rebutted"}
        assert set(outcomes(by_number(head)[3], year)) == {"K", "L", "O"}


def _csv(response_bytes: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response_bytes.decode("utf-8-sig"))))


class TestAnnualExports:
    def test_csv_has_the_same_numbers(self, client: TestClient, year: dict[str, str]) -> None:
        report = by_number(annual(client, year=2026))
        response = client.get("/api/v1/reports/annual.csv?year=2026", headers=token(client, "office"))
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="bao-cao-nam-2026.csv"'
        rows = _csv(response.content)
        assert rows[0][:7] == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Kết quả", "Tử số", "Mẫu số", "Tỷ lệ (%)"]
        for row in rows[1:]:
            ind = report[int(row[0])]
            assert row[1] == ind["code"] and row[2] == ind["label"]
            assert int(row[4]) == ind["numerator"]
            assert (row[5] or None) == (str(ind["denominator"]) if ind["denominator"] is not None else None)
            counted = {c["reference"] for c in ind["cases"] if c["counted"]}
            assert set(filter(None, row[7].split("; "))) == counted
        assert rows[5][3] == "3 / 7" and rows[5][6] == "42.9"

    def test_xlsx_opens_with_the_same_numbers_and_the_cases(self, client: TestClient, year: dict[str, str]) -> None:
        report = by_number(annual(client, year=2026))
        headers = {**token(client, "office"), "Accept-Language": "en"}
        response = client.get("/api/v1/reports/annual.xlsx?year=2026", headers=headers)
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        assert workbook.sheetnames == ["Indicator", "Cases"]
        rows = list(workbook["Indicator"].iter_rows(values_only=True))
        assert rows[0][:3] == ("No.", "Indicator code", "Indicator")
        for row in rows[1:]:
            ind = report[row[0]]
            assert (row[4], row[5]) == (ind["numerator"], ind["denominator"])
            assert row[2] == ind["label_en"]
        lines = list(workbook["Cases"].iter_rows(values_only=True))[1:]
        assert sum(1 for line in lines if line[0] == 5) == 8  # seven counted in the denominator + one pending
        assert {line[1] for line in lines if line[0] == 6} == {year["Q"], year["R"]}


class TestDashboard:
    def test_figures(self, client: TestClient, year: dict[str, str]) -> None:
        response = client.get("/api/v1/reports/dashboard?year=2026", headers=token(client, "office"))
        assert response.status_code == 200, response.text
        d = response.json()
        assert (d["total"], d["duplicates"]) == (16, 1)
        sources = {c["code"]: c["count"] for c in d["by_source_kind"]}
        assert sources["press_inquiry"] == 3 and sources["press_article"] == 13
        units = {c["code"]: c["count"] for c in d["by_unit"]}
        assert units == {None: 11, "GDTrH": 4, "GDTH": 1}
        assert sum(c["count"] for c in d["by_topic"]) == sum(c["count"] for c in d["by_severity"]) == 16
        # First notice: 2, 6, 8.5, 24 ×3, 25 ×2, 30 and 48 hours after receipt.
        initial = d["time_to_initial_information"]
        assert (initial["count"], initial["of"]) == (10, 16)
        assert initial["median_hours"] == pytest.approx(24)
        assert initial["p90_hours"] == pytest.approx(31.8)
        final = d["time_to_final_response"]
        assert (final["count"], final["median_hours"], final["p90_hours"]) == (5, pytest.approx(24), pytest.approx(25))
        k3 = next(c for c in d["clocks"] if c["basis"] == "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3")
        # A, E (within its extension), F, P on time; B late; C missed; D overdue; J stopped; I a duplicate
        assert (k3["on_time"], k3["late"], k3["missed"], k3["overdue"], k3["running"]) == (4, 1, 1, 1, 0)
        assert k3["rate"] == pytest.approx(4 / 7)
        assert d["timeline"][-1] == {"start": "2026-12-01", "count": 16}
        assert d["granularity"] == "month"

    def test_open_and_overdue_now(self, client: TestClient, session: Session, year: dict[str, str]) -> None:
        d = client.get("/api/v1/reports/dashboard?year=2026", headers=token(client, "office")).json()
        everything = session.exec(select(Case)).all()
        open_cases = [c for c in everything if c.status.value not in ("published", "closed")]
        assert d["now"]["open"] == len(open_cases)
        assert d["now"]["overdue"] == sum(1 for c in open_cases if c.next_due_at and c.next_due_at < NOW)
        assert d["now"]["overdue"] >= 2  # D and G, at least

    def test_csv_and_xlsx(self, client: TestClient, year: dict[str, str]) -> None:
        d = client.get("/api/v1/reports/dashboard?year=2026", headers=token(client, "office")).json()
        rows = _csv(client.get("/api/v1/reports/dashboard.csv?year=2026", headers=token(client, "office")).content)
        assert rows[0] == ["Nhóm", "Mục", "Mã", "Chỉ số", "Giá trị"]
        assert rows[1] == ["Tổng số", "", "", "Số vụ việc", "16"]
        topics = {r[2]: int(r[4]) for r in rows if r[0] == "Lĩnh vực"}
        assert topics == {c["code"]: c["count"] for c in d["by_topic"]}
        response = client.get("/api/v1/reports/dashboard.xlsx?year=2026", headers=token(client, "office"))
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        assert sheet is not None
        values = list(sheet.iter_rows(values_only=True))
        assert values[1] == ("Tổng số", None, None, "Số vụ việc", 16)


class TestScorecards:
    def test_per_unit(self, client: TestClient, year: dict[str, str]) -> None:
        response = client.get("/api/v1/reports/units?year=2026", headers=token(client, "office"))
        assert response.status_code == 200
        items = {u["code"]: u for u in response.json()["items"]}
        trh = items["GDTrH"]
        assert (trh["cases_led"], trh["cases_answered"], trh["notices"]) == (4, 4, 4)  # K, L, O, Q
        assert items["GDTH"]["cases_led"] == 1 and items["GDTH"]["notices"] == 1
        assert "VP" in items  # every division and the office are listed, even without cases
        # The unit's own clocks: 2 working days to submit, met on time when submitted at once.
        assert trh["on_time"] == 4 and trh["rate"] == 1.0

    def test_a_unit_head_sees_the_row_of_the_unit(self, client: TestClient, year: dict[str, str]) -> None:
        response = client.get("/api/v1/reports/units?year=2026", headers=token(client, "head"))
        assert [u["code"] for u in response.json()["items"]] == ["GDTrH"]

    def test_files(self, client: TestClient, year: dict[str, str]) -> None:
        rows = _csv(client.get("/api/v1/reports/units.csv?year=2026", headers=token(client, "office")).content)
        line = next(r for r in rows if r[0] == "GDTrH")
        assert line[1] == "Phòng Giáo dục Trung học" and line[2] == "4"
        response = client.get("/api/v1/reports/units.xlsx?year=2026", headers=token(client, "office"))
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        assert sheet is not None
        assert any(r[0] == "GDTrH" and r[2] == 4 for r in sheet.iter_rows(values_only=True))


class TestAnnualCaseLines:
    """The case lines behind the numbers come a page at a time (a year can hold hundreds of thousands)."""

    def test_the_report_holds_the_first_lines_and_the_totals(self, client: TestClient, year: dict[str, str]) -> None:
        whole = by_number(annual(client, year=2026))
        short = by_number(annual(client, year=2026, lines=2))
        assert [c["reference"] for c in short[4]["cases"]] == [c["reference"] for c in whole[4]["cases"][:2]]
        assert short[4]["cases_total"] == whole[4]["cases_total"] == whole[4]["denominator"] == 13
        assert short[4]["cases_cursor"] and whole[4]["cases_cursor"] is None
        assert (short[5]["pending_total"], whole[5]["pending_cursor"]) == (1, None)
        assert short[1]["cases_total"] == 1 and short[1]["cases_cursor"] is None  # the cases raised at events: whole
        totals = by_number(annual(client, year=2026, lines=0))
        assert totals[4]["cases"] == [] and totals[4]["numerator"] == 8

    def test_following_the_cursor_walks_every_line_once(self, client: TestClient, year: dict[str, str]) -> None:
        whole = by_number(annual(client, year=2026))[4]["cases"]
        cursor = by_number(annual(client, year=2026, lines=3))[4]["cases_cursor"]
        seen = [c["reference"] for c in whole[:3]]
        while cursor:
            params = {"year": 2026, "cursor": cursor, "limit": 4}
            response = client.get("/api/v1/reports/annual/4/cases", params=params, headers=token(client, "office"))
            assert response.status_code == 200, response.text
            page = response.json()
            assert page["number"] == 4 and page["pending"] is False and len(page["items"]) <= 4
            seen += [c["reference"] for c in page["items"]]
            cursor = page["next_cursor"]
        assert seen == [c["reference"] for c in whole]
        received = [c["received_at"] for c in whole]
        assert received == sorted(received)

    def test_pending_lines_and_event_cases(self, client: TestClient, year: dict[str, str]) -> None:
        headers = token(client, "office")
        pending = client.get("/api/v1/reports/annual/5/cases?year=2026&pending=true", headers=headers).json()
        assert [c["reference"] for c in pending["items"]] == [year["H"]] and pending["next_cursor"] is None
        raised = client.get("/api/v1/reports/annual/1/cases?year=2026", headers=headers).json()
        assert [c["reference"] for c in raised["items"]] == [year["N"]]

    def test_a_cursor_is_for_its_own_list(self, client: TestClient, year: dict[str, str]) -> None:
        headers = token(client, "office")
        cursor = by_number(annual(client, year=2026, lines=1))[3]["cases_cursor"]
        for url in (f"/api/v1/reports/annual/4/cases?year=2026&cursor={cursor}",  # another indicator's
                    "/api/v1/reports/annual/3/cases?year=2026&cursor=2026-01-01T00:00:00~1.made-up",
                    f"/api/v1/reports/annual/3/cases?year=2026&pending=true&cursor={cursor}"):  # fmt: skip
            response = client.get(url, headers=headers)
            assert response.status_code == 400, url
            assert response.json()["field"] == "cursor"
        assert (
            client.get(f"/api/v1/reports/annual/3/cases?year=2026&cursor={cursor}", headers=headers).status_code == 200
        )
        assert client.get("/api/v1/reports/annual/7/cases?year=2026", headers=headers).status_code == 422
        assert client.get("/api/v1/reports/annual?year=2026&lines=1001", headers=headers).status_code == 422
        assert (
            client.get("/api/v1/reports/annual/3/cases?year=2026", headers=token(client, "handler")).status_code == 403
        )

    def test_every_line_streamed_as_csv(self, client: TestClient, year: dict[str, str]) -> None:
        report = by_number(annual(client, year=2026))
        response = client.get("/api/v1/reports/annual/cases.csv?year=2026", headers=token(client, "office"))
        assert response.status_code == 200
        assert response.headers["content-disposition"] == 'attachment; filename="bao-cao-nam-vu-viec-2026.csv"'
        rows = _csv(response.content)
        assert rows[0] == ["STT chỉ tiêu", "Mã vụ việc", "Tiêu đề", "Thời điểm tiếp nhận (giờ Việt Nam)", "Căn cứ",
                           "Kết quả", "Được tính vào tử số"]  # fmt: skip
        expected = [(n, c["reference"]) for n in range(1, 7) for c in [*report[n]["cases"], *report[n]["pending"]]]
        assert [(int(r[0]), r[1]) for r in rows[1:]] == expected
        counted = {r[1] for r in rows[1:] if r[0] == "5" and r[6] == "Có"}
        assert counted == {year["A"], year["F"], year["P"]}
