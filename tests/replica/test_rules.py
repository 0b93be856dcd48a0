"""The read replica's arithmetic (pure), the settings it needs, and the public cache's floor: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from app.notices.snapshot import PublicSnapshot
from app.replica.rules import Sample, lsn_text, read_after, recent, sign_read_after, staleness
from app.settings import Settings
from app.web.public.edge import RECHECK, PublicCache
from app.web.read_after import cookie_lifetime

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

SAMPLES = [Sample(100.0, 1000), Sample(101.0, 1500), Sample(102.0, 1900)]


class TestStaleness:
    def test_a_replica_that_replayed_the_newest_sample_is_not_behind(self) -> None:
        assert staleness(SAMPLES, 1900, now=102.5) == 0.0
        assert staleness(SAMPLES, 2500, now=102.5) == 0.0

    def test_behind_by_at_most_the_age_of_the_newest_sample_it_replayed(self) -> None:
        assert staleness(SAMPLES, 1500, now=102.5) == pytest.approx(1.5)
        assert staleness(SAMPLES, 1899, now=102.5) == pytest.approx(1.5)
        assert staleness(SAMPLES, 1000, now=102.5) == pytest.approx(2.5)

    def test_behind_every_sample_is_unknown(self) -> None:
        assert staleness(SAMPLES, 999, now=102.5) is None
        assert staleness([], 5000, now=1.0) is None

    def test_an_idle_primary_keeps_an_up_to_date_replica_at_zero(self) -> None:
        """The replay timestamp would say minutes; the positions say nothing is missing."""
        idle = [Sample(float(t), 4242) for t in range(100, 400)]
        assert staleness(idle, 4242, now=400.0) == 0.0

    def test_only_the_window_is_kept(self) -> None:
        assert recent(SAMPLES, now=102.0, window=1.5) == SAMPLES[1:]


class TestReadAfterMark:
    SECRET = b"s" * 32

    def test_round_trip(self) -> None:
        mark = sign_read_after(self.SECRET, 50331904)
        assert read_after(self.SECRET, mark) == 50331904

    @pytest.mark.parametrize("value", [None, "", "123", "abc.def", "12.34", "x" * 100, "-5.aaaaaaaaaaaaaaaaaaaaaa",
                                       "١٢٣." + "a" * 22])  # fmt: skip
    def test_malformed_marks_are_ignored(self, value: str | None) -> None:
        assert read_after(self.SECRET, value) is None

    def test_a_forged_or_altered_mark_is_ignored(self) -> None:
        mark = sign_read_after(self.SECRET, 1000)
        signature = mark.split(".")[1]
        assert read_after(self.SECRET, f"99999999999.{signature}") is None
        assert read_after(b"another secret", mark) is None

    def test_lsn_text_is_postgresql_notation(self) -> None:
        assert lsn_text(50331904) == "0/3000100"
        assert lsn_text((0x16 << 32) + 0xB374D848) == "16/B374D848"
        assert lsn_text(None) is None

    def test_the_cookie_outlives_the_bound_and_one_check(self) -> None:
        assert cookie_lifetime(5.0, 1.0) == 8
        assert cookie_lifetime(0.5, 0.2) == 3


class TestSettings:
    def test_sqlite_refuses_a_read_replica(self) -> None:
        with pytest.raises(ValidationError, match="CRISISDESK_DATABASE_READ_URL"):
            Settings(database_url="sqlite:///./var/x.db", database_read_url="postgresql://h/db")

    def test_the_replica_must_be_postgresql(self) -> None:
        with pytest.raises(ValidationError, match="postgresql://"):
            Settings(database_url="postgresql://h/db", database_read_url="sqlite:///./var/x.db")

    def test_unset_or_empty_is_no_replica(self) -> None:
        assert Settings(database_url="postgresql://h/db", database_read_url="").database_read_url is None
        settings = Settings(database_url="postgresql://h/db", database_read_url="postgres://r/db")
        assert settings.database_read_url == "postgres://r/db"
        assert settings.database_read_max_lag_seconds == 5.0


class TestPublicCacheFloor:
    """With a replica the cache remembers the WAL position its version was read at: the renders' floor."""

    NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)

    def test_the_floor_only_rises(self) -> None:
        cache = PublicCache(max_entries=10, check_interval=timedelta(seconds=1))
        cache.learn(PublicSnapshot(version=2, next_change_at=None), self.NOW, lsn=5000)  # read on the primary
        cache.learn(PublicSnapshot(version=1, next_change_at=None), self.NOW, lsn=4000)  # then on a replica behind
        assert cache.lsn == 5000
        assert cache.version == 1  # the version moved: the cache was emptied; renders still read from 5000 on

    def test_no_replica_no_floor(self) -> None:
        cache = PublicCache(max_entries=10, check_interval=timedelta(seconds=1))
        cache.learn(PublicSnapshot(version=3, next_change_at=None), self.NOW)
        assert cache.lsn is None

    def test_a_pushed_version_is_checked_for_until_a_read_shows_it(self) -> None:
        """Redis pushes version 4 while the replica still shows 3: the cache checks again within ``RECHECK``, not
        at its polling bound, until a check reads 4."""
        cache = PublicCache(max_entries=10, check_interval=timedelta(seconds=30))
        cache.learn(PublicSnapshot(version=3, next_change_at=None), self.NOW)
        cache.deadline = self.NOW + timedelta(seconds=30)  # as ``_refresh`` sets it before reading
        cache.expire(4)
        assert cache.stale(self.NOW)
        later = self.NOW + timedelta(seconds=1)
        cache.deadline = later + timedelta(seconds=30)
        cache.learn(PublicSnapshot(version=3, next_change_at=None), later, lsn=100)  # the replica, behind
        assert cache.deadline == later + RECHECK and cache.wanted == 4
        cache.deadline = later + timedelta(seconds=30)
        cache.learn(PublicSnapshot(version=4, next_change_at=None), later, lsn=200)
        assert cache.wanted is None and cache.deadline == later + timedelta(seconds=30) and cache.version == 4
