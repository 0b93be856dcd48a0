"""Text helpers for search: Vietnamese folded to plain ASCII so that "truong hoc" finds "trường học"."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Lower-case, strip diacritics (đ → d), collapse white space."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def search_terms(query: str, *, limit: int = 10) -> list[str]:
    """The folded words of a query, each safe to put inside a LIKE pattern (with ``\\`` as escape)."""
    terms = [t for t in fold(query).split(" ") if t][:limit]
    return [t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for t in terms]
