"""Crisis mode meets the monitoring: declaring a crisis from a monitored item (its story becomes a case first,
when it is none yet) and the coverage shown in the war room.

The combined use case lives here, above both: the monitoring may import crisis mode, and nothing below the
monitoring imports it (``tests/test_architecture.py``), so crisis mode never reaches back."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app.auth.permissions import Actor, Permission, require
from app.cases.models import Case
from app.cases.scope import get_case
from app.crisis import service as crisis
from app.crisis.models import CrisisIn, CrisisRead
from app.crisis.paging import Paging
from app.errors import NotFound
from app.i18n import _
from app.monitor.models import MonitorCluster, MonitorItem
from app.monitor.service import CaseCoverage, case_coverage, open_case_from_item


def declare_from_item(session: Session, *, actor: Actor, item_id: int, data: CrisisIn, now: datetime,
                      paging: Paging, locale: str) -> tuple[CrisisRead, str, bool]:  # fmt: skip
    """Declare a crisis on the case of the item's story, opening that case from the item first when there is none
    (``open_case_from_item``: the case's history records the link), then through the crisis service (its history
    records the declaration). Returns the crisis, the case's reference and whether the crisis is new. All or
    nothing: a refusal of the crisis service leaves no case behind."""
    require(actor, Permission.MONITOR_VIEW)
    item = session.get(MonitorItem, item_id)
    if item is None:
        raise NotFound(_("Không tìm thấy tin {id}.", id=item_id))
    case_id = item.case_id
    if case_id is None and item.cluster_id is not None:
        case_id = session.exec(select(MonitorCluster.case_id).where(MonitorCluster.id == item.cluster_id)).first()
    with session.begin_nested():
        if case_id is None:
            reference = open_case_from_item(session, actor=actor, item_id=item_id, now=now).reference
        else:
            found = session.exec(select(Case.reference).where(Case.id == case_id)).first()
            if found is None:
                raise NotFound(_("Không tìm thấy vụ việc."))
            reference = found
        read, new = crisis.declare_crisis(session, actor=actor, reference=reference, data=data, now=now,
                                          paging=paging, locale=locale)  # fmt: skip
    return read, reference, new


def war_room_coverage(session: Session, *, actor: Actor, reference: str) -> CaseCoverage | None:
    """For the war room: the story the case was opened from (``case_coverage``), or None."""
    return case_coverage(session, actor=actor, case=get_case(session, actor=actor, reference=reference))
