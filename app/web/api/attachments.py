"""Documents on cases and statements (product §11.1): upload, list, read, download, remove."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Path, UploadFile
from fastapi.responses import Response

from app.attachments import service
from app.attachments.models import AttachmentPage, AttachmentRead
from app.cases.scope import get_case
from app.statements.queries import get_statement
from app.validation import Note
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep
from app.web.files import StorageDep, download

router = APIRouter(tags=["attachments"])

Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]
UploadErrors: dict[int | str, dict[str, Any]] = {
    413: {"description": "The file is larger than CRISISDESK_MAX_UPLOAD_MB (default 25)"},
    415: {"description": "The type judged from the bytes is not allowed (see docs/attachments.md)"},
}
FileField = Annotated[UploadFile, File(description="The file; its type is judged from its bytes, not its name")]
DescriptionField = Annotated[Note | None, Form(description="What the document is")]
PublicField = Annotated[bool, Form(description="Statements only: published with the statement's notice")]


@router.post("/cases/{reference}/attachments", response_model=AttachmentRead, status_code=201, responses=UploadErrors)
def upload_to_case(
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    actor: ActorDep,
    now: NowDep,
    reference: Reference,
    file: FileField,
    description: DescriptionField = None,
    public: PublicField = False,
    statement_id: Annotated[int | None, Form(ge=1, description="Attach to this statement of the case")] = None,
) -> AttachmentRead:
    """Attach a file (multipart ``file``, optional ``description``) to the case, or with ``statement_id`` to one
    of its statements (``public: true``: published with its notice). 201 with ``id``, ``filename`` (the original
    name), ``content_type`` (judged from the bytes), ``size`` and ``sha256``; 415 for a type outside the list, 413
    past the size limit. Recorded in the case's timeline."""
    case = get_case(session, actor=actor, reference=reference)
    statement = None
    if statement_id is not None:
        statement, _case = get_statement(session, actor=actor, statement_id=statement_id)
    attachment = service.upload(session, actor=actor, case=case, source=file.file, filename=file.filename,
                                description=description, public=public, statement=statement, storage=storage,
                                max_bytes=settings.max_upload_bytes, now=now)  # fmt: skip
    return service.attachment_reads(session, case=case, attachments=[attachment])[0]


@router.post("/statements/{statement_id}/attachments", response_model=AttachmentRead, status_code=201,
             responses=UploadErrors)  # fmt: skip
def upload_to_statement(
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    actor: ActorDep,
    now: NowDep,
    statement_id: IdPath,
    file: FileField,
    description: DescriptionField = None,
    public: PublicField = False,
) -> AttachmentRead:
    """Attach a file to a statement (until it is published): with ``public: true`` it is published with the
    statement's notice (the signed dispatch, a table of figures) and listed there with its SHA-256."""
    statement, case = get_statement(session, actor=actor, statement_id=statement_id)
    attachment = service.upload(session, actor=actor, case=case, source=file.file, filename=file.filename,
                                description=description, public=public, statement=statement, storage=storage,
                                max_bytes=settings.max_upload_bytes, now=now)  # fmt: skip
    return service.attachment_reads(session, case=case, attachments=[attachment])[0]


@router.get("/cases/{reference}/attachments", response_model=AttachmentPage)
def list_case_attachments(session: SessionDep, actor: ActorDep, reference: Reference) -> AttachmentPage:
    """The case's attachments, its statements' included (``statement_id``), oldest first."""
    case = get_case(session, actor=actor, reference=reference)
    items = service.list_attachments(session, case=case)
    return AttachmentPage(items=service.attachment_reads(session, case=case, attachments=items))


@router.get("/statements/{statement_id}/attachments", response_model=AttachmentPage)
def list_statement_attachments(session: SessionDep, actor: ActorDep, statement_id: IdPath) -> AttachmentPage:
    """One statement's attachments, oldest first."""
    statement, case = get_statement(session, actor=actor, statement_id=statement_id)
    items = service.list_attachments(session, case=case, statement_id=statement.id)
    return AttachmentPage(items=service.attachment_reads(session, case=case, attachments=items))


@router.get("/attachments/{attachment_id}", response_model=AttachmentRead)
def get_attachment(session: SessionDep, actor: ActorDep, attachment_id: IdPath) -> AttachmentRead:
    """One attachment's record; 404 for whoever cannot see its case."""
    attachment, case = service.get_attachment(session, actor=actor, attachment_id=attachment_id)
    return service.attachment_reads(session, case=case, attachments=[attachment])[0]


FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The file's bytes, with the type judged from them",
    }
}


@router.get("/attachments/{attachment_id}/content", response_class=Response, responses=FILE_RESPONSE)
def get_content(
    session: SessionDep,
    storage: StorageDep,
    actor: ActorDep,
    attachment_id: IdPath,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The bytes, with ``Content-Disposition: attachment`` and the original (Vietnamese) name (RFC 5987
    ``filename*``), the SHA-256 as ``ETag``; 404 for whoever cannot see the case."""
    attachment, _case = service.get_attachment(session, actor=actor, attachment_id=attachment_id)
    return download(storage, attachment, if_none_match=if_none_match)


@router.delete("/attachments/{attachment_id}", status_code=204, response_class=Response)
def remove_attachment(session: SessionDep, actor: ActorDep, now: NowDep, attachment_id: IdPath) -> Response:
    """Take the attachment off its case (its uploader, or whoever may edit the case; a published statement's
    attachments stay). Recorded in the timeline; the record and the bytes are kept."""
    attachment, case = service.get_attachment(session, actor=actor, attachment_id=attachment_id)
    service.remove(session, actor=actor, attachment=attachment, case=case, now=now)
    return Response(status_code=204)
