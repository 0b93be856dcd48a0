"""Domain errors. Services raise these; the web layer turns them into JSON or HTML. No FastAPI here."""

from __future__ import annotations

from typing import Any, ClassVar

from app.i18n import Message


class DomainError(Exception):
    status_code: ClassVar[int] = 400

    def __init__(self, message: Message | str, **extra: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    status_code = 404


class NotAuthenticated(DomainError):
    status_code = 401


class PermissionDenied(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    status_code = 409


class Conflict(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 422


class RateLimited(DomainError):
    status_code = 429


class PayloadTooLarge(DomainError):
    status_code = 413


class UnsupportedMediaType(DomainError):
    status_code = 415
