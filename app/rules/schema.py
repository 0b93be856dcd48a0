"""The legal rule packs' schema (read-only files ``app/rules/packs/<code>.json``) and the vocabulary of clocks
(start events, who acts, what meets a clock). Pure: loading a pack pulls in no database code (``packs.py``); the
Sở's internal targets, a table, are ``models.py``.

A **rule pack** is the law in force over a span of dates: for each legal trigger of a case, the clocks it starts
(name, start event, length and unit, legal basis, who acts, whether it may pause, what meets it).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.cases.vocabulary import LegalTrigger
from app.i18n import Message, _
from app.workdays.rules import PeriodUnit


class StartEvent(StrEnum):
    """The moment a clock starts from."""

    RECEIVED = "received"  # case.received_at: the Sở received (and began handling) the matter
    OCCURRED = "occurred"  # case.occurred_at: the event happened
    IMPACT_DETERMINED = "impact_determined"  # case.impact_determined_at: the Sở found public opinion affected
    COMPLAINT_CONCLUDED = "complaint_concluded"  # case.complaint_concluded_at: the complaint's conclusion
    ASSIGNED = "assigned"  # the case was routed to a unit
    SUBMITTED = "submitted"  # a statement was submitted for approval
    TASK_CREATED = "task_created"  # the spokesperson required a unit to supply information
    CRISIS_DECLARED = "crisis_declared"  # a crisis was declared (or its level changed) on the case
    APPROVED = "approved"  # a statement was approved (signed): the outgoing document must be issued


class MetBy(StrEnum):
    """What answers a clock (besides a manual "met" by the press office)."""

    FIRST_NOTICE = "first_notice"  # any published notice (initial information or more)
    REPLY = "reply"  # a published response, rebuttal or refusal
    SUBMITTED = "submitted"  # the unit submitted its draft
    DECIDED = "decided"  # the spokesperson approved or returned the draft
    TASK_ANSWERED = "task_answered"  # the unit answered the task
    TRANSFERRED = "transferred"  # the case was closed as transferred to the competent body


class ClockActor(StrEnum):
    """Who must act for the clock to be met."""

    SPOKESPERSON = "spokesperson"
    DIRECTOR = "director"
    UNIT = "unit"
    PRESS_OFFICE = "press_office"


START_EVENT_LABELS: dict[StartEvent, Message] = {
    StartEvent.RECEIVED: _("thời điểm Sở tiếp nhận vụ việc"),
    StartEvent.OCCURRED: _("thời điểm vụ việc xảy ra"),
    StartEvent.IMPACT_DETERMINED: _("thời điểm Sở xác định vụ việc tác động đến dư luận xã hội"),
    StartEvent.COMPLAINT_CONCLUDED: _("thời điểm có kết luận giải quyết khiếu nại, tố cáo"),
    StartEvent.ASSIGNED: _("thời điểm chuyển đơn vị xử lý"),
    StartEvent.SUBMITTED: _("thời điểm trình duyệt"),
    StartEvent.TASK_CREATED: _("thời điểm giao nhiệm vụ cung cấp thông tin"),
    StartEvent.CRISIS_DECLARED: _("thời điểm công bố tình trạng khủng hoảng"),
    StartEvent.APPROVED: _("thời điểm văn bản được duyệt, ký"),
}

MET_BY_LABELS: dict[MetBy, Message] = {
    MetBy.FIRST_NOTICE: _("thông cáo đầu tiên được công bố"),
    MetBy.REPLY: _("văn bản trả lời, phản hồi hoặc từ chối được công bố"),
    MetBy.SUBMITTED: _("đơn vị trình dự thảo"),
    MetBy.DECIDED: _("người phát ngôn duyệt hoặc trả lại"),
    MetBy.TASK_ANSWERED: _("đơn vị trả lời nhiệm vụ"),
    MetBy.TRANSFERRED: _("vụ việc được chuyển đến cơ quan có thẩm quyền"),
}

CLOCK_ACTOR_LABELS: dict[ClockActor, Message] = {
    ClockActor.SPOKESPERSON: _("Người phát ngôn"),
    ClockActor.DIRECTOR: _("Giám đốc Sở"),
    ClockActor.UNIT: _("Đơn vị xử lý"),
    ClockActor.PRESS_OFFICE: _("Văn phòng Sở"),
}

UNIT_LABELS: dict[PeriodUnit, Message] = {
    PeriodUnit.HOURS: _("giờ"),
    PeriodUnit.DAYS: _("ngày"),
    PeriodUnit.WORKING_DAYS: _("ngày làm việc"),
    PeriodUnit.FIXED: _("giờ"),
}

# The start events a case field provides (the others come from the lifecycle).
CASE_FIELD_EVENTS: dict[StartEvent, str] = {
    StartEvent.RECEIVED: "received_at",
    StartEvent.OCCURRED: "occurred_at",
    StartEvent.IMPACT_DETERMINED: "impact_determined_at",
    StartEvent.COMPLAINT_CONCLUDED: "complaint_concluded_at",
}


# --- rule packs (files) ---------------------------------------------------------------------------------------


class ClockDefinition(BaseModel):
    """One statutory clock of a pack."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]+$", max_length=60)
    trigger: LegalTrigger | None  # None: every case, started by a lifecycle event (``LIFECYCLE_EVENTS``)
    name: str = Field(min_length=1, max_length=200)  # Vietnamese; the English text is in the catalog
    start_event: StartEvent
    fallback_start_event: StartEvent | None = None  # used (and said so) while start_event's time is unknown
    length: int = Field(ge=1, le=1000)
    unit: PeriodUnit
    basis: str = Field(min_length=1, max_length=300)  # the official citation, e.g. "Nghị định …, Điều 7 khoản 3"
    actor: ClockActor
    may_pause: bool = False
    met_by: MetBy

    @model_validator(mode="after")
    def _no_fixed(self) -> ClockDefinition:
        if self.unit == PeriodUnit.FIXED:
            raise ValueError("a statutory clock has a length, not a fixed due time")
        if self.trigger is None and self.start_event not in LIFECYCLE_EVENTS:
            raise ValueError("a clock of every case starts from a lifecycle event")
        return self


# Start events a pack's clock of every case (no trigger) may use: the lifecycle raises them.
LIFECYCLE_EVENTS = frozenset({StartEvent.APPROVED})


class RegistryClock(BaseModel):
    """A duty on the spokespersons' registry (not on a case): e.g. the new standing spokesperson's contacts posted
    on the portal within 24 hours of the appointment, met by the registry's publication."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]+$", max_length=60)
    name: str = Field(min_length=1, max_length=200)
    length: int = Field(ge=1, le=1000)
    unit: PeriodUnit
    basis: str = Field(min_length=1, max_length=300)


class OverdueAlert(BaseModel):
    """What the law lets the other side do once one of ``when_overdue`` (clock keys of the pack) is overdue: the
    clock says so, with its basis (e.g. the press may take the matter to the superior body or publish it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]+$", max_length=60)
    when_overdue: tuple[str, ...] = Field(min_length=1)
    alert: str = Field(min_length=1, max_length=300)
    basis: str = Field(min_length=1, max_length=300)


class Obligation(BaseModel):
    """A duty the pack imposes without a statutory time limit (only internal targets apply)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trigger: LegalTrigger
    name: str = Field(min_length=1, max_length=200)
    basis: str = Field(min_length=1, max_length=300)


class RulePack(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    effective_from: date
    effective_to: date | None = None  # last day in force, inclusive
    task_basis: str  # the spokesperson's power to require units to supply information
    clocks: tuple[ClockDefinition, ...]
    obligations: tuple[Obligation, ...] = ()
    registry_clocks: tuple[RegistryClock, ...] = ()
    overdue_alerts: tuple[OverdueAlert, ...] = ()

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def clocks_for(self, trigger: LegalTrigger | None) -> tuple[ClockDefinition, ...]:
        return tuple(c for c in self.clocks if trigger is not None and c.trigger == trigger)

    def lifecycle_clocks(self, event: StartEvent) -> tuple[ClockDefinition, ...]:
        """The clocks of every case that ``event`` starts (D12: approval → issue)."""
        return tuple(c for c in self.clocks if c.trigger is None and c.start_event == event)

    def alerts_for(self, clock_key: str | None) -> tuple[OverdueAlert, ...]:
        return tuple(a for a in self.overdue_alerts if clock_key is not None and clock_key in a.when_overdue)


class RulePackRead(BaseModel):
    code: str
    title: str
    effective_from: date
    effective_to: date | None
    task_basis: str
    clocks: list[ClockDefinition]
    obligations: list[Obligation]
    registry_clocks: list[RegistryClock] = []
    overdue_alerts: list[OverdueAlert] = []
