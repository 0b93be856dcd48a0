"""Sending e-mail over SMTP (plain, STARTTLS or implicit TLS). Used only by the worker process."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from types import TracebackType

from app.settings import Settings


class Mailer:
    """One SMTP connection, reused for a batch of messages: ``with Mailer(settings) as m: m.send(...)``."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("CRISISDESK_SMTP_HOST is not set")
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.settings
        assert s.smtp_host is not None
        if s.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password.get_secret_value() if s.smtp_password else "")
        self._smtp = smtp
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                self._smtp.close()
            except OSError:
                pass
            self._smtp = None

    def send(self, *, to: str, subject: str, body: str, key: str, headers: dict[str, str] | None = None) -> None:
        """Send one message; ``key`` (the notification's dedupe key) makes its Message-ID stable; ``headers`` adds
        more (e.g. ``List-Unsubscribe``)."""
        assert self._smtp is not None, "use the mailer as a context manager"
        msg = EmailMessage()
        msg["From"] = self.settings.smtp_sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', key)}@crisisdesk>"
        msg["X-CrisisDesk-Notification"] = key
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(body)
        self._smtp.send_message(msg)
