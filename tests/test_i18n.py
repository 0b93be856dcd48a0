"""Every Vietnamese string of the code and templates has an English translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import Message, negotiate, text, translate

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _source_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords={"_": None}
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def test_every_message_has_an_english_translation() -> None:
    with (ROOT / "app/locale/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="en")
    translated = {m.id: m.string for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(_source_messages() - translated.keys())
    assert not missing, "untranslated (run `make messages`, then fill msgstr):\n" + "\n".join(missing)
    for msgid, msgstr in translated.items():
        assert isinstance(msgid, str) and isinstance(msgstr, str)
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), msgid


def test_messages_translate_late_with_their_parameters() -> None:
    message = Message("Không tìm thấy vụ việc {reference}.", reference="VV-2026-00001")
    assert str(message) == "Không tìm thấy vụ việc VV-2026-00001."
    assert text(message, "en") == "Case VV-2026-00001 not found."
    assert translate("Đăng nhập", "vi") == "Đăng nhập"


def test_language_negotiation() -> None:
    assert negotiate(None) == "vi"
    assert negotiate("en-US,en;q=0.9") == "en"
    assert negotiate("fr, en;q=0.5") == "en"
    assert negotiate("de") == "vi"
    assert negotiate("en", cookie="vi") == "vi"
    assert negotiate("vi;q=x, en") == "en"
