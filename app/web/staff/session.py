"""Log-in and log-out for the browser, and the home page.

The session is a random token in a Secure, HttpOnly, SameSite=Lax cookie, stored hashed server-side (revocable,
expiring). Before log-in, the form is protected by a double-submit CSRF cookie; after, every form carries the
session's own CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.models import TokenKind
from app.auth.service import authenticate, issue_token, password_hasher, revoke_token
from app.errors import NotAuthenticated
from app.i18n import _, text
from app.web.deps import (
    LANG_COOKIE,
    ActorDep,
    NowDep,
    SessionDep,
    SettingsDep,
    authenticate_request,
    get_locale,
)
from app.web.templating import render

router = APIRouter()

LOGIN_CSRF_COOKIE = "crisisdesk_login_csrf"


def _safe_next(value: str | None) -> str:
    """Only local paths under /staff are followed after log-in (no open redirect)."""
    if value and value.startswith("/staff") and not urlsplit(value).netloc and "\\" not in value:
        return value
    return "/staff/"


def _login_page(request: Request, *, next_url: str, error: str | None = None, status_code: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "staff/login.html",
        {"login_csrf": token, "next_url": next_url, "error": error},
        status_code=status_code,
    )
    settings = request.app.state.settings
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies,
                        path="/staff/login")  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/staff/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf_token or not expected or not hmac.compare_digest(csrf_token, expected):
        message = text(_("Phiên đăng nhập đã hết hạn. Vui lòng thử lại."), get_locale(request))
        return _login_page(request, next_url=_safe_next(next), error=message, status_code=403)
    hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    try:
        user = authenticate(
            session,
            username=username,
            password=password,
            hasher=hasher,
            allow_demo_password=settings.demo_passwords_allowed,
        )
    except NotAuthenticated as exc:
        return _login_page(
            request, next_url=_safe_next(next), error=text(exc.message, get_locale(request)), status_code=401
        )
    raw, _token = issue_token(
        session, user=user, kind=TokenKind.SESSION, now=now, ttl=timedelta(hours=settings.session_ttl_hours)
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
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
    revoke_token(session, token=request.state.auth_token, now=now)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response


@router.get("/lang/{locale}")
def switch_language(request: Request, locale: str, next: str | None = None) -> Response:
    response = RedirectResponse(_safe_next(next) if next else "/staff/", status_code=303)
    if locale in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/")
def home(request: Request, session: SessionDep, now: NowDep) -> Response:
    found = authenticate_request(request, session, now)
    if found is None:
        return RedirectResponse("/staff/login?next=/staff/", status_code=303)
    request.state.actor, request.state.auth_token = found
    return render(request, "staff/home.html")
