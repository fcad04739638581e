"""The send-time link stage: each post's links, quote and mentions made to live on the new network, and its
link card fetched, right before the post is sent (docs/bluesky.md#rich-text-facets, issue 13). Like the media
stage (media_stage.py), the engine asks it for each post; what it does is in publish/selflinks.py (own quotes,
self-links, matched mentions) and publish/linkcard.py (cards).

The engine's hook (publish/engine.py), in full:

    self.links = LinkStage.for_engine(plan, target, journal, links, stopping=…)  # Engine.__init__
    if self.links is not None: self.links.start(todo)                   # Engine.run, before the loop
    if self.links is not None: self.links.stop()                        # Engine.run, `finally`
    if self.links is not None: post = self.links.ready(item, i, post)   # Engine._send_item, per post
    if self.links is not None: post = self.links.for_matching(item, i, post)  # Engine._pending
    link_cards_missing=self.links.missing() if self.links else []       # Engine.report

`for_matching` gives the text the post WAS sent with, for reconciliation: Mastodon matches a status on its
text (the rewritten one); Bluesky reconciles by record key, whatever the text. It only reads the journal.

A link without a card (dead, slow, huge, not HTML, private address…) is noted — in this run's report
(`RunReport.link_cards_missing`, `migrate --json`) and in `<state>.<target>.cards.jsonl` beside the
journal, which the TUI's Report step reads (`read_card_notes`) — and the post goes without it. Cards are
fetched a few items ahead in a background thread, so the sender rarely waits for a web page.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quittex_tui.convert.bluesky import LINK_TYPE
from quittex_tui.convert.models import Plan, PlanItem, PlannedPost
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.linkcard import CardCache, CardFailure, Fetcher
from quittex_tui.publish.selflinks import (
    MentionBook,
    bluesky_mentions,
    bluesky_self_links,
    first_posts,
    mastodon_mentions,
    mastodon_self_links,
)
from quittex_tui.publish.target import PostRef, PublishTarget
from quittex_tui.publish.writestep import Stopped

AHEAD = 4  # items whose cards are fetched ahead of the one being sent
CARD_THREADS = 2


@dataclass
class LinkOptions:
    """What the caller (CLI, TUI) adds to the plan: the accepted Audience matches, and whether cards are
    fetched at all in this run (the plan's `link_cards` option already decided which posts try one)."""

    mentions: MentionBook | None = None
    cards: bool = True
    cache: CardCache | None = None  # default: the app's cache folder, a Fetcher from the environment


def card_notes_path(journal_path: Path) -> Path:
    name = journal_path.name
    stem = name[: -len(".journal.toml")] if name.endswith(".journal.toml") else name
    return journal_path.with_name(f"{stem}.cards.jsonl")


def read_card_notes(journal_path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """(item id, post index) → the last note about its missing card (the TUI's Report step)."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        lines = card_notes_path(journal_path).read_text("utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            note = json.loads(line)
            key = (str(note["item_id"]), int(note["post"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line torn by a kill: it said nothing yet
        if note.get("reason"):
            out[key] = note
        else:  # a later send of that post got its card: the earlier note no longer holds
            out.pop(key, None)
    return out


class LinkStage:
    def __init__(
        self,
        plan: Plan,
        target: PublishTarget,
        journal: Journal,
        options: LinkOptions,
        *,
        stopping: Callable[[], bool] | None = None,
    ) -> None:
        self.network = target.network
        self.target = target
        self.journal = journal
        self.options = options
        self.stopping = stopping or (lambda: False)
        self._where = first_posts(plan.items)
        book = options.mentions or MentionBook()
        self._people_bsky = book.bluesky
        self._people_masto = book.mastodon
        self._cache = options.cache
        self._order: list[PlanItem] = []
        self._position: dict[str, int] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()
        self._notes: dict[tuple[str, int], dict[str, Any]] = {}
        self._noted = set(read_card_notes(journal.path)) if self.network == "bluesky" else set()
        self._max_chars: int | None = None

    @classmethod
    def for_engine(
        cls,
        plan: Plan,
        target: PublishTarget,
        journal: Journal,
        options: LinkOptions,
        *,
        stopping: Callable[[], bool] | None = None,
    ) -> LinkStage | None:
        """The stage for a real network (the dry run has no links to make live, and no network)."""
        if target.network not in ("bluesky", "mastodon"):
            return None
        return cls(plan, target, journal, options, stopping=stopping)

    # --- the journal: where a tweet was published -----------------------------------------------------
    def lookup(self, tweet_id: str) -> PostRef | None:
        where = self._where.get(tweet_id)
        if where is None:
            return None  # not in this migration's plan (excluded, skipped): the X URL stays
        entry = self.journal.find(where[0], where[1], "post")
        if entry is None or entry.status != "done":
            return None
        return entry.ref()

    # --- per post -------------------------------------------------------------------------------------
    def for_matching(self, item: PlanItem, index: int, post: PlannedPost) -> PlannedPost:
        """The text as sent (Mastodon: links and mentions rewritten), without any network call."""
        if self.network != "mastodon":
            return post
        return self._mastodon(post)

    def ready(self, item: PlanItem, index: int, post: PlannedPost) -> PlannedPost:
        """`post` as it is to be sent: links, quote and mentions made live; its link card attached."""
        if self.network == "mastodon":
            return self._mastodon(post)
        resolve = getattr(self.target, "resolve_mention", None) or (lambda _h: None)
        post = bluesky_self_links(post, self.lookup)
        post = bluesky_mentions(post, self._people_bsky, resolve)
        self._fetch_ahead(item)
        url = self._card_url(post)
        if url is None:
            return post
        try:
            card = self._card(url)
        except CardFailure as exc:
            if exc.code == "stopped":  # the user stopped while the page was read: this post waits for
                raise Stopped from None  # the next run (and gets its card then), it is not sent bare
            self._note(item.id, index, url, exc)
            return post
        self._notes.pop((item.id, index), None)
        if (item.id, index) in self._noted:  # an earlier try of this post went without: no longer
            self._noted.discard((item.id, index))
            self._append({"item_id": item.id, "post": index, "url": url, "reason": ""})
        return post.model_copy(update={"card": card})

    def _mastodon(self, post: PlannedPost) -> PlannedPost:
        post = mastodon_self_links(post, self.lookup)
        if self._people_masto:
            if self._max_chars is None:
                try:
                    self._max_chars = int(self.target.info().max_chars)
                except Exception:  # the limit is the server's; without it, keep the X form (never too long)
                    return post
            post = mastodon_mentions(post, self._people_masto, self._max_chars)
        return post

    def _card_url(self, post: PlannedPost) -> str | None:
        """The plan's card link, if this post still takes a card: no media, no quote (one embed per post:
        images and quotes win), cards on, and the link still in the (maybe edited) text."""
        url = post.link_card
        if not url or not self.options.cards or post.media or post.quote is not None:
            return None
        present = any(
            ft.get("$type") == LINK_TYPE and ft.get("uri") == url
            for f in post.facets
            for ft in f.get("features", [])
        )
        return url if present else None

    def _cache_or_default(self) -> CardCache:
        if self._cache is None:
            self._cache = CardCache(Fetcher(stopping=self.stopping))
        return self._cache

    def _card(self, url: str) -> Any:
        with self._lock:
            future = self._ahead.pop(url, None)
        if future is not None:
            with contextlib.suppress(Exception):
                future.result()  # fetched ahead (or failing): the cache now knows
        return self._cache_or_default().card(url)

    # --- notes ----------------------------------------------------------------------------------------
    def _note(self, item_id: str, index: int, url: str, exc: CardFailure) -> None:
        note = {"item_id": item_id, "post": index, "url": url, "reason": exc.code, "detail": exc.detail}
        self._notes[(item_id, index)] = note
        self._noted.add((item_id, index))
        self._append(note)

    def _append(self, record: dict[str, Any]) -> None:
        # a note that cannot be kept costs only the Report's line (no fsync: nothing to resume from it)
        path = card_notes_path(self.journal.path)
        with contextlib.suppress(OSError), path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def missing(self) -> list[dict[str, Any]]:
        """This run's notes about posts that went without their card (those actually sent)."""
        out = []
        for (item_id, index), note in self._notes.items():
            entry = self.journal.find(item_id, index, "post")
            if entry is not None and entry.status == "done":
                out.append(note)
        return out

    # --- fetching ahead -------------------------------------------------------------------------------
    def start(self, items: list[PlanItem]) -> None:
        self._order = list(items)
        self._position = {item.id: n for n, item in enumerate(items)}

    def _fetch_ahead(self, item: PlanItem) -> None:
        if not self.options.cards or self.network != "bluesky":
            return
        position = self._position.get(item.id)
        if position is None:
            return
        cache = self._cache_or_default()
        for nxt in self._order[position + 1 : position + 1 + AHEAD]:
            for post in nxt.posts:
                url = post.link_card
                if not url or post.media:
                    continue
                with self._lock:
                    if url in self._ahead or self.stopping():
                        continue
                    if self._pool is None:
                        self._pool = ThreadPoolExecutor(CARD_THREADS, thread_name_prefix="link-cards")
                    self._ahead[url] = self._pool.submit(_quietly, cache, url)

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._ahead.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if self._cache is not None:
            self._cache.fetcher.close()


def _quietly(cache: CardCache, url: str) -> None:
    with contextlib.suppress(CardFailure):
        cache.card(url)
