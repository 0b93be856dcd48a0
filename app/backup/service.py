"""Backup and restore of the whole database as a portable file (``crisisdesk export`` / ``crisisdesk import``).

The file is JSON lines, gzip-compressed when its name ends in ``.gz``:

1. a header: ``{"format": "crisisdesk-backup", "version": 1, "alembic_revision": …, "created_at": …,
   "source_dialect": …, "tables": [names]}``;
2. for every table of ``SQLModel.metadata``, in foreign-key order (parents first): a line
   ``{"table": name, "columns": [names], "rows": n}`` and then ``n`` lines, one a row, each a JSON array of the
   values in the order of ``columns`` (see ``codec.py``: date-times in ISO 8601 UTC, JSON columns as their JSON text);
3. the attachments' bytes (format version 2): a line ``{"files": n}``, then for each stored object a line
   ``{"file": key, "sha256": …, "size": …, "chunks": c}`` and ``c`` lines, each a JSON string of base64 (768 KiB
   of the file each), so a large file never sits whole in memory; the import checks each file's size and SHA-256
   and writes it to the target's storage (``CRISISDESK_STORAGE_URL``) under the same key;
4. a trailer: ``{"end": true, "tables": k, "rows": total, "files": n}``, so that a truncated file is refused.

The export reads every table in one transaction (a consistent snapshot: ``REPEATABLE READ`` on PostgreSQL), in
batches, so memory stays flat. The import goes into an empty database migrated to the same Alembic revision, in one
transaction (all or nothing); it inserts the explicit ids, fills self-referencing foreign keys (a unit's parent)
after their table, and on PostgreSQL moves every id sequence past the largest id. Everything is generic over the
metadata: tables added later are included without a change here (unless marked derived: ``tables()``).
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, String, Table, Text, bindparam, cast, func, insert, select, text, type_coerce, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import JSON, TypeDecorator, TypeEngine
from sqlmodel import SQLModel

import app.all_models  # noqa: F401  (every table is in the metadata)
from app.backup.codec import decoder, encode
from app.backup.common import BackupError, Progress, line
from app.backup.files import FileReader, export_files
from app.db import writer
from app.files.storage import Storage
from app.workdays.rules import FIRST_YEAR, LAST_YEAR, in_calendar_years

FORMAT = "crisisdesk-backup"
VERSION = 2
READABLE_VERSIONS = frozenset({1, 2})  # version 1: the same without the files section
BATCH = 2000
__all__ = ["BackupError", "Progress", "Summary", "export_database", "import_database", "read_header", "SEEDED_TABLES"]

# Tables that the migrations themselves fill (the Sở's default internal targets, the announced calendar swaps):
# a freshly migrated database has rows there, so the import empties them and loads the file's rows instead.
# A test checks that this is exactly the set of tables a fresh migration fills.
SEEDED_TABLES: frozenset[str] = frozenset({"internal_target", "calendar_override"})


class _NoProgress:
    def table(self, name: str, rows: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


@dataclass
class Summary:
    revision: str
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def tables() -> list[Table]:
    """Every table but those derived from the others (``info={"derived": True}``: the reports' per-day aggregates,
    which the import's own inserts mark stale through their triggers)."""
    return [t for t in SQLModel.metadata.sorted_tables if not t.info.get("derived")]


# --- types on the wire ----------------------------------------------------------------------------------------


def _is_json(type_: TypeEngine[Any]) -> bool:
    return isinstance(type_, JSON)


def _transport_type(column: Column[Any]) -> TypeEngine[Any]:
    """The type values travel as: what is stored for a type stored as text (an enum's text, not the enum, so a
    value the code no longer knows still round-trips), JSON as its text (so that a JSON ``null`` and an SQL NULL
    stay apart), and otherwise the column's own type (aware UTC date-times for ``UTCDateTime``)."""
    type_ = column.type
    if _is_json(type_):
        return Text()
    if isinstance(type_, TypeDecorator) and isinstance(type_.impl_instance, String):
        impl: TypeEngine[Any] = type_.impl_instance
        return impl
    return type_


def _read_expr(column: Column[Any], dialect: str) -> ColumnElement[Any]:
    if _is_json(column.type) and dialect == "postgresql":
        return cast(column, Text)
    return type_coerce(column, _transport_type(column))


def _write_expr(column: Column[Any], param: str, connection: Connection) -> ColumnElement[Any]:
    bound = bindparam(param, type_=_transport_type(column))
    if _is_json(column.type) and connection.dialect.name == "postgresql":
        return cast(bound, column.type.dialect_impl(connection.dialect))
    return bound


def _revision(connection: Connection) -> str:
    return ",".join(sorted(MigrationContext.configure(connection).get_current_heads()))


# --- export -----------------------------------------------------------------------------------------------------


def _open_for_writing(path: Path, compress: bool | None) -> IO[str]:
    if compress if compress is not None else path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "wb", compresslevel=6), encoding="utf-8", newline="\n")
    return path.open("w", encoding="utf-8", newline="\n")


def export_database(
    engine: Engine,
    path: Path,
    *,
    now: datetime,
    compress: bool | None = None,
    progress: Progress | None = None,
    storage: Storage | None = None,
) -> Summary:
    """Write every table to ``path`` (gzip if ``compress``, or if the name ends in ``.gz``), and the bytes of
    every attachment from ``storage`` (required when there are attachments)."""
    progress = progress or _NoProgress()
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        revision = _revision(connection)
        if not revision:
            raise BackupError("The database has no schema (run `crisisdesk migrate`): there is nothing to export.")
        summary = Summary(revision=revision)
        all_tables = tables()
        with _open_for_writing(path, compress) as out:
            out.write(
                line(
                    {
                        "format": FORMAT,
                        "version": VERSION,
                        "alembic_revision": revision,
                        "created_at": encode(now),
                        "source_dialect": engine.dialect.name,
                        "tables": [t.name for t in all_tables],
                    }
                )
            )
            for table in all_tables:
                count = connection.execute(select(func.count()).select_from(table)).scalar_one()
                progress.table(table.name, count)
                out.write(line({"table": table.name, "columns": [c.name for c in table.columns], "rows": count}))
                written = 0
                for row in _stream(connection, table):
                    out.write(line([encode(v) for v in row]))
                    written += 1
                    if written % BATCH == 0:
                        progress.advance(BATCH)
                progress.advance(written % BATCH)
                if written != count:  # cannot happen in one snapshot; refuse a file that would not restore
                    raise BackupError(f"Table {table.name} changed during the export ({count} → {written} rows).")
                summary.tables[table.name] = written
            summary.files = export_files(connection, out, storage, progress)
            out.write(line({"end": True, "tables": len(all_tables), "rows": summary.rows, "files": summary.files}))
    return summary


def _stream(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    query = select(*(_read_expr(c, connection.dialect.name) for c in table.columns))
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(query.order_by(*order))
    for row in result:
        yield tuple(row)


# --- import -----------------------------------------------------------------------------------------------------


def _open_for_reading(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open("r", encoding="utf-8")


def _parse(line: str, number: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise BackupError(f"Line {number} is not valid JSON ({exc.msg}).") from None


def read_header(path: Path) -> dict[str, Any]:
    with _open_for_reading(path) as source:
        return _check_header(_parse(source.readline(), 1))


def _check_header(header: Any) -> dict[str, Any]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("This is not a CrisisDesk backup file (its first line has no crisisdesk-backup header).")
    if header.get("version") not in READABLE_VERSIONS:
        raise BackupError(f"Backup format version {header.get('version')} is not supported (expected {VERSION}).")
    return header


def _calendar_override_check(row: dict[str, Any]) -> str | None:
    day = row.get("day")
    day = date.fromisoformat(day) if isinstance(day, str) else day
    if isinstance(day, date) and not in_calendar_years(day):
        return f"the day {day.isoformat()} is outside the calendar's years {FIRST_YEAR}–{LAST_YEAR}."
    return None


# Rules the services enforce on input that a restored row must keep too (a file may have been edited by hand).
ROW_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {"calendar_override": _calendar_override_check}


@dataclass
class _TablePlan:
    table: Table
    columns: list[Column[Any]]
    decoders: list[Any]
    statement: Any
    params: list[str]
    deferred: list[int]  # positions of self-referencing foreign keys, filled after the table
    key: list[int]  # positions of the primary key


def _plan(connection: Connection, table: Table, names: list[str], order: dict[str, int]) -> _TablePlan:
    expected = [c.name for c in table.columns]
    if sorted(names) != sorted(expected):
        raise BackupError(
            f"Table {table.name}: the file's columns {names} differ from the database's {expected}; "
            "the file and the database are not at the same schema."
        )
    columns = [table.columns[name] for name in names]
    deferred = []
    for i, column in enumerate(columns):
        for fk in column.foreign_keys:
            target = fk.column.table.name
            if target == table.name or order.get(target, -1) > order[table.name]:
                if not column.nullable:
                    raise BackupError(f"{table.name}.{column.name} refers forward and cannot be filled later.")
                deferred.append(i)
    params = [f"p{i}" for i in range(len(columns))]
    statement = insert(table).values(
        {column: _write_expr(column, param, connection) for column, param in zip(columns, params, strict=True)}
    )
    key = [names.index(c.name) for c in table.primary_key.columns]
    if deferred and not key:
        raise BackupError(f"Table {table.name} refers to itself but has no primary key.")
    return _TablePlan(table, columns, [decoder(c.type) for c in columns], statement, params, deferred, key)


def import_database(
    engine: Engine, path: Path, *, progress: Progress | None = None, storage: Storage | None = None
) -> Summary:
    """Load a backup into an empty database migrated to the file's revision, in one transaction; the attachments'
    bytes go to ``storage`` (checked against their size and SHA-256 first). Bytes written before a failure are
    harmless: objects are named by their content and nothing refers to them."""
    try:
        return _import(engine, path, progress or _NoProgress(), storage)
    except DBAPIError as exc:
        raise BackupError(f"The database refused the data, so nothing was imported: {exc.orig}") from exc


def _import(engine: Engine, path: Path, progress: Progress, storage: Storage | None) -> Summary:
    metadata_tables = {t.name: t for t in tables()}
    order = {name: i for i, name in enumerate(metadata_tables)}
    with _open_for_reading(path) as source, writer(engine).begin() as connection:
        header = _check_header(_parse(source.readline(), 1))
        _check_target(connection, header, metadata_tables)
        summary = Summary(revision=str(header["alembic_revision"]))
        plan: _TablePlan | None = None
        remaining = 0
        batch: list[dict[str, Any]] = []
        fixups: list[tuple[_TablePlan, list[dict[str, Any]]]] = []
        pending_fix: list[dict[str, Any]] = []
        ended = False
        files: FileReader | None = None
        for number, raw in enumerate(source, start=2):
            if ended:
                raise BackupError(f"Line {number}: data after the end of the backup.")
            item = _parse(raw, number)
            if files is not None and files.wants(item):
                files.take(item, number)
                continue
            if isinstance(item, list):
                if plan is None or remaining <= 0:
                    raise BackupError(f"Line {number}: a row where none was announced.")
                if len(item) != len(plan.columns):
                    raise BackupError(f"Line {number}: {len(item)} values for {len(plan.columns)} columns.")
                values = {p: d(v) for p, d, v in zip(plan.params, plan.decoders, item, strict=True)}
                check = ROW_CHECKS.get(plan.table.name)
                problem = (
                    check({c.name: values[p] for c, p in zip(plan.columns, plan.params, strict=True)})
                    if check
                    else None
                )
                if problem:
                    raise BackupError(f"Line {number}: {plan.table.name}: {problem} Nothing was imported.")
                if plan.deferred:
                    fix = {f"k{i}": values[plan.params[i]] for i in plan.key}
                    fix.update({f"d{i}": values[plan.params[i]] for i in plan.deferred})
                    pending_fix.append(fix)
                    for i in plan.deferred:
                        values[plan.params[i]] = None
                batch.append(values)
                remaining -= 1
                if len(batch) >= BATCH:
                    connection.execute(plan.statement, batch)
                    progress.advance(len(batch))
                    batch = []
                continue
            if not isinstance(item, dict):
                raise BackupError(f"Line {number}: expected a table header, a row or the end.")
            if plan is not None:
                _finish_table(connection, plan, batch, remaining, progress)
                if pending_fix:
                    fixups.append((plan, pending_fix))
                batch, pending_fix = [], []
            plan = None
            if "files" in item and "end" not in item:
                if files is not None or not isinstance(item["files"], int) or item["files"] < 0:
                    raise BackupError(f"Line {number}: a second or malformed files section.")
                if item["files"] and storage is None:
                    raise BackupError("The file holds attachments: give the import a storage (CRISISDESK_STORAGE_URL).")
                files = FileReader(item["files"], storage, progress)
                continue
            if item.get("end") is True:
                ended = True
                if item.get("rows") != summary.rows:
                    raise BackupError(f"The file announces {item.get('rows')} rows but holds {summary.rows}.")
                summary.files = files.finish() if files is not None else 0
                if item.get("files", 0) != summary.files:
                    raise BackupError(f"The file announces {item.get('files')} files but holds {summary.files}.")
                continue
            name = item.get("table")
            if name not in metadata_tables or name in summary.tables:
                raise BackupError(f"Line {number}: unknown or repeated table {name!r}.")
            rows = item.get("rows")
            if not isinstance(rows, int) or rows < 0:
                raise BackupError(f"Line {number}: table {name} has no row count.")
            plan = _plan(connection, metadata_tables[name], list(item.get("columns") or []), order)
            remaining = rows
            summary.tables[name] = rows
            progress.table(name, rows)
        if not ended:
            raise BackupError("The file ends before its last line: it is truncated. Nothing was imported.")
        missing = set(metadata_tables) - set(summary.tables)
        if missing:
            raise BackupError(f"The file has no data for the tables {sorted(missing)}.")
        for fixed_plan, fixes in fixups:
            _apply_fixups(connection, fixed_plan, fixes)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, list(metadata_tables.values()))
    return summary


def _finish_table(
    connection: Connection, plan: _TablePlan, batch: list[dict[str, Any]], remaining: int, progress: Progress
) -> None:
    if remaining != 0:
        raise BackupError(f"Table {plan.table.name}: {remaining} announced rows are missing.")
    if batch:
        connection.execute(plan.statement, batch)
        progress.advance(len(batch))


def _apply_fixups(connection: Connection, plan: _TablePlan, fixes: list[dict[str, Any]]) -> None:
    table = plan.table
    key_columns = [plan.columns[i] for i in plan.key]
    statement = (
        update(table)
        .where(*(c == bindparam(f"k{i}", type_=_transport_type(c)) for i, c in zip(plan.key, key_columns, strict=True)))
        .values({plan.columns[i]: bindparam(f"d{i}", type_=_transport_type(plan.columns[i])) for i in plan.deferred})
    )
    needed = [f for f in fixes if any(f[f"d{i}"] is not None for i in plan.deferred)]
    for start in range(0, len(needed), BATCH):
        connection.execute(statement, needed[start : start + BATCH])


def _check_target(connection: Connection, header: dict[str, Any], metadata_tables: dict[str, Table]) -> None:
    revision = _revision(connection)
    if not revision:
        raise BackupError("The target database has no schema: run `crisisdesk migrate` first, then import.")
    wanted = str(header.get("alembic_revision"))
    if revision != wanted:
        raise BackupError(
            f"The file was made at schema revision {wanted}; this database is at {revision}. "
            f"Import into a database migrated to the same revision (`crisisdesk migrate {wanted}`), "
            "then run `crisisdesk migrate` to bring it up to date."
        )
    if set(header.get("tables") or []) != set(metadata_tables):
        raise BackupError("The file's tables differ from this version's tables: use the matching CrisisDesk version.")
    filled = [
        name
        for name, table in metadata_tables.items()
        if name not in SEEDED_TABLES and connection.execute(select(1).select_from(table).limit(1)).first() is not None
    ]
    if filled:
        raise BackupError(
            "The target database is not empty (rows in: " + ", ".join(filled) + "). "
            "Import only into a freshly migrated, empty database."
        )
    for name in reversed(list(metadata_tables)):  # children first
        if name in SEEDED_TABLES:
            connection.execute(metadata_tables[name].delete())


def _reset_sequences(connection: Connection, all_tables: list[Table]) -> None:
    """After explicit ids, make the next generated id follow the largest one (PostgreSQL serial/identity)."""
    preparer = connection.dialect.identifier_preparer
    for table in all_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        qualified = preparer.format_table(table)
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE((SELECT MAX({preparer.quote(column.name)}) FROM {qualified}), 0) + 1, false)"
            ),
            {"table": qualified, "column": column.name},
        )
