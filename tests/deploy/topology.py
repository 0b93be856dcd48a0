"""compose.yaml's topology started from plain processes on 127.0.0.1, for tests/deploy/test_topology.py: a
throwaway PostgreSQL primary (and its streaming replica), a Redis of the test's own, three ``crisisdesk serve``
processes, nginx from Debian with deploy/nginx.conf.template, and two ``crisisdesk worker`` processes sending to
the tests' SMTP sink. Every process writes its output to a file of ``root`` (shown when a check fails).

Clients choose their address on the loopback network (any of 127.0.0.0/8): nginx, and only nginx, talks to the web
processes from 127.0.0.1, the one address they trust for X-Forwarded-For; readers come from 127.0.0.10 and up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.migrate import upgrade
from deploy.nginx import TEMPLATE, fill
from tests.support.net import free_port
from tests.support.pgcluster import replicated_pair
from tests.support.redis_server import RedisServer
from tests.support.serve import Web, serve
from tests.support.smtp import SmtpSink

CRISISDESK = Path(sys.executable).with_name("crisisdesk")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_ADDRESS = "127.0.0.1"  # where nginx connects to the web processes from: their one trusted proxy
SECRET = "topology-test-secret-" + "k3Yq9XwZ2mVb7LcR"


@dataclass
class Process:
    """nginx or a worker (the web processes are tests/support/serve.py's ``Web``)."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)


@dataclass
class Topology:
    root: Path
    primary_url: str
    replica_url: str
    sink: SmtpSink
    nginx_port: int = field(default_factory=free_port)
    webs: list[Web] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)

    @property
    def nginx(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def web(self, i: int) -> str:
        return self.webs[i].url

    def logs(self) -> str:
        """The last lines of every process's output, for a failing check."""
        parts = []
        for name, log, code in [(w.name, w.log, w.process.poll()) for w in self.webs] + [
            (p.name, p.log, p.popen.poll()) for p in self.processes
        ]:
            lines = log.read_text(errors="replace").splitlines() if log.exists() else []
            parts.append(f"--- {name} (exit {code}) ---\n" + "\n".join(lines[-15:]))
        return "\n".join(parts)


def client(source: str, base_url: str) -> httpx.Client:
    """An HTTP client whose connections come from ``source`` (an address of 127.0.0.0/8)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), base_url=base_url, timeout=10)


def _start(topology: Topology, name: str, args: list[str], env: dict[str, str] | None = None) -> Process:
    log = topology.root / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    process = Process(name, popen, log)
    topology.processes.append(process)
    return process


def app_environment(topology: Topology, redis_url: str, **extra: str) -> dict[str, str]:
    """What compose.yaml gives the app's containers, pointed at the test's processes."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CRISISDESK_", "PROMETHEUS_"))}
    env.update({
        "DATABASE_URL": topology.primary_url,
        "CRISISDESK_DATABASE_READ_URL": topology.replica_url,
        "CRISISDESK_REDIS_URL": redis_url,
        "CRISISDESK_TRUSTED_PROXIES": NGINX_ADDRESS,
        "CRISISDESK_ENVIRONMENT": "test",
        "CRISISDESK_SECRET_KEY": SECRET,  # one secret for all: a token from one process is good at the others
        "CRISISDESK_ARGON2_TIME_COST": "1",
        "CRISISDESK_ARGON2_MEMORY_COST": "1024",
        "CRISISDESK_SMTP_HOST": "127.0.0.1",
        "CRISISDESK_SMTP_PORT": str(topology.sink.port),
        "CRISISDESK_SMTP_SECURITY": "none",
        "CRISISDESK_PUBLIC_BASE_URL": "http://crisisdesk.test",
        "CRISISDESK_LOG_LEVEL": "WARNING",
        **extra,
    })  # fmt: skip
    return env


def _nginx_config(topology: Topology, run: Path) -> Path:
    run.chmod(0o755)  # nginx's worker processes (nobody) keep their temporary files and the cache in it
    values = {
        "NGINX_USER": "nobody nogroup",  # ignored, with a warning, when the test does not run as root
        "NGINX_LISTEN": f"127.0.0.1:{topology.nginx_port}",
        "NGINX_RUN_DIR": str(run),
        "NGINX_ACCESS_LOG": str(run / "access.log"),
        **{f"CRISISDESK_WEB_{i + 1}": f"127.0.0.1:{web.port}" for i, web in enumerate(topology.webs)},
    }
    config = run / "nginx.conf"
    config.write_text(fill(TEMPLATE.read_text(encoding="utf-8"), values), encoding="utf-8")
    return config


def _wait_ready(topology: Topology, url: str, exited: Callable[[], int | None], timeout: float = 180.0) -> None:
    """Until ``url`` answers 200. The deadline is generous: five Python processes importing the app at once take
    ~25 s of CPU, which a shared 2-core machine may spread over a minute or more."""
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        if exited() is not None:
            raise RuntimeError(f"{url}: the process exited:\n{topology.logs()}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s ({last}):\n{topology.logs()}")


@contextmanager
def started(root: Path, *, web_env: dict[str, str], worker_env: dict[str, str]) -> Iterator[Topology]:
    """The whole topology, migrated and ready: every web process answers /readyz, nginx its health check, and the
    two workers are started (the test waits for their heartbeats when it needs them)."""
    with ExitStack() as stack:
        pair = stack.enter_context(replicated_pair())
        upgrade(pair.primary.url)  # the release step, as `crisisdesk migrate`; the replica follows
        pair.wait_replayed()
        sink = SmtpSink(delay=0.005).start()
        stack.callback(sink.stop)
        redis = RedisServer()
        stack.callback(redis.destroy)
        topology = Topology(root=root, primary_url=pair.primary.url, replica_url=pair.standby.url, sink=sink)

        def stop_all() -> None:
            for process in reversed(topology.processes):
                process.stop()
            for web in topology.webs:
                web.stop()

        stack.callback(stop_all)
        for i in range(3):
            env = app_environment(topology, redis.url, **web_env)
            topology.webs.append(serve(f"web{i + 1}", env, root / f"web{i + 1}.log"))
        env = app_environment(topology, redis.url, **worker_env)
        for i in range(2):
            _start(topology, f"worker{i + 1}", [str(CRISISDESK), "worker", "--poll", "0.2"], env)
        run = Path(tempfile.mkdtemp(prefix="crisisdesk-nginx-"))  # not under pytest's 0700 folders: nobody reads it
        stack.callback(shutil.rmtree, run, ignore_errors=True)
        config = _nginx_config(topology, run)
        check = subprocess.run([NGINX, "-t", "-e", "stderr", "-p", str(run), "-c", str(config)],
                               capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stderr
        nginx = _start(topology, "nginx", [NGINX, "-e", "stderr", "-p", str(run), "-c", str(config),
                                           "-g", "daemon off;"])  # fmt: skip
        for web in topology.webs:
            _wait_ready(topology, f"{web.url}/readyz", web.process.poll)
        _wait_ready(topology, f"{topology.nginx}/nginx-health", nginx.popen.poll)
        try:
            yield topology
        except BaseException:
            print(topology.logs())  # noqa: T201  (pytest shows it beside the failure)
            raise
