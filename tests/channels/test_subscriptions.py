"""E-mail subscriptions: double opt-in, the next notice of the subscriber's topic, one-click unsubscribe (RFC
8058), no address shown, confirmations rate-limited; and the worker sending through a real SMTP sink."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.cases.vocabulary import Topic
from app.db import make_engine, writer
from app.notifications.mailer import Mailer
from app.outmail import worker as outmail_worker
from app.outmail.models import OutgoingMail
from app.subscriptions import worker as subscription_worker
from app.subscriptions.models import Subscription, SubscriptionStatus
from app.subscriptions.service import fan_out_step
from tests.conftest import FIXED_NOW, Clock, make_settings
from tests.factories import appoint_spokesperson, case_in_progress, publish_statement, standard_org
from tests.support.smtp import SmtpSink

BASE = "http://127.0.0.1:8000"  # the default public base URL of the test settings


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    session.flush()


def _mails(session: Session, to: str) -> list[OutgoingMail]:
    return list(session.exec(select(OutgoingMail).where(OutgoingMail.to_address == to)
                             .order_by(col(OutgoingMail.id))).all())  # fmt: skip


def _link(mail: OutgoingMail, path: str) -> str:
    match = re.search(re.escape(BASE + path) + r"\?token=([A-Za-z0-9_-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _subscribe(client: TestClient, email: str, topics: list[str] | None = None) -> None:
    answer = client.post("/api/public/v1/subscriptions", json={"email": email, "topics": topics or []})
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"status": "check_your_email"} and email not in answer.text


def test_double_opt_in_next_notice_of_the_topic_and_one_click_unsubscribe(
    client: TestClient, session: Session, org: None, clock: Clock
) -> None:
    _subscribe(client, "pv.lan@tuoitre.vn", ["education_quality"])
    _subscribe(client, "pv.other@thanhnien.vn", ["teachers_managers"])
    _subscribe(client, "chua.xac.nhan@vnexpress.net")  # never confirms
    [confirm_mail] = _mails(session, "pv.lan@tuoitre.vn")
    token = _link(confirm_mail, "/subscriptions/confirm")
    page = client.get(f"/subscriptions/confirm?token={token}")
    assert page.status_code == 200 and "Xác nhận" in page.text  # a page with a button: a link scanner confirms nothing
    assert session.exec(select(Subscription).where(Subscription.email == "pv.lan@tuoitre.vn")).one().status == \
        SubscriptionStatus.PENDING  # fmt: skip
    assert client.post(f"/subscriptions/confirm?token={token}").status_code == 200
    other = _link(_mails(session, "pv.other@thanhnien.vn")[0], "/subscriptions/confirm")
    assert client.post(f"/subscriptions/confirm?token={other}").status_code == 200

    case = case_in_progress(session, now=FIXED_NOW, topic=Topic.EDUCATION_QUALITY)
    notice = publish_statement(session, case, kind="response", at=FIXED_NOW, text="Chỉ tiêu tuyển sinh lớp 10.")
    while fan_out_step(session, now=FIXED_NOW, base_url=BASE, batch=2):
        pass
    mails = _mails(session, "pv.lan@tuoitre.vn")
    assert len(mails) == 2
    news = mails[1]
    assert news.subject == f"[{notice.number}] {notice.title}" and "Chỉ tiêu tuyển sinh lớp 10." in news.body
    unsubscribe = _link(news, "/subscriptions/unsubscribe")
    assert news.headers == {"List-Unsubscribe": f"<{BASE}/subscriptions/unsubscribe?token={unsubscribe}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}  # fmt: skip
    assert len(_mails(session, "pv.other@thanhnien.vn")) == 1  # another topic: only its confirmation
    assert len(_mails(session, "chua.xac.nhan@vnexpress.net")) == 1  # not confirmed: nothing more

    # One click, as a mail client does it (RFC 8058): a POST with List-Unsubscribe=One-Click, no cookie, no token field.
    answer = client.post(f"/subscriptions/unsubscribe?token={unsubscribe}",
                         content=b"List-Unsubscribe=One-Click",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 200 and "hủy đăng ký" in answer.text
    later = publish_statement(session, case, kind="correction", at=FIXED_NOW + timedelta(hours=1),
                              text="Đính chính.", corrects=notice.number)  # fmt: skip
    while fan_out_step(session, now=FIXED_NOW + timedelta(hours=1), base_url=BASE, batch=10):
        pass
    assert later.number and len(_mails(session, "pv.lan@tuoitre.vn")) == 2


def test_confirmations_are_rate_limited_and_say_nothing_about_the_address(
    client: TestClient, session: Session, org: None, clock: Clock
) -> None:
    for _ in range(5):
        _subscribe(client, "nan.nhan@example.vn")
    assert len(_mails(session, "nan.nhan@example.vn")) == 1
    clock.advance(minutes=11)
    _subscribe(client, "nan.nhan@example.vn")
    assert len(_mails(session, "nan.nhan@example.vn")) == 2
    bad = client.post("/api/public/v1/subscriptions", json={"email": "khong-phai-dia-chi"})
    assert bad.status_code == 422
    assert client.post("/subscriptions/confirm?token=khong-ton-tai").status_code == 404
    assert client.get("/subscriptions/unsubscribe?token=khong-ton-tai").status_code == 404


def test_the_subscription_form_on_the_public_pages(client: TestClient, session: Session, org: None) -> None:
    form = client.get("/subscriptions/new")
    assert form.status_code == 200 and 'name="topics"' in form.text
    assert form.headers["cache-control"].startswith("no-store")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    answer = client.post("/subscriptions", data={"csrf_token": token.group(1), "email": "pv.minh@nld.com.vn",
                                                 "topics": ["policy_reform", "other"]},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/subscriptions/sent"
    sub = session.exec(select(Subscription).where(Subscription.email == "pv.minh@nld.com.vn")).one()
    assert sub.topics == ["other", "policy_reform"] and sub.status == SubscriptionStatus.PENDING
    forged = client.post("/subscriptions", data={"csrf_token": "gia.mao", "email": "x@example.vn"})
    assert forged.status_code == 403
    home = client.get("/notices")
    assert 'href="/subscriptions/new"' in home.text and "pv.minh@nld.com.vn" not in home.text


def test_the_worker_mails_the_notice_through_smtp(isolated_url: str) -> None:
    engine = make_engine(isolated_url)
    db: Engine = writer(engine)
    sink = SmtpSink()
    sink.start()
    try:
        with Session(db, expire_on_commit=False) as session:
            standard_org(session, FIXED_NOW)
            appoint_spokesperson(session, now=FIXED_NOW)
            session.add(Subscription(email="pv.lan@tuoitre.vn", topics=[], status=SubscriptionStatus.CONFIRMED,
                                     confirm_token="c" * 43, unsubscribe_token="u" * 43, created_at=FIXED_NOW,
                                     updated_at=FIXED_NOW, confirmed_at=FIXED_NOW))  # fmt: skip
            case = case_in_progress(session, now=FIXED_NOW)
            notice = publish_statement(session, case, kind="response", at=FIXED_NOW)
            session.commit()
        settings = make_settings(isolated_url, smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none")
        subscription_worker.fan_out(db, now=FIXED_NOW, base_url=BASE, batch=100, should_stop=lambda: False)
        sent = outmail_worker.deliver(db, settings, mailer=Mailer, worker_id="w", clock=lambda: FIXED_NOW,
                                      should_stop=lambda: False)  # fmt: skip
        assert sent == 1
        [mail] = sink.to("pv.lan@tuoitre.vn")
        assert notice.number in mail["Subject"]
        assert mail["List-Unsubscribe"] == f"<{BASE}/subscriptions/unsubscribe?token={'u' * 43}>"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert subscription_worker.fan_out(db, now=FIXED_NOW, base_url=BASE, batch=100, should_stop=lambda: False) == 0
    finally:
        sink.stop()
        engine.dispose()
