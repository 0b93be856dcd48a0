"""Input types shared by the schemas: every string has a length limit and no control characters,
every timestamp has a time zone and a sane range."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from app.timeutil import EARLIEST, LATEST, as_utc

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_chars(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


Clean = AfterValidator(_no_control_chars)
OneLine = AfterValidator(_single_line)

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                        pattern=r"^[A-Za-z0-9._-]+$")]  # fmt: skip
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64,
                                            pattern=r"^[a-z0-9._-]+$")]  # fmt: skip
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Clean, OneLine]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Clean, OneLine]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), Clean, OneLine]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+(). -]*$")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://\S+$")]
LongText = Annotated[str, StringConstraints(max_length=20000), Clean]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), Clean]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Clean, OneLine]


def _timestamp(value: datetime) -> datetime:
    try:
        value = as_utc(value)
    except (OverflowError, ValueError) as exc:
        raise ValueError("is not a valid time") from exc
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 2000 and 2100")
    return value


def _empty_to_none(value: object) -> object:
    return None if value == "" else value


# ISO 8601; with an offset, or read as Asia/Ho_Chi_Minh time without one. Stored in UTC.
Timestamp = Annotated[datetime, AfterValidator(_timestamp)]
OptionalTimestamp = Annotated[Timestamp | None, BeforeValidator(_empty_to_none)]

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

LocaleCode = Annotated[str, StringConstraints(pattern=r"^(vi|en)$")]
