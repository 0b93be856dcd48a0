"""Admin screens: units (a tree, with each unit's communications contact), users and their role grants, API
tokens (issued once, listed, revoked). The calendar and the internal targets are in ``deadline_admin.py``.

The services check the admin permissions (``units:manage``, ``users:manage``, ``tokens:manage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pwdlib import PasswordHash
from pydantic import ValidationError
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import ApiTokenCreate, ApiTokenIssued
from app.auth.permissions import Actor, Permission, Role, can, require
from app.db import discard_changes
from app.errors import DomainError, NotAuthenticated
from app.i18n import _, text
from app.org import service as org
from app.org.models import UnitCreate, UnitKind, UnitRead, UnitUpdate, UserCreate, UserUpdate
from app.stories import queries as story_queries
from app.timeutil import end_of_local_day
from app.web.dates import parse_date
from app.web.deps import ActorDep, HasherDep, IdPath, NowDep, SessionDep, get_locale, get_now
from app.web.staff.forms import (
    Errors,
    FormDep,
    Values,
    domain_errors,
    form_errors,
    form_values,
    non_empty,
    validation_errors,
)
from app.web.templating import render

router = APIRouter(prefix="/admin")

UnitCode = Annotated[str, Path(max_length=40)]
Username = Annotated[str, Path(max_length=64)]
EXTRA_ROLE_ROWS = 2


@router.get("/")
def admin_index(request: Request, actor: ActorDep) -> Response:
    links = [
        (_("Đơn vị"), "/staff/admin/units", _("Cây đơn vị và đầu mối truyền thông của từng đơn vị."),
         Permission.UNITS_MANAGE),
        (_("Người dùng và vai trò"), "/staff/admin/users", _("Tài khoản, vai trò theo đơn vị, mật khẩu."),
         Permission.USERS_MANAGE),
        (_("Mã truy cập API"), "/staff/admin/tokens", _("Mã dài hạn cho các hệ thống tích hợp."),
         Permission.TOKENS_MANAGE),
        (_("Lịch ngày làm việc"), "/staff/admin/calendar",
         _("Ngày nghỉ lễ, ngày nghỉ thêm và ngày làm bù của từng năm."), Permission.CALENDAR_MANAGE),
        (_("Chỉ tiêu thời hạn nội bộ"), "/staff/admin/targets",
         _("Thời hạn riêng của Sở theo mức độ và nguồn thông tin."), Permission.TARGETS_MANAGE),
        (_("Webhook"), "/staff/admin/webhooks",
         _("Gửi thông cáo ra cổng thông tin, Fanpage, Zalo OA; nhật ký gửi."), Permission.WEBHOOKS_MANAGE),
        (_("Hộp thư tiếp nhận"), "/staff/admin/mailbox",
         _("Thư đã mở vụ việc hoặc thành ghi chú; cơ quan báo chí theo tên miền."), Permission.WEBHOOKS_MANAGE),
    ]  # fmt: skip
    shown = [(title, href, desc) for title, href, desc, perm in links if can(actor, perm)]
    if not shown:
        require(actor, Permission.USERS_MANAGE)
    return render(request, "staff/admin/index.html", {"links": shown})


# --- units --------------------------------------------------------------------------------------------------


@dataclass
class UnitNode:
    unit: UnitRead
    children: list[UnitNode] = field(default_factory=list)


def unit_tree(units: list[UnitRead]) -> list[UnitNode]:
    """The units as a tree; siblings in the order of the kinds (office, divisions, …), then by name."""
    kinds = list(UnitKind)
    units = sorted(units, key=lambda u: (kinds.index(u.kind), u.name))
    nodes = {u.code: UnitNode(u) for u in units}
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent) if unit.parent else None
        (parent.children if parent else roots).append(nodes[unit.code])
    return roots


UNIT_TEXT_FIELDS = ("code", "name", "name_en", "kind", "parent", "contact_name", "contact_title", "contact_phone",
                    "contact_email")  # fmt: skip


def _unit_page(request: Request, session: Session, actor: Actor, *, unit: UnitRead | None, values: Values,
               errors: Errors, status_code: int = 200) -> Response:  # fmt: skip
    units = org.list_units_admin(session, actor=actor)
    parents = [u for u in units if unit is None or u.code != unit.code]
    ctx = {"unit": unit, "values": values, "errors": errors, "parents": parents, "kinds": list(UnitKind)}
    return render(request, "staff/admin/unit_form.html", ctx, status_code=status_code)


def _unit_values(unit: UnitRead) -> Values:
    values: Values = {name: getattr(unit, name) or "" for name in UNIT_TEXT_FIELDS}
    values["kind"] = unit.kind.value
    values["active"] = unit.active
    return values


@router.get("/units")
def units(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    tree = unit_tree(org.list_units_admin(session, actor=actor))
    comms = {i.unit.code: i.contact for i in story_queries.unit_contacts(session, now=now).items}
    return render(request, "staff/admin/units.html", {"tree": tree, "comms": comms})


@router.get("/units/new")
def new_unit_form(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    require(actor, Permission.UNITS_MANAGE)
    return _unit_page(request, session, actor, unit=None, values={"kind": UnitKind.DIVISION.value, "active": True},
                      errors={})  # fmt: skip


@router.post("/units")
def create_unit(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    locale = get_locale(request)
    try:
        data = UnitCreate.model_validate(non_empty(values))
        org.create_unit(session, actor=actor, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _unit_page(request, session, actor, unit=None, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/admin/units?done=unit", status_code=303)


@router.get("/units/{code}")
def unit_form(request: Request, session: SessionDep, actor: ActorDep, code: UnitCode) -> Response:
    unit = org.get_unit(session, actor=actor, code=code)
    return _unit_page(request, session, actor, unit=unit, values=_unit_values(unit), errors={})


@router.post("/units/{code}")
def update_unit(request: Request, session: SessionDep, actor: ActorDep, code: UnitCode, form: FormDep) -> Response:
    unit = org.get_unit(session, actor=actor, code=code)
    values = form_values(form)
    values["active"] = values.get("active") == "1"
    locale = get_locale(request)
    fields = {k: (v if v != "" else None) for k, v in values.items() if k in UnitUpdate.model_fields}
    try:
        data = UnitUpdate.model_validate(fields)
        org.update_unit(session, actor=actor, code=code, data=data)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _unit_page(request, session, actor, unit=unit, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/admin/units?done=unit", status_code=303)


# --- users --------------------------------------------------------------------------------------------------

USER_FIELDS = ("username", "full_name", "title", "email", "phone", "locale")


def _grant_rows(values: Values) -> list[dict[str, str]]:
    rows = [dict(r) for r in values.get("roles", [])]
    return rows + [{"role": "", "unit": ""} for _ in range(EXTRA_ROLE_ROWS)]


def _user_page(request: Request, session: Session, actor: Actor, *, username: str | None, values: Values,
               errors: Errors, status_code: int = 200) -> Response:  # fmt: skip
    ctx = {
        "username": username,
        "values": values,
        "errors": errors,
        "grant_rows": _grant_rows(values),
        "roles": list(Role),
        "units": org.list_units(session, include_inactive=True),
    }  # fmt: skip
    return render(request, "staff/admin/user_form.html", ctx, status_code=status_code)


def _user_form_values(form_data: Any) -> Values:
    values = form_values(form_data, exclude=("csrf_token", "role", "role_unit"))
    roles = [str(r) for r in form_data.getlist("role")]
    units = [str(u) for u in form_data.getlist("role_unit")]
    values["roles"] = [{"role": r.strip(), "unit": u.strip()} for r, u in zip(roles, units, strict=False) if r.strip()]
    values["active"] = values.get("active", "1") == "1"
    return values


def _grants(values: Values) -> list[dict[str, Any]]:
    return [{"role": r["role"], "unit": r["unit"] or None} for r in values["roles"]]


@router.get("/users")
def users(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "staff/admin/users.html", {"users": org.list_users(session, actor=actor)})


@router.get("/users/new")
def new_user_form(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    require(actor, Permission.USERS_MANAGE)
    return _user_page(request, session, actor, username=None, values={"locale": "vi", "roles": [], "active": True},
                      errors={})  # fmt: skip


@router.post("/users")
def create_user(
    request: Request, session: SessionDep, hasher: HasherDep, actor: ActorDep, now: NowDep, form: FormDep
) -> Response:
    values = _user_form_values(form)
    locale = get_locale(request)
    if values.get("password", "") != values.get("password_confirm", ""):
        errors = {"password_confirm": text(_("Hai lần nhập mật khẩu không khớp."), locale)}
        return _user_page(request, session, actor, username=None, values=values, errors=errors, status_code=422)
    data_in = {k: v for k, v in non_empty(values, keep_empty=("title",)).items() if k in UserCreate.model_fields}
    data_in["roles"] = _grants(values)
    try:
        data = UserCreate.model_validate(data_in)
        user = org.create_user(session, data=data, now=now, hasher=hasher, actor=actor)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _user_page(request, session, actor, username=None, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/admin/users/{user.username}?done=user", status_code=303)


def _existing_user_values(session: Session, actor: Actor, username: str) -> Values:
    read = org.user_read(session, org.get_user(session, actor=actor, username=username))
    values: Values = {name: getattr(read, name) or "" for name in USER_FIELDS}
    values["active"] = read.active
    values["roles"] = [{"role": g.role.value, "unit": g.unit or ""} for g in read.roles]
    return values


@router.get("/users/{username}")
def user_form(request: Request, session: SessionDep, actor: ActorDep, username: Username) -> Response:
    values = _existing_user_values(session, actor, username)
    return _user_page(request, session, actor, username=username, values=values, errors={})


def _update_user(request: Request, session: Session, hasher: PasswordHash, actor: Actor, username: str,
                 data_in: dict[str, Any], values: Values, done: str) -> Response:  # fmt: skip
    locale = get_locale(request)
    try:
        data = UserUpdate.model_validate(data_in)
        org.update_user(session, actor=actor, username=username, data=data, hasher=hasher, now=get_now(request))
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _user_page(request, session, actor, username=username, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/admin/users/{username}?done={done}", status_code=303)


@router.post("/users/{username}")
def update_user(
    request: Request, session: SessionDep, hasher: HasherDep, actor: ActorDep, username: Username, form: FormDep
) -> Response:
    org.get_user(session, actor=actor, username=username)
    values = _user_form_values(form)
    values["username"] = username
    data_in: dict[str, Any] = {k: (v if v != "" else None) for k, v in values.items()
                               if k in ("full_name", "email", "phone", "locale")}  # fmt: skip
    data_in.update(title=values.get("title", ""), active=values["active"], roles=_grants(values))
    return _update_user(request, session, hasher, actor, username, data_in, values, "user")


@router.post("/users/{username}/password")
def set_password(
    request: Request, session: SessionDep, hasher: HasherDep, actor: ActorDep, username: Username, form: FormDep
) -> Response:
    values = _existing_user_values(session, actor, username)
    password, confirm = str(form.get("password") or ""), str(form.get("password_confirm") or "")
    if password != confirm:
        errors = {"password_confirm": text(_("Hai lần nhập mật khẩu không khớp."), get_locale(request))}
        return _user_page(request, session, actor, username=username, values=values, errors=errors, status_code=422)
    return _update_user(request, session, hasher, actor, username, {"password": password}, values, "password")


@router.post("/users/{username}/active")
def set_active(
    request: Request, session: SessionDep, hasher: HasherDep, actor: ActorDep, username: Username, form: FormDep
) -> Response:
    values = _existing_user_values(session, actor, username)
    active = form.get("active") == "1"
    return _update_user(request, session, hasher, actor, username, {"active": active}, values, "user")


# --- API tokens ---------------------------------------------------------------------------------------------


def _tokens_page(request: Request, session: Session, actor: Actor, *, values: Values, errors: Errors,
                 issued: ApiTokenIssued | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx = {
        "tokens": auth_service.list_api_tokens(session, actor=actor),
        "users": [u for u in org.list_users(session, actor=actor) if u.active],
        "values": values,
        "errors": errors,
        "issued": issued,
    }
    return render(request, "staff/admin/tokens.html", ctx, status_code=status_code)


@router.get("/tokens")
def tokens(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _tokens_page(request, session, actor, values={}, errors={})


@router.post("/tokens")
def issue_token(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    locale = get_locale(request)
    expires = parse_date(values.get("expires_on"))
    if values.get("expires_on") and expires is None:
        errors = {"expires_on": text(_("Ngày không hợp lệ."), locale)}
        return _tokens_page(request, session, actor, values=values, errors=errors, status_code=422)
    try:
        data = ApiTokenCreate.model_validate(
            {"username": values.get("username", ""), "name": values.get("name", ""),
             "expires_at": end_of_local_day(expires) if expires else None}
        )  # fmt: skip
        issued = auth_service.issue_api_token(session, actor=actor, username=data.username, name=data.name,
                                              expires_at=data.expires_at, now=now)  # fmt: skip
    except ValidationError as exc:
        return _tokens_page(request, session, actor, values=values, errors=validation_errors(exc, locale),
                            status_code=422)  # fmt: skip
    except NotAuthenticated:
        raise
    except DomainError as exc:  # an unknown user is said beside the field (a 404 on the form, not an error page)
        discard_changes(session)
        errors = domain_errors(exc, locale)
        if "expires_at" in errors:
            errors["expires_on"] = errors.pop("expires_at")
        return _tokens_page(request, session, actor, values=values, errors=errors, status_code=exc.status_code)
    # Shown once, right here (no redirect): only the token's hash is kept.
    return _tokens_page(request, session, actor, values={}, errors={}, issued=issued, status_code=201)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(session: SessionDep, actor: ActorDep, now: NowDep, token_id: IdPath) -> Response:
    auth_service.revoke_api_token(session, actor=actor, token_id=token_id, now=now)
    return RedirectResponse("/staff/admin/tokens?done=revoked", status_code=303)
