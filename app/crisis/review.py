"""The after-action review as a Word document (python-docx) the director can print: the crisis, the times from
receipt and from declaration, the clocks met and missed, the pages and acknowledgements, the lessons, the timeline.
No I/O: it renders a read model (``AfterActionRead``) to bytes."""

from __future__ import annotations

import io
from datetime import datetime

from app.crisis.models import AfterActionRead
from app.crisis.rules import LADDER_LABELS, duration_words
from app.i18n import _, text
from app.timeutil import to_local

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _when(value: datetime | None) -> str:
    return to_local(value).strftime("%H:%M %d/%m/%Y") if value else "—"


def review_docx(review: AfterActionRead, *, org_name: str, locale: str, now: datetime) -> bytes:
    # python-docx is imported here, by this download only: at the top it cost every process that loads the web
    # layer (the app, each test worker) about 0.1 s of CPU at start-up.
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    doc.add_paragraph(org_name.upper())
    doc.add_heading(text(_("Báo cáo rút kinh nghiệm xử lý khủng hoảng truyền thông"), locale), level=1)
    c = review.crisis
    doc.add_paragraph(f"{review.case_reference}: {review.case_title}")
    facts = [
        (_("Cấp khủng hoảng"), c.level_label),
        (_("Lý do công bố"), c.reason),
        (_("Tiếp nhận vụ việc"), _when(review.received_at)),
        (_("Công bố khủng hoảng"), _when(c.declared_at) + (f" — {c.declared_by.full_name}" if c.declared_by else "")),
        (_("Kết thúc khủng hoảng"), _when(c.stood_down_at) + (f" — {c.stand_down_reason}" if c.stand_down_reason
                                                              else "")),
    ]  # fmt: skip
    for label, value in facts:
        p = doc.add_paragraph()
        p.add_run(text(label, locale) + ": ").bold = True
        p.add_run(value)

    doc.add_heading(text(_("Các mốc thời gian"), locale), level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, (_("Mốc"), _("Thời điểm"), _("Kể từ khi tiếp nhận"),
                                                  _("Kể từ khi công bố khủng hoảng")), strict=True):  # fmt: skip
        cell.text = text(head, locale)
    for m in review.milestones:
        row = table.add_row().cells
        row[0].text, row[1].text = m.label, _when(m.at)
        row[2].text = duration_words(m.seconds_from_receipt)
        row[3].text = duration_words(m.seconds_from_declaration)

    doc.add_heading(text(_("Thời hạn: {met} đúng hạn, {missed} trễ hoặc không thực hiện", met=review.clocks_met,
                           missed=review.clocks_missed), locale), level=2)  # fmt: skip
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, (_("Thời hạn"), _("Căn cứ"), _("Hạn"), _("Kết quả")), strict=True):
        cell.text = text(head, locale)
    for o in review.clock_outcomes:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = o.name, o.basis, _when(o.due_at)
        row[3].text = o.state_label + (f" ({_when(o.met_at)})" if o.met_at else "")

    doc.add_heading(text(_("Báo động và xác nhận"), locale), level=2)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, (_("Người nhận"), _("Tuyến báo động"), _("Gửi lúc"),
                                                  _("Xác nhận lúc"), _("Tình trạng")), strict=True):  # fmt: skip
        cell.text = text(head, locale)
    for page in review.pages:
        row = table.add_row().cells
        row[0].text, row[1].text = page.full_name, text(LADDER_LABELS[page.ladder], locale) + f" · {page.step + 1}"
        row[2].text, row[3].text, row[4].text = _when(page.sent_at), _when(page.acked_at), page.state

    doc.add_heading(text(_("Bài học kinh nghiệm"), locale), level=2)
    doc.add_paragraph(review.lessons or text(_("(chưa ghi)"), locale))

    doc.add_heading(text(_("Diễn biến"), locale), level=2)
    for e in review.timeline:
        who = f" — {e.actor.full_name}" if e.actor else ""
        line = f"{_when(e.at)}  {e.kind}{':' + e.action if e.action else ''}{who}"
        doc.add_paragraph(line + (f": {e.note}" if e.note else ""), style="List Bullet")
    doc.add_paragraph(text(_("Lập lúc {at}.", at=_when(now)), locale))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
