"""Pacing writes to the rate budget the server announces, so a long run is never throttled.

Spec: docs/bluesky.md#rate-limits, docs/mastodon.md#rate-limits (Bluesky `RateLimit-*`: 5,000 points/h and
35,000/day, a post costs 3; Mastodon `X-RateLimit-*`: 300 statuses / 3 h) and ARCHITECTURE.md#the-engine
(pacing and faults: slow down before exhausting the budget, on 429 wait until reset, never hammer, keep ≥ 90 %
of the allowed budget busy on long runs).

The policy, after every write, from the budget the target last saw (`target.budget()`):
- what is left of this window and still needed fits → no delay (a short run is not slowed at all);
- otherwise the usable remainder (all but a small reserve, for clock skew and other clients of the same
  account) is spread evenly over the time left to the reset: the window's budget is used up just as it
  renews, so the run never meets a 429 and uses ≥ 90 % of what the server allows;
- nothing usable left → wait until the reset (a "waiting" event says until when).
On a 429 (`RateLimited`) the engine waits until `reset_at`; a reset already past (or a server that keeps
answering 429) gets a growing minimum wait instead of a tight loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from quittex_tui.clock import utcnow
from quittex_tui.publish.target import RateBudget


class WaitReason(StrEnum):
    """Why a run pauses (the `waiting` events say it): English values for logs, words in the catalogue."""

    NONE = ""
    FITS = "the rest of the run fits in this window's budget"
    BUDGET_USED_UP = "rate budget used up for this window"
    SPREADING = "spreading the budget to the reset"
    RATE_LIMITED = "rate limited by the server"
    PACING = "pacing to the server's rate limit"

    @property
    def catalogue_key(self) -> str:
        return f"wait.{self.name.lower()}"


@dataclass(frozen=True)
class PaceDecision:
    delay: float  # seconds to wait before the next write
    until: datetime | None = None  # set when waiting for a window reset (worth telling the user)
    # a WaitReason, or a notice.Notice for a reason with numbers in it (the follows' daily cap)
    reason: str = WaitReason.NONE


class Pacer:
    def __init__(
        self,
        *,
        now: Callable[[], datetime] = utcnow,
        reserve_fraction: float = 0.02,
        reset_margin: float = 1.0,
        min_429_wait: float = 1.0,
        max_429_wait: float = 300.0,
    ) -> None:
        self.now = now
        self.reserve_fraction = reserve_fraction  # kept back from every window (≤ 2 % unused)
        self.reset_margin = reset_margin  # seconds past reset_at: the server's clock may lag ours
        self.min_429_wait = min_429_wait
        self.max_429_wait = max_429_wait
        self._consecutive_429 = 0

    def reserve(self, budget: RateBudget) -> int:
        if budget.limit is None:
            return budget.cost_per_post
        return max(budget.cost_per_post, int(budget.limit * self.reserve_fraction))

    def after_write(self, budget: RateBudget, posts_left: int | None = None) -> PaceDecision:
        """How long to wait before the next write. `posts_left`: writes this run still needs (None: many)."""
        self._consecutive_429 = 0
        if budget.remaining is None or budget.reset_at is None:
            return PaceDecision(0.0)  # the server tells nothing: its 429s will pace us
        cost = max(1, budget.cost_per_post)
        seconds_left = (budget.reset_at - self.now()).total_seconds()
        if seconds_left <= 0:
            return PaceDecision(0.0)  # the window is over: the next answer brings a fresh budget
        usable_posts = (budget.remaining - self.reserve(budget)) // cost
        if posts_left is not None and posts_left <= usable_posts:
            return PaceDecision(0.0, reason=WaitReason.FITS)
        if usable_posts <= 0:
            until = budget.reset_at + timedelta(seconds=self.reset_margin)
            return PaceDecision(
                seconds_left + self.reset_margin, until=until, reason=WaitReason.BUDGET_USED_UP
            )
        return PaceDecision(seconds_left / usable_posts, reason=WaitReason.SPREADING)

    def on_rate_limited(self, reset_at: datetime | None) -> PaceDecision:
        """A 429: wait until the reset the server gave (plus a margin), at least a growing minimum."""
        self._consecutive_429 += 1
        floor = min(self.max_429_wait, self.min_429_wait * 2 ** (self._consecutive_429 - 1))
        now = self.now()
        wait = floor
        if reset_at is not None:
            wait = max(floor, (reset_at - now).total_seconds() + self.reset_margin)
        return PaceDecision(wait, until=now + timedelta(seconds=wait), reason=WaitReason.RATE_LIMITED)
