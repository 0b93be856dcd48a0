"""The public pages (no account): the latest notices with search and filters, a notice with its history, the
spokespersons' contacts; Vietnamese chrome, English when the ``lang`` cookie (the switch) says so. The written
inquiry's form and status pages are in ``inquiry_pages.py``.

These pages never read a staff session: the language is the only thing taken from the browser, and the edge
(``edge.py``) caches each page per language, so no page may depend on anything else of the request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.cases.vocabulary import TOPIC_LABELS
from app.i18n import Locale, Message, _, negotiate, text, translate
from app.notices import service as notices
from app.notices.rules import NOTICE_TYPE_LABELS
from app.notices.service import NoticeFilters
from app.spokespersons import service as spokespersons
from app.spokespersons.rules import Capacity
from app.statements.rules import KIND_LABELS, REFUSAL_LABELS
from app.stories import queries as stories
from app.stories.workflow import KIND_LABELS as STORY_KIND_LABELS
from app.validation import QueryText
from app.web.cursors import seal, unseal
from app.web.deps import LANG_COOKIE, IdPath, NowDep, ReadSessionDep, SettingsDep
from app.web.public.filters import DEFAULT_LIMIT, notice_filters
from app.web.staff.session import set_lang_cookie
from app.web.templating import local_datetime, templates

router = APIRouter(include_in_schema=False)

CAPACITY_LABELS: dict[Capacity, Message] = {
    Capacity.DIRECTOR: _("Giám đốc Sở (người phát ngôn theo quy định)"),
    Capacity.STANDING: _("Người phát ngôn thường xuyên"),
    Capacity.AUTHORISED: _("Người được ủy quyền phát ngôn"),
}


def public_locale(request: Request) -> Locale:
    """The reader's language: Vietnamese unless the ``lang`` cookie (the switch) chose English; never the browser's
    Accept-Language, which the edge's cache does not key on (an English browser must not fill the shared cache
    with English pages for everyone), nor a staff account's setting."""
    return negotiate(None, request.cookies.get(LANG_COOKIE))


def safe_public_next(value: str | None) -> str:
    """Only our own public pages are followed after switching language (no open redirect)."""
    pages = ("/notices", "/spokespersons", "/inquiries", "/subscriptions/new", "/information-requests/new", "/stories")
    if value and value.startswith(pages) and not urlsplit(value).netloc and "\\" not in value:
        return value
    return "/notices"


def render_public(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200,
                  locale: Locale | None = None) -> HTMLResponse:  # fmt: skip
    locale = locale or public_locale(request)

    def gettext(msgid: str, **params: Any) -> str:
        return translate(msgid, locale, **params)

    def t(value: Message | str | None) -> str:
        return "" if value is None else text(value, locale)

    path = request.url.path
    ctx: dict[str, Any] = {
        "_": gettext,
        "t": t,
        "locale": locale,
        "settings": request.app.state.settings,
        "current_url": path + (f"?{request.url.query}" if request.url.query else ""),
        "topic_labels": TOPIC_LABELS,
        "kind_labels": KIND_LABELS,
        "type_labels": NOTICE_TYPE_LABELS,
        "capacity_labels": CAPACITY_LABELS,
        "refusal_labels": REFUSAL_LABELS,
        "when": local_datetime,
    }
    ctx.update(context)
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def render_public_error(request: Request, status: int, message: str, *, locale: Locale | None = None) -> HTMLResponse:
    return render_public(request, "public/error.html", {"status": status, "message": message}, status_code=status,
                         locale=locale)  # fmt: skip


def is_public_page(path: str) -> bool:
    return path in ("/", "/notices", "/spokespersons", "/inquiries", "/subscriptions", "/information-requests",
                    "/stories") or (
        path.startswith(("/notices/", "/spokespersons/", "/lang/", "/inquiries/", "/subscriptions/",
                         "/information-requests/", "/stories/"))
    )  # fmt: skip


async def public_error_renderer(request: Request, status: int, message: str) -> Response | None:
    if not is_public_page(request.url.path):
        return None
    return render_public_error(request, status, message)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/notices", status_code=302)


@router.get("/lang/{locale}")
def switch_language(locale: Annotated[str, Path(max_length=5)], next: str | None = None) -> Response:
    response = RedirectResponse(safe_public_next(next), status_code=303)
    set_lang_cookie(response, locale)
    return response


def _page_url(params: list[tuple[str, str]], cursor: str | None) -> str:
    query = [(k, v) for k, v in params if k != "cursor"] + ([("cursor", cursor)] if cursor else [])
    return "/notices" + (f"?{urlencode(query)}" if query else "")


def _date_value(value: datetime | None, end: bool = False) -> str:
    if value is None:
        return ""
    return local_datetime(value - timedelta(seconds=1) if end else value, "%Y-%m-%d")


@router.get("/notices")
def notices_page(
    request: Request,
    session: ReadSessionDep,
    now: NowDep,
    filters: Annotated[NoticeFilters, Depends(notice_filters)],
    cursor: Annotated[QueryText | None, Query(max_length=200)] = None,
) -> Response:
    items, next_cursor = notices.list_published(
        session, now, filters, unseal(request, cursor, "notices"), DEFAULT_LIMIT
    )
    next_cursor = seal(request, next_cursor, "notices")
    outlets = notices.published_outlets(session, now)
    params = [(k, v) for k, v in request.query_params.multi_items() if v]
    values = {
        "q": filters.q or "",
        "topic": [t.value for t in filters.topic],
        "kind": [k.value for k in filters.kind],
        "outlet": filters.outlet or "",
        "since": _date_value(filters.since),
        "until": _date_value(filters.until, end=True),
    }
    filtered = any(values[k] for k in values)
    return render_public(request, "public/notices.html", {
        "items": items,
        "outlets": outlets,
        "values": values,
        "filtered": filtered,
        "next_url": _page_url(params, next_cursor) if next_cursor else None,
        "first_url": _page_url(params, None) if cursor else None,
        "feed_url": "/api/public/v1/notices.atom" + (
            "?" + urlencode([("topic", t) for t in values["topic"]]) if values["topic"] else ""),
    })  # fmt: skip


@router.get("/spokespersons")
def spokespersons_page(request: Request, session: ReadSessionDep, now: NowDep) -> Response:
    return render_public(request, "public/spokespersons.html",
                         {"items": spokespersons.current_spokespersons(session, now)})  # fmt: skip


@router.get("/notices/{key:path}")
def notice_page(
    request: Request, session: ReadSessionDep, now: NowDep, key: Annotated[str, Path(max_length=80)]
) -> Response:
    """A notice's permanent page, by slug (``/notices/2026-tc-12``); a number (``12/TC-SGDĐT``, URL-encoded) or a
    slug in other letter case is redirected there (302 for a number, which names the newest year's notice)."""
    notice = notices.get_published(session, key, now)
    if key != notice.slug:
        status = 301 if key.lower() == notice.slug else 302
        return RedirectResponse(f"/notices/{notice.slug}", status_code=status)
    return render_public(request, "public/notice.html", {"notice": notice})


@router.get("/stories")
def stories_page(request: Request, session: ReadSessionDep, settings: SettingsDep) -> Response:
    """The units' published news and exemplary stories, newest first."""
    items = stories.published_stories(session, base_url=settings.public_base_url)
    return render_public(request, "public/stories.html", {"items": items, "story_kind_labels": STORY_KIND_LABELS})


@router.get("/stories/{story_id}")
def story_page(request: Request, session: ReadSessionDep, settings: SettingsDep, story_id: IdPath) -> Response:
    story = stories.published_story(session, story_id=story_id, base_url=settings.public_base_url)
    return render_public(request, "public/story.html", {"story": story, "story_kind_labels": STORY_KIND_LABELS})
