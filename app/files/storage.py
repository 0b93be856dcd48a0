"""Where the bytes of attachments live: a folder (``file://./var/files``, the default) or any S3-compatible store
(``s3://bucket/prefix``), chosen by ``CRISISDESK_STORAGE_URL``.

Objects are named by their content: ``ab/abcdef…`` (the SHA-256 of the bytes), so the same file uploaded twice is
stored once, a write is idempotent, and bytes written by a request that was then rolled back are harmless (nothing
points to them). Bytes are never changed; removing an attachment keeps them (the case's record stays whole).

Reading and writing stream in chunks: a 25 MB file never sits whole in memory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from app.settings import Settings

CHUNK = 256 * 1024


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


class Storage(Protocol):
    """Where attachments' bytes are kept. ``put`` reads ``source`` from its current position to the end."""

    def put(self, key: str, source: IO[bytes], size: int) -> None: ...

    def exists(self, key: str) -> bool: ...

    def open(self, key: str) -> Iterator[bytes]: ...

    def describe(self) -> str: ...


class MissingObject(Exception):
    """The storage holds no object under that key (a backup restored without its files, a lost volume)."""


class FileStorage:
    """A folder on the server's disk (or a mounted volume)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, source: IO[bytes], size: int) -> None:
        path = self._path(key)
        if path.exists() and path.stat().st_size == size:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)  # atomic: a reader sees the whole file or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise MissingObject(key)
        return _read_file(path)

    def describe(self) -> str:
        return f"file://{self.root}"


def _read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


class S3Storage:
    """A bucket (and a prefix in it) of any S3-compatible store, through boto3."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, source: IO[bytes], size: int) -> None:  # noqa: ARG002  (S3 learns the size itself)
        if self.exists(key):
            return
        self.client.upload_fileobj(source, self.bucket, self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def open(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise MissingObject(key) from exc
            raise
        return _read_body(body)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def _read_body(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def storage_from_settings(settings: Settings) -> Storage:
    """The storage ``CRISISDESK_STORAGE_URL`` names. ``file://./var/files`` is relative to the working directory."""
    url = settings.storage_url
    if url.startswith("file://"):
        return FileStorage(Path(url[len("file://") :]))
    bucket, _slash, prefix = url[len("s3://") :].partition("/")
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=(
            settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
        ),
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60),
    )
    return S3Storage(client, bucket, prefix)
