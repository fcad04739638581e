"""A plan as readable text (the `plan` command without `--json`): one block per item, each post with its
length counted the way its network counts it, its media and warnings; then what is skipped and why, and
how long sending it takes at the network's rate limits (users must see that before they start)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from quittex_tui import i18n
from quittex_tui.convert.length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    bluesky_counts,
    mastodon_count,
)
from quittex_tui.convert.models import Plan, PlannedMedia, PlannedPost, PlanOptions
from quittex_tui.networks import display_name

# Skip reasons (plan.py) with words in the catalogue ([preview.skip]); any other is shown as it is.
SKIP_REASONS = ("retweet", "reply", "edited", "deleted", "empty", "missing_media")


def _t(key: str, **kw: object) -> str:
    """The preview's words in the user's language (the core catalogue's [preview]), numbers included."""
    return i18n.translate(i18n.front_end(), f"preview.{key}", **i18n.say_params(kw))


def render_preview(
    plan: Plan, options: PlanOptions, *, duration: timedelta | None = None, replies_hint: str = ""
) -> Iterator[str]:
    """`duration`: how long sending takes at the network's rate limits (publish.engine.estimate_duration),
    shown at the end when given. `replies_hint`: the front end's words for "replies can be included",
    shown under the left-out count when replies were left out."""
    network = display_name(plan.target)
    n_posts = sum(len(i.posts) for i in plan.items)
    yield _t("header", network=network, items=len(plan.items), posts=n_posts)
    for item in plan.items:
        count = len(item.posts)
        yield ""
        yield _t("item", kind=_t(f"kind.{item.kind.value}"), id=item.id, when=_when(item.created_at), n=count)
        for index, post in enumerate(item.posts, 1):
            own = post.created_at
            when = _t("own_time", when=_when(own)) if own is not None and own != item.created_at else ""
            yield f"  [{index}/{count}] {_length(post, options)}{when}"
            for line in post.text.splitlines() or [""]:
                yield f"      {line}"
            for media in post.media:
                yield f"      + {_media(media)}"
            for warning in post.warnings:
                yield f"      ! {i18n.say(warning)}"
    if plan.skipped:
        reasons = Counter(s.reason for s in plan.skipped)
        parts = [
            _t(f"skip.{reason}", n=n) if reason in SKIP_REASONS else f"{i18n.number(n)} {reason}"
            for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        yield ""
        yield _t("left_out", n=len(plan.skipped), parts=", ".join(parts))
        if reasons.get("reply") and not options.include_replies and replies_hint:
            yield f"  ({replies_hint})"
    if n_posts and duration is not None:
        yield ""
        yield _t("estimate", n=n_posts, about=i18n.about(duration), network=network)


def _when(value: datetime) -> str:
    return _t("when", date=i18n.date_numeric(value), time=value.strftime("%H:%M:%S"))


def _media(media: PlannedMedia) -> str:
    size = media.bytes
    shown = (
        _t("megabytes", n=i18n.decimal(size / 1_000_000))
        if size >= 1_000_000
        else _t("kilobytes", n=max(1, round(size / 1000)))
    )
    alt = _t("alt_set") if media.alt else ""
    dims = f"{media.width}×{media.height}, " if media.width and media.height else ""
    return f"{_t(f'media.{media.kind}')} {dims}{shown}{alt}"


def _length(post: PlannedPost, options: PlanOptions) -> str:
    if options.target == "bluesky":
        graphemes, size = bluesky_counts(post.text)
        flag = "" if graphemes <= BLUESKY_MAX_GRAPHEMES and size <= BLUESKY_MAX_BYTES else _t("too_long")
        return _t("length_bluesky", n=graphemes, max=BLUESKY_MAX_GRAPHEMES, bytes=size) + flag
    chars = mastodon_count(post.text)
    flag = "" if chars <= options.max_chars else _t("too_long")
    return _t("length_mastodon", n=chars, max=options.max_chars) + flag
