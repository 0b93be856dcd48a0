"""The pure rules of inquiries: public status, tracking codes, the case title."""

from __future__ import annotations

import pytest

from app.cases.workflow import CaseStatus
from app.inquiries.rules import InquiryStatus, case_title, normalize_code, public_status

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

S, Q = CaseStatus, InquiryStatus


@pytest.mark.parametrize(
    ("case_status", "answered", "expected"),
    [
        (S.NEW, False, Q.RECEIVED), (S.ASSIGNED, False, Q.BEING_HANDLED), (S.IN_PROGRESS, False, Q.BEING_HANDLED),
        (S.ON_HOLD, False, Q.BEING_HANDLED), (S.AWAITING_APPROVAL, False, Q.BEING_HANDLED),
        (S.APPROVED, False, Q.BEING_HANDLED), (S.PUBLISHED, True, Q.ANSWERED), (S.CLOSED, True, Q.ANSWERED),
        (S.CLOSED, False, Q.CLOSED), (S.IN_PROGRESS, True, Q.ANSWERED),
    ],
)  # fmt: skip
def test_public_status(case_status: CaseStatus, answered: bool, expected: InquiryStatus) -> None:
    assert public_status(case_status, answered) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PV-ABCDEFGHIJKLMNOPQRSTUV23", "PV-ABCDEFGHIJKLMNOPQRSTUV23"),
        (" pv-abcdefghijklmnopqrstuv23 ", "PV-ABCDEFGHIJKLMNOPQRSTUV23"),
        ("PV-ABCDEFGHIJKLMNOPQRSTUV2", None), ("PV-ABCDEFGHIJKLMNOPQRSTUV01", None), ("VV-2026-00001", None),
        ("", None), ("1", None),
    ],
)  # fmt: skip
def test_codes(value: str, expected: str | None) -> None:
    assert normalize_code(value) == expected


def test_case_title_is_the_first_line_shortened_at_a_word() -> None:
    assert case_title("\n  Học phí năm nay?  \nChi tiết thêm") == "Học phí năm nay?"
    long = "Đề nghị Sở cho biết " + "rất " * 80 + "nhiều"
    title = case_title(long)
    assert len(title) <= 201 and title.endswith("rất…")
