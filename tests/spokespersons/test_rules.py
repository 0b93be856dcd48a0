"""Who holds spokesperson authority for a case at a moment: one named row per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.spokespersons.rules import (
    Appointment,
    Authorisation,
    Authority,
    Capacity,
    CaseFacts,
    Person,
    Regime,
    authority,
    may_appoint,
    may_authorise,
    regime_of,
)
from app.spokespersons.service import regime_for

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
DIRECTOR, STANDING, DEPUTY, HANDLER = 1, 2, 3, 4
NEW_CASE = CaseFacts(10, Regime.DECREE_244_2026)
OTHER_CASE = CaseFacts(11, Regime.DECREE_244_2026)
OLD_CASE = CaseFacts(12, Regime.DECREE_09_2017)

APPOINTED = Appointment(1, STANDING, valid_from=NOW - 100 * H)
AUTHORISED = Authorisation(7, DEPUTY, NEW_CASE.id, valid_from=NOW - 10 * H, valid_until=NOW + 10 * H)
AUTHORISED_OLD = Authorisation(8, DEPUTY, OLD_CASE.id, valid_from=NOW - 10 * H, valid_until=NOW + 10 * H, deputy=True)

ROWS: list[tuple[str, int, bool, CaseFacts, list[Appointment], list[Authorisation], Authority | None]] = [
    ("the director, always", DIRECTOR, True, NEW_CASE, [], [], Authority(Capacity.DIRECTOR, Regime.DECREE_244_2026)),
    ("the director under decree 09", DIRECTOR, True, OLD_CASE, [], [],
     Authority(Capacity.DIRECTOR, Regime.DECREE_09_2017)),
    ("a standing spokesperson in force", STANDING, False, NEW_CASE, [APPOINTED], [],
     Authority(Capacity.STANDING, Regime.DECREE_244_2026, appointment_id=1)),
    ("no standing spokesperson capacity under decree 09", STANDING, False, OLD_CASE, [APPOINTED], [], None),
    ("an appointment not yet in force", STANDING, False, NEW_CASE,
     [Appointment(1, STANDING, valid_from=NOW + H)], [], None),
    ("an appointment past its end date", STANDING, False, NEW_CASE,
     [Appointment(1, STANDING, valid_from=NOW - 100 * H, valid_until=NOW)], [], None),
    ("an appointment replaced", STANDING, False, NEW_CASE,
     [Appointment(1, STANDING, valid_from=NOW - 100 * H, ended_at=NOW - H)], [], None),
    ("an appointment ending later", STANDING, False, NEW_CASE,
     [Appointment(1, STANDING, valid_from=NOW - 100 * H, ended_at=NOW + H)], [],
     Authority(Capacity.STANDING, Regime.DECREE_244_2026, appointment_id=1)),
    ("someone else's appointment", HANDLER, False, NEW_CASE, [APPOINTED], [], None),
    ("authorised for this case", DEPUTY, False, NEW_CASE, [], [AUTHORISED],
     Authority(Capacity.AUTHORISED, Regime.DECREE_244_2026, authorisation_id=7)),
    ("authorised for another case only", DEPUTY, False, OTHER_CASE, [], [AUTHORISED], None),
    ("authorised, after the end date", DEPUTY, False, NEW_CASE, [],
     [Authorisation(7, DEPUTY, NEW_CASE.id, valid_from=NOW - 10 * H, valid_until=NOW)], None),
    ("authorised, before it takes effect", DEPUTY, False, NEW_CASE, [],
     [Authorisation(7, DEPUTY, NEW_CASE.id, valid_from=NOW + H, valid_until=NOW + 10 * H)], None),
    ("authorised, revoked", DEPUTY, False, NEW_CASE, [],
     [Authorisation(7, DEPUTY, NEW_CASE.id, valid_from=NOW - 10 * H, valid_until=NOW + 10 * H,
                    revoked_at=NOW - H)], None),
    ("authorised, revoked later", DEPUTY, False, NEW_CASE, [],
     [Authorisation(7, DEPUTY, NEW_CASE.id, valid_from=NOW - 10 * H, valid_until=NOW + 10 * H,
                    revoked_at=NOW + H)],
     Authority(Capacity.AUTHORISED, Regime.DECREE_244_2026, authorisation_id=7)),
    ("authorised deputy under decree 09", DEPUTY, False, OLD_CASE, [], [AUTHORISED_OLD],
     Authority(Capacity.AUTHORISED, Regime.DECREE_09_2017, authorisation_id=8)),
    ("a non-deputy authorised under decree 09: nothing", HANDLER, False, OLD_CASE, [],
     [Authorisation(8, HANDLER, OLD_CASE.id, valid_from=NOW - 10 * H, valid_until=NOW + 10 * H)], None),
    ("standing and authorised: the stronger capacity", STANDING, False, NEW_CASE, [APPOINTED],
     [Authorisation(9, STANDING, NEW_CASE.id, valid_from=NOW - H, valid_until=NOW + H)],
     Authority(Capacity.STANDING, Regime.DECREE_244_2026, appointment_id=1)),
    ("standing, authorised for an old case: the authorisation", STANDING, False, OLD_CASE, [APPOINTED],
     [Authorisation(9, STANDING, OLD_CASE.id, valid_from=NOW - H, valid_until=NOW + H, deputy=True)],
     Authority(Capacity.AUTHORISED, Regime.DECREE_09_2017, authorisation_id=9)),
    ("a handler with nothing", HANDLER, False, NEW_CASE, [APPOINTED], [AUTHORISED], None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "user", "director", "case", "appointments", "grants", "expected"), ROWS,
                         ids=[r[0] for r in ROWS])  # fmt: skip
def test_authority(name: str, user: int, director: bool, case: CaseFacts, appointments: list[Appointment],
                   grants: list[Authorisation], expected: Authority | None) -> None:  # fmt: skip
    got = authority(person=Person(user, director), case=case, at=NOW, appointments=appointments,
                    authorisations=grants)  # fmt: skip
    assert got == expected


REGIME_ROWS = [
    ("the last minute of 30 June 2026, local time", datetime(2026, 6, 30, 16, 59, tzinfo=UTC), Regime.DECREE_09_2017),
    ("midnight of 1 July 2026, local time", datetime(2026, 6, 30, 17, 0, tzinfo=UTC), Regime.DECREE_244_2026),
    ("a case of 2020", datetime(2020, 5, 1, tzinfo=UTC), Regime.DECREE_09_2017),
    ("a case of 2027", datetime(2027, 1, 5, tzinfo=UTC), Regime.DECREE_244_2026),
    ("older than every pack", datetime(2016, 1, 5, tzinfo=UTC), Regime.DECREE_09_2017),
]


@pytest.mark.parametrize(("name", "received", "expected"), REGIME_ROWS, ids=[r[0] for r in REGIME_ROWS])
def test_the_regime_is_the_rule_pack_of_the_local_received_date(name: str, received: datetime,
                                                                 expected: Regime) -> None:  # fmt: skip
    assert regime_for(received) == expected


def test_regime_of_a_pack_code() -> None:
    assert regime_of("decree-244-2026") == Regime.DECREE_244_2026
    assert regime_of("decree-09-2017") == Regime.DECREE_09_2017
    assert regime_of(None) == Regime.DECREE_09_2017


def test_the_basis_is_cited_for_every_capacity_a_regime_knows() -> None:
    assert Authority(Capacity.STANDING, Regime.DECREE_244_2026).basis.startswith("Nghị định 244/2026/NĐ-CP, Điều 3")
    assert Authority(Capacity.AUTHORISED, Regime.DECREE_09_2017).basis.startswith("Nghị định 09/2017/NĐ-CP")


def test_only_the_director_appoints_and_authorises() -> None:
    assert may_authorise(Person(DIRECTOR, True)) and may_appoint(Person(DIRECTOR, True))
    for someone in (STANDING, DEPUTY, HANDLER):
        assert not may_authorise(Person(someone, False))
        assert not may_appoint(Person(someone, False))
