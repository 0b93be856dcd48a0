"""The attachments' bytes in a backup (format 2): written after the tables from the exporting installation's
storage, read back into the importing one's, each file checked by its size and SHA-256 (see ``service.py``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from app.backup.common import BackupError, Progress, line
from app.files.storage import MissingObject, Storage

FILE_CHUNK = 768 * 1024  # raw bytes a line (1 MiB of base64)


def export_files(connection: Connection, out: IO[str], storage: Storage | None, progress: Progress) -> int:
    """The attachments' objects (each once, removed attachments' too: their rows are in the backup)."""
    attachment = SQLModel.metadata.tables["attachment"]
    objects = connection.execute(
        select(attachment.c.storage_key, attachment.c.sha256, attachment.c.size)
        .distinct()
        .order_by(attachment.c.storage_key)
    ).all()
    out.write(line({"files": len(objects)}))
    if objects and storage is None:
        raise BackupError("The database holds attachments: give the export their storage (CRISISDESK_STORAGE_URL).")
    progress.table("files", len(objects))
    for key, sha256, size in objects:
        assert storage is not None
        try:
            chunks = rechunk(storage.open(key))
        except MissingObject:
            raise BackupError(
                f"The storage {storage.describe()} has no object {key}: the backup would be incomplete."
            ) from None
        count = (size + FILE_CHUNK - 1) // FILE_CHUNK
        out.write(line({"file": key, "sha256": sha256, "size": size, "chunks": count}))
        written = 0
        for chunk in chunks:
            out.write(line(base64.b64encode(chunk).decode("ascii")))
            written += 1
        if written != count:
            raise BackupError(f"The object {key} in {storage.describe()} is not {size} bytes long.")
        progress.advance(1)
    return len(objects)


def rechunk(source: Iterator[bytes]) -> Iterator[bytes]:
    """The storage's chunks, regrouped into ``FILE_CHUNK`` bytes (the last one shorter)."""
    buffer = bytearray()
    for piece in source:
        buffer += piece
        while len(buffer) >= FILE_CHUNK:
            yield bytes(buffer[:FILE_CHUNK])
            del buffer[:FILE_CHUNK]
    if buffer:
        yield bytes(buffer)


class FileReader:
    """Reads the files section: a header per object, then its base64 lines, into a spooled temporary file (on disk
    past 8 MiB), checked, then put into the storage."""

    def __init__(self, count: int, storage: Storage | None, progress: Progress) -> None:
        self.remaining = count
        self.storage = storage
        self.progress = progress
        self.done = 0
        self.current: dict[str, Any] | None = None
        self.chunks_left = 0
        self.buffer: Any = None
        self.digest: Any = None
        progress.table("files", count)

    def wants(self, item: Any) -> bool:
        return self.current is not None or (isinstance(item, dict) and "file" in item)

    def take(self, item: Any, number: int) -> None:
        if self.current is None:
            key, sha256, size, chunks = (item.get(k) for k in ("file", "sha256", "size", "chunks"))
            if not (isinstance(key, str) and isinstance(sha256, str) and isinstance(size, int)
                    and isinstance(chunks, int) and chunks >= 0 and self.remaining > 0):  # fmt: skip
                raise BackupError(f"Line {number}: a malformed or unannounced file.")
            self.current, self.chunks_left = item, chunks
            self.buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
            self.digest = hashlib.sha256()
        else:
            if not isinstance(item, str):
                raise BackupError(f"Line {number}: the bytes of {self.current['file']} are missing.")
            try:
                chunk = base64.b64decode(item, validate=True)
            except (binascii.Error, ValueError):
                raise BackupError(f"Line {number}: not base64.") from None
            self.buffer.write(chunk)
            self.digest.update(chunk)
            self.chunks_left -= 1
        if self.chunks_left == 0:
            self._store()

    def _store(self) -> None:
        assert self.current is not None and self.storage is not None
        size = self.buffer.tell()
        if size != self.current["size"] or self.digest.hexdigest() != self.current["sha256"]:
            raise BackupError(f"The file {self.current['file']} is damaged (size or SHA-256 differs).")
        self.buffer.seek(0)
        self.storage.put(self.current["file"], self.buffer, size)
        self.buffer.close()
        self.current, self.buffer = None, None
        self.remaining -= 1
        self.done += 1
        self.progress.advance(1)

    def finish(self) -> int:
        if self.current is not None or self.remaining:
            raise BackupError("The file ends inside its files section: it is truncated. Nothing was imported.")
        return self.done
