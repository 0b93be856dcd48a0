"""My settings: every user chooses their own language and how their messages reach them by e-mail (each at once, one
message a day, or none), and changes their own password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor
from app.errors import ValidationFailed
from app.i18n import _, text
from app.org import service as org
from app.org.models import OwnSettings, PasswordChange
from app.web.deps import ActorDep, HasherDep, SessionDep, get_locale
from app.web.staff.forms import Errors, FormDep, form_errors, form_values
from app.web.staff.session import set_lang_cookie
from app.web.templating import render

router = APIRouter()


def _settings_page(request: Request, session: Session, actor: Actor, errors: Errors,
                   status_code: int = 200) -> Response:  # fmt: skip
    user = org.own_user(session, actor=actor)
    context = {"user_locale": actor.locale, "user_email_frequency": user.email_frequency.value,
               "user_email": user.email, "errors": errors}  # fmt: skip
    return render(request, "staff/settings.html", context, status_code=status_code)


@router.get("/settings")
def settings_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _settings_page(request, session, actor, {})


@router.post("/settings/email")
def save_email_choice(request: Request, session: SessionDep, actor: ActorDep, form: FormDep) -> Response:
    try:
        data = OwnSettings.model_validate({"email_frequency": form_values(form).get("email_frequency", "")})
    except ValidationError as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _settings_page(request, session, actor, errors, status)
    org.update_own_settings(session, actor=actor, data=data)
    return RedirectResponse("/staff/settings?done=email", status_code=303)


@router.post("/settings")
def save_settings(request: Request, session: SessionDep, actor: ActorDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = OwnSettings.model_validate({"locale": values.get("locale", "")})
    except ValidationError as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _settings_page(request, session, actor, errors, status)
    user = org.update_own_settings(session, actor=actor, data=data)
    response = RedirectResponse("/staff/settings?done=settings", status_code=303)
    set_lang_cookie(response, user.locale)  # the choice applies at once, in this browser too
    return response


@router.post("/settings/password")
def change_password(
    request: Request, session: SessionDep, hasher: HasherDep, actor: ActorDep, form: FormDep
) -> Response:
    values = form_values(form)
    locale = get_locale(request)
    if values.get("new_password", "") != values.get("new_password_confirm", ""):
        errors = {"new_password_confirm": text(_("Hai lần nhập mật khẩu không khớp."), locale)}
        return _settings_page(request, session, actor, errors, 422)
    try:
        data = PasswordChange.model_validate(
            {"current_password": values.get("current_password", ""), "new_password": values.get("new_password", "")}
        )
        org.change_own_password(
            session,
            actor=actor,
            data=data,
            hasher=hasher,
        )
    except (ValidationError, ValidationFailed) as exc:  # a wrong current password is said beside its field
        errors, status = form_errors(exc, session, locale)
        return _settings_page(request, session, actor, errors, status)
    return RedirectResponse("/staff/settings?done=password", status_code=303)
