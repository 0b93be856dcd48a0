"""A story's photos in the browser: add one (images only), see and download them, remove one while the story is
not published. The same service calls as the JSON API (``app/web/api/story_photos.py``); a refused file (type,
size, no right) shows the story's page again with the message, nothing saved."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from app.errors import DomainError, ValidationFailed
from app.i18n import _
from app.stories import photos, service
from app.validation import Note
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep, get_locale
from app.web.files import StorageDep, download
from app.web.staff.forms import FormDep, form_errors
from app.web.staff.stories import _story_page

router = APIRouter()

_NOTE: TypeAdapter[str] = TypeAdapter(Note)


@router.post("/stories/{story_id}/photos")
def add_photo(request: Request, session: SessionDep, settings: SettingsDep, storage: StorageDep, actor: ActorDep,
              now: NowDep, story_id: IdPath, form: FormDep) -> Response:  # fmt: skip
    story = service.load_story(session, actor=actor, story_id=story_id)
    upload = form.get("file")
    try:
        raw = form.get("description")
        description = _NOTE.validate_python(raw) if isinstance(raw, str) and raw.strip() else None
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed(_("Chọn một ảnh để tải lên."), field="file")
        photos.add_photo(session, actor=actor, story=story, source=upload.file, filename=upload.filename,
                         description=description, storage=storage, max_bytes=settings.max_upload_bytes,
                         now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _story_page(request, session, actor, story_id, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/stories/{story_id}#photos", status_code=303)


@router.get("/stories/{story_id}/photos/{photo_id}/content")
def photo_content(session: SessionDep, storage: StorageDep, actor: ActorDep, story_id: IdPath, photo_id: IdPath,
                  if_none_match: Annotated[str | None, Header()] = None) -> Response:  # fmt: skip
    story = service.load_story(session, actor=actor, story_id=story_id)
    photo = photos.get_photo(session, actor=actor, story=story, photo_id=photo_id)
    return download(storage, photo, if_none_match=if_none_match)


@router.post("/stories/{story_id}/photos/{photo_id}/remove")
def remove_photo(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath,
                 photo_id: IdPath) -> Response:  # fmt: skip
    story = service.load_story(session, actor=actor, story_id=story_id)
    photo = photos.get_photo(session, actor=actor, story=story, photo_id=photo_id)
    try:
        photos.remove_photo(session, actor=actor, story=story, photo=photo, now=now)
    except DomainError as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _story_page(request, session, actor, story_id, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/stories/{story_id}#photos", status_code=303)
