"""People's actions on a clock: extend it (spokesperson or director, with a reason) or record it met outside the
system (with a note). Each is logged in the case's history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from app.auth.permissions import Actor, Permission, require
from app.cases.scope import scope_of
from app.clocks.models import (
    ACTIVE_STATES,
    CLOCK_STATE_LABELS,
    TICKING_STATES,
    ClockRead,
)
from app.clocks.queries import clock_read, get_clock
from app.clocks.service import _iso, _log, meet, refresh_next_due, schedule_reminders, set_due
from app.errors import InvalidTransition, ValidationFailed
from app.i18n import _
from app.workdays.service import load_calendar

# --- people's actions ---------------------------------------------------------------------------------------


def extend_clock(session: Session, *, actor: Actor, reference: str, clock_id: int, by: int, reason: str,
                 now: datetime, locale: str) -> ClockRead:  # fmt: skip
    """Give a clock more time (spokesperson or director), with a reason; logged with the old and new due time."""
    case, clock = get_clock(session, actor=actor, reference=reference, clock_id=clock_id)
    require(actor, Permission.CLOCK_EXTEND, scope_of(session, case))
    if clock.state not in TICKING_STATES:
        raise InvalidTransition(
            _("Chỉ gia hạn được thời hạn đang chạy hoặc tạm dừng (hiện tại: {state}).",
              state=CLOCK_STATE_LABELS[clock.state]),
            state=clock.state.value,
        )  # fmt: skip
    if not reason.strip():
        raise ValidationFailed(_("Cần ghi rõ lý do gia hạn."), field="reason")
    old_due = clock.due_at
    clock.extension += by
    clock.version += 1
    set_due(clock, load_calendar(session))
    clock.updated_at = now
    schedule_reminders(clock, now=now)
    session.add(clock)
    session.flush()
    _log(session, case, clock, action="extended", now=now, actor_id=actor.user_id, note=reason, by=by,
         unit=clock.unit.value, old_due_at=_iso(old_due))  # fmt: skip
    refresh_next_due(session, case)
    return clock_read(clock, now=now, locale=locale)


def mark_met(session: Session, *, actor: Actor, reference: str, clock_id: int, note: str, at: datetime | None,
             now: datetime, locale: str) -> ClockRead:  # fmt: skip
    """Record that a clock was met outside the system (e.g. answered at a press conference), with a note."""
    case, clock = get_clock(session, actor=actor, reference=reference, clock_id=clock_id)
    require(actor, Permission.CLOCK_MARK_MET, scope_of(session, case))
    if clock.state not in ACTIVE_STATES:
        raise InvalidTransition(
            _("Thời hạn này đã kết thúc ({state}).", state=CLOCK_STATE_LABELS[clock.state]), state=clock.state.value
        )
    at = at or now
    if at > now + timedelta(minutes=5):
        raise ValidationFailed(_("Thời điểm thực hiện không thể ở tương lai."), field="at")
    if clock.start_at is not None and at < clock.start_at:
        raise ValidationFailed(_("Thời điểm thực hiện không thể trước khi thời hạn bắt đầu."), field="at")
    meet(session, case, clock, at=at, now=now, how="manual", actor_id=actor.user_id, note=note)
    refresh_next_due(session, case)
    return clock_read(clock, now=now, locale=locale)
