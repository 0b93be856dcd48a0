"""`crisisdesk export` and `crisisdesk import` from the command line."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.org.models import User
from app.settings import get_settings
from tests.conftest import FIXED_NOW, Databases
from tests.factories import standard_org

pytestmark = pytest.mark.isolated_db


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., tuple[int, str]]]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def invoke(url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("CRISISDESK_ENVIRONMENT", "test")
        get_settings.cache_clear()
        result = CliRunner().invoke(cli, list(args))
        return result.exit_code, result.output

    yield invoke
    get_settings.cache_clear()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_export_then_import(run: Callable[..., tuple[int, str]], databases: Databases, template_db: str,
                            isolated_url: str, tmp_path: Path) -> None:  # fmt: skip
    engine = make_engine(isolated_url)
    with Session(engine) as session:
        standard_org(session, FIXED_NOW)
        session.commit()
    engine.dispose()
    backup = tmp_path / "sở.jsonl.gz"

    code, output = run(isolated_url, "export", str(backup))
    assert code == 0, output
    assert "Exported" in output and backup.read_bytes()[:2] == b"\x1f\x8b"
    code, output = run(isolated_url, "export", str(backup))
    assert code == 1 and "--force" in output

    target_url = databases.create(f"crisisdesk_iso_{uuid.uuid4().hex[:10]}", template=template_db)
    code, output = run(target_url, "import", str(backup))
    assert code == 0, output
    assert "Imported" in output
    target = make_engine(target_url)
    with target.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 8
    target.dispose()

    code, output = run(target_url, "import", str(backup))
    assert code == 1
    assert "not empty" in output


def test_a_truncated_backup_is_said_plainly(run: Callable[..., tuple[int, str]], databases: Databases,
                                            template_db: str, isolated_url: str, tmp_path: Path) -> None:  # fmt: skip
    engine = make_engine(isolated_url)
    with Session(engine) as session:
        standard_org(session, FIXED_NOW)
        session.commit()
    engine.dispose()
    backup = tmp_path / "full.jsonl.gz"
    assert run(isolated_url, "export", str(backup))[0] == 0
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(backup.read_bytes()[: len(backup.read_bytes()) // 2])
    target_url = databases.create(f"crisisdesk_iso_{uuid.uuid4().hex[:10]}", template=template_db)
    code, output = run(target_url, "import", str(cut))
    assert code == 1
    assert "damaged or truncated" in " ".join(output.split()) and "Aborted" not in output
    engine = make_engine(target_url)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(User)).scalar() == 0  # nothing half-imported
    engine.dispose()
