"""The statement rules: every (status, action) pair, the case actions they drive, checklist, refusals, hashing."""

from __future__ import annotations

import hashlib

import pytest

from app.cases.workflow import Action, CaseStatus
from app.errors import InvalidTransition, ValidationFailed
from app.spokespersons.rules import Regime
from app.statements.rules import (
    EDGES,
    MAIN_KINDS,
    REFUSAL_GROUNDS,
    RefusalGround,
    StatementAction,
    StatementKind,
    StatementStatus,
    case_action,
    check_checklist,
    check_refusal,
    may_draft,
    next_status,
    normalize_text,
    text_digest,
    voids_approval,
)

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

S, A = StatementStatus, StatementAction
PAIRS = [(s, a) for s in StatementStatus for a in StatementAction]


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_pair(status: StatementStatus, action: StatementAction) -> None:
    if (status, action) in EDGES:
        assert next_status(status, action) == EDGES[(status, action)]
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, action)


def test_the_shape_of_the_path() -> None:
    assert next_status(S.DRAFT, A.SUBMIT) == S.SUBMITTED
    assert next_status(S.SUBMITTED, A.RETURN) == S.RETURNED
    assert next_status(S.RETURNED, A.ADD_VERSION) == S.DRAFT
    assert next_status(S.SUBMITTED, A.APPROVE) == S.APPROVED
    assert next_status(S.APPROVED, A.ADD_VERSION) == S.DRAFT
    assert next_status(S.APPROVED, A.PUBLISH) == S.PUBLISHED


def test_nothing_is_published_without_approval_and_nothing_changes_after() -> None:
    for (status, _action), target in EDGES.items():
        if target == S.PUBLISHED:
            assert status == S.APPROVED
        assert status != S.PUBLISHED
    with pytest.raises(InvalidTransition):
        next_status(S.SUBMITTED, A.ADD_VERSION)  # what the unit submitted is what the approver approves


def test_only_a_version_after_approval_voids_it() -> None:
    assert [p for p in PAIRS if voids_approval(*p)] == [(S.APPROVED, A.ADD_VERSION)]


CASE_ROWS = [
    (StatementKind.RESPONSE, S.DRAFT, A.SUBMIT, Action.SUBMIT),
    (StatementKind.REFUSAL, S.SUBMITTED, A.RETURN, Action.RETURN),
    (StatementKind.REBUTTAL, S.SUBMITTED, A.APPROVE, Action.APPROVE),
    (StatementKind.RESPONSE, S.APPROVED, A.PUBLISH, Action.PUBLISH),
    (StatementKind.RESPONSE, S.APPROVED, A.ADD_VERSION, Action.RETURN),
    (StatementKind.RESPONSE, S.DRAFT, A.ADD_VERSION, None),
    (StatementKind.INITIAL_INFORMATION, S.DRAFT, A.SUBMIT, None),
    (StatementKind.INITIAL_INFORMATION, S.APPROVED, A.PUBLISH, None),
    (StatementKind.CORRECTION, S.SUBMITTED, A.APPROVE, None),
]


@pytest.mark.parametrize(("kind", "status", "action", "expected"), CASE_ROWS)
def test_the_main_statement_drives_the_case(kind: StatementKind, status: StatementStatus, action: StatementAction,
                                            expected: Action | None) -> None:  # fmt: skip
    assert case_action(kind, status, action) == expected


def test_drafting_follows_the_case_stage() -> None:
    for kind in StatementKind:
        for case_status in CaseStatus:
            allowed = may_draft(kind, case_status)
            if kind in MAIN_KINDS:
                assert allowed == (case_status in (CaseStatus.IN_PROGRESS, CaseStatus.ON_HOLD))
            else:
                assert allowed == (case_status != CaseStatus.CLOSED)


def test_the_checklist_names_the_first_missing_item() -> None:
    check_checklist({"no_state_secret": True, "no_private_data": True, "no_pending_proceedings": True})
    with pytest.raises(ValidationFailed) as exc:
        check_checklist({"no_state_secret": True, "no_private_data": False, "no_pending_proceedings": True})
    assert exc.value.extra["field"] == "checklist.no_private_data"
    with pytest.raises(ValidationFailed) as exc:
        check_checklist({})
    assert exc.value.extra["field"] == "checklist.no_state_secret"


def test_a_refusal_needs_a_ground_of_its_regime_and_a_reason() -> None:
    new, old = Regime.DECREE_244_2026, Regime.DECREE_09_2017
    check_refusal(StatementKind.REFUSAL, RefusalGround.STATE_SECRET, "Bí mật nhà nước.", new)
    for ground, reason, field in [(None, "x", "refusal_ground"), (RefusalGround.STATE_SECRET, None, "refusal_reason"),
                                  (RefusalGround.STATE_SECRET, "  ", "refusal_reason"),
                                  (RefusalGround.POLICY_DRAFT, "x", "refusal_ground")]:  # fmt: skip
        with pytest.raises(ValidationFailed) as exc:
            check_refusal(StatementKind.REFUSAL, ground, reason, new)
        assert exc.value.extra["field"] == field
    check_refusal(StatementKind.REFUSAL, RefusalGround.POLICY_DRAFT, "Dự thảo chưa được phép công bố.", old)
    with pytest.raises(ValidationFailed):
        check_refusal(StatementKind.RESPONSE, RefusalGround.STATE_SECRET, None, new)
    check_refusal(StatementKind.RESPONSE, None, None, new)


def test_every_ground_cites_the_law_of_its_regime() -> None:
    for ground, basis in REFUSAL_GROUNDS[Regime.DECREE_244_2026].items():
        assert basis.startswith("Luật Báo chí 2025, Điều 31 khoản 2"), ground
    for ground, basis in REFUSAL_GROUNDS[Regime.DECREE_09_2017].items():
        assert basis.startswith("Luật Báo chí 2016, Điều 38 khoản 2"), ground
    assert set(REFUSAL_GROUNDS[Regime.DECREE_09_2017]) == set(RefusalGround)


def test_the_text_is_normalised_then_hashed_exactly() -> None:
    decomposed = "Trường học\r\nlớp 6"  # "ư" and "ờ" typed as base letter + combining marks (NFD)
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    assert nfd != decomposed
    assert normalize_text(nfd) == "Trường học\nlớp 6"
    assert text_digest("Thông cáo") == hashlib.sha256("Thông cáo".encode()).hexdigest()
    assert text_digest("Thông cáo ") != text_digest("Thông cáo")
