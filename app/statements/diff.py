"""Comparing two versions of a statement: a unified diff and a side-by-side form with word-level changes.
Pure (difflib): no I/O.

Side by side, each row pairs a line of the older text with a line of the newer one: ``equal``, ``replace``
(both sides, with the changed words marked), ``delete`` (left only) or ``insert`` (right only). Line numbers start
at 1.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

RowKind = Literal["equal", "replace", "delete", "insert"]
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    kind: RowKind
    left_no: int | None
    left: str | None
    right_no: int | None
    right: str | None
    left_segments: list[Segment] = field(default_factory=list)
    right_segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    unified: str
    rows: list[Row]
    added: int
    removed: int


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        if merged and merged[-1].changed == seg.changed:
            merged[-1] = Segment(merged[-1].text + seg.text, seg.changed)
        elif seg.text:
            merged.append(seg)
    return merged


def word_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """The two lines cut into runs of unchanged and changed words."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(Segment("".join(a[i1:i2]), False))
            right.append(Segment("".join(b[j1:j2]), False))
        else:
            left.append(Segment("".join(a[i1:i2]), True))
            right.append(Segment("".join(b[j1:j2]), True))
    return _merge(left), _merge(right)


def side_by_side(old: str, new: str) -> list[Row]:
    a, b = old.split("\n"), new.split("\n")
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                line = a[i1 + k]
                rows.append(Row("equal", i1 + k + 1, line, j1 + k + 1, line))
            continue
        left = list(range(i1, i2)) if tag in ("replace", "delete") else []
        right = list(range(j1, j2)) if tag in ("replace", "insert") else []
        for k in range(max(len(left), len(right))):
            li = left[k] if k < len(left) else None
            ri = right[k] if k < len(right) else None
            if li is not None and ri is not None:
                ls, rs = word_segments(a[li], b[ri])
                rows.append(Row("replace", li + 1, a[li], ri + 1, b[ri], ls, rs))
            elif li is not None:
                rows.append(Row("delete", li + 1, a[li], None, None, [Segment(a[li], True)], []))
            elif ri is not None:
                rows.append(Row("insert", None, None, ri + 1, b[ri], [], [Segment(b[ri], True)]))
    return rows


def unified(old: str, new: str, *, from_label: str, to_label: str, context: int = 3) -> str:
    lines = difflib.unified_diff(
        old.split("\n"), new.split("\n"), fromfile=from_label, tofile=to_label, n=context, lineterm=""
    )
    return "\n".join(lines)


def compare(old: str, new: str, *, from_label: str, to_label: str) -> Comparison:
    rows = side_by_side(old, new)
    added = sum(1 for r in rows if r.kind in ("insert", "replace"))
    removed = sum(1 for r in rows if r.kind in ("delete", "replace"))
    return Comparison(unified(old, new, from_label=from_label, to_label=to_label), rows, added, removed)
