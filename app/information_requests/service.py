"""Use cases: receive a citizen's request (a new case with the trigger ``citizen_information_request``, its clocks
started by the rule pack, an acknowledgement mailed when the contact is an address) and the period's figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases import service as cases
from app.cases.models import Case
from app.cases.vocabulary import LegalTrigger, SourceKind
from app.cases.workflow import CaseStatus
from app.clocks.models import ACTIVE_STATES, Clock, ClockState
from app.i18n import _
from app.information_requests.models import (
    DELIVERY_FORM_LABELS,
    ClockFigure,
    InformationRequestCreate,
    InformationRequestFigures,
    InformationRequestReceipt,
)
from app.outmail import service as outmail

_EMAIL = TypeAdapter(EmailStr)


def _summary(data: InformationRequestCreate) -> str:
    lines = [
        _("Yêu cầu cung cấp thông tin (Luật Tiếp cận thông tin 2016)").localize("vi"),
        f"{_('Người yêu cầu').localize('vi')}: {data.requester_name}",
        f"{_('Nơi cư trú').localize('vi')}: {data.address}",
        f"{_('Số CCCD/hộ chiếu').localize('vi')}: {data.id_number}",
        f"{_('Liên hệ').localize('vi')}: {data.contact}",
        f"{_('Hình thức nhận').localize('vi')}: {DELIVERY_FORM_LABELS[data.delivery_form].localize('vi')}",
        f"{_('Mục đích').localize('vi')}: {data.purpose}",
        "",
        data.information,
    ]
    return "\n".join(lines)


def submit(session: Session, *, data: InformationRequestCreate, now: datetime) -> InformationRequestReceipt:
    title = _("Yêu cầu cung cấp thông tin của {name}", name=data.requester_name).localize("vi")
    case = cases.open_case_from_inquiry(session, title=title[:300], summary=_summary(data), outlet="",
                                        reporter_name=data.requester_name, reporter_contact=data.contact, now=now,
                                        legal_trigger=LegalTrigger.CITIZEN_INFORMATION_REQUEST,
                                        extra={"via": "information_request_form"},
                                        source_kind=SourceKind.PUBLIC_FEEDBACK)  # fmt: skip
    try:
        address = str(_EMAIL.validate_python(data.contact))
    except ValidationError:
        address = ""
    if address:
        body = _(
            "Sở Giáo dục và Đào tạo đã nhận yêu cầu cung cấp thông tin của bạn ngày {date}, mã {reference}.\n\n"
            "Theo Luật Tiếp cận thông tin 2016 (Điều 30), Sở cung cấp thông tin trong 03 ngày làm việc; nếu cần thêm "
            "thời gian, Sở thông báo thời hạn giải quyết trong 03 ngày làm việc và trả lời trong 15 ngày làm việc.",
            date=now.strftime("%d/%m/%Y"),
            reference=case.reference,
        ).localize("vi")
        subject = _("[{reference}] Sở đã nhận yêu cầu cung cấp thông tin", reference=case.reference).localize("vi")
        outmail.enqueue(session, key=f"information-request-ack:{case.reference}", purpose="information_request_ack",
                        to=address, subject=subject, body=body, now=now)  # fmt: skip
    return InformationRequestReceipt(reference=case.reference, received_at=case.received_at)


def figures(
    session: Session, *, actor: Actor, since: datetime, until: datetime, now: datetime
) -> InformationRequestFigures:
    """Requests received in [since, until): how many, answered (closed or published), open; per statutory clock,
    met on time, met late, missed, running, overdue."""
    require(actor, Permission.REPORTS_VIEW)
    in_period = (
        select(Case.id)
        .where(Case.legal_trigger == LegalTrigger.CITIZEN_INFORMATION_REQUEST)
        .where(col(Case.received_at) >= since, col(Case.received_at) < until)
    )
    ids = [i for i in session.exec(in_period).all() if i is not None]
    statuses = session.exec(select(Case.status).where(col(Case.id).in_(ids))).all() if ids else []
    answered = sum(1 for s in statuses if s in (CaseStatus.PUBLISHED, CaseStatus.CLOSED))
    clocks = (
        session.exec(select(Clock).where(col(Clock.case_id).in_(ids), col(Clock.pack).is_not(None))).all()
        if ids
        else []
    )
    by_key: dict[tuple[str, str], ClockFigure] = {}
    for clock in clocks:
        fig = by_key.setdefault(
            (clock.name, clock.basis),
            ClockFigure(name=clock.name, basis=clock.basis, met_on_time=0, met_late=0, missed=0, running=0, overdue=0),
        )
        if clock.state == ClockState.MET_ON_TIME:
            fig.met_on_time += 1
        elif clock.state == ClockState.MET_LATE:
            fig.met_late += 1
        elif clock.state == ClockState.MISSED:
            fig.missed += 1
        elif clock.state in ACTIVE_STATES:
            fig.running += 1
            if clock.due_at is not None and clock.due_at < now:
                fig.overdue += 1
    return InformationRequestFigures(
        since=since,
        until=until,
        received=len(ids),
        answered=answered,
        open=len(ids) - answered,
        clocks=sorted(by_key.values(), key=lambda f: f.name),
    )
