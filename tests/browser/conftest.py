"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server.

The server runs in a thread of the test process, on a free 127.0.0.1 port, over a database of its own (cloned from
the migrated template: a SQLite file, or a PostgreSQL database when TEST_DATABASE_URL is set). Its clock starts at
FIXED_NOW and ticks. Screenshots go to ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlmodel import Session

from app.cases import service as cases
from app.cases.workflow import Action
from app.db import make_engine
from app.main import create_app
from tests.conftest import FIXED_NOW, Databases, make_settings
from tests.factories import actor, appoint_spokesperson, make_case, standard_org

CHROMIUM = os.environ.get("CRISISDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass
class Site:
    base_url: str
    other_unit_case: str  # a case of Phòng Giáo dục Tiểu học, which "handler" (Trung học) may not see
    database_url: str = ""  # the server's database, for tests that set up data of their own


class TickingClock:
    """FIXED_NOW at start-up, then real time passing."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.origin)


@pytest.fixture(scope="session")
def site(databases: Databases, template_db: str) -> Iterator[Site]:
    url = databases.create(f"crisisdesk_browser_{os.getpid()}", template=template_db)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        standard_org(session, FIXED_NOW - timedelta(days=1))
        appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))  # approves as standing spokesperson
        other = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=3), title="Vụ việc của Tiểu học",
                          legal_trigger="major_event", severity="crisis")  # fmt: skip
        cases.transition_case(session, actor=actor(session, "office"), case=other, action=Action.ASSIGN,
                              lead_unit="GDTH", now=FIXED_NOW - timedelta(hours=2))  # fmt: skip
        session.commit()
        reference = other.reference

    app = create_app(make_settings(url, cookie_secure=False), engine=engine, clock=TickingClock(FIXED_NOW))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(os.environ.get("CRISISDESK_BROWSER_PORT", "0"))))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield Site(f"http://127.0.0.1:{port}", reference, url)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(or deselect these tests with -m 'not browser')")  # fmt: skip
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_page(chromium: Browser, site: Site) -> Page:
    """A fresh browser profile (no cookies) on a laptop-sized window, Vietnamese locale (dd/mm/yyyy inputs).
    Close it with ``page.context.close()``."""
    context = chromium.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                   timezone_id="Asia/Ho_Chi_Minh")  # fmt: skip
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(chromium: Browser, site: Site) -> Iterator[Page]:
    page = new_page(chromium, site)
    yield page
    page.context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
