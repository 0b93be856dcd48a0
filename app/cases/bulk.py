"""Bulk actions of the staff case list: one action on several selected cases (route to a unit, add a tag, close
as duplicates of one case), each case through the same service as when it is done alone, so each case's history
records its own event and every permission and edge of the lifecycle is checked per case.

All or nothing: the request is one unit of work, so if one case refuses (another unit's case, a status that does
not allow the action), nothing is saved and the message names that case. A case that already is as asked (already
in that unit, already tagged) is skipped, with no event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, Session, SQLModel

from app.auth.permissions import Actor
from app.cases import service
from app.cases.models import CaseUpdate, TransitionIn
from app.cases.reads import case_read
from app.cases.scope import get_case
from app.cases.workflow import Action, CaseStatus, CloseReason
from app.errors import DomainError, ValidationFailed
from app.i18n import Message, _
from app.validation import Code, Note, Tag

MAX_SELECTED = 100


class BulkAction(StrEnum):
    ASSIGN = "assign"
    TAG = "tag"
    CLOSE_DUPLICATE = "close_duplicate"


BULK_ACTION_LABELS: dict[BulkAction, Message] = {
    BulkAction.ASSIGN: _("Chuyển cho đơn vị"),
    BulkAction.TAG: _("Gắn nhãn"),
    BulkAction.CLOSE_DUPLICATE: _("Đóng vì trùng với một vụ việc"),
}


class BulkIn(SQLModel):
    action: BulkAction
    references: list[Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=30)]] = Field(
        min_length=1, max_length=MAX_SELECTED
    )
    lead_unit: Code | None = None  # assign
    tag: Tag | None = None  # tag
    duplicate_of: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=30)] | None = None
    note: Note | None = None


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _required(body: BulkIn) -> None:
    if body.action == BulkAction.ASSIGN and not body.lead_unit:
        raise ValidationFailed(_("Cần chọn đơn vị chủ trì xử lý."), field="lead_unit")
    if body.action == BulkAction.TAG and not body.tag:
        raise ValidationFailed(_("Cần nhập nhãn."), field="tag")
    if body.action == BulkAction.CLOSE_DUPLICATE and not body.duplicate_of:
        raise ValidationFailed(_("Cần nhập mã vụ việc gốc."), field="duplicate_of")


def apply_bulk(session: Session, *, actor: Actor, body: BulkIn, now: datetime) -> BulkResult:
    _required(body)
    result = BulkResult()
    for reference in dict.fromkeys(body.references):
        case = get_case(session, actor=actor, reference=reference)
        try:
            if body.action == BulkAction.ASSIGN:
                lead = case_read(session, actor=actor, case=case).lead_unit
                if case.status != CaseStatus.NEW and lead is not None and lead.code == body.lead_unit:
                    result.skipped.append(case.reference)
                    continue
                action = Action.ASSIGN if case.status == CaseStatus.NEW else Action.REASSIGN
                service.transition_case(session, actor=actor, case=case, action=action, lead_unit=body.lead_unit,
                                        note=body.note, now=now)  # fmt: skip
            elif body.action == BulkAction.TAG:
                assert body.tag is not None
                tags = case_read(session, actor=actor, case=case).tags
                if body.tag.casefold() in {t.casefold() for t in tags}:
                    result.skipped.append(case.reference)
                    continue
                service.update_case(session, actor=actor, case=case, data=CaseUpdate(tags=[*tags, body.tag]), now=now)
            else:
                note = body.note or str(_("Trùng vụ việc {reference}.", reference=body.duplicate_of))
                transition = TransitionIn(action=Action.CLOSE, reason=CloseReason.DUPLICATE,
                                          duplicate_of=body.duplicate_of, note=note)  # fmt: skip
                service.apply_transition(session, actor=actor, case=case, body=transition, now=now)
        except DomainError as exc:
            raise type(exc)(_("{reference}: {reason}", reference=case.reference, reason=exc.message),
                            **exc.extra) from exc  # fmt: skip
        result.done.append(case.reference)
    return result
