"""The TUI's catalogue: `t(key, **kw)` reads `locales/<lang>.toml` (over the core's, quittex_tui.i18n).

Every word the TUI shows goes through `t()` so English and French stay complete and in step
(tests/tui/test_i18n.py and tests/test_i18n_catalogues.py check the keys, placeholders and plurals).
The mechanism — language detection, ICU plurals, number/date/duration formats — is the core's
(`quittex_tui.i18n`), shared with the CLI; this module only fixes the domain to "tui", so widgets never
decide a format.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from quittex_tui import i18n as core
from quittex_tui.i18n import LANGUAGES, detect_language, language, set_language

if TYPE_CHECKING:
    from textual.dom import DOMNode

__all__ = [
    "LANGUAGES",
    "LOCALES_DIR",
    "catalogue",
    "date",
    "datetime_short",
    "detect_language",
    "duration",
    "has_key",
    "language",
    "number",
    "set_language",
    "t",
    "translate_bindings",
]

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "tui"


def catalogue(lang: str) -> dict[str, str]:
    """Everything the TUI can say in `lang`: its own keys over the core's."""
    return core.catalogue(DOMAIN, lang)


def t(key: str, **kw: object) -> str:
    """The text of `key` in the current language, formatted with `kw` (plurals: see quittex_tui.i18n).
    A missing key shows itself (never a crash) so a gap is visible on screen and caught by the tests."""
    return core.translate(DOMAIN, key, lang=None, **kw)


def colon() -> str:
    """What follows a label: ": " in English, " : " in French (the catalogue's typography)."""
    return t("punct.colon")


def has_key(key: str) -> bool:
    return core.has_key(DOMAIN, key)


def number(n: int) -> str:
    """Thousands separated as the locale writes them (1,234 / 1 234)."""
    return core.number(n)


def date(d: datetime | None) -> str:
    """A short date in the locale: 'Dec 21, 2024' / '21 déc. 2024'."""
    return core.date(d)


def datetime_short(d: datetime | None) -> str:
    return core.datetime_short(d)


def duration(td: timedelta | float | None) -> str:
    """A human duration: '45 s', '12 min', '3 h 20 min', '4 d 6 h'."""
    return core.duration(td)


def translate_bindings(node: DOMNode) -> None:
    """Bindings are declared with catalogue keys as descriptions ("key.…"); give this widget instance
    its own translated copy (class-level BINDINGS are built at import time, before --lang is known)."""
    from dataclasses import replace

    bindings = node._bindings  # Textual keeps an instance's bindings there (no public setter)
    bindings.key_to_bindings = {
        key: [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            if b.description.startswith("key.")
            else b
            for b in lst
        ]
        for key, lst in bindings.key_to_bindings.items()
    }
