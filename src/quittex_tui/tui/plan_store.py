"""The TUI's plans: a compact summary per network, items made on demand, the whole plan only to send.

Bounded memory, reopen in seconds. A 100k-tweet plan as pydantic models weighs ~150 MB a
network, and the TUI's lists need none of it but, per item, its id, kind, date, post count, whether it has
media and a line of text. So the TUI keeps a `PlanSummary` per network, made by streaming the plan item
by item (convert.plan.Planner.entries: no item is kept), and:
- a preview, an edit or an alt text builds its one item on demand (`PlanStore.item`, a small LRU), the
  same item the whole plan has (items are independent);
- a run builds the whole plan, in its worker (`PlanStore.full_plan`): only then does it exist in memory;
- summaries are cached (quittex_tui/cachefile.py: checked, atomic, the most recent kept) under a key made
  of the archive's content key, the reader's and the planner's source, the options and the media cache,
  so a reopen loads them in a fraction of a second instead of planning 100k tweets again.
No Textual here: session.py builds these in workers.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from quittex_tui import cachefile, paths
from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlanOptions, SkippedTweet

SUMMARY_VERSION = 3
MAGIC = b"QTXPLANS"
SUFFIX = ".qtxplan"
KEEP = 16  # summaries kept in the cache (2 networks × a few archives and option sets)
TEXT_CHARS = 300  # the Review list shows one line: more than any terminal is wide
ITEM_CACHE = 256  # items built on demand, kept for the cursor's neighbourhood
KIND_VALUES = [kind.value for kind in ItemKind]  # the kind codes of a summary


class PlanSummary(msgspec.Struct, kw_only=True, gc=False, array_like=True):
    """What the TUI's lists need of one network's plan, one entry per item, in plan order. Tweets are
    named by their position in the archive's (sorted) tweet list, so a summary read back from the cache
    is a few lists of numbers, quick to decode and holding no copy of any id or date."""

    target: str
    n_tweets: int  # the archive's tweet count, and its first and last ids: a summary for another
    first_id: str  # archive (or another reading of it) is refused, whatever its key says
    last_id: str
    first: list[int]  # the position of each item's first tweet (the item is named after it)
    kinds: bytes  # each item's kind, as an index into KIND_VALUES
    posts: list[int]
    media: bytes  # 1: the item has media
    texts: list[str]  # the first posts' texts on one line (the Review list's), ≤ TEXT_CHARS; [] if not kept
    more: dict[int, list[int]]  # item index -> the positions of all its tweets, when more than one
    skipped_at: list[int]  # skipped tweets that are in the archive's list: their positions…
    skipped_ids: list[str]  # … and those that are not (older versions of edits, deleted tweets): ids
    skipped_why: bytes  # the reason of each (skipped_at, then skipped_ids), as an index into `reasons`
    reasons: list[str]
    # Each item's videos and GIFs (at most 255 counted: the daily video limit's estimate), and
    # whether its media carry a self-label in the plan (X flagged them `possibly_sensitive`): 1 or 0.
    videos: bytes = b""
    flagged: bytes = b""


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(PlanSummary)


def one_line(text: str) -> str:
    return " ".join(text.split())


def summarise(entries: Any, target: str, tweets: list[Any], *, texts: bool = True) -> PlanSummary:
    """Stream a plan (`Planner.entries()`) into its summary; each item is dropped once summarised.
    `texts`: keep each item's line of text (the TUI shows one network's: the other's are not kept)."""
    position = {tweet.id: n for n, tweet in enumerate(tweets)}
    kind_code = {kind: n for n, kind in enumerate(KIND_VALUES)}
    first: list[int] = []
    kinds, media, videos, flagged = bytearray(), bytearray(), bytearray(), bytearray()
    posts: list[int] = []
    lines: list[str] = []
    more: dict[int, list[int]] = {}
    skipped_at: list[int] = []
    skipped_ids: list[str] = []
    why_at, why_ids = bytearray(), bytearray()
    reasons: list[str] = []
    for entry in entries:
        if isinstance(entry, SkippedTweet):
            if entry.reason not in reasons:
                reasons.append(entry.reason)
            code = reasons.index(entry.reason)
            at = position.get(entry.source_id)
            if at is None:
                skipped_ids.append(entry.source_id)
                why_ids.append(code)
            else:
                skipped_at.append(at)
                why_at.append(code)
            continue
        item: PlanItem = entry
        if len(item.source_ids) > 1:
            more[len(first)] = [position[t] for t in item.source_ids]
        first.append(position[item.source_ids[0]])
        kinds.append(kind_code[str(item.kind)])
        posts.append(len(item.posts))
        media.append(1 if any(p.media for p in item.posts) else 0)
        videos.append(min(255, sum(1 for p in item.posts for m in p.media if m.kind != "image")))
        flagged.append(1 if any(p.self_label for p in item.posts) else 0)
        if texts:
            line = one_line(" / ".join(p.text[:TEXT_CHARS] for p in item.posts[:3]))
            lines.append(line[:TEXT_CHARS])
    return PlanSummary(
        target=target,
        n_tweets=len(tweets),
        first_id=tweets[0].id if tweets else "",
        last_id=tweets[-1].id if tweets else "",
        first=first,
        kinds=bytes(kinds),
        posts=posts,
        media=bytes(media),
        texts=lines,
        more=more,
        skipped_at=skipped_at,
        skipped_ids=skipped_ids,
        skipped_why=bytes(why_at + why_ids),
        reasons=reasons,
        videos=bytes(videos),
        flagged=bytes(flagged),
    )


def _fits(summary: PlanSummary, tweets: list[Any]) -> bool:
    if summary.n_tweets != len(tweets):
        return False
    return not tweets or (summary.first_id == tweets[0].id and summary.last_id == tweets[-1].id)


@lru_cache(maxsize=1)
def planner_version() -> str:
    """A hash of what a plan depends on besides its inputs: the planner's and the reader's source."""
    from quittex_tui.archive.index import reader_version

    here = Path(__file__).resolve().parent.parent / "convert"
    h = hashlib.sha256(f"summary-v{SUMMARY_VERSION}\0{reader_version()}\0".encode())
    for path in sorted(here.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def summary_key(archive: Any, options: PlanOptions, cache_dir: Path, texts: bool = True) -> str:
    archive_key = getattr(archive, "index_key", "") or getattr(archive, "fingerprint", "")
    text = f"{planner_version()}\0{archive_key}\0{options.model_dump_json()}\0{cache_dir}\0{texts}"
    return hashlib.sha256(text.encode()).hexdigest()


def _path(key: str) -> Path:
    return paths.cache_dir() / "plans" / f"{key[:32]}{SUFFIX}"


def load_summary(key: str) -> PlanSummary | None:
    payload = cachefile.read(_path(key), MAGIC, SUMMARY_VERSION, key)
    if payload is None:
        return None
    try:
        return _DECODER.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def save_summary(key: str, summary: PlanSummary) -> None:
    cachefile.write(_path(key), MAGIC, SUMMARY_VERSION, key, _ENCODER.encode(summary), keep=KEEP)


class PlanStore:
    """One network's plan for the TUI: its summary, its items on demand, the whole plan for a run."""

    def __init__(
        self, archive: Any, options: PlanOptions, summary: PlanSummary, *, cache_dir: Path | None = None
    ) -> None:
        from quittex_tui.convert.plan import Planner

        self.archive = archive
        self.options = options
        self.summary = summary
        self.planner = Planner(archive, options, cache_dir=cache_dir)
        tweets = archive.tweets
        # the summary's positions as the archive's own objects (one id, one date per tweet in the app)
        self.ids: list[str] = [tweets[p].id for p in summary.first]
        self.created: list[datetime] = [tweets[p].created_at for p in summary.first]
        self.kinds: list[str] = [KIND_VALUES[c] for c in summary.kinds]
        self.posts = summary.posts
        self.texts = summary.texts
        self.position = dict(zip(self.ids, range(len(self.ids)), strict=True))
        self._items: OrderedDict[str, PlanItem | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self.ids)

    def has_media(self, n: int) -> bool:
        return bool(self.summary.media[n])

    def sources(self, n: int) -> list[str]:
        """The ids of item `n`'s tweets."""
        tweets, summary = self.archive.tweets, self.summary
        more = summary.more.get(n)
        return [tweets[p].id for p in more] if more else [tweets[summary.first[n]].id]

    def skipped(self) -> list[tuple[str, str]]:
        """(tweet id, reason) of each tweet the plan leaves out."""
        tweets, summary = self.archive.tweets, self.summary
        ids = [tweets[p].id for p in summary.skipped_at] + summary.skipped_ids
        return [(i, summary.reasons[c]) for i, c in zip(ids, summary.skipped_why, strict=True)]

    @classmethod
    def open(
        cls,
        archive: Any,
        options: PlanOptions,
        *,
        cache_dir: Path | None = None,
        progress: Callable[[str, float], None] | None = None,
        cached_only: bool = False,
        use_cache: bool = True,
        texts: bool = True,
    ) -> PlanStore | None:
        """The store for `options`: its summary from the cache, else made by streaming the plan (and
        cached) — unless `cached_only`, then None."""
        from quittex_tui.convert.media_facts import media_cache_dir
        from quittex_tui.convert.plan import Planner, gc_paused

        cache_dir = cache_dir or media_cache_dir()
        key = summary_key(archive, options, cache_dir, texts) if use_cache else ""
        summary = load_summary(key) if key else None
        if summary is not None and not _fits(summary, archive.tweets):
            summary = None  # not this archive's (it cannot be, by its key; never trust positions blindly)
        if summary is None:
            if cached_only:
                return None
            planner = Planner(archive, options, cache_dir=cache_dir)
            with gc_paused():  # hundreds of thousands of short-lived objects: no GC pass over the rest
                summary = summarise(planner.entries(progress), options.target, archive.tweets, texts=texts)
            if key:
                save_summary(key, summary)
        return cls(archive, options, summary, cache_dir=cache_dir)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.position

    def get(self, item_id: str, default: PlanItem | None = None) -> PlanItem | None:
        """The item as the whole plan has it, made on demand (`session.items[net].get(id)` keeps working)."""
        if item_id not in self.position:
            return default
        if item_id in self._items:
            self._items.move_to_end(item_id)
            return self._items[item_id]
        item = self.planner.item(item_id)
        self._items[item_id] = item
        if len(self._items) > ITEM_CACHE:
            self._items.popitem(last=False)
        return item if item is not None else default

    def __getitem__(self, item_id: str) -> PlanItem:
        item = self.get(item_id)
        if item is None:
            raise KeyError(item_id)
        return item

    def n_posts(self, item_id: str) -> int:
        n = self.position.get(item_id)
        return self.posts[n] if n is not None else 0

    def full_plan(self) -> Plan:
        """The whole plan (for a run): built now, byte for byte what `plan --json` gives."""
        from quittex_tui.convert.plan import build_plan

        return build_plan(self.archive, self.options, cache_dir=self.planner.cache_dir)
