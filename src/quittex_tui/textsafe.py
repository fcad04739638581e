"""Text from an archive or a server is data: it never drives the terminal and never disguises a link.

An X archive is a file anyone can hand you (or edit); a server's error body is whatever the server says.
Either may hold terminal control sequences (ECMA-48 / ISO 6429: `ESC ] 52 ; c ; … BEL` writes the clipboard,
`ESC ] 0 ;` sets the window title, `ESC [ 2 J` clears the screen, 8-bit C1 `CSI`/`OSC` do the same in one
code point) or Unicode bidi controls that reorder what is shown (UAX #9; the "Trojan Source" attack,
CVE-2021-42574: an RLO makes `moc.evil//:sptth` read as a harmless link). Two rules, one table:

- **shown** (TUI, CLI human output): `for_display` makes each control VISIBLE in an ASCII escape form —
  `\\x1b`, `\\x9b`, `\\u202e` — the same spelling Python, JSON and C use; plain ASCII survives every terminal
  font (the Linux console has no glyphs for U+241B "␛"), and it says exactly which character was there.
- **posted** (post texts, alt texts, profile name/bio): `for_posting` REMOVES them; a post is not the place to
  show a stray escape. Only the control characters go, not the printable rest of a sequence (`]0;title`):
  what remains is inert text, and nothing a person could have typed is dropped by guessing where a
  sequence ends.

| code points                         | standard                          | shown            | posted   |
|-------------------------------------|-----------------------------------|------------------|----------|
| U+0009 TAB, U+000A LF               | ECMA-48 §8.3 (C0 format effectors)| kept (one-line: space) | kept |
| U+000D CR (CR LF, lone CR)          | ECMA-48 §8.3.15                   | as LF            | as LF    |
| other U+0000–U+001F (NUL, BEL, ESC…)| ECMA-48 §5.2, C0 set              | `\\x1b`          | removed  |
| U+007F DEL                          | ECMA-48 §5.2 (not C0, same risk)  | `\\x7f`          | removed  |
| U+0080–U+009F (CSI, OSC, ST, …)     | ECMA-48 §5.3, C1 set              | `\\x9b`          | removed  |
| U+202A–U+202E LRE RLE PDF LRO RLO   | UAX #9 §2.1–2.3 embeddings/overrides | `\\u202e`     | removed  |
| U+2066–U+2069 LRI RLI FSI PDI       | UAX #9 §2.4–2.5 isolates          | `\\u2066`        | removed  |
| U+200E LRM, U+200F RLM, U+061C ALM  | UAX #9 §2.6 implicit marks        | kept             | kept     |
| U+D800–U+DFFF (lone surrogates)     | Unicode §3.9 D76 (no scalar value)| U+FFFD           | U+FFFD   |

Why the implicit marks stay: they are invisible *strong* characters (UAX #9 rules W7/N1); they can move
neutral punctuation next to them but cannot reverse a run of Latin letters, so they cannot disguise a link —
and Arabic and Hebrew writers need them to place punctuation right. The embeddings, overrides and isolates
can reorder whole runs, which is what disguises text; real writing rarely needs them (an isolate may be
typed around a name; removing it only changes where neutral punctuation sits). Lone surrogates cannot be
encoded in UTF-8 (a terminal write or a JSON request would fail): U+FFFD, the Unicode replacement
character, stands for them in both directions.

No Textual or Rich here (pure core): the TUI wraps these in widgets (tui/safe.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

REPLACEMENT = "\ufffd"

# Everything either rule touches (TAB and LF are matched by the display rule only, in one-line mode).
_POSTING = re.compile("\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_DISPLAY = _POSTING
_DISPLAY_ONE_LINE = re.compile("\r\n?|[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What must never reach a terminal (for checks and tests): TAB/LF are harmless, CR is a line break.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# In JSON output: C0 is always escaped by the encoder (RFC 8259 §7); C1, DEL and the bidi controls are not
# (they are legal raw in a JSON string) — yet printed raw to a terminal they act. \uXXXX is the same string.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
KEPT_MARKS = frozenset("\u200e\u200f\u061c")


def visible(char: str) -> str:
    """The ASCII spelling of one control code point (`\\x1b`, `\\u202e`); U+FFFD for a lone surrogate."""
    cp = ord(char)
    if 0xD800 <= cp <= 0xDFFF:
        return REPLACEMENT
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def _shown(match: re.Match[str]) -> str:
    found = match.group()
    return "\n" if found[0] == "\r" else visible(found)


def _shown_one_line(match: re.Match[str]) -> str:
    found = match.group()
    return " " if found[0] in "\r\n\t" else visible(found)


def for_display(text: str, *, one_line: bool = False) -> str:
    """`text` safe to write to a terminal: controls shown as `\\x1b`-style escapes (see the table).

    `one_line`: TAB, LF and CR become spaces too (a list row must stay one line)."""
    if one_line:
        return _DISPLAY_ONE_LINE.sub(_shown_one_line, text) if _DISPLAY_ONE_LINE.search(text) else text
    return _DISPLAY.sub(_shown, text) if _DISPLAY.search(text) else text


def _posted(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "\r":
        return "\n"
    if "\ud800" <= found <= "\udfff":
        return REPLACEMENT
    return ""


def for_posting(text: str) -> str:
    """`text` as it may be published: controls removed, CR LF / lone CR as LF (see the table)."""
    return _POSTING.sub(_posted, text) if _POSTING.search(text) else text


def for_posting_mapped(text: str) -> tuple[str, Callable[[int], int]]:
    """`for_posting(text)` and a function mapping a code-point offset into `text` to the same place in the
    result (for spans computed before the cleaning: links, tags). An offset on a removed character maps to
    the next character kept."""
    if not _POSTING.search(text):
        return text, lambda offset: offset
    removed: list[int] = []
    out: list[str] = []
    cursor = 0
    for match in _POSTING.finditer(text):
        start, end = match.span()
        out.append(text[cursor:start])
        replacement = _posted(match)
        out.append(replacement)
        # Every replacement is "" (one char removed), "\n" for "\r\n" (its first char removed), or one char
        # for one char: record the removed offsets only.
        removed.extend(range(start, end - len(replacement)))
        cursor = end
    out.append(text[cursor:])

    def mapped(offset: int) -> int:
        return offset - bisect_left(removed, offset)

    return "".join(out), mapped


def is_terminal_safe(text: str) -> bool:
    """True when `text` holds nothing a terminal would act on (TAB, LF and CR allowed)."""
    return UNSAFE.search(text) is None


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_inert(data: bytes) -> bytes:
    """UTF-8 JSON (from orjson/json with raw non-ASCII) with the code points a terminal would act on
    written as `\\uXXXX`: the same JSON value, byte-for-byte safe to print. They can only occur inside
    strings (JSON syntax outside strings is ASCII), where `\\uXXXX` means the same character."""
    text = data.decode("utf-8")
    if not _JSON_RAW.search(text):
        return data
    return _JSON_RAW.sub(_json_escape, text).encode("utf-8")
