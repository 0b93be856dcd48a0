"""The morning digest as plain text (the e-mail) and as a Word document the director can print (python-docx)."""

from __future__ import annotations

import io

from app.cases.vocabulary import TOPIC_LABELS
from app.i18n import _, text
from app.monitor.models import DigestRead
from app.timeutil import to_local


def _topic(digest_topic: object, locale: str) -> str:
    label = TOPIC_LABELS.get(digest_topic) if digest_topic else None  # type: ignore[call-overload]
    return text(label, locale) if label else text(_("Chưa xếp chủ đề"), locale)


def _title(digest: DigestRead, locale: str) -> str:
    return text(_("Điểm tin báo chí ngày {date}", date=digest.date.strftime("%d/%m/%Y")), locale)


def _sections(digest: DigestRead, locale: str) -> list[tuple[str, list[str]]]:
    t = lambda m: text(m, locale)  # noqa: E731
    sections: list[tuple[str, list[str]]] = []
    current = None
    lines: list[str] = []
    for cluster in digest.clusters:
        heading = _topic(cluster.topic, locale)
        if heading != current:
            if current is not None:
                sections.append((current, lines))
            current, lines = heading, []
        case = f" — {t(_('đã thành vụ việc'))} {cluster.case_reference}" if cluster.case_reference else ""
        lines.append(f"{cluster.title} ({cluster.count} {t(_('tin'))}: {', '.join(cluster.outlets)}){case}")
        for item in cluster.items[:5]:
            lines.append(f"    {item.outlet}: {item.url}")
    if current is not None:
        sections.append((current, lines))
    if not digest.clusters:
        sections.append((t(_("Tin báo chí")), [t(_("Không có tin nào khớp từ khóa theo dõi."))]))
    sections.append((t(_("Vụ việc mở trong kỳ")), [f"{c.reference}: {c.title}" for c in digest.cases_opened]
                     or [t(_("Không có."))]))  # fmt: skip
    sections.append((t(_("Thông cáo đã công bố")), [f"{n.number}: {n.title}" for n in digest.notices_published]
                     or [t(_("Không có."))]))  # fmt: skip
    sections.append((t(_("Thời hạn đến hạn hôm nay")),
                     [f"{to_local(c.at).strftime('%H:%M') if c.at else ''} {c.reference}: {c.title}"
                      for c in digest.due_today] or [t(_("Không có."))]))  # fmt: skip
    sections.append((t(_("Vấn đề nổi lên (dự báo)")),
                     [f"{_topic(e.topic, locale) if e.topic else e.term} ({e.window}): {e.count} "
                      f"{t(_('tin, mức nền'))} {e.baseline:g}, {t(_('điểm'))} {e.score:g}" for e in digest.emerging]
                     or [t(_("Không có vấn đề nào tăng bất thường."))]))  # fmt: skip
    return sections


def digest_text(digest: DigestRead, *, base_url: str, locale: str = "vi") -> tuple[str, str]:
    """The e-mail: subject and body."""
    lines = [_title(digest, locale), ""]
    for heading, body in _sections(digest, locale):
        lines += [heading.upper(), *body, ""]
    lines.append(f"{base_url.rstrip('/')}/staff/monitor/digest?date={digest.date.isoformat()}")
    return _title(digest, locale), "\n".join(lines)


def digest_docx(digest: DigestRead, *, org_name: str, locale: str = "vi") -> bytes:
    # python-docx is imported here, by this download only: at the top it cost every process that loads the web
    # layer (the app, each test worker) about 0.1 s of CPU at start-up.
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_paragraph(org_name.upper())
    document.add_heading(_title(digest, locale), level=1)
    since, until = to_local(digest.since), to_local(digest.until)
    document.add_paragraph(text(_("Từ {since} đến {until}", since=since.strftime("%H:%M %d/%m/%Y"),
                                  until=until.strftime("%H:%M %d/%m/%Y")), locale))  # fmt: skip
    for heading, body in _sections(digest, locale):
        document.add_heading(heading, level=2)
        for line in body:
            if line.startswith("    "):
                document.add_paragraph(line.strip(), style="List Bullet 2")
            else:
                document.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
