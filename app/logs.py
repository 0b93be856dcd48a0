"""Logs: one JSON object a line on stderr, with the request id of the request being served.

Configured once per process: ``crisisdesk serve`` hands :func:`logging_config` to uvicorn (which applies it in every
worker process it starts), ``crisisdesk worker`` and the other commands call :func:`configure_logging`. The level
and the format (``json``, or ``text`` for a developer's terminal) come from the settings.

The request id lives in a context variable set by the request middleware (``app/web/observability.py``), so every
line logged while a request is served, in the event loop or in the thread pool, carries it.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import logging.config
import sys
import time
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, NamedTuple

request_id_var: ContextVar[str | None] = ContextVar("crisisdesk_request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is written out as a field.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName", "color_message"}
)


MAX_SHAPES = 4096  # access lines' pieces kept by shape (AccessLog.request)


class LinePieces(NamedTuple):
    head: str
    middle: str
    tail: str
    head_id: str
    middle_id: str


class LineShape(NamedTuple):
    """What an access line holds but its timestamp, request id and duration (:meth:`AccessLog.shape`); ``pieces``:
    the JSON text around those three, escaped: ``head`` (after the timestamp), ``middle`` (before the duration)
    and ``tail`` (with the line's end), and ``head`` and ``middle`` again around a request id."""

    level: int
    label: str
    method: str
    route: str
    path: str
    status: int
    user_id: int | None
    cache: str | None
    pieces: LinePieces


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``record.request_id``), None outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "request_id", …extra fields, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key != "request_id" and not key.startswith("_"):
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a terminal: ``time level logger [request id] message key=value …`` (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        request_id = getattr(record, "request_id", None)
        parts = [ts, f"{record.levelname:<7}", record.name]
        if request_id:
            parts.append(f"[{request_id}]")
        parts.append(record.getMessage())
        parts += [f"{k}={v}" for k, v in vars(record).items()
                  if k not in _STANDARD_ATTRS and k != "request_id" and not k.startswith("_")]  # fmt: skip
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return line


def logging_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: everything (ours, uvicorn's, SQLAlchemy's) to one stderr handler."""
    formatter = "app.logs.JsonFormatter" if fmt == "json" else "app.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.logs.RequestIdFilter"}},
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn installs handlers of its own unless told otherwise: send its lines through ours.
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            # Our request middleware writes the access log (with the request id and the route): uvicorn's is off.
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            # Alembic announces its plugins at INFO each time a process reads the migrations (/readyz's heads).
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    logging.config.dictConfig(logging_config(level, fmt))


class AccessLog:
    """The access log's writer: one JSON line a request, cheap enough for a hot path.

    When the configuration is ours (a single JSON stream handler on the root logger, nothing in between), a line is
    written straight to that handler's stream, with the same fields as :class:`JsonFormatter` would write, without
    building a ``LogRecord``; lines are joined and written at most every ``flush_seconds`` (or every
    ``max_lines``) by the event loop, and at exit. Otherwise (a text format, extra handlers: tests, a developer's
    set-up) it goes through :mod:`logging` as any other line. Either way, every request has its line.

    :meth:`request` (and :meth:`write`, with a shape kept) writes a request's line from its parts: the shape's
    pieces, escaped once by the JSON encoder's own function (route, path), around the timestamp (formatted once a
    millisecond, its seconds once a second), the request id and the duration; the pieces are kept as they are and
    joined with all the others when the buffer is written. The line is the one :meth:`log` would write (a test
    pins it).
    """

    def __init__(self, name: str, *, flush_seconds: float = 0.05, max_lines: int = 256) -> None:
        self.logger = logging.getLogger(name)
        self.flush_seconds = flush_seconds
        self.max_lines = max_lines
        self._key: list[list[logging.Handler]] = []
        self._handler: logging.StreamHandler[Any] | None = None
        # The text to write, in pieces (a line's pieces are joined with all the others when written: each
        # character copied once), and how many lines they make.
        self._buffer: list[str] = []
        self._lines = 0
        self._scheduled = False
        self._second = -1
        self._second_text = ""
        self._millisecond = -1
        self._ts = ""
        self._name_json = encode_basestring(name)
        self._shapes: dict[tuple[Any, ...], LineShape] = {}
        atexit.register(self.flush)

    def _direct(self) -> logging.StreamHandler[Any] | None:
        """The root's JSON stream handler when a record of ours would reach it alone, else None. Checked for every
        line (a test, a developer may change the handlers at any time), against the handler lists seen last on the
        way up from our logger: no list is copied unless one changed."""
        logger: logging.Logger | None = self.logger
        for handlers in self._key:
            if logger is None or logger.handlers != handlers:
                return self._look()
            logger = logger.parent if logger.propagate else None
        return self._handler if logger is None else self._look()

    def _look(self) -> logging.StreamHandler[Any] | None:
        # The handlers of each logger a record would pass (a copy of each list: compared by their items).
        chain: list[list[logging.Handler]] = []
        logger: logging.Logger | None = self.logger
        while logger is not None:
            chain.append(logger.handlers.copy())
            logger = logger.parent if logger.propagate else None
        self._key = chain
        root = logging.getLogger()
        last: logging.Logger = self.logger
        while last.propagate and last.parent is not None:
            last = last.parent
        ours = (
            last is root
            and all(not handlers for handlers in chain[:-1])
            and len(root.handlers) == 1
            and type(root.handlers[0]) is logging.StreamHandler
            and isinstance(root.handlers[0].formatter, JsonFormatter)
        )
        self._handler = root.handlers[0] if ours else None  # type: ignore[assignment]
        return self._handler

    def log(self, level: int, message: str, fields: dict[str, Any]) -> None:
        if not self.logger.isEnabledFor(level):
            return
        handler = self._direct()
        if handler is None:
            self.logger.log(level, "%s", message, extra=fields)
            return
        entry: dict[str, Any] = {
            "ts": self._timestamp(),
            "level": logging.getLevelName(level),
            "logger": self.logger.name,
            "message": message,
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(fields)
        self._write(json.dumps(entry, ensure_ascii=False, default=str))

    def request(
        self,
        level: int,
        label: str,
        method: str,
        route: str,
        path: str,
        status: int,
        duration: float,
        user_id: int | None = None,
        cache: str | None = None,
    ) -> None:
        """A request's line: ``"<label> <route> <status>"`` with the fields ``method`` … ``cache``. ``label`` is
        the method as the metrics name it (``OTHER`` for an unusual one), ``method`` the request's own; the request
        id is the context's (:data:`request_id_var`)."""
        if not self.logger.isEnabledFor(level):
            return
        self.write(self.shape(level, label, method, route, path, status, user_id, cache), request_id_var.get(),
                   duration)  # fmt: skip

    def shape(
        self,
        level: int,
        label: str,
        method: str,
        route: str,
        path: str,
        status: int,
        user_id: int | None = None,
        cache: str | None = None,
    ) -> LineShape:
        """The shape of a request's line: everything but the timestamp, the request id and the duration (the same
        for every hit of one cached read), with its pieces already escaped; at most ``MAX_SHAPES`` kept."""
        key = (level, label, method, route, path, status, user_id, cache)
        found = self._shapes.get(key)
        if found is None:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            found = self._shapes[key] = LineShape(*key, self._pieces(*key))
        return found

    def write(self, shape: LineShape, request_id: str | None, duration: float) -> None:
        """One request's line of ``shape`` (the early path of cached reads keeps the shape per cached answer).

        Written directly, the line is the shape's three pieces around the timestamp, the request id and the
        duration; otherwise it goes through :mod:`logging` with the fields (and the request id) as ``extra``."""
        if not self.logger.isEnabledFor(shape.level):
            return
        handler = self._direct()
        if handler is None:
            fields = {"method": shape.method, "route": shape.route, "path": shape.path, "status": shape.status,
                      "duration_ms": round(duration * 1000, 2), "user_id": shape.user_id}  # fmt: skip
            if shape.cache is not None:
                fields["cache"] = shape.cache
            if request_id is not None:
                fields["request_id"] = request_id  # as RequestIdFilter would put it, from the context variable
            self.logger.log(shape.level, "%s", f"{shape.label} {shape.route} {shape.status}", extra=fields)
            return
        # Inline, as it runs for every request: the timestamp (``_timestamp``), the duration and the buffer
        # (``_write``). The duration as JSON writes ``round(duration * 1000, 2)`` (``12.35``, ``1.0``): the same
        # digits (both round the exact binary value to the nearest), at a third of the cost.
        millisecond = int(time.time() * 1000)
        ts = self._ts if millisecond == self._millisecond else self._timestamp(millisecond)
        ms = f"{duration * 1000:.2f}".rstrip("0")
        if ms[-1] == ".":
            ms += "0"
        pieces = shape.pieces
        # The request id is sane (letters, digits, ``._:+=/-``: app/web/observability.py) and so needs no escaping.
        if request_id is None:
            self._buffer.extend(('{"ts": "', ts, pieces.head, pieces.middle, ms, pieces.tail))
        else:
            self._buffer.extend(('{"ts": "', ts, pieces.head_id, request_id, pieces.middle_id, ms, pieces.tail))
        self._lines += 1
        if self._lines >= self.max_lines:
            self.flush()
        elif not self._scheduled:
            self._schedule()

    def _pieces(
        self, level: int, label: str, method: str, route: str, path: str, status: int, user: Any, cache: str | None
    ) -> LinePieces:
        """What a line of this shape holds around the timestamp, the request id and the duration, escaped."""
        level_name = logging.getLevelName(level)
        message = encode_basestring(f"{label} {route} {status}")
        uid = "null" if user is None else json.dumps(user, ensure_ascii=False, default=str)
        end = "}" if cache is None else f', "cache": {encode_basestring(cache)}}}'
        head = f'", "level": "{level_name}", "logger": {self._name_json}, "message": {message}'
        middle = (
            f', "method": {encode_basestring(method)}, "route": {encode_basestring(route)}, '
            f'"path": {encode_basestring(path)}, "status": {status}, "duration_ms": '
        )
        return LinePieces(head, middle, f', "user_id": {uid}{end}\n', head + ', "request_id": "', '"' + middle)

    def _timestamp(self, millisecond: int | None = None) -> str:
        """Now (or ``millisecond``, since the epoch) as ``2026-11-27T04:14:39.201Z`` (UTC, milliseconds, truncated as
        ``isoformat`` does); made once a millisecond, its seconds once a second."""
        if millisecond is None:
            millisecond = int(time.time() * 1000)
        if millisecond != self._millisecond:
            self._millisecond = millisecond
            second = millisecond // 1000
            if second != self._second:
                self._second = second
                self._second_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._ts = f"{self._second_text}.{millisecond % 1000:03d}Z"
        return self._ts

    def _write(self, line: str) -> None:
        self._buffer.extend((line, "\n"))
        self._lines += 1
        if self._lines >= self.max_lines:
            self.flush()
        elif not self._scheduled:
            self._schedule()

    def _schedule(self) -> None:
        """The buffer's flush in ``flush_seconds`` (now, outside an event loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._scheduled = True
        loop.call_later(self.flush_seconds, self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if not self._buffer:
            return
        parts, self._buffer, self._lines = self._buffer, [], 0
        text = "".join(parts)
        handler = self._handler
        if handler is None:
            sys.stderr.write(text)
            return
        handler.acquire()
        try:
            handler.stream.write(text)
            handler.flush()
        except Exception:  # a closed stream at exit: nothing more can be said
            pass
        finally:
            handler.release()
