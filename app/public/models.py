"""What the public sees, as a whole: its version and when it next changes by itself (no table of its own: the
version is a counter row of ``app/counters.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PublicSnapshot:
    """``version`` goes up with every change of what the public sees (a notice issued — a publication, a
    correction, a withdrawal, embargoed or not — or a change to the spokesperson registry). ``next_change_at`` is
    the next moment when what the public sees changes without anyone acting: an embargoed notice's minute, an
    appointment taking effect or running out. A response rendered at ``version`` stays right until either moves."""

    version: int
    next_change_at: datetime | None
