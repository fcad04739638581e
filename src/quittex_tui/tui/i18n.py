"""The one catalogue of UI strings: `t(key, **kw)` reads `locales/<lang>.toml`.

Every word the TUI shows goes through `t()` so English and French stay complete and in step
(tests/tui/test_i18n.py checks both catalogues have the same keys and placeholders). The language comes
from `--lang`, else LC_ALL / LC_MESSAGES / LANG (POSIX precedence), else English. Dates and numbers are
formatted here too, so widgets never decide a format.
"""

from __future__ import annotations

import os
import tomllib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("en", "fr")
_current = "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat key -> text mapping of one language (TOML tables become dotted keys)."""
    with (LOCALES_DIR / f"{lang}.toml").open("rb") as fh:
        data = tomllib.load(fh)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(name + ".", value)
            else:
                flat[name] = str(value)

    walk("", data)
    return flat


def detect_language(explicit: str | None = None, environ: dict[str, str] | None = None) -> str:
    """`--lang` wins, then the POSIX locale variables in their precedence order."""
    env = os.environ if environ is None else environ
    candidates = [explicit] if explicit else []
    candidates += [env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG")]
    for value in candidates:
        if not value:
            continue
        code = value.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
        if explicit and value == explicit:
            continue  # an unknown --lang falls through to the environment
    return "en"


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in LANGUAGES else "en"


def language() -> str:
    return _current


def t(key: str, **kw: object) -> str:
    """The text of `key` in the current language, formatted with `kw`. A missing key shows itself
    (never a crash) so a gap is visible on screen and caught by the catalogue test."""
    text = catalogue(_current).get(key) or catalogue("en").get(key) or key
    return text.format(**kw) if kw else text


def has_key(key: str) -> bool:
    return key in catalogue(_current) or key in catalogue("en")


def number(n: int) -> str:
    """Thousands separated as the locale writes them (1,234 / 1 234)."""
    s = f"{n:,}"
    return s.replace(",", "\u202f") if _current == "fr" else s


def date(d: datetime | None) -> str:
    """A short date in the locale: 'Dec 21, 2024' / '21 déc. 2024'."""
    if d is None:
        return "-"
    month = t(f"month.m{d.month}")
    return t("format.date", day=d.day, month=month, year=d.year)


def datetime_short(d: datetime | None) -> str:
    if d is None:
        return "-"
    return t("format.datetime", date=date(d), time=d.strftime("%H:%M"))


def duration(td: timedelta | float | None) -> str:
    """A human duration: '45 s', '12 min', '3 h 20 min', '4 d 6 h'."""
    if td is None:
        return "-"
    seconds = td.total_seconds() if isinstance(td, timedelta) else float(td)
    seconds = max(0, round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return t("format.days_hours", d=days, h=hours)
    if hours:
        return t("format.hours_minutes", h=hours, m=minutes)
    if minutes:
        return t("format.minutes", m=minutes)
    return t("format.seconds", s=secs)


def translate_bindings(node: object) -> None:
    """Bindings are declared with catalogue keys as descriptions ("key.…"); give this widget instance
    its own translated copy (class-level BINDINGS are built at import time, before --lang is known)."""
    from dataclasses import replace

    bindings = node._bindings  # type: ignore[attr-defined]
    bindings.key_to_bindings = {
        key: [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            if b.description.startswith("key.")
            else b
            for b in lst
        ]
        for key, lst in bindings.key_to_bindings.items()
    }
