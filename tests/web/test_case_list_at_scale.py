"""The case list's query shapes that hold at a million cases (issue 17; bench/scale.py measures them): keyset
cursors compared as rows, free text through the trigram index on PostgreSQL, open cases by receipt from their
partial index, and the worker's reminder batch read in index order (only running clocks have a next reminder)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.permissions import Role
from app.cases.links import replace_assignees, replace_tags
from app.cases.models import OPEN_STATUS_SQL, Case, CaseAssignee, CaseSupportingUnit, CaseTag
from app.cases.queries import CaseFilters, CaseSort, filtered_cases, list_cases
from app.cases.workflow import OPEN_STATUSES, CaseStatus
from app.clocks.models import Clock as ClockRow
from app.clocks.models import ClockState
from app.org.models import Unit, User
from app.text import fold
from tests.conftest import FIXED_NOW, Clock
from tests.factories import actor, case_in_progress, make_case, make_unit, make_user, standard_org, token


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def _plan_of_last_statement(connection: Connection, run: Callable[[], object]) -> str:
    """The plan (``EXPLAIN``, with its parameters) of the last statement ``run()`` sends on ``connection``."""
    captured: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_args: object) -> None:
        captured.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    statement, parameters = captured[-1]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"EXPLAIN {statement}", parameters)
    return "\n".join(row[0] for row in cursor.fetchall())


def _pages(client: TestClient, headers: dict[str, str], **params: object) -> list[str]:
    page = client.get("/api/v1/cases", params={"limit": 2, **params}, headers=headers)
    assert page.status_code == 200, page.text
    seen = [c["reference"] for c in page.json()["items"]]
    while page.json()["next_cursor"]:
        page = client.get("/api/v1/cases", params={"limit": 2, **params, "cursor": page.json()["next_cursor"]},
                          headers=headers)  # fmt: skip
        assert page.status_code == 200, page.text
        seen += [c["reference"] for c in page.json()["items"]]
    return seen


class TestKeysetCursors:
    def test_every_order_pages_through_equal_values_once_each(self, client: TestClient, session: Session,
                                                              org: None) -> None:  # fmt: skip
        """Seven cases received (and updated) at the same instant, two others just before and after: every page
        of every order follows on from the last without repeating or skipping one (the tie is broken by id)."""
        made = [make_case(session, by="office", now=FIXED_NOW) for _ in range(7)]
        made.append(make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1)))
        made.append(make_case(session, by="office", now=FIXED_NOW + timedelta(hours=1)))
        session.flush()
        by_time = sorted(made, key=lambda c: (c.received_at, c.id))
        headers = token(client, "office")
        expected = {
            "-received_at": [c.reference for c in reversed(by_time)],
            "received_at": [c.reference for c in by_time],
            "-updated_at": [c.reference for c in sorted(made, key=lambda c: (c.updated_at, c.id), reverse=True)],
            "updated_at": [c.reference for c in sorted(made, key=lambda c: (c.updated_at, c.id))],
        }
        for sort, references in expected.items():
            assert _pages(client, headers, sort=sort) == references, sort

    def test_the_due_order_pages_through_equal_due_times_then_cases_without_a_clock(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        running = [case_in_progress(session, now=FIXED_NOW) for _ in range(3)]
        for case in running:  # the same due time on each, so that the tie is broken by id
            case.next_due_at = FIXED_NOW + timedelta(hours=24)
            session.add(case)
        idle = [make_case(session, by="office", now=FIXED_NOW) for _ in range(3)]
        for case in idle:
            case.next_due_at = None
            session.add(case)
        session.flush()
        headers = token(client, "office")
        expected = [c.reference for c in sorted(running, key=lambda c: c.id or 0)]
        expected += [c.reference for c in sorted(idle, key=lambda c: c.id or 0)]
        assert _pages(client, headers, sort="due") == expected

    def test_a_cursor_within_a_filter(self, client: TestClient, session: Session, org: None) -> None:
        """``status=new,assigned&sort=received_at`` (the open cases' partial index) pages like any other list."""
        fresh = [make_case(session, by="office", now=FIXED_NOW + timedelta(minutes=i)) for i in range(3)]
        case_in_progress(session, now=FIXED_NOW)
        headers = token(client, "office")
        seen = _pages(client, headers, status="new,assigned", sort="received_at")
        assert seen == [c.reference for c in fresh]


class TestFreeText:
    def test_words_in_any_order_without_diacritics_and_nothing_for_a_miss(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        hit = make_case(session, by="office", now=FIXED_NOW, title="Đề thi thử lớp 12 bị lộ ở Củ Chi")
        make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới")
        headers = token(client, "office")
        for q in ("lộ đề", "DE THI cu chi", hit.reference, hit.reference.lower()):
            items = client.get("/api/v1/cases", params={"q": q}, headers=headers).json()["items"]
            assert [c["reference"] for c in items] == [hit.reference], q
        for q in ("ngựa vằn", "100%_", "lộ đề xyz"):
            assert client.get("/api/v1/cases", params={"q": q}, headers=headers).json()["items"] == [], q

    def test_quotes_backslashes_and_wildcards_are_searched_as_text(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        """Quotes, backslashes and LIKE's wildcards in a search are text, for the press office and for a unit-scoped
        reader (whose search is merged from parts)."""
        hit = case_in_progress(session, now=FIXED_NOW, title="Phóng viên O'Brien hỏi: a\\b giảm 50% x_y")
        make_case(session, by="office", now=FIXED_NOW, title="Phóng viên OBrien hỏi: ab giảm 50 xy", lead_unit="GDTrH")
        for user in ("office", "handler"):
            headers = token(client, user)
            for q in ("o'brien", "a\\b", "50%", "x_y", "O'Brien 50% x_y"):
                items = client.get("/api/v1/cases", params={"q": q}, headers=headers).json()["items"]
                assert [c["reference"] for c in items] == [hit.reference], (user, q)
            for q in ("';--", "o''brien", "%'", "\\'"):
                response = client.get("/api/v1/cases", params={"q": q}, headers=headers)
                assert response.status_code == 200 and response.json()["items"] == [], (user, q)

    def test_on_postgresql_the_search_reads_the_trigram_index(self, session: Session, org: None) -> None:
        """The query the list runs for ``q`` is one the GIN trigram index serves (``LIKE '%…%'`` on the folded
        text); with so few rows the planner would rather scan, so the scan is switched off to see the index used."""
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("the trigram index exists on PostgreSQL only; SQLite scans the folded text")
        make_case(session, by="office", now=FIXED_NOW, title="Đề thi thử lớp 12 bị lộ")
        query = filtered_cases(session, actor=actor(session, "office"), filters=CaseFilters(q="đề thi lộ"))
        compiled = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")).all())
        assert "ix_case_search_text_trgm" in plan, plan


class TestReferenceAsText:
    """A term containing ``vv-`` (a reference) is read on PostgreSQL from the first word of the folded text and from
    the texts that quote a reference (``queries._text_contains``): the cases it finds are still exactly those whose
    folded text contains every word — the case itself, the cases quoting it in a title, summary or link, a longer
    text it starts — in the list's order, for the press office and for a unit-scoped reader."""

    def test_the_same_cases_as_the_text_containing_every_word(self, client: TestClient, session: Session,
                                                              org: None) -> None:  # fmt: skip
        own = make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới", lead_unit="GDTrH")
        ref = own.reference
        made = [own]
        quoting: list[dict[str, Any]] = [
            {"title": f"Phụ huynh hỏi lại vụ {ref}", "lead_unit": "GDTrH"},
            {"title": "Tiếp theo", "summary": f"Liên quan {ref.lower()} và VV-2020-00007"},
            {"title": "Bài báo", "source_url": f"https://bao.example/{ref.lower()}-hoc-phi", "lead_unit": "GDTH"},
            {"title": f"Trích x{ref}y giữa từ", "lead_unit": "GDTrH"},
            {"title": "Không liên quan: vv-", "summary": "năm 2026, số 00001"},
        ]  # fmt: skip
        for n, fields in enumerate(quoting):
            made.append(make_case(session, by="office", now=FIXED_NOW + timedelta(minutes=n % 2), **fields))
        made += [make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH") for _ in range(2)]
        session.flush()
        words = [ref, ref.lower(), ref[:-1], ref[3:], f"x{ref}", f"{ref}y", f"x{ref}y", "vv-", "-vv-", "vv-2020",
                 f"{ref} hỏi", f"học {ref[:8]}", f"{ref}0", "vv-%", "vv-_", "vv-\\", "VV-2026-0000_"]  # fmt: skip
        for username in ("office", "handler"):
            headers = token(client, username)
            reader = actor(session, username)
            mine = reader.unit_ids()
            visible = [c for c in made if reader.sees_all_cases or c.lead_unit_id in mine]
            for q in words:
                terms = fold(q).split(" ")
                expected = [c.reference for c in sorted(visible, key=lambda c: (c.received_at, c.id), reverse=True)
                            if all(t in c.search_text for t in terms)]  # fmt: skip
                assert _pages(client, headers, q=q) == expected, (username, q)
        assert _pages(client, token(client, "office"), q=ref) == [c.reference for c in sorted(
            made[:5], key=lambda c: (c.received_at, c.id), reverse=True)]  # fmt: skip

    def test_on_postgresql_a_reference_reads_its_own_two_indexes(self, session: Session, org: None) -> None:
        """Not the trigram index of every text: the first word's (the case's own reference) and the partial trigram
        index of the texts that quote a reference."""
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL's indexes; SQLite scans the folded text")
        case = make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới")
        query = filtered_cases(session, actor=actor(session, "office"), filters=CaseFilters(q=case.reference))
        compiled = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")).all())
        assert "ix_case_search_first_word" in plan and "ix_case_search_quotes_trgm" in plan, plan
        assert "ix_case_search_text_trgm" not in plan, plan


class TestUnitScopedSearch:
    """A unit-scoped reader's search reads its units' lead cases and the cases they only support as separate parts,
    merged (``scope.visibility_parts``): the same cases in the same order as the scope's ``OR``, page by page, in
    every order, for a reader of one unit and of two, a case led by one unit and supported by the other once."""

    def test_every_order_pages_through_the_same_cases_as_the_scope(self, session: Session, org: None) -> None:
        make_unit(session, "KHTC", now=FIXED_NOW)
        make_user(session, "both", (Role.HANDLER, "GDTrH"), (Role.HANDLER, "GDTH"), now=FIXED_NOW)
        units = {u.code: u.id for u in session.exec(select(Unit)).all()}
        made: list[Case] = []
        for n, (lead, supporting) in enumerate([("GDTrH", []), ("GDTH", []), ("KHTC", ["GDTrH"]), ("GDTrH", ["GDTH"]),
                                                ("KHTC", []), (None, ["GDTH"]), ("GDTH", ["KHTC"]), ("GDTrH", []),
                                                ("KHTC", ["GDTH", "GDTrH"])]):  # fmt: skip
            at = FIXED_NOW + timedelta(minutes=n % 3)  # ties on every order, broken by id
            case = make_case(session, by="office", now=at, title=f"Bạo lực học đường số {n}")
            case.lead_unit_id = units[lead] if lead else None
            case.next_due_at = None if n % 4 == 0 else FIXED_NOW + timedelta(hours=n % 2)
            session.add(case)
            session.add_all(
                CaseSupportingUnit(case_id=case.id or 0, unit_id=units[u] or 0, received_at=at) for u in supporting
            )
            made.append(case)
        make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới", lead_unit="GDTrH")
        session.flush()
        for username in ("handler", "both", "handler2"):
            reader = actor(session, username)
            mine = reader.unit_ids()
            visible = [c for c in made if c.lead_unit_id in mine or any(
                s.unit_id in mine for s in session.exec(select(CaseSupportingUnit).where(
                    CaseSupportingUnit.case_id == c.id)))]  # fmt: skip
            assert visible, username
            for sort in CaseSort:
                if sort == CaseSort.DUE:
                    expected = sorted(visible, key=lambda c: (c.next_due_at is None, c.next_due_at or FIXED_NOW, c.id))
                else:
                    expected = sorted(visible, key=lambda c: (getattr(c, sort.column_name), c.id),
                                      reverse=sort.descending)  # fmt: skip
                seen: list[str] = []
                cursor = None
                while True:
                    page, cursor = list_cases(session, actor=reader, filters=CaseFilters(
                        q="bạo lực", sort=sort, limit=2, cursor=cursor))  # fmt: skip
                    seen += [c.reference for c in page]
                    if cursor is None:
                        break
                assert seen == [c.reference for c in expected], (username, sort)

    def test_on_postgresql_the_lead_part_reads_the_text_from_its_index(
        self, session: Session, connection: Connection, org: None
    ) -> None:
        """The lead units' part of a unit's search walks ``ix_case_lead_unit_search`` and reads the folded text from
        it (an index-only scan): no table row per case it passes. Scans, sorts and bitmaps are switched off to see
        which index gives the list's order with so few rows (migration 8b4d2f6a1e37)."""
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL's plans")
        for n in range(3):
            make_case(session, by="office", now=FIXED_NOW + timedelta(minutes=n), lead_unit="GDTrH",
                      title=f"Bạo lực học đường số {n}")  # fmt: skip
        session.flush()
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            session.execute(text(f"SET LOCAL {setting} = off"))
        handler = actor(session, "handler")
        plan = _plan_of_last_statement(connection, lambda: list_cases(session, actor=handler, filters=CaseFilters(
            q="bạo lực")))  # fmt: skip
        assert "Index Only Scan Backward using ix_case_lead_unit_search" in plan, plan
        assert len(list_cases(session, actor=handler, filters=CaseFilters(q="bạo lực"))[0]) == 3


class TestUnitWorklist:
    """A unit's open cases nearest deadline first (a head's or a handler's home) are read as the scope's parts,
    merged: the same cases in the same order as the plain condition, page by page, with and without the reader's own
    unit as ``unit=`` (dropped then: the scope says it) and with another unit's (kept)."""

    STATUSES = [CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.ON_HOLD]

    def _cases(self, session: Session) -> list[Case]:
        make_unit(session, "KHTC", now=FIXED_NOW)
        make_user(session, "both", (Role.HANDLER, "GDTrH"), (Role.HANDLER, "GDTH"), now=FIXED_NOW)
        units = {u.code: u.id for u in session.exec(select(Unit)).all()}
        made: list[Case] = []
        for n, (lead, supporting, status) in enumerate([
                ("GDTrH", [], CaseStatus.IN_PROGRESS), ("GDTH", [], CaseStatus.ASSIGNED),
                ("KHTC", ["GDTrH"], CaseStatus.ON_HOLD), ("GDTrH", ["GDTH"], CaseStatus.NEW),
                ("KHTC", [], CaseStatus.IN_PROGRESS), (None, ["GDTH"], CaseStatus.ASSIGNED),
                ("GDTH", ["KHTC"], CaseStatus.CLOSED), ("GDTrH", [], CaseStatus.ASSIGNED),
                ("KHTC", ["GDTH", "GDTrH"], CaseStatus.IN_PROGRESS), ("GDTrH", [], CaseStatus.ON_HOLD),
                ("GDTrH", ["KHTC"], CaseStatus.IN_PROGRESS)]):  # fmt: skip
            at = FIXED_NOW + timedelta(minutes=n)
            case = make_case(session, by="office", now=at, title=f"Việc số {n}")
            case.lead_unit_id = units[lead] if lead else None
            case.status = status
            case.next_due_at = None if n % 4 == 0 else FIXED_NOW + timedelta(hours=n % 3)  # ties, broken by id
            session.add(case)
            session.add_all(
                CaseSupportingUnit(case_id=case.id or 0, unit_id=units[u] or 0, received_at=at) for u in supporting
            )
            made.append(case)
        session.flush()
        return made

    def test_every_reader_pages_through_the_same_cases_as_the_plain_condition(
        self, session: Session, org: None
    ) -> None:
        made = self._cases(session)
        units = {u.id: u.code for u in session.exec(select(Unit)).all()}
        readers = [
            ("handler", None),
            ("handler", "GDTrH"),
            ("handler", "GDTH"),
            ("both", None),
            ("both", "GDTH"),
            ("head", "GDTrH"),
            ("handler2", "GDTH"),
            ("office", "GDTrH"),
        ]
        for username, unit in readers:
            reader = actor(session, username)
            mine = reader.unit_ids()
            expected = []
            for case in made:
                supporters = {units[s.unit_id] for s in session.exec(
                    select(CaseSupportingUnit).where(CaseSupportingUnit.case_id == case.id))}  # fmt: skip
                lead = units.get(case.lead_unit_id) if case.lead_unit_id else None
                sees = reader.sees_all_cases or case.lead_unit_id in mine or any(
                    u in mine for u, code in units.items() if code in supporters)  # fmt: skip
                in_unit = unit is None or lead == unit or unit in supporters
                if sees and in_unit and case.status in self.STATUSES:
                    expected.append(case)
            expected.sort(key=lambda c: (c.next_due_at is None, c.next_due_at or FIXED_NOW, c.id))
            assert expected, (username, unit)
            seen: list[str] = []
            cursor = None
            while True:
                page, cursor = list_cases(session, actor=reader, filters=CaseFilters(
                    status=self.STATUSES, unit=unit, sort=CaseSort.DUE, limit=2, cursor=cursor))  # fmt: skip
                seen += [c.reference for c in page]
                if cursor is None:
                    break
            assert seen == [c.reference for c in expected], (username, unit)

    def test_on_postgresql_each_part_reads_the_open_cases_deadline_index_alone(
        self, session: Session, connection: Connection, org: None
    ) -> None:
        """Each part of a handler's worklist is an index-only walk of ``ix_case_open_next_due_at`` (it carries the
        lead unit and the status: migration 9c5e3a7b2d48). Scans, sorts and bitmaps are switched off to see which
        index gives the list's order with so few rows."""
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL's plans")
        self._cases(session)
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            session.execute(text(f"SET LOCAL {setting} = off"))
        handler = actor(session, "handler")
        plan = _plan_of_last_statement(connection, lambda: list_cases(session, actor=handler, filters=CaseFilters(
            status=self.STATUSES, unit="GDTrH", sort=CaseSort.DUE)))  # fmt: skip
        assert plan.count("Index Only Scan using ix_case_open_next_due_at") == 2, plan


class TestSupportingUnitsKeepTheReceiptTime:
    """``case_supporting_unit.received_at`` is the case's, whichever way a unit comes to support it (intake, an
    update, a task) and when the case's receipt time is corrected: a unit's search reads its supported cases in
    that order (``scope.supported_parts``)."""

    def test_every_row_holds_its_case_receipt_time(self, client: TestClient, session: Session, org: None) -> None:
        office = token(client, "office")
        first = make_case(session, by="office", now=FIXED_NOW - timedelta(days=2), title="Bạo lực học đường A",
                          lead_unit="GDTrH", supporting_units=["GDTH"])  # fmt: skip
        second = make_case(session, by="office", now=FIXED_NOW - timedelta(days=1), title="Bạo lực học đường B",
                           lead_unit="GDTrH")  # fmt: skip
        third = make_case(session, by="office", now=FIXED_NOW, title="Bạo lực học đường C", lead_unit="GDTrH",
                          supporting_units=["GDTH", "VP"])  # fmt: skip
        session.flush()
        self._check(session, rows=3)
        # The first case's receipt corrected to after the others': the handler of GDTH now sees it first.
        later = (FIXED_NOW + timedelta(minutes=1)).isoformat()
        response = client.patch(f"/api/v1/cases/{first.reference}", json={"received_at": later}, headers=office)
        assert response.status_code == 200, response.text
        self._check(session, rows=3)
        # Units and receipt time changed together; a task makes GDTH support the second case.
        response = client.patch(f"/api/v1/cases/{third.reference}", headers=office, json={
            "supporting_units": ["VP"], "received_at": (FIXED_NOW - timedelta(days=3)).isoformat()})  # fmt: skip
        assert response.status_code == 200, response.text
        response = client.post(f"/api/v1/cases/{second.reference}/tasks", headers=token(client, "spokesperson"),
                               json={"unit": "GDTH", "request": "Đề nghị cung cấp số liệu.",
                                     "due_at": "2026-11-27T17:00:00+07:00"})  # fmt: skip
        assert response.status_code == 201, response.text
        self._check(session, rows=3)
        for sort, expected in (("-received_at", [first, second]), ("received_at", [second, first])):
            assert _pages(client, token(client, "handler2"), q="bạo lực", sort=sort) == [
                c.reference for c in expected], sort  # fmt: skip

    @staticmethod
    def _check(session: Session, *, rows: int) -> None:
        session.expire_all()
        pairs = session.exec(select(CaseSupportingUnit.received_at, Case.received_at).join(
            Case, col(Case.id) == col(CaseSupportingUnit.case_id))).all()  # fmt: skip
        assert len(pairs) == rows and all(copied == own for copied, own in pairs), pairs


class TestListsFromTheirOwnRanges:
    """Several statuses, a tag and an assignee in order of receipt are each read from an index range of their own
    (``queries._by_status``; ``queries._by_link``: the tag's and the assignee's rows keep the case's receipt time):
    the same cases in the same order as the plain conditions, page by page, both ways, for the press office and for
    a unit's handler, with other filters beside them and ties on the receipt time broken by id."""

    def test_the_same_pages_as_the_plain_conditions(self, session: Session, org: None) -> None:
        statuses = [CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.CLOSED]
        handler = session.exec(select(User).where(User.username == "handler")).one()
        for n in range(16):
            case = make_case(session, by="office", now=FIXED_NOW + timedelta(minutes=n % 5),
                             lead_unit=["GDTrH", "GDTH", None][n % 3])  # fmt: skip
            case.status = statuses[n % 4]
            session.add(case)
            replace_tags(session, case, ["bạo-lực", "trường-a"] if n % 2 else ["học-phí"])
            if n % 3 != 1:
                replace_assignees(session, case, [handler])
        session.flush()
        open_three = [CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS]
        for username in ("office", "handler", "handler2"):
            reader = actor(session, username)
            for narrowing in ({"status": open_three}, {"tag": "bạo-lực"}, {"assignee": "handler"},
                              {"tag": "BẠO-LỰC", "status": open_three}, {"assignee": "handler", "tag": "trường-a"},
                              {"assignee": "handler", "unit": "GDTrH"}, {"assignee": "nobody"}, {"tag": "không-có"},
                              {"status": [CaseStatus.CLOSED, CaseStatus.NEW], "assignee": "handler"}):  # fmt: skip
                plain = session.exec(filtered_cases(session, actor=reader, filters=CaseFilters(**narrowing))).all()
                for sort in (CaseSort.RECEIVED_DESC, CaseSort.RECEIVED_ASC):
                    expected = sorted(plain, key=lambda c: (c.received_at, c.id), reverse=sort.descending)
                    seen: list[str] = []
                    cursor = None
                    while True:
                        page, cursor = list_cases(session, actor=reader, filters=CaseFilters(
                            **narrowing, sort=sort, limit=2, cursor=cursor))  # fmt: skip
                        seen += [c.reference for c in page]
                        if cursor is None:
                            break
                    assert seen == [c.reference for c in expected], (username, narrowing, sort)
                    if username == "office" and "nobody" not in str(narrowing) and "không" not in str(narrowing):
                        assert seen, narrowing  # the case set exercises every narrowing

    def test_on_postgresql_each_reads_its_own_index(self, session: Session, connection: Connection, org: None) -> None:
        """The plan of each list's page names its range's index. With so few rows the planner would rather scan and
        sort what it finds: scans and sorts are switched off to see which index gives it the list's order."""
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL's plans")
        handler = session.exec(select(User).where(User.username == "handler")).one()
        for n in range(3):
            case = make_case(session, by="office", now=FIXED_NOW + timedelta(minutes=n), lead_unit="GDTrH",
                             tags=["bạo-lực"])  # fmt: skip
            replace_assignees(session, case, [handler])
        session.flush()
        office = actor(session, "office")
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_sort = off"))
        both = [CaseStatus.NEW, CaseStatus.ASSIGNED]
        for narrowing, index in (({"tag": "bạo-lực"}, "ix_case_tag_tag_received"),
                                 ({"assignee": "handler"}, "ix_case_assignee_user_received"),
                                 ({"status": both}, "ix_case_status_received")):  # fmt: skip
            filters = CaseFilters(**narrowing)
            plan = _plan_of_last_statement(connection, lambda: list_cases(session, actor=office, filters=filters))  # noqa: B023 (run at once)
            assert index in plan, (narrowing, plan)

    def test_the_tags_and_assignees_rows_keep_the_receipt_time(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        office = token(client, "office")
        case = make_case(session, by="office", now=FIXED_NOW - timedelta(days=2), lead_unit="GDTrH")
        session.flush()
        response = client.patch(f"/api/v1/cases/{case.reference}", headers=office,
                                json={"tags": ["bạo-lực"], "assignees": ["handler"]})  # fmt: skip
        assert response.status_code == 200, response.text
        self._check(session, case, rows=2)
        later = (FIXED_NOW + timedelta(minutes=1)).isoformat()
        response = client.patch(f"/api/v1/cases/{case.reference}", json={"received_at": later}, headers=office)
        assert response.status_code == 200, response.text
        self._check(session, case, rows=2)
        response = client.patch(f"/api/v1/cases/{case.reference}", headers=office, json={
            "tags": ["học-phí", "trường-b"], "received_at": (FIXED_NOW - timedelta(days=3)).isoformat()})  # fmt: skip
        assert response.status_code == 200, response.text
        self._check(session, case, rows=3)

    @staticmethod
    def _check(session: Session, case: Case, *, rows: int) -> None:
        session.expire_all()
        tags = session.exec(select(CaseTag.received_at).where(CaseTag.case_id == case.id)).all()
        assignees = session.exec(select(CaseAssignee.received_at).where(CaseAssignee.case_id == case.id)).all()
        own = session.exec(select(Case.received_at).where(Case.id == case.id)).one()
        assert len(tags) + len(assignees) == rows and set(tags) | set(assignees) == {own}, (tags, assignees)


class TestReminderBatch:
    def test_only_running_clocks_have_a_next_reminder(self, client: TestClient, session: Session, org: None,
                                                      clock: Clock) -> None:  # fmt: skip
        """Hold, resume and close a case: whatever state its clocks reach, a next reminder is set only while a
        clock runs — the worker's batch reads ``next_reminder_at <= now`` alone."""
        case = case_in_progress(session, now=FIXED_NOW)
        headers = token(client, "handler")
        head = token(client, "head")
        office = token(client, "office")
        for action in ("hold", "resume", "hold"):
            clock.advance(hours=2)
            response = client.post(f"/api/v1/cases/{case.reference}/transitions",
                                   json={"action": action, "note": "Chờ kết luận thanh tra"}, headers=head)  # fmt: skip
            assert response.status_code == 200, response.text
            self._check(session)
        assert client.get(f"/api/v1/cases/{case.reference}", headers=headers).status_code == 200
        response = client.post(f"/api/v1/cases/{case.reference}/transitions",
                               json={"action": "close", "reason": "no_action", "note": "Không cần xử lý"},
                               headers=office)  # fmt: skip
        assert response.status_code == 200, response.text
        self._check(session)

    @staticmethod
    def _check(session: Session) -> None:
        session.expire_all()
        clocks = session.exec(select(ClockRow)).all()
        assert clocks
        for row in clocks:
            assert row.next_reminder_at is None or row.state == ClockState.RUNNING, (row.state, row.next_reminder_at)

    def test_the_database_refuses_a_reminder_on_a_stopped_clock(self, session: Session, org: None) -> None:
        case = case_in_progress(session, now=FIXED_NOW)
        row = session.exec(select(ClockRow).where(col(ClockRow.case_id) == case.id)).first()
        assert row is not None
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(
                text("UPDATE clock SET state = 'stopped', next_reminder_at = :at WHERE id = :id"),
                {"at": FIXED_NOW, "id": row.id},
            )


def test_the_open_partial_index_is_in_the_schema(session: Session) -> None:
    names = {row[0] for row in session.execute(text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'case'" if session.get_bind().dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case'")).all()}  # fmt: skip
    assert "ix_case_open_received_at" in names


def test_the_partial_index_names_the_open_statuses() -> None:
    """The index predicate is SQL written once in the model (and the migration); it must list the open statuses."""
    named = set(re.findall(r"'([a-z_]+)'", OPEN_STATUS_SQL))
    assert named == {s.value for s in OPEN_STATUSES}


@contextmanager
def _statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL statements run on the test's connection (the app's sessions join it), but the test's savepoints."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "SAVEPOINT" not in statement:
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _linked_case(client: TestClient, session: Session, related: list[str]) -> str:
    """A case with two supporting units, two assignees, two tags and the given related cases."""
    case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH", supporting_units=["VP", "GDTH"],
                     tags=["tuyen-sinh", "hoc-phi"], related=related)  # fmt: skip
    response = client.patch(f"/api/v1/cases/{case.reference}", json={"assignees": ["office", "handler"]},
                            headers=token(client, "office"))  # fmt: skip
    assert response.status_code == 200, response.text
    return case.reference


class TestOnePage:
    def test_a_page_reads_the_same_few_statements_whatever_its_length(
        self, client: TestClient, session: Session, connection: Connection, org: None
    ) -> None:
        """The cases of a page and everything their read models show (units, assignees, tags, related cases,
        creators) come in two statements, plus one for the caller (token, user and grants): never one per case or
        relation."""
        other = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTH").reference
        _linked_case(client, session, [other])
        headers = token(client, "office")
        with _statements(connection) as one:
            assert len(client.get("/api/v1/cases?limit=1", headers=headers).json()["items"]) == 1
        for _ in range(5):
            _linked_case(client, session, [other])
        with _statements(connection) as seven:
            assert len(client.get("/api/v1/cases?limit=7", headers=headers).json()["items"]) == 7
        assert len(one) == len(seven) == 3, seven
        with _statements(connection) as single:
            assert client.get(f"/api/v1/cases/{other}", headers=headers).status_code == 200
        assert len(single) == 3, single

    def test_every_link_in_its_order_and_only_the_related_cases_the_reader_sees(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        hidden = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTH").reference
        shown = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH").reference
        reference = _linked_case(client, session, [shown, hidden])
        for user, related in (("office", sorted([shown, hidden])), ("handler", [shown])):
            headers = token(client, user)
            page = client.get("/api/v1/cases", params={"q": reference}, headers=headers).json()["items"]
            one = client.get(f"/api/v1/cases/{reference}", headers=headers).json()
            assert page == [one]
            assert [u["code"] for u in one["supporting_units"]] == ["VP", "GDTH"]  # by unit id: as created
            assert one["lead_unit"] == {"code": "GDTrH", "name": "Phòng Giáo dục Trung học"}
            assert one["assignees"] == [{"username": "handler", "full_name": "Trần Minh Quân"},
                                        {"username": "office", "full_name": "Nguyễn Thị Thu Hà"}]  # fmt: skip
            assert one["tags"] == ["hoc-phi", "tuyen-sinh"]
            assert one["related"] == related, user
            assert one["created_by"] == "office"


class TestAssigneeFilter:
    def test_the_cases_of_an_assignee_page_by_page_and_none_for_an_unknown_name(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        mine = [make_case(session, by="office", now=FIXED_NOW + timedelta(minutes=i), lead_unit="GDTrH")
                for i in range(3)]  # fmt: skip
        make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        headers = token(client, "office")
        for case in mine:
            response = client.patch(f"/api/v1/cases/{case.reference}", json={"assignees": ["handler"]},
                                    headers=headers)  # fmt: skip
            assert response.status_code == 200, response.text
        assert _pages(client, headers, assignee="handler") == [c.reference for c in reversed(mine)]
        assert _pages(client, headers, assignee="nobody") == []
        assert _pages(client, headers, assignee="head") == []


def test_on_postgresql_every_statement_is_planned_for_its_own_values(session: Session) -> None:
    """Values stay bound parameters, and a statement prepared by psycopg (after five runs on a connection) is still
    planned for them, not with the generic plan's guesses (``app.db.make_engine``)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("plan_cache_mode is PostgreSQL's")
    assert session.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
