"""The TUI's plans: a compact summary per network, items made on demand, the whole plan only to send.

Issue 16 (bounded memory, reopen in seconds). A 100k-tweet plan as pydantic models weighs ~150 MB a
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
from quittex_tui.convert.models import Plan, PlanItem, PlanOptions, SkippedTweet

SUMMARY_VERSION = 1
MAGIC = b"QTXPLANS"
SUFFIX = ".qtxplan"
KEEP = 16  # summaries kept in the cache (2 networks × a few archives and option sets)
TEXT_CHARS = 300  # the Review list shows one line: more than any terminal is wide
ITEM_CACHE = 256  # items built on demand, kept for the cursor's neighbourhood


class PlanSummary(msgspec.Struct, kw_only=True, gc=False):
    """What the TUI's lists need of one network's plan, one entry per item, in plan order."""

    target: str
    ids: list[str]
    kinds: list[str]  # ItemKind values
    created: list[datetime]
    posts: list[int]
    media: list[bool]
    texts: list[str]  # the first posts' texts on one line (the Review list's), ≤ TEXT_CHARS; [] if not kept
    sources: list[list[str]]  # the tweets of each item
    skipped: list[tuple[str, str]]  # (tweet id, reason), plan order

    def __len__(self) -> int:
        return len(self.ids)


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(PlanSummary)


def one_line(text: str) -> str:
    return " ".join(text.split())


def summarise(entries: Any, target: str, *, texts: bool = True) -> PlanSummary:
    """Stream a plan (`Planner.entries()`) into its summary; each item is dropped once summarised.
    `texts`: keep each item's line of text (the TUI shows one network's: the other's are not kept)."""
    summary = PlanSummary(target=target, ids=[], kinds=[], created=[], posts=[], media=[], texts=[],
                          sources=[], skipped=[])
    for entry in entries:
        if isinstance(entry, SkippedTweet):
            summary.skipped.append((entry.source_id, entry.reason))
            continue
        item: PlanItem = entry
        summary.ids.append(item.id)
        summary.kinds.append(str(item.kind))
        summary.created.append(item.created_at)
        summary.posts.append(len(item.posts))
        summary.media.append(any(p.media for p in item.posts))
        if texts:
            line = one_line(" / ".join(p.text[:TEXT_CHARS] for p in item.posts[:3]))
            summary.texts.append(line[:TEXT_CHARS])
        summary.sources.append(item.source_ids)
    return summary


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


def _share_with_archive(summary: PlanSummary, by_id: dict[str, Any]) -> None:
    """A summary read back from the cache holds its own copy of every id and date; use the archive's
    objects instead (one id string and one datetime per tweet in the whole app, not three)."""
    ids, created, sources = summary.ids, summary.created, summary.sources
    for n, tweet_ids in enumerate(sources):
        tweets = [by_id.get(t) for t in tweet_ids]
        sources[n] = [tw.id if tw is not None else t for tw, t in zip(tweets, tweet_ids, strict=True)]
        first = tweets[0] if tweets else None
        if first is not None and ids[n] == first.id:
            ids[n] = first.id
            if created[n] == first.created_at:
                created[n] = first.created_at


class PlanStore:
    """One network's plan for the TUI: its summary, its items on demand, the whole plan for a run."""

    def __init__(self, archive: Any, options: PlanOptions, summary: PlanSummary, *,
                 cache_dir: Path | None = None) -> None:
        from quittex_tui.convert.plan import Planner

        self.archive = archive
        self.options = options
        self.summary = summary
        _share_with_archive(summary, getattr(archive, "by_id", {}))
        self.planner = Planner(archive, options, cache_dir=cache_dir)
        self.position = {item_id: n for n, item_id in enumerate(summary.ids)}
        self._items: OrderedDict[str, PlanItem | None] = OrderedDict()

    @classmethod
    def open(cls, archive: Any, options: PlanOptions, *, cache_dir: Path | None = None,
             progress: Callable[[str, float], None] | None = None, cached_only: bool = False,
             use_cache: bool = True, texts: bool = True) -> PlanStore | None:
        """The store for `options`: its summary from the cache, else made by streaming the plan (and
        cached) — unless `cached_only`, then None."""
        from quittex_tui.convert.media_facts import media_cache_dir
        from quittex_tui.convert.plan import Planner, gc_paused

        cache_dir = cache_dir or media_cache_dir()
        key = summary_key(archive, options, cache_dir, texts) if use_cache else ""
        summary = load_summary(key) if key else None
        if summary is None:
            if cached_only:
                return None
            planner = Planner(archive, options, cache_dir=cache_dir)
            with gc_paused():  # hundreds of thousands of short-lived objects: no GC pass over the rest
                summary = summarise(planner.entries(progress), options.target, texts=texts)
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
        return self.summary.posts[n] if n is not None else 0

    def full_plan(self) -> Plan:
        """The whole plan (for a run): built now, byte for byte what `plan --json` gives."""
        from quittex_tui.convert.plan import build_plan

        return build_plan(self.archive, self.options, cache_dir=self.planner.cache_dir)
