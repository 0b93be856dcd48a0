"""The one Jinja2 environment of the app, its filters, and ``render`` which adds the per-request context
(language, translation function, CSRF token, the signed-in user, the menu, the confirmation line)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.i18n import Message, text, translate
from app.timeutil import to_local
from app.web import labels
from app.web.deps import get_locale
from app.web.ui import active_nav, flash, staff_nav

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Dates as dd/mm/yyyy and times in Asia/Ho_Chi_Minh."""
    return to_local(value).strftime(fmt) if value else ""


def local_date(value: datetime | None) -> str:
    return local_datetime(value, "%d/%m/%Y")


def input_datetime(value: datetime | str | None) -> str:
    """The value of an ``<input type="datetime-local">``: local time to the minute (a string passes through,
    so that a form shown again keeps what the user typed)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


@jinja2.pass_context
def label_filter(ctx: jinja2.runtime.Context, value: Any, vocabulary: str) -> str:
    return labels.label(value, vocabulary, ctx["locale"])


@jinja2.pass_context
def unit_name(ctx: jinja2.runtime.Context, unit: Any) -> str:
    """A unit's name in the reader's language (the English name when there is one)."""
    if unit is None:
        return ""
    english = getattr(unit, "name_en", None)
    return str(english if ctx["locale"] == "en" and english else unit.name)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["local_datetime"] = local_datetime
_env.filters["local_date"] = local_date
_env.filters["input_datetime"] = input_datetime
_env.filters["label"] = label_filter
_env.filters["unit_name"] = unit_name
templates = Jinja2Templates(env=_env)


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
