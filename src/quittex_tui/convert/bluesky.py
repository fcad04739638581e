"""Bluesky posts from a clean text: limits, link/tag facets with UTF-8 byte offsets, mention candidates.

docs/bluesky.md#text-limits and #rich-text-facets:
- a post is ≤ 300 grapheme clusters AND ≤ 3000 UTF-8 bytes;
- rich text is facets (lexicon app.bsky.richtext.facet): `index.byteStart/byteEnd` are UTF-8 byte offsets
  into the post text; `#link` carries the full `uri`, `#tag` the tag without '#';
- the text shown for a link may be shortened (`example.org/long…`) while `uri` keeps the full URL — as the
  Bluesky app itself does — so long links do not eat the 300-grapheme budget;
- a `#mention` facet needs a DID: handles stay plain text and are recorded as candidates, resolved (or
  not) at publish time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import grapheme

from quittex_tui.archive.construct import construct
from quittex_tui.convert.length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    JOINING,
    bluesky_fits,
    graphemes,
    utf8_len,
)
from quittex_tui.convert.models import MentionCandidate
from quittex_tui.convert.split import Rules, split_text
from quittex_tui.convert.text import CleanText, Span, find_spans, mentions

LINK_TYPE = "app.bsky.richtext.facet#link"
TAG_TYPE = "app.bsky.richtext.facet#tag"
# Links longer than this (code points) are shown as host + start of path + "…" (facet uri stays full).
LINK_DISPLAY_MAX = 40


def _cost(piece: str) -> tuple[int, int]:
    return graphemes(piece), utf8_len(piece)


RULES = Rules(cost=_cost, limits=(BLUESKY_MAX_GRAPHEMES, BLUESKY_MAX_BYTES), fits=bluesky_fits)


class BlueskyPost:
    """One post's text, facets and mention candidates (plain data for plan.py)."""

    __slots__ = ("facets", "mention_candidates", "text")

    def __init__(
        self, text: str, facets: list[dict[str, Any]], mention_candidates: list[MentionCandidate]
    ) -> None:
        self.text = text
        self.facets = facets
        self.mention_candidates = mention_candidates


def bluesky_posts(clean: CleanText, *, number_parts: bool = False) -> list[BlueskyPost]:
    """The post(s) for one tweet's clean text: long links shortened for display, split if over a limit."""
    text, spans = shorten_links(clean.text, clean.spans)
    if bluesky_fits(text):
        return [_post(text, spans)]
    parts = split_text(text, spans, RULES, number_parts=number_parts)
    return [_post(part.text, part.spans) for part in parts]


def short_link_text(uri: str) -> str:
    """How a long link is shown: no scheme, no `www.`, cut between graphemes and ended with `…`."""
    shown = uri.split("://", 1)[1] if "://" in uri else uri
    if shown.startswith("www."):
        shown = shown[4:]
    if len(shown) <= LINK_DISPLAY_MAX:
        return shown
    cut = LINK_DISPLAY_MAX - 1
    if not shown.isascii() and JOINING.search(shown, 0, cut + 2):  # don't split an accent or emoji
        cut = grapheme.safe_split_index(shown, cut)
    return shown[: max(cut, 1)] + "…"


def shorten_links(text: str, spans: Sequence[Span]) -> tuple[str, list[Span]]:
    """Replace the shown text of each link longer than LINK_DISPLAY_MAX; shift the later spans."""
    if not any(s.kind == "link" and s.end - s.start > LINK_DISPLAY_MAX for s in spans):
        return text, list(spans)
    out: list[str] = []
    new_spans: list[Span] = []
    cursor = 0
    delta = 0
    for span in spans:
        if span.kind == "link" and span.end - span.start > LINK_DISPLAY_MAX:
            shown = short_link_text(span.value)
            out.append(text[cursor : span.start])
            out.append(shown)
            cursor = span.end
            new_spans.append(Span("link", span.start + delta, span.start + delta + len(shown), span.value))
            delta += len(shown) - (span.end - span.start)
        else:
            new_spans.append(Span(span.kind, span.start + delta, span.end + delta, span.value))
    out.append(text[cursor:])
    return "".join(out), new_spans


def facets_for(text: str, spans: Sequence[Span]) -> list[dict[str, Any]]:
    """app.bsky.richtext.facet objects for the spans, with UTF-8 byte offsets into `text`."""
    if not spans:
        return []
    ascii_text = text.isascii()
    facets: list[dict[str, Any]] = []
    for span in spans:
        start, end = _byte_range(text, span.start, span.end, ascii_text)
        if span.kind == "link":
            feature = {"$type": LINK_TYPE, "uri": span.value}
        else:
            feature = {"$type": TAG_TYPE, "tag": span.value}
        facets.append({"index": {"byteStart": start, "byteEnd": end}, "features": [feature]})
    return facets


def mention_candidates(text: str, spans: Sequence[Span]) -> list[MentionCandidate]:
    ascii_text = text.isascii()
    found = []
    for start, end, handle in mentions(text, list(spans)):
        b0, b1 = _byte_range(text, start, end, ascii_text)
        found.append(construct(MentionCandidate, {"handle": handle, "byte_start": b0, "byte_end": b1}))
    return found


def bluesky_facets(text: str, known_links: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Facets for a text edited by the user (TUI): raw http(s) links and hashtags are found again.

    `known_links` maps a shown link text to its full URI (e.g. `links_from_facets` of the planned post),
    so a shortened link kept in the edited text keeps its facet.
    """
    links: list[Span] = []
    for shown, uri in sorted((known_links or {}).items(), key=lambda kv: -len(kv[0])):
        pos = text.find(shown)
        while pos >= 0 and shown:
            end = pos + len(shown)
            if not any(pos < s.end and s.start < end for s in links):
                links.append(Span("link", pos, end, uri))
            pos = text.find(shown, end)
    return facets_for(text, find_spans(text, links))


def links_from_facets(text: str, facets: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Shown text → URI of each link facet of a post (to feed `bluesky_facets` after an edit)."""
    data = text.encode("utf-8")
    out: dict[str, str] = {}
    for facet in facets:
        for feature in facet.get("features", []):
            if feature.get("$type") == LINK_TYPE:
                index = facet["index"]
                shown = data[index["byteStart"] : index["byteEnd"]].decode("utf-8", "replace")
                out[shown] = feature["uri"]
    return out


def _post(text: str, spans: Sequence[Span]) -> BlueskyPost:
    return BlueskyPost(text, facets_for(text, spans), mention_candidates(text, spans))


def _byte_range(text: str, start: int, end: int, ascii_text: bool) -> tuple[int, int]:
    if ascii_text:
        return start, end
    b0 = utf8_len(text[:start])
    return b0, b0 + utf8_len(text[start:end])
