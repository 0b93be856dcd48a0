"""A Babel extractor for the rule packs: the clock and obligation names are Vietnamese msgids to translate.

``babel.cfg`` maps ``app/rules/packs/*.json`` to it, so ``make messages`` puts the names in the catalog.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any


def extract_pack_names(fileobj: IO[bytes], *_args: Any, **_kwargs: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel calls it with (fileobj, keywords, comment_tags, options=…); only the file matters here."""
    pack = json.loads(fileobj.read().decode("utf-8"))
    for item in [*pack.get("clocks", []), *pack.get("obligations", [])]:
        yield 0, "_", item["name"], []
