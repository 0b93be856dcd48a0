"""Notice numbers under concurrency: real commits on a database of its own, many threads publishing at once.

Every publication takes its number from the yearly counter of its type inside its own transaction; the numbers
must come out distinct and consecutive (1…n) per type and year, and a statement published twice at the same time
must give one notice.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, col, select

from app.db import SessionFactory, make_engine
from app.errors import Conflict, InvalidTransition
from app.notices import publication
from app.notices.models import Notice
from app.statements import queries as statement_queries
from app.statements import service
from app.statements.models import ApproveIn, Checklist, StatementCreate
from app.statements.rules import StatementKind
from tests.conftest import FIXED_NOW
from tests.factories import actor, appoint_spokesperson, case_in_progress, standard_org

TC_STATEMENTS = 50  # initial information on 5 cases → thông cáo
TB_STATEMENTS = 10  # responses on 10 cases (each drives its case) → thông báo
DOUBLES = 10  # the TB statements are also published a second time, concurrently


def _prepare(factory: SessionFactory) -> tuple[list[int], list[int]]:
    session = factory(write=True)
    with session:
        standard_org(session, FIXED_NOW)
        appoint_spokesperson(session, now=FIXED_NOW)
        office, head, spokesperson = (actor(session, u) for u in ("office", "head", "spokesperson"))
        ok = ApproveIn(checklist=Checklist(no_state_secret=True, no_private_data=True, no_pending_proceedings=True))
        tc: list[int] = []
        tb: list[int] = []
        cases_ = [case_in_progress(session, now=FIXED_NOW) for _ in range(5 + TB_STATEMENTS)]
        for i in range(TC_STATEMENTS + TB_STATEMENTS):
            kind = StatementKind.INITIAL_INFORMATION if i < TC_STATEMENTS else StatementKind.RESPONSE
            case = cases_[i % 5] if i < TC_STATEMENTS else cases_[5 + i - TC_STATEMENTS]
            data = StatementCreate(kind=kind, text=f"Nội dung số {i}.")
            statement = service.create_statement(session, actor=office, case=case, data=data, now=FIXED_NOW)
            service.submit(session, actor=head, statement=statement, case=case, note=None, now=FIXED_NOW)
            service.approve(session, actor=spokesperson, statement=statement, case=case, data=ok, now=FIXED_NOW)
            assert statement.id is not None
            (tc if i < TC_STATEMENTS else tb).append(statement.id)
        session.commit()
    return tc, tb


def _publish(factory: SessionFactory, statement_id: int, start: threading.Event) -> str:
    start.wait(10)
    session = factory(write=True)
    try:
        office = actor(session, "office")
        statement, case = statement_queries.get_statement(session, actor=office, statement_id=statement_id)
        notice = publication.publish(session, actor=office, statement=statement, case=case, at=None, now=FIXED_NOW,
                                 issuer="SGDĐT")  # fmt: skip
        number = notice.number
        session.commit()
        return number
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@pytest.mark.isolated_db
def test_concurrent_publications_get_consecutive_numbers(isolated_url: str) -> None:
    engine = make_engine(isolated_url, pool_size=16, max_overflow=4)
    factory = SessionFactory(engine)
    try:
        tc, tb = _prepare(factory)
        jobs = tc + tb + tb[:DOUBLES]
        start = threading.Event()
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(_publish, factory, sid, start) for sid in jobs]
            start.set()
            outcomes = []
            for future in futures:
                try:
                    outcomes.append(future.result(timeout=120))
                except (Conflict, InvalidTransition) as exc:
                    outcomes.append(type(exc).__name__)
        errors = Counter(o for o in outcomes if "/" not in o)
        assert sum(errors.values()) == DOUBLES, outcomes  # each statement published once, the twin refused
        numbers = [o for o in outcomes if "/" in o]
        assert len(numbers) == len(set(numbers)) == TC_STATEMENTS + TB_STATEMENTS

        with Session(engine) as session:
            rows = session.exec(select(Notice).order_by(col(Notice.notice_type), col(Notice.seq))).all()
            by_type: dict[str, list[int]] = {}
            for notice in rows:
                assert notice.year == 2026
                assert notice.number == f"{notice.seq}/{notice.notice_type.value}-SGDĐT"
                by_type.setdefault(notice.notice_type.value, []).append(notice.seq)
            assert by_type == {"TC": list(range(1, TC_STATEMENTS + 1)), "TB": list(range(1, TB_STATEMENTS + 1))}
            assert len({n.statement_id for n in rows}) == len(rows)
    finally:
        engine.dispose()
