"""Mastodon statuses from a clean text: the instance's length rule, splitting, the optional date footer.

docs/mastodon.md#status-length: a status is at most `configuration.statuses.max_characters` (500 by
default; given by option here, read from the instance by the engine), counted like Mastodon's
`StatusLengthValidator` (length.mastodon_count). Mastodon cannot backdate, so an optional footer
("Posted on X on 21 Dec 2024" / "Publié sur X le 21/12/2024") ends the first post of each item; it counts
in the limit. The date is the tweet's UTC date (the plan must not depend on the machine's time zone).

X handles: a bare `@alice` in a status is resolved by Mastodon as a *local* account of the instance — a
stranger who would be mentioned and notified by every imported post. So X handles outside links are
written `@alice@x.com`: Mastodon counts that as `@alice` (no length cost), cannot resolve it to anyone,
and readers still see who was meant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quittex_tui.convert.length import (
    MASTODON_DEFAULT_MAX_CHARS,
    graphemes,
    mastodon_count,
    mastodon_fits,
)
from quittex_tui.convert.split import Rules, split_text
from quittex_tui.convert.text import CleanText, Span, is_domain_handle, mentions

X_DOMAIN = "x.com"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FOOTER_SEPARATOR = "\n\n"


def date_footer(created_at: datetime, locale: str = "en") -> str:
    """The footer's words for a tweet date, in the user's language (fr or en; others fall back to en)."""
    if locale.lower().startswith("fr"):
        return f"Publié sur X le {created_at:%d/%m/%Y}"
    return f"Posted on X on {created_at.day} {_MONTHS_EN[created_at.month - 1]} {created_at.year}"


def _cost(piece: str) -> tuple[int]:
    if "@" not in piece and "http" not in piece.lower():
        return (graphemes(piece),)
    return (mastodon_count(piece),)


def rules(max_chars: int = MASTODON_DEFAULT_MAX_CHARS) -> Rules:
    return Rules(cost=_cost, limits=(max_chars,), fits=lambda text: mastodon_fits(text, max_chars))


def neutralise_mentions(text: str, spans: Sequence[Span]) -> tuple[str, list[Span]]:
    """`@alice` → `@alice@x.com` outside links (see the module docstring); later spans shifted. A handle
    written as a domain (`@alice.bsky.social`, a Bluesky handle) is left as written: Mastodon resolves no
    local account from it, and it names its Bluesky account as it is."""
    found = [m for m in mentions(text, list(spans)) if not is_domain_handle(m[2])]
    if not found:
        return text, list(spans)
    suffix = "@" + X_DOMAIN
    out: list[str] = []
    cursor = 0
    for _start, end, _handle in found:
        out.append(text[cursor:end])
        out.append(suffix)
        cursor = end
    out.append(text[cursor:])
    shifted = []
    for span in spans:
        by = len(suffix) * sum(1 for _s, e, _h in found if e <= span.start)
        shifted.append(Span(span.kind, span.start + by, span.end + by, span.value))
    return "".join(out), shifted


def mastodon_posts(
    clean: CleanText,
    *,
    max_chars: int = MASTODON_DEFAULT_MAX_CHARS,
    footer: str = "",
    number_parts: bool = False,
) -> list[str]:
    """The status texts for one tweet's clean text; `footer` (if any) ends the first one."""
    text, spans = neutralise_mentions(clean.text, clean.spans)
    suffix = (FOOTER_SEPARATOR + footer if text else footer) if footer else ""
    parts = split_text(text, spans, rules(max_chars), number_parts=number_parts, first_suffix=suffix)
    return [part.text for part in parts]
