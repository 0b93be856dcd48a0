"""The lifecycle table: every allowed edge passes, every other (status, action) pair is refused."""

from __future__ import annotations

import pytest

from app.cases.workflow import (
    EDGES,
    TRANSITIONS,
    Action,
    CaseStatus,
    CloseReason,
    close_reason_for,
    edge_for,
    reopen_target,
)
from app.errors import InvalidTransition

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

ALL_PAIRS = [(s, a) for s in CaseStatus for a in Action]


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=[f"{s}-{a}" for s, a in ALL_PAIRS])
def test_every_pair(status: CaseStatus, action: Action) -> None:
    if (status, action) in TRANSITIONS:
        assert edge_for(status, action).source == status
    else:
        with pytest.raises(InvalidTransition):
            edge_for(status, action)


def test_the_shape_of_the_lifecycle() -> None:
    path = [
        (CaseStatus.NEW, Action.ASSIGN, CaseStatus.ASSIGNED),
        (CaseStatus.ASSIGNED, Action.ACCEPT, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, Action.SUBMIT, CaseStatus.AWAITING_APPROVAL),
        (CaseStatus.AWAITING_APPROVAL, Action.APPROVE, CaseStatus.APPROVED),
        (CaseStatus.APPROVED, Action.PUBLISH, CaseStatus.PUBLISHED),
        (CaseStatus.PUBLISHED, Action.CLOSE, CaseStatus.CLOSED),
        (CaseStatus.AWAITING_APPROVAL, Action.RETURN, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, Action.REASSIGN, CaseStatus.ASSIGNED),
        (CaseStatus.IN_PROGRESS, Action.HOLD, CaseStatus.ON_HOLD),
        (CaseStatus.ON_HOLD, Action.RESUME, CaseStatus.IN_PROGRESS),
        (CaseStatus.NEW, Action.CLOSE, CaseStatus.CLOSED),
        (CaseStatus.CLOSED, Action.REOPEN, CaseStatus.IN_PROGRESS),
    ]
    for source, action, target in path:
        assert edge_for(source, action).target == target


def test_nothing_reaches_the_public_but_through_a_statement() -> None:
    for edge in EDGES:
        if edge.target in (CaseStatus.APPROVED, CaseStatus.PUBLISHED):
            assert edge.via_statement


def test_an_approved_case_cannot_be_closed_or_published_around_the_statement() -> None:
    with pytest.raises(InvalidTransition):
        edge_for(CaseStatus.IN_PROGRESS, Action.PUBLISH)
    with pytest.raises(InvalidTransition):
        edge_for(CaseStatus.NEW, Action.APPROVE)


def test_close_before_an_answer_needs_a_reason() -> None:
    with pytest.raises(InvalidTransition):
        close_reason_for(CaseStatus.NEW, None)
    with pytest.raises(InvalidTransition):
        close_reason_for(CaseStatus.NEW, CloseReason.ANSWERED)
    assert close_reason_for(CaseStatus.NEW, CloseReason.DUPLICATE) == CloseReason.DUPLICATE
    assert close_reason_for(CaseStatus.PUBLISHED, None) == CloseReason.ANSWERED


def test_reopen_goes_back_to_the_unit_or_to_triage() -> None:
    assert reopen_target(True) == CaseStatus.IN_PROGRESS
    assert reopen_target(False) == CaseStatus.NEW
