"""What the backup's modules share: its error, the progress protocol, a line of the file."""

from __future__ import annotations

import json
from typing import Any, Protocol


class BackupError(Exception):
    """The file or the target database does not allow the operation; nothing was changed."""


class Progress(Protocol):
    def table(self, name: str, rows: int) -> None: ...

    def advance(self, rows: int) -> None: ...


def line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
