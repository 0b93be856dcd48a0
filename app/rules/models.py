"""The Sở's internal targets (a table): an **internal target** is a clock the Sở sets itself (its quy chế phát
ngôn), per severity and source kind, edited by an admin. The legal rule packs' schema and the clocks' vocabulary
are ``schema.py`` (pure)."""

from __future__ import annotations

from datetime import datetime

from pydantic import model_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.cases.vocabulary import Severity, SourceKind
from app.db import StrEnumType, UTCDateTime
from app.i18n import _
from app.rules.schema import ClockActor, MetBy, StartEvent
from app.validation import Name
from app.workdays.rules import PeriodUnit

# --- internal targets (table) ---------------------------------------------------------------------------------


class InternalTargetBase(SQLModel):
    name: Name = SQLField(max_length=200)
    severity: Severity | None = SQLField(default=None, sa_type=StrEnumType(Severity))  # None: every severity
    source_kind: SourceKind | None = SQLField(default=None, sa_type=StrEnumType(SourceKind))  # None: every source
    start_event: StartEvent = SQLField(sa_type=StrEnumType(StartEvent))
    length: int = SQLField(ge=1, le=1000)
    unit: PeriodUnit = SQLField(sa_type=StrEnumType(PeriodUnit))
    met_by: MetBy = SQLField(sa_type=StrEnumType(MetBy))
    actor: ClockActor = SQLField(sa_type=StrEnumType(ClockActor))
    may_pause: bool = False
    active: bool = True
    # Crisis clocks (start event ``crisis_declared``): the crisis level they apply to, and their basis when it is
    # not the Sở's own target (e.g. the Ministry's 6-hour rule, where the admin chooses to apply it).
    crisis_level: int | None = SQLField(default=None, ge=1, le=3)
    basis: str | None = SQLField(default=None, max_length=300)


class InternalTarget(InternalTargetBase, table=True):
    __tablename__ = "internal_target"

    id: int | None = SQLField(default=None, primary_key=True)
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    updated_at: datetime = SQLField(sa_type=UTCDateTime)


class InternalTargetCreate(InternalTargetBase):
    @model_validator(mode="after")
    def _check(self) -> InternalTargetCreate:
        check_target(self.unit, self.start_event, self.crisis_level)
        return self


class InternalTargetUpdate(SQLModel):
    name: Name | None = None
    severity: Severity | None = None
    source_kind: SourceKind | None = None
    start_event: StartEvent | None = None
    length: int | None = SQLField(default=None, ge=1, le=1000)
    unit: PeriodUnit | None = None
    met_by: MetBy | None = None
    actor: ClockActor | None = None
    may_pause: bool | None = None
    active: bool | None = None
    crisis_level: int | None = SQLField(default=None, ge=1, le=3)
    basis: str | None = SQLField(default=None, max_length=300)


class InternalTargetRead(InternalTargetBase):
    id: int
    created_at: datetime
    updated_at: datetime


def check_target(unit: PeriodUnit, start_event: StartEvent, crisis_level: int | None = None) -> None:
    if (start_event == StartEvent.CRISIS_DECLARED) != (crisis_level is not None):
        raise ValueError(_("crisis_level: chỉ tiêu tính từ khi công bố khủng hoảng cần cấp khủng hoảng, và ngược lại"))
    if unit == PeriodUnit.FIXED:
        raise ValueError(_("unit: chỉ tiêu nội bộ tính bằng giờ, ngày hoặc ngày làm việc"))
    if start_event == StartEvent.TASK_CREATED:
        raise ValueError(_("start_event: thời hạn của nhiệm vụ đặt trên từng nhiệm vụ, không theo chỉ tiêu"))
