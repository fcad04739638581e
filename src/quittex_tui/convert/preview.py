"""A plan as readable text (the `plan` command without `--json`): one block per item, each post with its
length counted the way its network counts it, its media and warnings; then what is skipped and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from quittex_tui.convert.length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    bluesky_counts,
    mastodon_count,
)
from quittex_tui.convert.models import Plan, PlannedPost, PlanOptions


def render_preview(plan: Plan, options: PlanOptions) -> Iterator[str]:
    yield f"Plan for {plan.target}: {len(plan.items)} items, {sum(len(i.posts) for i in plan.items)} posts"
    for item in plan.items:
        when = item.created_at.strftime("%Y-%m-%d %H:%M:%SZ")
        count = len(item.posts)
        yield ""
        yield f"── {item.kind.value} {item.id} · {when} · {count} post{'s' if count != 1 else ''}"
        for index, post in enumerate(item.posts, 1):
            yield f"  [{index}/{count}] {_length(post, options)}"
            for line in post.text.splitlines() or [""]:
                yield f"      {line}"
            for media in post.media:
                yield f"      + {media.kind} {media.width}×{media.height}, {media.bytes:,} bytes"
            for warning in post.warnings:
                yield f"      ! {warning}"
    if plan.skipped:
        reasons = Counter(s.reason for s in plan.skipped)
        yield ""
        yield "Skipped: " + ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))


def _length(post: PlannedPost, options: PlanOptions) -> str:
    if options.target == "bluesky":
        graphemes, size = bluesky_counts(post.text)
        flag = "" if graphemes <= BLUESKY_MAX_GRAPHEMES and size <= BLUESKY_MAX_BYTES else "  TOO LONG"
        return f"{graphemes}/{BLUESKY_MAX_GRAPHEMES} graphemes, {size} bytes{flag}"
    chars = mastodon_count(post.text)
    flag = "" if chars <= options.max_chars else "  TOO LONG"
    return f"{chars}/{options.max_chars} characters{flag}"
