"""The one Jinja2 environment of the app, its filters, and ``render`` which adds the per-request context
(language, translation function, CSRF token, the signed-in user, the menu, the confirmation line)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.crisis.rules import duration_words
from app.i18n import Message, text, translate
from app.timeutil import iso_to_dmy, to_local
from app.web import countdown, labels
from app.web.deps import get_locale, get_now
from app.web.ui import active_nav, flash, staff_nav

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Dates as dd/mm/yyyy and times in Asia/Ho_Chi_Minh."""
    return to_local(value).strftime(fmt) if value else ""


def local_date(value: datetime | None) -> str:
    return local_datetime(value, "%d/%m/%Y")


def from_iso(value: str | None) -> datetime | None:
    """A timestamp stored as ISO 8601 text (in an event's data) as a datetime; None if it is not one."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def due_time(value: datetime | None) -> str:
    """A due time as dd/mm/yyyy HH:MM, local; a period that ends at the end of a day (stored as 00:00 of the next)
    is written as 24:00 of its last day, the way the law counts it (Civil Code Art. 148.6)."""
    if value is None:
        return ""
    local = to_local(value)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return (local - timedelta(days=1)).strftime("%d/%m/%Y") + " 24:00"
    return local.strftime("%d/%m/%Y %H:%M")


def end_day(value: datetime | None) -> str:
    """The last day of a period that ends at 24:00 local time (stored as 00:00 of the next day), dd/mm/yyyy."""
    return local_date(value - timedelta(microseconds=1)) if value else ""


def input_datetime(value: datetime | str | None) -> str:
    """The value of a date-time text field: dd/mm/yyyy HH:MM, local time, 24-hour (a string passes through, so
    that a form shown again keeps what the user typed)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def input_date_text(value: Any) -> str:
    """What a date or date-time field shows: a datetime as dd/mm/yyyy HH:MM (local), a date as dd/mm/yyyy, an ISO
    string converted the same way; other text (what the user typed, shown again with an error) unchanged."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return input_datetime(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return iso_to_dmy(str(value))


@jinja2.pass_context
def label_filter(ctx: jinja2.runtime.Context, value: Any, vocabulary: str) -> str:
    return labels.label(value, vocabulary, ctx["locale"])


@jinja2.pass_context
def event_title(ctx: jinja2.runtime.Context, event: Any) -> str:
    return labels.event_label(event.kind, event.action, ctx["locale"])


@jinja2.pass_context
def unit_name(ctx: jinja2.runtime.Context, unit: Any) -> str:
    """A unit's name in the reader's language (the English name when there is one)."""
    if unit is None:
        return ""
    english = getattr(unit, "name_en", None)
    return str(english if ctx["locale"] == "en" and english else unit.name)


@jinja2.pass_context
def countdown_filter(ctx: jinja2.runtime.Context, due: datetime | None) -> str:
    """The time left until ``due`` (or past it), in words, at the page's ``now``."""
    if due is None:
        return ""
    return countdown.remaining(int((due - ctx["now"]).total_seconds()), ctx["locale"])


@jinja2.pass_context
def hours_in_words(ctx: jinja2.runtime.Context, hours: float | None) -> str:
    """A duration given in hours (a report's median), in days, hours and minutes: 210.6 → "8 ngày 18 giờ"."""
    if hours is None:
        return ""
    return countdown.duration(round(hours * 3600), ctx["locale"])


@jinja2.pass_context
def due_state(ctx: jinja2.runtime.Context, due: datetime | None, soon_hours: int = 24) -> str:
    """``overdue``, ``soon`` (within ``soon_hours``) or ``""``: how a due time is marked on the pages."""
    if due is None:
        return ""
    left = (due - ctx["now"]).total_seconds()
    return "overdue" if left < 0 else "soon" if left < soon_hours * 3600 else ""


@jinja2.pass_context
def translated(ctx: jinja2.runtime.Context, value: str | None) -> str:
    """A Vietnamese text that may be in the catalog (a rule pack's clock name), in the reader's language."""
    return translate(value, ctx["locale"]) if value else ""


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["local_datetime"] = local_datetime
_env.filters["local_date"] = local_date
_env.filters["end_day"] = end_day
_env.filters["due_time"] = due_time
_env.filters["fromiso"] = from_iso
_env.filters["input_datetime"] = input_datetime
_env.filters["dmy"] = input_date_text
_env.filters["label"] = label_filter
_env.filters["unit_name"] = unit_name
_env.filters["event_title"] = event_title
_env.filters["countdown"] = countdown_filter
_env.filters["due_state"] = due_state
_env.filters["hours_in_words"] = hours_in_words
_env.filters["tr"] = translated
_env.filters["duration"] = duration_words
templates = Jinja2Templates(env=_env)


def countdown_words(locale: str) -> dict[str, str]:
    """The words ``static/app.js`` needs to keep countdowns current (``data-`` attributes of ``#countdown-words``)."""
    return {
        "left": text(countdown.LEFT, locale),
        "over": text(countdown.OVER, locale),
        "days": text(countdown.DAYS, locale),
        "hours": text(countdown.HOURS, locale),
        "minutes": text(countdown.MINUTES, locale),
    }


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    locale = get_locale(request)

    def gettext(msgid: str, **params: Any) -> str:
        return translate(msgid, locale, **params)

    def t(value: Message | str | None) -> str:
        return "" if value is None else text(value, locale)

    def options(vocabulary: str, values: list[Any] | None = None) -> list[tuple[str, str]]:
        return labels.options(vocabulary, locale, values)

    actor = getattr(request.state, "actor", None)
    path = request.url.path
    ctx: dict[str, Any] = {
        "now": get_now(request),
        "unread": getattr(request.state, "unread_notifications", None),
        "waiting": getattr(request.state, "waiting", None),
        "countdown_words": countdown_words(locale),
        "_": gettext,
        "t": t,
        "options": options,
        "locale": locale,
        "actor": actor,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "settings": request.app.state.settings,
        "nav": staff_nav(actor),
        "nav_active": active_nav(path),
        "current_url": path + (f"?{request.url.query}" if request.url.query else ""),
        "flash": t(flash(request.query_params.get("done"))),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
