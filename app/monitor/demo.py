"""The monitoring part of ``crisisdesk demo``: the education feeds of a dozen Vietnamese outlets (their real
addresses, disabled, since the demo must run offline: switch one on in /staff/monitor/sources), watch terms for
the Sở's units, its schools and the plan's seven themes, and two weeks of items taken from the labelled set of
``tests/data/`` (invented stories) so that the pages, the digest and the emerging issues have something to show.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.cases.vocabulary import Topic
from app.monitor import rules, service
from app.monitor.models import DigestSubscription, MonitorSource, SourceKind, WatchTerm
from app.org.models import Unit, User

# outlet, name, address (the outlets' own RSS feeds of their education sections)
SOURCES: list[tuple[str, str, str]] = [
    ("VnExpress", "VnExpress — Giáo dục", "https://vnexpress.net/rss/giao-duc.rss"),
    ("Tuổi Trẻ", "Tuổi Trẻ — Giáo dục", "https://tuoitre.vn/rss/giao-duc.rss"),
    ("Thanh Niên", "Thanh Niên — Giáo dục", "https://thanhnien.vn/rss/giao-duc.rss"),
    ("Dân trí", "Dân trí — Giáo dục", "https://dantri.com.vn/rss/giao-duc.rss"),
    ("VietNamNet", "VietNamNet — Giáo dục", "https://vietnamnet.vn/rss/giao-duc.rss"),
    ("Người Lao Động", "Người Lao Động — Giáo dục, khoa học", "https://nld.com.vn/rss/giao-duc-khoa-hoc.rss"),
    ("Lao Động", "Lao Động — Giáo dục", "https://laodong.vn/rss/giao-duc.rss"),
    ("Tiền Phong", "Tiền Phong — Giáo dục", "https://tienphong.vn/rss/giao-duc-71.rss"),
    ("VTC News", "VTC News — Giáo dục", "https://vtcnews.vn/rss/giao-duc.rss"),
    ("Báo Tin tức", "Báo Tin tức (TTXVN) — Giáo dục", "https://baotintuc.vn/giao-duc.rss"),
    ("Pháp Luật TP.HCM", "Pháp Luật TP.HCM — Giáo dục", "https://plo.vn/rss/giao-duc-21.rss"),
    ("Vietnamplus", "Vietnamplus — Xã hội", "https://www.vietnamplus.vn/rss/xahoi.rss"),
]

T = Topic
# term, topic, unit code
TERMS: list[tuple[str, Topic | None, str | None]] = [
    # the plan's seven themes
    ("đổi mới giáo dục", T.POLICY_REFORM, None), ("chương trình giáo dục phổ thông", T.POLICY_REFORM, None),
    ("sáp nhập trường", T.POLICY_REFORM, None), ("miễn học phí", T.POLICY_REFORM, "KHTC"),
    ("bạo lực học đường", T.ETHICS_SCHOOL_SAFETY, "CTTT"), ("đánh hội đồng", T.ETHICS_SCHOOL_SAFETY, "CTTT"),
    ("đánh bạn", T.ETHICS_SCHOOL_SAFETY, "CTTT"), ("véo tai", T.ETHICS_SCHOOL_SAFETY, None),
    ("ngộ độc", T.ETHICS_SCHOOL_SAFETY, None), ("đuối nước", T.ETHICS_SCHOOL_SAFETY, "CTTT"),
    ("tư vấn tâm lý", T.ETHICS_SCHOOL_SAFETY, "CTTT"), ("an toàn thực phẩm", T.ETHICS_SCHOOL_SAFETY, None),
    ("điểm chuẩn", T.EDUCATION_QUALITY, "KTKD"), ("tuyển sinh", T.EDUCATION_QUALITY, "KTKD"),
    ("đề thi", T.EDUCATION_QUALITY, "KTKD"), ("lộ đề", T.EDUCATION_QUALITY, "KTKD"),
    ("dạy thêm", T.EDUCATION_QUALITY, "TTr"), ("học thêm", T.EDUCATION_QUALITY, "TTr"),
    ("sách giáo khoa", T.EDUCATION_QUALITY, "GDTH"), ("học sinh giỏi", T.EDUCATION_QUALITY, "GDTrH"),
    ("thiếu giáo viên", T.TEACHERS_MANAGERS, "TCCB"), ("nghỉ việc", T.TEACHERS_MANAGERS, "TCCB"),
    ("thu nhập tăng thêm", T.TEACHERS_MANAGERS, "KHTC"), ("tuyển dụng giáo viên", T.TEACHERS_MANAGERS, "TCCB"),
    ("lạm thu", T.FACILITIES_FINANCE_TUITION, "KHTC"), ("học phí", T.FACILITIES_FINANCE_TUITION, "KHTC"),
    ("khoản thu", T.FACILITIES_FINANCE_TUITION, "KHTC"), ("quỹ lớp", T.FACILITIES_FINANCE_TUITION, None),
    ("bán trú", T.FACILITIES_FINANCE_TUITION, None), ("phòng học", T.FACILITIES_FINANCE_TUITION, "KHTC"),
    ("xuống cấp", T.FACILITIES_FINANCE_TUITION, "KHTC"), ("sập trần", T.FACILITIES_FINANCE_TUITION, "KHTC"),
    ("thủ tục hành chính", T.ADMIN_REFORM_ONLINE_SERVICES, "VP"),
    ("dịch vụ công trực tuyến", T.ADMIN_REFORM_ONLINE_SERVICES, "VP"),
    ("cổng tuyển sinh", T.ADMIN_REFORM_ONLINE_SERVICES, "TTTT"), ("văn bằng", T.ADMIN_REFORM_ONLINE_SERVICES, "VP"),
    ("chuyển đổi số", T.DIGITAL_TRANSFORMATION, "TTTT"), ("học bạ số", T.DIGITAL_TRANSFORMATION, "TTTT"),
    ("sổ liên lạc điện tử", T.DIGITAL_TRANSFORMATION, "TTTT"),
    ("phần mềm quản lý", T.DIGITAL_TRANSFORMATION, "TTTT"), ("trí tuệ nhân tạo", T.DIGITAL_TRANSFORMATION, None),
    # units, schools and places of the demo Sở
    ("Sở Giáo dục và Đào tạo", None, "VP"), ("Sở GD-ĐT", None, "VP"), ("Thanh tra Sở", None, "TTr"),
    ("Nguyễn Thị Minh Khai", None, "THPT-NTMK"), ("Lê Hồng Phong", None, "THPT-LHP"),
    ("Tiểu học Bến Thành", None, "TH-BENTHANH"), ("phường Bến Thành", None, "VHXH-BENTHANH"),
    ("phường Xuân Hòa", None, "VHXH-XUANHOA"), ("xã Củ Chi", None, "VHXH-CUCHI"),
    ("đặc khu Côn Đảo", None, "VHXH-CONDAO"), ("Côn Đảo", None, "VHXH-CONDAO"),
]  # fmt: skip

DOMAINS = {
    "Tuổi Trẻ": "tuoitre.vn", "Thanh Niên": "thanhnien.vn", "VnExpress": "vnexpress.net", "Dân trí": "dantri.com.vn",
    "Người Lao Động": "nld.com.vn", "Sài Gòn Giải Phóng": "sggp.org.vn", "Pháp Luật TP.HCM": "plo.vn",
    "Lao Động": "laodong.vn", "Tiền Phong": "tienphong.vn", "VietNamNet": "vietnamnet.vn",
    "Giáo dục và Thời đại": "giaoducthoidai.vn", "Znews": "znews.vn", "Báo Mới": "baomoi.com",
    "Vietnamplus": "vietnamplus.vn",
}  # fmt: skip
ITEMS_FILE = Path(__file__).resolve().parent / "demo_items.json"


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", rules.fold_fast(title)).strip("-")[:80]


def load(session: Session, *, now: datetime) -> str:
    """Sources, terms and two weeks of items; returns a summary line."""
    sources: dict[str, MonitorSource] = {}
    for outlet, name, url in SOURCES:
        source = MonitorSource(name=name, url=url, kind=SourceKind.FEED, outlet=outlet, poll_minutes=30,
                               enabled=False, created_at=now - timedelta(days=15))  # fmt: skip
        session.add(source)
        sources[outlet] = source
    units = {u.code: u.id for u in session.exec(select(Unit)).all()}
    for term, topic, unit in TERMS:
        unit_id = units.get(unit) if unit else None
        session.add(WatchTerm(term=term, folded=" ".join(rules.words(term)), topic=topic, unit_id=unit_id,
                              created_at=now - timedelta(days=15)))  # fmt: skip
    # The director reads the digest by e-mail (sent when SMTP is configured).
    director = session.exec(select(User).where(User.username == "director")).first()
    if director is not None and director.id is not None:
        session.add(DigestSubscription(user_id=director.id, created_at=now - timedelta(days=15)))
    session.flush()
    items = json.loads(ITEMS_FILE.read_text(encoding="utf-8"))["items"]
    rng = random.Random(7)
    stories = sorted({i["story"] for i in items})
    # Each story breaks at some hour of the last two weeks; its copies follow within a few hours. The stories on
    # school fees break in the last day: the demo's emerging issue.
    start: dict[str, float] = {s: rng.uniform(30, 14 * 24) for s in stories}
    for s in stories:
        if s.startswith("lam_thu") or s.startswith("hoc_phi"):
            start[s] = rng.uniform(2, 20)
    matcher = service.load_matcher(session)
    index = rules.ClusterIndex()
    fallback = sources["VnExpress"]
    count = 0
    for n, item in enumerate(sorted(items, key=lambda i: (-start[i["story"]], i["outlet"]))):
        seen = now - timedelta(hours=max(start[item["story"]] - rng.uniform(0, 6), 0.5))
        domain = DOMAINS.get(item["outlet"], "baomoi.com")
        url = f"https://{domain}/giao-duc/{_slug(item['title'])}-{n + 1000}.htm"
        source = sources.get(item["outlet"], fallback)
        assert source.id is not None
        entry = rules.Entry(url=url, title=item["title"], text=item["text"], guid=url,
                            published_at=seen - timedelta(minutes=20))  # fmt: skip
        count += len(service.store_items(session, source_id=source.id, outlet=item["outlet"], entries=[entry],
                                         matcher=matcher, index=index, now=seen))  # fmt: skip
    return f"{len(SOURCES)} press sources (disabled), {len(TERMS)} watch terms, {count} press items"
