"""A story's photos (issue 15): upload (images only), list, download, remove while the story is not published."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, UploadFile
from fastapi.responses import Response

from app.stories import photos, service
from app.stories.models import StoryPhotoPage, StoryPhotoRead
from app.validation import Note
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep
from app.web.files import StorageDep, download

router = APIRouter(tags=["stories"])

UploadErrors: dict[int | str, dict[str, Any]] = {
    409: {"description": "The story is approved or published: its photos no longer change"},
    413: {"description": "The file is larger than CRISISDESK_MAX_UPLOAD_MB (default 25)"},
    415: {"description": "Not a JPEG, PNG, WebP or GIF judged from the bytes"},
}
PhotoField = Annotated[UploadFile, File(description="The image; its type is judged from its bytes, not its name")]


@router.post("/stories/{story_id}/photos", response_model=StoryPhotoRead, status_code=201, responses=UploadErrors)
def add_photo(
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    actor: ActorDep,
    now: NowDep,
    story_id: IdPath,
    file: PhotoField,
    description: Annotated[Note | None, Form(description="A caption")] = None,
) -> StoryPhotoRead:
    """Add a photo (multipart ``file``: JPEG, PNG, WebP or GIF judged from the bytes, else 415; 413 past the size
    limit): whoever may edit the story now. Published with the story; recorded in its history."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    photo = photos.add_photo(session, actor=actor, story=story, source=file.file, filename=file.filename,
                             description=description, storage=storage, max_bytes=settings.max_upload_bytes,
                             now=now)  # fmt: skip
    return photos.photo_reads(story, [photo])[0]


@router.get("/stories/{story_id}/photos", response_model=StoryPhotoPage)
def list_photos(session: SessionDep, actor: ActorDep, story_id: IdPath) -> StoryPhotoPage:
    """The story's photos, oldest first."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    return StoryPhotoPage(items=photos.photo_reads(story, photos.list_photos(session, story=story)))


FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The image's bytes",
    }
}


@router.get("/stories/{story_id}/photos/{photo_id}/content", response_class=Response, responses=FILE_RESPONSE)
def photo_content(
    session: SessionDep,
    storage: StorageDep,
    actor: ActorDep,
    story_id: IdPath,
    photo_id: IdPath,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The image, with its original name; 404 for whoever cannot see the story."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    photo = photos.get_photo(session, actor=actor, story=story, photo_id=photo_id)
    return download(storage, photo, if_none_match=if_none_match)


@router.delete("/stories/{story_id}/photos/{photo_id}", status_code=204, response_class=Response)
def remove_photo(session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath, photo_id: IdPath) -> Response:
    """Take a photo off the story (while it is not published); recorded in its history."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    photo = photos.get_photo(session, actor=actor, story=story, photo_id=photo_id)
    photos.remove_photo(session, actor=actor, story=story, photo=photo, now=now)
    return Response(status_code=204)
