"""Crisis mode's rules: the duty roster's checks, the paging ladder and the signed acknowledgement links. Pure.

**The roster.** A shift is a person on duty in a role (spokesperson, press officer, the director's deputy) from
``starts_at`` to ``ends_at`` (end excluded), at a position in the fallback order (1 first). Two shifts of the same
role and position must not overlap (``check_roster`` refuses them); where no position-1 shift covers a moment
between the roster's first start and last end, that is a *gap* (``roster_gaps`` shows it on the page) and a page
meant for that role goes to the next person of the ladder.

**The ladder** (``ladder``) of a role at a moment: the people on duty in that role, by position; then the
director's deputies on duty, by position; each person once. The director comes last of all, on a ladder of their
own that every role's ladder ends in, so that the director is paged once per crisis however many ladders run out.

Worked example: spokesperson on duty Bình (position 1) and Hà (position 2), deputy Hưng-phó on duty. A crisis is
declared: Bình is paged (step 0). No acknowledgement within ``CRISISDESK_PAGE_ACK_MINUTES`` → Hà (step 1) → the
deputy (step 2) → the director (the director's ladder, step 0) → the next director, if there is one → nobody.
An acknowledgement of any page of a ladder stops that ladder.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.i18n import Message, _


class DutyRole(StrEnum):
    SPOKESPERSON = "spokesperson"
    PRESS_OFFICER = "press_officer"
    DEPUTY_DIRECTOR = "deputy_director"


DUTY_ROLE_LABELS: dict[DutyRole, Message] = {
    DutyRole.SPOKESPERSON: _("Người phát ngôn trực"),
    DutyRole.PRESS_OFFICER: _("Cán bộ truyền thông trực"),
    DutyRole.DEPUTY_DIRECTOR: _("Phó Giám đốc trực"),
}


class Ladder(StrEnum):
    """Who a page is for: the ladders that start at a declaration, and the director's, where they all end."""

    SPOKESPERSON = "spokesperson"
    PRESS_OFFICER = "press_officer"
    DIRECTOR = "director"


LADDER_LABELS: dict[Ladder, Message] = {
    Ladder.SPOKESPERSON: _("Người phát ngôn"),
    Ladder.PRESS_OFFICER: _("Văn phòng Sở"),
    Ladder.DIRECTOR: _("Giám đốc Sở"),
}

# The ladders a declaration starts, and the duty role each starts from.
START_LADDERS: dict[Ladder, DutyRole] = {
    Ladder.SPOKESPERSON: DutyRole.SPOKESPERSON,
    Ladder.PRESS_OFFICER: DutyRole.PRESS_OFFICER,
}

LEVELS = (1, 2, 3)
LEVEL_LABELS: dict[int, Message] = {
    1: _("Cấp 1: theo dõi sát, nguy cơ khủng hoảng"),
    2: _("Cấp 2: khủng hoảng truyền thông"),
    3: _("Cấp 3: khủng hoảng nghiêm trọng, lan rộng"),
}


@dataclass(frozen=True)
class Shift:
    role: DutyRole
    user_id: int
    starts_at: datetime
    ends_at: datetime
    position: int = 1

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class RosterProblem:
    index: int  # the item that clashes (0-based, in the order given)
    other: int
    role: DutyRole
    position: int


@dataclass(frozen=True)
class Gap:
    role: DutyRole
    starts_at: datetime
    ends_at: datetime


def overlaps(shifts: Sequence[Shift]) -> list[RosterProblem]:
    """Pairs of shifts of the same role and position whose times overlap (touching ends do not)."""
    found = []
    for i, a in enumerate(shifts):
        for j in range(i):
            b = shifts[j]
            if a.role == b.role and a.position == b.position and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                found.append(RosterProblem(i, j, a.role, a.position))
    return found


def roster_gaps(shifts: Sequence[Shift], roles: Iterable[DutyRole] = (DutyRole.SPOKESPERSON,
                                                                     DutyRole.PRESS_OFFICER)) -> list[Gap]:  # fmt: skip
    """The stretches between the roster's first start and last end where a role has nobody at position 1."""
    if not shifts:
        return []
    start = min(s.starts_at for s in shifts)
    end = max(s.ends_at for s in shifts)
    gaps = []
    for role in roles:
        cursor = start
        for s in sorted((s for s in shifts if s.role == role and s.position == 1), key=lambda s: s.starts_at):
            if s.starts_at > cursor:
                gaps.append(Gap(role, cursor, s.starts_at))
            cursor = max(cursor, s.ends_at)
        if cursor < end:
            gaps.append(Gap(role, cursor, end))
    return sorted(gaps, key=lambda g: (g.starts_at, g.role.value))


def on_duty(shifts: Sequence[Shift], role: DutyRole, at: datetime) -> list[int]:
    """The people on duty in ``role`` at ``at``, by position (then by who started first)."""
    current = sorted((s for s in shifts if s.role == role and s.covers(at)), key=lambda s: (s.position, s.starts_at))
    seen: list[int] = []
    for s in current:
        if s.user_id not in seen:
            seen.append(s.user_id)
    return seen


def ladder(shifts: Sequence[Shift], role: DutyRole, at: datetime, directors: Sequence[int]) -> list[int]:
    """The people a page for ``role`` goes to, in order, before the director: see the module's docstring."""
    people: list[int] = []
    for user_id in on_duty(shifts, role, at) + on_duty(shifts, DutyRole.DEPUTY_DIRECTOR, at):
        if user_id not in people and user_id not in directors:
            people.append(user_id)
    return people


def next_person(candidates: Sequence[int], already_paged: Iterable[int]) -> int | None:
    """The first candidate not yet paged on this ladder (a roster change mid-crisis skips nobody, pages no one
    twice)."""
    done = set(already_paged)
    return next((c for c in candidates if c not in done), None)


# --- signed acknowledgement links -----------------------------------------------------------------------------


def ack_signature(secret: str, page_id: int, user_id: int) -> str:
    """The signature of a page's one-click acknowledgement link (the page and the person it was sent to)."""
    message = f"crisisdesk page ack|{page_id}|{user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def ack_signature_valid(secret: str, page_id: int, user_id: int, signature: str) -> bool:
    return hmac.compare_digest(ack_signature(secret, page_id, user_id).encode(), signature.encode())


# --- the after-action review's figures --------------------------------------------------------------------------


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds())


def duration_words(seconds: int | None) -> str:
    """``2 giờ 05 phút`` style, language-neutral digits (``—`` when unknown)."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h{mins:02d}"
    return f"{sign}{hours}h{mins:02d}"
