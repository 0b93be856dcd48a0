"""The help page: the keyboard shortcuts of the staff pages (``static/app.js``) and where things are."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.i18n import Message, _
from app.web.templating import render

router = APIRouter()

# (keys, what they do): the keys are shown as typed; the same table drives static/app.js's behaviour.
SHORTCUTS: list[tuple[tuple[str, ...], Message]] = [
    (("/",), _("Đến ô tìm kiếm vụ việc ở đầu trang")),
    (("n",), _("Tiếp nhận vụ việc mới (nếu bạn có quyền)")),
    (("g", "h"), _("Về trang chính")),
    (("g", "c"), _("Mở danh sách vụ việc")),
    (("g", "n"), _("Mở thông báo của tôi")),
    (("j", "k"), _("Trong danh sách vụ việc: vụ việc tiếp theo / trước đó")),
    (("x",), _("Trong danh sách vụ việc: chọn hoặc bỏ chọn vụ việc đang đứng")),
    (("Enter",), _("Mở vụ việc đang đứng")),
    (("?",), _("Mở trang trợ giúp này")),
]


@router.get("/help")
def help_page(request: Request) -> Response:
    return render(request, "staff/help.html", {"shortcuts": SHORTCUTS})
