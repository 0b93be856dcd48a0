"""Answer templates (lines to take, product §11.3): the placeholders a template may hold and how a template is
filled for a case. Pure: no I/O.

A placeholder is a name in braces, ``{case_reference}``; a literal brace is written twice (``{{``, ``}}``).
Only the names of ``PLACEHOLDERS`` are allowed, plain (no ``{outlet!r}``, no ``{outlet:>10}``): a template that
holds anything else is refused when it is saved, so it can never fail when a case uses it.

Example: ``"Ngày {received_date}, {outlet} phản ánh…"`` filled for a case received on 27/11/2026 from Báo Tuổi
Trẻ → ``"Ngày 27/11/2026, Báo Tuổi Trẻ phản ánh…"``. A value the case lacks (no outlet yet) is filled with its
label in square brackets, ``[cơ quan báo chí]``, for the drafter to complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from app.i18n import Message, _

PLACEHOLDERS: dict[str, Message] = {
    "case_reference": _("mã vụ việc"),
    "received_date": _("ngày tiếp nhận"),
    "outlet": _("cơ quan báo chí"),
    "unit_name": _("đơn vị chủ trì"),
    "spokesperson_name": _("người phát ngôn"),
}


def placeholders_in(text: str) -> list[str]:
    """The placeholders of ``text``, in order of first use. Raises ``ValueError`` (with a message for the user)
    for an unknown name, a conversion or format spec, or a lone brace."""
    found: list[str] = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        raise ValueError(
            _("Dấu ngoặc nhọn không khớp: chỗ điền viết như {outlet}, dấu ngoặc nhọn thường viết hai lần {{ }}.")
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise ValueError(
                _(
                    "Chỗ điền {placeholder} không có; dùng: {allowed}.",
                    placeholder=shown,
                    allowed=", ".join("{" + p + "}" for p in PLACEHOLDERS),
                )
            )
        if name not in found:
            found.append(name)
    return found


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder replaced (``values`` holds each name of ``PLACEHOLDERS``)."""
    return text.format_map(dict(values))
