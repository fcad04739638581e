"""Assemble the migration plan: which tweets become which posts on one network, in which order.

Rules (what the plan does; the items it makes: docs/cli-json.md, `plan`):
- items in time order, ties broken by tweet id (ids are time-ordered; many tweets share a second), so the
  backdated posts keep a strict order;
- a self-thread (archive.threads) is ONE item whose posts chain in order; a note tweet's complete text is
  split over as many posts as needed; a quote keeps the quoted X URL as a link; a standalone original is
  a "post";
- skipped, with a reason: retweets ("retweet"), replies to others ("reply", unless `include_replies`:
  then a standalone "reply" item without its leading @handles), superseded edit versions ("edited"),
  deleted tweets ("deleted"), tweets left with no text and no media ("empty"; "missing_media" when their
  only content was media files missing from the archive);
- media: at most 4 images per post, a video or GIF alone (Bluesky cannot mix them; Mastodon attaches
  4 images or 1 video); more media → the next posts of the chain, media-only posts if needed. No media
  file is read here (ARCHITECTURE.md#the-engine, issue 16): what a media is comes from the archive's directory
  and the tweet's own metadata, and its file is prepared at send time (convert/models.py says what the fields
  then carry; publish/media_stage.py prepares them). Warnings that metadata can give are given here: a file
  missing from the archive, a video over Bluesky's size or duration limit.

Deterministic: the same archive and options give the same plan, byte for byte (the engine keys its
idempotency on item id + post index). Fast: 100k tweets without media are planned in a fraction of the
reading time — models are built with `archive.construct.construct` (no validation: their fields are
made here, already valid), and short texts skip grapheme counting (length.py).
"""

from __future__ import annotations

import gc
import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from quittex_tui.archive.construct import construct
from quittex_tui.archive.models import Media, MediaKind, Tweet, TweetKind
from quittex_tui.convert import bluesky, mastodon
from quittex_tui.convert.length import bluesky_fits, mastodon_fits
from quittex_tui.convert.media_facts import (
    BLUESKY_VIDEO_MAX_BYTES,
    BLUESKY_VIDEO_MAX_SECONDS,
    CONVERTER_VERSION,
    MediaSource,
    media_cache_dir,
    media_label,
    media_name,
)
from quittex_tui.convert.models import (
    DEFAULT_SELF_LABEL,
    ItemKind,
    Plan,
    PlanItem,
    PlannedMedia,
    PlannedPost,
    PlanOptions,
    SelfLink,
    SkippedTweet,
)
from quittex_tui.convert.text import clean_tweet
from quittex_tui.convert.xlinks import is_x_url, own_status, status_id
from quittex_tui.networks import display_name
from quittex_tui.notice import notice

MAX_IMAGES_PER_POST = 4
FREEZE_AT = 10_000  # items
Progress = Callable[[str, float], None]
_KIND = {MediaKind.PHOTO: "image", MediaKind.VIDEO: "video", MediaKind.GIF: "gif"}
_MIME = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
}


class PlanSource(Protocol):
    """What the plan needs from an opened archive (quittex_tui.archive.Archive). `member_size(member)`
    (the size in the archive's directory) is used when present."""

    tweets: list[Tweet]
    by_id: dict[str, Tweet]
    threads: list[list[str]]
    superseded_edit_ids: list[str]
    deleted_ids: list[str]

    def read_member(self, member: str) -> bytes: ...


def build_plan(
    archive: PlanSource,
    options: PlanOptions,
    *,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> Plan:
    """The plan of `archive` for `options.target`.

    `cache_dir`: the media cache the prepared files go to (default: the one cache of the TUI and the CLI,
    convert.media.media_cache_dir()). Nothing is read from it or written to it here.
    """
    with gc_paused():
        plan = _build(archive, options, cache_dir or media_cache_dir(), progress)
        if len(plan.items) >= FREEZE_AT:
            # Like archive/reader.py: keep the next full GC passes from walking a 100k-item plan again.
            gc.freeze()
        return plan


def prepared_path(cache_dir: Path, member: str, size: int, options: PlanOptions) -> Path:
    """Where the prepared file of archive `member` for `options`' network will be: a function of the
    member's name and size and of the network's limits only (never of the cache's contents), so a plan is
    byte-identical with a cold or a warm cache. The extension is the source's."""
    key = f"{CONVERTER_VERSION}\0{member}\0{size}\0{options.target}\0{options.image_max_bytes}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    ext = posixpath.splitext(member)[1].lower() or ".bin"
    return cache_dir / options.target / f"{digest}{ext}"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building hundreds of thousands of objects next to the archive's
    millions: every full pass would walk them all again (same reason as archive/reader.py). The plan's
    objects hold no reference cycles; reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(archive: PlanSource, options: PlanOptions, cache_dir: Path, progress: Progress | None) -> Plan:
    planner = Planner(archive, options, cache_dir=cache_dir)
    items: list[PlanItem] = []
    skipped: list[SkippedTweet] = []
    for entry in planner.entries(progress):
        if isinstance(entry, PlanItem):
            items.append(entry)
        else:
            skipped.append(entry)
    plan = construct(Plan, {"target": options.target, "items": items, "skipped": skipped})
    object.__setattr__(plan, "__pydantic_private__", {"_media_source": planner.media_source()})
    return plan


class Planner:
    """The plan of one archive for one network, item by item: `entries()` yields every item and skipped
    tweet in plan order without keeping them (the TUI keeps a summary of a 100k-item plan, not the plan),
    and `item(item_id)` makes one item on its own, the same as in the whole plan (items are independent:
    an item depends only on its own tweets and the options)."""

    def __init__(self, archive: PlanSource, options: PlanOptions, *, cache_dir: Path | None = None) -> None:
        self.archive = archive
        self.options = options
        self.cache_dir = cache_dir or media_cache_dir()
        self._builder = _Builder(archive, options, self.cache_dir)
        by_id = archive.by_id
        self._thread_of: dict[str, list[str]] = {}
        self._in_thread: set[str] = set()
        for ids in archive.threads:
            if len(ids) >= 2 and all(i in by_id for i in ids):
                self._thread_of[ids[0]] = ids
                self._in_thread.update(ids[1:])

    def media_source(self) -> MediaSource:
        """What the send-time stage needs to prepare this plan's media (attached to every full plan)."""
        return MediaSource(
            archive=self.archive,
            target=self.options.target,
            image_max_bytes=self.options.image_max_bytes,
            cache_dir=self.cache_dir,
        )

    def _sources(self, tweet: Tweet, skipped: list[SkippedTweet]) -> tuple[ItemKind, list[Tweet]] | None:
        """The kind and the tweets of the item `tweet` starts, or None (skipped, reason appended)."""
        ids = self._thread_of.get(tweet.id)
        if ids is not None:
            by_id = self.archive.by_id
            return ItemKind.THREAD, [by_id[i] for i in ids]
        if tweet.kind == TweetKind.RETWEET:
            skipped.append(_skip(tweet.id, "retweet"))
            return None
        if tweet.kind == TweetKind.REPLY:
            if not self.options.include_replies:
                skipped.append(_skip(tweet.id, "reply"))
                return None
            return ItemKind.REPLY, [tweet]
        if tweet.kind == TweetKind.QUOTE:
            return ItemKind.QUOTE, [tweet]
        if tweet.note_text:
            return ItemKind.NOTE, [tweet]
        return ItemKind.POST, [tweet]

    def entries(self, progress: Progress | None = None) -> Iterator[PlanItem | SkippedTweet]:
        """Every item and skipped tweet, in plan order (skips of edits and deletions last)."""
        tweets = self.archive.tweets
        if not getattr(self.archive, "tweets_in_order", False):  # the reader's are (archive/reader.py)
            tweets = sorted(tweets, key=_order_key)
        total = len(tweets) or 1
        step = max(1, total // 100)
        skipped: list[SkippedTweet] = []
        for n, tweet in enumerate(tweets):
            if progress is not None and n % step == 0:
                progress(notice("progress.planning"), n / total)
            if tweet.id in self._in_thread:
                continue
            found = self._sources(tweet, skipped)
            item = self._builder.item(*found, skipped) if found is not None else None
            yield from skipped
            skipped.clear()
            if item is not None:
                yield item
        archive = self.archive
        for ids, reason in ((archive.superseded_edit_ids, "edited"), (archive.deleted_ids, "deleted")):
            yield from (_skip(i, reason) for i in sorted(set(ids), key=_id_key))
        if progress is not None:
            progress(notice("progress.planning"), 1.0)

    def item(self, item_id: str) -> PlanItem | None:
        """Item `item_id` (the id of its first tweet) as the whole plan has it; None if it is not planned."""
        tweet = self.archive.by_id.get(item_id)
        if tweet is not None and item_id in self._in_thread:
            # a thread whose first tweets were left out (empty) takes the id of its first kept one
            root = next((r for r, ids in self._thread_of.items() if item_id in ids), None)
            tweet = self.archive.by_id.get(root) if root is not None else None
        if tweet is None:
            return None
        found = self._sources(tweet, [])
        item = self._builder.item(*found, []) if found is not None else None
        return item if item is not None and item.id == item_id else None


class _Builder:
    def __init__(self, archive: PlanSource, options: PlanOptions, cache_dir: Path) -> None:
        self.archive = archive
        self.options = options
        self._cache_dir = cache_dir
        self._size = getattr(archive, "member_size", None)

    def item(self, kind: ItemKind, sources: list[Tweet], skipped: list[SkippedTweet]) -> PlanItem | None:
        posts: list[PlannedPost] = []
        used: list[Tweet] = []
        for tweet in sources:
            tweet_posts, reason = self.posts(tweet, first=not posts, item_time=used[0] if used else tweet)
            if reason is not None:
                skipped.append(_skip(tweet.id, reason))
                continue
            posts.extend(tweet_posts)
            used.append(tweet)
        if not posts:
            return None
        if kind == ItemKind.THREAD and len(used) < 2:  # the rest of the thread was empty
            kind = ItemKind.NOTE if used[0].note_text else ItemKind.POST
        return construct(
            PlanItem,
            {
                "id": used[0].id,
                "kind": kind,
                "source_ids": [t.id for t in used],
                "created_at": used[0].created_at,
                "posts": posts,
            },
        )

    def posts(self, tweet: Tweet, *, first: bool, item_time: Tweet) -> tuple[list[PlannedPost], str | None]:
        clean = clean_tweet(tweet)
        media, warnings = self.media(tweet)
        if not clean.text and not media:
            return [], ("missing_media" if tweet.media else "empty")
        options = self.options
        if options.target == "bluesky":
            drafts = bluesky.bluesky_posts(clean, number_parts=options.number_parts) if clean.text else []
            texts: list[tuple[str, list[dict[str, Any]], list[Any]]] = [
                (d.text, d.facets, d.mention_candidates) for d in drafts
            ]
        else:
            footer = ""
            if first and options.date_footer:
                footer = mastodon.date_footer(item_time.created_at, options.locale)
            if clean.text or footer:
                statuses = mastodon.mastodon_posts(
                    clean, max_chars=options.max_chars, footer=footer, number_parts=options.number_parts
                )
            else:
                statuses = []
            texts = [(s, [], []) for s in statuses]
        if any(not self._fits(text) for text, _f, _c in texts):  # only with an absurdly small --max-chars
            warnings = [*warnings, notice("warn.too_long")]
        groups = _media_groups(media)
        # Media groups go on the tweet's posts in order; any left over get media-only posts. Every post
        # keeps its own tweet's time and language (a media-overflow continuation shares its tweet's).
        created_at = tweet.created_at
        lang = post_lang(tweet.lang)
        # X flagged the tweet's media as sensitive: its posts with media get the default self-label, which
        # the user confirms or changes in Review (state.labels, applied by state.apply_user_changes).
        label = DEFAULT_SELF_LABEL if tweet.possibly_sensitive else ""
        own = self._own_links(tweet, clean.spans)
        out = []
        for index in range(max(len(texts), len(groups), 1)):
            text, facets, candidates = texts[index] if index < len(texts) else ("", [], [])
            post_media = groups[index] if index < len(groups) else []
            links = _post_links(options.target, text, facets, clean.spans)
            self_links = [
                construct(SelfLink, {"url": url, "tweet_id": own[url][0], "quote": own[url][1]})
                for url in links
                if url in own
            ]
            card = None
            if options.target == "bluesky" and options.link_cards and not post_media:
                card = next((u for u in reversed(links) if not is_x_url(u)), None)
            out.append(
                construct(
                    PlannedPost,
                    {
                        "source_id": tweet.id,
                        "text": text,
                        "facets": facets,
                        "media": post_media,
                        "warnings": warnings if index == 0 else [],
                        "mention_candidates": candidates,
                        "created_at": created_at,
                        "lang": lang,
                        "self_label": label if post_media else "",
                        "left_out": [],
                        "part": index,
                        "link_card": card,
                        "self_links": self_links,
                        "card": None,
                        "quote": None,
                    },
                )
            )
        return out, None

    def _own_links(self, tweet: Tweet, spans: list[Any]) -> dict[str, tuple[str, bool]]:
        """URL → (own tweet id, is the quote) of the tweet's links to the user's own published tweets."""
        found: dict[str, tuple[str, bool]] = {}
        by_id = self.archive.by_id
        quoted = status_id(tweet.quoted_url) if tweet.kind == TweetKind.QUOTE and tweet.quoted_url else None
        for span in spans:
            if span.kind != "link":
                continue
            tid = own_status(span.value, by_id)
            if tid is None or tid == tweet.id or by_id[tid].kind == TweetKind.RETWEET:
                continue
            found.setdefault(span.value, (tid, tid == quoted))
        return found

    def _fits(self, text: str) -> bool:
        if self.options.target == "bluesky":
            return bluesky_fits(text)
        return mastodon_fits(text, self.options.max_chars)

    def media(self, tweet: Tweet) -> tuple[list[PlannedMedia], list[str]]:
        warnings = list(tweet.warnings)
        if not tweet.media:
            return [], warnings
        planned: list[PlannedMedia] = []
        for item in tweet.media:
            if item.member is None:
                if not tweet.warnings:  # the reader says which file is missing; say it if it did not
                    warnings.append(
                        notice(f"warn.gone.{item.kind.value}", name=media_name(item), id=item.media_id)
                    )
                continue
            one, notes = self._plan_one(item)
            planned.append(one)
            warnings.extend(n for n in notes if n not in warnings)
        return planned, warnings

    def _plan_one(self, media: Media) -> tuple[PlannedMedia, list[str]]:
        """The media as the archive's directory and the tweet describe it; no byte of the file is read."""
        member = media.member or ""
        size = self._size(member) if self._size is not None else 0
        options = self.options
        kind = _KIND[media.kind]
        duration = media.duration_ms / 1000 if media.duration_ms and kind != "image" else None
        notes: list[str] = []
        if kind != "image" and options.target == "bluesky":
            # docs/bluesky.md#video: ≤ 100 MB and ≤ 3 min (checked again on the file at send time)
            label = media_label(media)
            if size > BLUESKY_VIDEO_MAX_BYTES:
                limit = BLUESKY_VIDEO_MAX_BYTES / 1e6
                notes.append(
                    notice(
                        "media.warn.too_big",
                        label=label,
                        mb=size / 1e6,
                        limit=round(limit),
                        network=display_name("bluesky"),
                    )
                )
            if duration is not None and duration > BLUESKY_VIDEO_MAX_SECONDS:
                notes.append(notice("media.warn.too_long", label=label, n=round(duration)))
        planned = construct(
            PlannedMedia,
            {
                "path": str(prepared_path(self._cache_dir, member, size, options)),
                "kind": kind,
                "bytes": size,
                "width": media.width or 0,
                "height": media.height or 0,
                "alt": "",
                "mime": _MIME.get(posixpath.splitext(member)[1].lower(), "application/octet-stream"),
                "duration_s": round(duration, 3) if duration is not None else None,
                # The user's alt texts are keyed on the archive's media id (state.alts), not the path.
                "media_id": media.media_id,
                "source": member,
                "prepared": False,
                "frame_rate": None,
            },
        )
        return planned, notes


# X's `lang` is BCP-47 except its own codes: "und" (undetermined), "zxx" (no linguistic content) and the
# private-use "q…" codes (qme = media only, qht = hashtags only, qam = mentions only, qct = cashtags only,
# qst = very short text). Those say nothing about the language: no `langs` then. A few legacy ISO 639 codes
# X still emits have a modern BCP-47 form (RFC 5646 deprecates in/iw/ji).
_NO_LANGUAGE = frozenset({"und", "zxx", "mul", "mis"})
_LEGACY_LANG = {"in": "id", "iw": "he", "ji": "yi"}
_LANG_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
_lang_cache: dict[str, str] = {}


def post_lang(x_lang: str) -> str:
    """The BCP-47 tag for a tweet's X `lang` code, or "" when it names no language."""
    found = _lang_cache.get(x_lang)
    if found is not None:
        return found
    tag = (x_lang or "").strip().lower().replace("_", "-")
    primary = tag.split("-", 1)[0]
    private = len(primary) == 3 and primary.startswith("q")  # ISO 639 qaa–qtz: private use
    if primary in _NO_LANGUAGE or private or not _LANG_RE.fullmatch(tag):
        result = ""
    else:
        result = _LEGACY_LANG.get(primary, primary) + tag[len(primary) :]
    if len(_lang_cache) < 1000:
        _lang_cache[x_lang] = result
    return result


def _post_links(target: str, text: str, facets: list[dict[str, Any]], spans: list[Any]) -> list[str]:
    """The links of one post, in text order: Bluesky from its link facets; Mastodon, whose text holds the
    links in full, those of the tweet's links that the status contains."""
    if target == "bluesky":
        ordered = sorted(
            (f for f in facets if f["features"][0].get("$type") == bluesky.LINK_TYPE),
            key=lambda f: f["index"]["byteStart"],
        )
        return [f["features"][0]["uri"] for f in ordered]
    return [s.value for s in spans if s.kind == "link" and s.value in text]


def _media_groups(media: Iterable[PlannedMedia]) -> list[list[PlannedMedia]]:
    """Up to 4 images per post; each video/GIF alone (docs/bluesky.md#embeds: images and video can't mix)."""
    groups: list[list[PlannedMedia]] = []
    images: list[PlannedMedia] = []
    for item in media:
        if item.kind == "image":
            images.append(item)
            if len(images) == MAX_IMAGES_PER_POST:
                groups.append(images)
                images = []
        else:
            if images:
                groups.append(images)
                images = []
            groups.append([item])
    if images:
        groups.append(images)
    return groups


def _order_key(tweet: Tweet) -> tuple[Any, int]:
    return tweet.created_at, _id_key(tweet.id)


def _id_key(tweet_id: str) -> int:
    return int(tweet_id) if tweet_id.isdigit() else -1


def _skip(source_id: str, reason: str) -> SkippedTweet:
    return construct(SkippedTweet, {"source_id": source_id, "reason": reason})


def plan_json_obj(plan: Plan) -> dict[str, Any]:
    """Exactly `plan.to_json_obj()`, built by hand: pydantic's generic serialiser takes seconds on 100k
    items (facets are `Any`). tests/convert/test_plan.py checks both give the same object and that the
    models hold no field this function does not know."""
    with gc_paused():
        return _plan_json(plan)


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "target": plan.target,
        "items": [_item_json(item) for item in plan.items],
        "skipped": [{"source_id": s.source_id, "reason": s.reason} for s in plan.skipped],
    }


def _item_json(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind.value if isinstance(item.kind, ItemKind) else item.kind,
        "source_ids": list(item.source_ids),
        "created_at": _utc_text(item.created_at),
        "posts": [_post_json(post) for post in item.posts],
    }


def write_plan_json(
    archive: PlanSource,
    options: PlanOptions,
    out: BinaryIO,
    *,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    lead: dict[str, Any] | None = None,
) -> None:
    """`orjson.dumps({**lead, **plan_json_obj(build_plan(archive, options))})`, byte for byte, written item by
    item: the whole plan never exists in memory (a 300k-tweet plan and its JSON object would take over
    1 GiB). `lead`: fields written first (the CLI's `schema_version`)."""
    import orjson

    planner = Planner(archive, options, cache_dir=cache_dir)
    skipped: list[SkippedTweet] = []
    head = b"".join(orjson.dumps(k) + b":" + orjson.dumps(v) + b"," for k, v in (lead or {}).items())
    out.write(b"{" + head + b'"target":' + orjson.dumps(options.target) + b',"items":[')
    first = True
    with gc_paused():
        for entry in planner.entries(progress):
            if isinstance(entry, SkippedTweet):
                skipped.append(entry)
                continue
            out.write((b"" if first else b",") + orjson.dumps(_item_json(entry)))
            first = False
    skips = [{"source_id": s.source_id, "reason": s.reason} for s in skipped]
    out.write(b'],"skipped":' + orjson.dumps(skips) + b"}")


def _utc_text(when: datetime) -> str:
    """`2024-12-20T09:00:05Z` (the contract's form)."""
    return when.isoformat().replace("+00:00", "Z")


def _post_json(post: PlannedPost) -> dict[str, Any]:
    created_at = post.created_at
    return {
        "source_id": post.source_id,
        "text": post.text,
        "facets": post.facets,
        "media": [
            {
                "path": m.path,
                "kind": m.kind,
                "bytes": m.bytes,
                "width": m.width,
                "height": m.height,
                "alt": m.alt,
                "mime": m.mime,
                "duration_s": m.duration_s,
                "media_id": m.media_id,
                "source": m.source,
                "prepared": m.prepared,
                "frame_rate": m.frame_rate,
            }
            for m in post.media
        ],
        "warnings": list(post.warnings),
        "mention_candidates": [
            {"handle": c.handle, "byte_start": c.byte_start, "byte_end": c.byte_end}
            for c in post.mention_candidates
        ],
        "created_at": _utc_text(created_at) if created_at is not None else None,
        "lang": post.lang,
        "self_label": post.self_label,
        "left_out": list(post.left_out),
        "part": post.part,
        "link_card": post.link_card,
        "self_links": [{"url": s.url, "tweet_id": s.tweet_id, "quote": s.quote} for s in post.self_links],
    }
