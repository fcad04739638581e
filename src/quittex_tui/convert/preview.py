"""A plan as readable text (the `plan` command without `--json`): one block per item, each post with its
length counted the way its network counts it, its media and warnings; then what is skipped and why, and
how long sending it takes at the network's rate limits (users must see that before they start)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from quittex_tui.convert.length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    bluesky_counts,
    mastodon_count,
)
from quittex_tui.convert.models import Plan, PlannedMedia, PlannedPost, PlanOptions

NETWORK_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon"}
# Skip reasons (plan.py) in words, with what the user can do about them when there is something.
SKIP_WORDS = {
    "retweet": ("retweet", "retweets"),
    "reply": ("reply to others", "replies to others"),
    "edited": ("older version of an edited tweet", "older versions of edited tweets"),
    "deleted": ("deleted tweet", "deleted tweets"),
    "empty": ("empty tweet", "empty tweets"),
    "missing_media": ("tweet whose media is missing from the archive",
                      "tweets whose media is missing from the archive"),
}


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def render_preview(plan: Plan, options: PlanOptions, *, duration: timedelta | None = None) -> Iterator[str]:
    """`duration`: how long sending takes at the network's rate limits (publish.engine.estimate_duration),
    shown at the end when given."""
    network = NETWORK_NAMES.get(plan.target, plan.target)
    n_posts = sum(len(i.posts) for i in plan.items)
    yield (f"Plan for {network}: {plural(len(plan.items), 'item')} (a tweet, or a thread) "
           f"→ {plural(n_posts, 'post')}. Nothing is sent by this command.")
    for item in plan.items:
        count = len(item.posts)
        yield ""
        yield f"── {item.kind.value} {item.id} · {_when(item.created_at)} · {plural(count, 'post')}"
        for index, post in enumerate(item.posts, 1):
            own = post.created_at
            when = f" · {_when(own)}" if own is not None and own != item.created_at else ""
            yield f"  [{index}/{count}] {_length(post, options)}{when}"
            for line in post.text.splitlines() or [""]:
                yield f"      {line}"
            for media in post.media:
                yield f"      + {_media(media)}"
            for warning in post.warnings:
                yield f"      ! {warning}"
    if plan.skipped:
        reasons = Counter(s.reason for s in plan.skipped)
        parts = [plural(n, *SKIP_WORDS.get(reason, (reason, reason)))
                 for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
        yield ""
        yield f"Left out: {plural(len(plan.skipped), 'tweet')} — {', '.join(parts)}."
        if reasons.get("reply") and not options.include_replies:
            yield "  (add --include-replies to post your replies to others as standalone posts)"
    if n_posts and duration is not None:
        yield ""
        yield (f"Sending {plural(n_posts, 'post')} takes about {_human(duration.total_seconds())} "
               f"at {network}'s rate limits.")


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _media(media: PlannedMedia) -> str:
    size = media.bytes
    shown = f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"
    alt = " · alt text set" if media.alt else ""
    dims = f"{media.width}×{media.height}, " if media.width and media.height else ""
    return f"{media.kind} {dims}{shown}{alt}"


def _human(seconds: float) -> str:
    if seconds < 90:
        return "a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return plural(minutes, "minute")
    hours = round(seconds / 3600)
    if hours < 48:
        return plural(hours, "hour")
    return f"{seconds / 86400:.1f} days"


def _length(post: PlannedPost, options: PlanOptions) -> str:
    if options.target == "bluesky":
        graphemes, size = bluesky_counts(post.text)
        flag = "" if graphemes <= BLUESKY_MAX_GRAPHEMES and size <= BLUESKY_MAX_BYTES else "  TOO LONG"
        return f"{graphemes}/{BLUESKY_MAX_GRAPHEMES} characters, {size} bytes{flag}"
    chars = mastodon_count(post.text)
    flag = "" if chars <= options.max_chars else "  TOO LONG"
    return f"{chars}/{options.max_chars} characters{flag}"
