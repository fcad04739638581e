"""Note tweets (long posts): read `note-tweet.js` and join each note to its tweet.

Spec: docs/x-archive-format.md#note-tweetjs-rows. `noteTweetId` is never the tweet id, and the same second
of `created_at` is necessary but not enough (threads are posted fast: a third of real notes shared their
second with another tweet). So a note joins a tweet only when the tweet's cut `full_text` is a prefix of
the note's text once leading @mentions, links and the `…` are stripped; ties go to the tweet whose
snowflake clock is closest *after* the note's (the tweet is created a few tens of ms after its note).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime

import msgspec

from quittex_tui.archive import rows
from quittex_tui.archive.models import Hashtag, Mention, Tweet, UrlEntity


class NoteTweet(msgspec.Struct, kw_only=True, gc=False):
    """One row of note-tweet.js: the complete text of a long post and its entities (plain text, unescaped)."""

    note_id: str
    created_at: datetime
    text: str
    urls: tuple[UrlEntity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    hashtags: tuple[Hashtag, ...] = ()


def note_from_row(row: object) -> NoteTweet | None:
    inner = row.get("noteTweet") if isinstance(row, dict) else None
    if not isinstance(inner, dict):
        return None
    core = inner.get("core")
    created = rows.parse_created_at(inner.get("createdAt"))
    note_id = inner.get("noteTweetId")
    if (
        not isinstance(core, dict)
        or not isinstance(core.get("text"), str)
        or created is None
        or note_id is None
    ):
        return None
    return NoteTweet(
        note_id=str(note_id),
        created_at=created,
        text=core["text"],
        urls=rows.urls(core.get("urls")),
        mentions=rows.mentions(core.get("mentions")),
        hashtags=rows.hashtags(core.get("hashtags")),
    )


def note_id_of(row: object) -> str | None:
    inner = row.get("noteTweet") if isinstance(row, dict) else None
    if isinstance(inner, dict) and inner.get("noteTweetId") is not None:
        return str(inner["noteTweetId"])
    return None


_LEADING_MENTIONS = re.compile(r"^(?:\s*[@＠]\w+)+")
_LINK = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")


def comparable(text: str) -> str:
    """Text reduced to what a note and its cut tweet share: no leading @mentions, links, `…`, spacing."""
    text = _LEADING_MENTIONS.sub("", text)
    text = _LINK.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    return text.removesuffix("…").rstrip()


def _without_links(note: NoteTweet) -> str:
    """The note's text with its link entities blanked, however they are written there (with or without
    a scheme, as the t.co or as typed): the cut full_text shows each as a t.co, which `comparable`
    blanks. Both sides are unescaped: full_text is HTML-escaped, core.text normally not."""
    text = note.text
    needles = {n for u in note.urls for n in (u.url, u.expanded_url, u.display_url) if len(n) > 3}
    for needle in sorted(needles, key=len, reverse=True):
        text = text.replace(needle, " ")
    return html.unescape(text) if "&" in text else text


def join_notes(notes: Iterable[NoteTweet], tweets: list[Tweet], skip_ids: set[str]) -> list[NoteTweet]:
    """Set `note_text` and note entities on the matching tweets; return the notes that matched nothing."""
    by_second: dict[int, list[Tweet]] = {}
    for tweet in tweets:
        by_second.setdefault(int(tweet.created_at.timestamp()), []).append(tweet)
    taken: set[str] = set()
    unmatched = []
    for note in sorted(notes, key=lambda n: (n.created_at, n.note_id)):
        if note.note_id in skip_ids:
            continue
        second = int(note.created_at.timestamp())
        want = comparable(_without_links(note))
        note_ms = rows.snowflake_ms(note.note_id)
        best: tuple[tuple[int, int, int, int, str], Tweet] | None = None
        for sec in (second, second + 1):
            for tweet in by_second.get(sec, ()):
                if tweet.id in taken:
                    continue
                have = comparable(html.unescape(tweet.full_text))
                if not have or not want.startswith(have):
                    continue
                tweet_ms = rows.snowflake_ms(tweet.id)
                if note_ms is not None and tweet_ms is not None:
                    delta = tweet_ms - note_ms
                    clock = delta if delta >= 0 else 1_000_000 - delta  # before its note: unlikely
                else:
                    clock = 0
                # the snowflake clocks decide; when unknown, the longest matching text, then the second
                score = (clock, -len(have), sec - second, tweet_ms or 0, tweet.id)
                if best is None or score < best[0]:
                    best = (score, tweet)
        if best is None:
            unmatched.append(note)
            continue
        tweet = best[1]
        taken.add(tweet.id)
        tweet.note_text = note.text
        tweet.note_urls = note.urls
        tweet.note_mentions = note.mentions
        tweet.note_hashtags = note.hashtags
        if tweet.quoted_url is None:  # a quote link may sit past the cut
            tweet.quoted_url = rows.quoted_url(tweet.id, note.urls)
    return unmatched
