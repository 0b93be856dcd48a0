"""`crisisdesk monitor --once` on a real database (committed for real) against a feed served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.monitor.models import MonitorItem, MonitorSource, SourceKind, WatchTerm
from app.settings import get_settings
from tests.conftest import FIXED_NOW
from tests.monitor import feeds
from tests.monitor.feeds import LAM_THU_TEXT

pytestmark = pytest.mark.isolated_db


@pytest.fixture
def env(isolated_url: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"DATABASE_URL": isolated_url, "CRISISDESK_ENVIRONMENT": "development",
           "CRISISDESK_MONITOR_HOST_INTERVAL_SECONDS": "0", "CRISISDESK_LOG_LEVEL": "ERROR"}  # fmt: skip
    get_settings.cache_clear()


def test_monitor_once(env: dict[str, str], isolated_url: str) -> None:
    body = feeds.rss("Tuổi Trẻ", [("tt-1", "https://tuoitre.vn/a.htm", "Phụ huynh tố LẠM THU", LAM_THU_TEXT)])
    with feeds.serve({"/a.rss": feeds.static(body), "/b.rss": feeds.status(503)}) as server:
        engine = make_engine(isolated_url)
        with Session(engine) as s:
            for path in ("/a.rss", "/b.rss"):
                s.add(MonitorSource(name=path, url=server.url(path), kind=SourceKind.FEED, outlet="Tuổi Trẻ",
                                    created_at=FIXED_NOW, next_poll_at=FIXED_NOW))  # fmt: skip
            s.add(WatchTerm(term="lạm thu", folded="lam thu", created_at=FIXED_NOW))
            s.commit()
        result = CliRunner().invoke(cli, ["monitor", "--once"], env=env)
        assert result.exit_code == 0, result.output
        assert "2 sources polled, 1 with errors, 1 new items" in result.output
        assert "HTTP 503" in result.output
        with Session(engine) as s:
            item = s.exec(select(MonitorItem)).one()
            assert item.matched_terms == ["lạm thu"]
        result = CliRunner().invoke(cli, ["monitor", "--once", "--all"], env=env)  # again: nothing twice
        assert result.exit_code == 0 and "0 new items" in result.output
        with Session(engine) as s:
            assert s.exec(select(func.count()).select_from(MonitorItem)).one() == 1
        engine.dispose()
