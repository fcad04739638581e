"""How long a post is, the way each network counts it.

- Bluesky: at most 300 grapheme clusters AND 3000 UTF-8 bytes (docs/bluesky.md#text-limits; lexicon
  app.bsky.feed.post `text` maxGraphemes/maxLength). Grapheme clusters come from `grapheme` (graphemeu,
  UAX #29), so a ZWJ family, a flag or an accent written as a combining mark counts once.
- Mastodon: `Mastodon.get_status_length(text, cw)` (Mastodon.py[grapheme]) reproduces Mastodon's
  `StatusLengthValidator`: grapheme clusters, every http(s) URL counts 23, `@user@domain` counts `@user`.

`grapheme.length` is pure Python (~3 µs per code point), so the hot path (100k short tweets) uses exact
shortcuts: a text never has more clusters than code points, and a Mastodon count never exceeds the code
point count plus 23 per URL, so a short text is known to fit without counting its clusters. And under
UAX #29 a code point joins its neighbour only through the break properties Extend, ZWJ, SpacingMark,
Prepend, Regional_Indicator, the Hangul L/V/T/LV/LVT, or CR LF: a text with none of them (most French
text, single-code-point emoji) has exactly one cluster per code point. That set is read from graphemeu's
own tables, so both counters always agree (tests/convert/test_split_properties.py checks it).
"""

from __future__ import annotations

import re

import grapheme

BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_MAX_BYTES = 3000
MASTODON_DEFAULT_MAX_CHARS = 500
MASTODON_URL_WEIGHT = 23  # characters_reserved_per_url (docs/mastodon.md#status-length)
# Alt texts (docs/bluesky.md#video, issue 12). Bluesky: app.bsky.embed.video#alt is maxGraphemes 1000,
# maxLength 10000 (UTF-8 bytes); the same cap is kept for images, whose lexicon sets none. Mastodon: a media
# description is at most 1,500 characters (MediaAttachment MAX_DESCRIPTION_LENGTH; Ruby counts code points).
BLUESKY_ALT_MAX_GRAPHEMES = 1000
BLUESKY_ALT_MAX_BYTES = 10_000
MASTODON_ALT_MAX_CHARS = 1500


# Outside the BMP, joining characters sit in a few blocks; testing for these coarse blocks keeps the
# regex fast (re keeps BMP classes as a bitmap but scans non-BMP ranges one by one). A superset is safe:
# any extra character only sends a little more text through the full algorithm.
_COARSE_ASTRAL = [
    (0x10000, 0x1EFFF),  # historic and minority scripts with their marks
    (0x1F1E6, 0x1F1FF),  # regional indicators (flags)
    (0x1F3FB, 0x1F3FF),  # emoji skin-tone modifiers
    (0xE0000, 0xE0FFF),
]  # tags, variation selectors supplement


def _joining_class() -> str:
    """A regex character class holding every code point that can join a grapheme cluster with a
    neighbour (Extend, ZWJ, SpacingMark, Prepend, Regional_Indicator, Hangul L/V/T/LV/LVT)."""
    try:
        from grapheme import grapheme_property_group as gpg

        joining = {
            gpg.GraphemePropertyGroup(name)
            for name in (
                "Prepend",
                "Extend",
                "Regional_Indicator",
                "SpacingMark",
                "L",
                "V",
                "T",
                "LV",
                "LVT",
                "ZWJ",
            )
        }
        exact = [(lo, hi) for lo, hi, group in gpg.RANGE_TREE[1] if group in joining]
        exact += [(cp, cp) for cp, group in gpg.SINGLE_CHAR_MAPPINGS.items() if group in joining]
    except (ImportError, AttributeError, ValueError, TypeError, IndexError):  # tables moved: no shortcut
        return r"[^\x00-\x7f]"
    ranges = [r for r in exact if r[1] <= 0xFFFF] + list(_COARSE_ASTRAL)
    ranges += [
        r for r in exact if r[1] > 0xFFFF and not any(lo <= r[0] and r[1] <= hi for lo, hi in _COARSE_ASTRAL)
    ]
    ranges.sort()
    merged: list[list[int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    body = "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in merged
    )
    return f"[{body}]"


JOINING = re.compile(_joining_class() + "+")


def graphemes(text: str) -> int:
    """Grapheme clusters in `text`: one per code point, except around runs of joining characters.

    Each run is measured by the full algorithm together with the ordinary character on each side (the
    ones it may join); runs that share such a neighbour are measured as one island.
    """
    count = len(text) - text.count("\r\n")
    if text.isascii():
        return count
    n = len(text)
    island_start = island_end = -1
    for m in JOINING.finditer(text):
        start, end = m.start(), m.end()
        if start > 0:  # the neighbour is measured with the run, CR and LF included (their context counts)
            start -= 1
        if end < n:
            end += 1
        if start < island_end:  # shares a neighbour with the previous run
            island_end = end
            continue
        if island_end > island_start:
            count += grapheme.length(text[island_start:island_end]) - (island_end - island_start)
        island_start, island_end = start, end
    if island_end > island_start:
        count += grapheme.length(text[island_start:island_end]) - (island_end - island_start)
    return count


def utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def bluesky_counts(text: str) -> tuple[int, int]:
    """(grapheme clusters, UTF-8 bytes) — the two numbers Bluesky checks (TUI live counters use it)."""
    return graphemes(text), utf8_len(text)


def bluesky_fits(text: str) -> bool:
    """True when `text` is within both Bluesky limits; counts clusters only when it matters."""
    if utf8_len(text) > BLUESKY_MAX_BYTES:
        return False
    if len(text) <= BLUESKY_MAX_GRAPHEMES:  # clusters <= code points
        return True
    return graphemes(text) <= BLUESKY_MAX_GRAPHEMES


def mastodon_count(text: str, spoiler_text: str = "") -> int:
    """Mastodon's own count of a status (text + content warning)."""
    from mastodon import Mastodon  # ~0.1 s to import: only when a Mastodon count is really needed

    return int(Mastodon.get_status_length(text, spoiler_text))


def mastodon_fits(text: str, max_chars: int = MASTODON_DEFAULT_MAX_CHARS, spoiler_text: str = "") -> bool:
    # Upper bound without the URL regex: each URL adds at most 23 (it replaces its own text).
    bound = len(text) + len(spoiler_text) + MASTODON_URL_WEIGHT * text.lower().count("http")
    if bound <= max_chars:
        return True
    return mastodon_count(text, spoiler_text) <= max_chars


def alt_counts(text: str) -> tuple[int, int, int]:
    """(Bluesky graphemes, UTF-8 bytes, Mastodon characters) of an alt text."""
    graphemes, size = bluesky_counts(text)
    return graphemes, size, len(text)
