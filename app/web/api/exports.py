"""The case list as a file: ``GET /api/v1/cases/export.csv`` and ``/export.xlsx``, with the list's filters.

Registered before the cases router, so that ``/cases/export.csv`` is not read as a case reference.
"""

from __future__ import annotations

import tempfile

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.i18n import _, text
from app.reports import exports, formats
from app.reports.columns import CASE_COLUMNS, cells, headers
from app.timeutil import local_date
from app.web.case_query import FiltersDep
from app.web.deps import ActorDep, LocaleDep, NowDep, ReadSessionDep, read_session_opener

router = APIRouter(tags=["cases"])


def _filename(now_date: str, ext: str) -> str:
    return f"vu-viec-{now_date}.{ext}"


@router.get(
    "/cases/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}},
)
def export_csv(
    request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, filters: FiltersDep
) -> StreamingResponse:
    """The cases of ``GET /api/v1/cases`` with the same filters (all of them: ``limit`` and ``cursor`` do not
    apply), newest received first, as CSV: UTF-8 with a byte-order mark, column headers in the caller's language
    (Vietnamese unless ``Accept-Language: en`` or the ``lang`` cookie says otherwise), times in Asia/Ho_Chi_Minh.
    Streamed: the rows are read and sent in batches."""
    rows = exports.case_export_rows(session, actor=actor, filters=filters, open_session=read_session_opener(request))
    body = formats.csv_chunks(headers(CASE_COLUMNS, locale), (cells(CASE_COLUMNS, r, locale) for r in rows))
    name = _filename(local_date(now).isoformat(), "csv")
    return StreamingResponse(
        body,
        media_type=formats.CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get(
    "/cases/export.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {formats.XLSX_MEDIA_TYPE: {}}, "description": "An Excel workbook, one sheet"}},
)
def export_xlsx(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, filters: FiltersDep
) -> StreamingResponse:
    """The same list as ``export.csv``, as an Excel workbook (times are date-time cells, local time). Built row by
    row (openpyxl's write-only mode) into an anonymous temporary file, which is then sent and disappears when
    closed, even if the client goes away."""
    rows = exports.case_export_rows(session, actor=actor, filters=filters)
    file = tempfile.TemporaryFile(prefix="crisisdesk-export-", suffix=".xlsx")
    try:
        formats.write_xlsx(
            file,
            headers(CASE_COLUMNS, locale),
            (cells(CASE_COLUMNS, r, locale) for r in rows),
            title=text(_("Vụ việc"), locale),
        )
        size = file.tell()
        file.seek(0)
    except BaseException:
        file.close()
        raise
    name = _filename(local_date(now).isoformat(), "xlsx")
    return StreamingResponse(
        formats.file_chunks(file),
        media_type=formats.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Length": str(size),
            "Cache-Control": "no-store",
        },
    )
