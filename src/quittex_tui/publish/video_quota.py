"""The daily video quota as part of pacing: videos wait for it while text and photo items go on.

Spec: docs/bluesky.md#video (issue 12: the daily video quota is part of pacing): Bluesky's video
service lets an account upload a limited number of videos (and bytes) a day, and says how many are left with
`app.bsky.video.getUploadLimits` (`canUpload`, `remainingDailyVideos`, `remainingDailyBytes`). The numbers
change, so they are read, never hard-coded; the service does not say when the day's allowance comes back.

Two halves:
- `VideoQuota` (held by a target that has a quota: BlueskyTarget on the video-service path, or the dry run
  when told to simulate one) knows what the server said and what this run spent since. It asks the server
  again when it knows nothing yet, after `recheck` (the allowance may have come back), and when the time it
  expected the next video to be allowed has come. When no video may go, `next_at` is its best estimate of
  when one may: a day after the oldest of this run's own uploads still inside the last day (a rolling day,
  as the service's "daily" is understood: **not verified**), else `recheck` from now — then it asks again.
- `VideoGate` (held by the engine, publish/engine.py) decides per item: an item whose videos do not fit in
  what is left today is *parked* — not attempted, not failed — while the run goes on with the items after
  it; when only parked items are left, the engine waits until `next_at` (a stop-aware "waiting" event the
  TUI and the CLI show as "next video at HH:MM") and tries them again, in plan order.

Threads stay in order: an item is one reply chain, so a thread with a video waits **as a whole** until
today's allowance holds all its videos — never half a thread on the account for a day. A thread needing more
videos than a whole day allows starts as soon as one video may go; when the allowance runs out in its middle
(or the server refuses a video the numbers said would fit), its later posts wait and it resumes from there
(the journal holds the posts already sent; nothing is sent twice). Other items never wait for a video.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from quittex_tui.convert.models import PlanItem, PlannedPost
from quittex_tui.notice import notice
from quittex_tui.publish.target import PublishError

DAY = timedelta(days=1)
RECHECK = timedelta(hours=1)  # how often an exhausted (or unknown) allowance is asked again
FRESH = timedelta(minutes=30)  # what the server said is trusted (minus our own uploads) this long
# Only for estimates made before the server was asked (a plan, the Review step): "about 25 videos a day"
# (issue 12, docs/bluesky.md). A run paces on what the server says, never on this.
ESTIMATE_VIDEOS_PER_DAY = 25


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_video(media: Any) -> bool:
    return getattr(media, "kind", "") in ("video", "gif")


def post_videos(post: PlannedPost) -> tuple[int, int]:
    """(videos, bytes) a post uploads: X's GIFs are mp4 videos on Bluesky too (they count)."""
    videos = [m for m in post.media if is_video(m)]
    return len(videos), sum(max(0, m.bytes) for m in videos)


def video_days(videos: int, per_day: int | None = None) -> int:
    """Days `videos` take at `per_day` videos a day (the estimate's default when unknown); 0 for none."""
    if videos <= 0:
        return 0
    return math.ceil(videos / max(1, per_day or ESTIMATE_VIDEOS_PER_DAY))


def daily_video_estimate(target: Any, videos: int, network: str) -> tuple[int, int] | None:
    """(days, videos a day) `videos` take at the daily video limit of `target` — the server's allowance
    when it told it, else the documented order of magnitude — or None when that limit does not stretch the
    migration: no more videos than one day's allowance, Mastodon, a PDS whose videos do not go through the
    video service."""
    if videos <= 0 or network != "bluesky":
        return None
    getter = getattr(target, "video_quota", None)
    quota = getter() if callable(getter) else None
    if getattr(target, "network", "") == "bluesky" and quota is None:
        return None  # uploadBlob only: no daily allowance is known to apply
    per_day = (quota.daily if isinstance(quota, VideoQuota) else None) or ESTIMATE_VIDEOS_PER_DAY
    days = video_days(videos, per_day)
    return (days, per_day) if days > 1 else None


@dataclass(frozen=True)
class UploadLimits:
    """`app.bsky.video.getUploadLimits`'s answer (lexicon app.bsky.video.getUploadLimits)."""

    can_upload: bool
    remaining_videos: int | None = None
    remaining_bytes: int | None = None
    message: str = ""


class VideoQuotaExhausted(PublishError):
    """No video may go before `until`: the post (and the rest of its item) waits; nothing failed."""

    def __init__(self, until: datetime, message: str = "daily video limit reached") -> None:
        super().__init__(message)
        self.until = until


class VideoQuota:
    """What an account may still upload today, as the server last said, minus what this run uploaded."""

    def __init__(
        self,
        fetch: Callable[[], UploadLimits | None],
        *,
        day: timedelta = DAY,
        recheck: timedelta = RECHECK,
        fresh: timedelta = FRESH,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._fetch = fetch  # None from it: the server could not be asked (unknown: videos are not held)
        self.day = day
        self.recheck = recheck
        self.fresh = fresh
        self.now = now
        self._lock = threading.Lock()
        self.limits: UploadLimits | None = None
        self.checked_at: datetime | None = None
        self.spent_videos = 0  # uploaded by this run since the last check
        self.spent_bytes = 0
        self.uploads: list[datetime] = []  # this run's uploads (a rolling day's worth)
        self.daily: int | None = None  # the most videos ever said to be left: the day's allowance, as known
        self.next_at: datetime | None = None  # set while no video may go: when to ask the server again
        # when the allowance is expected back (a day after the oldest upload of this run still inside the
        # last day), if this run uploaded any: what the user is shown; `next_at` is never later
        self.expected_at: datetime | None = None

    # --- what the server said ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Ask the server now."""
        limits = self._fetch()
        with self._lock:
            now = self.now()
            self.checked_at = now
            self.limits = limits
            self.spent_videos = self.spent_bytes = 0
            if limits is not None and limits.remaining_videos is not None:
                self.daily = max(self.daily or 0, limits.remaining_videos) or self.daily
            if limits is not None and self._left(limits) != 0:
                self.next_at = None

    @staticmethod
    def _daily_limit(limits: UploadLimits) -> bool:
        """Is "cannot upload" the day's allowance being used up (then videos wait), rather than something
        waiting cannot fix (an unconfirmed email, a restricted account: then the upload fails in words)?"""
        return limits.remaining_videos == 0 or limits.remaining_bytes == 0

    def _due(self) -> bool:
        if self.checked_at is None:
            return True
        now = self.now()
        if self.next_at is not None:
            return now >= self.next_at
        return now - self.checked_at >= self.fresh

    def _left(self, limits: UploadLimits) -> int | None:
        if not limits.can_upload and self._daily_limit(limits):
            return 0
        if not limits.can_upload:
            return None  # refused for another reason than the day's count: the upload will say why
        if limits.remaining_videos is None:
            return None
        return max(0, limits.remaining_videos - self.spent_videos)

    def room(self) -> tuple[int | None, int | None]:
        """(videos, bytes) that may still be uploaded today; None = unknown (not held back). Asks the server
        when what it said is stale."""
        if self._due():
            self.refresh()
        with self._lock:
            limits = self.limits
            if limits is None:
                return None, None
            videos = self._left(limits)
            size = None
            if limits.remaining_bytes is not None:
                size = max(0, limits.remaining_bytes - self.spent_bytes)
            return videos, size

    def fits(self, videos: int, size: int) -> bool:
        left, left_bytes = self.room()
        if left is not None and videos > left:
            return False
        return left_bytes is None or size <= left_bytes

    # --- what this run did -------------------------------------------------------------------------
    def spent(self, videos: int, size: int) -> None:
        with self._lock:
            now = self.now()
            self.spent_videos += videos
            self.spent_bytes += size
            self.uploads = [t for t in self.uploads if now - t < self.day] + [now] * videos

    def exhausted(self) -> datetime:
        """No video may go now: when to try again (and ask the server again)."""
        with self._lock:
            now = self.now()
            recent = [t for t in self.uploads if now - t < self.day]
            self.expected_at = max(now, min(recent) + self.day) if recent else None
            until = now + self.recheck
            if self.expected_at is not None:
                until = min(until, self.expected_at)
            if self.next_at is None or self.next_at <= now:
                self.next_at = until
            return self.next_at

    def message(self) -> str:
        limits = self.limits
        return limits.message if limits is not None and limits.message else ""


class VideoGate:
    """The engine's side: which items wait for the video allowance, and until when."""

    def __init__(self, quota: VideoQuota) -> None:
        self.quota = quota
        self.parked: list[PlanItem] = []

    @classmethod
    def for_target(cls, target: Any) -> VideoGate | None:
        """The gate of a target that has a daily video quota (`target.video_quota()`), else None."""
        getter = getattr(target, "video_quota", None)
        quota = getter() if callable(getter) else None
        return cls(quota) if isinstance(quota, VideoQuota) else None

    def needs(self, posts: Iterable[PlannedPost]) -> tuple[int, int]:
        videos = size = 0
        for post in posts:
            n, b = post_videos(post)
            videos, size = videos + n, size + b
        return videos, size

    def must_wait(self, unsent: list[PlannedPost]) -> bool:
        """Should an item whose unsent posts are `unsent` wait for the allowance? (See the module doc.)"""
        videos, size = self.needs(unsent)
        if not videos:
            return False
        if self.quota.fits(videos, size):
            return False
        left, _ = self.quota.room()
        daily = self.quota.daily
        if left and daily is not None and videos > daily:
            return False  # more than a whole day holds: start now, its later posts wait
        self.quota.exhausted()
        return True

    def before_post(self, post: PlannedPost) -> None:
        """Raise VideoQuotaExhausted when this post's video may not go now (nothing is written then)."""
        videos, size = post_videos(post)
        if videos and not self.quota.fits(videos, size):
            raise VideoQuotaExhausted(self.quota.exhausted(), self.waiting_reason())

    def park(self, item: PlanItem, until: datetime | None = None) -> None:
        if until is not None:
            self.quota.next_at = until if self.quota.next_at is None else max(self.quota.next_at, until)
        elif self.quota.next_at is None:
            self.quota.exhausted()
        if all(p.id != item.id for p in self.parked):
            self.parked.append(item)

    def next_at(self) -> datetime | None:
        """When the engine tries the parked items again (and asks the server again)."""
        return self.quota.next_at if self.parked else None

    def expected_at(self) -> datetime | None:
        """When the next video is expected to go, as shown to the user: the allowance's expected return
        when this run's uploads tell it, else the next time the server is asked."""
        if not self.parked:
            return None
        return self.quota.expected_at or self.quota.next_at

    def release(self, order: dict[str, int]) -> list[PlanItem]:
        """The parked items, in plan order, to try again (the allowance is asked again first)."""
        items = sorted(self.parked, key=lambda item: order.get(item.id, 0))
        self.parked = []
        self.quota.next_at = None
        self.quota.refresh()
        return items

    def waiting_reason(self) -> str:
        said = self.quota.message()
        if said:
            return notice("video.waiting_said", said=said)
        return notice("video.waiting")
