"""textsafe: what a terminal must never receive, and what a post must never carry
(docs/x-archive-format.md#text-is-data-control-and-bidi-characters, issue 11, "Hostile text").

Property tests (hypothesis) over any text, plus the table of the module docstring checked row by row."""

from __future__ import annotations

import json

import orjson
from hypothesis import example, given
from hypothesis import strategies as st

from quittex_tui.textsafe import (
    BIDI_CONTROLS,
    KEPT_MARKS,
    REPLACEMENT,
    for_display,
    for_posting,
    for_posting_mapped,
    is_terminal_safe,
    json_inert,
)

# Text that favours the interesting code points: controls, bidi, marks, surrogates, CR/LF, accents, emoji.
SPECIAL = (
    "\x00\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x80\x85\x9b\x9c\x9d\u200e\u200f\u061c\u202a\u202e\u2066\u2069"
    "\ud800\udfff\u2028é\u0301👩\u200d👧"
)
texts = st.text(alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(codec=None)), max_size=60)

OSC52 = "\x1b]52;c;SGVsbG8=\x07"
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b2J"
TROJAN_LINK = "https://\u202emoc.live//:sptth\u202c"  # RLO: shown reversed, reads like another address


def _is_control(ch: str) -> bool:
    cp = ord(ch)
    return (cp < 0x20 and ch not in "\t\n") or 0x7F <= cp <= 0x9F or ch in BIDI_CONTROLS


# --- the table, row by row --------------------------------------------------------------------------------
def test_table_shown() -> None:
    assert for_display(f"a{OSC52}b") == "a\\x1b]52;c;SGVsbG8=\\x07b"
    assert for_display(TITLE) == "\\x1b]0;pwned\\x07"
    assert for_display(CLEAR) == "\\x1b[2J\\x1b[H"
    assert for_display("nul\x00") == "nul\\x00"
    assert for_display(C1_CSI) == "\\x9b2J"
    assert for_display("del\x7f") == "del\\x7f"
    assert for_display(TROJAN_LINK) == "https://\\u202emoc.live//:sptth\\u202c"
    assert for_display("\u2066x\u2069") == "\\u2066x\\u2069"
    assert for_display("a\tb\nc") == "a\tb\nc"  # TAB and LF kept in multi-line text
    assert for_display("a\r\nb\rc") == "a\nb\nc"  # CR is a line break
    assert for_display("a\tb\nc\r\nd", one_line=True) == "a b c d"
    assert for_display("\u05e9\u200f!\u200e\u061c") == "\u05e9\u200f!\u200e\u061c"  # implicit marks kept
    assert for_display("x\ud800y") == f"x{REPLACEMENT}y"
    assert for_display("Été 🌞 — l’été, e\u0301") == "Été 🌞 — l’été, e\u0301"


def test_table_posted() -> None:
    assert for_posting(f"Bonjour{OSC52} !") == "Bonjour]52;c;SGVsbG8= !"
    assert for_posting(f"{TITLE}{CLEAR}x") == "]0;pwned[2J[Hx"
    assert for_posting("a\x00b\x9bc\x7fd") == "abcd"
    assert for_posting(TROJAN_LINK) == "https://moc.live//:sptth"  # what it really is, in plain order
    assert for_posting("\u2067مرحبا\u2069") == "مرحبا"
    assert for_posting("l1\r\nl2\rl3\tend") == "l1\nl2\nl3\tend"
    assert for_posting("\u05e9\u200f!") == "\u05e9\u200f!"
    assert for_posting("x\udfffy") == f"x{REPLACEMENT}y"
    assert for_posting("👩\u200d👧 e\u0301") == "👩\u200d👧 e\u0301"  # ZWJ and combining marks are text


# --- properties -------------------------------------------------------------------------------------------
@given(texts)
@example(OSC52 + TROJAN_LINK + "\r\n")
def test_display_is_terminal_safe(text: str) -> None:
    shown = for_display(text)
    assert is_terminal_safe(shown)
    assert "\r" not in shown
    line = for_display(text, one_line=True)
    assert is_terminal_safe(line)
    assert not set(line) & set("\r\n\t")
    shown.encode("utf-8")  # never a lone surrogate (a terminal write would raise)


@given(texts)
def test_display_keeps_everything_else(text: str) -> None:
    """Only controls change: the other characters are all there, in order."""
    shown = for_display(text)
    kept = [ch for ch in text if not _is_control(ch) and ch != "\r" and not "\ud800" <= ch <= "\udfff"]
    it = iter(shown)
    assert all(ch in it for ch in kept)
    if not any(_is_control(ch) or ch == "\r" or "\ud800" <= ch <= "\udfff" for ch in text):
        assert shown is text or shown == text


@given(texts)
def test_posting_removes_exactly_the_controls(text: str) -> None:
    posted = for_posting(text)
    assert is_terminal_safe(posted)
    assert "\r" not in posted
    assert not set(posted) & BIDI_CONTROLS
    posted.encode("utf-8")
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(
        REPLACEMENT if "\ud800" <= ch <= "\udfff" else ch for ch in expected if not _is_control(ch)
    )
    assert posted == expected
    assert for_posting(posted) == posted  # idempotent
    assert set(text) & KEPT_MARKS <= set(posted)


@given(texts, st.data())
def test_posting_map_moves_offsets_with_the_text(text: str, data: st.DataObject) -> None:
    """Every kept character is found at its mapped offset; the map never goes back; the end maps to the end
    (what keeps a link span and its UTF-8 facet offsets right after controls are removed)."""
    clean, mapped = for_posting_mapped(text)
    assert clean == for_posting(text)
    assert mapped(len(text)) == len(clean)
    for i, ch in enumerate(text):
        if not _is_control(ch) and ch != "\r" and not "\ud800" <= ch <= "\udfff":
            assert clean[mapped(i)] == ch
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    assert mapped(a) <= mapped(b)
    piece = for_posting(text[a:b])
    if not text[a:b].startswith("\n") or a == 0 or text[a - 1] != "\r":
        assert clean[mapped(a) : mapped(b)] == piece


@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from(SPECIAL.replace("\ud800", "").replace("\udfff", "")), st.characters(codec="utf-8")
        ),
        max_size=60,
    )
)
def test_json_inert_is_the_same_json_and_terminal_safe(text: str) -> None:
    obj = {"bio": text, "list": [text, 1]}
    for raw in (orjson.dumps(obj), json.dumps(obj, ensure_ascii=False).encode("utf-8")):
        inert = json_inert(raw)
        assert json.loads(inert) == obj
        assert is_terminal_safe(inert.decode("utf-8"))
        assert not set(inert.decode("utf-8")) & BIDI_CONTROLS
