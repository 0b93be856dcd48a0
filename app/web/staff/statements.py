"""Statements in the browser: draft one on a case, the statement page (current text, versions, comparison, comments,
approvals, the notice once published) with only the actions the reader may take now: add a version, submit, return
with a comment, approve with the three-item checklist (offered only to a holder of spokesperson authority for the
case at that moment), publish (now or at an embargo minute); corrections and withdrawals of a published notice; and
the staff's view of a notice.

Every action calls the service the JSON API calls (``app/web/api/statements.py``). The forms carry guards (the
version read, the status seen), so an action that another user made impossible meanwhile shows the statement page
again with a clear message, not an error page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.answer_templates import service as answer_templates
from app.attachments import service as attachments
from app.auth.permissions import Actor, Permission, can
from app.cases.models import Case
from app.cases.reads import case_read
from app.cases.scope import get_case, scope_of
from app.errors import Conflict, DomainError, ValidationFailed
from app.i18n import _
from app.notices import publication
from app.notices import service as notices
from app.notices.rules import NOTICE_TYPE_BY_KIND, NOTICE_TYPE_LABELS
from app.spokespersons import service as spokespersons
from app.statements import queries as statement_queries
from app.statements import service
from app.statements.models import (
    ApproveIn,
    CommentIn,
    PublishIn,
    ReturnIn,
    Statement,
    StatementCreate,
    SubmitIn,
    VersionCreate,
)
from app.statements.rules import CHECKLIST, STATUS_LABELS
from app.web.dates import iso_local
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep
from app.web.staff.case_page import FailedForm, case_page, failure
from app.web.staff.forms import FormDep, Values, form_values
from app.web.templating import render

router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]
VersionQuery = Annotated[int | None, Query(ge=1, le=100000)]
CHECKLIST_KEYS = tuple(key for key, _label in CHECKLIST)


def _raw_text(form: Any, name: str = "text") -> str:
    """A statement's text exactly as typed (not stripped: the approved text is hashed as it is)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _template_id(values: Values) -> int:
    raw = values.get("template_id", "")
    if not raw.isdigit():
        raise ValidationFailed(_("Chọn một mẫu."), field="template_id")
    return int(raw)


def _optional(values: Values, *names: str) -> dict[str, Any]:
    return {name: values[name] for name in names if values.get(name)}


def statement_page(
    request: Request,
    session: Session,
    actor: Actor,
    statement: Statement,
    case: Case,
    now: datetime,
    *,
    message: str | None = None,
    failed: FailedForm | None = None,
    status_code: int = 200,
) -> Response:
    read = statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)
    notice = notices.notice_of_statement(session, read.id) if read.notice else None
    ctx = {
        "case": case_read(session, actor=actor, case=case, now=now),
        "s": read,
        "notice": notices.notice_read(session, notice, now=now) if notice else None,
        "checklist": CHECKLIST,
        "publish_type": NOTICE_TYPE_BY_KIND[read.kind],
        "type_labels": NOTICE_TYPE_LABELS,
        "can_comment": can(actor, Permission.CASE_NOTE, scope_of(session, case)),
        "drafting": statement_queries.drafting_options(session, actor=actor, case=case),
        "authority": spokespersons.authority_for(session, actor=actor, case=case, at=now),
        "message": message,
        "failed": failed,
        "attachments": attachments.panel(session, actor=actor, case=case, statement=statement),
        "max_upload_mb": request.app.state.settings.max_upload_mb,
    }
    return render(request, "staff/statements/detail.html", ctx, status_code=status_code)


def _failed_page(
    request: Request,
    session: Session,
    actor: Actor,
    statement_id: int,
    now: datetime,
    exc: ValidationError | DomainError,
    *,
    key: str,
    values: Values,
    field_names: dict[str, str] | None = None,
) -> Response:
    failed, message, status = failure(request, session, exc, key=key, values=values, field_names=field_names)
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    return statement_page(request, session, actor, statement, case, now, message=message, failed=failed,
                          status_code=status)  # fmt: skip


def _done(statement_id: int, key: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/staff/statements/{statement_id}?done={key}{anchor}", status_code=303)


# --- drafting -----------------------------------------------------------------------------------------------


@router.post("/cases/{reference}/statements")
def create(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    values["text"] = _raw_text(form)
    values["withdraw"] = values.get("withdraw") == "1"
    from_template = values.get("from") == "template"
    try:
        if from_template:  # "draft from template": the kind is the template's
            template = answer_templates.get_template(session, actor=actor, template_id=_template_id(values))
            data = StatementCreate(kind=template.kind, template_id=template.id)
        else:
            data = StatementCreate.model_validate(
                {"kind": values.get("kind", ""), "text": values["text"], "withdraw": values["withdraw"],
                 **_optional(values, "title", "refusal_ground", "refusal_reason", "corrects", "note")}
            )  # fmt: skip
        statement = answer_templates.draft_statement(session, actor=actor, case=case, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        key = "statement-template" if from_template else "statement-new"
        failed, message, status = failure(request, session, exc, key=key, values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    assert statement.id is not None
    return _done(statement.id, "statement_created")


@router.get("/statements/{statement_id}")
def show(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    return statement_page(request, session, actor, statement, case, now)


@router.post("/statements/{statement_id}/versions")
def add_version(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, form: FormDep
) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    values = form_values(form)
    values["text"] = _raw_text(form)
    data_in: dict[str, Any] = {"text": values["text"], **_optional(values, "title", "base_version", "note")}
    if "refusal_ground" in values:  # a refusal's form: its ground and reason are part of the version
        data_in["refusal_ground"] = values["refusal_ground"] or None
        data_in["refusal_reason"] = values.get("refusal_reason") or None
    try:
        data = VersionCreate.model_validate(data_in)
        service.add_version(session, actor=actor, statement=statement, case=case, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        return _failed_page(request, session, actor, statement_id, now, exc, key="add_version", values=values)
    return _done(statement_id, "version")


@router.post("/statements/{statement_id}/comments")
def add_comment(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, form: FormDep
) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    values = form_values(form)
    try:
        body = CommentIn.model_validate({"text": values.get("text", ""), **_optional(values, "version")})
        service.add_comment(session, actor=actor, statement=statement, case=case, text=body.text,
                            version=body.version, now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        return _failed_page(request, session, actor, statement_id, now, exc, key="comment", values=values)
    return _done(statement_id, "comment", "#comments")


def _expect(statement: Statement, values: Values) -> None:
    """The form's guard: the status the reader saw. Someone else moved the statement meanwhile → 409."""
    seen = values.get("expected_status")
    if seen and seen != statement.status.value:
        raise Conflict(
            _(
                "Nội dung phát ngôn vừa được người khác cập nhật (trạng thái hiện tại: {status}).",
                status=STATUS_LABELS[statement.status],
            ),
            status=statement.status.value,
        )


@router.post("/statements/{statement_id}/submit")
def submit(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, form: FormDep
) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    values = form_values(form)
    try:
        body = SubmitIn.model_validate(_optional(values, "note"))
        _expect(statement, values)
        service.submit(session, actor=actor, statement=statement, case=case, note=body.note, now=now)
    except (ValidationError, DomainError) as exc:
        return _failed_page(request, session, actor, statement_id, now, exc, key="submit", values=values)
    return _done(statement_id, "submitted")


@router.post("/statements/{statement_id}/return")
def return_statement(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, form: FormDep
) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    values = form_values(form)
    try:
        body = ReturnIn.model_validate({"comment": values.get("comment", "")})
        _expect(statement, values)
        service.return_statement(session, actor=actor, statement=statement, case=case, comment=body.comment, now=now)
    except (ValidationError, DomainError) as exc:
        return _failed_page(request, session, actor, statement_id, now, exc, key="return", values=values)
    return _done(statement_id, "returned")


@router.post("/statements/{statement_id}/approve")
def approve(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, form: FormDep
) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    values = form_values(form)
    checklist = {key: values.get(key) == "1" for key in CHECKLIST_KEYS}
    try:
        body = ApproveIn.model_validate({"checklist": checklist, **_optional(values, "version", "note")})
        _expect(statement, values)
        service.approve(session, actor=actor, statement=statement, case=case, data=body, now=now)
    except (ValidationError, DomainError) as exc:
        names = {f"checklist.{key}": key for key in CHECKLIST_KEYS}
        return _failed_page(request, session, actor, statement_id, now, exc, key="approve", values=values,
                            field_names=names)  # fmt: skip
    return _done(statement_id, "approved")


@router.post("/statements/{statement_id}/publish")
def publish(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    now: NowDep,
    statement_id: IdPath,
    form: FormDep,
) -> Response:
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    values = form_values(form)
    at = values.get("at", "")
    try:
        body = PublishIn.model_validate({"at": iso_local(at) if at else None})
        _expect(statement, values)
        notice = publication.publish(session, actor=actor, statement=statement, case=case, at=body.at, now=now,
                                     issuer=settings.org_abbreviation)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        return _failed_page(request, session, actor, statement_id, now, exc, key="publish", values=values)
    return _done(statement_id, f"published_{notice.notice_type.value.lower()}")  # names thông cáo / thông báo


# --- reading ------------------------------------------------------------------------------------------------


@router.get("/statements/{statement_id}/diff")
def diff(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    statement_id: IdPath,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=100000)] = None,
    to: VersionQuery = None,
) -> Response:
    """Two versions side by side, the changed words marked (default: the latest against the one before)."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    if from_ is not None and to is not None and from_ == to:
        raise ValidationFailed(_("Hãy chọn hai phiên bản khác nhau để so sánh."), field="from")
    comparison = statement_queries.compare_versions(session, actor=actor, statement=statement, from_version=from_,
                                          to_version=to)  # fmt: skip
    read = statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)
    ctx = {"case": case_read(session, actor=actor, case=case, now=now), "s": read, "d": comparison}
    return render(request, "staff/statements/diff.html", ctx)


@router.get("/notices/{key:path}")
def notice(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, key: Annotated[str, Path(max_length=80)]
) -> Response:
    """A notice as published (scheduled ones too, for the staff), with its history of corrections and the
    share-ready texts its webhooks carry to the portal, the Fanpage and Zalo OA."""
    read = notices.get_notice(session, actor=actor, key=key, now=now)
    share = notices.share_preview(read, request.app.state.settings.public_base_url)
    return render(request, "staff/statements/notice.html", {"n": read, "share": share})
