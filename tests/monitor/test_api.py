"""The monitoring API: sources and terms (bad input is a clear 4xx, nothing half-saved), who may do what, items,
the digest (JSON and DOCX), the emerging issues, the subscription, and the digest e-mail."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session, select

from app.monitor import digest as digests
from app.monitor import rules, service
from app.monitor.fetcher import Fetcher
from app.monitor.models import DeliveryStatus, DigestDelivery, MonitorSource, SourceKind
from app.org.models import User
from tests.conftest import FIXED_NOW, Clock, make_settings
from tests.factories import standard_org, token
from tests.support.smtp import SmtpSink


@pytest.fixture
def office(client: TestClient, session: Session, clock: Clock) -> dict[str, str]:
    standard_org(session, clock.now)
    session.commit()
    return token(client, "office")


SOURCE = {"name": "VnExpress — Giáo dục", "url": "https://vnexpress.net/rss/giao-duc.rss", "kind": "feed",
          "outlet": "VnExpress", "poll_minutes": 30}  # fmt: skip


class TestSources:
    def test_create_read_update(self, client: TestClient, office: dict[str, str]) -> None:
        r = client.post("/api/v1/monitor/sources", headers=office, json=SOURCE)
        assert r.status_code == 201
        body = r.json()
        assert body["healthy"] is True and body["last_error"] is None and body["last_polled_at"] is None
        assert {"name", "url", "kind", "outlet", "poll_minutes", "last_polled_at", "last_error", "healthy"} <= set(body)
        r = client.patch(f"/api/v1/monitor/sources/{body['id']}", headers=office, json={"enabled": False})
        assert r.status_code == 200 and r.json()["enabled"] is False
        assert [s["id"] for s in client.get("/api/v1/monitor/sources", headers=office).json()["items"]] == [body["id"]]

    @pytest.mark.parametrize(
        ("change", "field"),
        [({"url": "ftp://x.vn/feed"}, "url"), ({"url": "javascript:alert(1)"}, "url"),
         ({"poll_minutes": 1}, "poll_minutes"), ({"kind": "podcast"}, "kind"), ({"outlet": ""}, "outlet")],
    )  # fmt: skip
    def test_bad_input_is_a_422(self, client: TestClient, office: dict[str, str], change: dict[str, Any],
                                field: str) -> None:  # fmt: skip
        r = client.post("/api/v1/monitor/sources", headers=office, json={**SOURCE, **change})
        assert r.status_code == 422 and field in r.text
        assert client.get("/api/v1/monitor/sources", headers=office).json()["items"] == []

    def test_the_same_address_twice_is_a_409(self, client: TestClient, office: dict[str, str]) -> None:
        assert client.post("/api/v1/monitor/sources", headers=office, json=SOURCE).status_code == 201
        assert client.post("/api/v1/monitor/sources", headers=office, json=SOURCE).status_code == 409

    def test_unknown_source_is_a_404(self, client: TestClient, office: dict[str, str]) -> None:
        assert client.get("/api/v1/monitor/sources/999", headers=office).status_code == 404
        assert client.patch("/api/v1/monitor/sources/999", headers=office, json={"enabled": True}).status_code == 404

    def test_who_may(self, client: TestClient, office: dict[str, str]) -> None:
        director, handler = token(client, "director"), token(client, "handler")
        assert client.post("/api/v1/monitor/sources", headers=director, json=SOURCE).status_code == 403
        assert client.get("/api/v1/monitor/sources", headers=director).status_code == 200
        assert client.get("/api/v1/monitor/sources", headers=handler).status_code == 403
        assert client.get("/api/v1/digest", headers=handler).status_code == 403
        assert client.get("/api/v1/monitor/sources").status_code == 401


class TestTerms:
    def test_add_list_delete(self, client: TestClient, office: dict[str, str]) -> None:
        r = client.post("/api/v1/monitor/terms", headers=office,
                        json={"term": "lạm thu", "topic": "facilities_finance_tuition", "unit": "GDTrH"})  # fmt: skip
        assert r.status_code == 201 and r.json()["unit"] == "GDTrH"
        again = client.post("/api/v1/monitor/terms", headers=office, json={"term": "LAM  THU"})
        assert again.status_code == 409
        assert (
            client.post("/api/v1/monitor/terms", headers=office, json={"term": "x", "unit": "NOPE"}).status_code == 422
        )
        assert (
            client.post("/api/v1/monitor/terms", headers=office, json={"term": "ab", "unit": "NOPE"}).status_code == 422
        )
        assert client.post("/api/v1/monitor/terms", headers=office, json={"term": "--"}).status_code == 422
        assert len(client.get("/api/v1/monitor/terms", headers=office).json()["items"]) == 1
        assert client.delete(f"/api/v1/monitor/terms/{r.json()['id']}", headers=office).status_code == 204
        assert client.delete(f"/api/v1/monitor/terms/{r.json()['id']}", headers=office).status_code == 404


def _items(session: Session, now: datetime, stories: list[tuple[str, str, str]]) -> list[int]:
    """Store items as the fetcher would: (outlet, title, text)."""
    source = MonitorSource(name="s", url=f"https://e.vn/{now.timestamp()}", kind=SourceKind.FEED, outlet="x",
                           created_at=now)  # fmt: skip
    session.add(source)
    session.flush()
    assert source.id is not None
    ids: list[int] = []
    for n, (outlet, title, text) in enumerate(stories):
        entry = rules.Entry(url=f"https://{outlet}.vn/{now.timestamp()}-{n}", title=title, text=text)
        ids += service.store_items(session, source_id=source.id, outlet=outlet, entries=[entry],
                                   matcher=service.load_matcher(session),
                                   index=service.load_cluster_index(session, now=now), now=now)  # fmt: skip
    session.commit()
    return ids


class TestItemsAndDigest:
    def test_filters_and_cursor(self, client: TestClient, office: dict[str, str], session: Session) -> None:
        client.post("/api/v1/monitor/terms", headers=office, json={"term": "bạo lực học đường"})
        _items(session, FIXED_NOW, [("tuoitre", "Bạo lực học đường ở Tân Định", "Nữ sinh bị đánh."),
                                    ("vnexpress", "Điểm chuẩn lớp 10", "Công bố điểm chuẩn."),
                                    ("dantri", "Thời tiết", "Mưa lớn.")])  # fmt: skip
        items = client.get("/api/v1/monitor/items", headers=office, params={"matched": "true"}).json()["items"]
        assert [i["outlet"] for i in items] == ["tuoitre"]
        found = client.get("/api/v1/monitor/items", headers=office, params={"q": "diem CHUAN"}).json()["items"]
        assert [i["outlet"] for i in found] == ["vnexpress"]
        page = client.get("/api/v1/monitor/items", headers=office, params={"limit": 2}).json()
        assert len(page["items"]) == 2 and page["next_cursor"]
        rest = client.get("/api/v1/monitor/items", headers=office, params={"cursor": page["next_cursor"]}).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None
        assert client.get("/api/v1/monitor/items", headers=office, params={"limit": 0}).status_code == 422
        assert client.get("/api/v1/monitor/items", headers=office, params={"topic": "nope"}).status_code == 422
        assert client.post("/api/v1/monitor/items/99999/case", headers=office).status_code == 404

    def test_digest_docx_and_bad_date(self, client: TestClient, office: dict[str, str], session: Session) -> None:
        client.post(
            "/api/v1/monitor/terms", headers=office, json={"term": "lạm thu", "topic": "facilities_finance_tuition"}
        )
        _items(session, FIXED_NOW, [("tuoitre", "Phụ huynh tố lạm thu ở THCS Nguyễn Du", "Hơn 4 triệu đồng.")])
        r = client.get("/api/v1/digest.docx", headers=office, params={"date": "2026-11-28"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        assert "attachment" in r.headers["content-disposition"]
        text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
        assert "Điểm tin báo chí ngày 28/11/2026" in text and "lạm thu" in text
        assert client.get("/api/v1/digest", headers=office, params={"date": "28/11/2026"}).status_code == 422
        empty = client.get("/api/v1/digest", headers=office, params={"date": "2026-10-01"}).json()
        assert empty["clusters"] == [] and empty["emerging"] == []

    def test_emerging_topic(self, client: TestClient, office: dict[str, str], session: Session, clock: Clock) -> None:
        client.post(
            "/api/v1/monitor/terms", headers=office, json={"term": "học phí", "topic": "facilities_finance_tuition"}
        )
        for day in range(1, 15):  # one mention a day for two weeks …
            _items(session, FIXED_NOW - timedelta(days=day, hours=1), [("a", f"Học phí ngày {day}", "")])
        _items(
            session,
            FIXED_NOW - timedelta(hours=3),  # … then eight in a day
            [(f"o{n}", f"Phụ huynh phản đối tăng học phí lần {n} tại trường {n}", "") for n in range(8)],
        )
        rows = client.get("/api/v1/monitor/emerging", headers=office, params={"flagged": "true"}).json()
        topic = next(r for r in rows if r["topic"] == "facilities_finance_tuition" and r["window"] == "24h")
        assert topic["count"] == 8 and topic["baseline"] == 1.0 and topic["score"] >= 3
        assert len(topic["series"]) == 14 and topic["series"][-1] == 8

    def test_subscription(self, client: TestClient, office: dict[str, str], session: Session) -> None:
        r = client.put("/api/v1/digest/subscription", headers=office, json={"subscribed": True})
        assert r.status_code == 422  # no e-mail address on the account
        user = session.exec(select(User).where(User.username == "office")).one()
        user.email = "office@sgddt.example.gov.vn"
        session.add(user)
        session.commit()
        assert client.put("/api/v1/digest/subscription", headers=office, json={"subscribed": True}).json() == {
            "subscribed": True
        }
        assert client.put("/api/v1/digest/subscription", headers=office, json={"subscribed": False}).status_code == 200


def test_digest_email_once_per_subscriber_and_day(office: dict[str, str], session: Session, connection: Connection,
                                                  db_url: str, smtp_sink: SmtpSink) -> None:  # fmt: skip
    sink, port = smtp_sink, smtp_sink.port
    director = session.exec(select(User).where(User.username == "director")).one()
    director.email = "giamdoc@sgddt.example.gov.vn"
    session.add(director)
    session.commit()
    from tests.factories import actor

    digests.set_subscription(session, actor=actor(session, "director"), subscribed=True, now=FIXED_NOW)
    session.commit()
    settings = make_settings(db_url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    at = {"now": datetime(2026, 11, 27, 23, 30, tzinfo=UTC)}  # 06:30 local: not yet
    fetcher = Fetcher(settings, clock=lambda: at["now"],
                      sessions=lambda: Session(bind=connection, join_transaction_mode="create_savepoint",
                                               expire_on_commit=False))  # fmt: skip
    try:
        assert fetcher.send_digests() == 0
        at["now"] = datetime(2026, 11, 28, 0, 5, tzinfo=UTC)  # 07:05 local
        assert fetcher.send_digests() == 1
        assert fetcher.send_digests() == 0  # the same day: never twice
    finally:
        fetcher.close()
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["To"] == "giamdoc@sgddt.example.gov.vn" and "28/11/2026" in message["Subject"]
    row = session.exec(select(DigestDelivery)).one()
    assert row.status == DeliveryStatus.SENT
