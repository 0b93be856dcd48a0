"""Time: stored in UTC, shown and counted in Asia/Ho_Chi_Minh (product §5)."""

from __future__ import annotations

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
