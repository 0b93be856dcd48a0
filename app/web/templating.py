"""The one Jinja2 environment of the app, its filters, and ``render`` which adds the per-request context
(language, translation function, CSRF token, the signed-in user)."""

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
from app.web.deps import get_locale

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Dates as dd/mm/yyyy and times in Asia/Ho_Chi_Minh."""
    return to_local(value).strftime(fmt) if value else ""


def local_date(value: datetime | None) -> str:
    return local_datetime(value, "%d/%m/%Y")


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["local_datetime"] = local_datetime
_env.filters["local_date"] = local_date
templates = Jinja2Templates(env=_env)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    locale = get_locale(request)

    def gettext(msgid: str, **params: Any) -> str:
        return translate(msgid, locale, **params)

    def t(value: Message | str | None) -> str:
        return "" if value is None else text(value, locale)

    token = getattr(request.state, "auth_token", None)
    ctx: dict[str, Any] = {
        "_": gettext,
        "t": t,
        "locale": locale,
        "actor": getattr(request.state, "actor", None),
        "csrf_token": token.csrf_token if token is not None and token.csrf_token else "",
        "settings": request.app.state.settings,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
