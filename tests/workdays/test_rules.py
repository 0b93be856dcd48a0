"""The counting rules of the Civil Code (Art. 147–148) on the Vietnamese working-day calendar: one named test a rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.timeutil import LOCAL_TZ
from app.workdays.rules import Calendar, DayKind, PeriodUnit, due_at, explain, last_working_day

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

# The 2026 swaps announced for civil servants (legal.md §4.4): Tết Dương lịch 1–4 Jan with Friday 2 Jan off and
# Saturday 10 Jan worked; Quốc khánh 29 Aug – 2 Sep with Monday 31 Aug off and Saturday 22 Aug worked.
CAL_2026 = Calendar(
    extra_off=frozenset({date(2026, 1, 2), date(2026, 8, 31)}),
    makeup=frozenset({date(2026, 1, 10), date(2026, 8, 22)}),
    descriptions={date(2026, 1, 2): "Nghỉ Tết Dương lịch (hoán đổi)", date(2026, 1, 10): "Làm bù cho ngày 02/01"},
)
PLAIN = Calendar()


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def end_of(y: int, m: int, d: int) -> datetime:
    """24:00 local of the day, i.e. 00:00 local of the next one."""
    return local(y, m, d) + timedelta(days=1)


class TestHours:
    def test_a_24_hour_clock_runs_on_the_wall_clock_across_a_weekend(self) -> None:
        start = local(2026, 11, 27, 20, 0)  # a Friday evening
        assert due_at(start, 24, PeriodUnit.HOURS, CAL_2026) == local(2026, 11, 28, 20, 0)  # Saturday evening

    def test_a_24_hour_clock_runs_through_tet(self) -> None:
        start = local(2026, 2, 16, 10, 30)  # Giao thừa, a public holiday
        assert due_at(start, 24, PeriodUnit.HOURS, CAL_2026) == local(2026, 2, 17, 10, 30)

    def test_hours_start_at_the_moment_not_the_next_day(self) -> None:
        start = local(2026, 7, 1, 23, 59)
        assert due_at(start, 6, PeriodUnit.HOURS, PLAIN) == local(2026, 7, 2, 5, 59)


class TestDays:
    def test_days_start_the_day_after_the_event(self) -> None:
        # Received Monday 2 Nov 2026 at 08:00: day 1 is Tuesday 3 Nov, day 30 is Wednesday 2 Dec.
        assert due_at(local(2026, 11, 2, 8), 30, PeriodUnit.DAYS, PLAIN) == end_of(2026, 12, 2)

    def test_a_30_day_period_ending_on_a_sunday_ends_on_monday(self) -> None:
        # 30 days after Friday 30 Oct 2026 is Sunday 29 Nov; the period ends at the end of Monday 30 Nov.
        assert due_at(local(2026, 10, 30, 15), 30, PeriodUnit.DAYS, PLAIN) == end_of(2026, 11, 30)

    def test_a_holiday_on_the_due_date_moves_it_to_the_next_working_day(self) -> None:
        # 30 days after 31 Mar 2026 is Thursday 30 Apr (Ngày Chiến thắng); 1 May is a holiday, 2–3 May a weekend.
        assert due_at(local(2026, 3, 31, 9), 30, PeriodUnit.DAYS, CAL_2026) == end_of(2026, 5, 4)

    def test_an_extra_day_off_on_the_due_date_moves_it(self) -> None:
        # 30 days after 3 Dec 2025 is Friday 2 Jan 2026, an extra day off; then the weekend; Monday 5 Jan.
        assert due_at(local(2025, 12, 3, 9), 30, PeriodUnit.DAYS, CAL_2026) == end_of(2026, 1, 5)
        assert due_at(local(2025, 12, 3, 9), 30, PeriodUnit.DAYS, PLAIN) == end_of(2026, 1, 2)

    def test_a_period_ending_on_a_makeup_saturday_ends_that_saturday(self) -> None:
        # 30 days after 11 Dec 2025 is Saturday 10 Jan 2026, a make-up working day.
        assert due_at(local(2025, 12, 11, 9), 30, PeriodUnit.DAYS, CAL_2026) == end_of(2026, 1, 10)
        assert due_at(local(2025, 12, 11, 9), 30, PeriodUnit.DAYS, PLAIN) == end_of(2026, 1, 12)

    def test_days_are_counted_in_local_time(self) -> None:
        # 20:30 UTC on 10 Mar is 03:30 on 11 Mar in Hồ Chí Minh City: day 1 is 12 Mar.
        assert due_at(datetime(2026, 3, 10, 20, 30, tzinfo=UTC), 1, PeriodUnit.DAYS, PLAIN) == end_of(2026, 3, 12)

    def test_a_day_ends_at_24_00_local_time(self) -> None:
        due = due_at(local(2026, 11, 2, 8), 30, PeriodUnit.DAYS, PLAIN)
        assert due.astimezone(LOCAL_TZ).isoformat() == "2026-12-03T00:00:00+07:00"
        assert due.isoformat() == "2026-12-02T17:00:00+00:00"


class TestWorkingDays:
    def test_a_15_working_day_reply_across_tet(self) -> None:
        # Received Tuesday 10 Feb 2026. Counted: 11, 12, 13 Feb; 14–22 Feb is the Tết break; 23–27 Feb; 2–6 Mar;
        # 9 and 10 Mar. The 15th working day is Tuesday 10 Mar.
        assert due_at(local(2026, 2, 10, 14), 15, PeriodUnit.WORKING_DAYS, CAL_2026) == end_of(2026, 3, 10)

    def test_a_makeup_saturday_counts(self) -> None:
        # Received Wednesday 7 Jan 2026: Thu 8 (1), Fri 9 (2), Saturday 10 Jan is a make-up working day (3).
        assert due_at(local(2026, 1, 7, 9), 3, PeriodUnit.WORKING_DAYS, CAL_2026) == end_of(2026, 1, 10)
        assert due_at(local(2026, 1, 7, 9), 3, PeriodUnit.WORKING_DAYS, PLAIN) == end_of(2026, 1, 12)

    def test_an_extra_day_off_is_skipped(self) -> None:
        # Received Wednesday 31 Dec 2025: 1 Jan holiday, 2 Jan extra day off, weekend, then 5–9 Jan.
        assert due_at(local(2025, 12, 31, 9), 5, PeriodUnit.WORKING_DAYS, CAL_2026) == end_of(2026, 1, 9)
        assert due_at(local(2025, 12, 31, 9), 5, PeriodUnit.WORKING_DAYS, PLAIN) == end_of(2026, 1, 8)

    def test_weekends_are_skipped(self) -> None:
        # Received Friday 27 Nov 2026: Mon 30 Nov (1), Tue 1 Dec (2).
        assert due_at(local(2026, 11, 27, 9), 2, PeriodUnit.WORKING_DAYS, PLAIN) == end_of(2026, 12, 1)

    def test_the_year_boundary(self) -> None:
        # Received Wednesday 30 Dec 2026: Thu 31 Dec (1); 1 Jan 2027 is Tết Dương lịch; weekend; Mon 4 (2), Tue 5 (3).
        assert due_at(local(2026, 12, 30, 9), 3, PeriodUnit.WORKING_DAYS, PLAIN) == end_of(2027, 1, 5)

    def test_five_working_days_after_a_complaint_is_concluded_on_a_holiday(self) -> None:
        # Concluded on Saturday 29 Aug 2026 (the Quốc khánh break runs to Wednesday 2 Sep): 3, 4, 7, 8, 9 Sep.
        assert due_at(local(2026, 8, 29, 10), 5, PeriodUnit.WORKING_DAYS, CAL_2026) == end_of(2026, 9, 9)

    def test_the_lunar_holidays_come_from_the_holidays_package(self) -> None:
        assert PLAIN.kind(date(2026, 2, 17)) == DayKind.HOLIDAY  # Tết Nguyên Đán
        assert PLAIN.kind(date(2025, 1, 29)) == DayKind.HOLIDAY
        assert PLAIN.label(date(2026, 2, 17)) == "Tết Nguyên Đán"
        assert PLAIN.kind(date(2026, 4, 27)) == DayKind.HOLIDAY  # Giỗ Tổ Hùng Vương (10/3 âm lịch), observed

    def test_a_makeup_day_wins_over_a_holiday(self) -> None:
        cal = Calendar(makeup=frozenset({date(2026, 11, 24)}))
        assert cal.kind(date(2026, 11, 24)) == DayKind.MAKEUP
        assert cal.is_working_day(date(2026, 11, 24))


class TestFixed:
    def test_a_fixed_due_time_moves_only_by_its_extension_in_hours(self) -> None:
        fixed = local(2026, 11, 30, 17)
        assert due_at(local(2026, 11, 27, 9), 0, PeriodUnit.FIXED, PLAIN, fixed=fixed) == fixed
        assert due_at(local(2026, 11, 27, 9), 4, PeriodUnit.FIXED, PLAIN, fixed=fixed) == local(2026, 11, 30, 21)


class TestExplain:
    def test_lists_each_skipped_day_with_its_reason(self) -> None:
        result = explain(local(2026, 1, 7, 9), 3, PeriodUnit.WORKING_DAYS, CAL_2026)
        assert [(d.day.day, d.kind, d.counted, d.number) for d in result.days] == [
            (8, DayKind.WORKING, True, 1),
            (9, DayKind.WORKING, True, 2),
            (10, DayKind.MAKEUP, True, 3),
        ]
        across_new_year = explain(local(2025, 12, 31, 9), 2, PeriodUnit.WORKING_DAYS, CAL_2026)
        kinds = [(d.day, d.kind, d.label) for d in across_new_year.days if not d.counted]
        assert kinds == [
            (date(2026, 1, 1), DayKind.HOLIDAY, "Tết Dương lịch"),
            (date(2026, 1, 2), DayKind.EXTRA_OFF, "Nghỉ Tết Dương lịch (hoán đổi)"),
            (date(2026, 1, 3), DayKind.WEEKEND, None),
            (date(2026, 1, 4), DayKind.WEEKEND, None),
        ]

    def test_marks_the_days_added_when_the_last_day_is_not_a_working_day(self) -> None:
        result = explain(local(2026, 10, 30, 15), 30, PeriodUnit.DAYS, PLAIN)
        assert result.nominal_last_day == date(2026, 11, 29)
        assert [(d.day, d.rolled_forward) for d in result.days[-1:]] == [(date(2026, 11, 30), True)]
        assert len(result.days) == 31

    def test_holiday_names_in_english(self) -> None:
        result = explain(local(2026, 2, 13, 9), 1, PeriodUnit.WORKING_DAYS, PLAIN, language="en")
        assert "Lunar New Year" in {d.label for d in result.days}


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), st.integers(min_value=1, max_value=40))
def test_a_working_day_period_always_ends_on_a_working_day_after_the_start(start: date, n: int) -> None:
    last = last_working_day(start, n, CAL_2026)
    assert last > start
    assert CAL_2026.is_working_day(last)
    worked = sum(CAL_2026.is_working_day(start + timedelta(days=i)) for i in range(1, (last - start).days + 1))
    assert worked == n


@pytest.mark.parametrize("unit", [PeriodUnit.DAYS, PeriodUnit.WORKING_DAYS])
def test_a_period_in_days_lasts_at_least_a_day(unit: PeriodUnit) -> None:
    with pytest.raises(ValueError):
        due_at(local(2026, 1, 5), 0, unit, PLAIN)
