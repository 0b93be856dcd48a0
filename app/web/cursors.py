"""Opaque, tamper-proof paging cursors: ``<the service's cursor>.<HMAC>``.

The services encode where a page ended (a timestamp and an id); the web layer signs that with the app's secret
and the list it belongs to (``cases:-received_at``, ``notices``) before handing it out, and checks the signature
before a cursor reaches a service. A cursor edited by hand, made up, or taken from another list or order is
answered 400 naming the ``cursor`` parameter; it never reaches the database (where crafted values once made 500s:
a ``true`` for the id, a year-9999 timestamp).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request

from app.errors import BadRequest
from app.i18n import _
from app.settings import Settings

SIGNATURE_CHARS = 22  # 16 bytes of HMAC-SHA256, base64url


def _signature(secret: str, context: str, raw: str) -> str:
    message = b"crisisdesk-cursor\0" + context.encode() + b"\0" + raw.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _secret(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.secret_key.get_secret_value()


def seal(request: Request, raw: str | None, context: str) -> str | None:
    """The cursor to hand out for the service's ``raw`` cursor of the list ``context``."""
    if raw is None:
        return None
    return f"{raw}.{_signature(_secret(request), context, raw)}"


def unseal(request: Request, value: str | None, context: str, param: str = "cursor") -> str | None:
    """The service's cursor inside ``value``, or BadRequest (400) if it is not one we handed out for ``context``."""
    if not value:
        return None
    raw, dot, signature = value.rpartition(".")
    expected = _signature(_secret(request), context, raw) if dot and raw else ""
    if not expected or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise BadRequest(
            _("Tham số {param} không hợp lệ: hãy dùng đúng giá trị next_cursor của trang trước.", param=param),
            field=param,
        )
    return raw
