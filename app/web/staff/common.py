"""Pieces several staff pages share: case rows for tables, list links, unit pickers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from app.auth.permissions import Actor
from app.cases.models import CaseRead
from app.cases.queries import CaseFilters, list_cases
from app.cases.reads import case_reads
from app.cases.workflow import OPEN_STATUSES, CaseStatus
from app.org.models import Unit, UnitKind

# Open statuses in lifecycle order (for filters and links); "working" leaves out the press office's triage.
OPEN_ORDER = [s for s in CaseStatus if s in OPEN_STATUSES]
WORKING_ORDER = [s for s in OPEN_ORDER if s != CaseStatus.NEW]


@dataclass
class CaseRow:
    """A case in a table, with its nearest deadline (the due time of its nearest running clock)."""

    case: CaseRead
    due_at: datetime | None = None
    overdue: bool = False


def case_rows(
    session: Session, actor: Actor, filters: CaseFilters, now: datetime | None = None
) -> tuple[list[CaseRow], str | None]:
    cases, next_cursor = list_cases(session, actor=actor, filters=filters)
    reads = case_reads(session, actor=actor, cases=cases, now=now)
    return [CaseRow(r, r.next_due_at, bool(r.overdue)) for r in reads], next_cursor


def list_url(**params: Any) -> str:
    return "/staff/cases?" + urlencode(params, doseq=True)


def unit_groups(units: Sequence[Unit]) -> list[tuple[UnitKind, list[Unit]]]:
    """Units grouped by kind, in the kinds' order, for pickers (``<optgroup>``)."""
    return [(kind, [u for u in units if u.kind == kind]) for kind in UnitKind if any(u.kind == kind for u in units)]
