"""Outbound webhooks: the outbox written with the notice, signed deliveries to a real local receiver that fails and
goes down, the real ``crisisdesk worker`` killed and restarted, a hook disabled after 24 hours of failures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.auth.permissions import Actor
from app.cases.models import Case
from app.db import make_engine, writer
from app.notifications.models import WorkerHeartbeat
from app.org.models import User
from app.outmail.models import OutgoingMail
from app.webhooks import service as webhooks
from app.webhooks import worker as webhook_worker
from app.webhooks.events import DISABLE_AFTER, DeliveryStatus, WebhookEventKind, retry_delay, sign, verify
from app.webhooks.models import Webhook, WebhookCreate, WebhookDelivery, WebhookEvent
from tests.channels.servers import Receiver
from tests.conftest import FIXED_NOW, make_settings
from tests.factories import (
    PASSWORD,
    actor,
    appoint_spokesperson,
    case_in_progress,
    publish_statement,
    standard_org,
    token,
)

CRISISDESK = Path(sys.executable).with_name("crisisdesk")
SECRET = "bi-mat-cua-cong-thong-tin-so"


# --- the pure parts -------------------------------------------------------------------------------------------


def test_the_signature_covers_timestamp_and_body_and_refuses_replays() -> None:
    body = b'{"id":"1"}'
    signature = sign(SECRET, 1_800_000_000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(SECRET, 1_800_000_000, body, signature, now=1_800_000_100)
    assert not verify(SECRET, 1_800_000_001, body, signature, now=1_800_000_100)  # another timestamp
    assert not verify(SECRET, 1_800_000_000, body + b" ", signature, now=1_800_000_100)  # another body
    assert not verify("khac", 1_800_000_000, body, signature, now=1_800_000_100)  # another secret
    assert not verify(SECRET, 1_800_000_000, body, signature, now=1_800_000_000 + 301)  # a replay


def test_retries_back_off_with_jitter_from_under_a_minute_to_hourly() -> None:
    assert timedelta(seconds=15) <= retry_delay(1, 0.0) <= retry_delay(1, 1.0) == timedelta(seconds=30)
    assert retry_delay(2, 1.0) == timedelta(seconds=60)
    assert retry_delay(5, 1.0) == timedelta(minutes=8)
    assert retry_delay(30, 1.0) == timedelta(hours=1) and retry_delay(30, 0.0) == timedelta(minutes=30)
    day, attempts = timedelta(0), 0
    while day < DISABLE_AFTER:  # even with the shortest waits, a day holds a few dozen attempts, not thousands
        attempts += 1
        day += retry_delay(attempts, 0.0)
    assert 25 <= attempts <= 60


# --- the API --------------------------------------------------------------------------------------------------


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    session.flush()


def test_an_admin_registers_lists_and_deletes_a_hook(client: TestClient, org: None) -> None:
    headers = token(client, "admin")
    created = client.post("/api/v1/webhooks", headers=headers, json={
        "url": "https://portal.example.gov.vn/crisisdesk", "events": ["notice.published", "notice.corrected"],
        "secret": SECRET})  # fmt: skip
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"] == SECRET and hook["events"] == ["notice.corrected", "notice.published"]
    listed = client.get("/api/v1/webhooks", headers=headers).json()["items"]
    assert [h["url"] for h in listed] == ["https://portal.example.gov.vn/crisisdesk"]
    assert "secret" not in listed[0]
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).json() == {"items": []}
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/webhooks", headers=headers).json() == {"items": []}
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).status_code == 404


def test_a_generated_secret_is_shown_once_and_bad_input_is_a_422(client: TestClient, org: None) -> None:
    headers = token(client, "admin")
    created = client.post("/api/v1/webhooks", headers=headers,
                          json={"url": "https://fanpage-relay.example.vn/hook", "events": ["page.sent"]})  # fmt: skip
    assert created.status_code == 201 and len(created.json()["secret"]) >= 32
    for bad in ({"url": "khong-phai-url", "events": ["notice.published"]},
                {"url": "https://a.example.vn/", "events": ["notice.deleted"]},
                {"url": "https://a.example.vn/", "events": []},
                {"url": "https://a.example.vn/", "events": ["page.sent"], "secret": "ngan"}):  # fmt: skip
        answer = client.post("/api/v1/webhooks", headers=headers, json=bad)
        assert answer.status_code == 422, bad


def test_only_an_admin_manages_hooks(client: TestClient, org: None) -> None:
    for username in ("handler", "office"):
        answer = client.get("/api/v1/webhooks", headers=token(client, username))
        assert answer.status_code == 403 and answer.json()["error"] == "PermissionDenied"


# --- the outbox -----------------------------------------------------------------------------------------------


def _hook(session: Session, url: str = "http://127.0.0.1:9/hook", events: list[str] | None = None) -> Webhook:
    data = WebhookCreate.model_validate({"url": url, "events": events or [k.value for k in WebhookEventKind],
                                         "secret": SECRET})  # fmt: skip
    created = webhooks.create_webhook(session, actor=actor(session, "admin"), data=data, now=FIXED_NOW)
    hook = session.get(Webhook, created.id)
    assert hook is not None
    return hook


def test_a_publication_writes_its_event_in_the_same_transaction(session: Session, org: None) -> None:
    _hook(session)
    case = case_in_progress(session, now=FIXED_NOW)
    savepoint = session.begin_nested()
    publish_statement(session, case, kind="response", at=FIXED_NOW)
    assert session.exec(select(WebhookEvent)).all()  # written with the notice …
    savepoint.rollback()
    assert session.exec(select(WebhookEvent)).all() == []  # … and gone with it: nothing to send
    assert session.exec(select(WebhookDelivery)).all() == []
    notice = publish_statement(session, case, kind="response", at=FIXED_NOW)
    event = session.exec(select(WebhookEvent)).one()
    assert event.kind == WebhookEventKind.NOTICE_PUBLISHED and event.ordering_key == f"case:{case.reference}"
    assert event.payload["notice"]["number"] == notice.number
    delivery = session.exec(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.PENDING, FIXED_NOW)


def test_a_hook_hears_only_its_events(session: Session, org: None) -> None:
    _hook(session, events=["case.crisis"])
    case = case_in_progress(session, now=FIXED_NOW)
    publish_statement(session, case, kind="response", at=FIXED_NOW)
    webhooks.emit_case_crisis(session, case_reference=case.reference, level=2, reason="Lan truyền mạnh", title="X",
                              now=FIXED_NOW)  # fmt: skip
    kinds = session.exec(
        select(WebhookEvent.kind).join(WebhookDelivery, col(WebhookDelivery.event_pk) == col(WebhookEvent.id))
    ).all()
    assert kinds == [WebhookEventKind.CASE_CRISIS]


def test_the_body_carries_the_notice_its_url_and_the_share_texts(session: Session, org: None) -> None:
    case = case_in_progress(session, now=FIXED_NOW)
    notice = publish_statement(session, case, kind="response", at=FIXED_NOW, text="Đoạn một.\nĐoạn <hai> & ba.")
    event = session.exec(select(WebhookEvent)).one()
    body = json.loads(webhook_worker.body_of(event, "https://baochi.sgddt.example.gov.vn"))
    assert (body["id"], body["type"]) == (event.event_id, "notice.published")
    assert body["data"]["url"] == f"https://baochi.sgddt.example.gov.vn/notices/{notice.slug}"
    share = body["data"]["share"]
    assert f"Số: {notice.number}" in share["portal_html"] and "Đoạn &lt;hai&gt; &amp; ba." in share["portal_html"]
    assert share["fanpage"].endswith(body["data"]["url"]) and len(share["zalo"]) <= 2000


# --- delivery ------------------------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    """The test's own connections write like the app's (BEGIN IMMEDIATE on SQLite), beside a running worker."""
    engine = make_engine(isolated_url)
    yield writer(engine)
    engine.dispose()


def _setup(db: Engine, url: str, events: list[str] | None = None) -> None:
    with Session(db) as session:
        standard_org(session, FIXED_NOW)
        appoint_spokesperson(session, now=FIXED_NOW)
        assert session.exec(select(Webhook)).first() is None
        user = session.exec(select(User).where(User.username == "admin")).one()
        user.email = "admin@sgddt.example.gov.vn"
        session.add(user)
        _hook(session, url=url, events=events)
        session.commit()


def _publish(db: Engine, at: datetime, count: int = 1, reference: str | None = None) -> str:
    with Session(db, expire_on_commit=False) as session:
        if reference is None:
            case = case_in_progress(session, now=at)
        else:
            case = session.exec(select(Case).where(Case.reference == reference)).one()
        for i in range(count):
            publish_statement(session, case, kind="initial_information" if reference is None and i == 0 else
                              "response" if i == count - 1 else "initial_information", at=at,
                              text=f"Thông tin số {i}.")  # fmt: skip
        session.commit()
        return case.reference


def _deliver(db: Engine, url: str, clock: Callable[[], datetime], **settings: object) -> int:
    values = make_settings(url, webhook_retry_seconds=0.05, **settings)
    return webhook_worker.deliver(db, values, worker_id="w1", clock=clock, should_stop=lambda: False)


def test_a_failing_receiver_gets_everything_once_and_in_order(db: Engine, isolated_url: str) -> None:
    receiver = Receiver(SECRET, fail_first=3)
    receiver.start()
    try:
        _setup(db, receiver.url)
        ref = _publish(db, FIXED_NOW)
        with Session(db, expire_on_commit=False) as session:
            case = session.exec(select(Case).where(Case.reference == ref)).one()
            publish_statement(session, case, kind="response", at=FIXED_NOW, text="Kết quả xử lý.")
            session.commit()
        deadline = time.monotonic() + 20
        while len(receiver.accepted) < 2 and time.monotonic() < deadline:
            _deliver(db, isolated_url, lambda: datetime.now(UTC))
            time.sleep(0.05)
        assert receiver.bad_signatures == 0
        assert receiver.attempts >= 5  # three refused, then both
        assert set(receiver.ids().values()) == {1} and len(receiver.ids()) == 2
        numbers = [d["data"]["notice"]["kind"] for d in receiver.accepted]
        assert numbers == ["initial_information", "response"]  # the order of publication, despite the failures
        headers = receiver.accepted[0]["_headers"]
        assert headers["X-CrisisDesk-Event"] == "notice.published"
        assert headers["X-CrisisDesk-Event-Id"] == receiver.accepted[0]["id"]
        with Session(db) as session:
            rows = session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all()
            assert [r.status for r in rows] == [DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED]
            assert rows[0].attempts == 4 and rows[0].last_status_code == 200
    finally:
        receiver.stop()


def test_a_hook_failing_for_24_hours_is_disabled_and_its_owner_told(db: Engine, isolated_url: str) -> None:
    _setup(db, "http://127.0.0.1:9/nothing-listens")
    _publish(db, FIXED_NOW)
    clock = Clock(FIXED_NOW)
    _deliver(db, isolated_url, clock)
    with Session(db) as session:
        hook = session.exec(select(Webhook)).one()
        assert hook.active and hook.failing_since == FIXED_NOW
        delivery = session.exec(select(WebhookDelivery)).one()
        assert delivery.attempts == 1 and delivery.last_error and delivery.next_attempt_at > FIXED_NOW
    clock.now = FIXED_NOW + timedelta(hours=23)
    _deliver(db, isolated_url, clock)
    with Session(db) as session:
        assert session.exec(select(Webhook)).one().active
    clock.now = FIXED_NOW + timedelta(hours=24, minutes=1)
    _deliver(db, isolated_url, clock)
    with Session(db) as session:
        hook = session.exec(select(Webhook)).one()
        assert not hook.active and hook.disabled_at == clock.now
        mail = session.exec(select(OutgoingMail)).one()
        assert mail.to_address == "admin@sgddt.example.gov.vn" and "tạm dừng" in mail.subject
        delivery = session.exec(select(WebhookDelivery)).one()
        assert delivery.status == DeliveryStatus.PENDING  # kept, not dropped
    clock.now += timedelta(hours=2)
    assert _deliver(db, isolated_url, clock) == 0
    with Session(db) as session:
        assert session.exec(select(WebhookDelivery)).one().attempts == 3  # a disabled hook is not tried


def test_resend_and_enable_through_the_api(db: Engine, isolated_url: str) -> None:
    receiver = Receiver(SECRET)
    receiver.start()
    try:
        _setup(db, receiver.url)
        _publish(db, FIXED_NOW)
        assert _deliver(db, isolated_url, lambda: datetime.now(UTC)) == 1
        with Session(db) as session:
            hook_id = session.exec(select(Webhook.id)).one()
            assert hook_id is not None
            admin: Actor = actor(session, "admin")
            log = webhooks.list_deliveries(session, actor=admin, webhook_id=hook_id)
            assert [(d.event, d.status, d.status_code, d.attempts) for d in log] == [
                (WebhookEventKind.NOTICE_PUBLISHED, DeliveryStatus.DELIVERED, 200, 1)]  # fmt: skip
            webhooks.resend(session, actor=admin, webhook_id=hook_id, delivery_id=log[0].id, now=datetime.now(UTC))
            session.commit()
        assert _deliver(db, isolated_url, lambda: datetime.now(UTC)) == 1
        assert list(receiver.ids().values()) == [2]  # sent again on purpose: the same event id, for the receiver
    finally:
        receiver.stop()


def _worker(isolated_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": isolated_url, "CRISISDESK_ENVIRONMENT": "test",
           "CRISISDESK_WEBHOOK_RETRY_SECONDS": "0.2"}  # fmt: skip
    env.pop("CRISISDESK_DATABASE_URL", None)
    env.pop("CRISISDESK_SMTP_HOST", None)
    return subprocess.Popen([str(CRISISDESK), "worker", "--poll", "0.2"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip


def _beats(db: Engine) -> int:
    with Session(db) as session:
        return len(session.exec(select(WorkerHeartbeat)).all())


def _wait(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_the_worker_is_killed_while_the_receiver_is_down_and_nothing_is_lost(db: Engine, isolated_url: str) -> None:
    """The acceptance check: publish → delivered within seconds; receiver down, two more published, worker killed;
    both started again → both arrive, once each, in order; a correction → notice.corrected."""
    receiver = Receiver(SECRET)
    receiver.start()
    worker = _worker(isolated_url)
    try:
        _setup(db, receiver.url)
        assert _wait(lambda: _beats(db) > 0, 60)  # the worker is up (a loaded machine takes a while to start it)
        ref = _publish(db, datetime.now(UTC))
        started = time.monotonic()
        assert _wait(lambda: len(receiver.accepted) == 1, 20)
        assert time.monotonic() - started < 10
        assert receiver.types() == ["notice.published"] and receiver.bad_signatures == 0

        receiver.stop()  # the portal goes down …
        _publish(db, datetime.now(UTC), count=2, reference=ref)

        def failed_once() -> bool:
            with Session(db) as session:
                return session.exec(select(WebhookDelivery).where(
                    col(WebhookDelivery.attempts) > 0, col(WebhookDelivery.status) == DeliveryStatus.PENDING)
                ).first() is not None  # fmt: skip

        assert _wait(failed_once)  # … the worker tries and fails …
        worker.kill()  # … and dies
        worker.wait(timeout=10)

        receiver = Receiver(SECRET)  # both come back (the receiver on a new port: the hook follows it)
        with Session(db) as session:
            hook = session.exec(select(Webhook)).one()
            hook.url = receiver.url
            session.add(hook)
            session.commit()
        receiver.start()
        worker = _worker(isolated_url)
        assert _wait(lambda: len(receiver.accepted) == 2, 90), receiver.attempts
        kinds = [d["data"]["notice"]["text"] for d in receiver.accepted]
        assert kinds == ["Thông tin số 0.", "Thông tin số 1."]

        with Session(db, expire_on_commit=False) as session:
            case = session.exec(select(Case).where(Case.reference == ref)).one()
            first = session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id))).first()
            assert first is not None
            publish_statement(session, case, kind="correction", at=datetime.now(UTC), text="Đính chính số liệu.",
                              corrects=first.payload["notice"]["number"])  # fmt: skip
            session.commit()
        assert _wait(lambda: len(receiver.accepted) == 3, 30)
        assert receiver.types()[-1] == "notice.corrected"
        assert receiver.accepted[-1]["data"]["notice"]["corrects_number"] == first.payload["notice"]["number"]
        assert receiver.bad_signatures == 0 and set(receiver.ids().values()) == {1}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        receiver.stop()


# --- the staff pages ---------------------------------------------------------------------------------------------


def _login(client: TestClient, username: str) -> str:
    page = client.get("/staff/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    client.post("/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)})
    home = client.get("/staff/admin/webhooks")
    found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert found, home.text[:500]
    return found.group(1)


def test_the_admin_page_registers_a_hook_and_resends_a_delivery(
    client: TestClient, session: Session, org: None
) -> None:
    csrf = _login(client, "admin")
    created = client.post(
        "/staff/admin/webhooks",
        data={
            "csrf_token": csrf,
            "url": "https://portal.example.gov.vn/h",
            "events": ["notice.published"],
            "description": "Cổng",
        },
    )
    assert created.status_code == 200 and "portal.example.gov.vn/h" in created.text and "hook-secret" in created.text
    case = case_in_progress(session, now=FIXED_NOW)
    publish_statement(session, case, kind="response", at=FIXED_NOW)
    hook = session.exec(select(Webhook)).one()
    page = client.get(f"/staff/admin/webhooks/{hook.id}")
    assert page.status_code == 200 and "notice.published" in page.text and "Gửi lại" in page.text
    delivery = session.exec(select(WebhookDelivery)).one()
    resent = client.post(f"/staff/admin/webhooks/{hook.id}/deliveries/{delivery.id}/resend",
                         data={"csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert resent.status_code == 303
    assert client.get("/staff/admin/mailbox").status_code == 200


def test_the_notice_page_previews_the_share_ready_texts(client: TestClient, session: Session, org: None) -> None:
    case = case_in_progress(session, now=FIXED_NOW)
    notice = publish_statement(session, case, kind="response", at=FIXED_NOW, text="Nội dung <b>trả lời</b>.")
    _login(client, "admin")
    page = client.get(f"/staff/notices/{notice.slug}")
    assert page.status_code == 200
    assert "Cổng thông tin điện tử (HTML)" in page.text and "Tin nhắn Zalo OA" in page.text
    assert "&amp;lt;b&amp;gt;trả lời&amp;lt;/b&amp;gt;" in page.text  # the portal's HTML, shown as text
    assert "&lt;b&gt;trả lời&lt;/b&gt;" in page.text  # the Fanpage post, shown as text
    assert "<b>trả lời</b>" not in page.text  # never raw
