"""Comparing versions: unified diff and side-by-side rows with word-level changes."""

from __future__ import annotations

import pytest

from app.statements.diff import Segment, compare, side_by_side, word_segments

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

OLD = "Sở GD&ĐT đã nhận thông tin.\nĐoàn kiểm tra làm việc ngày 27/11.\nKết quả sẽ công bố sau."
NEW = "Sở GD&ĐT đã nhận thông tin.\nĐoàn thanh tra làm việc ngày 28/11.\nKết quả sẽ công bố sau.\nLiên hệ: VP Sở."


def test_rows_pair_lines_and_mark_the_changed_words() -> None:
    rows = side_by_side(OLD, NEW)
    assert [r.kind for r in rows] == ["equal", "replace", "equal", "insert"]
    changed = rows[1]
    assert (changed.left_no, changed.right_no) == (2, 2)
    assert [s.text for s in changed.left_segments if s.changed] == ["kiểm", "27"]
    assert [s.text for s in changed.right_segments if s.changed] == ["thanh", "28"]
    assert "".join(s.text for s in changed.right_segments) == changed.right
    assert rows[3] == rows[3].__class__(
        "insert", None, None, 4, "Liên hệ: VP Sở.", [], [Segment("Liên hệ: VP Sở.", True)]
    )


def test_a_deleted_block_and_unequal_replacements() -> None:
    rows = side_by_side("a\nb\nc\nd", "a\nB\nd")
    assert [(r.kind, r.left_no, r.right_no) for r in rows] == [
        ("equal", 1, 1), ("replace", 2, 2), ("delete", 3, None), ("equal", 4, 3),
    ]  # fmt: skip


def test_unified_and_counts() -> None:
    result = compare(OLD, NEW, from_label="v1", to_label="v2")
    assert result.unified.splitlines()[:2] == ["--- v1", "+++ v2"]
    assert "-Đoàn kiểm tra làm việc ngày 27/11." in result.unified
    assert "+Liên hệ: VP Sở." in result.unified
    assert (result.added, result.removed) == (2, 1)
    same = compare(OLD, OLD, from_label="v1", to_label="v1")
    assert same.unified == "" and (same.added, same.removed) == (0, 0)


def test_words_of_identical_lines_are_unchanged() -> None:
    left, right = word_segments("Học sinh lớp 8", "Học sinh lớp 8")
    assert left == right == [Segment("Học sinh lớp 8", False)]
