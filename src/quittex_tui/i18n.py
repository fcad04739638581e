"""Message catalogues for every front end: one mechanism for the CLI and the TUI (no Textual here).

Catalogues are TOML files, one per language, in three *domains*:

- ``core`` (``quittex_tui/locales/``): what the core says to a person whatever the front end — the
  messages of `QuittexError`s (``error.*``) and number/date/duration formats;
- ``cli`` (``quittex_tui/cli/locales/``): the command line's words, and how a person does something
  from a shell (``do.*``: "run: quittex-tui login bluesky …");
- ``tui`` (``quittex_tui/tui/locales/``): the TUI's words, and how a person does the same thing with
  its fields and keys (``do.*``: "open Accounts (2), choose Bluesky, press Enter").

A front end looks a key up in its own domain, then in ``core``. So a core error names *what happened*
once, and each front end phrases *what to do* (errors.Todo) in its own terms — the TUI never speaks of
command-line flags. tests/test_i18n_catalogues.py checks every domain has the same keys, placeholders
and plural categories in every language, and that each front end phrases every ``do.*`` code.

Plurals follow ICU MessageFormat's `plural` (what translators and gettext's tools know):
``"{n, plural, one {# post} other {# posts}}"``; ``#`` is the count as passed (numbers may be passed
pre-formatted: "12 345" counts as 12345), ``=0 {…}`` matches exactly, and the category comes from the
CLDR rules of the language (English: one = 1; French: one = 0 and 1 — "0 post", "1 post", "2 posts").
Everything outside a plural block is `str.format` syntax.

The language comes from ``--lang``, else LC_ALL / LC_MESSAGES / LANG (POSIX precedence), else English.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "fr")
DOMAINS: dict[str, Path] = {
    "core": PACKAGE_DIR / "locales",
    "cli": PACKAGE_DIR / "cli" / "locales",
    "tui": PACKAGE_DIR / "tui" / "locales",
}
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")

_state = {"lang": "en", "front_end": "cli"}


# --- language -------------------------------------------------------------------------------------------
def detect_language(explicit: str | None = None, environ: dict[str, str] | None = None) -> str:
    """`--lang` wins, then the POSIX locale variables in their precedence order."""
    env = os.environ if environ is None else environ
    candidates: list[str | None] = [explicit] if explicit else []
    candidates += [env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG")]
    for value in candidates:
        if not value:
            continue
        code = value.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def set_language(lang: str) -> None:
    _state["lang"] = lang if lang in LANGUAGES else "en"


def language() -> str:
    return _state["lang"]


def set_front_end(domain: str) -> None:
    """Which front end phrases the errors the core raises (`QuittexError.message` / `.hint`)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown catalogue domain {domain!r}")
    _state["front_end"] = domain


def front_end() -> str:
    return _state["front_end"]


# --- catalogues -----------------------------------------------------------------------------------------
@cache
def domain_catalogue(domain: str, lang: str) -> dict[str, str]:
    """One domain's own flat key -> text mapping (TOML tables become dotted keys)."""
    path = DOMAINS[domain] / f"{lang}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, object]) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(name + ".", value)
            else:
                flat[name] = str(value)

    walk("", data)
    return flat


@cache
def catalogue(domain: str, lang: str) -> dict[str, str]:
    """What `domain` can say in `lang`: its own keys over the core's."""
    merged = dict(domain_catalogue("core", lang))
    if domain != "core":
        merged.update(domain_catalogue(domain, lang))
    if lang == "fr" and domain in FRENCH_SPACES_DOMAINS:
        merged = {key: french_spaces(text) for key, text in merged.items()}
    return merged


# French typography (Lexique des règles typographiques en usage à l'Imprimerie nationale): a no-break space
# before ":" and inside « », a narrow no-break space before ";", "!" and "?". The catalogues are written
# with plain spaces (readable, diff-friendly); the no-break forms are put in here, on the catalogue's own
# text only — never on a parameter (archive text, a server's words: data). Why it matters: argparse and
# terminals wrap lines at spaces, and a plain space lets a lone ":" start a line. The CLI opts in; a front
# end whose tests still expect plain spaces (the TUI, today) can join by adding its domain.
FRENCH_SPACES_DOMAINS = frozenset({"cli"})
_BEFORE_COLON = re.compile(r" (?=:(?:[\s}]|$))")
_BEFORE_MARK = re.compile(r" (?=[;!?](?:[\s}»)]|$))")


def french_spaces(text: str) -> str:
    """`text` with French no-break spaces before : ; ! ? and inside « » (see above)."""
    text = _BEFORE_COLON.sub("\u00a0", text)
    text = _BEFORE_MARK.sub("\u202f", text)
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")


def has_key(domain: str, key: str, lang: str | None = None) -> bool:
    return key in catalogue(domain, lang or language()) or key in catalogue(domain, "en")


def translate(domain: str, key: str, /, *, lang: str | None = None, **kw: object) -> str:
    """The text of `key` in `lang` (default: the current language), formatted with `kw`. A missing key
    shows itself (never a crash) so a gap is visible and caught by the catalogue tests; a missing
    placeholder value leaves the placeholder as written rather than raising in front of the user."""
    lang = lang or language()
    text = catalogue(domain, lang).get(key) or catalogue(domain, "en").get(key) or key
    # a parameter that knows its own words (a notice.Notice, a vocabulary enum) is said in `lang` too
    kw = {k: say(v, domain, lang) if getattr(v, "catalogue_key", None) else v for k, v in kw.items()}
    return format_message(text, lang, kw)


# --- formatting and plurals -----------------------------------------------------------------------------
def plural_category(lang: str, count: float) -> str:
    """CLDR cardinal category of `count` (https://www.unicode.org/cldr/charts/latest/supplemental/
    language_plural_rules.html): French "one" covers 0 ≤ n < 2; English "one" is exactly 1."""
    n = abs(count)
    if lang == "fr":
        if n < 2:
            return "one"
        if n == int(n) and n != 0 and int(n) % 1_000_000 == 0:
            return "many"
        return "other"
    return "one" if n == 1 else "other"


def _as_count(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    digits = re.sub(r"[\s,\u202f\u00a0]", "", str(value))  # "12 345" / "12,345" as written by number()
    try:
        return float(digits)
    except ValueError:
        return None


_PLURAL_START = re.compile(r"\{\s*(\w+)\s*,\s*plural\s*,")
_BRANCH = re.compile(r"\s*(=\d+|zero|one|two|few|many|other)\s*\{")


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced braces in catalogue text: {text!r}")


def plural_blocks(text: str) -> list[tuple[int, int, str, dict[str, str]]]:
    """Every `{name, plural, …}` block of `text`: (start, end, name, branch -> sub-text)."""
    blocks: list[tuple[int, int, str, dict[str, str]]] = []
    pos = 0
    while (m := _PLURAL_START.search(text, pos)) is not None:
        end = _matching_brace(text, m.start())
        body, branches, i = text[m.end() : end], {}, 0
        while (b := _BRANCH.match(body, i)) is not None:
            close = _matching_brace(body, b.end() - 1)
            branches[b.group(1)] = body[b.end() : close]
            i = close + 1
        if body[i:].strip() or "other" not in branches:
            raise ValueError(f"malformed plural in catalogue text: {text!r}")
        blocks.append((m.start(), end + 1, m.group(1), branches))
        pos = end + 1
    return blocks


def format_message(text: str, lang: str, kw: dict[str, object]) -> str:
    """Expand the plural blocks of `text` for the counts in `kw`, then `str.format` the rest."""
    for start, end, name, branches in reversed(plural_blocks(text)):
        value = kw.get(name)
        count = _as_count(value)
        branch = branches["other"]
        if count is not None:
            exact = f"={int(count)}" if count == int(count) else ""
            branch = branches.get(exact) or branches.get(plural_category(lang, count)) or branches["other"]
        branch = branch.replace("#", "{" + name + "}")
        text = text[:start] + branch + text[end:]
    if not kw:
        return text
    try:
        return text.format(**kw)
    except (KeyError, IndexError, ValueError):
        return string.Formatter().vformat(text, (), _Lenient(kw))


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(text: str) -> set[str]:
    """Every `{name}` a catalogue text uses, plural counts included (the catalogue tests compare them)."""
    names: set[str] = set()
    for start, end, name, branches in reversed(plural_blocks(text)):
        names.add(name)
        for branch in branches.values():
            names |= placeholders(branch.replace("#", ""))
        text = text[:start] + text[end:]
    names |= {field for _, field, _, _ in string.Formatter().parse(text) if field}
    return names


def plural_shapes(text: str) -> dict[str, set[str]]:
    """count name -> the CLDR categories its plural block covers (`=N` branches excluded)."""
    return {
        name: {b for b in branches if not b.startswith("=")} for _, _, name, branches in plural_blocks(text)
    }


# --- numbers, dates, durations (the formats live in the core catalogue) ---------------------------------
def number(n: int, lang: str | None = None) -> str:
    """Thousands separated as the language writes them (1,234 / 1 234 with a narrow no-break space)."""
    s = f"{n:,}"
    return s.replace(",", "\u202f") if (lang or language()) == "fr" else s


def date(d: datetime | None, lang: str | None = None) -> str:
    """A short date in the language: 'Dec 21, 2024' / '21 déc. 2024'."""
    if d is None:
        return "-"
    month = translate("core", f"month.m{d.month}", lang=lang)
    return translate("core", "format.date", lang=lang, day=d.day, month=month, year=d.year)


def datetime_short(d: datetime | None, lang: str | None = None) -> str:
    if d is None:
        return "-"
    return translate("core", "format.datetime", lang=lang, date=date(d, lang), time=d.strftime("%H:%M"))


def decimal(x: float, digits: int = 1, lang: str | None = None) -> str:
    """A decimal number as the language writes it: 2.5 / 2,5 (thousands grouped as in `number`)."""
    text = f"{x:,.{digits}f}"
    if (lang or language()) == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def date_numeric(d: datetime | None, lang: str | None = None) -> str:
    """A date in digits, the language's way: 2024-12-21 (ISO, unambiguous in English) / 21/12/2024."""
    if d is None:
        return "-"
    return translate(
        "core", "format.date_numeric", lang=lang, y=str(d.year), m=f"{d.month:02d}", d=f"{d.day:02d}"
    )


def time_of_day(d: datetime, lang: str | None = None) -> str:
    """A local time for "waiting until …": the time alone today, with its date otherwise."""
    local = d.astimezone()
    if local.date() == datetime.now(local.tzinfo).date():
        return local.strftime("%H:%M:%S")
    return translate(
        "core", "format.datetime", lang=lang, date=date_numeric(local, lang), time=local.strftime("%H:%M")
    )


def _parts(td: timedelta | float) -> tuple[int, int, int, int]:
    """(days, hours, minutes, seconds) of a duration rounded to the second, never negative."""
    seconds = max(0, round(td.total_seconds() if isinstance(td, timedelta) else float(td)))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return days, hours, minutes, secs


def duration_long(td: timedelta | float | None, lang: str | None = None) -> str:
    """A duration in words for sentences: '2 days 3 h' / '2 jours 3 h', '3 h 20 min', '12 min', '45 s'."""
    if td is None:
        return "-"
    days, hours, minutes, secs = _parts(td)
    if days:
        key = "format.long.days_hours" if hours else "format.long.days"
        return translate("core", key, lang=lang, d=days, h=hours)
    if hours:
        key = "format.long.hours_minutes" if minutes else "format.long.hours"
        return translate("core", key, lang=lang, h=hours, m=minutes)
    if minutes:
        return translate("core", "format.minutes", lang=lang, m=minutes)
    return translate("core", "format.seconds", lang=lang, s=max(1, secs))


def about(td: timedelta | float | None, lang: str | None = None) -> str:
    """'about 2 days 3 h' / 'environ 2 jours 3 h': an estimate, said as one."""
    return translate("core", "format.about", lang=lang, duration=duration_long(td, lang))


# --- values with their own words (Notice, vocabulary enums, todos) ---------------------------------------
def say(value: object, domain: str | None = None, lang: str | None = None) -> str:
    """`value` as a person reads it in `lang`, phrased by `domain` (default: the running front end).

    Anything with a `catalogue_key` (notice.Notice, the core's vocabulary enums, errors.Todo) is
    translated, with its `catalogue_params` said the same way; numbers get the language's separators;
    anything else (a server's words, archive text: data) is shown as it is."""
    key = getattr(value, "catalogue_key", None)
    if isinstance(key, str) and key:
        params = getattr(value, "catalogue_params", None) or {}
        return translate(domain or front_end(), key, lang=lang, **say_params(params, domain, lang))
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number(value, lang)
    if isinstance(value, float):
        return decimal(value, 1, lang)
    if isinstance(value, datetime):
        return time_of_day(value, lang)
    return str(value)


def say_params(
    params: Mapping[str, object], domain: str | None = None, lang: str | None = None
) -> dict[str, Any]:
    """Every parameter said in `lang` (see `say`); strings stay as they are."""
    return {k: v if type(v) is str else say(v, domain, lang) for k, v in params.items()}


def duration(td: timedelta | float | None, lang: str | None = None) -> str:
    """A human duration: '45 s', '12 min', '3 h 20 min', '4 d 6 h'."""
    if td is None:
        return "-"
    days, hours, minutes, secs = _parts(td)
    if days:
        return translate("core", "format.days_hours", lang=lang, d=days, h=hours)
    if hours:
        return translate("core", "format.hours_minutes", lang=lang, h=hours, m=minutes)
    if minutes:
        return translate("core", "format.minutes", lang=lang, m=minutes)
    return translate("core", "format.seconds", lang=lang, s=secs)
