"""Column values to JSON and back, for the portable backup file. Pure: no I/O.

Values are written as JSON scalars; what JSON has no type for is written as text and read back by the column's
type: date-times as ISO 8601 (UTC ``…Z`` for time-zone-aware columns), dates and times as ISO 8601, decimals as
text, binary as base64, UUIDs as text, intervals as seconds. Decoding looks only at the column's SQL type
(a TypeDecorator by the type it stores), so the file does not depend on our Python classes.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import types

Decoder = Callable[[Any], Any]


def encode(value: Any) -> Any:
    """A JSON-ready form of one column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"cannot write a {type(value).__name__} value to a backup")


def _type_chain(type_: types.TypeEngine[Any]) -> list[types.TypeEngine[Any]]:
    """The type and, for a TypeDecorator, the types it stores as (Interval is one, over DateTime)."""
    chain = [type_]
    while isinstance(chain[-1], types.TypeDecorator):
        chain.append(chain[-1].impl_instance)
    return chain


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _decimal(value: str | float | int) -> Decimal:
    return Decimal(str(value))


def _bytes(value: str) -> bytes:
    return base64.b64decode(value)


def _interval(value: float) -> timedelta:
    return timedelta(seconds=value)


def _identity(value: Any) -> Any:
    return value


def decoder(type_: types.TypeEngine[Any]) -> Decoder:
    """The function that turns a value read from the file back into what the column's type binds."""
    found: Decoder | None = None
    for storage in _type_chain(type_):
        found = _known_decoder(storage)
        if found is not None:
            break
    if found is None:
        return _identity
    known: Decoder = found

    def decode(value: Any) -> Any:
        return None if value is None else known(value)

    return decode


def _known_decoder(storage: types.TypeEngine[Any]) -> Decoder | None:
    if isinstance(storage, types.Interval):
        return _interval
    if isinstance(storage, types.DateTime):
        return _datetime
    if isinstance(storage, types.Date):
        return date.fromisoformat
    if isinstance(storage, types.Time):
        return time.fromisoformat
    if isinstance(storage, types.Float):
        return _identity
    if isinstance(storage, types.Numeric) and storage.asdecimal:
        return _decimal
    if isinstance(storage, types.LargeBinary):
        return _bytes
    if isinstance(storage, types.Uuid) and storage.as_uuid:
        return uuid.UUID
    return None
