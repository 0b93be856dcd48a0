"""Read-your-writes with a read replica: the client that just wrote reads what it wrote.

A request that wrote (``app.web.deps.get_db``) leaves the primary's WAL position after its commit; this
middleware gives it to the client as a signed cookie (``crisisdesk_read_after``). On the client's next requests
the position is put in ``request.state`` (``READ_AFTER``), and every read that may go to the replica
(``app.web.deps.get_read_db``, the public edge's cache) goes to the primary instead while the replica has not
replayed it. The staff member who published a notice sees it on the public pages at once; an anonymous reader
sees it once the replica has it (at most ``CRISISDESK_DATABASE_READ_MAX_LAG_SECONDS`` behind).

The cookie lives for the lag bound plus one check interval (and a margin): past that, a replica that is used at
all holds the write anyway. Installed only with ``CRISISDESK_DATABASE_READ_URL`` (``app/main.py``).
"""

from __future__ import annotations

import math

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.replica.rules import read_after, sign_read_after

COOKIE = "crisisdesk_read_after"
# request.state keys: the WAL position this request's reads must see, and the primary's position after the
# request's own commit.
READ_AFTER = "read_after_lsn"
COMMITTED = "committed_lsn"
MARGIN_SECONDS = 2


def cookie_lifetime(max_lag_seconds: float, check_seconds: float) -> int:
    return math.ceil(max_lag_seconds + check_seconds) + MARGIN_SECONDS


class ReadYourWrites:
    """Reads the client's read-after cookie into ``scope["state"]``; sets it on the answer to a write."""

    def __init__(self, app: ASGIApp, *, secret: str, max_age: int, secure: bool) -> None:
        self.app = app
        self.secret = secret.encode()
        attributes = f"Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax"
        self.attributes = attributes + ("; Secure" if secure else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, object] = scope.setdefault("state", {})
        for key, value in scope["headers"]:
            if key == b"cookie" and COOKIE.encode() in value:
                position = read_after(self.secret, cookie_parser(value.decode("latin-1")).get(COOKIE))
                if position is not None:
                    state[READ_AFTER] = position
                break

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                committed = state.get(COMMITTED)
                if isinstance(committed, int):
                    mark = sign_read_after(self.secret, committed)
                    MutableHeaders(scope=message).append("Set-Cookie", f"{COOKIE}={mark}; {self.attributes}")
            await send(message)

        await self.app(scope, receive, send_marked)
