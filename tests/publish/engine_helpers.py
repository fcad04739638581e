"""Shared helpers for the engine tests: a fake clock (sleep advances it) and hand-built plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlannedPost, SkippedTweet
from quittex_tui.publish.target import PostRef


class FakeClock:
    """`now()` and `sleep()` sharing one simulated time: pacing tests run instantly."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = start or datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.t += timedelta(seconds=seconds)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


def make_plan(shape: list[int], *, target: str = "bluesky", skipped: int = 0) -> Plan:
    """A plan with one item per entry of `shape`, each with that many posts (a thread when > 1)."""
    base = datetime(2019, 5, 4, 9, 0, 0, tzinfo=UTC)
    items = []
    for n, count in enumerate(shape):
        first = 1_000_000 + n * 10
        posts = [
            PlannedPost(source_id=str(first + i), text=f"item {n} post {i} — été 🎉") for i in range(count)
        ]
        items.append(
            PlanItem(
                id=str(first),
                kind=ItemKind.THREAD if count > 1 else ItemKind.POST,
                source_ids=[p.source_id for p in posts],
                created_at=base + timedelta(hours=n),
                posts=posts,
            )
        )
    skips = [SkippedTweet(source_id=str(9_000_000 + i), reason="retweet") for i in range(skipped)]
    return Plan(target=target, items=items, skipped=skips)  # type: ignore[arg-type]


def as_sent(plan: Plan, *journal_paths: Path) -> Plan:
    """`plan` with each post's text as the link stage sent it
    (docs/bluesky.md#link-cards-appbskyembedexternal, issue 13): a link to one of the user's own tweets
    already published on this network points at that migrated post — read from the runs' journals, as the
    engine does (publish/selflinks.py). What the server shows; the demo archive has such links."""
    from quittex_tui.publish.journal import JournalView
    from quittex_tui.publish.selflinks import bluesky_self_links, first_posts, mastodon_self_links

    where = first_posts(plan.items)
    refs: dict[tuple[str, int], PostRef] = {}
    for path in journal_paths:
        with JournalView(path) as journal:
            for entry in journal.entries():
                if entry.status == "done" and entry.kind == "post":
                    refs.setdefault((entry.item_id, entry.index), entry.ref())

    def lookup(tweet_id: str) -> PostRef | None:
        found = where.get(tweet_id)
        return refs.get(found) if found else None

    rewrite = bluesky_self_links if plan.target == "bluesky" else mastodon_self_links
    items = [
        item.model_copy(update={"posts": [rewrite(p, lookup) for p in item.posts]}) for item in plan.items
    ]
    return plan.model_copy(update={"items": items})
