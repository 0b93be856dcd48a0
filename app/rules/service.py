"""Internal targets (the Sở's own clocks) and the rule packs, as the admin and the clock engine see them.

Changing a target affects the clocks started afterwards; clocks already running keep the rule they started with.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases.vocabulary import Severity, SourceKind
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.rules.models import (
    InternalTarget,
    InternalTargetCreate,
    InternalTargetRead,
    InternalTargetUpdate,
    check_target,
)
from app.rules.packs import all_packs
from app.rules.schema import RulePackRead, StartEvent


def list_packs(*, actor: Actor) -> list[RulePackRead]:
    require(actor, Permission.CASE_VIEW)
    return [RulePackRead(**p.model_dump()) for p in all_packs()]


def target_read(target: InternalTarget) -> InternalTargetRead:
    return InternalTargetRead.model_validate(target, from_attributes=True)


def list_targets(session: Session, *, actor: Actor, include_inactive: bool = True) -> Sequence[InternalTarget]:
    require(actor, Permission.CASE_VIEW)
    query = select(InternalTarget).order_by(col(InternalTarget.id))
    if not include_inactive:
        query = query.where(col(InternalTarget.active).is_(True))
    return session.exec(query).all()


def get_target(session: Session, *, target_id: int) -> InternalTarget:
    target = session.get(InternalTarget, target_id)
    if target is None:
        raise NotFound(_("Không tìm thấy chỉ tiêu thời hạn nội bộ số {id}.", id=target_id))
    return target


def create_target(session: Session, *, actor: Actor, data: InternalTargetCreate, now: datetime) -> InternalTarget:
    require(actor, Permission.TARGETS_MANAGE)
    target = InternalTarget.model_validate(data, update={"created_at": now, "updated_at": now})
    session.add(target)
    session.flush()
    return target


def update_target(
    session: Session, *, actor: Actor, target_id: int, data: InternalTargetUpdate, now: datetime
) -> InternalTarget:
    require(actor, Permission.TARGETS_MANAGE)
    target = get_target(session, target_id=target_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "start_event", "length", "unit", "met_by", "actor", "may_pause", "active"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(_("Trường {field} không được để trống.", field=name), field=name)
    target.sqlmodel_update(changes)
    try:
        check_target(target.unit, target.start_event, target.crisis_level)
    except ValueError as exc:
        field = str(exc).split(":", 1)[0]
        raise ValidationFailed(
            _("Chỉ tiêu thời hạn không hợp lệ: {reason}.", reason=exc.args[0]), field=field
        ) from None
    target.updated_at = now
    session.add(target)
    session.flush()
    return target


def deactivate_target(session: Session, *, actor: Actor, target_id: int, now: datetime) -> InternalTarget:
    """Targets are never deleted (clocks refer to them): they stop applying to new cases."""
    require(actor, Permission.TARGETS_MANAGE)
    target = get_target(session, target_id=target_id)
    target.active = False
    target.updated_at = now
    session.add(target)
    session.flush()
    return target


def matching_targets(
    session: Session,
    *,
    severity: Severity,
    source_kind: SourceKind,
    start_events: Sequence[StartEvent],
    crisis_level: int | None = None,
) -> Sequence[InternalTarget]:
    """The active targets that apply to a case of this severity and source, for these start events (and, for the
    crisis clocks, this crisis level)."""
    level = col(InternalTarget.crisis_level)
    return session.exec(
        select(InternalTarget)
        .where(
            col(InternalTarget.active).is_(True),
            col(InternalTarget.start_event).in_(start_events),
            or_(col(InternalTarget.severity).is_(None), col(InternalTarget.severity) == severity),
            or_(col(InternalTarget.source_kind).is_(None), col(InternalTarget.source_kind) == source_kind),
            level.is_(None) if crisis_level is None else level == crisis_level,
        )
        .order_by(col(InternalTarget.id))
    ).all()
