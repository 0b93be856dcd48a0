"""A reporter's written inquiry, for a browser (product §6): the form at ``/inquiries/new`` posts to ``/inquiries``,
which redirects to the inquiry's public status at ``/inquiries/{code}``. The same service calls as the JSON API
(``api.py``): the same checks, the same case, the same status and nothing more.

Unlike the other public pages, these depend on the visitor (the form carries a per-visitor token, a status page
follows its case), so the edge never caches them (``Cache-Control: no-store``) and counts a POST against the
inquiry limit, in the API's bucket (``edge.INQUIRY_PAGE``).

CSRF: the public side has no session, so the form carries a signed double-submit token: a random value signed with
the app's secret key, set in an HttpOnly, SameSite=Strict cookie with the form and repeated in a hidden field. A
POST whose field and cookie differ, or whose signature is not ours, saves nothing: it gets the form back (403) with
what was typed, a valid token and a message, so that the reporter loses nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.errors import ValidationFailed
from app.i18n import _, text
from app.inquiries import service as inquiries
from app.inquiries.models import InquiryCreate
from app.inquiries.rules import INQUIRY_STATUS_LABELS, normalize_code
from app.settings import Settings
from app.validation import QueryText
from app.web.dates import iso_local
from app.web.deps import CSRF_FIELD, NowDep, SessionDep, SettingsDep
from app.web.public.pages import public_locale, render_public
from app.web.staff.forms import FORM_ERROR, Errors, FormDep, Values, form_errors, form_values

router = APIRouter(include_in_schema=False)

FORM_COOKIE = "crisisdesk_inquiry_csrf"
FIELDS = tuple(InquiryCreate.model_fields)


def _signature(settings: Settings, nonce: str) -> bytes:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"public inquiry form|" + nonce.encode(), hashlib.sha256).hexdigest().encode()


def signed(settings: Settings, token: str) -> bool:
    nonce, _sep, signature = token.partition(".")
    return bool(nonce) and hmac.compare_digest(signature.encode(), _signature(settings, nonce))


def form_token(settings: Settings, current: str | None) -> str:
    """The visitor's token: the one their cookie holds if we signed it (so that two open tabs both work), else a
    new one."""
    if current and signed(settings, current):
        return current
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_signature(settings, nonce).decode()}"


def _token_ok(settings: Settings, sent: object, cookie: str) -> bool:
    """The hidden field repeats the cookie, and the cookie is one we signed."""
    if not isinstance(sent, str) or not sent or not hmac.compare_digest(sent.encode(), cookie.encode()):
        return False
    return signed(settings, cookie)


def _form_page(request: Request, *, values: Values, errors: Errors, status_code: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    token = form_token(settings, request.cookies.get(FORM_COOKIE))
    context = {"values": values, "errors": errors, "csrf_token": token}
    response = render_public(request, "public/inquiry_form.html", context, status_code=status_code)
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies,
                        path="/inquiries")  # fmt: skip
    return response


@router.api_route("/inquiries/new", methods=["GET", "HEAD"])
def inquiry_form(request: Request) -> Response:
    return _form_page(request, values={}, errors={})


@router.get("/inquiries")
def find_inquiry(code: Annotated[QueryText | None, Query(max_length=40)] = None) -> Response:
    """The look-up form's answer: the code's status page (the form, if no code was typed)."""
    typed = (code or "").strip()
    if not typed:
        return RedirectResponse("/inquiries/new", status_code=303)
    return RedirectResponse(f"/inquiries/{quote(normalize_code(typed) or typed, safe='')}", status_code=303)


@router.post("/inquiries")
def post_inquiry(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    values.pop(CSRF_FIELD, None)
    locale = public_locale(request)
    if not _token_ok(settings, form.get(CSRF_FIELD), request.cookies.get(FORM_COOKIE, "")):
        # Nothing is saved; the form comes back with what was typed and a valid token, so one more click sends it.
        message = text(_("Biểu mẫu đã hết hạn hoặc không hợp lệ, nên câu hỏi chưa được gửi. Hãy kiểm tra lại và bấm "
                         "«Gửi câu hỏi» lần nữa."), locale)  # fmt: skip
        return _form_page(request, values=values, errors={FORM_ERROR: message}, status_code=403)
    fields: dict[str, Any] = {name: values.get(name, "") for name in FIELDS}
    fields["reporter_deadline"] = iso_local(fields["reporter_deadline"])
    try:
        data = InquiryCreate.model_validate(fields)
        inquiry = inquiries.submit_inquiry(session, data=data, now=now)
    except (ValidationError, ValidationFailed) as exc:
        errors, status = form_errors(exc, session, locale)
        return _form_page(request, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/inquiries/{inquiry.code}", status_code=303)


@router.get("/inquiries/{code}")
def inquiry_page(
    request: Request, session: SessionDep, settings: SettingsDep, now: NowDep, code: Annotated[str, Path(max_length=40)]
) -> Response:
    """What the API's status says (``GET /api/public/v1/inquiries/{code}``), as a page; an unknown code is a 404."""
    status = inquiries.public_status(session, code=code, now=now, base_url=settings.public_base_url)
    return render_public(request, "public/inquiry.html", {"inquiry": status, "status_labels": INQUIRY_STATUS_LABELS})
