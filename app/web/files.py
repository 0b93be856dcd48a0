"""What the web layer needs for files: the storage of the app (``StorageDep``), the upload fields, and the download
response (streamed from the storage, with the original name in ``Content-Disposition``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response, StreamingResponse

from app.errors import NotFound
from app.files.models import Attachment
from app.files.rules import content_disposition
from app.files.storage import MissingObject, Storage
from app.i18n import _


def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]


def download(
    storage: Storage,
    attachment: Attachment,
    *,
    cache_control: str = "private, no-store",
    if_none_match: str | None = None,
) -> Response:
    """The attachment's bytes: its type as judged on upload, its original name, its SHA-256 as a strong ETag."""
    etag = f'"{attachment.sha256}"'
    headers = {
        "Content-Disposition": content_disposition(attachment.filename),
        "Content-Length": str(attachment.size),
        "ETag": etag,
        "Cache-Control": cache_control,
        "X-Content-SHA256": attachment.sha256,
    }
    if if_none_match is not None and etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]:
        del headers["Content-Length"]
        return Response(status_code=304, headers=headers)
    try:
        chunks = storage.open(attachment.storage_key)
    except MissingObject:
        raise NotFound(_("Tệp {name} không còn trong kho lưu trữ.", name=attachment.filename)) from None
    return StreamingResponse(chunks, media_type=attachment.content_type, headers=headers)
