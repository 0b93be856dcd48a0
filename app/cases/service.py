"""Use cases that write cases: intake (one constructor for the two ways a case is born), updates, transitions, notes.

``transition_case`` is the only code that changes ``Case.status``. It checks the edge and its permission, writes
the status with a guarded UPDATE (``… WHERE id = :id AND status = :expected``; no row → 409) and records an event."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from app.auth.permissions import Actor, Permission, can, require
from app.cases import links
from app.cases.editing import changed_fields
from app.cases.events import record_event
from app.cases.models import (
    Case,
    CaseCreate,
    CaseUpdate,
    TransitionIn,
)
from app.cases.reads import case_read
from app.cases.scope import TRIAGE_FIELDS, scope_of
from app.cases.vocabulary import CaseEventKind, LegalTrigger, Severity, SourceKind, Topic
from app.cases.workflow import (
    STATUS_LABELS,
    Action,
    CaseStatus,
    CloseReason,
    Edge,
    close_reason_for,
    edge_for,
    reopen_target,
)
from app.counters import next_value
from app.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.i18n import _
from app.org.models import Unit, User
from app.org.service import unit_by_code, units_by_codes, users_by_usernames
from app.text import fold
from app.timeutil import local_date

CLOCK_SKEW = timedelta(minutes=5)


# --- intake -------------------------------------------------------------------------------------------------


def _search_text(case: Case) -> str:
    parts = [case.reference, case.title, case.summary, case.outlet, case.reporter_name, case.source_url]
    return fold(" ".join(p for p in parts if p))


def _check_times(received_at: datetime | None, now: datetime) -> None:
    if received_at is not None and received_at > now + CLOCK_SKEW:
        raise ValidationFailed(_("Thời điểm tiếp nhận không thể ở tương lai."), field="received_at")


def _provisional_reference(case_year: int) -> dict[str, Any]:
    """A unique stand-in for the reference until the number is taken, last (see ``take_reference``)."""
    return {"reference": "~" + secrets.token_hex(9), "ref_year": case_year, "ref_seq": -1 - secrets.randbelow(2**31)}


def take_reference(session: Session, case: Case, now: datetime) -> None:
    """Number the case: the last thing its transaction does, so that the counter row (which every intake in the
    year needs) stays locked only from here to the commit, not while the case, its links, its history, its clocks
    and the answer are written and read. Nothing before this reads the reference: they all hold the case by id.
    A caller that opens a case with ``numbered=False`` reads what it needs first, then calls this (the API's
    intake builds its answer before the number: see ``app/web/api/cases.py``)."""
    year = local_date(now).year
    seq = next_value(session, scope="case", year=year)
    case.reference, case.ref_year, case.ref_seq = f"VV-{year}-{seq:05d}", year, seq
    case.search_text = _search_text(case)
    session.add(case)
    session.flush()


def _new_case(session: Session, *, now: datetime, status: CaseStatus = CaseStatus.NEW, **fields: Any) -> Case:
    """The one constructor of a case, whichever way it is born (staff intake, a reporter's inquiry): status
    ``new`` since ``now``, added and flushed under a provisional reference; the caller ends with
    ``take_reference`` (the next reference of the year, gap-free) once everything else is written."""
    case = Case(
        **_provisional_reference(local_date(now).year),
        status=status,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
        **fields,
    )
    case.search_text = _search_text(case)
    session.add(case)
    session.flush()
    assert case.id is not None
    return case


def open_case(session: Session, *, actor: Actor, data: CaseCreate, now: datetime, numbered: bool = True) -> Case:
    """Log a case. With ``route`` and a lead unit it is routed in the same step (the staff intake form does this):
    it starts ``assigned`` (the ``assign`` edge's permission is needed) and its one ``created`` event names the
    unit, so the unit's clocks start with it. ``numbered=False``: the caller takes the reference itself, last
    (``take_reference``), unless the case is already numbered (routed: its unit is told by number)."""
    require(actor, Permission.CASE_CREATE)
    _check_times(data.received_at, now)
    lead = unit_by_code(session, data.lead_unit, field="lead_unit") if data.lead_unit else None
    status = CaseStatus.NEW
    if data.route and lead is None:
        raise ValidationFailed(_("Cần chọn đơn vị chủ trì xử lý."), field="lead_unit")
    if data.route and lead is not None:
        edge = edge_for(CaseStatus.NEW, Action.ASSIGN)
        require(actor, edge.permission)
        status = edge.target
    supporting = units_by_codes(session, data.supporting_units, field="supporting_units")
    case = _new_case(
        session,
        now=now,
        status=status,
        title=data.title,
        summary=data.summary,
        source_kind=data.source_kind,
        topic=data.topic,
        severity=data.severity,
        legal_trigger=data.legal_trigger,
        outlet=data.outlet,
        reporter_name=data.reporter_name,
        reporter_contact=data.reporter_contact,
        source_url=data.source_url,
        source_published_at=data.source_published_at,
        received_at=data.received_at or now,
        occurred_at=data.occurred_at,
        impact_determined_at=data.impact_determined_at,
        complaint_concluded_at=data.complaint_concluded_at,
        lead_unit_id=lead.id if lead else None,
        created_by_id=actor.user_id,
    )
    links.replace_supporting(session, case, supporting)
    links.replace_tags(session, case, data.tags)
    links.replace_relations(session, case, links.related_cases(session, actor, case, data.related))
    routed = status != CaseStatus.NEW
    if routed:  # the unit is told of it in the event's own transaction, by its number: take it now
        take_reference(session, case, now)
    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind=CaseEventKind.CREATED,
        to_status=status,
        data={
            "source_kind": case.source_kind.value,
            "severity": case.severity.value,
            **({"lead_unit": lead.code} if lead and data.route else {}),
            **({"supporting_units": [u.code for u in supporting]} if lead and data.route and supporting else {}),
        },
    )
    if not routed and numbered:
        take_reference(session, case, now)
    return case


def open_case_from_inquiry(
    session: Session,
    *,
    title: str,
    summary: str,
    outlet: str,
    reporter_name: str,
    reporter_contact: str,
    now: datetime,
    legal_trigger: LegalTrigger | None = None,
    extra: dict[str, Any] | None = None,
    source_kind: SourceKind = SourceKind.PRESS_INQUIRY,
    numbered: bool = True,
) -> Case:
    """A journalist's written inquiry becomes a ``new`` case of source kind ``press_inquiry`` (no staff actor); so
    do a citizen's information request and a message to the mailbox, with their own ``source_kind``."""
    case = _new_case(
        session,
        now=now,
        title=title,
        summary=summary,
        source_kind=source_kind,
        topic=Topic.OTHER,
        severity=Severity.ROUTINE,
        legal_trigger=legal_trigger,
        outlet=outlet,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        received_at=now,
    )
    record_event(session, case=case, actor_id=None, now=now, kind=CaseEventKind.CREATED, to_status=CaseStatus.NEW,
                 data={"source_kind": source_kind.value, **(extra or {})})  # fmt: skip
    if numbered:
        take_reference(session, case, now)
    return case


# --- update -------------------------------------------------------------------------------------------------

_LINK_FIELDS = {"lead_unit", "supporting_units", "assignees", "tags", "related"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, str) and len(value) > 500:
        return value[:500] + "…"
    return value


def update_case(session: Session, *, actor: Actor, case: Case, data: CaseUpdate, now: datetime) -> Case:
    """Change the fields ``data`` sets that differ from the case's (``changed_fields``): the staff form sends
    every field, an API PATCH may resend some unchanged; neither writes an event for what did not change."""
    if not data.model_fields_set:
        return case
    changes = changed_fields(case_read(session, actor=actor, case=case), data)
    if not changes:
        return case
    scope = scope_of(session, case)
    if "severity" in changes:
        require(actor, Permission.CASE_SEVERITY, scope)
    if TRIAGE_FIELDS & changes.keys():
        require(actor, Permission.CASE_TRIAGE, scope)
    if "assignees" in changes:
        require(actor, Permission.CASE_ASSIGN_PEOPLE, scope)
    if changes.keys() - {"severity", "assignees"} - TRIAGE_FIELDS:
        require(actor, Permission.CASE_EDIT, scope)
    for name in ("title", "source_kind", "topic", "severity", "received_at", "summary"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(_("Trường {field} không được để trống.", field=name), field=name)
    _check_times(changes.get("received_at"), now)

    diff: dict[str, Any] = {}
    if "lead_unit" in changes:
        if case.status not in (CaseStatus.NEW, CaseStatus.CLOSED):
            raise Conflict(
                _("Vụ việc đã chuyển đơn vị; dùng thao tác «Chuyển lại đơn vị khác» để đổi đơn vị chủ trì."),
                field="lead_unit",
            )
        lead = unit_by_code(session, changes["lead_unit"], field="lead_unit") if changes["lead_unit"] else None
        new_id = lead.id if lead else None
        if new_id != case.lead_unit_id:
            diff["lead_unit"] = [case.lead_unit_id, new_id]
            case.lead_unit_id = new_id
    if "supporting_units" in changes:
        units = units_by_codes(session, changes["supporting_units"] or [], field="supporting_units")
        links.replace_supporting(session, case, units)
        diff["supporting_units"] = [u.code for u in units]
        scope = scope_of(session, case)
    if "assignees" in changes:
        users = users_by_usernames(session, changes["assignees"] or [], field="assignees")
        links.check_assignees(session, actor, scope, users)
        links.replace_assignees(session, case, users)
        diff["assignees"] = [u.username for u in users]
    if "tags" in changes:
        links.replace_tags(session, case, changes["tags"] or [])
        diff["tags"] = changes["tags"] or []
    if "related" in changes:
        links.replace_relations(session, case, links.related_cases(session, actor, case, changes["related"] or []))
        diff["related"] = changes["related"] or []
    for name, value in changes.items():
        if name in _LINK_FIELDS:
            continue
        old = getattr(case, name)
        if old != value:
            diff[name] = [_jsonable(old), _jsonable(value)]
            setattr(case, name, value)
    if not diff:
        return case
    if "received_at" in diff:
        links.follow_receipt(session, case)
    case.updated_at = now
    case.search_text = _search_text(case)
    session.add(case)
    session.flush()
    record_event(
        session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.UPDATED, data={"changes": diff}
    )
    return case


# --- transitions --------------------------------------------------------------------------------------------


def transition_case(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    action: Action,
    now: datetime,
    note: str | None = None,
    lead_unit: str | None = None,
    supporting_units: Sequence[str] | None = None,
    assignees: Sequence[str] | None = None,
    reason: CloseReason | None = None,
    expected_status: CaseStatus | None = None,
    via_statement: bool = False,
    event_data: dict[str, Any] | None = None,
) -> Case:
    """Move the case along one edge of the lifecycle (the only code that writes ``Case.status``)."""
    current = case.status
    if expected_status is not None and expected_status != current:
        raise Conflict(
            _("Vụ việc vừa được người khác cập nhật (trạng thái hiện tại: {status}).", status=STATUS_LABELS[current]),
            status=current.value,
        )
    edge: Edge = edge_for(current, action)
    scope = scope_of(session, case)
    if edge.via_statement and not via_statement:
        raise InvalidTransition(
            _(
                "Thao tác «{action}» đi theo nội dung phát ngôn: dùng /api/v1/statements/….",
                action=action.value,
            ),
            action=action.value,
        )
    if action in (Action.ASSIGN, Action.REASSIGN):
        # Routing a case is the press office's act: the permission of the edge, Sở-wide.
        require(actor, edge.permission)
        if not can(actor, Permission.CASE_VIEW, scope):
            raise NotFound(_("Không tìm thấy vụ việc {reference}.", reference=case.reference))
    elif edge.via_statement and edge.permission == Permission.STATEMENT_REVIEW:
        # Approving and returning follow spokesperson authority (Decree 244/2026 Art. 3), which the statement
        # service has checked against the appointments and authorisations; a person authorised for one case may
        # hold no reviewing role at all.
        if not can(actor, Permission.CASE_VIEW, scope):
            raise NotFound(_("Không tìm thấy vụ việc {reference}.", reference=case.reference))
    else:
        require(actor, edge.permission, scope)

    target = edge.target
    data: dict[str, Any] = dict(event_data or {})
    close_reason = case.close_reason
    if action == Action.CLOSE:
        close_reason = close_reason_for(current, reason)
        data["reason"] = close_reason.value
        if close_reason != CloseReason.ANSWERED and not note:
            raise ValidationFailed(_("Cần ghi rõ lý do đóng vụ việc."), field="note")
    elif action == Action.REOPEN:
        target = reopen_target(case.lead_unit_id is not None)
        close_reason = None

    new_lead: Unit | None = None
    if action in (Action.ASSIGN, Action.REASSIGN):
        code = lead_unit
        if code is None and action == Action.ASSIGN and case.lead_unit_id is not None:
            new_lead = session.get(Unit, case.lead_unit_id)
        elif code is None:
            raise ValidationFailed(_("Cần chọn đơn vị chủ trì xử lý."), field="lead_unit")
        else:
            new_lead = unit_by_code(session, code, field="lead_unit")
        assert new_lead is not None
        if action == Action.REASSIGN and new_lead.id == case.lead_unit_id:
            raise ValidationFailed(_("Vụ việc đã thuộc đơn vị này."), field="lead_unit")
        data["lead_unit"] = new_lead.code

    # The guarded write: only one of two racing transitions finds the status it expects.
    result = session.execute(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.status) == current)
        .values(status=target, status_changed_at=now, updated_at=now, close_reason=close_reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(case)
        raise Conflict(
            _(
                "Vụ việc vừa được người khác cập nhật (trạng thái hiện tại: {status}).",
                status=STATUS_LABELS[case.status],
            ),
            status=case.status.value,
        )
    session.refresh(case)

    if new_lead is not None:
        case.lead_unit_id = new_lead.id
        session.add(case)
        session.flush()
        if action == Action.REASSIGN:
            links.replace_assignees(session, case, [])
        if supporting_units is not None:
            links.replace_supporting(session, case, units_by_codes(session, supporting_units, field="supporting_units"))
            data["supporting_units"] = list(supporting_units)
        scope = scope_of(session, case)
    if assignees is not None and action in (Action.ASSIGN, Action.REASSIGN, Action.ACCEPT):
        users = users_by_usernames(session, assignees, field="assignees")
        links.check_assignees(session, actor, scope, users)
        links.replace_assignees(session, case, users)
        data["assignees"] = [u.username for u in users]
    elif action == Action.ACCEPT and not links.assignee_names(session, case) and actor.unit_ids(Permission.CASE_WORK):
        # Whoever accepts an unassigned case becomes its assignee.
        user = session.get(User, actor.user_id)
        assert user is not None
        links.replace_assignees(session, case, [user])
        data["assignees"] = [user.username]

    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind=CaseEventKind.TRANSITION,
        action=action.value,
        from_status=current,
        to_status=target,
        note=note,
        data=data or None,
    )
    return case


def apply_transition(session: Session, *, actor: Actor, case: Case, body: TransitionIn, now: datetime) -> Case:
    """A transition asked for by a person (the API's body or the staff page's form), validated as ``TransitionIn``.
    Closing as a duplicate may name the original case (``duplicate_of``): the event records it and the two cases
    are linked as related."""
    original = links.duplicated_case(session, actor, case, body)
    result = transition_case(
        session,
        actor=actor,
        case=case,
        action=body.action,
        now=now,
        note=body.note,
        lead_unit=body.lead_unit,
        supporting_units=body.supporting_units,
        assignees=body.assignees,
        reason=body.reason,
        expected_status=body.expected_status,
        event_data={"duplicate_of": original.reference} if original else None,
    )
    if original is not None:
        links.relate_cases(session, case, original)
    return result


def add_note(session: Session, *, actor: Actor, case: Case, text: str, now: datetime) -> None:
    require(actor, Permission.CASE_NOTE, scope_of(session, case))
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.NOTE, note=text)
