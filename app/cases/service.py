"""Use cases of cases: intake, read and list (scoped to what the actor may see), update, transitions, notes.

``transition_case`` is the only code that changes ``Case.status``. It checks the edge and its permission, writes
the status with a guarded UPDATE (``… WHERE id = :id AND status = :expected``; no row → 409) and records an event.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.permissions import GLOBAL_ROLES, Actor, Permission, Role, can, require
from app.cases.models import (
    Case,
    CaseAssignee,
    CaseCreate,
    CaseEvent,
    CaseRead,
    CaseRelation,
    CaseSupportingUnit,
    CaseTag,
    CaseUpdate,
    EventRead,
    TransitionIn,
    UnitRef,
    UserRef,
)
from app.cases.vocabulary import LegalTrigger, Severity, SourceKind, Topic
from app.cases.workflow import (
    STATUS_LABELS,
    Action,
    CaseStatus,
    CloseReason,
    Edge,
    allowed_actions,
    close_reason_for,
    edge_for,
    reopen_target,
)
from app.counters import next_value
from app.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.i18n import _
from app.org.models import RoleAssignment, Unit, User
from app.org.service import unit_by_code, units_by_codes, users_by_usernames
from app.text import fold, search_terms
from app.timeutil import local_date

CLOCK_SKEW = timedelta(minutes=5)


# --- scope --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the permission rules need to know about a case: the units it belongs to."""

    lead_unit_id: int | None
    supporting_unit_ids: frozenset[int] = field(default_factory=frozenset)


def scope_of(session: Session, case: Case) -> Scope:
    supporting = session.exec(select(CaseSupportingUnit.unit_id).where(CaseSupportingUnit.case_id == case.id)).all()
    return Scope(case.lead_unit_id, frozenset(supporting))


def visibility_clause(actor: Actor) -> ColumnElement[bool] | None:
    """The WHERE clause that limits cases to the actor's scope; None when the actor sees every case."""
    if actor.sees_all_cases:
        return None
    units = actor.unit_ids(Permission.CASE_VIEW)
    if not units:
        return false()
    supported = exists().where(
        col(CaseSupportingUnit.case_id) == col(Case.id), col(CaseSupportingUnit.unit_id).in_(units)
    )
    return or_(col(Case.lead_unit_id).in_(units), supported)


def visible_cases(actor: Actor) -> SelectOfScalar[Case]:
    """Every staff query of cases starts here."""
    query = select(Case)
    clause = visibility_clause(actor)
    return query if clause is None else query.where(clause)


def get_case(session: Session, *, actor: Actor, reference: str) -> Case:
    case = session.exec(visible_cases(actor).where(col(Case.reference) == reference.upper())).first()
    if case is None:
        raise NotFound(_("Không tìm thấy vụ việc {reference}.", reference=reference))
    return case


# --- events -------------------------------------------------------------------------------------------------


def record_event(
    session: Session,
    *,
    case: Case,
    actor_id: int | None,
    now: datetime,
    kind: str,
    note: str | None = None,
    action: str | None = None,
    from_status: CaseStatus | None = None,
    to_status: CaseStatus | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Add a line to the case's history. Every domain that acts on a case records through here."""
    assert case.id is not None
    event = CaseEvent(
        case_id=case.id,
        at=now,
        actor_id=actor_id,
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
    session.add(event)
    session.flush()
    # The clock engine reacts to the events it knows (created, updated, transition, notice_published).
    from app.clocks.service import on_event

    on_event(session, case=case, event=event)
    return event


def list_events(session: Session, *, case: Case) -> list[EventRead]:
    rows = session.exec(
        select(CaseEvent, User)
        .join(User, col(User.id) == CaseEvent.actor_id, isouter=True)
        .where(CaseEvent.case_id == case.id)
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
    ).all()
    items = []
    for event, user in rows:
        assert event.id is not None
        items.append(
            EventRead(
                id=event.id,
                at=event.at,
                actor=UserRef(username=user.username, full_name=user.full_name) if user else None,
                kind=event.kind,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                data=event.data,
            )
        )
    return items


# --- intake -------------------------------------------------------------------------------------------------


def _search_text(case: Case) -> str:
    parts = [case.reference, case.title, case.summary, case.outlet, case.reporter_name, case.source_url]
    return fold(" ".join(p for p in parts if p))


def _check_times(received_at: datetime | None, now: datetime) -> None:
    if received_at is not None and received_at > now + CLOCK_SKEW:
        raise ValidationFailed(_("Thời điểm tiếp nhận không thể ở tương lai."), field="received_at")


def open_case(session: Session, *, actor: Actor, data: CaseCreate, now: datetime) -> Case:
    """Log a case. With ``route`` and a lead unit it is routed in the same step (the staff intake form does this):
    it starts ``assigned`` (the ``assign`` edge's permission is needed) and its one ``created`` event names the
    unit, so the unit's clocks start with it."""
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
    year = local_date(now).year
    seq = next_value(session, scope="case", year=year)
    case = Case(
        reference=f"VV-{year}-{seq:05d}",
        ref_year=year,
        ref_seq=seq,
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
        status=status,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
        created_by_id=actor.user_id,
    )
    case.search_text = _search_text(case)
    session.add(case)
    session.flush()
    assert case.id is not None
    _replace_supporting(session, case, supporting)
    _replace_tags(session, case, data.tags)
    _replace_relations(session, case, _related_cases(session, actor, case, data.related))
    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind="created",
        to_status=status,
        data={
            "source_kind": case.source_kind.value,
            "severity": case.severity.value,
            **({"lead_unit": lead.code} if lead and data.route else {}),
            **({"supporting_units": [u.code for u in supporting]} if lead and data.route and supporting else {}),
        },
    )
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
) -> Case:
    """A journalist's written inquiry becomes a ``new`` case of source kind ``press_inquiry`` (no staff actor)."""
    year = local_date(now).year
    seq = next_value(session, scope="case", year=year)
    case = Case(
        reference=f"VV-{year}-{seq:05d}",
        ref_year=year,
        ref_seq=seq,
        title=title,
        summary=summary,
        source_kind=SourceKind.PRESS_INQUIRY,
        topic=Topic.OTHER,
        severity=Severity.ROUTINE,
        legal_trigger=legal_trigger,
        outlet=outlet,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        received_at=now,
        status=CaseStatus.NEW,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    case.search_text = _search_text(case)
    session.add(case)
    session.flush()
    record_event(session, case=case, actor_id=None, now=now, kind="created", to_status=CaseStatus.NEW,
                 data={"source_kind": SourceKind.PRESS_INQUIRY.value, **(extra or {})})  # fmt: skip
    return case


# --- links --------------------------------------------------------------------------------------------------


def _replace_supporting(session: Session, case: Case, units: Sequence[Unit]) -> None:
    assert case.id is not None
    for row in session.exec(select(CaseSupportingUnit).where(CaseSupportingUnit.case_id == case.id)).all():
        session.delete(row)
    session.flush()
    for unit in units:
        if unit.id != case.lead_unit_id:
            assert unit.id is not None
            session.add(CaseSupportingUnit(case_id=case.id, unit_id=unit.id))
    session.flush()


def _replace_tags(session: Session, case: Case, tags: Sequence[str]) -> None:
    assert case.id is not None
    for row in session.exec(select(CaseTag).where(CaseTag.case_id == case.id)).all():
        session.delete(row)
    session.flush()
    for tag in dict.fromkeys(t.strip().lower() for t in tags):
        session.add(CaseTag(case_id=case.id, tag=tag))
    session.flush()


def _related_cases(session: Session, actor: Actor, case: Case, references: Sequence[str]) -> list[Case]:
    related = []
    for ref in dict.fromkeys(r.strip().upper() for r in references):
        if ref == case.reference:
            raise ValidationFailed(_("Vụ việc không thể liên quan đến chính nó."), field="related")
        other = session.exec(visible_cases(actor).where(col(Case.reference) == ref)).first()
        if other is None:
            raise ValidationFailed(_("Không tìm thấy vụ việc {reference}.", reference=ref), field="related")
        related.append(other)
    return related


def _replace_relations(session: Session, case: Case, related: Sequence[Case]) -> None:
    assert case.id is not None
    for row in session.exec(
        select(CaseRelation).where(or_(col(CaseRelation.case_id) == case.id, col(CaseRelation.related_id) == case.id))
    ).all():
        session.delete(row)
    session.flush()
    for other in related:
        assert other.id is not None
        session.add(CaseRelation(case_id=case.id, related_id=other.id))
        session.add(CaseRelation(case_id=other.id, related_id=case.id))
    session.flush()


def _check_assignees(session: Session, actor: Actor, scope: Scope, users: Sequence[User]) -> None:
    """Assignees work in one of the case's units, or in the press office (a Sở-wide role)."""
    case_units = {u for u in (scope.lead_unit_id, *scope.supporting_unit_ids) if u is not None}
    for user in users:
        grants = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
        if not user.active or not any(g.role in GLOBAL_ROLES or g.unit_id in case_units for g in grants):
            raise ValidationFailed(
                _("{username} không thuộc đơn vị xử lý vụ việc này.", username=user.username),
                field="assignees",
            )
        if not actor.sees_all_cases and not any(g.unit_id in actor.unit_ids() for g in grants):
            raise ValidationFailed(
                _("Chỉ được giao việc cho người trong đơn vị của mình: {username}.", username=user.username),
                field="assignees",
            )


def _replace_assignees(session: Session, case: Case, users: Sequence[User]) -> None:
    assert case.id is not None
    for row in session.exec(select(CaseAssignee).where(CaseAssignee.case_id == case.id)).all():
        session.delete(row)
    session.flush()
    for user in users:
        assert user.id is not None
        session.add(CaseAssignee(case_id=case.id, user_id=user.id))
    session.flush()


def _assignee_names(session: Session, case: Case) -> list[str]:
    return list(
        session.exec(
            select(User.username)
            .join(CaseAssignee, col(CaseAssignee.user_id) == User.id)
            .where(CaseAssignee.case_id == case.id)
            .order_by(col(User.username))
        ).all()
    )


# --- update -------------------------------------------------------------------------------------------------

_TRIAGE_FIELDS = {"lead_unit", "supporting_units"}
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
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return case
    scope = scope_of(session, case)
    if "severity" in changes:
        require(actor, Permission.CASE_SEVERITY, scope)
    if _TRIAGE_FIELDS & changes.keys():
        require(actor, Permission.CASE_TRIAGE, scope)
    if "assignees" in changes:
        require(actor, Permission.CASE_ASSIGN_PEOPLE, scope)
    if changes.keys() - {"severity", "assignees"} - _TRIAGE_FIELDS:
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
        _replace_supporting(session, case, units)
        diff["supporting_units"] = [u.code for u in units]
        scope = scope_of(session, case)
    if "assignees" in changes:
        users = users_by_usernames(session, changes["assignees"] or [], field="assignees")
        _check_assignees(session, actor, scope, users)
        _replace_assignees(session, case, users)
        diff["assignees"] = [u.username for u in users]
    if "tags" in changes:
        _replace_tags(session, case, changes["tags"] or [])
        diff["tags"] = changes["tags"] or []
    if "related" in changes:
        _replace_relations(session, case, _related_cases(session, actor, case, changes["related"] or []))
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
    case.updated_at = now
    case.search_text = _search_text(case)
    session.add(case)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="updated", data={"changes": diff})
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
            _replace_assignees(session, case, [])
        if supporting_units is not None:
            _replace_supporting(session, case, units_by_codes(session, supporting_units, field="supporting_units"))
            data["supporting_units"] = list(supporting_units)
        scope = scope_of(session, case)
    if assignees is not None and action in (Action.ASSIGN, Action.REASSIGN, Action.ACCEPT):
        users = users_by_usernames(session, assignees, field="assignees")
        _check_assignees(session, actor, scope, users)
        _replace_assignees(session, case, users)
        data["assignees"] = [u.username for u in users]
    elif action == Action.ACCEPT and not _assignee_names(session, case) and actor.unit_ids(Permission.CASE_WORK):
        # Whoever accepts an unassigned case becomes its assignee.
        user = session.get(User, actor.user_id)
        assert user is not None
        _replace_assignees(session, case, [user])
        data["assignees"] = [user.username]

    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind="transition",
        action=action.value,
        from_status=current,
        to_status=target,
        note=note,
        data=data or None,
    )
    return case


def _duplicated_case(session: Session, actor: Actor, case: Case, body: TransitionIn) -> Case | None:
    """The case that ``case`` duplicates, when it is closed as a duplicate and names one."""
    if not body.duplicate_of:
        return None
    if body.action != Action.CLOSE or body.reason != CloseReason.DUPLICATE:
        raise ValidationFailed(_("Chỉ ghi vụ việc bị trùng khi đóng vụ việc vì trùng lặp."), field="duplicate_of")
    if body.duplicate_of == case.reference:
        raise ValidationFailed(_("Vụ việc không thể trùng với chính nó."), field="duplicate_of")
    original = session.exec(visible_cases(actor).where(col(Case.reference) == body.duplicate_of)).first()
    if original is None:
        raise ValidationFailed(_("Không tìm thấy vụ việc {reference}.", reference=body.duplicate_of),
                               field="duplicate_of")  # fmt: skip
    return original


def relate_cases(session: Session, case: Case, other: Case) -> None:
    """Link two cases (both directions), if they are not linked yet."""
    assert case.id is not None and other.id is not None
    if session.get(CaseRelation, (case.id, other.id)) is None:
        session.add(CaseRelation(case_id=case.id, related_id=other.id))
    if session.get(CaseRelation, (other.id, case.id)) is None:
        session.add(CaseRelation(case_id=other.id, related_id=case.id))
    session.flush()


def apply_transition(session: Session, *, actor: Actor, case: Case, body: TransitionIn, now: datetime) -> Case:
    """A transition asked for by a person (the API's body or the staff page's form), validated as ``TransitionIn``.
    Closing as a duplicate may name the original case (``duplicate_of``): the event records it and the two cases
    are linked as related."""
    original = _duplicated_case(session, actor, case, body)
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
        relate_cases(session, case, original)
    return result


def add_note(session: Session, *, actor: Actor, case: Case, text: str, now: datetime) -> None:
    require(actor, Permission.CASE_NOTE, scope_of(session, case))
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="note", note=text)


# --- reading ------------------------------------------------------------------------------------------------


class CaseSort(StrEnum):
    """List orders; a leading ``-`` means newest first. Paging cursors are tied to the order they came from."""

    RECEIVED_DESC = "-received_at"
    RECEIVED_ASC = "received_at"
    UPDATED_DESC = "-updated_at"
    UPDATED_ASC = "updated_at"
    DUE = "due"  # nearest due clock first (``next_due_at``); cases without a running clock last

    @property
    def column_name(self) -> str:
        return "next_due_at" if self == CaseSort.DUE else self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


class CaseFilters(BaseModel):
    status: list[CaseStatus] = []
    unit: str | None = None
    severity: list[Severity] = []
    topic: list[Topic] = []
    source_kind: list[SourceKind] = []
    q: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    assignee: str | None = None
    tag: str | None = None
    overdue: bool | None = None  # true: the nearest running clock is past due; false: it is not (or none runs)
    due_within_hours: int | None = None  # the nearest running clock falls due between now and now + N hours
    now: datetime | None = None  # needed by overdue / due_within_hours
    limit: int = 50
    cursor: str | None = None
    sort: CaseSort = CaseSort.RECEIVED_DESC


def _encode_cursor(case: Case, sort: CaseSort) -> str:
    value: datetime | None = getattr(case, sort.column_name)
    parts: list[Any] = [value.isoformat() if value else None, case.id]
    if sort != CaseSort.RECEIVED_DESC:
        parts.append(sort.value)
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: CaseSort) -> tuple[datetime | None, int]:
    """The (value, id) a page ended at; the value is None only past the end of a ``due`` order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) not in (2, 3):
            raise ValueError
        at, ident = parts[0], parts[1]
        cursor_sort = CaseSort(parts[2]) if len(parts) == 3 else CaseSort.RECEIVED_DESC
        value = None if at is None and sort == CaseSort.DUE else datetime.fromisoformat(at)
        if (value is not None and value.tzinfo is None) or not isinstance(ident, int) or cursor_sort != sort:
            raise ValueError
        return value, ident
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Con trỏ phân trang không hợp lệ."), field="cursor") from exc


def filtered_cases(session: Session, *, actor: Actor, filters: CaseFilters) -> SelectOfScalar[Case]:
    """The actor's visible cases narrowed by the list filters (no order, no paging)."""
    query = visible_cases(actor)
    if filters.status:
        query = query.where(col(Case.status).in_(filters.status))
    if filters.severity:
        query = query.where(col(Case.severity).in_(filters.severity))
    if filters.topic:
        query = query.where(col(Case.topic).in_(filters.topic))
    if filters.source_kind:
        query = query.where(col(Case.source_kind).in_(filters.source_kind))
    if filters.unit:
        unit = unit_by_code(session, filters.unit, field="unit")
        query = query.where(
            or_(
                col(Case.lead_unit_id) == unit.id,
                exists().where(
                    col(CaseSupportingUnit.case_id) == col(Case.id), col(CaseSupportingUnit.unit_id) == unit.id
                ),
            )
        )
    if filters.assignee:
        query = query.where(
            exists().where(
                col(CaseAssignee.case_id) == col(Case.id),
                col(CaseAssignee.user_id) == col(User.id),
                col(User.username) == filters.assignee,
            )
        )
    if filters.tag:
        query = query.where(
            exists().where(col(CaseTag.case_id) == col(Case.id), col(CaseTag.tag) == filters.tag.lower())
        )
    if filters.received_from:
        query = query.where(col(Case.received_at) >= filters.received_from)
    if filters.received_to:
        query = query.where(col(Case.received_at) < filters.received_to)
    if filters.q:
        for term in search_terms(filters.q):
            query = query.where(col(Case.search_text).like(f"%{term}%", escape="\\"))
    if filters.overdue is not None or filters.due_within_hours is not None:
        if filters.now is None:
            raise ValueError("the overdue and due_within_hours filters need now")
        now = filters.now
        if filters.overdue is True:
            query = query.where(col(Case.next_due_at) < now)
        elif filters.overdue is False:
            query = query.where(or_(col(Case.next_due_at).is_(None), col(Case.next_due_at) >= now))
        if filters.due_within_hours is not None:
            until = now + timedelta(hours=filters.due_within_hours)
            query = query.where(col(Case.next_due_at) >= now, col(Case.next_due_at) < until)
    return query


def list_cases(session: Session, *, actor: Actor, filters: CaseFilters) -> tuple[list[Case], str | None]:
    query = filtered_cases(session, actor=actor, filters=filters)
    sort = filters.sort
    if sort == CaseSort.DUE:
        query = _due_page(query, filters.cursor)
        cases = list(session.exec(query.limit(filters.limit + 1)).all())
        next_cursor = _encode_cursor(cases[filters.limit - 1], sort) if len(cases) > filters.limit else None
        return cases[: filters.limit], next_cursor
    column = col(getattr(Case, sort.column_name))
    if filters.cursor:
        at, ident = _decode_cursor(filters.cursor, sort)
        if sort.descending:
            query = query.where(or_(column < at, and_(column == at, col(Case.id) < ident)))
        else:
            query = query.where(or_(column > at, and_(column == at, col(Case.id) > ident)))
    if sort.descending:
        query = query.order_by(column.desc(), col(Case.id).desc())
    else:
        query = query.order_by(column.asc(), col(Case.id).asc())
    cases = list(session.exec(query.limit(filters.limit + 1)).all())
    next_cursor = _encode_cursor(cases[filters.limit - 1], sort) if len(cases) > filters.limit else None
    return cases[: filters.limit], next_cursor


def _due_page(query: SelectOfScalar[Case], cursor: str | None) -> SelectOfScalar[Case]:
    """Nearest due first, cases without a running clock last; keyset pagination on (next_due_at, id)."""
    due = col(Case.next_due_at)
    if cursor:
        at, ident = _decode_cursor(cursor, CaseSort.DUE)
        if at is None:
            query = query.where(due.is_(None), col(Case.id) > ident)
        else:
            query = query.where(or_(due > at, and_(due == at, col(Case.id) > ident), due.is_(None)))
    return query.order_by(due.asc().nulls_last(), col(Case.id).asc())


def count_by_severity(session: Session, *, actor: Actor, filters: CaseFilters) -> dict[Severity, int]:
    """How many of the actor's visible cases matching ``filters`` there are of each severity."""
    matching = filtered_cases(session, actor=actor, filters=filters).subquery()
    rows = session.exec(select(matching.c.severity, func.count()).group_by(matching.c.severity)).all()
    counts = dict.fromkeys(Severity, 0)
    for severity, number in rows:
        counts[Severity(severity)] = number
    return counts


def case_reads(session: Session, *, actor: Actor, cases: Sequence[Case], now: datetime | None = None) -> list[CaseRead]:
    """Read schemas for many cases with a fixed number of queries (no lazy loads). ``now`` decides ``overdue``."""
    ids = [c.id for c in cases if c.id is not None]
    if not ids:
        return []
    supporting: dict[int, list[int]] = defaultdict(list)
    for case_id, unit_id in session.exec(
        select(CaseSupportingUnit.case_id, CaseSupportingUnit.unit_id).where(col(CaseSupportingUnit.case_id).in_(ids))
    ).all():
        supporting[case_id].append(unit_id)
    unit_ids = {c.lead_unit_id for c in cases if c.lead_unit_id} | {u for us in supporting.values() for u in us}
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all()} if unit_ids else {}
    assignees: dict[int, list[User]] = defaultdict(list)
    for case_id, user in session.exec(
        select(CaseAssignee.case_id, User)
        .join(User, col(User.id) == CaseAssignee.user_id)
        .where(col(CaseAssignee.case_id).in_(ids))
        .order_by(col(User.username))
    ).all():
        assignees[case_id].append(user)
    tags: dict[int, list[str]] = defaultdict(list)
    for case_id, tag in session.exec(
        select(CaseTag.case_id, CaseTag.tag).where(col(CaseTag.case_id).in_(ids)).order_by(col(CaseTag.tag))
    ).all():
        tags[case_id].append(tag)
    related: dict[int, list[str]] = defaultdict(list)
    visible = visibility_clause(actor)
    rel_query = (
        select(CaseRelation.case_id, Case.reference)
        .join(Case, col(Case.id) == CaseRelation.related_id)
        .where(col(CaseRelation.case_id).in_(ids))
        .order_by(col(Case.reference))
    )
    if visible is not None:
        rel_query = rel_query.where(visible)
    for case_id, ref in session.exec(rel_query).all():
        related[case_id].append(ref)
    creator_ids = {c.created_by_id for c in cases if c.created_by_id}
    creators = (
        dict(session.exec(select(User.id, User.username).where(col(User.id).in_(creator_ids))).all())
        if creator_ids
        else {}
    )

    def unit_ref(unit_id: int | None) -> UnitRef | None:
        unit = units.get(unit_id) if unit_id else None
        return UnitRef(code=unit.code, name=unit.name) if unit else None

    reads = []
    for case in cases:
        assert case.id is not None
        scope = Scope(case.lead_unit_id, frozenset(supporting[case.id]))
        actions = []
        for action in allowed_actions(case.status):
            edge = edge_for(case.status, action)
            if not edge.via_statement and can(actor, edge.permission, None if action in (
                    Action.ASSIGN, Action.REASSIGN) else scope):  # fmt: skip
                actions.append(action)
        reads.append(
            CaseRead(
                reference=case.reference,
                status=case.status,
                title=case.title,
                summary=case.summary,
                source_kind=case.source_kind,
                topic=case.topic,
                severity=case.severity,
                legal_trigger=case.legal_trigger,
                outlet=case.outlet,
                reporter_name=case.reporter_name,
                reporter_contact=case.reporter_contact,
                source_url=case.source_url,
                source_published_at=case.source_published_at,
                received_at=case.received_at,
                occurred_at=case.occurred_at,
                impact_determined_at=case.impact_determined_at,
                complaint_concluded_at=case.complaint_concluded_at,
                next_due_at=case.next_due_at,
                overdue=None if now is None else case.next_due_at is not None and case.next_due_at < now,
                lead_unit=unit_ref(case.lead_unit_id),
                supporting_units=[r for r in (unit_ref(u) for u in supporting[case.id]) if r],
                assignees=[UserRef(username=u.username, full_name=u.full_name) for u in assignees[case.id]],
                tags=tags[case.id],
                related=related[case.id],
                close_reason=case.close_reason,
                status_changed_at=case.status_changed_at,
                created_at=case.created_at,
                updated_at=case.updated_at,
                created_by=creators.get(case.created_by_id) if case.created_by_id else None,
                allowed_actions=actions,
            )
        )
    return reads


def case_read(session: Session, *, actor: Actor, case: Case, now: datetime | None = None) -> CaseRead:
    return case_reads(session, actor=actor, cases=[case], now=now)[0]


# --- what the actor may change (for forms) -----------------------------------------------------------------

# Fields that ``update_case`` guards with CASE_EDIT (everything but severity, people and routing).
_EDIT_FIELDS = frozenset(CaseUpdate.model_fields) - {"severity", "assignees"} - _TRIAGE_FIELDS


def editable_fields(session: Session, *, actor: Actor, case: Case) -> frozenset[str]:
    """The fields of ``CaseUpdate`` that ``update_case`` would let the actor change on this case now."""
    scope = scope_of(session, case)
    fields: set[str] = set()
    if can(actor, Permission.CASE_EDIT, scope):
        fields |= _EDIT_FIELDS
    if can(actor, Permission.CASE_SEVERITY, scope):
        fields.add("severity")
    if can(actor, Permission.CASE_TRIAGE, scope):
        fields.add("supporting_units")
        if case.status in (CaseStatus.NEW, CaseStatus.CLOSED):
            fields.add("lead_unit")
    if can(actor, Permission.CASE_ASSIGN_PEOPLE, scope):
        fields.add("assignees")
    return frozenset(fields)


def assignable_users(session: Session, *, actor: Actor, case: Case) -> list[UserRef]:
    """People the actor may name as assignees of this case: active members of its units and the press office
    (a subset of what ``_check_assignees`` accepts), limited to the actor's own units for a unit-scoped actor."""
    scope = scope_of(session, case)
    case_units = {u for u in (scope.lead_unit_id, *scope.supporting_unit_ids) if u is not None}
    own_units = None if actor.sees_all_cases else actor.unit_ids()
    grants = session.exec(
        select(RoleAssignment, User)
        .join(User, col(User.id) == RoleAssignment.user_id)
        .where(col(User.active).is_(True))
        .order_by(col(User.full_name), col(User.username))
    ).all()
    by_user: dict[int, list[RoleAssignment]] = defaultdict(list)
    users: dict[int, User] = {}
    for grant, user in grants:
        assert user.id is not None
        by_user[user.id].append(grant)
        users[user.id] = user
    result = []
    for user_id, user in users.items():
        user_grants = by_user[user_id]
        in_case = any(g.unit_id in case_units and g.role not in GLOBAL_ROLES for g in user_grants)
        press = any(g.role == Role.PRESS_OFFICER for g in user_grants)
        if not (in_case or press):
            continue
        if own_units is not None and not any(g.unit_id in own_units for g in user_grants):
            continue
        result.append(UserRef(username=user.username, full_name=user.full_name))
    return result
