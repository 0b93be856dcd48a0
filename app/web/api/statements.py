"""Statements, their approval path and the notices they become (product §10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.answer_templates import service as answer_templates
from app.cases.scope import get_case
from app.notices import publication
from app.notices import service as notices
from app.notices.models import NoticeRead
from app.statements import queries as statement_queries
from app.statements import service
from app.statements.models import (
    ApproveIn,
    CommentIn,
    CommentPage,
    CommentRead,
    DiffRead,
    PublishIn,
    ReturnIn,
    StatementCreate,
    StatementPage,
    StatementRead,
    SubmitIn,
    VersionCreate,
    VersionRead,
)
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep

router = APIRouter(tags=["statements"])

Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]
VersionNo = Annotated[int, Path(ge=1, le=100000)]
OptionalVersion = Annotated[int | None, Query(ge=1, le=100000)]


@router.post("/cases/{reference}/statements", response_model=StatementRead, status_code=201)
def create_statement(
    session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: StatementCreate
) -> StatementRead:
    """Draft a statement (``kind``, ``text``) on a case: its ``id`` and ``version`` 1. With ``template_id``
    instead of ``text``, the draft is that answer template filled for the case. A refusal needs
    ``refusal_ground`` and ``refusal_reason``; a correction names the notice it corrects in ``corrects`` (and
    ``withdraw: true`` to withdraw it)."""
    case = get_case(session, actor=actor, reference=reference)
    statement = answer_templates.draft_statement(session, actor=actor, case=case, data=body, now=now)
    return statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)


@router.get("/cases/{reference}/statements", response_model=StatementPage)
def list_statements(session: SessionDep, actor: ActorDep, reference: Reference) -> StatementPage:
    """The case's statements, oldest first."""
    case = get_case(session, actor=actor, reference=reference)
    statements = statement_queries.list_statements(session, actor=actor, case=case)
    return StatementPage(items=statement_queries.statement_summaries(session, case=case, statements=statements))


@router.get("/statements/{statement_id}", response_model=StatementRead)
def get_statement(session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath) -> StatementRead:
    """One statement with all its versions, approvals (voided ones too), comments, and its notice if published."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    return statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)


@router.post("/statements/{statement_id}/versions", response_model=StatementRead, status_code=201)
def add_version(
    session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, body: VersionCreate
) -> StatementRead:
    """The next version (``{"text"}``). After an approval, a new version voids it."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    service.add_version(session, actor=actor, statement=statement, case=case, data=body, now=now)
    return statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)


@router.get("/statements/{statement_id}/versions/{number}", response_model=VersionRead)
def get_version(session: SessionDep, actor: ActorDep, statement_id: IdPath, number: VersionNo) -> VersionRead:
    """One version (immutable: author, time, text and its SHA-256)."""
    statement, _case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    return statement_queries.version_read(session, statement=statement, number=number)


@router.get("/statements/{statement_id}/diff", response_model=DiffRead)
def diff(
    session: SessionDep,
    actor: ActorDep,
    statement_id: IdPath,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=100000)] = None,
    to: OptionalVersion = None,
) -> DiffRead:
    """Compare two versions (``from``, ``to``; default: the latest against the one before): a unified diff and
    side-by-side rows with the changed words marked."""
    statement, _case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    return statement_queries.compare_versions(
        session, actor=actor, statement=statement, from_version=from_, to_version=to
    )


@router.post("/statements/{statement_id}/comments", response_model=CommentRead, status_code=201)
def add_comment(
    session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, body: CommentIn
) -> CommentRead:
    """An internal comment on the statement (optionally on one version). Never public."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    comment = service.add_comment(session, actor=actor, statement=statement, case=case, text=body.text,
                                  version=body.version, now=now)  # fmt: skip
    return statement_queries.comment_reads(session, [comment])[0]


@router.get("/statements/{statement_id}/comments", response_model=CommentPage)
def list_comments(session: SessionDep, actor: ActorDep, statement_id: IdPath) -> CommentPage:
    """The statement's comments, returns included, oldest first."""
    statement, _case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    return CommentPage(items=statement_queries.list_comments(session, statement=statement))


@router.post("/statements/{statement_id}/submit", response_model=StatementRead)
def submit(
    session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, body: SubmitIn | None = None
) -> StatementRead:
    """The unit head (or the press office on the unit's behalf) submits the statement for approval."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    service.submit(session, actor=actor, statement=statement, case=case, note=body.note if body else None, now=now)
    return statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)


@router.post("/statements/{statement_id}/return", response_model=StatementRead)
def return_statement(
    session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, body: ReturnIn
) -> StatementRead:
    """A holder of spokesperson authority returns the statement to the unit with a ``comment``."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    service.return_statement(session, actor=actor, statement=statement, case=case, comment=body.comment, now=now)
    return statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)


@router.post("/statements/{statement_id}/approve", response_model=StatementRead)
def approve(session: SessionDep, actor: ActorDep, now: NowDep, statement_id: IdPath, body: ApproveIn) -> StatementRead:
    """A holder of spokesperson authority for this case, now, approves the current version. The ``checklist``
    (``no_state_secret``, ``no_private_data``, ``no_pending_proceedings``) must be all true: 422 names the first
    item that is not."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    service.approve(session, actor=actor, statement=statement, case=case, data=body, now=now)
    return statement_queries.statement_read(session, actor=actor, statement=statement, case=case, now=now)


@router.post("/statements/{statement_id}/publish", response_model=NoticeRead)
def publish(
    session: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    now: NowDep,
    statement_id: IdPath,
    body: PublishIn | None = None,
) -> NoticeRead:
    """The press office publishes the approved text as a numbered notice (``12/TC-SGDĐT``), now or at the minute
    given in ``at`` (embargo: the notice appears everywhere at that minute). Returns the notice."""
    statement, case = statement_queries.get_statement(session, actor=actor, statement_id=statement_id)
    notice = publication.publish(session, actor=actor, statement=statement, case=case, at=body.at if body else None,
                             now=now, issuer=settings.org_abbreviation)  # fmt: skip
    return notices.notice_read(session, notice, now=now)


@router.get("/notices/{key:path}", response_model=NoticeRead)
def get_notice(
    session: SessionDep, actor: ActorDep, now: NowDep, key: Annotated[str, Path(max_length=80)]
) -> NoticeRead:
    """A notice by slug (``2026-tc-12``) or number (``12/TC-SGDĐT``), scheduled ones included (staff view)."""
    return notices.get_notice(session, actor=actor, key=key, now=now)
