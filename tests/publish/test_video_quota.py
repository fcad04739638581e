"""The daily video allowance as part of pacing (publish/video_quota.py), on the simulated server with a
fake clock: items with a video wait for it while text and photo items go on, a thread waits whole (or, when
it needs more than a day holds, its later posts wait), a stop during the wait loses nothing, and the
estimates count video-days apart. The same rules against a stand-in of the real video service and the
real PDS: tests/publish/test_video_appview.py."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlannedMedia, PlannedPost
from quittex_tui.publish.dryrun import DryRunTarget
from quittex_tui.publish.engine import Engine, EngineEvent, RunReport, estimate_duration
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.video_quota import daily_video_estimate, video_days
from tests.publish.engine_helpers import FakeClock

DAY = 3600.0  # the simulated server's "day", in (fake) seconds


def media(kind: str, n: int) -> PlannedMedia:
    return PlannedMedia(
        path=f"/nowhere/{kind}{n}.bin",
        kind=kind,
        bytes=1000,
        width=16,
        height=9,  # type: ignore[arg-type]
        mime="video/mp4" if kind != "image" else "image/jpeg",
        media_id=f"m{n}",
    )


def item(n: int, *posts: tuple[str, str | None]) -> PlanItem:
    """Item `n` with posts (text, media kind or None)."""
    clock = FakeClock()
    planned = [
        PlannedPost(source_id=str(1000 * n + i), text=text, media=[media(kind, 1000 * n + i)] if kind else [])
        for i, (text, kind) in enumerate(posts)
    ]
    return PlanItem(
        id=str(1000 * n),
        kind=ItemKind.THREAD if len(posts) > 1 else ItemKind.POST,
        source_ids=[p.source_id for p in planned],
        created_at=clock.t + timedelta(hours=n),
        posts=planned,
    )


def run(
    plan: Plan, tmp_path: Path, clock: FakeClock, per_day: int = 2, stop: threading.Event | None = None
) -> tuple[RunReport, list[EngineEvent], DryRunTarget]:
    target = DryRunTarget(
        latency=0, rate_limit=None, now=clock.now, sleep=clock.sleep, videos_per_day=(per_day, DAY)
    )
    events: list[EngineEvent] = []

    def seen(event: EngineEvent) -> None:
        events.append(event)
        if stop is not None and event.kind == "waiting" and event.item_id is None:
            stop.set()

    with Journal(tmp_path / "journal.toml") as journal:
        report = Engine(plan, target, journal, on_event=seen, sleep=clock.sleep, now=clock.now).run(stop=stop)
    return report, events, target


def sent(events: list[EngineEvent]) -> list[str]:
    return [e.item_id or "" for e in events if e.kind == "item_sent"]


def test_videos_wait_for_the_allowance_while_text_and_photos_go_on(tmp_path: Path) -> None:
    items = [
        item(1, ("v1", "video")),
        item(2, ("t1", None)),
        item(3, ("g1", "gif")),
        item(4, ("p1", "image")),
        item(5, ("v3", "video")),
        item(6, ("fil", None), ("sa vidéo", "video"), ("fin", None)),
        item(7, ("t2", None)),
    ]
    clock = FakeClock()
    report, events, target = run(Plan(target="bluesky", items=items), tmp_path, clock)

    assert report.failed == [] and report.remaining == 0 and report.published == 7
    assert sent(events) == ["1000", "2000", "3000", "4000", "7000", "5000", "6000"]
    waits = [e for e in events if e.kind == "waiting"]
    assert waits and waits[0].progress.next_video_at is not None
    assert max(e.progress.videos_waiting for e in waits) == 2  # the video and the thread
    # it waited about a day (the oldest upload's day), never more than a recheck beyond it
    assert DAY <= clock.slept <= DAY + 2 * target._video_quota.recheck.total_seconds()  # type: ignore[union-attr]
    # the thread went whole, in order: each post answers the previous one
    thread = [p for p in target.posts if p.key.startswith("6000-")]
    assert [p.text for p in thread] == ["fil", "sa vidéo", "fin"]
    assert thread[1].reply_to is not None and thread[1].reply_to.parent == thread[0].ref
    assert thread[2].reply_to is not None and thread[2].reply_to.parent == thread[1].ref


def test_a_thread_with_more_videos_than_a_day_holds_goes_on_the_next_day(tmp_path: Path) -> None:
    thread = item(1, ("un", "video"), ("deux", "video"), ("trois", "video"), ("fin", None))
    plan = Plan(target="bluesky", items=[thread, item(2, ("après", None))])
    clock = FakeClock()
    report, _events, target = run(plan, tmp_path, clock)
    assert report.failed == [] and report.published == 2
    assert [p.text for p in target.posts] == ["un", "deux", "après", "trois", "fin"]
    posts = target.posts
    assert posts[3].reply_to is not None and posts[3].reply_to.parent == posts[1].ref  # "trois" after "deux"
    assert clock.slept >= DAY


def test_a_stop_during_the_wait_keeps_everything_for_the_next_run(tmp_path: Path) -> None:
    items = [
        item(1, ("v1", "video")),
        item(2, ("v2", "video")),
        item(3, ("v3", "video")),
        item(4, ("t", None)),
    ]
    clock = FakeClock()
    stop = threading.Event()
    report, _events, _target = run(Plan(target="bluesky", items=items), tmp_path, clock, stop=stop)
    assert report.failed == [] and report.published == 3 and report.remaining == 1
    later = FakeClock(clock.t + timedelta(seconds=DAY))
    again, _events, _target = run(Plan(target="bluesky", items=items), tmp_path, later)
    assert again.published == 1 and again.already_published == 3 and again.failed == []


def test_estimates_count_video_days_apart() -> None:
    assert video_days(312, 25) == 13 and video_days(0) == 0 and video_days(1) == 1
    assert daily_video_estimate(DryRunTarget(latency=0), 312, "bluesky") == (13, 25)
    assert daily_video_estimate(DryRunTarget(latency=0), 312, "mastodon") is None
    limited = DryRunTarget(latency=0, videos_per_day=(2, DAY))
    limited.video_quota().refresh()  # type: ignore[union-attr]
    assert daily_video_estimate(limited, 5, "bluesky") == (3, 2)  # the server's own number
    assert daily_video_estimate(DryRunTarget(latency=0), 25, "bluesky") is None  # fits in one day
    # the posts' own estimate does not change: videos are counted apart
    assert estimate_duration(100, "bluesky") == estimate_duration(100, "bluesky", n_media=50)
