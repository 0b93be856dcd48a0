"""The duties of the rule packs that are not a case's clock. Pure.

- D9 (a registry clock): the new standing spokesperson's contacts must be on the portal within 24 hours of the
  appointment (Decree 244/2026 Art. 3.3). The registry is published the moment an appointment is recorded, so the
  duty is met at that moment, or late when the appointment is recorded more than 24 hours after it took effect.
- D8 (an overdue alert) is said by the clock itself (``clocks.service.clock_read``): see ``RulePack.alerts_for``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.rules.schema import RegistryClock, RulePack
from app.workdays.rules import PeriodUnit


@dataclass(frozen=True)
class RegistryDuty:
    key: str
    name: str
    basis: str
    due_at: datetime
    met_at: datetime | None
    state: str  # "met_on_time", "met_late", "running", "overdue"


def registry_duty(clock: RegistryClock, *, appointed_at: datetime, published_at: datetime | None,
                  now: datetime) -> RegistryDuty:  # fmt: skip
    """D9: due ``length`` hours after the appointment takes effect; met when the registry published it."""
    if clock.unit != PeriodUnit.HOURS:
        raise ValueError("a registry clock is counted in hours")
    due = appointed_at + timedelta(hours=clock.length)
    if published_at is not None:
        state = "met_on_time" if published_at <= due else "met_late"
    else:
        state = "overdue" if now > due else "running"
    return RegistryDuty(clock.key, clock.name, clock.basis, due, published_at, state)


def registry_duties(pack: RulePack, *, appointed_at: datetime, published_at: datetime | None,
                    now: datetime) -> list[RegistryDuty]:  # fmt: skip
    return [registry_duty(c, appointed_at=appointed_at, published_at=published_at, now=now)
            for c in pack.registry_clocks]  # fmt: skip
