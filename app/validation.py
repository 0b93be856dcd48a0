"""Input types shared by the schemas: every string has a length limit and no control characters,
every timestamp has a time zone and a sane range."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from app.i18n import Message, _
from app.timeutil import EARLIEST, LATEST, as_utc

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_chars(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


Clean = AfterValidator(_no_control_chars)
OneLine = AfterValidator(_single_line)
QueryText = Annotated[str, Clean, OneLine]  # a query parameter's text: a search, a code, a cursor


def strip_control(value: str) -> str:
    """The text without control characters or line breaks (a page's filter form: dropped, not refused)."""
    return _CONTROL.sub("", value).replace("\n", " ").replace("\r", " ")


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                        pattern=r"^[A-Za-z0-9._-]+$")]  # fmt: skip
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64,
                                            pattern=r"^[a-z0-9._-]+$")]  # fmt: skip
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Clean, OneLine]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Clean, OneLine]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), Clean, OneLine]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+(). -]*$")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://\S+$")]
LongText = Annotated[str, StringConstraints(max_length=20000), Clean]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), Clean]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Clean, OneLine]


def _timestamp(value: datetime) -> datetime:
    try:
        value = as_utc(value)
    except (OverflowError, ValueError) as exc:
        raise ValueError("is not a valid time") from exc
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 2000 and 2100")
    return value


def _empty_to_none(value: object) -> object:
    return None if value == "" else value


# ISO 8601; with an offset, or read as Asia/Ho_Chi_Minh time without one. Stored in UTC.
Timestamp = Annotated[datetime, AfterValidator(_timestamp)]
OptionalTimestamp = Annotated[Timestamp | None, BeforeValidator(_empty_to_none)]

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

LocaleCode = Annotated[str, StringConstraints(pattern=r"^(vi|en)$")]


# --- messages -----------------------------------------------------------------------------------------------
# A pydantic error, said to a person: Vietnamese (English from the catalog), one sentence per field. The staff
# forms and the JSON API's 422 answers both use it; the API adds pydantic's error type for programs.

_PATTERN_MESSAGES: dict[str, Message] = {
    "source_url": _("Địa chỉ phải bắt đầu bằng http:// hoặc https:// và không có dấu cách."),
    "code": _("Chỉ dùng chữ cái không dấu, chữ số và các dấu . _ -"),
    "username": _("Chỉ dùng chữ thường không dấu, chữ số và các dấu . _ -"),
    "contact_phone": _("Chỉ dùng chữ số, dấu cách và các dấu + ( ) . -"),
    "phone": _("Chỉ dùng chữ số, dấu cách và các dấu + ( ) . -"),
    "press_card_number": _("Chỉ dùng chữ cái không dấu, chữ Đ, chữ số, dấu cách và các dấu . / -"),
}

_VALUE_ERRORS: dict[str, Message] = {
    "must not contain control characters": _("Có ký tự điều khiển không hợp lệ."),
    "must not be empty": _("Không được để trống."),
    "must be a single line": _("Chỉ được viết trên một dòng."),
    "must be between 2000 and 2100": _("Thời điểm phải nằm trong khoảng năm 2000–2100."),
    "is not a valid time": _("Thời điểm không hợp lệ."),
}

_TYPE_MESSAGES: dict[str, Message] = {
    "missing": _("Trường này là bắt buộc."),
    "extra_forbidden": _("Trường này không được phép ở đây."),
    "string_type": _("Cần một chuỗi ký tự."),
    "int_type": _("Cần một số nguyên."),
    "int_parsing": _("Cần một số nguyên."),
    "int_from_float": _("Cần một số nguyên."),
    "bool_type": _("Cần true hoặc false."),
    "bool_parsing": _("Cần true hoặc false."),
    "list_type": _("Cần một danh sách."),
    "model_type": _("Cần một đối tượng JSON."),
    "model_attributes_type": _("Cần một đối tượng JSON."),
    "dict_type": _("Cần một đối tượng JSON."),
}


def input_message(error: Any, field: str, *, form: bool = False) -> Message:
    """The message for one pydantic error on ``field``; ``form``: said to someone filling in a staff form (dates as
    dd/mm/yyyy), else to a program's author (ISO 8601)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return _("Không được để trống.")
        return _("Cần ít nhất {n} ký tự.", n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Dài quá mức cho phép ({n} ký tự).", n=ctx.get("max_length"))
    if kind == "too_long":
        return _("Quá nhiều mục (tối đa {n}).", n=ctx.get("max_length"))
    if kind == "too_short":
        return _("Cần ít nhất {n} mục.", n=ctx.get("min_length"))
    if kind == "string_pattern_mismatch":
        known = _PATTERN_MESSAGES.get(field.rsplit(".", 1)[-1])  # a nested field by its own name
        if known is not None:
            return known
        if form:
            return _("Giá trị không đúng định dạng.")
        return _("Giá trị không đúng định dạng (biểu thức chính quy: {pattern}).", pattern=ctx.get("pattern", ""))
    if kind in ("enum", "literal_error"):
        if form:
            return _("Hãy chọn một giá trị trong danh sách.")
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")  # pydantic's "'a', 'b' or 'c'"
        return _("Giá trị không hợp lệ; chọn một trong: {expected}.", expected=expected)
    if kind.startswith(("datetime", "timezone")):
        if form:
            return _("Thời điểm không hợp lệ; nhập theo dạng ngày/tháng/năm giờ:phút.")
        return _("Thời điểm không hợp lệ; viết theo ISO 8601 có múi giờ, ví dụ 2026-12-04T09:30:00+07:00.")
    if kind.startswith("date"):
        if form:
            return _("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm.")
        return _("Ngày không hợp lệ; viết theo dạng YYYY-MM-DD, ví dụ 2026-12-04.")
    if kind == "greater_than_equal":
        return _("Phải lớn hơn hoặc bằng {n}.", n=ctx.get("ge"))
    if kind == "greater_than":
        return _("Phải lớn hơn {n}.", n=ctx.get("gt"))
    if kind == "less_than_equal":
        return _("Phải nhỏ hơn hoặc bằng {n}.", n=ctx.get("le"))
    if kind == "less_than":
        return _("Phải nhỏ hơn {n}.", n=ctx.get("lt"))
    if kind == "json_invalid":
        return _("Nội dung gửi lên không phải JSON hợp lệ ({error}).", error=ctx.get("error", "syntax error"))
    if kind == "value_error":
        cause = ctx.get("error")
        if isinstance(cause, Exception) and cause.args and isinstance(cause.args[0], Message):
            return cause.args[0]  # our own validators say it in words already
        message = str(cause if cause is not None else error.get("msg", ""))
        if field.endswith("email"):
            return _("Địa chỉ e-mail không hợp lệ.")
        for key, localized in _VALUE_ERRORS.items():
            if key in message:
                return localized
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    return _("Giá trị không hợp lệ.")
