"""Dates typed in forms and query strings: dd/mm/yyyy [HH:MM], 24-hour (every date field of the pages is a text
field in that form, whatever the browser's language), or ISO."""

from __future__ import annotations

from datetime import date, datetime

from app.timeutil import dmy_to_iso, local_midnight


def iso_local(value: str) -> str:
    """A date (and time) typed as dd/mm/yyyy [HH:MM] in ISO form; anything else unchanged."""
    return dmy_to_iso(value)


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
