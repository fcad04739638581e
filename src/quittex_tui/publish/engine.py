"""The publishing engine: sends a plan item by item, resumably and idempotently, within the rate budget.

Spec: issue "Publishing engine" and ../team/ENGINE_API.md (engine). For every post of every item, in plan
order (oldest first):
1. key: the one the journal holds for this (item, post index) if any (a resumed run reuses the key it
   used), else `target.post_key(...)` — deterministic — skipping any key the journal or another post of
   the plan already holds (`_assign_keys`: two posts on one key would make the second REPLACE the first);
2. journal says `done` → reuse its ref (already published, needed as the thread's root/parent);
3. journal has an intent (or a failure) without result → `target.find` reconciles: did it land?;
4. otherwise append the intent (write-ahead, fsynced), publish, append the result (fsynced).
A kill between 4's steps leaves an intent that step 3 resolves on resume: never a lost confirmed post,
never a second copy. Posts of an item chain as replies (root = first post, parent = previous one).

Faults: `RateLimited` waits until the reset (`Pacer`), `TransientError` is retried with backoff (and the
write is reconciled before a retry, since a timeout may hide a success), `PermanentError` fails the item
(reason kept; later posts of it are not sent) and the run goes on. A server that keeps failing from the
start, or for several items in a row, ends the run with `ServiceError` instead of failing every item.
`AuthError` and other `QuittexError`s end the run; the journal stays intact.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from quittex_tui.convert.models import Plan, PlanItem, PlannedPost
from quittex_tui.errors import QuittexError, ServiceError
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.media_stage import MediaStage
from quittex_tui.publish.pacing import PaceDecision, Pacer
from quittex_tui.publish.retry import RetryPolicy
from quittex_tui.publish.target import (
    PermanentError,
    PostRef,
    PublishError,
    PublishTarget,
    RateLimited,
    ReplyTo,
    TransientError,
)

T = TypeVar("T")

# Documented write budgets (../shared/platform-limits.md): Bluesky 5,000 points/h and 35,000/day with a
# create costing 3; Mastodon 300 statuses / 3 h (2,400/day) and 30 media uploads / 30 min.
BLUESKY_POSTS_PER_HOUR = 5_000 // 3
BLUESKY_POSTS_PER_DAY = 35_000 // 3
MASTODON_POSTS_PER_HOUR = 300 / 3
MASTODON_MEDIA_PER_HOUR = 30 * 2
DRY_RUN_SECONDS_PER_POST = 0.05
MAX_KEY_ATTEMPTS = 10_000  # candidates tried for one post's key before calling it a bug
WAIT_SLICE = 0.5  # seconds: waits are cut in slices so a stop (pause, Ctrl+C) is seen quickly


def utcnow() -> datetime:
    return datetime.now(UTC)


def estimate_duration(n_posts: int, network: str, *, n_media: int = 0) -> timedelta:
    """How long `n_posts` take at the network's documented rate limits (what the user must see first)."""
    if n_posts <= 0:
        return timedelta(0)
    if network == "bluesky":
        days, rest = divmod(n_posts, BLUESKY_POSTS_PER_DAY)
        return timedelta(days=days, hours=rest / BLUESKY_POSTS_PER_HOUR)
    if network == "mastodon":
        hours = max(n_posts / MASTODON_POSTS_PER_HOUR, n_media / MASTODON_MEDIA_PER_HOUR)
        return timedelta(hours=hours)
    return timedelta(seconds=n_posts * DRY_RUN_SECONDS_PER_POST)


class ItemStatus(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Progress:
    total: int
    sent: int  # items published by this run
    failed: int
    remaining: int
    already: int  # items found published by earlier runs
    eta_seconds: float | None
    waiting_until: datetime | None
    last_error: str | None
    current_item: str | None


@dataclass
class EngineEvent:
    kind: str  # "item_started" | "item_sent" | "item_failed" | "waiting" | "retrying" | "done"
    item_id: str | None
    message: str
    progress: Progress


class RunReport(BaseModel):
    """The `migrate --json` object."""

    target: str
    published: int = 0
    already_published: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = Field(default_factory=list)  # {"item_id", "reason"}
    remaining: int = 0


class _Stopped(Exception):
    """A stop was requested while waiting: leave the current post for the next run."""


class _GaveUp(Exception):
    """Transient faults outlasted the retries for one write."""


def _accepts_attempt(target: PublishTarget) -> bool:
    try:
        return "attempt" in inspect.signature(target.post_key).parameters
    except (TypeError, ValueError):
        return False


def post_time(item: PlanItem, post: PlannedPost) -> datetime:
    """The post's original time (a plan may give each post its own; else the item's)."""
    return post.created_at or item.created_at


class Engine:
    def __init__(
        self,
        plan: Plan,
        target: PublishTarget,
        journal: Journal,
        *,
        on_event: Callable[[EngineEvent], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.plan = plan
        self.target = target
        self.journal = journal
        self.on_event = on_event
        self.sleep = sleep
        self.now = now
        self.pacer = pacer or Pacer(now=now)
        self.retry = retry or RetryPolicy()
        # Media are prepared right before their post is sent, a few items ahead (issue 16; media_stage.py).
        self.media = MediaStage.for_plan(plan, target)
        self.keys: dict[str, list[str]] = self._assign_keys()
        self._status: dict[str, ItemStatus] = {}
        self._reasons: dict[str, str] = {}
        self._retryable: set[str] = set()
        for item in plan.items:
            self._status[item.id] = self._status_from_journal(item)
        self._sent = 0
        self._already = 0
        self._current: str | None = None
        self._waiting_until: datetime | None = None
        self._last_error: str | None = None
        self._posts_left = 0
        self._seconds_per_post: float | None = None
        self._last_write_at: datetime | None = None
        self._successes = 0
        self._gave_up_in_a_row = 0
        self._stop: threading.Event | None = None

    # --- keys -----------------------------------------------------------------------------------------
    def _assign_keys(self) -> dict[str, list[str]]:
        """Every post's key, all distinct, deterministic given the plan and the journal.

        First the keys the journal already used for these posts, looked up by (item id, post index) — they
        win, so a resume (even with another selection) sends nothing twice. Then, in plan order, the
        target's derived key, or its next candidate (`attempt` 1, 2, …) while that one is held by another
        post — in the journal or earlier in this plan."""
        journal = self.journal
        keys: dict[str, list[str]] = {}
        taken: set[str] = set()
        for item in self.plan.items:
            known: list[str] = []
            for i in range(len(item.posts)):
                entry = journal.find(item.id, i, "post")
                key = entry.key if entry is not None and entry.key not in taken else ""
                if key:
                    taken.add(key)
                known.append(key)
            keys[item.id] = known
        alternates = _accepts_attempt(self.target)
        for item in self.plan.items:
            item_keys = keys[item.id]
            for i, post in enumerate(item.posts):
                if item_keys[i]:
                    continue
                attempt = 0
                while True:
                    # Keyed on the item's time (always present, never changes), not a per-post time.
                    key = self._key(item, i, post, attempt, alternates)
                    entry = journal.get(key) if key not in taken else None
                    if key not in taken and (entry is None or (entry.item_id, entry.index) == (item.id, i)):
                        break
                    attempt += 1
                    if attempt > MAX_KEY_ATTEMPTS:
                        raise QuittexError(f"no free record key for post {i + 1} of item {item.id}",
                                           "this is a bug: please report it")
                taken.add(key)
                item_keys[i] = key
        return keys

    def _key(self, item: PlanItem, index: int, post: PlannedPost, attempt: int, alternates: bool) -> str:
        if attempt == 0:
            return self.target.post_key(item.id, index, post.source_id, item.created_at)
        if alternates:
            return self.target.post_key(  # type: ignore[call-arg]  (optional in PublishTarget)
                item.id, index, post.source_id, item.created_at, attempt=attempt)
        # A target without alternates (the dry run's keys are "<item>-<index>"): any distinct string.
        return f"{self.target.post_key(item.id, index, post.source_id, item.created_at)}~{attempt}"

    # --- status ---------------------------------------------------------------------------------------
    def _status_from_journal(self, item: PlanItem) -> ItemStatus:
        if not item.posts:
            return ItemStatus.SKIPPED
        entries = [self.journal.get(k) for k in self.keys[item.id]]
        if all(e is not None and e.status == "done" for e in entries):
            return ItemStatus.SENT
        for e in entries:
            if e is not None and e.status == "failed":
                self._reasons[item.id] = e.reason or "failed"
                if e.retryable:
                    self._retryable.add(item.id)
                return ItemStatus.FAILED
        return ItemStatus.PLANNED

    def status(self, item_id: str) -> ItemStatus:
        return self._status[item_id]

    def statuses(self) -> dict[str, ItemStatus]:
        return dict(self._status)

    def failure_reason(self, item_id: str) -> str | None:
        return self._reasons.get(item_id)

    def refs(self, item_id: str) -> list[PostRef]:
        """Where an item's posts landed (for the report's links), as far as the journal knows."""
        out = []
        for key in self.keys.get(item_id, []):
            e = self.journal.get(key)
            if e is not None and e.status == "done":
                out.append(e.ref())
        return out

    def pending_posts(self, *, retry_failed: bool = False) -> tuple[int, int]:
        """(items, posts) the next run would still write — for the confirmation and the time estimate."""
        items = posts = 0
        for item in self.plan.items:
            st = self._status[item.id]
            if st in (ItemStatus.SENT, ItemStatus.SKIPPED):
                continue
            if st == ItemStatus.FAILED and not retry_failed and item.id not in self._retryable:
                continue
            items += 1
            posts += self._missing_posts(item)
        return items, posts

    def _missing_posts(self, item: PlanItem) -> int:
        return sum(1 for k in self.keys[item.id] if (e := self.journal.get(k)) is None or e.status != "done")

    def progress(self) -> Progress:
        counts = {s: 0 for s in ItemStatus}
        for st in self._status.values():
            counts[st] += 1
        total = len(self._status) - counts[ItemStatus.SKIPPED]
        eta: float | None = None
        if self._seconds_per_post is not None:
            eta = self._posts_left * self._seconds_per_post
        elif self.target.network in ("bluesky", "mastodon"):
            eta = estimate_duration(self._posts_left, self.target.network).total_seconds()
        if eta is not None and self._waiting_until is not None:
            eta += max(0.0, (self._waiting_until - self.now()).total_seconds())
        return Progress(
            total=total, sent=self._sent, failed=counts[ItemStatus.FAILED],
            remaining=total - counts[ItemStatus.SENT] - counts[ItemStatus.FAILED], already=self._already,
            eta_seconds=eta, waiting_until=self._waiting_until, last_error=self._last_error,
            current_item=self._current,
        )

    def _emit(self, kind: str, item_id: str | None, message: str) -> None:
        if self.on_event is not None:
            self.on_event(EngineEvent(kind, item_id, message, self.progress()))

    # --- waiting --------------------------------------------------------------------------------------
    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def _wait(self, seconds: float) -> None:
        """Sleep in slices, watching the stop flag; raises _Stopped if a stop comes meanwhile."""
        end = time.monotonic() + seconds
        remaining = seconds
        while remaining > 0:
            if self._stopping():
                raise _Stopped
            step = min(WAIT_SLICE, remaining)
            self.sleep(step)
            remaining -= step
            if self.sleep is time.sleep:  # real time: trust the monotonic clock over the sum of slices
                remaining = min(remaining, end - time.monotonic())
        if self._stopping():
            raise _Stopped

    def _wait_decision(self, decision: PaceDecision, item_id: str | None) -> None:
        if decision.delay <= 0:
            return
        if decision.until is not None:
            self._waiting_until = decision.until
            local = decision.until.astimezone().strftime("%H:%M:%S")
            self._emit("waiting", item_id, f"{decision.reason}: waiting until {local} "
                                           f"({decision.until.isoformat(timespec='seconds')})")
        try:
            self._wait(decision.delay)
        finally:
            self._waiting_until = None

    # --- calls with retries -----------------------------------------------------------------------------
    def _attempts(self, fn: Callable[[], T], item_id: str, what: str) -> T:
        attempt = 0
        while True:
            try:
                result = fn()
            except RateLimited as exc:
                self._wait_decision(self.pacer.on_rate_limited(exc.reset_at), item_id)
                continue
            except TransientError as exc:
                attempt += 1
                self._last_error = f"{what}: {exc}"
                if attempt >= self.retry.max_attempts:
                    raise _GaveUp(f"the server kept failing ({exc}) after {attempt} tries") from exc
                delay = self.retry.backoff(attempt)
                self._emit("retrying", item_id, f"{what} failed ({exc}); retry {attempt + 1}/"
                                                f"{self.retry.max_attempts} in {delay:.1f}s")
                self._wait(delay)
                continue
            self._successes += 1
            self._gave_up_in_a_row = 0
            return result

    def _guarded(self, fn: Callable[[], T]) -> Callable[[], T]:
        """Unexpected exceptions from a target (a library's own error types) are treated as transient:
        retried, then reported in words — never a traceback in the middle of a long run."""

        def call() -> T:
            try:
                return fn()
            except (PublishError, QuittexError, KeyboardInterrupt):
                raise
            except Exception as exc:
                raise TransientError(f"unexpected {type(exc).__name__}: {str(exc)[:200]}") from exc

        return call

    def _write(self, item: PlanItem, index: int, key: str, post: PlannedPost, reply_to: ReplyTo | None,
               intent_at: datetime) -> PostRef:
        created_at = post_time(item, post)
        ambiguous = False

        def once() -> PostRef:
            nonlocal ambiguous
            if ambiguous:  # the last try may have landed before the fault: check before re-sending
                found = self.target.find(key, post, created_at, intent_at)
                if found is not None:
                    return found
                ambiguous = False
            try:
                return self.target.publish(post, key=key, created_at=created_at, reply_to=reply_to)
            except TransientError:
                ambiguous = True
                raise

        return self._attempts(self._guarded(once), item.id, f"post {index + 1} of item {item.id}")

    # --- the run --------------------------------------------------------------------------------------
    def _send_item(self, item: PlanItem) -> bool:
        """Publish what is missing of one item. True = fully sent; raises _Stopped / PermanentError."""
        refs: list[PostRef] = []
        keys = self.keys[item.id]
        for index, post in enumerate(item.posts):
            key = keys[index]
            entry = self.journal.get(key)
            if entry is not None and entry.status == "done":
                refs.append(entry.ref())
                continue
            if self._stopping():
                raise _Stopped
            if self.media is not None:  # upload-ready files; a media problem fails the item (PermanentError)
                post = self.media.ready(item, index, post)
            reply_to = ReplyTo(root=refs[0], parent=refs[-1]) if refs else None
            if entry is not None:  # an intent (or a failure) without result: did it land?
                created_at = post_time(item, post)
                intent_at = entry.at or self.now()
                found = self._attempts(
                    self._guarded(lambda p=post, k=key, c=created_at, t=intent_at:
                                  self.target.find(k, p, c, t)),
                    item.id, f"checking post {index + 1} of item {item.id}",
                )
                if found is not None:
                    self.journal.done(key, found)
                    refs.append(found)
                    self._posts_left = max(0, self._posts_left - 1)
                    continue
            self.journal.intent(key, item_id=item.id, index=index, kind="post")
            recorded = self.journal.get(key)
            intent_at = recorded.at if recorded is not None and recorded.at else self.now()
            ref = self._write(item, index, key, post, reply_to, intent_at)
            self.journal.done(key, ref)
            refs.append(ref)
            self._posts_left = max(0, self._posts_left - 1)
            self._pace(item.id)
        return True

    def _pace(self, item_id: str) -> None:
        decision = self.pacer.after_write(self.target.budget(), self._posts_left)
        if decision.until is None and decision.delay >= 5:  # a long pause deserves a word on screen
            decision = PaceDecision(decision.delay, self.now() + timedelta(seconds=decision.delay),
                                    "pacing to the server's rate limit")
        if decision.delay > 0:
            # A stop during the pause: the write is recorded; the loop sees the stop before the next post.
            with contextlib.suppress(_Stopped):
                self._wait_decision(decision, item_id)
        now = self.now()
        if self._last_write_at is not None:
            sample = (now - self._last_write_at).total_seconds()
            prev = self._seconds_per_post
            self._seconds_per_post = sample if prev is None else 0.8 * prev + 0.2 * sample
        self._last_write_at = now

    def run(self, *, limit: int | None = None, stop: threading.Event | None = None,
            retry_failed: bool = False) -> RunReport:
        self._stop = stop
        self._sent = 0
        self._successes = 0
        self._gave_up_in_a_row = 0
        self._last_write_at = None
        self._already = sum(1 for s in self._status.values() if s == ItemStatus.SENT)
        todo = [
            item for item in self.plan.items
            if self._status[item.id] == ItemStatus.PLANNED
            or (self._status[item.id] == ItemStatus.FAILED and (retry_failed or item.id in self._retryable))
        ]
        counted = todo if limit is None else todo[: max(0, limit)]
        self._posts_left = sum(self._missing_posts(item) for item in counted)
        if self.media is not None:
            self.media.start(todo)  # prefetch: the sender never waits for a conversion
        try:
            for item in todo:
                if limit is not None and self._sent >= limit:
                    break
                if self._stopping():
                    break
                self._run_item(item)
        except _Stopped:
            pass
        finally:
            if self.media is not None:
                self.media.stop()
            self._current = None
            self._stop = None
        report = self.report()
        self._emit("done", None, f"{report.published} published, {len(report.failed)} failed, "
                                 f"{report.remaining} remaining")
        return report

    def _run_item(self, item: PlanItem) -> None:
        self._current = item.id
        self._status[item.id] = ItemStatus.SENDING
        self._emit("item_started", item.id, f"sending item {item.id} ({len(item.posts)} post(s))")
        try:
            self._send_item(item)
        except _Stopped:
            self._status[item.id] = self._status_from_journal(item)
            raise
        except PermanentError as exc:
            self._fail(item, exc.reason, retryable=False)
            return
        except _GaveUp as exc:
            self._gave_up_in_a_row += 1
            if self._successes == 0 or self._gave_up_in_a_row >= self.retry.down_after:
                self._status[item.id] = self._status_from_journal(item)
                raise ServiceError(
                    f"stopped: the {self._server_label()} keeps failing ({exc.__cause__ or exc}; "
                    f"{self.retry.max_attempts} tries per post); {self._sent + self._already} of "
                    f"{len(self._status)} items are published so far",
                    "nothing confirmed is lost; when the server is back, run the same command to resume",
                ) from None
            self._fail(item, str(exc), retryable=True)
            return
        except BaseException:
            self._status[item.id] = self._status_from_journal(item)
            raise
        self._status[item.id] = ItemStatus.SENT
        self._reasons.pop(item.id, None)
        self._retryable.discard(item.id)
        self._sent += 1
        self._emit("item_sent", item.id, f"item {item.id} published")

    def _server_label(self) -> str:
        """"Mastodon server https://…" for messages; never fails (the server may be down)."""
        network = self.target.network
        name = {"bluesky": "Bluesky", "mastodon": "Mastodon", "dry-run": "simulated"}.get(network, network)
        try:
            server = self.target.info().server
        except Exception:  # the info read may itself need the server that is failing
            server = ""
        return f"{name} server {server}".rstrip()

    def _fail(self, item: PlanItem, reason: str, *, retryable: bool) -> None:
        # Record the failure on the first post that is not done (the one that failed).
        for key in self.keys[item.id]:
            entry = self.journal.get(key)
            if entry is None or entry.status != "done":
                if entry is None:
                    self.journal.intent(key, item_id=item.id, index=self.keys[item.id].index(key))
                self.journal.failed(key, reason, retryable=retryable)
                break
        self._status[item.id] = ItemStatus.FAILED
        self._reasons[item.id] = reason
        if retryable:
            self._retryable.add(item.id)
        else:
            self._retryable.discard(item.id)
        self._last_error = f"item {item.id}: {reason}"
        self._emit("item_failed", item.id, f"item {item.id} failed: {reason}")

    def report(self) -> RunReport:
        failed = [{"item_id": i, "reason": self._reasons.get(i, "failed")}
                  for i, s in self._status.items() if s == ItemStatus.FAILED]
        remaining = sum(1 for s in self._status.values() if s in (ItemStatus.PLANNED, ItemStatus.SENDING))
        return RunReport(target=self.target.network, published=self._sent, already_published=self._already,
                         skipped=len(self.plan.skipped) + sum(1 for s in self._status.values()
                                                             if s == ItemStatus.SKIPPED),
                         failed=failed, remaining=remaining)

    def summary(self) -> dict[str, Any]:
        return self.report().model_dump()
