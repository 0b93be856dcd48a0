"""Time left before a deadline, in words: "còn 3 giờ 5 phút", "quá hạn 2 ngày 4 giờ". Pure: no I/O.

The staff pages render it on the server (so that the page says it without script) and ``static/app.js`` keeps it
current with the same words (given to the script in ``data-`` attributes of ``#countdown-words``).
"""

from __future__ import annotations

from app.i18n import Message, _, text

LEFT = _("còn {t}")
OVER = _("quá hạn {t}")
DAYS = _("{n} ngày")
HOURS = _("{n} giờ")
MINUTES = _("{n} phút")


def parts(seconds: int) -> list[tuple[Message, int]]:
    """The two largest units of a duration (days and hours, hours and minutes, or minutes)."""
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return [(DAYS, days)] + ([(HOURS, hours)] if hours else [])
    if hours:
        return [(HOURS, hours)] + ([(MINUTES, minutes)] if minutes else [])
    return [(MINUTES, minutes)]


def duration(seconds: int, locale: str) -> str:
    """A length of time in words, its two largest units: 758 160 s → "8 ngày 18 giờ" (not "210,6 giờ")."""
    return " ".join(text(Message(unit.msgid, n=n), locale) for unit, n in parts(seconds))


def remaining(seconds: int, locale: str) -> str:
    """``seconds`` until a due time (negative once past it), in the reader's language."""
    words = duration(seconds, locale)
    return text(Message((LEFT if seconds >= 0 else OVER).msgid, t=words), locale)
