"""Log-in and log-out for the browser, and the language switch.

The session is a random token in a Secure, HttpOnly, SameSite=Lax cookie, stored hashed server-side (revocable,
expiring after ``session_ttl_hours``). Before log-in, the form is protected by a double-submit CSRF cookie; after,
every form carries the session's own CSRF token (``csrf_token``), checked by ``get_actor``. A request with an
expired or revoked session is sent back here with ``expired=1`` and the page it wanted in ``next``.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import throttle
from app.auth.models import TokenKind
from app.auth.service import issue_token, revoke_token
from app.errors import DomainError
from app.i18n import _, text
from app.settings import Settings
from app.web.deps import LANG_COOKIE, ActorDep, HasherDep, NowDep, SessionDep, SettingsDep, client_ip, get_locale
from app.web.templating import render

router = APIRouter()

LOGIN_CSRF_COOKIE = "crisisdesk_login_csrf"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def safe_next(value: str | None) -> str:
    """Only local paths under /staff are followed after log-in (no open redirect)."""
    if value and value.startswith("/staff") and not urlsplit(value).netloc and "\\" not in value:
        return value
    return "/staff/"


def set_lang_cookie(response: Response, locale: str) -> None:
    if locale in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, locale, max_age=LANG_COOKIE_MAX_AGE, samesite="lax", path="/")


def _login_page(
    request: Request, *, next_url: str, error: str | None = None, notice: str | None = None, status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "staff/login.html",
        {"login_csrf": token, "next_url": next_url, "error": error, "notice": notice},
        status_code=status_code,
    )
    settings: Settings = request.app.state.settings
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies,
                        path="/staff/login")  # fmt: skip
    return response


@router.get("/login")
def login_form(
    request: Request, next: str | None = None, expired: str | None = None, done: str | None = None
) -> Response:
    notice = None
    if expired:
        notice = text(_("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), get_locale(request))
    elif done == "password":
        notice = text(_("Đã đổi mật khẩu; mọi phiên đăng nhập cũ đã kết thúc. Hãy đăng nhập bằng mật khẩu mới."),
                      get_locale(request))  # fmt: skip
    return _login_page(request, next_url=safe_next(next), notice=notice)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hasher: HasherDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/staff/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf_token or not expected or not hmac.compare_digest(csrf_token, expected):
        message = text(_("Phiên đăng nhập đã hết hạn. Vui lòng thử lại."), get_locale(request))
        return _login_page(request, next_url=safe_next(next), error=message, status_code=403)
    user = throttle.log_in(session, username=username, password=password, client=client_ip(request), channel="form",
                           hasher=hasher, allow_demo_password=settings.demo_passwords_allowed, now=now)  # fmt: skip
    if isinstance(user, DomainError):  # answered, not raised: the failure's count and audit row are committed
        page = _login_page(request, next_url=safe_next(next), error=text(user.message, get_locale(request)),
                           status_code=user.status_code)  # fmt: skip
        if "retry_after" in user.extra:
            page.headers["Retry-After"] = str(user.extra["retry_after"])
        return page
    raw, _token = issue_token(
        session, user=user, kind=TokenKind.SESSION, now=now, ttl=timedelta(hours=settings.session_ttl_hours)
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        settings.session_cookie_name,
        raw,
        max_age=settings.session_ttl_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff/login")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep, actor: ActorDep, now: NowDep) -> Response:
    revoke_token(session, token_id=request.state.auth_token_id, now=now)
    response = RedirectResponse("/staff/login?done=logout", status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response


@router.get("/lang/{locale}")
def switch_language(locale: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    set_lang_cookie(response, locale)
    return response
