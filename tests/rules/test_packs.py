"""The legal rule packs: their dates, the pack a case gets, and the basis each trigger cites (a contract)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest

from app.cases.vocabulary import LegalTrigger
from app.rules.extract import extract_pack_names
from app.rules.packs import all_packs, pack_for, pack_for_day
from app.timeutil import LOCAL_TZ

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

T = LegalTrigger


def test_the_two_packs_and_their_dates() -> None:
    assert [(p.code, p.effective_from, p.effective_to) for p in all_packs()] == [
        ("decree-09-2017", date(2017, 3, 30), date(2026, 6, 30)),
        ("decree-244-2026", date(2026, 7, 1), None),
    ]


@pytest.mark.parametrize(
    ("received", "code"),
    [
        (datetime(2026, 6, 30, 23, 59, tzinfo=LOCAL_TZ), "decree-09-2017"),
        (datetime(2026, 7, 1, 0, 0, tzinfo=LOCAL_TZ), "decree-244-2026"),
        (datetime(2026, 6, 30, 17, 30, tzinfo=UTC), "decree-244-2026"),  # 00:30 on 1 July in Hồ Chí Minh City
        (datetime(2017, 3, 30, 8, 0, tzinfo=LOCAL_TZ), "decree-09-2017"),
    ],
)
def test_a_case_is_judged_by_the_pack_in_force_on_its_local_received_date(received: datetime, code: str) -> None:
    pack = pack_for(received)
    assert pack is not None and pack.code == code


def test_before_the_first_pack_there_is_none() -> None:
    assert pack_for_day(date(2017, 3, 29)) is None


BASES_244 = {
    T.MAJOR_EVENT: ("Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3", 24, "hours", "received"),
    T.DIVIDED_OPINION: ("Nghị định 244/2026/NĐ-CP, Điều 7 khoản 4", 24, "hours", "impact_determined"),
    T.EDITOR_REPLY_REQUEST: ("Nghị định 237/2026/NĐ-CP, Điều 18 khoản 1", 30, "days", "received"),
    T.PRESS_FORWARDED_FEEDBACK: ("Nghị định 237/2026/NĐ-CP, Điều 18 khoản 3", 15, "working_days", "received"),
    T.PRESS_FORWARDED_COMPLAINT: (
        "Nghị định 237/2026/NĐ-CP, Điều 18 khoản 2",
        5,
        "working_days",
        "complaint_concluded",
    ),
    T.PETITION_OUTSIDE_COMPETENCE: ("Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d", 5, "working_days", "received"),
}
BASES_09 = {
    T.MAJOR_EVENT: ("Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm a", 24, "hours", "occurred"),
    T.DIVIDED_OPINION: ("Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm a", 24, "hours", "occurred"),
    T.EDITOR_REPLY_REQUEST: ("Luật Báo chí 2016, Điều 39", 30, "days", "received"),
    T.PRESS_FORWARDED_FEEDBACK: ("Luật Báo chí 2016, Điều 39", 30, "days", "received"),
    T.PRESS_FORWARDED_COMPLAINT: ("Luật Báo chí 2016, Điều 39", 30, "days", "received"),
    T.PETITION_OUTSIDE_COMPETENCE: ("Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d", 5, "working_days", "received"),
}


@pytest.mark.parametrize(("code", "expected"), [("decree-244-2026", BASES_244), ("decree-09-2017", BASES_09)])
def test_each_trigger_cites_its_basis(code: str, expected: dict[LegalTrigger, tuple[str, int, str, str]]) -> None:
    pack = next(p for p in all_packs() if p.code == code)
    for trigger in LegalTrigger:
        clocks = pack.clocks_for(trigger)
        if trigger in (T.PRESS_REQUEST, T.UNTRUE_REPORT):
            assert clocks == ()  # no statutory time limit: only internal targets
            assert any(o.trigger == trigger for o in pack.obligations)
            continue
        if trigger == T.CITIZEN_INFORMATION_REQUEST:  # Luật Tiếp cận thông tin 2016, Điều 30: 3 and 15 working days
            assert [(c.basis, c.length, c.unit.value) for c in clocks] == [
                ("Luật Tiếp cận thông tin 2016, Điều 30", 3, "working_days"),
                ("Luật Tiếp cận thông tin 2016, Điều 30", 15, "working_days"),
            ]
            continue
        (clock,) = clocks
        assert (clock.basis, clock.length, clock.unit.value, clock.start_event.value) == expected[trigger]
        assert not clock.may_pause


def test_decree_09_falls_back_to_the_received_time() -> None:
    pack = next(p for p in all_packs() if p.code == "decree-09-2017")
    (clock,) = pack.clocks_for(T.MAJOR_EVENT)
    assert clock.fallback_start_event is not None and clock.fallback_start_event.value == "received"


def test_the_names_are_extracted_for_translation() -> None:
    path = Path(__file__).resolve().parents[2] / "app/rules/packs/decree-244-2026.json"
    names = [m for _line, _func, m, _comments in extract_pack_names(BytesIO(path.read_bytes()), [], [], options={})]
    assert "Phát ngôn, cung cấp thông tin ban đầu cho báo chí" in names
