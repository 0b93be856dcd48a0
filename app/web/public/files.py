"""The public attachments of published notices, and the photos of published stories: anyone may download them,
with no account.

Only an attachment marked public, on a statement whose notice is published (at this minute: not before its
embargo), and not removed; a story's photo once the story is published, and not removed; anything else is 404.
The edge applies the read rate limit and CORS but neither buffers nor caches these responses (``edge.FILE``): they
stream from the storage, and the SHA-256 is their ETag.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from app.attachments import service
from app.errors import NotFound
from app.stories import photos
from app.web.deps import IdPath, NowDep, ReadSessionDep, SettingsDep
from app.web.files import StorageDep, download

router = APIRouter(prefix="/api/public/v1", tags=["public"])


@router.get("/attachments/{attachment_id}/content", response_class=Response,
            responses={200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The file's bytes, with the type judged from them"},
                       404: {"description": "No such published attachment"}})  # fmt: skip
def public_attachment(
    session: ReadSessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    now: NowDep,
    attachment_id: IdPath,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A published notice's public attachment (the `url` of an item of the notice's `attachments`): the bytes,
    with the original file name in `Content-Disposition` and the SHA-256 the notice states as `ETag` and
    `X-Content-SHA256`."""
    try:
        attachment = service.public_attachment(session, attachment_id=attachment_id, now=now)
    except NotFound:
        attachment = photos.public_photo(session, photo_id=attachment_id)  # a published story's photo
    cache = f"public, max-age={settings.public_max_age_seconds}"
    return download(storage, attachment, cache_control=cache, if_none_match=if_none_match)
