"""One catalogue per language, complete and in step; every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from quittex_tui.i18n import placeholders
from quittex_tui.tui import i18n

TUI_SRC = Path(i18n.__file__).parent


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    en, fr = i18n.catalogue("en"), i18n.catalogue("fr")
    assert set(en) == set(fr), sorted(set(en) ^ set(fr))
    different = {k for k in en if placeholders(en[k]) != placeholders(fr[k])}
    assert not different, sorted(different)


def test_every_literal_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*"([a-z_]+(?:\.[a-z0-9_-]+)*)\"""")
    binding = re.compile(r'"(key\.[a-z_]+)"')
    for path in TUI_SRC.rglob("*.py"):
        text = path.read_text("utf-8")
        used |= set(pattern.findall(text)) | set(binding.findall(text))
    assert len(used) > 100  # the scan found the UI's keys
    missing = sorted(k for k in used if k not in i18n.catalogue("en"))
    assert not missing, missing


def test_language_from_option_then_posix_variables() -> None:
    assert i18n.detect_language("fr", {}) == "fr"
    assert i18n.detect_language(None, {"LANG": "fr_FR.UTF-8"}) == "fr"
    assert i18n.detect_language(None, {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}) == "en"
    assert i18n.detect_language(None, {"LC_ALL": "", "LC_MESSAGES": "fr_CA", "LANG": "en_US"}) == "fr"
    assert i18n.detect_language(None, {"LANG": "de_DE.UTF-8"}) == "en"
    assert i18n.detect_language("xx", {"LANG": "fr_BE"}) == "fr"


def test_dates_numbers_and_durations_follow_the_language() -> None:
    from datetime import UTC, datetime, timedelta

    when = datetime(2024, 12, 21, 9, 5, tzinfo=UTC)
    try:
        i18n.set_language("fr")
        assert i18n.date(when) == "21 déc. 2024"
        assert i18n.number(12345) == "12\u202f345"
        assert i18n.duration(timedelta(days=4, hours=6, minutes=3)) == "4 j 6 h"
        i18n.set_language("en")
        assert i18n.date(when) == "Dec 21, 2024"
        assert i18n.number(12345) == "12,345"
        assert i18n.duration(timedelta(hours=3, minutes=20)) == "3 h 20 min"
        assert i18n.duration(42) == "42 s"
    finally:
        i18n.set_language("en")


def test_key_names_in_the_help_follow_the_language() -> None:
    """issue 14: the help named keys in English ("space", "esc", "pagedown") under a French locale."""
    from quittex_tui.tui.screens.main import display_key, help_sections

    assert display_key("space") == "space" and display_key("escape") == "esc"  # English as before
    i18n.set_language("fr")
    try:
        assert display_key("space") == "espace" and display_key("ctrl+pagedown") == "ctrl+pg suiv"
        keys = " ".join(key for _, rows in help_sections() for key, _ in rows)
    finally:
        i18n.set_language("en")
    for english in ("space", "esc", "enter", "up", "down", "pagedown", "home"):
        assert english not in keys.replace("/", " ").split(), (english, keys)
