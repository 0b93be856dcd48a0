"""The ``Idempotency-Key`` header of creating POSTs (intake, inquiry, statement, publish): see app/idempotency.

A route takes ``StaffIdempotencyDep`` (keys are the caller's own) or ``PublicIdempotencyDep`` (anonymous API) and
ends with ``return idem.answer(201, read)``. A repeated key answers the stored response with
``Idempotent-Replayed: true`` before the route runs, so nothing is created twice.
"""

from __future__ import annotations

import json
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.permissions import Actor
from app.errors import ValidationFailed
from app.i18n import _
from app.idempotency import service
from app.idempotency.models import IdempotencyRecord
from app.web.deps import NowDep, SessionDep, get_actor

M = TypeVar("M", bound=BaseModel)

KEY_DESCRIPTION = (
    "Any unique string (a UUID) of at most 255 printable ASCII characters. Retrying with the same key and the same "
    "request (after a time-out) answers the first response again (`Idempotent-Replayed: true`) instead of creating "
    "a second object; the same key with a different request is refused (422). Keys are kept 24 hours."
)


class IdempotentReplay(Exception):  # noqa: N818 (not an error: the answer to give)
    def __init__(self, replay: service.Replay) -> None:
        super().__init__("replay")
        self.replay = replay


class Idempotency:
    """The request's key (if it sent one): ``answer`` stores the response beside the object it created."""

    def __init__(self, session: Session, row: IdempotencyRecord | None) -> None:
        self.session = session
        self.row = row

    def answer(self, status_code: int, model: M) -> M:
        if self.row is not None:
            body = json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
            service.record(self.session, self.row, status_code=status_code, body=body)
        return model


async def _request_print(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias=service.HEADER, description=KEY_DESCRIPTION)] = None,
) -> tuple[str, str] | None:
    """The key and the request's fingerprint (``async`` only to read the body: no database here)."""
    if idempotency_key is None:
        return None
    key = idempotency_key.strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ValidationFailed(_("Idempotency-Key phải có từ 1 đến 255 ký tự ASCII in được."), field=service.HEADER)
    body = await request.body()
    return key, service.fingerprint(request.method, request.url.path, body)


RequestPrint = Annotated[tuple[str, str] | None, Depends(_request_print)]


def _claim(
    request: Request, session: Session, principal: str, found: tuple[str, str] | None, now: NowDep
) -> Idempotency:
    if found is None:
        return Idempotency(session, None)
    key, print_ = found
    result = service.claim(session, principal=principal, key=key, method=request.method, path=request.url.path,
                           print_=print_, now=now)  # fmt: skip
    if isinstance(result, service.Replay):
        raise IdempotentReplay(result)
    return Idempotency(session, result)


def staff_idempotency(
    request: Request, session: SessionDep, now: NowDep, actor: Annotated[Actor, Depends(get_actor)], found: RequestPrint
) -> Idempotency:
    return _claim(request, session, f"user:{actor.user_id}", found, now)


def public_idempotency(request: Request, session: SessionDep, now: NowDep, found: RequestPrint) -> Idempotency:
    return _claim(request, session, "public", found, now)


StaffIdempotencyDep = Annotated[Idempotency, Depends(staff_idempotency)]
PublicIdempotencyDep = Annotated[Idempotency, Depends(public_idempotency)]
