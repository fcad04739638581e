"""A simulated target: the whole engine (journal, pacing, retries, resume) with no account and no network.

Used by `migrate --dry-run`, `quittex-tui demo` and the TUI's demo mode, and by the engine's unit tests.
It behaves like a small server: a rate budget in fixed windows announced like `RateLimit-*` headers (and a
429 when exceeded), optional faults, and a record of what was "published". With `store` set, that record
is a file (one JSON line per post, written before the answer returns, like a server's commit), so a
process killed between the server's commit and the journal's `done` can be reconciled on resume —
exactly the case the real servers pose.

`idempotent=False` makes a repeated write of the same key a *second* post (Mastodon after its 1 h
idempotency window): tests use it to prove the engine alone, through its journal and `find`, never
publishes twice.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quittex_tui.clock import utcnow
from quittex_tui.convert.models import PlannedPost
from quittex_tui.fileio import write_failure
from quittex_tui.networks import DRY_RUN
from quittex_tui.notice import notice
from quittex_tui.publish.target import (
    Pending,
    PermanentError,
    PostRef,
    RateBudget,
    RateLimited,
    ReadCall,
    ReplyTo,
    Resolution,
    TargetInfo,
    TransientError,
    Verdict,
)
from quittex_tui.publish.video_quota import UploadLimits, VideoQuota, VideoQuotaExhausted


@dataclass
class SimulatedRateLimit:
    limit: int = 5000  # points per window (Bluesky's hourly write budget)
    window: float = 3600.0  # seconds
    cost_per_post: int = 3  # a Bluesky create costs 3 points


@dataclass
class SimulatedPost:
    key: str
    ref: PostRef
    text: str
    reply_to: ReplyTo | None
    created_at: datetime
    media: int = 0
    written_at: datetime = field(default_factory=utcnow)


class DryRunTarget:
    network = DRY_RUN
    DEFAULT_LATENCY = 0.05  # seconds per post: fast, yet a progress bar has time to show

    def __init__(
        self,
        latency: float = 0.05,
        fail_every: int | None = None,
        rate_limit: SimulatedRateLimit | None = SimulatedRateLimit(),  # noqa: B008 (immutable in use)
        *,
        transient_every: int | None = None,
        lose_response_every: int | None = None,
        idempotent: bool = True,
        plan_target: str = "bluesky",
        store: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        handle: str = "you.dry-run",
        videos_per_day: tuple[int, float] | None = None,
    ) -> None:
        self.latency = latency
        self.fail_every = fail_every
        self.rate_limit = rate_limit
        self.transient_every = transient_every
        self.lose_response_every = lose_response_every
        self.idempotent = idempotent
        self.plan_target = plan_target
        self.store = store
        self.sleep = sleep
        self.now = now
        self.handle = handle
        self.calls = 0  # publish() calls
        self.find_calls = 0
        self.rate_limited = 0  # 429s answered (a well-paced run gets none)
        self.posts: list[SimulatedPost] = []  # every post "on the server", duplicates included
        self._by_key: dict[str, PostRef] = {}
        self._window_start: float | None = None
        self._used = 0
        self._budget = RateBudget(cost_per_post=rate_limit.cost_per_post if rate_limit else 1)
        # A daily video allowance, simulated (docs/bluesky.md#video, issue 12): (videos, seconds in the
        # "day"), from the argument or QUITTEX_DRY_RUN_VIDEOS="N/SECONDS" (to watch the video wait in the
        # TUI's demo); None: none.
        self.videos_per_day = videos_per_day or _videos_from_env()
        self.video_uploads: list[float] = []  # simulated clock times (seconds) of the videos "uploaded"
        self._video_quota: VideoQuota | None = None
        if self.videos_per_day is not None:
            self._video_quota = VideoQuota(
                self._video_limits,
                day=timedelta(seconds=self.videos_per_day[1]),
                recheck=timedelta(seconds=max(1.0, self.videos_per_day[1] / 10)),
                fresh=timedelta(seconds=0),
                now=self.now,
            )
        if store is not None and store.exists():
            for line in store.read_text("utf-8").splitlines():
                try:
                    row = json.loads(line)
                except ValueError:  # a line torn by a kill: that write never returned
                    continue
                ref = PostRef(row["uri"], row["cid"], row.get("url", ""))
                self._by_key.setdefault(row["key"], ref)
                self.posts.append(
                    SimulatedPost(
                        row["key"], ref, row.get("text", ""), None, datetime.fromisoformat(row["created_at"])
                    )
                )

    # --- PublishTarget --------------------------------------------------------------------------------
    def info(self) -> TargetInfo:
        bluesky = self.plan_target == "bluesky"
        return TargetInfo(
            network=DRY_RUN,
            handle=self.handle,
            server="dry-run://local",
            max_chars=300 if bluesky else 500,
            supports_backdating=bluesky,
            extra={"simulates": self.plan_target},
        )

    def budget(self) -> RateBudget:
        return RateBudget(
            self._budget.limit, self._budget.remaining, self._budget.reset_at, self._budget.cost_per_post
        )

    def video_quota(self) -> VideoQuota | None:
        return self._video_quota

    def _video_limits(self) -> UploadLimits:
        per_day, day = self.videos_per_day or (0, 1.0)
        t = self.now().timestamp()
        used = sum(1 for at in self.video_uploads if t - at < day)
        return UploadLimits(
            can_upload=used < per_day,
            remaining_videos=max(0, per_day - used),
            message="simulated daily video limit",
        )

    def post_key(self, item_id: str, index: int, source_id: str, created_at: datetime) -> str:
        return f"{item_id}-{index}"

    def find(self, key: str, post: PlannedPost, created_at: datetime, intent_at: datetime) -> PostRef | None:
        self.find_calls += 1
        return self._by_key.get(key)

    def has_posts(self) -> bool:
        return bool(self._by_key)

    def reconcile(
        self,
        pending: Sequence[Pending],
        *,
        claimed: Collection[str],
        call: ReadCall,
        want: Collection[str] | None = None,
    ) -> dict[str, Resolution]:
        """Exact, by key (the simulated server remembers every key it was sent)."""
        out: dict[str, Resolution] = {}
        for p in pending:
            if want is not None and p.key not in want:
                continue
            self.find_calls += 1
            ref = self._by_key.get(p.key)
            out[p.key] = Resolution(Verdict.FOUND, ref) if ref else Resolution(Verdict.ABSENT)
        return out

    def publish(
        self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None
    ) -> PostRef:
        self.calls += 1
        self._charge()
        # Half the latency before the "server" commits (the upload), half after (the answer travelling
        # back): a kill in the second half is the hard case — the post exists, the client never knew.
        if self.latency:
            self.sleep(self.latency / 2)
        if self.transient_every and self.calls % self.transient_every == 0:
            raise TransientError("simulated server error (HTTP 503)")
        if self.fail_every and self.calls % self.fail_every == 0:
            raise PermanentError("simulated rejection: the server refused this post")
        videos = sum(1 for m in post.media if m.kind != "image")
        if videos and self._video_quota is not None:
            left = self._video_limits().remaining_videos or 0
            if left < videos:
                raise VideoQuotaExhausted(self._video_quota.exhausted(), "simulated daily video limit")
            self.video_uploads += [self.now().timestamp()] * videos
            self._video_quota.spent(videos, 0)  # as the real uploader does: the quota knows when it frees
        if self.idempotent and key in self._by_key:
            if self.latency:
                self.sleep(self.latency / 2)
            return self._by_key[key]
        ref = PostRef(
            uri=f"dry-run://post/{key}", cid=f"dry{len(self.posts):08d}", url=f"dry-run://post/{key}"
        )
        self._commit(SimulatedPost(key, ref, post.text, reply_to, created_at, len(post.media), self.now()))
        if self.latency:
            self.sleep(self.latency / 2)
        if self.lose_response_every and self.calls % self.lose_response_every == 0:
            raise TransientError("simulated connection reset after the server wrote the post")
        return ref

    # --- simulation -----------------------------------------------------------------------------------
    def _charge(self) -> None:
        rl = self.rate_limit
        if rl is None:
            return
        t = self.now().timestamp()
        start = math.floor(t / rl.window) * rl.window
        if self._window_start != start:
            self._window_start, self._used = start, 0
        reset_at = datetime.fromtimestamp(start + rl.window, UTC)
        if self._used + rl.cost_per_post > rl.limit:
            self._budget = RateBudget(rl.limit, rl.limit - self._used, reset_at, rl.cost_per_post)
            self.rate_limited += 1
            raise RateLimited(reset_at, "simulated HTTP 429: rate budget exhausted")
        self._used += rl.cost_per_post
        self._budget = RateBudget(rl.limit, rl.limit - self._used, reset_at, rl.cost_per_post)

    def _commit(self, sim: SimulatedPost) -> None:
        if self.store is not None:  # the "server" commits before it answers
            row = {
                "key": sim.key,
                "uri": sim.ref.uri,
                "cid": sim.ref.cid,
                "url": sim.ref.url,
                "text": sim.text,
                "created_at": sim.created_at.isoformat(),
                "parent": sim.reply_to.parent.uri if sim.reply_to else None,
            }
            try:
                # 0600 like every file of the migration (it holds the posts' texts).
                fd = os.open(self.store, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.fchmod(fd, 0o600)  # also a file an earlier version created 0644
                with os.fdopen(fd, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            except OSError as exc:
                raise write_failure(self.store, exc, what=notice("act.record_simulated")) from None
        self._by_key.setdefault(sim.key, sim.ref)
        self.posts.append(sim)

    def window_reset_in(self) -> timedelta | None:
        b = self._budget
        return None if b.reset_at is None else b.reset_at - self.now()


VIDEOS_ENV = "QUITTEX_DRY_RUN_VIDEOS"


def _videos_from_env() -> tuple[int, float] | None:
    """QUITTEX_DRY_RUN_VIDEOS="2/60": a simulated allowance of 2 videos every 60 s (None when unset)."""
    value = os.environ.get(VIDEOS_ENV, "").strip()
    if not value:
        return None
    try:
        count, _, seconds = value.partition("/")
        return int(count), float(seconds or 86400)
    except ValueError:
        return None
