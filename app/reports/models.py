"""The schemas of the reports: the yearly report (Decree 244/2026 Art. 10), the dashboard, the unit scorecards.

Reports are computed by the database from the cases, their clocks, notices and the press events when asked
(``annual.py``, ``service.py``); the case lines behind the yearly report's numbers come a page at a time. The four
tables at the end keep, per local day of receipt, what of the dashboard does not depend on *now*, and which days are
stale (``daily.py``).
Labels (``label``, ``outcome_label`` …) are in the caller's language; codes are stable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.cases.vocabulary import LegalTrigger, SourceKind
from app.db import UTCDateTime
from app.press_events.models import PressEventKind

Scope = Literal["all", "units"]  # every case, or only those of the reader's units (a unit head)


class PeriodRead(BaseModel):
    start: date  # local date, inclusive
    end: date  # local date, inclusive
    year: int | None  # the report year (15 Dec of the year before – 14 Dec), when the period is one


class IndicatorCaseRead(BaseModel):
    reference: str
    title: str
    received_at: datetime
    source_kind: SourceKind
    legal_trigger: LegalTrigger | None
    provision: str | None  # the provision the case falls under, in its official form
    outcome: str  # answered, not_answered, spoken, not_spoken, on_time, late, overdue, pending, rebutted, …
    outcome_label: str
    counted: bool  # in the numerator


class IndicatorEventRead(BaseModel):
    id: int
    kind: PressEventKind
    held_at: datetime
    title: str
    cases: list[str]  # references


class IndicatorRead(BaseModel):
    number: int  # 1–6, the template's order
    code: str  # stable: press_conferences, press_briefings, press_replies, unusual_cases_spoken, …
    label: str  # the template's wording, Vietnamese
    label_en: str
    definition: str  # how it is counted, in the caller's language
    numerator: int
    denominator: int | None  # indicators 3–6 ("x / total")
    rate: float | None  # numerator / denominator
    cases: list[IndicatorCaseRead]  # the cases behind the numbers (for a ratio: the denominator's), first page
    pending: list[IndicatorCaseRead]  # cases of the period not counted yet (indicator 5: time left), first page
    events: list[IndicatorEventRead]  # indicators 1 and 2: the press conferences and briefings counted
    cases_total: int = 0  # how many cases are behind the numbers (``cases`` holds the first ``lines`` of them)
    pending_total: int = 0
    cases_cursor: str | None = None  # continues ``cases``: GET /api/v1/reports/annual/{number}/cases?cursor=
    pending_cursor: str | None = None  # continues ``pending``: the same with pending=true


class IndicatorCasePage(BaseModel):
    """A page of the cases behind an indicator, oldest received first."""

    number: int
    pending: bool
    items: list[IndicatorCaseRead]
    next_cursor: str | None  # None on the last page


class AnnualReport(BaseModel):
    year: int | None
    period: PeriodRead
    as_of: datetime  # outcomes are judged at this moment
    scope: Scope
    indicators: list[IndicatorRead]


# --- dashboard ------------------------------------------------------------------------------------------------


class CountRead(BaseModel):
    code: str | None  # None: no lead unit yet
    label: str
    count: int


class TimelinePoint(BaseModel):
    start: date
    count: int


class BucketsRead(BaseModel):
    on_time: int
    late: int
    missed: int
    overdue: int
    running: int
    decided: int  # on time + late + missed + overdue
    rate: float | None  # on time / decided


class ClockRateRead(BucketsRead):
    origin: str  # statutory, internal, task
    basis: str  # the legal citation, or the internal target's name
    label: str


class UnitRateRead(BucketsRead):
    code: str
    name: str


class DurationRead(BaseModel):
    count: int  # cases that got it
    of: int  # cases of the period
    median_hours: float | None
    p90_hours: float | None


class NowRead(BaseModel):
    open: int
    overdue: int  # open cases whose nearest running clock is past due
    open_by_severity: list[CountRead]
    overdue_by_severity: list[CountRead]


class Dashboard(BaseModel):
    period: PeriodRead
    as_of: datetime
    scope: Scope
    total: int  # cases received in the period (duplicates left out)
    duplicates: int  # cases of the period closed as duplicates (not counted anywhere)
    by_topic: list[CountRead]
    by_unit: list[CountRead]  # by lead unit
    by_source_kind: list[CountRead]
    by_severity: list[CountRead]
    granularity: str  # day, week, month
    timeline: list[TimelinePoint]
    clocks: list[ClockRateRead]  # per clock: legal basis or internal target
    units: list[UnitRateRead]  # per unit: the clocks the unit itself must meet
    time_to_initial_information: DurationRead
    time_to_final_response: DurationRead
    now: NowRead


# --- scorecards -----------------------------------------------------------------------------------------------


class UnitScoreRead(BucketsRead):
    code: str
    name: str
    name_en: str | None
    kind: str
    cases_led: int  # received in the period, led by the unit
    cases_supported: int
    cases_answered: int  # of those led: a response, rebuttal or refusal published
    tasks: int  # information tasks the spokesperson gave the unit on the period's cases
    notices: int  # notices published in the period on cases the unit led or supported


class ScorecardPage(BaseModel):
    period: PeriodRead
    as_of: datetime
    scope: Scope
    items: list[UnitScoreRead]


# --- the emulation scorecard (product §11.7) --------------------------------------------------------------------


class EmulationRow(BaseModel):
    unit: str  # the unit's code
    unit_name: str
    kind: str
    contact_designated: bool  # a communications contact in office on the last day counted
    contact_name: str | None
    target: int  # stories the plan asks of the unit in the school year (two semesters)
    stories_submitted: int  # first submitted to the office in the year
    stories_published: int  # published in the year
    target_met: bool | None  # published ≥ target (None without a target)
    cases_led: int  # cases received in the year that the unit leads
    cases_answered: int  # of those, with a response, rebuttal or refusal published
    clocks_on_time: int  # the unit's own clocks (internal targets, information tasks) met on time
    clocks_missed: int  # the unit's own clocks met late, missed, or past due and still running
    facts_answered: int  # information tasks given in the year and answered
    avg_days_to_facts: float | None  # mean days from an information task to the unit's answer


class EmulationPage(BaseModel):
    school_year: str
    start: date
    end: date
    as_of: datetime
    scope: Scope
    items: list[EmulationRow]


# --- per-day aggregates (``daily.py``; migration 5e1b7c9d3a2f) ---------------------------------------------------

# Derived from the other tables: left out of backups (``app/backup``); an import's inserts mark every day stale.
DERIVED = {"derived": True}

# ``scope_unit_id`` (migration 9d4e2a7c1b85): NULL, the whole Sở's figures; a unit's id, the figures of the cases that
# unit leads or supports (a unit head's scope) — a case counts once in its lead unit's scope and once in each other
# supporting unit's, never twice in one. Reads take one scope and a range of days: the index (scope_unit_id, day),
# covering the columns read on PostgreSQL (an index-only scan: a unit's rows are scattered among the others' days).


def _scoped(table: str, *read: str) -> tuple[Index, dict[str, dict[str, bool]]]:
    index = Index(f"ix_{table}_scope_unit_id_day", "scope_unit_id", "day", postgresql_include=list(read))
    return index, {"info": DERIVED}


class ReportDirty(SQLModel, table=True):
    """A local day of receipt whose aggregates are stale: appended by database triggers on ``case``, ``clock``,
    ``task`` and ``notice`` (never updated), deleted by the refresh that recomputed the day."""

    __tablename__ = "report_dirty"
    __table_args__ = {"info": DERIVED}
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)


class ReportClockDay(SQLModel, table=True):
    """The clocks in a final state (not running, not paused) of the counted cases received on ``day``."""

    __tablename__ = "report_clock_day"
    __table_args__ = _scoped("report_clock_day", "origin", "basis", "state", "unit_id", "name", "n")
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    scope_unit_id: int | None = None
    origin: str = Field(max_length=32)
    basis: str = Field(max_length=300)
    state: str = Field(max_length=32)
    unit_id: int | None = None  # the unit that must meet them (``service._clock_groups``)
    name: str = Field(max_length=300)  # the smallest name of the group
    n: int


class ReportVolumeDay(SQLModel, table=True):
    """The cases received on ``day`` per value of a dimension (topic, lead unit, source kind, severity): the
    counted ones (duplicates left out) and all of them."""

    __tablename__ = "report_volume_day"
    __table_args__ = _scoped("report_volume_day", "dimension", "value", "counted", "n")
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    scope_unit_id: int | None = None
    dimension: str = Field(max_length=32)
    value: str | None = Field(default=None, max_length=64)
    counted: int
    n: int


class ReportDurationCase(SQLModel, table=True):
    """A counted case received on ``day`` that has a notice: the first notice's time and the hours to it from
    receipt, and the same for the first reply (NULL: none). At a moment ``now`` the case counts if ``first_at <=
    now``, its reply if ``reply_at <= now``: the earliest of all notices is ``<= now`` exactly when it is the
    earliest of those ``<= now``."""

    __tablename__ = "report_duration_case"
    __table_args__ = _scoped(
        "report_duration_case", "first_at", "first_hours", "reply_at", "reply_hours", "lead_unit_id"
    )
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    scope_unit_id: int | None = None
    first_at: datetime = Field(sa_type=UTCDateTime)
    first_hours: float
    reply_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    reply_hours: float | None = None
    lead_unit_id: int | None = None  # the units report's cases answered (migration 3c7a9e2d4b61)


class ReportUnitDay(SQLModel, table=True):
    """The units report's parts per day and unit (migration 3c7a9e2d4b61): ``supported`` (counted cases the unit
    supports), ``tasks`` (information tasks given to it on counted cases) and ``answered`` (counted cases it leads
    with a reply, whenever published: a read takes off those of ``report_duration_case`` with ``reply_at`` after
    its *now*) by local day of receipt; ``notices``
    (notices on cases it led or supported) by local day of PUBLICATION. A day marked in ``report_dirty`` is stale
    on both axes."""

    __tablename__ = "report_unit_day"
    __table_args__ = _scoped("report_unit_day", "part", "unit_id", "n")
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    scope_unit_id: int | None = None
    part: str = Field(max_length=16)
    unit_id: int
    n: int
