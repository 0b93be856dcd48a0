"""Backup and restore: a database built through the services survives export → import, across SQLite and
PostgreSQL (SQLite → SQLite when TEST_DATABASE_URL is not set), and imports are refused when they would not be
clean."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, null, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.attachments import service as attachments
from app.auth.models import TokenKind
from app.auth.service import issue_api_token, issue_token
from app.backup.service import SEEDED_TABLES, BackupError, export_database, import_database, read_header, tables
from app.cases import service as cases
from app.cases.models import Case, CaseEvent
from app.cases.workflow import Action, CloseReason
from app.db import make_engine
from app.files.storage import FileStorage, key_for
from app.migrate import upgrade
from app.org.models import User
from app.reports.models import ReportDirty
from app.stories import photos
from app.stories import service as stories
from app.stories.models import StoryCreate
from app.stories.workflow import StoryKind
from app.timeutil import local_date
from tests.attachments import samples
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case, make_unit, standard_org

pytestmark = pytest.mark.isolated_db


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head, once per test process, whatever database the run uses."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database (a copy of the template)."""
    path = tmp_path / "standalone.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def _engine(url: str, engines: list[Engine]) -> Engine:
    engine = make_engine(url)
    engines.append(engine)
    return engine


def populate(engine: Engine) -> None:
    """A small Sở with cases, histories, links, tokens, built through the services and committed."""
    with Session(engine, expire_on_commit=False) as session:
        standard_org(session, FIXED_NOW)
        # A unit whose parent has a larger id: the self-reference must be filled after the table.
        school = make_unit(session, "THCS-LL", name="Trường THCS Lê Lợi", now=FIXED_NOW)
        school.name_en = "Le Loi Lower Secondary School"
        commune = make_unit(session, "XA-BT", name="Phòng Văn hóa - Xã hội phường Bến Thành", now=FIXED_NOW)
        school.parent_id = commune.id
        session.add(school)
        office = actor(session, "office")
        first = make_case(session, by="office", now=FIXED_NOW, title="Bạo lực học đường: “clip” lan truyền",
                          severity="crisis", topic="ethics_school_safety", lead_unit="GDTrH",
                          supporting_units=["GDTH"], tags=["bạo lực", "thcs"], outlet="Báo Tuổi Trẻ",
                          occurred_at="2026-11-26T16:00:00+07:00", legal_trigger="major_event")  # fmt: skip
        second = make_case(session, by="office", now=FIXED_NOW, title="Học phí", related=[first.reference])
        cases.transition_case(session, actor=office, case=first, action=Action.ASSIGN, now=FIXED_NOW,
                              assignees=["handler"])  # fmt: skip
        handler = actor(session, "handler")
        cases.transition_case(session, actor=handler, case=first, action=Action.ACCEPT,
                              now=FIXED_NOW + timedelta(hours=1))  # fmt: skip
        cases.add_note(session, actor=handler, case=first, text="Đã liên hệ nhà trường.\nChờ báo cáo.",
                       now=FIXED_NOW + timedelta(hours=2))  # fmt: skip
        cases.transition_case(session, actor=office, case=second, action=Action.CLOSE, now=FIXED_NOW,
                              note="Trùng vụ việc", reason=CloseReason.DUPLICATE)  # fmt: skip
        user = session.scalars(select(User).where(col(User.username) == "handler")).one()
        issue_token(session, user=user, kind=TokenKind.ACCESS, now=FIXED_NOW, ttl=timedelta(hours=12))
        issue_api_token(session, actor=actor(session, "admin"), username="office", name="Cổng thông tin",
                        expires_at=None, now=FIXED_NOW)  # fmt: skip
        session.flush()
        # One event whose JSON is an SQL NULL rather than a JSON null: the two must stay apart.
        session.execute(update(CaseEvent).where(col(CaseEvent.kind) == "note").values(data=null()))
        session.commit()


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read through the model's types, in primary-key order."""
    result = {}
    with engine.connect() as conn:
        for table in tables():
            order = list(table.primary_key.columns) or list(table.columns)
            result[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return result


def sql_null_json(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(CaseEvent).where(CaseEvent.data.is_(None))  # type: ignore[union-attr]
        return conn.execute(query).scalar_one()


def round_trip(source: Engine, target: Engine, tmp_path: Path, name: str = "backup.jsonl") -> None:
    path = tmp_path / name
    exported = export_database(source, path, now=FIXED_NOW)
    imported = import_database(target, path)
    assert imported.tables == exported.tables
    before, after = snapshot(source), snapshot(target)
    assert set(before) == set(after)
    for table in before:
        assert after[table] == before[table], table
    assert sql_null_json(target) == sql_null_json(source) == 1
    # The reports' per-day aggregates are not in the file: the import's inserts marked every case's day stale.
    with target.connect() as conn:
        marked = set(conn.execute(select(ReportDirty.day)).scalars())  # type: ignore[call-overload]
        days = {local_date(t) for t in conn.execute(select(Case.received_at)).scalars()}  # type: ignore[call-overload]
    assert days and days <= marked


def assert_work_goes_on(engine: Engine) -> None:
    """After an import the ids, sequences and yearly counters continue where the source stopped."""
    with Session(engine, expire_on_commit=False) as session:
        max_case = session.scalars(select(func.max(Case.id))).one()
        assert max_case is not None
        case = make_case(session, by="office", now=FIXED_NOW, title="Vụ việc sau khi khôi phục")
        assert case.id == max_case + 1
        assert case.reference == "VV-2026-00003"
        unit = make_unit(session, "MOI", now=FIXED_NOW)
        assert unit.id is not None
        session.commit()


class TestRoundTrip:
    def test_sqlite_to_the_run_database(self, sqlite_url: str, isolated_url: str, engines: list[Engine],
                                        tmp_path: Path) -> None:  # fmt: skip
        source, target = _engine(sqlite_url, engines), _engine(isolated_url, engines)
        populate(source)
        round_trip(source, target, tmp_path)
        assert_work_goes_on(target)

    def test_the_run_database_to_sqlite(self, sqlite_url: str, isolated_url: str, engines: list[Engine],
                                        tmp_path: Path) -> None:  # fmt: skip
        source, target = _engine(isolated_url, engines), _engine(sqlite_url, engines)
        populate(source)
        round_trip(source, target, tmp_path, "backup.jsonl.gz")
        assert (tmp_path / "backup.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"
        assert_work_goes_on(target)

    def test_the_file(self, sqlite_url: str, engines: list[Engine], tmp_path: Path) -> None:
        source = _engine(sqlite_url, engines)
        populate(source)
        path = tmp_path / "b.jsonl"
        export_database(source, path, now=FIXED_NOW)
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        header = lines[0]
        assert header["format"] == "crisisdesk-backup" and header["version"] == 2
        assert header["alembic_revision"] and header["created_at"] == "2026-11-27T02:00:00Z"
        assert header["tables"] == [t.name for t in tables()]
        assert header["tables"].index("unit") < header["tables"].index("case") < header["tables"].index("case_event")
        assert lines[-2] == {"files": 0}
        assert lines[-1] == {
            "end": True,
            "tables": len(header["tables"]),
            "rows": len(lines) - 3 - len(header["tables"]),
            "files": 0,
        }
        case_table = next(i for i, line in enumerate(lines) if isinstance(line, dict) and line.get("table") == "case")
        columns = lines[case_table]["columns"]
        first_case = dict(zip(columns, lines[case_table + 1], strict=True))
        assert first_case["received_at"] == "2026-11-27T02:00:00Z"
        assert first_case["severity"] == "crisis"
        assert first_case["title"] == "Bạo lực học đường: “clip” lan truyền"
        assert read_header(path)["alembic_revision"] == header["alembic_revision"]


def test_seeded_tables_are_those_a_fresh_migration_fills(isolated_url: str, engines: list[Engine]) -> None:
    """Keeps SEEDED_TABLES honest when a migration starts (or stops) inserting rows."""
    filled = {name for name, rows in snapshot(_engine(isolated_url, engines)).items() if rows}
    assert filled == SEEDED_TABLES


@pytest.fixture(scope="module")
def backup(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of a populated database, made once: the refusal tests only read it (they alter copies)."""
    folder = tmp_path_factory.mktemp("refusals")
    shutil.copy(sqlite_template, folder / "source.db")
    source = make_engine(f"sqlite:///{folder / 'source.db'}")
    try:
        populate(source)
        path = folder / "b.jsonl"
        export_database(source, path, now=FIXED_NOW)
    finally:
        source.dispose()
    return path


class TestRefusals:
    def test_a_database_that_is_not_empty(self, backup: Path, isolated_url: str, engines: list[Engine]) -> None:
        target = _engine(isolated_url, engines)
        with Session(target) as session:
            make_unit(session, "CU", now=FIXED_NOW)
            session.commit()
        with pytest.raises(BackupError, match="not empty.*unit"):
            import_database(target, backup)
        assert [len(rows) for name, rows in snapshot(target).items() if name == "unit"] == [1]

    def test_twice(self, backup: Path, isolated_url: str, engines: list[Engine]) -> None:
        target = _engine(isolated_url, engines)
        import_database(target, backup)
        with pytest.raises(BackupError, match="not empty"):
            import_database(target, backup)

    def test_a_truncated_file_imports_nothing(self, backup: Path, isolated_url: str, engines: list[Engine],
                                              tmp_path: Path) -> None:  # fmt: skip
        lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
        cut = tmp_path / "cut.jsonl"
        cut.write_text("".join(lines[:-3]), encoding="utf-8")
        target = _engine(isolated_url, engines)
        before = snapshot(target)
        with pytest.raises(BackupError, match="missing|truncated"):
            import_database(target, cut)
        assert snapshot(target) == before  # the seeded rows are back too

    def test_another_schema_revision(self, backup: Path, isolated_url: str, engines: list[Engine],
                                     tmp_path: Path) -> None:  # fmt: skip
        lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
        header = json.loads(lines[0])
        header["alembic_revision"] = "0123456789ab"
        other = tmp_path / "other.jsonl.gz"
        with gzip.open(other, "wt", encoding="utf-8") as f:
            f.write(json.dumps(header) + "\n" + "".join(lines[1:]))
        with pytest.raises(BackupError, match="revision 0123456789ab"):
            import_database(_engine(isolated_url, engines), other)

    def test_an_unmigrated_database(self, backup: Path, tmp_path: Path, engines: list[Engine]) -> None:
        with pytest.raises(BackupError, match="no schema"):
            import_database(_engine(f"sqlite:///{tmp_path / 'blank.db'}", engines), backup)

    def test_not_a_backup(self, tmp_path: Path, isolated_url: str, engines: list[Engine]) -> None:
        path = tmp_path / "x.jsonl"
        path.write_text('{"hello": "world"}\n', encoding="utf-8")
        with pytest.raises(BackupError, match="not a CrisisDesk backup"):
            import_database(_engine(isolated_url, engines), path)

    @pytest.mark.parametrize("day", ["1900-01-01", "0001-01-01", "9999-12-31"])
    def test_a_calendar_day_outside_2000_2100(self, backup: Path, isolated_url: str, engines: list[Engine],
                                              tmp_path: Path, day: str) -> None:  # fmt: skip
        """The calendar keeps to the years 2000–2100 everywhere: API, form and import (issue 12 §4.12)."""
        lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if '"table":"calendar_override"' in line)
        header = json.loads(lines[at])
        values = {"id": 1, "day": day, "kind": "extra_off", "description": "Nghỉ bù", "created_at":
                  FIXED_NOW.isoformat(), "created_by_id": None}  # fmt: skip
        row = json.dumps([values[name] for name in header["columns"]], ensure_ascii=False)
        lines[at] = json.dumps({**header, "rows": header["rows"] + 1}, ensure_ascii=False) + "\n"
        lines.insert(at + 1, row + "\n")
        bad = tmp_path / "bad-day.jsonl"
        bad.write_text("".join(lines), encoding="utf-8")
        target = _engine(isolated_url, engines)
        before = snapshot(target)
        with pytest.raises(BackupError, match=f"calendar_override: the day {day} is outside the calendar's years"):
            import_database(target, bad)
        assert snapshot(target) == before

    @pytest.mark.parametrize(
        ("row", "message"),
        [("[1]", "values for"), ('[999999,"vu-viec","2026-11-27T02:00:00+00:00"]', "refused the data")],
    )
    def test_a_bad_row_rolls_everything_back(self, backup: Path, isolated_url: str, engines: list[Engine],
                                             tmp_path: Path, row: str, message: str) -> None:  # fmt: skip
        lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
        last_header = max(i for i, line in enumerate(lines) if '"table":"case_tag"' in line)
        assert json.loads(lines[last_header])["columns"] == ["case_id", "tag", "received_at"]
        lines[last_header + 1] = row + "\n"  # a tag of a case that does not exist, or a short row
        bad = tmp_path / "bad.jsonl"
        bad.write_text("".join(lines), encoding="utf-8")
        target = _engine(isolated_url, engines)
        before = snapshot(target)
        with pytest.raises(BackupError, match=message):
            import_database(target, bad)
        assert snapshot(target) == before


class TestAttachments:
    """The attachments' rows and bytes travel together: export reads the source's storage, import fills the
    target's, each file checked against its size and SHA-256."""

    def _attach(self, engine: Engine, storage: FileStorage, content: bytes, name: str) -> None:
        with Session(engine, expire_on_commit=False) as session:
            case = session.scalars(select(Case).order_by(col(Case.id))).first()
            assert case is not None
            attachments.upload(session, actor=actor(session, "office"), case=case, source=io.BytesIO(content),
                               filename=name, description=None, public=False, statement=None, storage=storage,
                               max_bytes=50 * 1024 * 1024, now=FIXED_NOW)  # fmt: skip
            session.commit()

    def test_rows_and_bytes_round_trip(self, sqlite_url: str, isolated_url: str, engines: list[Engine],
                                       tmp_path: Path) -> None:  # fmt: skip
        source, target = _engine(sqlite_url, engines), _engine(isolated_url, engines)
        populate(source)
        here, there = FileStorage(tmp_path / "here"), FileStorage(tmp_path / "there")
        big = b"%PDF-1.4\n" + bytes(range(256)) * 8000  # several chunks of the file's lines
        self._attach(source, here, big, "Công văn 12.pdf")
        self._attach(source, here, "Biên bản\n".encode(), "biên bản.txt")
        path = tmp_path / "with-files.jsonl.gz"
        exported = export_database(source, path, now=FIXED_NOW, storage=here)
        assert exported.files == 2
        imported = import_database(target, path, storage=there)
        assert imported.files == 2
        assert snapshot(target)["attachment"] == snapshot(source)["attachment"]
        key = key_for(hashlib.sha256(big).hexdigest())
        assert b"".join(there.open(key)) == big

    def test_a_storys_photos_round_trip(self, sqlite_url: str, isolated_url: str, engines: list[Engine],
                                        tmp_path: Path) -> None:  # fmt: skip
        source, target = _engine(sqlite_url, engines), _engine(isolated_url, engines)
        populate(source)
        here, there = FileStorage(tmp_path / "here"), FileStorage(tmp_path / "there")
        content = samples.png()
        with Session(source, expire_on_commit=False) as session:
            who = actor(session, "handler")
            data = StoryCreate(kind=StoryKind.NEWS, title="Ngày hội", body="Tin.")
            story = stories.create_story(session, actor=who, data=data, now=FIXED_NOW)
            photos.add_photo(session, actor=who, story=story, source=io.BytesIO(content), filename="Ảnh lễ.png",
                             description=None, storage=here, max_bytes=1024 * 1024, now=FIXED_NOW)  # fmt: skip
            session.commit()
        path = tmp_path / "with-photos.jsonl.gz"
        assert export_database(source, path, now=FIXED_NOW, storage=here).files == 1
        assert import_database(target, path, storage=there).files == 1
        assert snapshot(target)["attachment"] == snapshot(source)["attachment"]
        assert b"".join(there.open(key_for(hashlib.sha256(content).hexdigest()))) == content

    def test_an_export_without_the_bytes_is_refused(self, sqlite_url: str, engines: list[Engine],
                                                    tmp_path: Path) -> None:  # fmt: skip
        source = _engine(sqlite_url, engines)
        populate(source)
        self._attach(source, FileStorage(tmp_path / "here"), b"%PDF-1.4\n", "a.pdf")
        with pytest.raises(BackupError, match="has no object"):
            export_database(source, tmp_path / "b.jsonl", now=FIXED_NOW, storage=FileStorage(tmp_path / "empty"))

    def test_a_damaged_file_imports_nothing(self, sqlite_url: str, isolated_url: str, engines: list[Engine],
                                            tmp_path: Path) -> None:  # fmt: skip
        source, target = _engine(sqlite_url, engines), _engine(isolated_url, engines)
        populate(source)
        here = FileStorage(tmp_path / "here")
        self._attach(source, here, b"%PDF-1.4\n" + bytes(100), "a.pdf")
        path = tmp_path / "b.jsonl"
        export_database(source, path, now=FIXED_NOW, storage=here)
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[-2] = json.dumps(base64.b64encode(b"%PDF-1.4\n" + bytes(99) + b"!").decode())
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(BackupError, match="damaged"):
            import_database(target, path, storage=FileStorage(tmp_path / "there"))
        with target.connect() as conn:
            assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 0
