"""Helpers for driving the staff pages through TestClient like a browser: log in with the form, read the CSRF
token from a page, post forms, and check that English pages carry no Vietnamese outside user data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# Letters that only Vietnamese uses among the two languages (all tone marks and ă â đ ê ô ơ ư).
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u0300-\u0323\u1ea0-\u1ef9àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


def csrf_of(response: Response) -> str:
    match = CSRF_RE.search(response.text)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/staff/") -> Response:
    page = client.get("/staff/login", params={"next": next_url})
    assert page.status_code == 200
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page), "next": next_url},
        follow_redirects=False,
    )


def post_form(client: TestClient, page_url: str, action: str, data: Mapping[str, object]) -> Response:
    """Open ``page_url`` (for its CSRF token) and post ``data`` to ``action``, without following redirects."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(action, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


class _VisibleText(HTMLParser):
    """Text a reader sees (and labels a screen reader reads), leaving out elements marked translate="no"
    (user data: titles, names, notes) and scripts."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = values.get("translate") == "no" or tag in ("script", "style", "title")
        if not self._hidden() and not hidden:
            for name in ("placeholder", "aria-label", "title", "alt", "data-confirm", "label"):
                if values.get(name):
                    self.parts.append(str(values[name]))
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.parts.append(data.strip())


def untranslated(html: str) -> list[str]:
    """Pieces of interface text that still contain Vietnamese letters."""
    parser = _VisibleText()
    parser.feed(html)
    return [p for p in parser.parts if VIETNAMESE.search(p)]
