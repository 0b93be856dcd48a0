"""Real servers for the channel tests, each on 127.0.0.1 and a free high port, stopped by the test:
Debian's dovecot (IMAP, a temporary maildir), a webhook receiver that checks signatures. The SMTP sink
is the tests' one, in tests/support/smtp.py."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from app.webhooks.events import verify
from tests.support.net import free_port, wait_for_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


# --- IMAP ---------------------------------------------------------------------------------------------------


class Dovecot:
    """dovecot-imapd with a passwd-file user and a maildir under a temporary directory."""

    user = "press@sgddt.example.gov.vn"
    password = "hop-thu-bao-chi"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="crisisdesk-imap-"))
        self.root.chmod(0o755)
        nobody = pwd.getpwnam("nobody")
        self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
        self.home = self.root / "home"
        self.maildir = self.home / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        for path in [self.home, *self.home.rglob("*")]:
            os.chown(path, self.uid, self.gid)
        self.port = free_port()
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        (self.root / "run").mkdir()
        self.config = self.root / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/run
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {self.uid}
last_valid_uid = {self.uid}
mail_location = maildir:{self.maildir}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.home}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"imap://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)  # fmt: skip
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot did not start: {log[-2000:]}") from None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def deliver(self, raw: bytes) -> None:
        """Drop a message into the maildir's ``new/``, as a delivery agent would."""
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.crisisdesk-test"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, self.uid, self.gid)
        tmp.rename(self.maildir / "new" / name)


# --- webhooks -----------------------------------------------------------------------------------------------


class Receiver:
    """An HTTP endpoint that verifies each delivery's signature, can fail the first N deliveries, and can be down
    (its socket closed) for a while. ``accepted`` holds the bodies it answered 2xx to, in arrival order."""

    def __init__(self, secret: str, *, fail_first: int = 0) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.attempts = 0
        self.accepted: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
                pass

            def do_POST(self) -> None:  # noqa: N802 (the base class's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = int(self.headers.get("X-CrisisDesk-Timestamp", "0"))
                signature = self.headers.get("X-CrisisDesk-Signature", "")
                with receiver.lock:
                    receiver.attempts += 1
                    if not verify(receiver.secret, timestamp, body, signature, now=int(time.time())):
                        receiver.bad_signatures += 1
                        status = 401
                    elif receiver.fail_first > 0:
                        receiver.fail_first -= 1
                        status = 503
                    else:
                        document = json.loads(body)
                        document["_headers"] = dict(self.headers.items())
                        receiver.accepted.append(document)
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(d["id"] for d in self.accepted)

    def types(self) -> list[str]:
        with self.lock:
            return [d["type"] for d in self.accepted]
