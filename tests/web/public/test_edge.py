"""The public edge: ETag and 304, Cache-Control, the response cache and its bound, rate limits, CORS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.web.public.edge import etag_matches
from tests.conftest import FIXED_NOW, Clock
from tests.factories import case_in_progress, make_user
from tests.statements.helpers import Api
from tests.web.public.conftest import BOUND
from tests.web.staff.pages import login, untranslated

READS = ["/api/public/v1/notices", "/api/public/v1/notices.atom", "/api/public/v1/spokespersons", "/notices",
         "/spokespersons"]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True), ('W/"abc"', True), ('"x", W/"abc"', True), ('"x" , "abc" ', True), ("*", True),
        ('"abcd"', False), ('"ab"', False), ("abc", False), ("", False), ('W/"x"', False),
    ],
)  # fmt: skip
def test_if_none_match_uses_the_weak_comparison(header: str, matches: bool) -> None:
    assert etag_matches(header.encode(), b'"abc"') is matches


def test_etag_and_304_on_every_public_read(anon: TestClient, publish: Callable[..., dict[str, Any]]) -> None:
    notice = publish("Nội dung.")
    for path in [*READS, f"/api/public/v1/notices/{notice['slug']}", f"/notices/{notice['slug']}"]:
        first = anon.get(path)
        assert first.status_code == 200, path
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"')
        assert first.headers["cache-control"] == "public, max-age=10, stale-while-revalidate=10"
        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = anon.get(path, headers={"If-None-Match": header})
            assert again.status_code == 304, (path, header)
            assert again.content == b"" and again.headers["etag"] == etag
            assert again.headers["cache-control"] == first.headers["cache-control"]
        assert anon.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
        head = anon.head(path)
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
        assert head.headers["content-length"] == str(len(first.content))


def test_pages_are_vietnamese_unless_english_is_chosen_and_cached_per_language(anon: TestClient) -> None:
    browser_en = anon.get("/notices", headers={"Accept-Language": "en-US,en;q=0.9"})  # first: fills the cache
    vi = anon.get("/notices")
    en = anon.get("/notices", headers={"Cookie": "lang=en"})
    assert vi.headers["vary"] == "Cookie"
    assert "Thông cáo báo chí và thông báo của Sở" in vi.text and 'lang="vi"' in vi.text
    assert browser_en.headers["etag"] == vi.headers["etag"]  # an English browser still gets the Vietnamese page
    assert "Press notices" in en.text and 'lang="en"' in en.text
    assert en.headers["etag"] != vi.headers["etag"]
    assert untranslated(en.text) == []


def test_language_switch(anon: TestClient) -> None:
    switched = anon.get("/lang/en", params={"next": "/spokespersons"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/spokespersons"
    assert "lang=en" in switched.headers["set-cookie"]
    evil = anon.get("/lang/en", params={"next": "https://evil.example/"}, follow_redirects=False)
    assert evil.headers["location"] == "/notices"
    assert anon.get("/", follow_redirects=False).headers["location"] == "/notices"


def test_a_correction_changes_the_etag_within_the_bound(
    anon: TestClient, staff: Api, session: Session, clock: Clock
) -> None:
    ref = case_in_progress(session, now=FIXED_NOW).reference
    original = staff.published(ref, text="Kỳ thi diễn ra ngày 10/12.")
    paths = ("/api/public/v1/notices", f"/api/public/v1/notices/{original['slug']}", f"/notices/{original['slug']}",
             "/api/public/v1/notices.atom")  # fmt: skip
    before = {path: anon.get(path) for path in paths}
    correction = staff.published(ref, kind="correction", text="Đính chính: kỳ thi diễn ra ngày 12/12.",
                                 corrects=original["slug"])  # fmt: skip
    clock.advance(seconds=0.5)  # within the bound, a process may still answer what it had
    assert anon.get("/api/public/v1/notices").headers["etag"] == before["/api/public/v1/notices"].headers["etag"]
    clock.advance(**BOUND)  # past the bound, every answer is the new one
    for path, old in before.items():
        stale = anon.get(path, headers={"If-None-Match": old.headers["etag"]})
        assert stale.status_code == 200, path
        assert stale.headers["etag"] != old.headers["etag"]
        assert correction["number"] in stale.text
    corrected = anon.get(f"/api/public/v1/notices/{original['slug']}").json()
    assert [c["number"] for c in corrected["corrected_by"]] == [correction["number"]]


def test_a_registry_change_and_a_scheduled_appointment(
    anon: TestClient, staff: Api, session: Session, clock: Clock
) -> None:
    from tests.factories import appoint_spokesperson

    assert len(anon.get("/api/public/v1/spokespersons").json()["items"]) == 2
    make_user(session, "spokesperson2", now=FIXED_NOW, full_name="Hồ Thị Lan")
    from app.auth.permissions import Role
    from tests.factories import make_unit

    make_unit(session, "VP", now=FIXED_NOW)
    from app.org.models import GrantIn, UserUpdate
    from app.org.service import update_user
    from tests.factories import actor

    update_user(session, actor=actor(session, "admin"), username="spokesperson2",
                data=UserUpdate(roles=[GrantIn(role=Role.SPOKESPERSON, unit="VP")]), hasher=None, now=FIXED_NOW)  # type: ignore[arg-type]  # fmt: skip
    start = clock.now.replace(microsecond=0) + __import__("datetime").timedelta(hours=2)
    appoint_spokesperson(session, now=clock.now, username="spokesperson2", title="Phó Chánh Văn phòng",
                         valid_from=start)  # fmt: skip
    clock.advance(**BOUND)
    names = [p["name"] for p in anon.get("/api/public/v1/spokespersons").json()["items"]]
    assert names == ["Đặng Quốc Hưng", "Võ Thanh Bình"]  # scheduled: not yet
    clock.set(start)
    names = [p["name"] for p in anon.get("/api/public/v1/spokespersons").json()["items"]]
    assert names == ["Đặng Quốc Hưng", "Hồ Thị Lan"]  # at its moment, with no one acting


def test_the_cache_is_bounded(make_app: Callable[..., FastAPI], staff: Api) -> None:
    app = make_app(public_cache_entries=3)
    with TestClient(app) as reader:
        for i in range(10):
            assert reader.get("/api/public/v1/notices", params={"q": f"từ {i}"}).status_code == 200
        cache = app.state.public_cache
        assert len(cache.entries) == 3 and cache.misses == 10
        reader.get("/api/public/v1/notices", params={"q": "từ 9"})
        assert cache.hits == 1
        assert cache.size == sum(len(e.body) for e in cache.entries.values())


def test_the_cache_is_bounded_in_bytes(make_app: Callable[..., FastAPI], publish: Callable[..., Any]) -> None:
    for i in range(3):
        publish("Một đoạn văn bản khá dài. " * 200 + str(i))
    app = make_app()
    app.state.public_cache.max_bytes = 30_000
    with TestClient(app) as reader:
        for limit in range(1, 4):
            assert len(reader.get("/api/public/v1/notices", params={"limit": limit}).content) > 5_000
        cache = app.state.public_cache
        assert cache.size <= 30_000 and len(cache.entries) < 3


def test_errors_are_not_cached(anon: TestClient, app: FastAPI) -> None:
    missing = anon.get("/api/public/v1/notices/2026-tc-99")
    assert (
        missing.status_code == 404 and missing.headers["cache-control"] == "no-store" and "etag" not in missing.headers
    )
    assert app.state.public_cache.entries == {} or all(e.status == 200 for e in app.state.public_cache.entries.values())


def test_cors_for_reading_only(anon: TestClient) -> None:
    read = anon.get("/api/public/v1/notices", headers={"Origin": "https://newsroom.example"})
    assert read.headers["access-control-allow-origin"] == "*"
    assert "ETag" in read.headers["access-control-expose-headers"]
    preflight = anon.options("/api/public/v1/inquiries", headers={
        "Origin": "https://newsroom.example", "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert preflight.status_code == 204
    assert "POST" not in preflight.headers["access-control-allow-methods"]
    posted = anon.post("/api/public/v1/inquiries", json={}, headers={"Origin": "https://newsroom.example"})
    assert "access-control-allow-origin" not in posted.headers
    page = anon.get("/notices", headers={"Origin": "https://newsroom.example"})
    assert "access-control-allow-origin" not in page.headers


def test_floods_get_429_and_other_clients_are_unaffected(make_app: Callable[..., FastAPI], staff: Api) -> None:
    app = make_app(rate_limit_enabled=True, rate_limit_read_burst=5, rate_limit_read_per_second=0.5,
                   rate_limit_inquiry_burst=2, rate_limit_inquiry_per_hour=6)  # fmt: skip
    body = {"outlet": "Báo Dân Trí", "reporter_name": "Lê Văn Bình", "press_card_number": "A-123",
            "contact": "binh@dantri.example.vn", "question": "Sở có kế hoạch gì về học phí năm tới?"}  # fmt: skip
    with (
        TestClient(app, client=("203.0.113.7", 40000)) as flood,
        TestClient(app, client=("198.51.100.2", 40000)) as other,
    ):
        codes = [flood.get("/api/public/v1/notices").status_code for _ in range(8)]
        assert codes == [200] * 5 + [429] * 3
        refused = flood.get("/api/public/v1/notices")
        assert refused.json()["error"] == "RateLimited" and set(refused.json()) == {"error", "detail"}
        assert refused.headers["retry-after"] == "2"  # one token every 2 seconds
        page = flood.get("/notices")
        assert (
            page.status_code == 429
            and page.headers["retry-after"] == "2"
            and "text/html" in page.headers["content-type"]
        )
        assert other.get("/api/public/v1/notices").status_code == 200
        assert [flood.post("/api/public/v1/inquiries", json=body).status_code for _ in range(3)] == [201, 201, 429]
        assert flood.post("/api/public/v1/inquiries", json=body).headers["retry-after"] == "600"
        assert other.post("/api/public/v1/inquiries", json=body).status_code == 201
        english = flood.get("/api/public/v1/spokespersons", headers={"Accept-Language": "en"})
        assert english.status_code == 429 and "Too many requests" in english.json()["detail"]
        metrics = other.get("/metrics").text  # the refusals are counted under what they asked for
        for route in ("/api/public/v1/{path}", "/api/public/v1/inquiries/{path}", "/{public page}"):
            assert f'route="{route}",status_class="4xx"' in metrics, route


def test_refill_over_time(make_app: Callable[..., FastAPI], clock: Clock, staff: Api) -> None:
    app = make_app(rate_limit_enabled=True, rate_limit_read_burst=2, rate_limit_read_per_second=1)
    with TestClient(app, client=("203.0.113.7", 40000)) as reader:
        assert [reader.get("/notices").status_code for _ in range(3)] == [200, 200, 429]
        clock.advance(seconds=1)
        assert reader.get("/notices").status_code == 200


def test_forwarded_for_only_from_trusted_proxies(make_app: Callable[..., FastAPI], staff: Api) -> None:
    app = make_app(rate_limit_enabled=True, rate_limit_read_burst=2, rate_limit_read_per_second=0.01,
                   trusted_proxies="10.0.0.0/8")  # fmt: skip
    with TestClient(app, client=("10.1.2.3", 1)) as proxy, TestClient(app, client=("203.0.113.9", 1)) as direct:
        for client_ip in ("198.51.100.1", "198.51.100.2"):  # two readers behind the proxy: each their own limit
            headers = {"X-Forwarded-For": f"forged, {client_ip}, 10.9.9.9"}
            assert [proxy.get("/notices", headers=headers).status_code for _ in range(3)] == [200, 200, 429]
        # A client that is not a trusted proxy cannot pick an address by writing the header.
        assert [direct.get("/notices", headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                for i in range(3)] == [200, 200, 429]  # fmt: skip


def test_limits_off_with_the_setting(make_app: Callable[..., FastAPI], staff: Api) -> None:
    app = make_app(rate_limit_enabled=False, rate_limit_read_burst=1)
    with TestClient(app) as reader:
        assert {reader.get("/api/public/v1/notices").status_code for _ in range(20)} == {200}


def test_public_pages_ignore_a_staff_session(app: FastAPI, staff: Api, publish: Callable[..., Any]) -> None:
    notice = publish("Nội dung.")
    with TestClient(app, base_url="https://testserver") as browser:
        assert login(browser, "office").status_code == 303
        for path in ("/notices", f"/notices/{notice['slug']}", "/spokespersons", "/notices/2099-tc-1"):
            page = browser.get(path)
            assert "Nguyễn Thị Thu Hà" not in page.text and "/staff/logout" not in page.text, path
            assert "csrf" not in page.text.lower()
        staff_page = browser.get("/staff/cases/VV-2099-99999")  # the staff's own error pages are unchanged
        assert staff_page.status_code == 404 and "/staff/logout" in staff_page.text
    with TestClient(app, base_url="https://testserver") as stranger:
        assert stranger.get("/staff/cases", follow_redirects=False).status_code == 303  # still the log-in form


def test_the_cache_checks_again_when_the_clock_goes_back() -> None:
    from datetime import timedelta

    from app.web.public.edge import PublicCache

    cache = PublicCache(max_entries=10, check_interval=timedelta(seconds=1))
    assert cache.stale(FIXED_NOW)
    cache.checked_at, cache.deadline = FIXED_NOW, FIXED_NOW + timedelta(seconds=1)
    assert not cache.stale(FIXED_NOW + timedelta(milliseconds=500))
    assert cache.stale(FIXED_NOW + timedelta(seconds=1))
    assert cache.stale(FIXED_NOW - timedelta(hours=1))  # a wall clock set back: do not wait an hour


def test_the_cache_interval_as_timestamps_keeps_the_microsecond() -> None:
    """The interval is kept as POSIX timestamps (the early path's float clock): the datetimes come back as they
    were set, and one microsecond either side of each end says what comparing the datetimes says."""
    from datetime import timedelta

    from app.web.public.edge import PublicCache

    cache = PublicCache(max_entries=10, check_interval=timedelta(seconds=1))
    one = timedelta(microseconds=1)
    for start in (FIXED_NOW + timedelta(microseconds=123457), datetime(2038, 1, 19, 3, 14, 7, 999999, tzinfo=UTC)):
        cache.checked_at, cache.deadline = start, start + timedelta(seconds=1, microseconds=1)
        assert (cache.checked_at, cache.deadline) == (start, start + timedelta(seconds=1, microseconds=1))
        for now in (start - one, start, start + one, cache.deadline - one, cache.deadline, cache.deadline + one):
            expected = now >= cache.deadline or now < cache.checked_at
            assert cache.stale(now) is expected and cache.stale_at(now.timestamp()) is expected


def test_public_error_pages(anon: TestClient) -> None:
    for path, status in (("/notices?topic=nope", 422), ("/notices/2099-tb-1", 404), ("/spokespersons/x", 404)):
        page = anon.get(path)
        assert page.status_code == status and page.headers["content-type"].startswith("text/html"), path
        assert 'href="/notices"' in page.text and "/staff/" not in page.text
    assert "Thông cáo này không tồn tại" in anon.get("/notices/2099-tb-1", headers={"Accept-Language": "en"}).text
    english = anon.get("/notices/2099-tb-1", headers={"Cookie": "lang=en"})
    assert "This notice does not exist or has not been published" in english.text
    assert anon.post("/notices").status_code == 405


@pytest.mark.isolated_db
def test_a_burst_of_misses_for_one_uncacheable_answer_is_never_a_500(isolated_url: str) -> None:
    """Waiters whose first flight gave nothing cacheable (a 404) each start their own flight; ending them once
    raised KeyError → 500 under a burst (issue 16, found by bench/crisis_day.py)."""
    import asyncio

    import httpx

    from app.main import create_app
    from tests.conftest import make_settings

    application = create_app(make_settings(isolated_url))

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answers = await asyncio.gather(*(client.get("/api/public/v1/notices/99-TC-NONE") for _ in range(30)))
        return [a.status_code for a in answers]

    assert set(asyncio.run(burst())) == {404}
