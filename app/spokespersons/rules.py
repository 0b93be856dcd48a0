"""Who holds spokesperson authority (thẩm quyền phát ngôn) for a case at a moment. Pure: no I/O.

The law (legal.md §1A Điều 3, §1B, §6.2):

- Decree 244/2026/NĐ-CP (cases received from 1 July 2026, local date), Art. 3.2: the head of the agency (the
  director); the standing spokesperson the director appoints (người phát ngôn thường xuyên); a person the director
  authorises in writing, for one case and a limited period (người được ủy quyền phát ngôn, Art. 3.5), who may not
  pass it on (Art. 3.6).
- Decree 09/2017/NĐ-CP (cases received before 1 July 2026), Art. 3.2: for a Sở, the head, or a deputy the head
  authorises; per-case written authorisations with a limited period (Art. 3.6), no sub-delegation (Art. 3.7).
  There is no standing-spokesperson capacity under this decree, so an appointment gives no authority on such a
  case; a per-case authorisation does.

Each case is judged by the rule pack in force on its received date (product §5; ``app.rules.packs``): the service
passes the pack's code in. When a person holds several capacities, the strongest is recorded: director, then
standing spokesperson, then per-case authorisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.i18n import Message, _


class Regime(StrEnum):
    """The rule pack that judges a case (the codes of the legal rule packs)."""

    DECREE_09_2017 = "decree-09-2017"
    DECREE_244_2026 = "decree-244-2026"


REGIME_LABELS: dict[Regime, Message] = {
    Regime.DECREE_09_2017: _("Nghị định 09/2017/NĐ-CP"),
    Regime.DECREE_244_2026: _("Nghị định 244/2026/NĐ-CP"),
}


class Capacity(StrEnum):
    DIRECTOR = "director"
    STANDING = "standing_spokesperson"
    AUTHORISED = "authorised"


CAPACITY_LABELS: dict[Capacity, Message] = {
    Capacity.DIRECTOR: _("Người đứng đầu (Giám đốc Sở)"),
    Capacity.STANDING: _("Người phát ngôn thường xuyên"),
    Capacity.AUTHORISED: _("Người được ủy quyền phát ngôn"),
}

# The legal basis of each capacity under each regime (official citation form).
CAPACITY_BASIS: dict[tuple[Regime, Capacity], str] = {
    (Regime.DECREE_244_2026, Capacity.DIRECTOR): "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 2 điểm a",
    (Regime.DECREE_244_2026, Capacity.STANDING): "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 2 điểm b",
    (Regime.DECREE_244_2026, Capacity.AUTHORISED): "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 2 điểm c, khoản 5",
    (Regime.DECREE_09_2017, Capacity.DIRECTOR): "Nghị định 09/2017/NĐ-CP, Điều 3 khoản 2",
    (Regime.DECREE_09_2017, Capacity.AUTHORISED): "Nghị định 09/2017/NĐ-CP, Điều 3 khoản 2, khoản 6",
}

# The capacities each regime knows.
REGIME_CAPACITIES: dict[Regime, frozenset[Capacity]] = {
    Regime.DECREE_244_2026: frozenset({Capacity.DIRECTOR, Capacity.STANDING, Capacity.AUTHORISED}),
    Regime.DECREE_09_2017: frozenset({Capacity.DIRECTOR, Capacity.AUTHORISED}),
}


@dataclass(frozen=True)
class Appointment:
    """A standing-spokesperson appointment: in force from ``valid_from`` until the earlier of ``valid_until`` and
    ``ended_at`` (replaced or ended), each bound excluded."""

    id: int
    user_id: int
    valid_from: datetime
    valid_until: datetime | None = None
    ended_at: datetime | None = None

    def in_force(self, at: datetime) -> bool:
        return self.valid_from <= at and all(end is None or at < end for end in (self.valid_until, self.ended_at))


@dataclass(frozen=True)
class Authorisation:
    """A written per-case authorisation: in force from ``valid_from`` until ``valid_until`` (its end date, 24:00
    local time) unless revoked earlier."""

    id: int
    user_id: int
    case_id: int
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None = None
    deputy: bool = False  # the person is a deputy head (cấp phó), as the authorisation states

    def in_force(self, at: datetime) -> bool:
        return self.valid_from <= at < self.valid_until and (self.revoked_at is None or at < self.revoked_at)


def deputy_required(regime: Regime) -> bool:
    """Decree 09/2017 Art. 3.2 lets the head of a Sở authorise only a deputy (cấp phó) to speak; Decree 244/2026
    Art. 3.2.c, 3.5 any official responsible for the matter."""
    return regime == Regime.DECREE_09_2017


@dataclass(frozen=True)
class Person:
    user_id: int
    is_director: bool


@dataclass(frozen=True)
class CaseFacts:
    id: int
    regime: Regime  # the rule pack that judges the case


@dataclass(frozen=True)
class Authority:
    """The capacity in which a person speaks for the Sở on a case, and the record it rests on."""

    capacity: Capacity
    regime: Regime
    appointment_id: int | None = None
    authorisation_id: int | None = None

    @property
    def basis(self) -> str:
        return CAPACITY_BASIS[(self.regime, self.capacity)]


def regime_of(pack_code: str | None) -> Regime:
    """The regime of a rule pack's code. A case older than every pack (before 30 March 2017) is treated under the
    oldest regime we know."""
    return Regime(pack_code) if pack_code in {r.value for r in Regime} else Regime.DECREE_09_2017


def authority(
    *,
    person: Person,
    case: CaseFacts,
    at: datetime,
    appointments: Iterable[Appointment] = (),
    authorisations: Iterable[Authorisation] = (),
) -> Authority | None:
    """The strongest capacity ``person`` holds for ``case`` at ``at``, or None (approves nothing)."""
    regime = case.regime
    allowed = REGIME_CAPACITIES[regime]
    if person.is_director and Capacity.DIRECTOR in allowed:
        return Authority(Capacity.DIRECTOR, regime)
    if Capacity.STANDING in allowed:
        for appointment in sorted(appointments, key=lambda a: a.id):
            if appointment.user_id == person.user_id and appointment.in_force(at):
                return Authority(Capacity.STANDING, regime, appointment_id=appointment.id)
    if Capacity.AUTHORISED in allowed:
        for grant in sorted(authorisations, key=lambda a: a.id):
            if grant.user_id == person.user_id and grant.case_id == case.id and grant.in_force(at):
                if deputy_required(regime) and not grant.deputy:
                    continue
                return Authority(Capacity.AUTHORISED, regime, authorisation_id=grant.id)
    return None


def by_office(person: Person) -> bool:
    """Whether ``authority`` answers for ``person`` without their appointments and authorisations: the director
    approves as director under every regime (``REGIME_CAPACITIES``), whatever else they hold."""
    return person.is_director and all(Capacity.DIRECTOR in allowed for allowed in REGIME_CAPACITIES.values())


def may_authorise(person: Person) -> bool:
    """Only the head authorises. A standing or authorised spokesperson may not pass authority on (244 Art. 3.6,
    09 Art. 3.7)."""
    return person.is_director


def may_appoint(person: Person) -> bool:
    """Only the head appoints the standing spokesperson (244 Art. 3.2.b)."""
    return person.is_director


# --- D9: the new standing spokesperson's contacts on the portal within 24 hours (Decree 244/2026 Art. 3.3) --------

SKEW = timedelta(minutes=5)


def contacts_clock(*, valid_from: datetime, recorded_at: datetime, decision_day_end: datetime,
                   now: datetime) -> tuple[datetime, datetime | None]:  # fmt: skip
    """When D9's clock starts and when the duty was met, for one appointment.

    The public registry (``/api/public/v1/spokespersons`` and the portal's page) shows an appointment from its
    ``valid_from``, and the record is made at ``recorded_at``: the contacts are posted at the later of the two
    (None while that is still ahead). The clock starts when the appointment takes effect: at ``valid_from`` when
    it was recorded ahead of time; when it was recorded to take effect at once, the decision was already in force,
    so at the end of its signing day (``decision_day_end``; the day, not the hour, is known: the kinder reading)
    if that is earlier. Example: a decision signed on 20/11, recorded on 23/11 → due by the end of 21/11, late.
    """
    posted = max(valid_from, recorded_at)
    started = valid_from if valid_from > recorded_at + SKEW else min(valid_from, decision_day_end)
    return started, posted if posted <= now else None
