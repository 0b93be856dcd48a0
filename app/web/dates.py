"""Dates typed in forms and query strings: dd/mm/yyyy [HH:MM] (a browser without a date picker) or ISO."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.timeutil import local_midnight

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2}):(\d{2}))?$")


def iso_local(value: str) -> str:
    """A date (and time) typed as dd/mm/yyyy [HH:MM] (a browser without a date picker) in ISO form; anything
    else unchanged (``datetime-local`` inputs already send ISO)."""
    match = _DMY.match(value.strip())
    if not match:
        return value
    day, month, year, hour, minute = match.groups()
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{iso}T{int(hour):02d}:{minute}" if hour is not None else iso


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(iso_local(value))
    except ValueError:
        return None


def local_day_start(value: str | None) -> datetime | None:
    day = parse_date(value)
    return local_midnight(day) if day else None
