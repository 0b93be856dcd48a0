"""`crisisdesk monitor --once` against real HTTP servers on 127.0.0.1: a story matched and clustered across two
feeds, turned into a case, in the next morning's digest; every bad source recorded on its source, never a crash;
politeness (one request at a time per host, the interval, the User-Agent, conditional GET, robots.txt)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, update
from sqlmodel import Session, func, select

from app.monitor.fetcher import run_once
from app.monitor.models import MonitorItem, MonitorSource, SourceKind
from app.org.models import UnitKind
from app.settings import Settings
from tests.conftest import Clock, make_settings
from tests.factories import make_unit, standard_org, token
from tests.monitor import feeds
from tests.monitor.feeds import LAM_THU_EDITED, LAM_THU_TEXT, OLYMPIC_TEXT

UA = "CrisisDesk-test (Van phong So GD&DT)"


@pytest.fixture
def org(session: Session, clock: Clock) -> None:
    standard_org(session, clock.now)
    make_unit(session, "NDU", name="Trường THCS Nguyễn Du", kind=UnitKind.SCHOOL, now=clock.now)
    session.commit()


@pytest.fixture
def office(client: TestClient, org: None) -> dict[str, str]:
    return token(client, "office")


def monitor_settings(db_url: str, **overrides: Any) -> Settings:
    # One host at a time by default: the tests' sessions share one connection (the isolated test runs four).
    values: dict[str, Any] = {"monitor_timeout_seconds": 1.0, "monitor_host_interval_seconds": 0.0,
                              "monitor_max_bytes": 1024 * 1024, "monitor_concurrency": 1,
                              "monitor_user_agent": UA}  # fmt: skip
    values.update(overrides)
    return make_settings(db_url, **values)


@pytest.fixture
def joined(connection: Connection) -> Callable[[], Session]:
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def add_source(client: TestClient, auth: dict[str, str], url: str, outlet: str, kind: str = "feed") -> int:
    r = client.post("/api/v1/monitor/sources", headers=auth,
                    json={"name": f"{outlet} — Giáo dục", "url": url, "kind": kind, "outlet": outlet})  # fmt: skip
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture
def news() -> Iterator[feeds.FeedServer]:
    a = feeds.rss("Tuổi Trẻ - Giáo dục", [
        ("tt-1", "https://tuoitre.vn/giao-duc/lam-thu-nguyen-du.htm?utm_source=rss",
         "Phụ huynh Trường THCS Nguyễn Du phản ánh lạm thu hơn 4 triệu đồng đầu năm", LAM_THU_TEXT),
        ("tt-2", "https://tuoitre.vn/giao-duc/olympic-toan.htm", "Học sinh TP.HCM đoạt 8 huy chương Olympic Toán",
         OLYMPIC_TEXT),
    ])  # fmt: skip
    b = feeds.atom("Thanh Niên - Giáo dục", [
        ("tn-9", "https://thanhnien.vn/truong-thcs-nguyen-du-bi-to-lam-thu.htm",
         "Trường THCS Nguyễn Du bị tố LẠM THU đầu năm học", LAM_THU_EDITED),
    ])  # fmt: skip
    with feeds.serve({"/a.rss": feeds.static(a, etag='"v1"'), "/b.atom": feeds.static(b, "application/atom+xml")}) as s:
        yield s


class TestOnePoll:
    def test_matched_clustered_case_and_digest(self, client: TestClient, office: dict[str, str], db_url: str,
                                               joined: Callable[[], Session], clock: Clock,
                                               news: feeds.FeedServer) -> None:  # fmt: skip
        add_source(client, office, news.url("/a.rss"), "Tuổi Trẻ")
        add_source(client, office, news.url("/b.atom"), "Thanh Niên")
        for term in ({"term": "lạm thu", "topic": "facilities_finance_tuition"},
                     {"term": "THCS Nguyễn Du", "unit": "NDU"}):  # fmt: skip
            assert client.post("/api/v1/monitor/terms", headers=office, json=term).status_code == 201

        report = run_once(monitor_settings(db_url), sessions=joined, clock=clock)
        assert (report.sources, report.failed, report.new_items) == (2, 0, 3)

        items = client.get("/api/v1/monitor/items", headers=office, params={"matched": "true"}).json()["items"]
        assert {i["outlet"] for i in items} == {"Tuổi Trẻ", "Thanh Niên"}
        for item in items:
            assert set(item["matched_terms"]) == {"lạm thu", "THCS Nguyễn Du"}
            assert item["unit"] == "NDU" and item["topic"] == "facilities_finance_tuition"
        assert items[0]["cluster_id"] == items[1]["cluster_id"]
        everything = client.get("/api/v1/monitor/items", headers=office).json()["items"]
        olympic = next(i for i in everything if "Olympic" in i["title"])
        assert olympic["matched_terms"] == [] and olympic["cluster_id"] != items[0]["cluster_id"]

        first = next(i for i in items if i["outlet"] == "Tuổi Trẻ")
        r = client.post(f"/api/v1/monitor/items/{first['id']}/case", headers=office)
        assert r.status_code == 201, r.text
        case = r.json()
        assert case["status"] == "new" and case["source_kind"] == "press_article" and case["outlet"] == "Tuổi Trẻ"
        assert case["source_url"].startswith("https://tuoitre.vn/") and case["topic"] == "facilities_finance_tuition"
        again = client.post(f"/api/v1/monitor/items/{first['id']}/case", headers=office)
        assert again.status_code == 409 and case["reference"] in again.json()["detail"]
        other = next(i for i in items if i["outlet"] == "Thanh Niên")
        assert client.post(f"/api/v1/monitor/items/{other['id']}/case", headers=office).status_code == 409
        events = client.get(f"/api/v1/cases/{case['reference']}/events", headers=office).json()["items"]
        assert any(e["kind"] == "monitor_item_linked" for e in events)

        digest = client.get("/api/v1/digest", headers=office, params={"date": "2026-11-28"}).json()
        assert digest["date"] == "2026-11-28"
        story = next(c for c in digest["clusters"] if c["cluster_id"] == first["cluster_id"])
        assert story["case_reference"] == case["reference"] and story["count"] == 2
        assert set(story["outlets"]) == {"Tuổi Trẻ", "Thanh Niên"}
        assert [c["reference"] for c in digest["cases_opened"]] == [case["reference"]]
        assert set(digest) >= {"clusters", "cases_opened", "notices_published", "due_today", "emerging"}

        # The next poll: a conditional GET (304) for the feed that gives an ETag, nothing stored twice.
        clock.advance(hours=1)
        report = run_once(monitor_settings(db_url), sessions=joined, clock=clock)
        assert (report.sources, report.new_items, report.failed) == (2, 0, 0)
        conditional = [r for r in news.requests if r.path == "/a.rss"]
        assert conditional[-1].headers.get("If-None-Match") == '"v1"'
        assert all(r.headers.get("User-Agent") == UA for r in news.requests)
        assert len(client.get("/api/v1/monitor/items", headers=office).json()["items"]) == 3

    def test_later_items_of_the_cluster_show_on_the_case(self, client: TestClient, office: dict[str, str],
                                                         db_url: str, joined: Callable[[], Session], clock: Clock,
                                                         news: feeds.FeedServer) -> None:  # fmt: skip
        add_source(client, office, news.url("/a.rss"), "Tuổi Trẻ")
        client.post("/api/v1/monitor/terms", headers=office, json={"term": "lạm thu"})
        run_once(monitor_settings(db_url), sessions=joined, clock=clock)
        item = client.get("/api/v1/monitor/items", headers=office, params={"matched": "true"}).json()["items"][0]
        reference = client.post(f"/api/v1/monitor/items/{item['id']}/case", headers=office).json()["reference"]
        clock.advance(hours=2)
        add_source(client, office, news.url("/b.atom"), "Thanh Niên")
        run_once(monitor_settings(db_url), sessions=joined, clock=clock)
        page = client.get(f"/staff/cases/{reference}", headers=office)
        assert page.status_code == 200
        assert "Thanh Niên" in page.text and "1 cơ quan báo khác" in page.text


class TestBadSources:
    def test_each_gives_an_error_on_its_source_and_the_others_go_on(
        self, client: TestClient, office: dict[str, str], db_url: str, joined: Callable[[], Session], clock: Clock,
        session: Session, news: feeds.FeedServer,
    ) -> None:  # fmt: skip
        routes = {
            "/slow.rss": feeds.slow(3.0),
            "/500.rss": feeds.status(500),
            "/broken.rss": feeds.static(
                b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>Vo</titl></item></channel"
            ),  # fmt: skip
            "/big.rss": feeds.huge(50),
            "/loop": feeds.redirect("/loop2"),
            "/loop2": feeds.redirect("/loop"),
            "/notfeed": feeds.static(b"<html><body>Xin chao</body></html>", "text/html"),
        }
        with feeds.serve(routes) as bad, feeds.serve({
            "/robots.txt": feeds.static(b"User-agent: *\nDisallow: /\n", "text/plain"),
            "/feed.rss": feeds.static(feeds.rss("x", [])),
        }) as forbidding:  # fmt: skip
            ids = {name: add_source(client, office, bad.url(path), name)
                   for name, path in [("slow", "/slow.rss"), ("500", "/500.rss"), ("broken", "/broken.rss"),
                                      ("big", "/big.rss"), ("loop", "/loop"), ("notfeed", "/notfeed")]}  # fmt: skip
            ids["robots"] = add_source(client, office, forbidding.url("/feed.rss"), "robots")
            ids["good"] = add_source(client, office, news.url("/a.rss"), "Tuổi Trẻ")
            ids["refused"] = add_source(client, office, "http://127.0.0.1:9/feed.rss", "refused")

            report = run_once(monitor_settings(db_url), sessions=joined, clock=clock)
            assert report.sources == 9 and report.failed == 8 and report.new_items == 2
            assert "/feed.rss" not in forbidding.paths()

            expected = {"slow": "Hết thời gian chờ", "500": "HTTP 500", "broken": "XML", "big": "quá lớn",
                        "loop": "chuyển hướng", "robots": "robots.txt", "notfeed": "RSS",
                        "refused": "Lỗi kết nối"}  # fmt: skip
            for name, words in expected.items():
                source = client.get(f"/api/v1/monitor/sources/{ids[name]}", headers=office).json()
                assert words.lower() in (source["last_error"] or "").lower(), (name, source["last_error"])
                assert source["failures"] == 1 and source["healthy"] is True and source["last_polled_at"]
            good = client.get(f"/api/v1/monitor/sources/{ids['good']}", headers=office).json()
            assert good["last_error"] is None and good["healthy"] and good["items_total"] == 2

            # Three failures in a row: unhealthy, and polled ever more rarely (not in a tight loop).
            for _ in range(2):
                clock.advance(hours=3)
                run_once(monitor_settings(db_url), sessions=joined, clock=clock)
            source = client.get(f"/api/v1/monitor/sources/{ids['500']}", headers=office).json()
            assert source["healthy"] is False and source["failures"] == 3
            calls = bad.paths().count("/500.rss")
            clock.advance(minutes=45)  # past its 30 minutes, not past the backoff's hour
            run_once(monitor_settings(db_url), sessions=joined, clock=clock)
            assert bad.paths().count("/500.rss") == calls
            page = client.get("/staff/monitor/sources", headers=office)
            assert page.status_code == 200 and "HTTP 500" in page.text

    def test_one_request_at_a_time_per_host_with_the_interval(
        self, client: TestClient, office: dict[str, str], db_url: str, joined: Callable[[], Session], clock: Clock,
    ) -> None:  # fmt: skip
        routes = {f"/f{i}.rss": feeds.static(feeds.rss("x", [(f"g{i}", f"https://e.vn/{i}", f"Tin {i}", "")]))
                  for i in range(4)}  # fmt: skip
        with feeds.serve(routes) as server:
            for i in range(4):
                add_source(client, office, server.url(f"/f{i}.rss"), f"Báo {i}")
            run_once(monitor_settings(db_url, monitor_host_interval_seconds=0.2, monitor_concurrency=4),
                     sessions=joined, clock=clock)  # fmt: skip
            assert server.max_active == 1
            times = sorted(r.at for r in server.requests)
            assert len(times) == 5  # robots.txt, then the four feeds
            assert all(b - a >= 0.15 for a, b in zip(times, times[1:], strict=False))  # 0.2 s, less arrival jitter


@pytest.mark.isolated_db
def test_two_monitors_never_store_an_item_twice(isolated_url: str, news: feeds.FeedServer) -> None:
    """Two monitor processes at once (and a restart after them): every article is stored once."""
    import threading

    from app.db import make_engine, writer
    from app.monitor import rules, service
    from app.monitor.models import MonitorCluster
    from tests.conftest import FIXED_NOW

    engine = make_engine(isolated_url, pool_size=10, max_overflow=10)
    try:
        with Session(writer(engine)) as s:
            for n, path in enumerate(["/a.rss", "/b.atom"]):
                s.add(MonitorSource(name=f"s{n}", url=news.url(path), kind=SourceKind.FEED, outlet=f"Báo {n}",
                                    created_at=FIXED_NOW, next_poll_at=FIXED_NOW))  # fmt: skip
            # An aggregator carrying the same article under the same address (after normalisation).
            s.add(MonitorSource(name="agg", url=news.url("/b.atom") + "?copy=1", kind=SourceKind.FEED, outlet="Báo Mới",
                                created_at=FIXED_NOW, next_poll_at=FIXED_NOW))  # fmt: skip
            s.commit()
        settings = monitor_settings(isolated_url, monitor_concurrency=4)
        threads = [threading.Thread(target=run_once, args=(settings,), kwargs={"engine": engine,
                                                                                "clock": lambda: FIXED_NOW})
                   for _ in range(2)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # The same entries stored by two sessions at the same moment: the unique constraints keep one.
        entry = rules.Entry(url="https://tuoitre.vn/giao-duc/lam-thu-nguyen-du.htm", title="x", guid="tt-1")
        barrier = threading.Barrier(2)

        def store() -> None:
            with Session(writer(engine), expire_on_commit=False) as s:
                barrier.wait()
                service.store_items(s, source_id=1, outlet="x", entries=[entry], matcher=rules.Matcher([]),
                                    index=rules.ClusterIndex(), now=FIXED_NOW + timedelta(hours=1))  # fmt: skip
                s.commit()

        racers = [threading.Thread(target=store) for _ in range(2)]
        for t in racers:
            t.start()
        for t in racers:
            t.join()
        with Session(writer(engine)) as s:
            s.execute(update(MonitorSource).values(next_poll_at=FIXED_NOW, etag=None))
            s.commit()
        run_once(settings, engine=engine, clock=lambda: FIXED_NOW + timedelta(hours=2))  # a restart
        with Session(engine) as s:
            assert s.exec(select(func.count()).select_from(MonitorItem)).one() == 3
            urls = s.exec(select(MonitorItem.url_key)).all()
            assert len(set(urls)) == 3
            assert s.exec(select(func.count()).select_from(MonitorCluster)).one() <= 3
    finally:
        engine.dispose()


SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://plo.vn/giao-duc/day-them-le-loi.html</loc><news:news><news:publication><news:name>PLO</news:name>
<news:language>vi</news:language></news:publication><news:publication_date>2026-11-27T07:30:00+07:00</news:publication_date>
<news:title>Giáo viên Trường THCS Lê Lợi bị tố ép học sinh học thêm</news:title></news:news></url>
</urlset>""".encode()

PAGE = """<!doctype html><html lang="vi"><head><title>Học bạ số cho học sinh tiểu học</title></head><body>
<nav>Trang chủ | Giáo dục</nav><article><h1>TP.HCM triển khai học bạ số cho toàn bộ học sinh tiểu học</h1>
<p>Sở Giáo dục và Đào tạo TP.HCM triển khai học bạ số cho hơn 650.000 học sinh tiểu học từ học kỳ I năm học
2026-2027. Học bạ số được ký số bởi giáo viên chủ nhiệm và hiệu trưởng, có giá trị pháp lý như học bạ giấy.</p>
<p>Phụ huynh có thể tra cứu học bạ của con qua ứng dụng định danh điện tử VNeID. Giáo viên sẽ được tập huấn trong
tháng 8 và các trường được cấp chữ ký số miễn phí trong năm đầu.</p></article><footer>Liên hệ</footer></body></html>"""


def test_sitemaps_and_pages(client: TestClient, office: dict[str, str], db_url: str, joined: Callable[[], Session],
                            clock: Clock) -> None:  # fmt: skip
    routes = {"/news-sitemap.xml": feeds.static(SITEMAP, "application/xml"),
              "/hoc-ba-so.html": feeds.static(PAGE.encode(), "text/html; charset=utf-8")}  # fmt: skip
    with feeds.serve(routes) as server:
        add_source(client, office, server.url("/news-sitemap.xml"), "Pháp Luật TP.HCM", kind="sitemap")
        add_source(client, office, server.url("/hoc-ba-so.html"), "Sở GD-ĐT", kind="page")
        for term in ("học thêm", "học bạ số"):
            client.post("/api/v1/monitor/terms", headers=office, json={"term": term})
        report = run_once(monitor_settings(db_url), sessions=joined, clock=clock)
        assert (report.failed, report.new_items) == (0, 2), report.errors
    items = {i["outlet"]: i for i in client.get("/api/v1/monitor/items", headers=office).json()["items"]}
    sitemap = items["Pháp Luật TP.HCM"]
    assert sitemap["title"] == "Giáo viên Trường THCS Lê Lợi bị tố ép học sinh học thêm"
    assert sitemap["matched_terms"] == ["học thêm"] and sitemap["published_at"].startswith("2026-11-27T00:30")
    page = items["Sở GD-ĐT"]
    assert page["matched_terms"] == ["học bạ số"] and "VNeID" in page["excerpt"] and "Liên hệ" not in page["excerpt"]
