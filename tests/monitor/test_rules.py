"""The pure rules of press monitoring: URLs, matching, clustering, the emerging score, the digest's window."""

from __future__ import annotations

import doctest
import json
import math
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.monitor import rules
from app.monitor.rules import ClusterIndex, Matcher, TermSpec
from app.text import fold

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

DATA = Path(__file__).resolve().parent.parent / "data" / "monitor_clusters.json"


def test_doctests() -> None:
    assert doctest.testmod(rules).failed == 0


class TestNormaliseUrl:
    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("https://vnexpress.net/a.html", "HTTPS://VNEXPRESS.NET/a.html"),
            ("https://vnexpress.net/a.html", "https://vnexpress.net:443/a.html#comments"),
            ("https://vnexpress.net/a.html", "https://vnexpress.net/a.html?utm_source=fb&utm_medium=social"),
            ("https://vnexpress.net/a.html?b=2&a=1", "https://vnexpress.net/a.html?a=1&b=2&fbclid=xyz"),
            ("https://vnexpress.net/muc/", "https://vnexpress.net/muc"),
        ],
    )
    def test_same_article(self, a: str, b: str) -> None:
        assert rules.normalise_url(a) == rules.normalise_url(b)

    def test_different_articles(self) -> None:
        assert rules.normalise_url("https://a.vn/x?id=1") != rules.normalise_url("https://a.vn/x?id=2")
        assert rules.normalise_url("http://a.vn:8080/x") != rules.normalise_url("http://a.vn/x")


class TestMatching:
    matcher = Matcher([
        TermSpec(1, "lạm thu", "facilities_finance_tuition", None),
        TermSpec(2, "Trường THPT Lê Quý Đôn", None, 7),
        TermSpec(3, "bạo lực học đường", "ethics_school_safety", None),
        TermSpec(4, "học phí", "facilities_finance_tuition", 3),
        TermSpec(5, "Đề thi", "education_quality", None),
    ])  # fmt: skip

    @pytest.mark.parametrize("text", ["lạm thu", "LẠM THU", "lam thu", "Lạm Thu", "…tình trạng lạm-thu đầu năm"])
    def test_without_diacritics_or_case(self, text: str) -> None:
        assert self.matcher.match(text, "").terms == ["lạm thu"]

    @pytest.mark.parametrize("text", ["lam thuc", "lạm thuế", "blam thu", "lam thuy"])
    def test_on_word_boundaries(self, text: str) -> None:
        assert self.matcher.match(text, "").terms == []

    def test_topic_and_unit_guess(self) -> None:
        m = self.matcher.match("Phụ huynh Trường THPT Lê Quý Đôn phản ánh lạm thu",
                               "Nhà trường thu thêm ngoài học phí nhiều khoản.")  # fmt: skip
        assert set(m.terms) == {"lạm thu", "Trường THPT Lê Quý Đôn", "học phí"}
        assert m.topic == "facilities_finance_tuition"
        assert m.unit_id == 7  # the longest term that names a unit

    def test_text_too(self) -> None:
        assert self.matcher.match("Tin giáo dục", "Có dấu hiệu BẠO LỰC HỌC ĐƯỜNG tại lớp 8A").terms == [
            "bạo lực học đường"
        ]

    def test_no_terms(self) -> None:
        assert Matcher([]).match("lạm thu", "").terms == []

    def test_fast_fold_agrees_with_fold(self) -> None:
        sample = "Sở GIÁO DỤC và Đào tạo: Trường THCS Nguyễn Du; ĐỀ THI tuyển sinh lớp 10 — ưu tiên, ỷ lại, ữ ự"
        assert rules.words(sample) == re.findall(r"[0-9a-z]+", fold(sample))
        assert rules.words("năm…Sở 2–3") == ["nam", "so", "2", "3"]


class TestClustering:
    def test_labelled_set_reaches_the_targets(self) -> None:
        items = json.loads(DATA.read_text(encoding="utf-8"))["items"]
        assert len(items) >= 200
        index = ClusterIndex()
        predicted: list[int] = []
        for i, item in enumerate(items):
            feats = rules.cluster_features(item["title"], item["text"])
            cluster, _score = index.best(feats)
            cluster = i if cluster is None else cluster
            index.add(i, cluster, feats)
            predicted.append(cluster)
        precision, recall = rules.pairwise_scores([i["story"] for i in items], predicted)
        assert precision >= 0.9 and recall >= 0.9, (precision, recall)

    def test_pairwise_scores(self) -> None:
        assert rules.pairwise_scores(["a", "a", "b"], [1, 1, 2]) == (1.0, 1.0)
        precision, recall = rules.pairwise_scores(["a", "a", "b"], [1, 1, 1])
        assert precision == pytest.approx(1 / 3) and recall == 1.0
        assert rules.pairwise_scores(["a", "a", "b"], [1, 2, 3]) == (1.0, 0.0)


class TestEmerging:
    def test_poisson_tail(self) -> None:
        assert rules.poisson_tail(0, 2.0) == 1.0
        assert rules.poisson_tail(1, 2.0) == pytest.approx(1 - math.exp(-2))
        assert rules.poisson_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * (1 + 1 + 0.5))
        assert 0 < rules.poisson_tail(60, 1.0) < 1e-60

    def test_burst_is_flagged_and_usual_level_is_not(self) -> None:
        usual = [2, 3, 1, 2, 2, 3, 2, 1, 2, 2, 3, 2, 2, 1]
        assert not rules.emerging_score(3, usual).flagged
        burst = rules.emerging_score(12, usual)
        assert burst.flagged and burst.baseline == pytest.approx(2.0) and burst.score > 3

    def test_a_few_mentions_of_a_quiet_topic_are_not_news(self) -> None:
        assert not rules.emerging_score(2, [0] * 14).flagged
        assert rules.emerging_score(6, [0] * 14).flagged

    def test_week_window(self) -> None:
        e = rules.emerging_score(40, [1] * 21, window_days=7)
        assert e.baseline == pytest.approx(7.0) and e.flagged


class TestPolling:
    def test_backoff(self) -> None:
        assert rules.next_poll_delay(30, 0) == timedelta(minutes=30)
        assert rules.next_poll_delay(30, 2) == timedelta(minutes=30)
        assert rules.next_poll_delay(30, 3) == timedelta(minutes=60)
        assert rules.next_poll_delay(30, 4) == timedelta(minutes=120)
        assert rules.next_poll_delay(30, 40) == timedelta(hours=24)
        assert not rules.is_healthy(3) and rules.is_healthy(2)


def test_digest_window() -> None:
    since, until = rules.digest_window(date(2026, 11, 28), time(7, 0))
    assert until == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert since == until - timedelta(hours=24)
    assert rules.parse_clock("7:30") == time(7, 30)
