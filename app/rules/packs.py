"""The legal rule packs: loaded once from ``app/rules/packs/*.json`` and chosen by the date a case was received.

A case is judged by the pack in force on the local date of its ``received_at``: received on 30 June 2026 →
``decree-09-2017``; on 1 July 2026 → ``decree-244-2026``. No I/O beyond reading the package's own files.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from importlib import resources

from app.rules.schema import RulePack
from app.timeutil import local_date


@cache
def all_packs() -> tuple[RulePack, ...]:
    folder = resources.files("app.rules").joinpath("packs")
    packs = [
        RulePack.model_validate(json.loads(entry.read_text(encoding="utf-8")))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    packs.sort(key=lambda p: p.effective_from)
    for earlier, later in zip(packs, packs[1:], strict=False):
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            raise ValueError(f"rule packs {earlier.code} and {later.code} overlap")
    return tuple(packs)


def pack_by_code(code: str) -> RulePack | None:
    return next((p for p in all_packs() if p.code == code), None)


def pack_for_day(day: date) -> RulePack | None:
    return next((p for p in all_packs() if p.in_force_on(day)), None)


def pack_for(received_at: datetime) -> RulePack | None:
    """The pack in force when the case was received (local date), or None before the first one."""
    return pack_for_day(local_date(received_at))
