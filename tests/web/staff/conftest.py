from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import standard_org


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client that behaves like a browser on the HTTPS site (secure cookies are sent back)."""
    with TestClient(app, base_url="https://testserver") as c:
        yield c
