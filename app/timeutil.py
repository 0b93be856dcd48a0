"""Time: stored in UTC, shown and counted in Asia/Ho_Chi_Minh (product §5)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Timestamps outside this range are refused as input (they can only be typing mistakes, and far-off years
# overflow date arithmetic).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ)


def local_date(value: datetime) -> date:
    return value.astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """00:00 local time of ``day``, as an aware datetime in UTC."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def end_of_local_day(day: date) -> datetime:
    """24:00 local time of ``day`` (Civil Code Art. 148.6: a day ends at twenty-four hours), in UTC."""
    return local_midnight(day + timedelta(days=1))


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is read as local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2})[:hH](\d{2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$")


def dmy_to_iso(value: str) -> str:
    """A date (and time) as people type it here, dd/mm/yyyy [HH:MM] (24-hour), in ISO form: ``"27/11/2026 08:30"``
    → ``"2026-11-27T08:30"``, ``"1/12/2026"`` → ``"2026-12-01"``; anything else unchanged (ISO passes through, and
    what is neither is left for the validator to refuse)."""
    match = _DMY.match(value.strip())
    if not match:
        return value
    day, month, year, hour, minute = match.groups()
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{iso}T{int(hour):02d}:{minute}" if hour is not None else iso


def iso_to_dmy(value: str) -> str:
    """The other way, for showing a value again in a text field: ``"2026-11-27T08:30"`` → ``"27/11/2026 08:30"``;
    anything that is not an ISO date or local date-time is unchanged (what the user typed stays as typed)."""
    match = _ISO.match(value.strip())
    if not match:
        return value
    year, month, day, hour, minute = match.groups()
    return f"{day}/{month}/{year}" + (f" {hour}:{minute}" if hour is not None else "")
