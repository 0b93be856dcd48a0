"""My settings: every user chooses their own language and changes their own password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.errors import ValidationFailed
from app.i18n import _, text
from app.org import service as org
from app.org.models import OwnSettings, PasswordChange
from app.web.deps import ActorDep, HasherDep, SessionDep, get_locale
from app.web.staff.forms import Errors, FormDep, form_errors, form_values
from app.web.staff.session import set_lang_cookie
from app.web.templating import render

router = APIRouter()


def _settings_page(request: Request, actor_locale: str, errors: Errors, status_code: int = 200) -> Response:
    return render(request, "staff/settings.html", {"user_locale": actor_locale, "errors": errors},
                  status_code=status_code)  # fmt: skip


@router.get("/settings")
def settings_page(request: Request, actor: ActorDep) -> Response:
    return _settings_page(request, actor.locale, {})


@router.post("/settings")
def save_settings(request: Request, session: SessionDep, actor: ActorDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = OwnSettings.model_validate({"locale": values.get("locale", "")})
    except ValidationError as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _settings_page(request, actor.locale, errors, status)
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
        return _settings_page(request, actor.locale, errors, 422)
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
        return _settings_page(request, actor.locale, errors, status)
    return RedirectResponse("/staff/settings?done=password", status_code=303)
