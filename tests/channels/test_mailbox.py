"""The mailbox that opens cases, against a real IMAP server (Debian's dovecot) with real messages: plain, HTML-only,
multipart with a PDF, a reply with the reference, a forged reference, a 40 MB one, a malformed MIME one."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.cases.models import Case, CaseEvent
from app.cases.vocabulary import SourceKind
from app.channels.worker import jobs
from app.db import make_engine, writer
from app.files import rules as file_rules
from app.files.models import Attachment
from app.mailbox import rules
from app.mailbox import worker as mailbox_worker
from app.mailbox.models import MailboxMessage, MailOutcome, PressOutletIn
from app.mailbox.service import add_outlet
from app.main import create_app
from app.notifications.mailer import Mailer
from app.notifications.worker import Worker
from app.org.models import User
from app.outmail import worker as outmail_worker
from app.outmail.models import OutgoingMail
from app.settings import Settings
from tests.channels.servers import Dovecot
from tests.conftest import Clock, make_settings
from tests.factories import case_in_progress, standard_org, token
from tests.support.net import free_port
from tests.support.smtp import SmtpSink
from tests.web.staff.pages import login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_TYPE = "application/pdf"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def message(sender: str, subject: str, text: str | None = "Nội dung thư.", *, html: str | None = None,
            attachments: tuple[tuple[str, bytes, str], ...] = (), message_id: str | None = None) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = Dovecot.user
    msg["Subject"] = subject
    msg["Date"] = "Fri, 27 Nov 2026 08:30:00 +0700"
    msg["Message-ID"] = message_id or make_msgid(domain="mail.example.vn")
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data, kind in attachments:
        maintype, subtype = kind.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url)
    yield writer(engine)
    engine.dispose()


def imap_settings(url: str, server: Dovecot, **extra: object) -> Settings:
    values: dict[str, object] = {"imap_url": server.url, "imap_user": server.user, "imap_password": server.password}
    return make_settings(url, **{**values, **extra})


def _org(db: Engine) -> str:
    """The staff, an outlet known by its domain, and a reporter's case in progress: returns its reference."""
    with Session(db, expire_on_commit=False) as session:
        standard_org(session, NOW)
        handler = session.exec(select(User).where(User.username == "handler")).one()
        handler.email = "quan.tm@sgddt.example.gov.vn"
        session.add(handler)
        add_outlet(session, actor=None, data=PressOutletIn(name="Báo Tuổi Trẻ", domain="tuoitre.vn"), now=NOW)
        case = case_in_progress(session, now=NOW, reporter_contact="thu.le@tuoitre.vn", outlet="Báo Tuổi Trẻ")
        session.commit()
        return case.reference


def _poll(db: Engine, settings: Settings) -> int:
    return mailbox_worker.poll(db, settings, clock=lambda: NOW, should_stop=lambda: False)


def _case(session: Session, message_id: str) -> Case:
    row = session.exec(select(MailboxMessage).where(MailboxMessage.message_id == message_id)).one()
    case = session.get(Case, row.case_id)
    assert case is not None
    return case


def test_new_mail_opens_cases_and_replies_land_as_notes(db: Engine, isolated_url: str, dovecot: Dovecot,
                                                        tmp_path: Path) -> None:  # fmt: skip
    reference = _org(db)
    storage = {"storage_url": f"file://{tmp_path / 'files'}"}
    ids = {name: make_msgid(domain="mail.example.vn") for name in
           ("plain", "press", "html", "pdf", "reply", "staff", "forged", "malformed")}  # fmt: skip
    dovecot.deliver(message("Nguyễn Văn An <an.nguyen@gmail.example>", "Phản ánh thu tiền học thêm",
                            "Trường X thu tiền học thêm trái quy định.", message_id=ids["plain"]))  # fmt: skip
    dovecot.deliver(message("Phóng viên <pv.hoang@tuoitre.vn>", "Đề nghị cung cấp thông tin tuyển sinh lớp 10",
                            "Xin Sở cho biết chỉ tiêu.", message_id=ids["press"]))  # fmt: skip
    dovecot.deliver(message("phuhuynh@yahoo.example", "Thư HTML", None, message_id=ids["html"],
                            html="<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
                                 "<p>Con tôi bị <b>bắt nạt</b>.</p><img src='http://x/y.png'>"
                                 "<a href='https://vd.example/clip'>Xem clip</a></body></html>"))  # fmt: skip
    dovecot.deliver(
        message(
            "to.dan.pho@gmail.example",
            "Gửi kèm văn bản",
            "Kèm file PDF.",
            message_id=ids["pdf"],
            attachments=(
                ("van-ban.pdf", PDF, "application/pdf"),
                ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream"),
            ),
        )
    )
    dovecot.deliver(
        message(
            "Lê Thu <thu.le@tuoitre.vn>",
            f"Re: [{reference}] Bổ sung thông tin",
            "Tôi gửi thêm.",
            message_id=ids["reply"],
            attachments=(("bo-sung.pdf", PDF, "application/pdf"),),
        )
    )
    dovecot.deliver(message("quan.tm@sgddt.example.gov.vn", f"[{reference}] Kết quả xác minh", "Đã xác minh.",
                            message_id=ids["staff"]))  # fmt: skip
    dovecot.deliver(message("ke.gia.mao@evil.example", f"Re: [{reference}] Sửa nội dung", "Ghi đè vụ việc!",
                            message_id=ids["forged"]))  # fmt: skip
    dovecot.deliver(
        (
            f"From: nguoi.gui@gmail.example\r\nTo: {Dovecot.user}\r\nSubject: =?utf-8?B?invalid!!\r\n"
            f"Message-ID: {ids['malformed']}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="khong-bao-gio-ket-thuc"\r\n\r\n'
            "--khong-bao-gio-ket-thuc\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n@@@ khong phai base64 @@@\r\n"
        ).encode()
    )
    settings = imap_settings(isolated_url, dovecot, **storage)
    assert _poll(db, settings) == 8
    assert _poll(db, settings) == 0  # nothing new: each message taken once

    with Session(db) as session:
        outcomes = {m.message_id: m.outcome for m in session.exec(select(MailboxMessage)).all()}
        assert outcomes[ids["reply"]] == outcomes[ids["staff"]] == MailOutcome.NOTE_ADDED
        assert outcomes[ids["forged"]] == MailOutcome.CASE_OPENED
        plain = _case(session, ids["plain"])
        assert plain.source_kind == SourceKind.PUBLIC_FEEDBACK and plain.title == "Phản ánh thu tiền học thêm"
        assert plain.reporter_contact == "an.nguyen@gmail.example"
        press = _case(session, ids["press"])
        assert (press.source_kind, press.outlet) == (SourceKind.PRESS_INQUIRY, "Báo Tuổi Trẻ")
        html = _case(session, ids["html"])
        assert "Con tôi bị bắt nạt." in html.summary and "https://vd.example/clip" in html.summary
        assert "<" not in html.summary and "alert" not in html.summary and "color" not in html.summary
        pdf_case = _case(session, ids["pdf"])
        kept = session.exec(select(Attachment).where(Attachment.case_id == pdf_case.id)).all()
        assert [(a.filename, a.content_type, a.created_by_id) for a in kept] == [("van-ban.pdf", PDF_TYPE, None)]
        refused_note = session.exec(select(CaseEvent).where(CaseEvent.case_id == pdf_case.id,
                                                            CaseEvent.kind == "note")).one()  # fmt: skip
        assert "virus.exe" in (refused_note.note or "")  # the .exe is refused, and the case says so
        assert refused_note.data and refused_note.data["refused"] == [{"filename": "virus.exe", "size": 104,
                                                                        "reason": "type"}]  # fmt: skip
        malformed = _case(session, ids["malformed"])
        assert malformed.source_kind == SourceKind.PUBLIC_FEEDBACK

        target = session.exec(select(Case).where(Case.reference == reference)).one()
        notes = session.exec(select(CaseEvent).where(CaseEvent.case_id == target.id, CaseEvent.kind == "note")
                             .order_by(col(CaseEvent.id))).all()  # fmt: skip
        assert len(notes) == 2  # the reporter's reply and the handler's mail; never the forged one
        reporter_note, staff_note = notes
        assert "Tôi gửi thêm." in (reporter_note.note or "") and reporter_note.actor_id is None
        assert reporter_note.data and reporter_note.data["attachments"][0]["filename"] == "bo-sung.pdf"
        handler = session.exec(select(User).where(User.username == "handler")).one()
        assert staff_note.actor_id == handler.id
        files = session.exec(select(Attachment).where(Attachment.case_id == target.id)).all()
        assert [(f.filename, f.created_by_id) for f in files] == [("bo-sung.pdf", None)]
        added = session.exec(select(CaseEvent).where(CaseEvent.case_id == target.id,
                                                     CaseEvent.kind == "attachment_added")).one()  # fmt: skip
        assert added.data and added.data["filename"] == "bo-sung.pdf"
        forged = _case(session, ids["forged"])
        assert forged.id != target.id and forged.source_kind == SourceKind.PUBLIC_FEEDBACK

        acks = {m.to_address: m for m in session.exec(select(OutgoingMail)).all()}
        assert set(acks) == {
            "an.nguyen@gmail.example",
            "pv.hoang@tuoitre.vn",
            "phuhuynh@yahoo.example",
            "to.dan.pho@gmail.example",
            "ke.gia.mao@evil.example",
            "nguoi.gui@gmail.example",
        }
        assert plain.reference in acks["an.nguyen@gmail.example"].subject

    # the mail's PDFs are the cases' attachments: listed by the API and on the case page, and downloadable
    app = create_app(make_settings(isolated_url, **storage), engine=db, clock=Clock())
    with TestClient(app, base_url="https://testserver") as client:
        office = token(client, "office")
        for case_ref, name in ((pdf_case.reference, "van-ban.pdf"), (reference, "bo-sung.pdf")):
            listed = client.get(f"/api/v1/cases/{case_ref}/attachments", headers=office)
            assert listed.status_code == 200, listed.text
            [item] = listed.json()["items"]
            assert (item["filename"], item["content_type"], item["size"]) == (name, PDF_TYPE, len(PDF))
            assert item["sha256"] == hashlib.sha256(PDF).hexdigest() and item["created_by"] is None
            download = client.get(item["url"], headers=office)
            assert download.status_code == 200 and download.content == PDF
        login(client, "office")
        page = client.get(f"/staff/cases/{pdf_case.reference}")
        assert page.status_code == 200 and "van-ban.pdf" in page.text

    sink = SmtpSink()  # and the acknowledgements go out
    sink.start()
    try:
        smtp = make_settings(isolated_url, smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none")
        sent = outmail_worker.deliver(db, smtp, mailer=Mailer, worker_id="w", clock=lambda: NOW,
                                      should_stop=lambda: False)  # fmt: skip
        assert sent == 6
        [ack] = sink.to("an.nguyen@gmail.example")
        assert plain.reference in ack["Subject"] and ack["Auto-Submitted"] == "auto-replied"
        assert f"[{plain.reference}]" in ack.get_content()
    finally:
        sink.stop()


def test_a_40_mb_message_opens_a_case_without_its_attachment(db: Engine, isolated_url: str, dovecot: Dovecot) -> None:
    _org(db)
    big = bytes(range(256)) * (40 * 1024 * 4)  # 40 MB
    ident = make_msgid(domain="mail.example.vn")
    dovecot.deliver(message("quay.phim@gmail.example", "Clip vụ việc", "Gửi clip gốc.", message_id=ident,
                            attachments=(("clip.mp4", big, "video/mp4"),)))  # fmt: skip
    assert _poll(db, imap_settings(isolated_url, dovecot)) == 1
    with Session(db) as session:
        case = _case(session, ident)
        assert session.exec(select(Attachment)).all() == []
        note = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "note")).one()
        assert "MB" in (note.note or "")


def test_two_workers_take_each_message_once(db: Engine, isolated_url: str, dovecot: Dovecot) -> None:
    _org(db)
    for i in range(12):
        dovecot.deliver(message(f"nguoi{i}@gmail.example", f"Phản ánh số {i}", f"Nội dung {i}."))
    settings = imap_settings(isolated_url, dovecot)
    counts: list[int] = []

    def run() -> None:
        counts.append(_poll(db, settings))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(counts) == 12
    with Session(db) as session:
        assert len(session.exec(select(MailboxMessage)).all()) == 12
        assert len(session.exec(select(Case).where(Case.source_kind == SourceKind.PUBLIC_FEEDBACK)).all()) == 12
        assert len(session.exec(select(OutgoingMail)).all()) == 12


def test_a_message_is_not_taken_again_after_a_restart(db: Engine, isolated_url: str, dovecot: Dovecot) -> None:
    """The same Message-ID delivered again (or left unseen by a worker that died before flagging it) is skipped."""
    _org(db)
    ident = make_msgid(domain="mail.example.vn")
    raw = message("an.nguyen@gmail.example", "Phản ánh", "Nội dung.", message_id=ident)
    dovecot.deliver(raw)
    settings = imap_settings(isolated_url, dovecot)
    assert _poll(db, settings) == 1
    dovecot.deliver(raw)
    assert _poll(db, settings) == 0
    with Session(db) as session:
        assert len(session.exec(select(Case).where(Case.source_kind == SourceKind.PUBLIC_FEEDBACK)).all()) == 1


def test_reading_rules() -> None:
    assert rules.reference_in("Re: Fwd: [vv-2026-00042] Hỏi") == "VV-2026-00042"
    assert rules.reference_in("Về VV-2026-00042 không ngoặc") is None
    assert rules.outlet_for("mail.tuoitre.vn", {"tuoitre.vn": "Báo Tuổi Trẻ"}) == "Báo Tuổi Trẻ"
    assert rules.outlet_for("tuoitre.vn.evil.example", {"tuoitre.vn": "Báo Tuổi Trẻ"}) is None
    assert rules.is_automatic({"auto-submitted": "auto-replied"}) and not rules.is_automatic({})
    assert file_rules.sniff(PDF).content_type == PDF_TYPE  # the documents' rule, the same as for an upload
    assert not file_rules.sniff(b"MZ\x90\x00\x00" + b"\x00" * 100).allowed


def test_the_worker_rides_out_an_unreachable_mailbox_and_a_wrong_password(
    db: Engine, isolated_url: str, dovecot: Dovecot
) -> None:
    _org(db)
    dovecot.deliver(message("an.nguyen@gmail.example", "Phản ánh", "Nội dung."))
    down = make_settings(isolated_url, imap_url=f"imap://127.0.0.1:{free_port()}", imap_user="x", imap_password="y")
    wrong = imap_settings(isolated_url, dovecot, imap_password="sai-mat-khau")
    for settings in (down, wrong):
        worker = Worker(settings, engine=db, jobs=jobs())
        worker.run(once=True)  # logged, not raised: the next pass tries again
    worker = Worker(imap_settings(isolated_url, dovecot), engine=db, jobs=jobs())
    worker.run(once=True)
    with Session(db) as session:
        assert len(session.exec(select(MailboxMessage)).all()) == 1
