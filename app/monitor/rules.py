"""The rules of press monitoring, pure (no I/O): URL normalisation, watch-term matching, clustering of items into
stories, the emerging-issue score and the digest's window. docs/monitoring.md explains the methods.

Matching works on *folded* words (``app.text.fold``: no diacritics, lower case): "lạm thu" matches "LẠM THU" and
"lam thu", never "lam thuc", because a term is looked up as a whole run of words, never as a substring::

    >>> m = Matcher([TermSpec(1, "lạm thu", "facilities_finance_tuition", None)])
    >>> m.match("Phụ huynh phản ánh LẠM THU đầu năm", "").terms
    ['lạm thu']
    >>> m.match("Lam thuc tap", "").terms
    []

Clustering compares an item with the items of the last days by the IDF-weighted Jaccard similarity of their
words and word pairs (rare words — names, places, figures — weigh most): above ``CLUSTER_THRESHOLD`` the item
joins the most similar item's cluster, otherwise it starts its own.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.timeutil import LOCAL_TZ

# --- URLs ---------------------------------------------------------------------------------------------------

_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|zarsrc|gidzl|_ga|ref|cmpid)$", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """The same article whatever the tracking parameters: lower-case scheme and host, no default port, no
    fragment, no ``utm_*``/``fbclid``/… parameters, the rest of the query sorted, no trailing slash.

    >>> normalise_url("HTTPS://VnExpress.net:443/giao-duc/bai-1.html/?utm_source=fb&b=2&a=1#top")
    'https://vnexpress.net/giao-duc/bai-1.html?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    )
    return urlunsplit((scheme, host, path, query, ""))


def key_of(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    """What politeness is counted per: host and port."""
    return urlsplit(url).netloc.lower()


# --- folding (fast) -----------------------------------------------------------------------------------------


_WORD = re.compile(r"[0-9a-z]+")
# Non-ASCII punctuation that separates words (dropped characters would glue the words on either side together).
_SEPARATORS = "\u2013\u2014\u2026\u201c\u201d\u2018\u2019\u00ab\u00bb\u00b7\u2022\u00a0"


def fold_fast(value: str) -> str:
    """``app.text.fold`` for long texts, all in C: decompose (NFD), drop what is not ASCII (the diacritics), lower
    case. The same words as ``fold`` on Vietnamese text (đ → d first; separators turned into spaces)."""
    value = value.replace("đ", "d").replace("Đ", "D")
    if not value.isascii():
        for sep in _SEPARATORS:
            value = value.replace(sep, " ")
    return unicodedata.normalize("NFD", value).encode("ascii", "ignore").decode("ascii").lower()


def words(value: str) -> list[str]:
    """The folded words of a text (letters and digits; punctuation separates)."""
    return _WORD.findall(fold_fast(value))


# --- matching -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermSpec:
    id: int
    term: str
    topic: str | None
    unit_id: int | None


@dataclass(frozen=True)
class Match:
    terms: list[str]
    topic: str | None
    unit_id: int | None


_END = ""  # the key of a trie node that ends a term (no word is empty)


class Matcher:
    """All the watch terms at once, as a trie of folded words (``{"lam": {"thu": {"": term}}}``). From each word
    of an item the trie is walked as far as the following words allow, so the cost grows with the text (about one
    dictionary look-up a word), not with the number of terms.
    """

    def __init__(self, terms: Iterable[TermSpec]) -> None:
        self.trie: dict[str, Any] = {}
        self.count = 0
        for spec in terms:
            key = words(spec.term)
            if not key:
                continue
            node = self.trie
            for word in key:
                node = node.setdefault(word, {})
            if _END not in node:
                node[_END] = spec
                self.count += 1

    def __len__(self) -> int:
        return self.count

    def match(self, title: str, text: str) -> Match:
        """The terms found in the title and the text (in order of first appearance), the topic most of them
        carry and the unit of the most specific (longest) term that names one. A term in the title counts twice.
        """
        if not self.count:
            return Match([], None, None)
        found: dict[int, TermSpec] = {}
        counts: Counter[int] = Counter()
        trie = self.trie
        for weight, chunk in ((2, title), (1, text)):
            seq = words(chunk)
            n = len(seq)
            for i in range(n):
                node = trie.get(seq[i])
                j = i + 1
                while node is not None:
                    spec = node.get(_END)
                    if spec is not None:
                        found.setdefault(spec.id, spec)
                        counts[spec.id] += weight
                    node = node.get(seq[j]) if j < n else None
                    j += 1
        if not found:
            return Match([], None, None)
        specs = list(found.values())
        topics: Counter[str] = Counter()
        for spec in specs:
            if spec.topic:
                topics[spec.topic] += counts[spec.id]
        topic = topics.most_common(1)[0][0] if topics else None
        with_unit = [s for s in specs if s.unit_id is not None]
        unit = max(with_unit, key=lambda s: (len(words(s.term)), counts[s.id])).unit_id if with_unit else None
        return Match([s.term for s in specs], topic, unit)


# --- clustering ---------------------------------------------------------------------------------------------

# Words too common in Vietnamese news to tell two stories apart (folded).
STOPWORDS = frozenset(
    """va cua la co cac nhung duoc cho voi trong khi da se dang nay do thi tai ve tu mot hai ba nhu de den ra
    len vao bi boi theo tren duoi sau truoc cung con hay hoac nen neu vi ma nhieu it moi rat lai chi van ong ba
    em anh chi toi chung ho minh nguoi viec dieu cach phai khong chua cung theo dong thoi gian ngay thang nam
    sang chieu toi hom qua nay mai tuan luc gio phut tren so nhat tin bao cho biet cho hay noi rang ong
    """.split()
)
MAX_TEXT_WORDS = 120  # the lead of an article: what syndicated and rewritten versions share
CLUSTER_THRESHOLD = 0.2  # tuned on tests/data/monitor_clusters.json (bench/README.md)
CANDIDATE_KEYS = 12  # an item's rarest features that are looked up to find the items to compare with
CANDIDATE_MAX_DF = 0.01  # … among those found in at most 1 % of the indexed items (and at least 20)
CANDIDATES = 30  # the items sharing most of them are compared in full


def cluster_features(title: str, text: str) -> list[str]:
    """The features an item is compared by: the content words of its title and of the lead of its text, and
    their adjacent pairs (``"le loi"``, ``"2 ty"``): names, places and figures are what tell stories apart."""
    feats: set[str] = set()
    for chunk in (words(title), words(text)[:MAX_TEXT_WORDS]):
        content = [w for w in chunk if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
        feats.update(content)
        feats.update(f"{a} {b}" for a, b in zip(content, content[1:], strict=False))
    return sorted(feats)


@dataclass
class _Doc:
    cluster_id: int
    features: frozenset[str]


@dataclass
class ClusterIndex:
    """The recent items, for finding the story a new item belongs to. Document frequencies are counted over the
    index itself, so the weights adapt to what the press is writing about this week. The cost of a look-up is
    bounded: only rare features (in at most 1 % of the items) find candidates, and only the 30 candidates that
    share most of them are compared in full."""

    threshold: float = CLUSTER_THRESHOLD
    docs: dict[int, _Doc] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    postings: dict[str, list[int]] = field(default_factory=dict)
    _weights: dict[int, tuple[int, float]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, item_id: int, cluster_id: int, features: Sequence[str]) -> None:
        feats = frozenset(sys.intern(f) for f in features)  # one string per feature, shared by every item
        self.docs[item_id] = _Doc(cluster_id, feats)
        for f in feats:
            self.df[f] += 1
            self.postings.setdefault(f, []).append(item_id)

    def _idf(self, feature: str) -> float:
        return math.log((len(self.docs) + 1) / (self.df.get(feature, 0) + 0.5))

    def _weight(self, features: frozenset[str]) -> float:
        return sum(self._idf(f) for f in features)

    def _doc_weight(self, item_id: int) -> float:
        """An indexed item's total weight, kept until the index has doubled (the weights drift slowly)."""
        n = len(self.docs)
        cached = self._weights.get(item_id)
        if cached is None or n > cached[0] * 2:
            cached = (n, self._weight(self.docs[item_id].features))
            self._weights[item_id] = cached
        return cached[1]

    def similarity(self, a: frozenset[str], b: frozenset[str], *, weight_a: float | None = None,
                   weight_b: float | None = None) -> float:  # fmt: skip
        """IDF-weighted Jaccard: the weight of the shared features over the weight of all of them
        (W(a ∪ b) = W(a) + W(b) − W(a ∩ b))."""
        if not a or not b:
            return 0.0
        shared = self._weight(a & b)
        wa = self._weight(a) if weight_a is None else weight_a
        wb = self._weight(b) if weight_b is None else weight_b
        total = wa + wb - shared
        return shared / total if total > 0 else 0.0

    def best(self, features: Sequence[str]) -> tuple[int | None, float]:
        """The cluster of the most similar indexed item and the similarity, or ``(None, best score)`` when no
        item reaches the threshold."""
        feats = frozenset(features)
        cap = max(20, int(len(self.docs) * CANDIDATE_MAX_DF))
        known = [f for f in feats if 0 < self.df.get(f, 0) <= cap]
        rare = sorted(known, key=lambda f: (self.df[f], f))[:CANDIDATE_KEYS]
        shared: Counter[int] = Counter()
        for f in rare:
            shared.update(self.postings[f])
        candidates = sorted(item for item, _n in shared.most_common(CANDIDATES))
        best_id, best_score = None, 0.0
        weight = self._weight(feats)
        for item_id in candidates:
            score = self.similarity(feats, self.docs[item_id].features, weight_a=weight,
                                    weight_b=self._doc_weight(item_id))  # fmt: skip
            if score > best_score:
                best_id, best_score = item_id, score
        if best_id is not None and best_score >= self.threshold:
            return self.docs[best_id].cluster_id, best_score
        return None, best_score


def pairwise_scores(truth: Sequence[str], predicted: Sequence[int | str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against labels: over all pairs of items put together by the
    clustering, the share that belong together (precision); over all pairs that belong together, the share the
    clustering put together (recall)."""

    def pairs(labels: Sequence[int | str]) -> set[tuple[int, int]]:
        groups: dict[int | str, list[int]] = {}
        for i, label in enumerate(labels):
            groups.setdefault(label, []).append(i)
        return {(a, b) for members in groups.values() for i, a in enumerate(members) for b in members[i + 1 :]}

    true_pairs, found = pairs(list(truth)), pairs(list(predicted))
    precision = len(true_pairs & found) / len(found) if found else 1.0
    recall = len(true_pairs & found) / len(true_pairs) if true_pairs else 1.0
    return precision, recall


# --- emerging issues ----------------------------------------------------------------------------------------

BASELINE_DAYS = 14  # the days before the window that make a topic's own baseline
PRIOR = 0.5  # mentions a day assumed for a topic never seen (so that a first few mentions are not infinite news)
EMERGING_SCORE = 3.0  # -log10 of the Poisson tail probability: 3 = one chance in a thousand
EMERGING_MIN_COUNT = 3


def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    term = math.exp(-lam)
    below = term
    for i in range(1, k):
        term *= lam / i
        below += term
    return max(1.0 - below, 0.0) if below < 0.999999 else _tail_direct(k, lam)


def _tail_direct(k: int, lam: float) -> float:
    # Summing the upper tail directly keeps precision when it is tiny.
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1) if lam > 0 else (0.0 if k == 0 else -math.inf)
    total, i = 0.0, k
    while True:
        value = math.exp(log_term)
        total += value
        if value < 1e-300 or value < total * 1e-12 or i > k + 10_000:
            return total
        i += 1
        log_term += math.log(lam) - math.log(i)


@dataclass(frozen=True)
class Emerging:
    count: int
    baseline: float  # expected mentions in the window
    score: float  # -log10 P(X ≥ count | baseline)

    @property
    def flagged(self) -> bool:
        return self.count >= EMERGING_MIN_COUNT and self.score >= EMERGING_SCORE


def emerging_score(count: int, history: Sequence[int], *, window_days: float = 1.0) -> Emerging:
    """Mentions in the window against the topic's own past: ``history`` holds its daily counts over the
    baseline days before the window. The expected count is their mean (at least ``PRIOR`` a day) times the
    window's length; the score is how surprising the count is under a Poisson law of that mean."""
    mean = max(sum(history) / len(history), PRIOR) if history else PRIOR
    expected = mean * window_days
    if count <= expected:
        return Emerging(count, round(expected, 2), 0.0)
    p = poisson_tail(count, expected)
    score = -math.log10(p) if p > 0 else 300.0
    return Emerging(count, round(expected, 2), round(score, 2))


# --- the digest ---------------------------------------------------------------------------------------------


def digest_window(day: date, at: time) -> tuple[datetime, datetime]:
    """The 24 hours before ``at`` (07:00) local time of ``day``, in UTC."""
    until = datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)
    return until - timedelta(hours=24), until


def parse_clock(value: str) -> time:
    """``"07:00"`` → 07:00 (the digest time setting)."""
    hour, _sep, minute = value.strip().partition(":")
    return time(int(hour), int(minute or 0))


# --- polling ------------------------------------------------------------------------------------------------

UNHEALTHY_AFTER = 3  # failed polls in a row
MAX_BACKOFF = timedelta(hours=24)


@dataclass(frozen=True)
class Entry:
    """One article as a source gave it, before it is stored."""

    url: str
    title: str
    text: str = ""
    guid: str | None = None
    published_at: datetime | None = None


def next_poll_delay(poll_minutes: int, failures: int) -> timedelta:
    """When to poll again: the source's own interval, doubled for every failure past the unhealthy mark
    (3 failures: ×2, 4: ×4 …), at most a day, so a dead source is not retried in a tight loop."""
    base = timedelta(minutes=poll_minutes)
    if failures < UNHEALTHY_AFTER:
        return base
    delay: timedelta = base * 2 ** min(failures - UNHEALTHY_AFTER + 1, 16)
    return min(delay, MAX_BACKOFF)


def is_healthy(failures: int) -> bool:
    return failures < UNHEALTHY_AFTER


def excerpt(text: str, limit: int = 400) -> str:
    """The first ``limit`` characters of a text, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"
