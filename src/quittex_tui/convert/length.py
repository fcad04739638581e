"""How long a post is, the way each network counts it.

- Bluesky: at most 300 grapheme clusters AND 3000 UTF-8 bytes (platform-limits.md, "Post text"; lexicon
  app.bsky.feed.post `text` maxGraphemes/maxLength). Grapheme clusters come from `grapheme` (graphemeu,
  UAX #29), so a ZWJ family, a flag or an accent written as a combining mark counts once.
- Mastodon: `Mastodon.get_status_length(text, cw)` (Mastodon.py[grapheme]) reproduces Mastodon's
  `StatusLengthValidator`: grapheme clusters, every http(s) URL counts 23, `@user@domain` counts `@user`.

`grapheme.length` is pure Python (~3 µs per code point), so the hot path (100k short tweets) uses exact
shortcuts: a text never has more clusters than code points, and a Mastodon count never exceeds the code
point count plus 23 per URL, so a short text is known to fit without counting its clusters.
"""

from __future__ import annotations

import grapheme
from mastodon import Mastodon

BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_MAX_BYTES = 3000
MASTODON_DEFAULT_MAX_CHARS = 500
MASTODON_URL_WEIGHT = 23  # characters_reserved_per_url (platform-limits.md, "Status length")


def graphemes(text: str) -> int:
    """Grapheme clusters in `text` (ASCII shortcut: one per code point except CR LF)."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    return grapheme.length(text)


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
    return int(Mastodon.get_status_length(text, spoiler_text))


def mastodon_fits(text: str, max_chars: int = MASTODON_DEFAULT_MAX_CHARS, spoiler_text: str = "") -> bool:
    # Upper bound without the URL regex: each URL adds at most 23 (it replaces its own text).
    bound = len(text) + len(spoiler_text) + MASTODON_URL_WEIGHT * text.lower().count("http")
    if bound <= max_chars:
        return True
    return mastodon_count(text, spoiler_text) <= max_chars
