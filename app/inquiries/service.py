"""Use cases of written inquiries: a reporter submits one (no account) and follows its public status; the press
office links inquiries that ask the same thing to one case, so that every reporter gets the one answer."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases import service as cases
from app.cases.events import record_event
from app.cases.links import relate_cases
from app.cases.models import Case, UserRef
from app.cases.scope import get_case
from app.cases.vocabulary import CaseEventKind, LegalTrigger
from app.cases.workflow import TRANSITIONS, Action, CaseStatus, CloseReason
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.inquiries import rules
from app.inquiries.models import (
    Inquiry,
    InquiryCreate,
    InquiryNoticeLink,
    InquiryRead,
    InquiryStatusPublic,
)
from app.inquiries.rules import InquiryStatus
from app.notices.models import Notice
from app.org.models import User
from app.statements.rules import MAIN_KINDS
from app.timeutil import to_local


def new_code() -> str:
    return rules.CODE_PREFIX + base64.b32encode(secrets.token_bytes(15)).decode("ascii")


def _summary(data: InquiryCreate) -> str:
    lines = [data.question, "", f"Thẻ nhà báo: {data.press_card_number}", f"Liên hệ: {data.contact}"]
    if data.reporter_deadline is not None:
        lines.append(f"Phóng viên cần trả lời trước: {to_local(data.reporter_deadline):%d/%m/%Y %H:%M}")
    return "\n".join(lines)


def submit_inquiry(session: Session, *, data: InquiryCreate, now: datetime) -> Inquiry:
    """A reporter's written inquiry opens a ``new`` case (source ``press_inquiry``, a press request: Decree
    244/2026 Art. 7.5) and gets an unguessable tracking code."""
    if data.reporter_deadline is not None and data.reporter_deadline <= now:
        raise ValidationFailed(_("Thời hạn phóng viên cần trả lời phải ở tương lai."), field="reporter_deadline")
    extra = {"reporter_deadline": data.reporter_deadline.isoformat()} if data.reporter_deadline else None
    case = cases.open_case_from_inquiry(
        session,
        title=rules.case_title(data.question),
        summary=_summary(data),
        outlet=data.outlet,
        reporter_name=data.reporter_name,
        reporter_contact=data.contact,
        legal_trigger=LegalTrigger.PRESS_REQUEST,
        now=now,
        extra=extra,
        numbered=False,
    )
    assert case.id is not None
    inquiry = Inquiry(
        code=new_code(),
        outlet=data.outlet,
        reporter_name=data.reporter_name,
        press_card_number=data.press_card_number,
        contact=data.contact,
        question=data.question,
        reporter_deadline=data.reporter_deadline,
        received_at=now,
        own_case_id=case.id,
        case_id=case.id,
    )
    session.add(inquiry)
    session.flush()
    cases.take_reference(session, case, now)  # last: the year's counter row is locked from here to the commit
    return inquiry


def _answer(session: Session, case_id: int, now: datetime) -> Notice | None:
    """The published notice that answers the case: its latest response, rebuttal or refusal public at ``now``."""
    return session.exec(
        select(Notice)
        .where(Notice.case_id == case_id, col(Notice.kind).in_(MAIN_KINDS), col(Notice.published_at) <= now)
        .order_by(col(Notice.published_at).desc(), col(Notice.id).desc())
    ).first()


def _by_code(session: Session, code: str) -> Inquiry:
    normalized = rules.normalize_code(code)
    inquiry = session.exec(select(Inquiry).where(Inquiry.code == normalized)).first() if normalized else None
    if inquiry is None:
        raise NotFound(_("Không tìm thấy câu hỏi có mã {code}.", code=code))
    return inquiry


def _status(session: Session, inquiry: Inquiry, now: datetime) -> tuple[InquiryStatus, Notice | None]:
    case = session.get(Case, inquiry.case_id)
    assert case is not None
    answer = _answer(session, inquiry.case_id, now)
    return rules.public_status(case.status, answer is not None), answer


def public_status(session: Session, *, code: str, now: datetime, base_url: str) -> InquiryStatusPublic:
    """What the reporter may know, by tracking code: the status and, once answered, the notice's link."""
    inquiry = _by_code(session, code)
    status, answer = _status(session, inquiry, now)
    link = None
    if answer is not None:
        link = InquiryNoticeLink(number=answer.number, slug=answer.slug,
                                 url=f"{base_url.rstrip('/')}/notices/{answer.slug}")  # fmt: skip
    return InquiryStatusPublic(code=inquiry.code, status=status, notice=link)


# --- the press office ---------------------------------------------------------------------------------------


def inquiry_reads(session: Session, inquiries: Sequence[Inquiry], *, now: datetime) -> list[InquiryRead]:
    case_ids = {i.case_id for i in inquiries} | {i.own_case_id for i in inquiries}
    refs = dict(session.exec(select(Case.id, Case.reference).where(col(Case.id).in_(case_ids))).all())
    user_ids = {i.linked_by_id for i in inquiries if i.linked_by_id is not None}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()} if user_ids else {}
    reads = []
    for inquiry in inquiries:
        linker = users.get(inquiry.linked_by_id) if inquiry.linked_by_id is not None else None
        reads.append(
            InquiryRead(
                code=inquiry.code,
                outlet=inquiry.outlet,
                reporter_name=inquiry.reporter_name,
                press_card_number=inquiry.press_card_number,
                contact=inquiry.contact,
                question=inquiry.question,
                reporter_deadline=inquiry.reporter_deadline,
                received_at=inquiry.received_at,
                case_reference=refs[inquiry.case_id],
                own_case_reference=refs[inquiry.own_case_id],
                linked_at=inquiry.linked_at,
                linked_by=UserRef(username=linker.username, full_name=linker.full_name) if linker else None,
                status=_status(session, inquiry, now)[0],
            )
        )
    return reads


def get_inquiry(session: Session, *, actor: Actor, code: str) -> Inquiry:
    """An inquiry for the staff, if they may see the case it follows (404 otherwise)."""
    inquiry = _by_code(session, code)
    case = session.get(Case, inquiry.case_id)
    assert case is not None
    get_case(session, actor=actor, reference=case.reference)
    return inquiry


def case_inquiries(session: Session, *, actor: Actor, case: Case) -> list[Inquiry]:
    """The inquiries that follow ``case`` (which comes from ``get_case``), oldest first."""
    del actor
    return list(
        session.exec(select(Inquiry).where(Inquiry.case_id == case.id).order_by(col(Inquiry.received_at))).all()
    )


def link_inquiry(
    session: Session, *, actor: Actor, code: str, reference: str, note: str | None, now: datetime
) -> Inquiry:
    """The press office links an inquiry to the case that answers the same question: from now on it follows that
    case, and gets its answer. The case the inquiry opened, if no other inquiry follows it and it can still be
    closed, is closed as a duplicate. Both cases' histories record the move."""
    require(actor, Permission.CASE_TRIAGE)
    inquiry = _by_code(session, code)
    try:
        target = get_case(session, actor=actor, reference=reference)
    except NotFound as exc:  # a reference typed by the user: said beside the field, not as a missing page
        raise NotFound(exc.message, field="reference") from exc
    assert target.id is not None
    if inquiry.case_id == target.id:
        raise Conflict(_("Câu hỏi {code} đã gắn với vụ việc {reference}.", code=inquiry.code,
                         reference=target.reference))  # fmt: skip
    previous = session.get(Case, inquiry.case_id)
    assert previous is not None
    get_case(session, actor=actor, reference=previous.reference)  # the actor must see it too
    inquiry.case_id = target.id
    inquiry.linked_at = now
    inquiry.linked_by_id = actor.user_id
    session.add(inquiry)
    session.flush()
    data = {"inquiry_code": inquiry.code, "outlet": inquiry.outlet, "from_case": previous.reference,
            "to_case": target.reference}  # fmt: skip
    record_event(session, case=target, actor_id=actor.user_id, now=now, kind=CaseEventKind.INQUIRY_LINKED, note=note,
                       data=data)  # fmt: skip
    record_event(session, case=previous, actor_id=actor.user_id, now=now, kind=CaseEventKind.INQUIRY_MOVED, note=note,
                       data=data)  # fmt: skip
    others = session.exec(select(Inquiry.id).where(Inquiry.case_id == previous.id)).first()
    closable = (previous.status, Action.CLOSE) in TRANSITIONS and previous.status != CaseStatus.PUBLISHED
    if previous.id == inquiry.own_case_id and others is None and closable:
        cases.transition_case(
            session,
            actor=actor,
            case=previous,
            action=Action.CLOSE,
            reason=CloseReason.DUPLICATE,
            note=note or str(_("Trùng vụ việc {reference}.", reference=target.reference)),
            now=now,
            event_data={"duplicate_of": target.reference},
        )
        relate_cases(session, previous, target)
    return inquiry
