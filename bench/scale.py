"""Benchmark: a million cases on PostgreSQL (issue 17, item 4) — the loader, then the staff lists, free-text
search, deep cursors, one case, the homes and the worker's due-clock sweep, measured through the HTTP API.

``load`` makes the database by running the migrations, loads the demo through the app's own services (units,
accounts of every role with the password ``demo``, 17 cases walked through every status with their events,
clocks, statements and notices), adds units up to 30, then copies those demo cases, set-based, into N cases
received over five years: each new case takes a demo case of the status it is given as its *template* and gets
the template's history (events, clocks, tags, supporting units, statements with their versions, approvals and
notices) shifted in time by the difference of the two receipt times, with its own number, unit, title, summary,
outlet, reporter and ``search_text`` folded as the app writes it. Every row is written by ``INSERT … SELECT`` over
``generate_series``; the secondary indexes are dropped for the load and rebuilt after it, then ``VACUUM ANALYZE``.

    .venv/bin/python bench/scale.py load                                   # 1,000,000 cases → crisisdesk_scale
    .venv/bin/python bench/scale.py load --cases 10000 --database crisisdesk_scale_10k
    .venv/bin/python bench/scale.py measure                                # p50/p95 through the API
    .venv/bin/python bench/scale.py measure --database crisisdesk_scale_10k --only sweep

The statuses follow the age of a case: of the last three days every status; of the last month mostly answered
or closed; older ones published or closed but for a few stale ones (in progress, on hold). Only the database
created by ``load`` is touched; ``crisisdesk_scale`` is not dropped again once ``/work/wt/_scale_ready`` names it
(unless ``--force``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from sqlalchemy import event, func, inspect, text  # noqa: E402
from sqlalchemy.engine import Connection, Engine, make_url  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.auth.service import DEMO_PASSWORD  # noqa: E402
from app.cases.models import Case, CaseTag  # noqa: E402
from app.cases.queries import CaseSort, _encode_cursor  # noqa: E402
from app.cases.service import _search_text  # noqa: E402
from app.cases.vocabulary import Topic  # noqa: E402
from app.cases.workflow import CaseStatus  # noqa: E402
from app.db import make_engine, normalize_url  # noqa: E402
from app.demo import AUTHORISATIONS, CRISIS_CASE, USERS, load_demo  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.notices.models import Notice  # noqa: E402
from app.notifications.service import process_reminders  # noqa: E402
from app.org.models import Unit, UnitKind  # noqa: E402
from app.reports import daily  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.text import fold  # noqa: E402
from app.web import cursors  # noqa: E402

console = Console()
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_DB = "crisisdesk_scale"
READY_FILE = Path("/work/wt/_scale_ready")
YEARS = 5
TZ = "Asia/Ho_Chi_Minh"

# Per 10,000 cases of each age: the status a case has now.
RECENT = {"new": 2500, "assigned": 2500, "in_progress": 3000, "on_hold": 500, "awaiting_approval": 500,
          "approved": 300, "published": 500, "closed": 200}  # fmt: skip
MONTH = {"new": 100, "assigned": 300, "in_progress": 1000, "on_hold": 300, "awaiting_approval": 100,
         "approved": 50, "published": 4000, "closed": 4150}  # fmt: skip
OLD = {"in_progress": 20, "on_hold": 10, "published": 3000, "closed": 6970}

# Tables whose secondary indexes are dropped during the load and rebuilt after it.
LOADED_TABLES = ("case", "case_event", "clock", "case_tag", "case_supporting_unit", "case_assignee", "statement",
                 "statement_version", "statement_approval", "statement_comment", "notice")  # fmt: skip

EXTRA_UNITS: list[tuple[str, str, str, UnitKind]] = [
    ("THPT-ND", "Trường THPT Nguyễn Du", "Nguyen Du High School", UnitKind.SCHOOL),
    ("THPT-GD", "Trường THPT Gia Định", "Gia Dinh High School", UnitKind.SCHOOL),
    ("THPT-TP", "Trường THPT Trần Phú", "Tran Phu High School", UnitKind.SCHOOL),
    ("THCS-LQD", "Trường THCS Lê Quý Đôn", "Le Quy Don Secondary School", UnitKind.SCHOOL),
    ("THCS-CVA", "Trường THCS Chu Văn An", "Chu Van An Secondary School", UnitKind.SCHOOL),
    ("TH-HV", "Trường Tiểu học Hùng Vương", "Hung Vuong Primary School", UnitKind.SCHOOL),
    ("MN-HS", "Trường Mầm non Hoa Sen", "Hoa Sen Preschool", UnitKind.SCHOOL),
    ("VHXH-THUDUC", "Phòng Văn hóa - Xã hội phường Thủ Đức", "Culture and Society Office, Thu Duc Ward",
     UnitKind.COMMUNE),
    ("VHXH-BINHCHANH", "Phòng Văn hóa - Xã hội xã Bình Chánh", "Culture and Society Office, Binh Chanh Commune",
     UnitKind.COMMUNE),
    ("VHXH-CANGIO", "Phòng Văn hóa - Xã hội xã Cần Giờ", "Culture and Society Office, Can Gio Commune",
     UnitKind.COMMUNE),
    ("VHXH-HOCMON", "Phòng Văn hóa - Xã hội xã Hóc Môn", "Culture and Society Office, Hoc Mon Commune",
     UnitKind.COMMUNE),
]  # fmt: skip

SUBJECTS = [
    "Phụ huynh phản ánh thu tiền học thêm trái quy định", "Học sinh bị bạo lực học đường",
    "Giáo viên bị tố ép học sinh học thêm", "Đề kiểm tra học kỳ có sai sót", "Bếp ăn bán trú không bảo đảm vệ sinh",
    "Phòng học xuống cấp, mái tôn bị dột", "Chậm chi trả phụ cấp cho giáo viên hợp đồng",
    "Tuyển sinh lớp 10 trái tuyến", "Thu quỹ phụ huynh đầu năm vượt mức", "Thiếu sách giáo khoa mới khi khai giảng",
    "Cổng dịch vụ công trực tuyến lỗi khi nộp hồ sơ", "Hiệu trưởng bị tố lạm dụng chức vụ",
    "Học sinh ngộ độc thực phẩm sau bữa trưa", "Xe đưa đón học sinh chở quá số người",
    "Điểm thi tốt nghiệp bất thường", "Trường tư thục đóng cửa đột ngột", "Cô giáo mầm non bị tố đánh trẻ",
    "Thiếu giáo viên tiếng Anh", "Clip học sinh đánh nhau lan truyền trên mạng xã hội",
    "Cây xanh trong sân trường bị đổ", "Học phí tăng cao so với năm trước", "Sổ liên lạc điện tử thu phí",
    "Nhà vệ sinh trường học xuống cấp", "Dạy thêm tại nhà không đăng ký", "Chấm phúc khảo chậm trễ",
    "Bằng tốt nghiệp ghi sai thông tin", "Hệ thống tuyển sinh đầu cấp quá tải", "Giáo viên bị nợ lương nhiều tháng",
    "Thiết bị dạy học mua sắm kém chất lượng", "Học sinh bỏ học tăng ở vùng khó khăn",
]  # fmt: skip
SCHOOL_KINDS = ["Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường THPT"]
SCHOOL_NAMES = ["Nguyễn Du", "Lê Lợi", "Trần Phú", "Hùng Vương", "Võ Thị Sáu", "Nguyễn Trãi", "Lý Thường Kiệt",
                "Quang Trung", "Chu Văn An", "Phan Đình Phùng"]  # fmt: skip
OUTLETS = [("Tuổi Trẻ", "tuoitre.vn"), ("Thanh Niên", "thanhnien.vn"), ("VnExpress", "vnexpress.net"),
           ("Dân Trí", "dantri.com.vn"), ("Người Lao Động", "nld.com.vn"), ("Lao Động", "laodong.vn"),
           ("Tiền Phong", "tienphong.vn"), ("Giáo dục và Thời đại", "giaoducthoidai.vn"),
           ("VietNamNet", "vietnamnet.vn"), ("Sài Gòn Giải Phóng", "sggp.org.vn"),
           ("Pháp Luật TP.HCM", "plo.vn"), ("VTV", "vtv.vn"), ("HTV", "htv.com.vn"), ("Znews", "znews.vn"),
           ("Báo Mới", "baomoi.com")]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
GIVEN = ["Minh Anh", "Thu Trang", "Quốc Bảo", "Hải Yến", "Đức Thịnh", "Ngọc Lan"]


def out(line: str) -> None:
    console.print(line, highlight=False, markup=False, soft_wrap=True)  # a table row stays one line


def database_url(server: str, database: str) -> str:
    return make_url(normalize_url(server)).set(database=database).render_as_string(hide_password=False)


# --- the loader ---------------------------------------------------------------------------------------------


def _recreate(server: str, database: str) -> None:
    admin = make_engine(normalize_url(server)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()


def _status_case(dist: dict[str, int]) -> str:
    assert sum(dist.values()) == 10000, dist
    parts, total = [], 0
    for status, share in dist.items():
        total += share
        parts.append(f"WHEN r_status < {total} THEN '{status}'")
    return "CASE " + " ".join(parts) + " END"


def _columns(conn: Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        text("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :t "
             "AND table_schema = 'public' ORDER BY ordinal_position"),
        {"t": table},
    ).all()  # fmt: skip
    return [(r[0], r[1]) for r in rows]


def _copy_sql(conn: Connection, table: str, source: str, overrides: dict[str, str], sources: str,
              where: str = "TRUE", shift: str = "shift") -> str:  # fmt: skip
    """``INSERT INTO table (…) SELECT …``: every column from the template row ``source``, timestamps shifted by
    ``p.shift`` (or the mapping's ``shift``), unless ``overrides`` says otherwise; ``id`` only if overridden."""
    names, exprs = [], []
    for name, kind in _columns(conn, table):
        if name in overrides:
            expr = overrides[name]
        elif name == "id":
            continue
        elif kind == "timestamp with time zone":
            expr = f"{source}.{name} + {shift}"
        else:
            expr = f"{source}.{name}"
        names.append(f'"{name}"')
        exprs.append(expr)
    return f'INSERT INTO "{table}" ({", ".join(names)}) SELECT {", ".join(exprs)} FROM {sources} WHERE {where}'


def _run(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> None:
    """Run each statement of ``sql`` (split at a ``;`` ending a line) with the parameters it names."""
    for statement in re.split(r";\s*\n", sql):
        if statement.strip():
            used = {k: v for k, v in (params or {}).items() if f":{k}" in statement}
            conn.execute(text(statement), used)


def _drop_indexes(conn: Connection) -> list[str]:
    rows = conn.execute(
        text("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
             "AND i.tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
             "WHERE c.conindid = (quote_ident(i.indexname))::regclass)"),
        {"tables": list(LOADED_TABLES)},
    ).all()  # fmt: skip
    for name, _definition in rows:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [r[1] for r in rows]


def _templates(session: Session) -> list[int]:
    """The demo cases that new cases copy: all but the crisis and the authorised one (their clocks and approvals
    belong to a crisis and an authorisation of their own), unless a status has no other."""
    cases = session.exec(select(Case)).all()
    special = {CRISIS_CASE, *AUTHORISATIONS}
    chosen: list[int] = []
    for status in CaseStatus:
        of_status = [c for c in cases if c.status == status]
        plain = [c for c in of_status if c.title not in special] or of_status
        if not plain:
            raise RuntimeError(f"the demo has no case in status {status}")
        chosen += [c.id for c in plain if c.id is not None]
    return chosen


def _vocabulary(conn: Connection) -> int:
    places = [f"{kind} {name}" for kind in SCHOOL_KINDS for name in SCHOOL_NAMES]
    rows = []
    for k in range(len(SUBJECTS) * len(places) * len(OUTLETS)):
        subject = SUBJECTS[k % len(SUBJECTS)]
        place = places[(k // len(SUBJECTS)) % len(places)]
        outlet, domain = OUTLETS[k // (len(SUBJECTS) * len(places))]
        title = f"{subject} tại {place}"
        summary = (f"Báo {outlet} phản ánh: {subject[0].lower()}{subject[1:]} tại {place}. Đề nghị Sở Giáo dục và "
                   "Đào tạo cho biết kết quả xác minh và hướng xử lý.")  # fmt: skip
        slug = fold(title).replace(",", "").replace(" ", "-")
        rows.append({"k": k, "title": title, "title_f": fold(title), "summary": summary, "summary_f": fold(summary),
                     "outlet": outlet, "outlet_f": fold(outlet), "domain": domain, "slug": slug})  # fmt: skip
    conn.execute(text("CREATE UNLOGGED TABLE scale_vocab (k int PRIMARY KEY, title text, title_f text, summary text, "
                      "summary_f text, outlet text, outlet_f text, domain text, slug text)"))  # fmt: skip
    conn.execute(text("INSERT INTO scale_vocab VALUES (:k, :title, :title_f, :summary, :summary_f, :outlet, "
                      ":outlet_f, :domain, :slug)"), rows)  # fmt: skip
    people = [f"{family} {given}" for family in FAMILY for given in GIVEN]
    conn.execute(text("CREATE UNLOGGED TABLE scale_person (k int PRIMARY KEY, name text, name_f text)"))
    conn.execute(text("INSERT INTO scale_person VALUES (:k, :name, :name_f)"),
                 [{"k": i, "name": p, "name_f": fold(p)} for i, p in enumerate(people)])  # fmt: skip
    return len(people)


@contextmanager
def _step(progress: Progress, label: str, total: int = 1) -> Iterator[Callable[[], None]]:
    task = progress.add_task(label, total=total)
    started = time.perf_counter()
    yield lambda: progress.advance(task)
    progress.update(task, completed=total, description=f"{label} ({time.perf_counter() - started:.0f} s)")


def load(args: argparse.Namespace) -> int:
    url = database_url(args.server, args.database)
    if READY_FILE.exists() and args.database in READY_FILE.read_text() and not args.force:
        console.print(f"[red]{READY_FILE} names {args.database}: others are measuring it. Use --force to reload "
                      "(and tell them).[/]")  # fmt: skip
        return 1
    started = time.perf_counter()
    n = args.cases
    now = datetime.now(UTC).replace(microsecond=0)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)  # fmt: skip
    with progress:
        with _step(progress, "database and migrations"):
            _recreate(args.server, args.database)
            upgrade(url, args.revision)
        engine = make_engine(url)
        settings = Settings(database_url=url, environment="development")
        with _step(progress, "demo (through the services) and 30 units"), Session(engine) as session:
            load_demo(session, settings=settings, now=now)
            for code, name, name_en, kind in EXTRA_UNITS:
                session.add(Unit(code=code, name=name, name_en=name_en, kind=kind, created_at=now))
            session.flush()
            templates = _templates(session)
            session.commit()
        with engine.connect() as conn:
            _bulk(conn, progress, n=n, now=now, templates=templates, issuer=settings.org_abbreviation)
        with _step(progress, "VACUUM ANALYZE"):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        _aggregates(engine, progress, now=now)
    elapsed = time.perf_counter() - started
    if args.copy:  # before anyone else connects: CREATE DATABASE … TEMPLATE needs the template unused
        engine.dispose()
        copied = time.perf_counter()
        admin = make_engine(normalize_url(args.server)).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{args.copy}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{args.copy}" TEMPLATE "{args.database}"'))
        admin.dispose()
        out(f"copied to {args.copy} in {time.perf_counter() - copied:.0f} s")
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in
                  ("case", "case_event", "clock", "statement", "notice", "unit", "user")}  # fmt: skip
        size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar_one()
    out(f"loaded in {elapsed:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f"; {size}")
    with Session(engine) as session:
        _verify(session)
    engine.dispose()
    if args.database == DEFAULT_DB or args.ready:
        _write_ready(url, n, now, elapsed)
    return 0


def _bulk(conn: Connection, progress: Progress, *, n: int, now: datetime, templates: list[int], issuer: str) -> None:
    chunks = max(1, min(20, n // 20000))
    conn.execute(text("SET session_replication_role = replica"))  # no FK triggers: every row is made consistent
    conn.execute(text("SET synchronous_commit = off"))
    conn.execute(text("SET maintenance_work_mem = '256MB'"))
    conn.execute(text("SET work_mem = '64MB'"))
    with _step(progress, "templates, vocabulary, plan of the cases"):
        indexes = _drop_indexes(conn)
        people = _vocabulary(conn)
        _run(
            conn,
            """
            CREATE UNLOGGED TABLE scale_template AS
            SELECT c.status::text AS status, (row_number() OVER (PARTITION BY c.status ORDER BY c.id) - 1)::int AS idx,
                   c.id AS case_id, c.received_at,
                   GREATEST(c.updated_at, c.received_at, (SELECT max(e.at) FROM case_event e WHERE e.case_id = c.id),
                            (SELECT max(s.updated_at) FROM statement s WHERE s.case_id = c.id),
                            (SELECT max(x.published_at) FROM notice x WHERE x.case_id = c.id))
                     - c.received_at AS history,
                   c.lead_unit_id IS NOT NULL AS has_unit,
                   EXISTS (SELECT 1 FROM case_assignee a WHERE a.case_id = c.id) AS has_assignee
            FROM "case" c WHERE c.id IN ({ids});
            CREATE UNLOGGED TABLE scale_t_event AS SELECT * FROM case_event WHERE case_id IN ({ids});
            CREATE UNLOGGED TABLE scale_t_clock AS SELECT * FROM clock WHERE case_id IN ({ids});
            CREATE UNLOGGED TABLE scale_template_count AS
              SELECT status, count(*)::int AS n FROM scale_template GROUP BY status;
            CREATE UNLOGGED TABLE scale_unit AS
              SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx, id, code FROM unit WHERE code <> 'VP';
            CREATE UNLOGGED TABLE scale_handler AS
              SELECT unit_id, min(user_id) AS user_id FROM role_assignment WHERE role = 'handler' GROUP BY unit_id;
            """.format(ids=", ".join(str(i) for i in templates)),
        )
        units = conn.execute(text("SELECT count(*) FROM scale_unit")).scalar_one()
        span = YEARS * 365.25 * 86400
        spacing = span / n
        base_id = conn.execute(text('SELECT coalesce(max(id), 0) FROM "case"')).scalar_one()
        start = f"TIMESTAMPTZ '{(now - timedelta(seconds=span)).isoformat()}'"
        now_sql = f"TIMESTAMPTZ '{now.isoformat()}'"
        _run(
            conn,
            f"""
            CREATE UNLOGGED TABLE scale_plan AS
            WITH g AS (
              SELECT g,
                {start} + make_interval(secs => (g - 1) * {spacing}::float8
                  + ((hashint8(g * 8 + 1) & 2147483647) % GREATEST({spacing}::float8::bigint, 1))) AS planned,
                (hashint8(g * 8 + 2) & 2147483647) % 10000 AS r_status,
                (hashint8(g * 8 + 3) & 2147483647) AS r_tpl,
                (hashint8(g * 8 + 4) & 2147483647) AS r_unit,
                (hashint8(g * 8 + 5) & 2147483647) AS r_vocab,
                (hashint8(g * 8 + 6) & 2147483647) AS r_person,
                (hashint8(g * 8 + 7) & 2147483647) AS r_topic
              FROM generate_series(1, {n}) AS g
            ), s AS (
              SELECT g.*, CASE WHEN planned > {now_sql} - interval '3 days' THEN {_status_case(RECENT)}
                               WHEN planned > {now_sql} - interval '30 days' THEN {_status_case(MONTH)}
                               ELSE {_status_case(OLD)} END AS status
              FROM g
            ), t AS (
              SELECT s.g, s.status, s.r_unit, s.r_vocab, s.r_person, s.r_topic, tp.case_id AS template_id,
                     tp.has_unit, tp.has_assignee,
                     LEAST(s.planned, {now_sql} - tp.history - interval '1 minute') AS received_at,
                     tp.received_at AS t_received
              FROM s JOIN scale_template_count c ON c.status = s.status
                     JOIN scale_template tp ON tp.status = s.status AND tp.idx = s.r_tpl % c.n
            ), y AS (
              SELECT t.*, received_at - t_received AS shift,
                     extract(year FROM received_at AT TIME ZONE '{TZ}')::int AS ref_year,
                     {base_id}::bigint + row_number() OVER (ORDER BY received_at, g) AS id,
                     row_number() OVER (PARTITION BY extract(year FROM received_at AT TIME ZONE '{TZ}')
                                        ORDER BY received_at, g) AS year_seq
              FROM t
            )
            SELECT y.id::int AS id, y.g, y.status, y.template_id, y.received_at, y.shift, y.ref_year,
                   (coalesce(sc.value, 0) + y.year_seq)::int AS ref_seq,
                   y.r_vocab % (SELECT count(*) FROM scale_vocab) AS k, y.r_person % {people} AS person,
                   y.r_topic % 8 AS topic_idx,
                   CASE WHEN y.has_unit THEN u.id END AS unit_id, CASE WHEN y.has_unit THEN u.code END AS unit_code,
                   CASE WHEN y.has_unit AND y.has_assignee THEN h.user_id END AS assignee_id
            FROM y JOIN scale_unit u ON u.idx = y.r_unit % {units}
                   LEFT JOIN scale_handler h ON h.unit_id = u.id
                   LEFT JOIN sequence_counter sc ON sc.scope = 'case' AND sc.year = y.ref_year;
            CREATE UNIQUE INDEX ON scale_plan (id);
            ANALYZE scale_plan;
            """,
        )
        conn.commit()

    def chunked(label: str, sql: str, params: dict[str, Any] | None = None) -> None:
        size = n // chunks + 1
        with _step(progress, label, chunks) as advance:
            for i in range(chunks):
                lo, hi = base_id + i * size, base_id + (i + 1) * size
                conn.execute(text(sql.replace("WHERE TRUE", f"WHERE p.id > {lo} AND p.id <= {hi}")),
                             {**(params or {})})  # fmt: skip
                conn.commit()
                advance()

    topic_expr = "(ARRAY[" + ", ".join(f"'{t.value}'" for t in Topic) + "])[p.topic_idx + 1]"
    reference = ("'VV-' || p.ref_year || '-' || CASE WHEN p.ref_seq < 100000 THEN lpad(p.ref_seq::text, 5, '0') "
                 "ELSE p.ref_seq::text END")  # fmt: skip
    url = "'https://' || v.domain || '/' || v.slug || '-' || p.g || '.html'"
    case_sql = _copy_sql(conn, "case", "t", {
        "id": "p.id", "reference": reference, "ref_year": "p.ref_year", "ref_seq": "p.ref_seq",
        "title": "v.title", "summary": "v.summary", "topic": topic_expr,
        "outlet": "CASE WHEN t.outlet IS NOT NULL THEN v.outlet END",
        "reporter_name": "CASE WHEN t.reporter_name IS NOT NULL THEN r.name END",
        "reporter_contact": "CASE WHEN t.reporter_contact IS NOT NULL THEN 'pv' || p.person || '@' || v.domain END",
        "source_url": f"CASE WHEN t.source_url IS NOT NULL THEN {url} END",
        "received_at": "p.received_at", "lead_unit_id": "p.unit_id",
        "search_text": f"lower({reference}) || ' ' || v.title_f || ' ' || v.summary_f"
                       " || CASE WHEN t.outlet IS NOT NULL THEN ' ' || v.outlet_f ELSE '' END"
                       " || CASE WHEN t.reporter_name IS NOT NULL THEN ' ' || r.name_f ELSE '' END"
                       f" || CASE WHEN t.source_url IS NOT NULL THEN ' ' || {url} ELSE '' END",
    }, 'scale_plan p JOIN "case" t ON t.id = p.template_id JOIN scale_vocab v ON v.k = p.k '
       "JOIN scale_person r ON r.k = p.person")  # fmt: skip
    chunked(f"cases ({n:,})", case_sql)
    event_sql = _copy_sql(conn, "case_event", "e", {
        "case_id": "p.id",
        "data": "CASE WHEN p.unit_code IS NOT NULL AND e.data ? 'lead_unit' "
                "THEN jsonb_set(e.data, '{lead_unit}', to_jsonb(p.unit_code)) ELSE e.data END",
    }, "scale_plan p JOIN scale_t_event e ON e.case_id = p.template_id")  # fmt: skip
    chunked("case events", event_sql)
    clock_sql = _copy_sql(conn, "clock", "c", {
        "case_id": "p.id",
        "next_reminder_at": "CASE WHEN c.due_at + shift < CAST(:now AS timestamptz) - interval '1 day' THEN NULL "
                            "ELSE c.next_reminder_at + shift END",
        "next_reminder_stage": "CASE WHEN c.due_at + shift < CAST(:now AS timestamptz) - interval '1 day' THEN NULL "
                               "ELSE c.next_reminder_stage END",
    }, "scale_plan p JOIN scale_t_clock c ON c.case_id = p.template_id", "TRUE AND c.task_id IS NULL")  # fmt: skip
    chunked("clocks", clock_sql, {"now": now})
    with _step(progress, "tags, supporting units, assignees"):
        # The receipt time is copied into case_supporting_unit from migration 6d2f8b4a1c93 on (--revision), into
        # case_tag and case_assignee from 7e3a9c5d2b14 on.
        copied = "received_at" in {c["name"] for c in inspect(conn).get_columns("case_supporting_unit")}
        linked = "received_at" in {c["name"] for c in inspect(conn).get_columns("case_tag")}
        conn.execute(text(f"INSERT INTO case_tag (case_id, tag{', received_at' * linked}) "
                          f"SELECT p.id, t.tag{', p.received_at' * linked} FROM scale_plan p "
                          "JOIN case_tag t ON t.case_id = p.template_id"))  # fmt: skip
        conn.execute(text(f"INSERT INTO case_supporting_unit (case_id, unit_id{', received_at' * copied}) "
                          f"SELECT p.id, s.unit_id{', p.received_at' * copied} "
                          "FROM scale_plan p "
                          "JOIN case_supporting_unit s ON s.case_id = p.template_id "
                          "WHERE s.unit_id IS DISTINCT FROM p.unit_id"))  # fmt: skip
        conn.execute(text(f"INSERT INTO case_assignee (case_id, user_id{', received_at' * linked}) "
                          f"SELECT id, assignee_id{', received_at' * linked} FROM scale_plan "
                          "WHERE assignee_id IS NOT NULL"))  # fmt: skip
        conn.commit()
    _statements(conn, progress, issuer=issuer)
    with _step(progress, "counters and sequences"):
        _run(conn, """
            INSERT INTO sequence_counter (scope, year, value)
              SELECT 'case', ref_year, max(ref_seq) FROM "case" GROUP BY ref_year
            ON CONFLICT (scope, year) DO UPDATE SET value = EXCLUDED.value;
            INSERT INTO sequence_counter (scope, year, value)
              SELECT 'notice-' || notice_type, year, max(seq) FROM notice GROUP BY notice_type, year
            ON CONFLICT (scope, year) DO UPDATE SET value = EXCLUDED.value;
        """)  # fmt: skip
        for table in LOADED_TABLES:
            if any(name == "id" for name, _ in _columns(conn, table)):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                  f'(SELECT coalesce(max(id), 1) FROM "{table}"))'))  # fmt: skip
        conn.commit()
    with _step(progress, f"rebuild {len(indexes)} indexes", len(indexes)) as advance:
        for definition in indexes:
            conn.execute(text(definition))
            conn.commit()
            advance()
    for table in ("scale_plan", "scale_vocab", "scale_person", "scale_template", "scale_template_count",
                  "scale_unit", "scale_handler", "scale_t_event", "scale_t_clock", "scale_sm", "scale_vm",
                  "scale_am", "scale_nm", "scale_notice_f"):  # fmt: skip
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    conn.execute(text("SET session_replication_role = DEFAULT"))
    conn.commit()


def _aggregates(engine: Engine, progress: Progress, *, now: datetime) -> None:
    """The reports' per-day aggregates, as the worker keeps them: the load wrote its rows with the triggers off
    (``session_replication_role = replica``), so no day was marked stale; mark every day of receipt and of
    publication, then refresh them all (the worker's "report aggregates" job, ``app.reports.daily.refresh``)."""
    with engine.begin() as conn:
        conn.execute(text(f"""
            INSERT INTO report_dirty (day)
            SELECT DISTINCT CAST((received_at AT TIME ZONE '{TZ}') AS DATE) FROM "case"
            UNION SELECT DISTINCT CAST((published_at AT TIME ZONE '{TZ}') AS DATE) FROM notice
            WHERE published_at IS NOT NULL"""))  # fmt: skip
        stale = conn.execute(text("SELECT count(DISTINCT day) FROM report_dirty")).scalar_one()
    batch = 100
    with _step(progress, f"per-day aggregates ({stale:,} days)", -(-stale // batch)) as advance:
        while True:
            with Session(engine) as session:
                done = daily.refresh(session, now=now, limit=batch)
                session.commit()
            advance()
            if done < batch:
                break


def _statements(conn: Connection, progress: Progress, *, issuer: str) -> None:
    """Statements (not corrections), their versions, approvals and comments, and the notices of the published
    ones, with ids reserved up front so that each row points to its copies."""
    with _step(progress, "statements, versions, approvals, notices"):
        _run(conn, """
            CREATE UNLOGGED TABLE scale_sm AS
            SELECT p.id AS case_id, p.shift, s.id AS old_id,
                   ((SELECT coalesce(max(id), 0) FROM statement)
                    + row_number() OVER (ORDER BY p.id, s.id))::int AS new_id
            FROM scale_plan p JOIN statement s ON s.case_id = p.template_id AND s.corrects_statement_id IS NULL;
            CREATE UNLOGGED TABLE scale_vm AS
            SELECT sm.case_id, sm.shift, sm.new_id AS new_sid, v.id AS old_id,
                   ((SELECT coalesce(max(id), 0) FROM statement_version)
                    + row_number() OVER (ORDER BY sm.new_id, v.id))::int AS new_id
            FROM scale_sm sm JOIN statement_version v ON v.statement_id = sm.old_id;
            CREATE UNLOGGED TABLE scale_am AS
            SELECT sm.case_id, sm.shift, sm.new_id AS new_sid, a.id AS old_id, vm.new_id AS new_vid,
                   ((SELECT coalesce(max(id), 0) FROM statement_approval)
                    + row_number() OVER (ORDER BY sm.new_id, a.id))::int AS new_id
            FROM scale_sm sm JOIN statement_approval a ON a.statement_id = sm.old_id
                 JOIN scale_vm vm ON vm.case_id = sm.case_id AND vm.old_id = a.version_id;
            CREATE INDEX ON scale_vm (case_id, old_id);
            CREATE INDEX ON scale_am (case_id, old_id);
            ANALYZE scale_sm;
            ANALYZE scale_vm;
            ANALYZE scale_am;
        """)  # fmt: skip
        conn.execute(text(_copy_sql(conn, "statement", "s", {"id": "sm.new_id", "case_id": "sm.case_id"},
                                    "scale_sm sm JOIN statement s ON s.id = sm.old_id")))  # fmt: skip
        conn.execute(text(_copy_sql(conn, "statement_version", "v", {"id": "vm.new_id", "statement_id": "vm.new_sid"},
                                    "scale_vm vm JOIN statement_version v ON v.id = vm.old_id")))  # fmt: skip
        conn.execute(text(_copy_sql(conn, "statement_approval", "a", {
            "id": "am.new_id", "statement_id": "am.new_sid", "version_id": "am.new_vid", "authorisation_id": "NULL"},
            "scale_am am JOIN statement_approval a ON a.id = am.old_id")))  # fmt: skip
        comment_cols = {name for name, _ in _columns(conn, "statement_comment")}
        overrides = {"statement_id": "sm.new_id"}
        if "version_id" in comment_cols:
            overrides["version_id"] = "(SELECT vm.new_id FROM scale_vm vm WHERE vm.case_id = sm.case_id " \
                                      "AND vm.old_id = c.version_id)"  # fmt: skip
        conn.execute(text(_copy_sql(conn, "statement_comment", "c", overrides,
                                    "scale_sm sm JOIN statement_comment c ON c.statement_id = sm.old_id")))  # fmt: skip
        # The notices: numbered per year and type after the demo's, folded for search as issue_notice does.
        folded = [{"id": i, "title_f": fold(title), "text_f": fold(body)}
                  for i, title, body in conn.execute(text("SELECT id, title, text FROM notice")).all()]  # fmt: skip
        conn.execute(text("CREATE UNLOGGED TABLE scale_notice_f (id int PRIMARY KEY, title_f text, text_f text)"))
        if folded:
            conn.execute(text("INSERT INTO scale_notice_f VALUES (:id, :title_f, :text_f)"), folded)
        _run(conn, f"""
            CREATE UNLOGGED TABLE scale_nm AS
            WITH m AS (
              SELECT sm.case_id, sm.shift, n.id AS old_id, sm.new_id AS new_sid, vm.new_id AS new_vid,
                     am.new_id AS new_aid, n.notice_type,
                     extract(year FROM (n.published_at + sm.shift) AT TIME ZONE '{TZ}')::int AS year,
                     n.published_at + sm.shift AS published_at
              FROM scale_sm sm JOIN notice n ON n.statement_id = sm.old_id
                   JOIN scale_vm vm ON vm.case_id = sm.case_id AND vm.old_id = n.version_id
                   JOIN scale_am am ON am.case_id = sm.case_id AND am.old_id = n.approval_id
            )
            SELECT m.*, ((SELECT coalesce(max(id), 0) FROM notice)
                         + row_number() OVER (ORDER BY m.published_at, m.case_id, m.old_id))::int AS new_id,
                   (coalesce(sc.value, 0) + row_number() OVER (PARTITION BY m.year, m.notice_type
                                                              ORDER BY m.published_at, m.case_id, m.old_id))::int AS seq
            FROM m LEFT JOIN sequence_counter sc ON sc.scope = 'notice-' || m.notice_type AND sc.year = m.year;
        """)  # fmt: skip
        number = f"nm.seq || '/' || nm.notice_type || '-' || '{issuer}'"
        suffix = {"TC": fold(f"/TC-{issuer}"), "TB": fold(f"/TB-{issuer}")}
        number_f = f"nm.seq || CASE nm.notice_type WHEN 'TC' THEN '{suffix['TC']}' ELSE '{suffix['TB']}' END"
        conn.execute(text(_copy_sql(conn, "notice", "n", {
            "id": "nm.new_id", "statement_id": "nm.new_sid", "case_id": "nm.case_id", "version_id": "nm.new_vid",
            "approval_id": "nm.new_aid", "year": "nm.year", "seq": "nm.seq", "number": number,
            "slug": "nm.year || '-' || lower(nm.notice_type) || '-' || nm.seq",
            "case_reference": "c.reference", "topic": "c.topic", "outlet": "c.outlet", "source_url": "c.source_url",
            "source_published_at": "c.source_published_at", "corrects_id": "NULL", "authorisation_id": "NULL",
            "search_text": f"{number_f} || ' ' || f.title_f || ' ' || f.text_f"
                           " || CASE WHEN c.outlet IS NOT NULL THEN ' ' || v.outlet_f ELSE '' END"
                           " || ' ' || lower(c.reference)",
        }, 'scale_nm nm JOIN notice n ON n.id = nm.old_id JOIN "case" c ON c.id = nm.case_id '
           "JOIN scale_plan p ON p.id = nm.case_id JOIN scale_vocab v ON v.k = p.k "
           "JOIN scale_notice_f f ON f.id = nm.old_id", shift="nm.shift")))  # fmt: skip
        conn.commit()


def _verify(session: Session) -> None:
    """Spot checks: the copied cases' search text is what the app writes; notices likewise; numbers are unique."""
    ids = session.exec(select(Case.id).order_by(Case.id.desc()).limit(5000)).all()  # type: ignore[union-attr]
    sample = random.Random(17).sample(list(ids), min(300, len(ids)))
    for case in session.exec(select(Case).where(Case.id.in_(sample))).all():  # type: ignore[union-attr]
        assert case.search_text == _search_text(case), (case.reference, case.search_text, _search_text(case))
    notices = session.exec(select(Notice).order_by(Notice.id.desc()).limit(200)).all()  # type: ignore[union-attr]
    for notice in notices:
        expected = fold(" ".join(p for p in (notice.number, notice.title, notice.text, notice.outlet or "",
                                             notice.case_reference) if p))  # fmt: skip
        assert notice.search_text == expected, (notice.number, notice.search_text[:80], expected[:80])
    out(f"verified: search_text of {len(sample)} cases and {len(notices)} notices as the app writes it")


def _write_ready(url: str, n: int, now: datetime, elapsed: float) -> None:
    users = ", ".join(u[0] for u in USERS)
    READY_FILE.write_text(
        f"{url}\n"
        f"# {n:,} cases loaded by bench/scale.py (branch scale) at {now.isoformat()} in {elapsed:.0f} s, ANALYZEd.\n"
        f"# Run the app on it: CRISISDESK_DATABASE_URL={url} crisisdesk serve\n"
        f"# Accounts (password '{DEMO_PASSWORD}', development environment): {users}\n"
        "# (plus head.<unit> for the demo's other units). Roles: office/office2 press officer, handler* handler,\n"
        "# head* unit head, spokesperson, director, admin.\n"
        "# Do not write to it; it is not reloaded without a note here.\n"
    )
    out(f"wrote {READY_FILE}")


# --- measuring ----------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(int(round(len(times) * 0.95)) - 1, 0)]


def main() -> int:
    argv = sys.argv[1:]
    if not argv or argv[0] not in ("load", "measure", "-h", "--help"):
        argv = ["load", *argv]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load", help="create and load the database")
    p_load.add_argument("--cases", type=int, default=1_000_000)
    p_load.add_argument("--database", default=DEFAULT_DB)
    p_load.add_argument("--server", default=SERVER, help="a PostgreSQL URL of the server (any database)")
    p_load.add_argument("--force", action="store_true", help=f"reload even if {READY_FILE} names the database")
    p_load.add_argument("--ready", action="store_true", help=f"write {READY_FILE} for another database name too")
    p_load.add_argument("--revision", default="head", help="migrate to this revision (e.g. main's head) first")
    p_load.add_argument("--copy", default="", help="then copy the loaded database to this name (for one's own use)")
    p_measure = sub.add_parser("measure", help="p50/p95 through the HTTP API")
    p_measure.add_argument("--database", default=DEFAULT_DB)
    p_measure.add_argument("--server", default=SERVER)
    p_measure.add_argument("--runs", type=int, default=40)
    p_measure.add_argument("--port", type=int, default=8391)
    p_measure.add_argument(
        "--only", default="", help="comma-separated groups: lists, case, homes, export, sweep, explain"
    )
    p_measure.add_argument("--match", default="", help="only the requests whose label contains this")
    p_measure.add_argument("--explain-over", type=float, default=10.0, help="plan the slowest query above this (ms)")
    args = parser.parse_args(argv)
    if args.command == "load":
        return load(args)
    return measure(args)


class Capture:
    """The SQL statements run while ``on`` (by any engine of this process), with their time."""

    def __init__(self) -> None:
        self.on = False
        self.rows: list[tuple[str, Any, float]] = []
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Connection, _cursor: Any, _statement: str, _params: Any, _context: Any,
                _many: bool) -> None:  # fmt: skip
        conn.info["scale_t0"] = time.perf_counter()

    def _after(self, conn: Connection, _cursor: Any, statement: str, params: Any, _context: Any,
               _many: bool) -> None:  # fmt: skip
        if self.on:
            self.rows.append((statement, params, (time.perf_counter() - conn.info["scale_t0"]) * 1000))

    @contextmanager
    def __call__(self) -> Iterator[list[tuple[str, Any, float]]]:
        self.rows = []
        self.on = True
        try:
            yield self.rows
        finally:
            self.on = False


def _explain(engine: Engine, statement: str, params: Any) -> str:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
        conn.rollback()
    return "\n".join(r[0] for r in rows)


def _seal(raw: str, context: str, secret: str) -> str:
    return f"{raw}.{cursors._signature(secret, context, raw)}"


def _parameters(engine: Engine, secret: str) -> dict[str, str]:
    """Values the measured requests need, read from the loaded database."""
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Case)).one()
        # Ties on the receipt time broken by id, so that every tree (and plan) picks the same cases.
        old = session.exec(select(Case.reference).order_by(col(Case.received_at), col(Case.id)).offset(100)
                           .limit(1)).one()  # fmt: skip
        tag = session.exec(select(CaseTag.tag).group_by(col(CaseTag.tag)).order_by(func.count().desc())).first()
        deep = {}
        for sort in (CaseSort.RECEIVED_DESC, CaseSort.RECEIVED_ASC):
            order = (col(Case.received_at).desc(), col(Case.id).desc()) if sort.descending else (
                col(Case.received_at), col(Case.id))  # fmt: skip
            case = session.exec(select(Case).order_by(*order).offset(int(total * 0.9)).limit(1)).one()
            deep[sort.value] = _seal(_encode_cursor(case, sort), f"cases:{sort.value}", secret)
        recent = session.exec(select(Case.reference).where(Case.status == CaseStatus.IN_PROGRESS)
                              .order_by(col(Case.received_at).desc(), col(Case.id).desc()).limit(1)).one()  # fmt: skip
        published = session.exec(select(Case.reference).where(Case.status == CaseStatus.PUBLISHED)
                                 .order_by(col(Case.received_at), col(Case.id)).offset(1000)
                                 .limit(1)).one()  # fmt: skip
    three_years = datetime.now(UTC) - timedelta(days=3 * 365)
    return {"old": old, "tag": tag or "", "deep_desc": deep["-received_at"], "deep_asc": deep["received_at"],
            "recent": recent, "published": published,
            "from": three_years.strftime("%Y-%m-%dT00:00:00Z"),
            "to": (three_years + timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z")}  # fmt: skip


def _requests(v: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(group, label, user, path) of every measured request."""
    lists = [
        ("default (-received_at)", ""),
        ("status=in_progress", "status=in_progress"),
        ("status=new,assigned&sort=received_at", "status=new,assigned&sort=received_at"),
        ("unit=GDTrH", "unit=GDTrH"),
        ("severity=hot", "severity=hot"),
        ("topic=education_quality", "topic=education_quality"),
        ("source_kind=press_inquiry", "source_kind=press_inquiry"),
        ("received_from/to (a month, 3 years ago)", f"received_from={v['from']}&received_to={v['to']}"),
        ("assignee=handler", "assignee=handler"),
        ("assignee=head (a user with 3 cases)", "assignee=head"),
        (f"tag={v['tag']}", f"tag={quote(v['tag'])}"),
        ("overdue=true", "overdue=true"),
        ("due_within_hours=48", "due_within_hours=48"),
        ("sort=due", "sort=due"),
        ("sort=-updated_at", "sort=-updated_at"),
        ("sort=updated_at", "sort=updated_at"),
        ("q=bạo lực (common words)", "q=" + quote("bạo lực")),
        (f"q={v['old']} (an old reference)", f"q={v['old']}"),
        ("q=words that match nothing", "q=" + quote("ngựa vằn xyzzy")),
        ("deep cursor 90% down (-received_at)", f"cursor={v['deep_desc']}"),
        ("deep cursor 90% down (received_at)", f"sort=received_at&cursor={v['deep_asc']}"),
    ]
    result = [("lists", f"office: {label}", "office", f"/api/v1/cases?{query}") for label, query in lists]
    result += [("lists", "handler: default (unit-scoped)", "handler", "/api/v1/cases"),
            ("lists", "handler: q=bạo lực", "handler", "/api/v1/cases?q=" + quote("bạo lực")),
            ("lists", "office: HTML list /staff/cases", "office", "/staff/cases")]  # fmt: skip
    for ref in (v["recent"], v["published"]):
        result += [("case", f"case {ref}", "office", f"/api/v1/cases/{ref}"),
                ("case", f"case {ref} events", "office", f"/api/v1/cases/{ref}/events"),
                ("case", f"case {ref} clocks", "office", f"/api/v1/cases/{ref}/clocks"),
                ("case", f"case {ref} page (HTML)", "office", f"/staff/cases/{ref}")]  # fmt: skip
    for user in ("office", "handler", "head", "spokesperson", "director", "admin"):
        result.append(("homes", f"home of {user}", user, "/staff/"))
    result += [("export", "office: a unit's CSV export (unit=GDTrH, every status)", "office",
                "/api/v1/cases/export.csv?unit=GDTrH"),
               ("export", "handler: the CSV export of the cases the handler sees", "handler",
                "/api/v1/cases/export.csv")]  # fmt: skip
    return result


def _login(client: httpx.Client, user: str) -> None:
    token = client.post("/api/v1/auth/token", data={"username": user, "password": DEMO_PASSWORD})
    token.raise_for_status()
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    page = client.get("/staff/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text[:200]
    done = client.post("/staff/login", data={"username": user, "password": DEMO_PASSWORD,
                                             "csrf_token": csrf.group(1)}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text[:300]


@contextmanager
def _server(url: str, port: int) -> Iterator[str]:
    env = {**os.environ, "CRISISDESK_DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "development"}
    exe = str(Path(sys.executable).parent / "crisisdesk")
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _sweep(engine: Engine, capture: Capture, runs: int, plans: bool) -> None:
    """The worker's reminder pass: its batch query and the whole pass (100 clocks), rolled back each time."""
    now = datetime.now(UTC)
    with engine.connect() as conn:
        due = conn.execute(text("SELECT count(*) FROM clock WHERE next_reminder_at <= :now"), {"now": now}).scalar()
        cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar()
    out(f"sweep: {cases:,} cases, {due:,} clocks with a reminder due now")

    def one_pass() -> None:
        with Session(engine) as session:
            process_reminders(session, now=now, limit=100, base_url="http://bench", email_enabled=False)
            session.rollback()

    with capture() as rows:
        one_pass()
    batch = next(r for r in rows if "FROM clock" in r[0] and "FOR UPDATE" in r[0])

    def batch_query() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql(batch[0], batch[1]).all()
            conn.rollback()

    median, p95 = timed(batch_query, runs)
    out(f"| worker: batch query (100 due clocks, SKIP LOCKED) | {median:.1f} | {p95:.1f} |")
    median, p95 = timed(one_pass, max(5, runs // 4))
    out(f"| worker: one reminder pass of 100 clocks (rolled back) | {median:.0f} | {p95:.0f} |")
    if plans:
        out("```\n" + batch[0] + "\n" + _explain(engine, batch[0], batch[1]) + "\n```")


def measure(args: argparse.Namespace) -> int:
    url = database_url(args.server, args.database)
    engine = make_engine(url)
    settings = Settings(database_url=url, environment="development")
    groups = set(filter(None, args.only.split(","))) or {"lists", "case", "homes", "export", "sweep", "explain"}
    values = _parameters(engine, settings.secret_key.get_secret_value())
    requests = [r for r in _requests(values) if args.match in r[1]]
    load = os.getloadavg()
    out(f"database {args.database}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.runs} runs each")
    capture = Capture()
    if groups & {"lists", "case", "homes", "export"}:
        with _server(url, args.port) as base:
            clients: dict[str, httpx.Client] = {}
            out("| request | status | items | p50 ms | p95 ms |\n|---|---|---|---|---|")
            for group, label, user, path in requests:
                if group not in groups:
                    continue
                if user not in clients:
                    clients[user] = httpx.Client(base_url=base, timeout=60)
                    _login(clients[user], user)
                client = clients[user]
                first = client.get(path)
                kind = first.headers.get("content-type", "")
                items: Any = len(first.json().get("items", [])) if "json" in kind else "—"
                if "csv" in kind:
                    items = f"{first.text.count(chr(10)) - 1:,} rows, {len(first.content) / 1e6:.1f} MB"
                runs = min(args.runs, 5) if group == "export" else args.runs  # seconds each at a million cases
                median, p95 = timed(lambda c=client, p=path: c.get(p), runs)
                out(f"| {label} | {first.status_code} | {items} | {median:.1f} | {p95:.1f} |")
            for client in clients.values():
                client.close()
    if "sweep" in groups:
        _sweep(engine, capture, args.runs, "explain" in groups)
    if "explain" in groups:
        _explain_requests(engine, settings, capture, requests, args.explain_over)
    engine.dispose()
    return 0


def _explain_requests(engine: Engine, settings: Settings, capture: Capture,
                      requests: list[tuple[str, str, str, str]], over: float) -> None:  # fmt: skip
    """Each request once in-process: its number of queries, the slowest one and, when that one takes more than
    ``over`` ms, its plan (EXPLAIN (ANALYZE, BUFFERS) with the same parameters)."""
    app = create_app(settings)
    with TestClient(app) as client:
        logged: str | None = None
        for _group, label, user, path in requests:
            if user != logged:
                client.headers.pop("Authorization", None)
                client.cookies.clear()
                _login(client, user)
                logged = user
            client.get(path)
            with capture() as rows:
                t0 = time.perf_counter()
                client.get(path)
                total = (time.perf_counter() - t0) * 1000
            slowest = max(rows, key=lambda r: r[2]) if rows else None
            summary = f"{label}: {total:.1f} ms, {len(rows)} queries, {sum(r[2] for r in rows):.1f} ms in SQL"
            if slowest:
                summary += f", slowest {slowest[2]:.1f} ms"
            out(summary)
            if slowest and slowest[2] > over:
                out("```\n" + slowest[0] + "\n" + _explain(engine, slowest[0], slowest[1]) + "\n```")


if __name__ == "__main__":
    sys.exit(main())
