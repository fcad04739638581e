"""Pacing math (publish/pacing.py) and long simulated runs: no 429, ≥ 90 % of the budget used."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest

from quittex_tui.publish.dryrun import DryRunTarget, SimulatedRateLimit
from quittex_tui.publish.engine import Engine, EngineEvent
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.pacing import Pacer
from quittex_tui.publish.target import RateBudget
from tests.publish.engine_helpers import FakeClock, make_plan


def test_no_headers_means_no_delay() -> None:
    clock = FakeClock()
    assert Pacer(now=clock.now).after_write(RateBudget()).delay == 0


def test_a_run_that_fits_in_the_window_is_not_slowed() -> None:
    clock = FakeClock()
    reset = clock.now() + timedelta(hours=1)
    budget = RateBudget(limit=5000, remaining=4000, reset_at=reset, cost_per_post=3)
    assert Pacer(now=clock.now).after_write(budget, posts_left=1000).delay == 0


def test_the_usable_remainder_is_spread_over_the_time_to_reset() -> None:
    clock = FakeClock()
    budget = RateBudget(
        limit=5000, remaining=2000, reset_at=clock.now() + timedelta(seconds=1000), cost_per_post=3
    )
    decision = Pacer(now=clock.now).after_write(budget, posts_left=10_000)
    reserve = 100  # 2 % of 5000
    assert decision.delay == pytest.approx(1000 / ((2000 - reserve) // 3))
    assert decision.until is None


def test_an_exhausted_window_waits_until_the_reset() -> None:
    clock = FakeClock()
    reset = clock.now() + timedelta(seconds=600)
    budget = RateBudget(limit=300, remaining=5, reset_at=reset, cost_per_post=1)
    decision = Pacer(now=clock.now, reset_margin=1.0).after_write(budget, posts_left=50)
    assert decision.delay == pytest.approx(601)
    assert decision.until == reset + timedelta(seconds=1)


def test_a_429_waits_until_reset_and_never_loops_tightly() -> None:
    clock = FakeClock()
    pacer = Pacer(now=clock.now, reset_margin=1.0, min_429_wait=1.0)
    assert pacer.on_rate_limited(clock.now() + timedelta(seconds=30)).delay == pytest.approx(31)
    past = clock.now() - timedelta(seconds=5)  # a reset already past (clock skew) or none given
    assert [pacer.on_rate_limited(past).delay for _ in range(3)] == [2.0, 4.0, 8.0]
    assert pacer.on_rate_limited(None).delay == 16.0
    pacer.after_write(RateBudget())  # a success resets the growth
    assert pacer.on_rate_limited(None).delay == 1.0


@pytest.mark.parametrize(
    ("limit", "window", "cost"),
    [(150, 300.0, 3), (100, 300.0, 1), (60, 60.0, 1)],  # Bluesky-like points, Mastodon-like requests
)
def test_a_long_run_uses_at_least_90_percent_of_the_budget_and_never_meets_a_429(
    tmp_path: Path, limit: int, window: float, cost: int
) -> None:
    clock = FakeClock()
    target = DryRunTarget(
        latency=0.2, rate_limit=SimulatedRateLimit(limit, window, cost), sleep=clock.sleep, now=clock.now
    )
    per_window = limit // cost
    n = per_window * 6
    plan = make_plan([1] * n)
    events: list[EngineEvent] = []
    with Journal(tmp_path / "j.toml") as journal:
        report = Engine(plan, target, journal, sleep=clock.sleep, now=clock.now, on_event=events.append).run()
    assert report.published == n
    assert target.rate_limited == 0  # slowed down before exhausting, never throttled
    elapsed = (target.posts[-1].written_at - target.posts[0].written_at).total_seconds()
    allowed = (elapsed / window) * per_window  # what the server would have accepted in that time
    assert n / allowed >= 0.9
    # Writes are spread, not bursted: no window sees more than its budget.
    by_window: dict[int, int] = {}
    for post in target.posts:
        w = int(post.written_at.timestamp() // window)
        by_window[w] = by_window.get(w, 0) + 1
    assert max(by_window.values()) <= per_window
    # Smooth: no stall of a large part of a window (the budget renews just as it runs out).
    gaps = [(b.written_at - a.written_at).total_seconds() for a, b in itertools.pairwise(target.posts)]
    assert max(gaps) <= 0.1 * window
    assert not [e for e in events if e.kind == "retrying"]


def test_a_short_run_is_not_spread_out(tmp_path: Path) -> None:
    clock = FakeClock()
    target = DryRunTarget(latency=0.05, sleep=clock.sleep, now=clock.now)  # default: 5000 points/h
    with Journal(tmp_path / "j.toml") as journal:
        Engine(make_plan([1] * 40), target, journal, sleep=clock.sleep, now=clock.now).run()
    assert clock.slept == pytest.approx(40 * 0.05)  # latency only, no pacing delay


def test_reconciliation_reads_are_paced_on_the_servers_budget() -> None:
    """Reads share the budget with the writes: with the window's room used up they wait for the reset
    (stop-aware slices), and while there is room they go at once."""
    from quittex_tui.publish.retry import RetryPolicy
    from quittex_tui.publish.writestep import CallPolicy, Waiter

    clock = FakeClock()
    policy = CallPolicy(
        waiter=Waiter(sleep=clock.sleep), pacer=Pacer(now=clock.now), retry=RetryPolicy(), now=clock.now
    )
    budget = RateBudget(limit=300, remaining=250, reset_at=clock.now() + timedelta(minutes=5))
    read = policy.reads(lambda: budget)
    assert read(lambda: "page 1", "reading") == "page 1" and clock.slept == 0
    budget = RateBudget(limit=300, remaining=3, reset_at=clock.now() + timedelta(minutes=5))
    assert read(lambda: "page 2", "reading") == "page 2"
    assert 300 <= clock.slept <= 302 and max(clock.sleeps) <= 0.5  # until the reset, in slices
