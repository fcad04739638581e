"""Small functions for editing a post live (the TUI's Review step): counters, facets, re-splitting.

They apply exactly the rules the plan used (length.py, bluesky.py, mastodon.py, split.py), so what the
user sees while typing is what the plan and the engine will check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from quittex_tui.archive.construct import construct
from quittex_tui.convert import bluesky, mastodon
from quittex_tui.convert.length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    MASTODON_DEFAULT_MAX_CHARS,
    bluesky_counts,
    mastodon_count,
)
from quittex_tui.convert.models import PlannedPost, Target
from quittex_tui.convert.text import CleanText, Span, find_spans

__all__ = [
    "BLUESKY_MAX_BYTES",
    "BLUESKY_MAX_GRAPHEMES",
    "MASTODON_DEFAULT_MAX_CHARS",
    "bluesky_counts",
    "bluesky_facets",
    "links_from_facets",
    "mastodon_count",
    "split_for",
]

bluesky_facets = bluesky.bluesky_facets
links_from_facets = bluesky.links_from_facets


def split_for(
    target: Target,
    text: str,
    *,
    source_id: str = "",
    max_chars: int = MASTODON_DEFAULT_MAX_CHARS,
    number_parts: bool = False,
    footer: str = "",
    known_links: Mapping[str, str] | None = None,
    created_at: datetime | None = None,
    lang: str = "",
) -> list[PlannedPost]:
    """An edited text as the post(s) it becomes on `target` (split when over the limit).

    Bluesky: facets recomputed (`known_links`: shown text → URI of links kept from the planned post);
    Mastodon: `footer` (the date footer, if the item has one) ends the first post. `created_at`/`lang`:
    the source tweet's, kept on every post (pass the planned post's own).
    """
    text = text.strip()
    links: list[Span] = []
    for shown, uri in (known_links or {}).items():
        pos = text.find(shown)
        while shown and pos >= 0:
            if not any(pos < s.end and s.start < pos + len(shown) for s in links):
                links.append(Span("link", pos, pos + len(shown), uri))
            pos = text.find(shown, pos + len(shown))
    clean = CleanText(text, find_spans(text, links))
    posts: list[PlannedPost] = []
    if target == "bluesky":
        for part, draft in enumerate(bluesky.bluesky_posts(clean, number_parts=number_parts)):
            posts.append(
                _post(source_id, draft.text, draft.facets, draft.mention_candidates, created_at, lang, part)
            )
    else:
        for part, status in enumerate(
            mastodon.mastodon_posts(clean, max_chars=max_chars, footer=footer, number_parts=number_parts)
        ):
            posts.append(_post(source_id, status, [], [], created_at, lang, part))
    return posts


def _post(
    source_id: str,
    text: str,
    facets: list[dict[str, Any]],
    candidates: list[Any],
    created_at: datetime | None,
    lang: str,
    part: int,
) -> PlannedPost:
    return construct(
        PlannedPost,
        {
            "source_id": source_id,
            "text": text,
            "facets": facets,
            "media": [],
            "warnings": [],
            "mention_candidates": candidates,
            "created_at": created_at,
            "lang": lang,
            "self_label": "",
            "left_out": [],
            "part": part,
            "link_card": None,
            "self_links": [],
            "card": None,
            "quote": None,
        },
    )
