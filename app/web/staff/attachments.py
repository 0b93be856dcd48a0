"""Documents in the browser: attach a file to a case (or to one of its statements, public or not), download one,
remove one. The same service calls as the JSON API (``app/web/api/attachments.py``); a refused file (type, size,
no right) shows the page again with the message beside the form, nothing saved."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from app.attachments import service
from app.cases.scope import get_case
from app.errors import DomainError, ValidationFailed
from app.i18n import _
from app.statements.queries import get_statement
from app.validation import Note
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep
from app.web.files import StorageDep, download
from app.web.staff.case_page import case_page, failure
from app.web.staff.forms import FormDep, form_values
from app.web.staff.statements import statement_page

router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]
_NOTE: TypeAdapter[str] = TypeAdapter(Note)


def _fields(form: Any) -> tuple[UploadFile | None, str | None, bool, dict[str, Any]]:
    upload = form.get("file")
    values = form_values(form, exclude=("csrf_token", "file"))
    description = values.get("description") or None
    if description is not None:
        description = _NOTE.validate_python(description)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(_("Chọn một tệp để đính kèm."), field="file")
    return upload, description, values.get("public") == "1", values


@router.post("/cases/{reference}/attachments")
def attach_to_case(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    actor: ActorDep,
    now: NowDep,
    reference: Reference,
    form: FormDep,
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values: dict[str, Any] = form_values(form, exclude=("csrf_token", "file"))
    try:
        upload, description, _public, values = _fields(form)
        assert upload is not None
        service.upload(session, actor=actor, case=case, source=upload.file, filename=upload.filename,
                       description=description, public=False, statement=None, storage=storage,
                       max_bytes=settings.max_upload_bytes, now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key="attachment-new", values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=attachment#attachments", status_code=303)


@router.post("/statements/{statement_id}/attachments")
def attach_to_statement(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    actor: ActorDep,
    now: NowDep,
    statement_id: IdPath,
    form: FormDep,
) -> Response:
    statement, case = get_statement(session, actor=actor, statement_id=statement_id)
    values: dict[str, Any] = form_values(form, exclude=("csrf_token", "file"))
    try:
        upload, description, public, values = _fields(form)
        assert upload is not None
        service.upload(session, actor=actor, case=case, source=upload.file, filename=upload.filename,
                       description=description, public=public, statement=statement, storage=storage,
                       max_bytes=settings.max_upload_bytes, now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key="attachment-new", values=values)
        statement, case = get_statement(session, actor=actor, statement_id=statement_id)
        return statement_page(request, session, actor, statement, case, now, message=message, failed=failed,
                              status_code=status)  # fmt: skip
    return RedirectResponse(f"/staff/statements/{statement_id}?done=attachment#attachments", status_code=303)


@router.get("/attachments/{attachment_id}/content")
def content(
    session: SessionDep,
    storage: StorageDep,
    actor: ActorDep,
    attachment_id: IdPath,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    attachment, _case = service.get_attachment(session, actor=actor, attachment_id=attachment_id)
    return download(storage, attachment, if_none_match=if_none_match)


@router.post("/attachments/{attachment_id}/remove")
def remove(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, attachment_id: IdPath, form: FormDep
) -> Response:
    attachment, case = service.get_attachment(session, actor=actor, attachment_id=attachment_id)
    statement_id = attachment.statement_id
    try:
        service.remove(session, actor=actor, attachment=attachment, case=case, now=now)
    except DomainError as exc:
        failed, message, status = failure(request, session, exc, key="attachment-remove", values={})
        case = get_case(session, actor=actor, reference=case.reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    if statement_id is not None and form.get("back") == "statement":
        return RedirectResponse(f"/staff/statements/{statement_id}?done=attachment_removed#attachments",
                                status_code=303)  # fmt: skip
    return RedirectResponse(f"/staff/cases/{case.reference}?done=attachment_removed#attachments", status_code=303)
