"""A guard against blocking database work on the event loop, for every test of the suite.

Every statement any engine runs is checked: if the thread that runs it is running an asyncio event loop, an
``async def`` route, dependency or middleware touched the database synchronously (FastAPI runs plain ``def``
routes and dependencies in its threadpool, where no loop runs). Under load such a call stalls every request of the
process and deadlocks with the transactions waiting for the loop (issue 16). The conftest fails the test.
"""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

violations: list[str] = []
# A loop already running in the test's own thread when the test starts is not the app's: sync Playwright (the
# browser tests) runs one in the main thread of its pytest worker for the rest of the session. The app's async code
# runs on the TestClient's portal thread, whose loop is never this one.
ignored_loop: asyncio.AbstractEventLoop | None = None


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def on_event_loop() -> bool:
    loop = running_loop()
    return loop is not None and loop is not ignored_loop


def _check(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if on_event_loop():
        stack = "".join(traceback.format_stack(limit=25)[:-1])
        violations.append(f"{statement.splitlines()[0][:120]}\n{stack}")


def install() -> None:
    if not event.contains(Engine, "before_cursor_execute", _check):
        event.listen(Engine, "before_cursor_execute", _check)
