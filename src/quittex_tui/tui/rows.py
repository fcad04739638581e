"""Flat, display-ready rows for the virtualised lists, and the Review filter over them.

Pure Python (no Textual, no I/O), made in a worker after the archive and the plans are loaded, then
filtered and sorted in memory. Kept small for 100k–500k tweets (bounded memory):
- the Archive list's rows are `TweetRow` views over the archive's own tweets (one small object each; the
  one-line text is made when a row is drawn, never stored);
- the Review/Queue rows come from the plans' summaries (tui/plan_store.py), their post counts shared
  between rows, and the lowercased search text of a row is made the first time a search needs it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quittex_tui.archive.models import Tweet, TweetKind

if TYPE_CHECKING:
    from quittex_tui.tui.plan_store import PlanStore

ALL = ""  # the "no constraint" value of a filter field
_NO_POSTS: dict[str, int] = {}
_KIND_TEXT = {kind: kind.value for kind in TweetKind}  # one string per kind, shared by every row


@dataclass(slots=True)
class Row:
    """One line of a list: a plan item (Review / Queue), or anything shaped like one."""

    id: str  # tweet id, or plan item id
    kind: str  # TweetKind value (tweets) or ItemKind value (items)
    created_at: datetime
    text: str  # one line, whitespace collapsed
    has_media: bool
    engagement: int  # favorite_count + retweet_count (the archive's own counts)
    search: str = ""  # lowercased text used by the search box ("" = made from text + sources on demand)
    posts: dict[str, int] = field(default_factory=dict)  # network -> number of posts (items only)
    default_skipped: bool = False  # the plan leaves it out unless opted in (e.g. replies)
    sources: Sequence[str] = ()  # the item's tweet ids: the search looks into their text too
    lookup: dict[str, Tweet] | None = None  # tweet id -> tweet (the archive's by_id)
    videos: int = 0  # videos and GIFs the item sends (docs/bluesky.md#video: the daily video limit)
    flagged: bool = False  # X flagged its media `possibly_sensitive` (a self-label is proposed)

    def haystack(self) -> str:
        if not self.search:
            tweets = [self.lookup[s] for s in self.sources if s in self.lookup] if self.lookup else []
            self.search = " ".join([self.text, *(tweet_text(tw) for tw in tweets)]).lower()
        return self.search


class TweetRow:
    """A tweet as a row of the Archive list: a view over the tweet, its text made when it is drawn."""

    __slots__ = ("created_at", "id", "kind", "tweet")  # the fields filters read on every row: plain slots
    posts = _NO_POSTS
    default_skipped = False

    def __init__(self, tweet: Tweet) -> None:
        self.tweet = tweet
        self.id = tweet.id
        kind = tweet.kind
        self.kind = _KIND_TEXT.get(kind) or str(kind)
        self.created_at = tweet.created_at

    @property
    def text(self) -> str:
        return tweet_text(self.tweet)

    @property
    def has_media(self) -> bool:
        return bool(self.tweet.media)

    @property
    def engagement(self) -> int:
        return self.tweet.favorite_count + self.tweet.retweet_count

    @property
    def search(self) -> str:
        return self.text.lower()

    def haystack(self) -> str:
        return self.search


def one_line(text: str) -> str:
    return " ".join(text.split())


def tweet_text(tweet: Tweet) -> str:
    return one_line(html.unescape(tweet.note_text or tweet.full_text))


def tweet_rows(tweets: Iterable[Tweet]) -> list[TweetRow]:
    return [TweetRow(tw) for tw in tweets]


def item_rows(stores: dict[str, PlanStore], by_id: dict[str, Tweet]) -> list[Row]:
    """One row per plan item, in the order of the first plan (oldest first), with the post count of
    the same item on every network. Items only one network plans (should not happen) are appended."""
    networks = list(stores)
    all_stores = list(stores.values())
    if not all_stores:
        return []
    first = all_stores[0]
    if all(store.ids == first.ids for store in all_stores[1:]):
        # the usual case: every network plans the same items in the same order
        order = [(first, n) for n in range(len(first))]
        counts: Iterable[tuple[int, ...]] = zip(*(store.posts for store in all_stores), strict=True)
    else:
        seen: set[str] = set()
        entries = []
        for store in all_stores:
            for n, item_id in enumerate(store.ids):
                if item_id not in seen:
                    seen.add(item_id)
                    entries.append((store.created[n], item_id, store, n))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        order = [(store, n) for _c, _i, store, n in entries]
        counts = (
            tuple(s.posts[s.position[store.ids[n]]] if store.ids[n] in s.position else -1 for s in all_stores)
            for store, n in order
        )
    shared_counts: dict[tuple[int, ...], dict[str, int]] = {}
    rows = []
    for (store, n), count in zip(order, counts, strict=True):
        posts = shared_counts.get(count)
        if posts is None:  # one dict per distinct set of counts, shared by the rows that have it
            posts = {net: c for net, c in zip(networks, count, strict=True) if c >= 0}
            shared_counts[count] = posts
        item_id = store.ids[n]
        tweet = by_id.get(item_id)
        more = store.summary.more.get(n)
        text = store.texts[n] if store.texts else _text_elsewhere(stores, item_id)
        summary = store.summary
        rows.append(
            Row(
                item_id,
                store.kinds[n],
                store.created[n],
                text,
                bool(summary.media[n]),
                (tweet.favorite_count + tweet.retweet_count) if tweet is not None else 0,
                "",
                posts,
                False,
                store.sources(n) if more else (item_id,),
                by_id,
                summary.videos[n] if summary.videos else 0,
                bool(summary.flagged[n]) if summary.flagged else False,
            )
        )
    return rows


def _text_elsewhere(stores: dict[str, PlanStore], item_id: str) -> str:
    """The item's line of text from the network whose summary keeps texts (one does: plan_store)."""
    for store in stores.values():
        n = store.position.get(item_id)
        if n is not None and store.texts:
            return store.texts[n]
    return ""


@dataclass
class ReviewFilter:
    kind: str = ALL
    year: int | None = None
    month: int | None = None
    media: bool | None = None  # None: any; True: with media; False: without
    search: str = ""
    sort: str = "date"  # "date" | "engagement"
    selection: str = ALL  # "" any | "included" | "excluded"

    def is_empty(self) -> bool:
        return not (self.kind or self.year or self.media is not None or self.search or self.selection)


def apply_filter(rows: Sequence[Any], flt: ReviewFilter, excluded: set[str] | None = None) -> list[int]:
    """Indices of `rows` matching `flt`, in the chosen order (date: as given; engagement: best first)."""
    needle = flt.search.strip().lower()
    out = []
    for i, row in enumerate(rows):
        if flt.kind and row.kind != flt.kind:
            continue
        if flt.year is not None and row.created_at.year != flt.year:
            continue
        if flt.month is not None and row.created_at.month != flt.month:
            continue
        if flt.media is not None and row.has_media != flt.media:
            continue
        if needle and needle not in row.haystack():
            continue
        if flt.selection and excluded is not None:
            inc = row.id not in excluded
            if (flt.selection == "included") != inc:
                continue
        out.append(i)
    if flt.sort == "engagement":
        out.sort(key=lambda i: (-rows[i].engagement, i))
    return out


def years(rows: Iterable[Any]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.created_at.year] = counts.get(row.created_at.year, 0) + 1
    return dict(sorted(counts.items()))


def months(rows: Iterable[Any]) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row.created_at.year, row.created_at.month)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def kinds(rows: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    return counts
