"""The public side of the channels (product §11.6): e-mail subscriptions to notices and citizens' information
requests, as pages (``/subscriptions…``, ``/information-requests…``) and JSON (``/api/public/v1/…``).

Like the inquiry pages these are never cached and a POST counts against the inquiry limit (``edge.WRITE_PAGES``).
Forms carry the signed double-submit token of the inquiry form. The confirmation and unsubscribe links carry a
random token, never the address; a GET shows a button (link scanners must not confirm or unsubscribe anyone), and
``POST /subscriptions/unsubscribe?token=…`` is the RFC 8058 one-click target of ``List-Unsubscribe-Post``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.cases.vocabulary import TOPIC_LABELS, Topic
from app.i18n import _, text
from app.information_requests import service as information_requests
from app.information_requests.models import (
    DELIVERY_FORM_LABELS,
    InformationRequestCreate,
    InformationRequestReceipt,
)
from app.settings import Settings
from app.subscriptions import service as subscriptions
from app.subscriptions.models import SubscribeAccepted, SubscribeIn
from app.web.deps import CSRF_FIELD, NowDep, SessionDep, SettingsDep
from app.web.public.inquiry_pages import form_token, signed
from app.web.public.pages import public_locale, render_public
from app.web.staff.forms import FORM_ERROR, Errors, FormDep, Values, form_values, validation_errors

api = APIRouter(prefix="/api/public/v1", tags=["public"])
pages = APIRouter(include_in_schema=False)

FORM_COOKIE = "crisisdesk_public_form"
Token = Annotated[str, Query(max_length=64)]


def _interval(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.subscription_confirm_interval_seconds)


# --- JSON -----------------------------------------------------------------------------------------------------


@api.post("/subscriptions", response_model=SubscribeAccepted, status_code=202)
def subscribe(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep,
              body: SubscribeIn) -> SubscribeAccepted:  # fmt: skip
    """Subscribe an address to notices (`topics`: any of the topic codes; none: every notice). A confirmation link
    is mailed to it (double opt-in); the answer is the same whatever the address, and never shows it."""
    subscriptions.subscribe(session, data=body, locale=public_locale(request), now=now,
                            base_url=settings.public_base_url, interval=_interval(settings))  # fmt: skip
    return SubscribeAccepted()


@api.post("/information-requests", response_model=InformationRequestReceipt, status_code=201)
def information_request(session: SessionDep, now: NowDep, body: InformationRequestCreate) -> InformationRequestReceipt:
    """A citizen's request for information (Luật Tiếp cận thông tin 2016, Điều 24): it becomes a case with the
    legal trigger `citizen_information_request` and its clocks (Điều 30: 3 working days, or a schedule within 3 and
    the answer within 15). Returns the case's reference."""
    return information_requests.submit(session, data=body, now=now)


# --- pages ----------------------------------------------------------------------------------------------------


def _token_ok(settings: Settings, sent: object, cookie: str) -> bool:
    return isinstance(sent, str) and bool(sent) and sent == cookie and signed(settings, cookie)


def _page(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    token = form_token(settings, request.cookies.get(FORM_COOKIE))
    response = render_public(request, name, {**context, "csrf_token": token}, status_code=status_code)
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies)
    return response


def _subscribe_page(request: Request, values: Values, errors: Errors, status_code: int = 200) -> Response:
    topics = [(t.value, TOPIC_LABELS[t]) for t in Topic]
    return _page(request, "public/subscribe.html", {"values": values, "errors": errors, "topics": topics},
                 status_code=status_code)  # fmt: skip


@pages.api_route("/subscriptions/new", methods=["GET", "HEAD"])
def subscribe_form(request: Request) -> Response:
    return _subscribe_page(request, {}, {})


@pages.post("/subscriptions")
def post_subscribe(
    request: Request, session: SessionDep, settings: SettingsDep, now: NowDep, form: FormDep
) -> Response:
    values = form_values(form, multi=("topics",))
    locale = public_locale(request)
    if not _token_ok(settings, form.get(CSRF_FIELD), request.cookies.get(FORM_COOKIE, "")):
        message = text(_("Biểu mẫu đã hết hạn. Hãy bấm «Đăng ký» lần nữa."), locale)
        return _subscribe_page(request, values, {FORM_ERROR: message}, status_code=403)
    try:
        data = SubscribeIn.model_validate({"email": values.get("email", ""), "topics": values.get("topics", [])})
    except ValidationError as exc:
        return _subscribe_page(request, values, validation_errors(exc, locale), status_code=422)
    subscriptions.subscribe(session, data=data, locale=locale, now=now, base_url=settings.public_base_url,
                            interval=_interval(settings))  # fmt: skip
    return RedirectResponse("/subscriptions/sent", status_code=303)


@pages.get("/subscriptions/sent")
def subscribe_sent(request: Request) -> Response:
    return render_public(request, "public/subscription_done.html", {"state": "sent"})


@pages.get("/subscriptions/confirm")
def confirm_page(request: Request, token: Token = "") -> Response:
    return _page(request, "public/subscription_action.html", {"action": "confirm", "token": token})


@pages.post("/subscriptions/confirm")
def confirm(request: Request, session: SessionDep, now: NowDep, token: Token = "") -> Response:
    subscriptions.confirm(session, token=token, now=now)
    return render_public(request, "public/subscription_done.html", {"state": "confirmed"})


@pages.get("/subscriptions/unsubscribe")
def unsubscribe_page(request: Request, session: SessionDep, token: Token = "") -> Response:
    subscriptions.check_unsubscribe_token(session, token=token)
    return _page(request, "public/subscription_action.html", {"action": "unsubscribe", "token": token})


@pages.post("/subscriptions/unsubscribe")
def unsubscribe(request: Request, session: SessionDep, now: NowDep, token: Token = "") -> Response:
    """One click (RFC 8058): a mail client POSTs ``List-Unsubscribe=One-Click`` here; the page's button too."""
    subscriptions.unsubscribe(session, token=token, now=now)
    return render_public(request, "public/subscription_done.html", {"state": "unsubscribed"})


INFO_FIELDS = tuple(InformationRequestCreate.model_fields)


def _information_page(request: Request, values: Values, errors: Errors, status_code: int = 200) -> Response:
    forms = [(f.value, DELIVERY_FORM_LABELS[f]) for f in DELIVERY_FORM_LABELS]
    return _page(request, "public/information_request.html", {"values": values, "errors": errors, "forms": forms},
                 status_code=status_code)  # fmt: skip


@pages.api_route("/information-requests/new", methods=["GET", "HEAD"])
def information_form(request: Request) -> Response:
    return _information_page(request, {"delivery_form": "email"}, {})


@pages.post("/information-requests")
def post_information(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep,
                     form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    locale = public_locale(request)
    if not _token_ok(settings, form.get(CSRF_FIELD), request.cookies.get(FORM_COOKIE, "")):
        message = text(_("Biểu mẫu đã hết hạn hoặc không hợp lệ, nên yêu cầu chưa được gửi. Hãy bấm «Gửi yêu cầu» "
                         "lần nữa."), locale)  # fmt: skip
        return _information_page(request, values, {FORM_ERROR: message}, status_code=403)
    try:
        data = InformationRequestCreate.model_validate({k: values.get(k, "") for k in INFO_FIELDS})
    except ValidationError as exc:
        return _information_page(request, values, validation_errors(exc, locale), status_code=422)
    receipt = information_requests.submit(session, data=data, now=now)
    return render_public(request, "public/information_request_done.html", {"receipt": receipt})
