"""Prometheus metrics: what the web processes measure, and what is read from the database at scrape time.

Two kinds of metrics, and where to add one:

* **Process metrics** change inside a web process (request latency, requests in progress). They are module-level
  ``prometheus_client`` objects below. With several uvicorn workers, prometheus-client's multiprocess mode
  (``PROMETHEUS_MULTIPROC_DIR``, set up by ``crisisdesk serve --workers N``) keeps their values in files that every
  worker aggregates when scraped, so any worker answers for all of them.
* **Database metrics** describe the state of the service (open cases, clocks overdue, the worker's queue, e-mails
  sent and failed). The database is the only state the processes share, so these are computed when ``/metrics``
  is scraped, with one cheap grouped query each, by whichever process answers. Register one with
  :func:`database_metric`; the function receives a read-only session and the time, and yields
  ``(label values, value)`` pairs. Counters of the worker process (e-mails sent) belong here too, counted from the
  rows the worker writes: the worker has no HTTP port and its in-memory counters would be invisible.
* **Redis metrics** (``CRISISDESK_REDIS_URL``) are process metrics made on first use (:func:`redis_up`,
  :func:`public_pushes`), so a deployment without Redis exports none of them.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import math
import os
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlmodel import Session

log = logging.getLogger("crisisdesk.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Exports of 100,000 rows take tens of seconds: the buckets go past the usual 10 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

REQUEST_LATENCY = Histogram(
    "crisisdesk_http_request_duration_seconds",
    "Time to serve an HTTP request, by route template, method and status class (2xx, 4xx …).",
    ["method", "route", "status_class"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS_IN_PROGRESS = Gauge(
    "crisisdesk_http_requests_in_progress",
    "HTTP requests being served now.",
    ["method"],
    multiprocess_mode="livesum",
)


class HistogramBatch:
    """Observations of a labelled histogram counted in the process and added to it in bulk: at most every
    ``flush_seconds`` (by the event loop), before this process renders ``/metrics``, and at exit.

    A request's observation is then a bucket look-up and two additions under an uncontended lock, instead of two
    locked increments of the histogram (files written through ``mmap`` with several workers). A scrape answered by
    this process sees every request it finished; one answered by another worker (multiprocess mode) may miss this
    one's last ``flush_seconds``. The bulk add uses prometheus-client's own per-bucket values (``_sum``,
    ``_buckets``), pinned by ``tests/web/test_metrics.py`` against ``observe``.
    """

    def __init__(self, histogram: Histogram, buckets: tuple[float, ...], *, flush_seconds: float = 0.2) -> None:
        self.histogram = histogram
        self.bounds = (*buckets, math.inf)
        self.flush_seconds = flush_seconds
        self._pending: dict[tuple[str, ...], list[float]] = {}  # labels → [sum, count of each bucket …]
        self._children: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()
        self._scheduled = False
        atexit.register(self.flush)

    def observe(self, labels: tuple[str, ...], value: float) -> None:
        lock = self._lock
        lock.acquire()  # not ``with``: this runs for every request, and the protocol's two calls cost as much
        try:
            counts = self._pending.get(labels)
            if counts is None:
                counts = self._pending[labels] = [0.0] * (len(self.bounds) + 1)
            counts[0] += value
            counts[bisect_left(self.bounds, value) + 1] += 1  # the first bucket whose bound is ≥ the value
            if self._scheduled:
                return
            self._scheduled = True
        finally:
            lock.release()
        try:
            asyncio.get_running_loop().call_later(self.flush_seconds, self.flush)
        except RuntimeError:  # no event loop (a thread, a script): now
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._scheduled = False
        for labels, counts in pending.items():
            child = self._children.get(labels)
            if child is None:
                child = self._children[labels] = self.histogram.labels(*labels)
            child._sum.inc(counts[0])
            for bucket, count in zip(child._buckets, counts[1:], strict=True):
                if count:
                    bucket.inc(count)


# What the request middleware observes (app/web/observability.py): (method, route, status class) → seconds.
REQUEST_LATENCY_BATCH = HistogramBatch(REQUEST_LATENCY, LATENCY_BUCKETS)

READ_SESSIONS = Counter(
    "crisisdesk_db_read_sessions_total",
    "Sessions opened for reads that may lag (public side, reports, exports) with a read replica configured, by "
    "the database that served them: replica, or primary (the replica lagging, down, or behind the client's write).",
    ["database"],
)


@lru_cache(maxsize=1)
def _redis_up_gauge() -> Gauge:
    return Gauge(
        "crisisdesk_redis_up",
        "1 while this process reaches Redis (shared rate limits, publication push); 0 while it falls back to its own "
        "limits and the polling bound. With several workers: the lowest of them.",
        multiprocess_mode="livemin",
    )


def redis_up(up: bool) -> None:
    _redis_up_gauge().set(1.0 if up else 0.0)


@lru_cache(maxsize=1)
def public_pushes() -> Counter:
    """Publications pushed to this process through Redis (each expires its public cache at once)."""
    return Counter("crisisdesk_public_pushes", "Publications pushed to this process by Redis pub/sub.")


# --- database metrics -------------------------------------------------------------------------------------------

Sampler = Callable[[Session, datetime], Iterable[tuple[tuple[str, ...], float]]]


@dataclass(frozen=True)
class DatabaseMetric:
    name: str
    documentation: str
    labels: tuple[str, ...]
    sample: Sampler
    kind: Literal["gauge", "counter"] = "gauge"


DATABASE_METRICS: dict[str, DatabaseMetric] = {}


def database_metric(
    name: str, documentation: str, labels: tuple[str, ...] = (), kind: Literal["gauge", "counter"] = "gauge"
) -> Callable[[Sampler], Sampler]:
    """Register a metric read from the database at scrape time (a decorator on its sampling function)."""

    def register(sample: Sampler) -> Sampler:
        DATABASE_METRICS[name] = DatabaseMetric(name, documentation, labels, sample, kind)
        return sample

    return register


class DatabaseCollector(Collector):
    """Runs every registered database metric in one read-only session; ``crisisdesk_database_up`` says if it could."""

    def __init__(self, open_session: Callable[[], Session], clock: Callable[[], datetime]) -> None:
        self.open_session = open_session
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        up = 1.0
        families: list[Metric] = []
        try:
            with self.open_session() as session:
                now = self.clock()
                for metric in DATABASE_METRICS.values():
                    family: GaugeMetricFamily | CounterMetricFamily
                    if metric.kind == "counter":
                        family = CounterMetricFamily(metric.name, metric.documentation, labels=metric.labels)
                    else:
                        family = GaugeMetricFamily(metric.name, metric.documentation, labels=metric.labels)
                    for values, value in metric.sample(session, now):
                        family.add_metric(list(values), value)
                    families.append(family)
        except Exception:
            log.exception("metrics: the database could not be read")
            up = 0.0
            families = []
        yield from families
        yield GaugeMetricFamily("crisisdesk_database_up", "1 if the last scrape could read the database.", value=up)


# --- several processes ------------------------------------------------------------------------------------------


def _forget_dead_processes(directory: str) -> None:
    """Drop the in-progress values of worker processes that died (uvicorn restarts them with a new pid)."""
    for file in Path(directory).glob("gauge_live*_*.db"):
        try:
            pid = int(file.stem.rsplit("_", 1)[1])
        except ValueError:
            continue
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def render(database: DatabaseCollector, multiproc_dir: str | None) -> bytes:
    """The text exposition of every metric: this process's (or all workers') plus the database's."""
    REQUEST_LATENCY_BATCH.flush()
    registry = CollectorRegistry(auto_describe=False)
    if multiproc_dir:
        _forget_dead_processes(multiproc_dir)
        multiprocess.MultiProcessCollector(registry, path=multiproc_dir)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)  # our metrics plus the process and Python collectors
    db_registry = CollectorRegistry(auto_describe=False)
    db_registry.register(database)
    return body + generate_latest(db_registry)
