"""The publishing engine: sends a plan item by item, resumably and idempotently, within the rate budget.

Spec: ARCHITECTURE.md#the-engine and #the-journal-how-never-twice-holds. For every post of every item, in plan
order (oldest first): 1. key: the one the journal holds for this (item, post index) if any (a resumed run
reuses the key it
   used), else `target.post_key(...)` — deterministic — skipping any key the journal or another post of
   the plan already holds (`_assign_keys`: two posts on one key would make the second REPLACE the first);
2. journal says `done` → reuse its ref (already published, needed as the thread's root/parent);
3. journal has an intent (or a failure) without result → reconciled before anything is sent (`prepare`):
   every such post of the plan in one batch (`target.reconcile`), so look-alikes are told apart together
   and the journal's confirmed posts are never handed to a second entry
   (ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 11). When the journal holds no post at all while
   the account already has posts (journal deleted, lost, or a second --state file for the same account), EVERY
   planned post is reconciled that way first: never a blind re-send. Before that, what the OTHER journals
   writing to the same account confirmed (lock.py keeps their list beside the account's lock) is taken as
   done, by key: alternating two state files sends nothing twice;
4. otherwise the write step (writestep.py): intent (write-ahead, fsynced, with the server's time), publish,
   done (fsynced); a try that may have landed is checked (`_check`) before it is tried again.
A kill between 4's steps leaves an intent that step 3 resolves on resume: never a lost confirmed post,
never a second copy. Posts of an item chain as replies (root = first post, parent = previous one).
Reconciliation answers UNSURE when it cannot tell without guessing: the item fails with a message that
asks the user to look (`resend_unsure` is their answer "it is not there"); LATER when a look-alike sent
moments ago must be settled first (the item goes to the end of the run).

Faults: `RateLimited` waits until the reset (`Pacer`), `TransientError` is retried with backoff (and the
write is reconciled before a retry, since a timeout may hide a success), `PermanentError` fails the item
(reason kept; later posts of it are not sent) and the run goes on. A server that keeps failing from the
start, or for several items in a row, ends the run with `ServiceError` instead of failing every item.
`AuthError` and other `QuittexError`s end the run; the journal stays intact. Every wait watches the stop
flag. `limit` counts the items ATTEMPTED in a run.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any, Protocol, TypeGuard

from pydantic import BaseModel, Field

from quittex_tui.clock import utcnow
from quittex_tui.convert.models import Plan, PlanItem, PlannedPost
from quittex_tui.errors import QuittexError, ServiceError
from quittex_tui.errors import todo as what_to_do  # `todo` is the engine's word for its item list
from quittex_tui.networks import DRY_RUN, NETWORKS, display_name
from quittex_tui.notice import Notice, notice, words_of
from quittex_tui.publish.events import EventKind
from quittex_tui.publish.journal import Journal, JournalEntry, JournalView
from quittex_tui.publish.linkstage import LinkOptions, LinkStage
from quittex_tui.publish.lock import account_of, other_journals, register_journal
from quittex_tui.publish.media_stage import MediaStage
from quittex_tui.publish.pacing import PaceDecision, Pacer, WaitReason
from quittex_tui.publish.retry import RetryPolicy
from quittex_tui.publish.target import (
    Pending,
    PermanentError,
    PostRef,
    PublishTarget,
    ReplyTo,
    Resolution,
    Unsure,
    Verdict,
)
from quittex_tui.publish.video_quota import VideoGate, VideoQuotaExhausted
from quittex_tui.publish.writestep import WAIT_SLICE, CallPolicy, GaveUp, Stopped, Waiter, WriteStep
from quittex_tui.scrub import scrub

__all__ = [
    "WAIT_SLICE",
    "Engine",
    "EngineEvent",
    "EventKind",
    "ItemStatus",
    "Progress",
    "RunReport",
    "estimate_duration",
]

# Documented write budgets (docs/bluesky.md, docs/mastodon.md): Bluesky 5,000 points/h and 35,000/day;
# Mastodon 300 statuses / 3 h (2,400/day) and 30 media uploads / 30 min.
# Bluesky posts are written with putRecord, which the PDS prices at 2 points whether it creates or replaces
# (packages/pds/src/api/com/atproto/repo/putRecord.ts; docs/bluesky.md "Rate limits"): 2,500 posts an
# hour, 17,500 a day.
BLUESKY_POSTS_PER_HOUR = 5_000 // 2
BLUESKY_POSTS_PER_DAY = 35_000 // 2
MASTODON_POSTS_PER_HOUR = 300 / 3
MASTODON_MEDIA_PER_HOUR = 30 * 2
DRY_RUN_SECONDS_PER_POST = 0.05
MAX_KEY_ATTEMPTS = 10_000  # candidates tried for one post's key before calling it a bug
# How uncertain an intent's time is, on the server's clock: from its Date header (whole seconds, plus the
# round trip), or from our own clock at the time mapped with today's offset (it may have drifted since).
SERVER_TIME_MARGIN = timedelta(seconds=30)
LOCAL_TIME_MARGIN = timedelta(minutes=5)


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
    # Items with a video waiting for the daily video allowance (docs/bluesky.md#video, issue 12): how many,
    # and when the next video may go (the run meanwhile sends the others).
    videos_waiting: int = 0
    next_video_at: datetime | None = None


@dataclass
class EngineEvent:
    """One event of a run (publish/events.py): `kind` for a front end's state machine, `message` what
    happened in words (a notice.Notice: English for logs, `i18n.say(message)` in the user's language)."""

    kind: EventKind
    item_id: str | None
    message: Notice
    progress: Progress

    @property
    def params(self) -> dict[str, object]:
        """The message's parameters: item id, counts, the server's words, the end of a wait…"""
        return self.message.catalogue_params


class RunReport(BaseModel):
    """The `migrate --json` object."""

    target: str
    published: int = 0
    already_published: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = Field(default_factory=list)  # {"item_id", "reason"}
    remaining: int = 0
    # Items sent without a media the user chose to leave out in Review (its file cannot be used): said in
    # the report so nobody takes the post for whole (docs/bluesky.md#video, issue 12). {"item_id", "note"}
    left_out: list[dict[str, str]] = Field(default_factory=list)
    # Posts sent by this run without the link card they were to have
    # (docs/bluesky.md#link-cards-appbskyembedexternal, issue 13; publish/linkstage.py): {"item_id", "post"
    # (index), "url", "reason" (linkcard.reason.* key), "detail"}.
    link_cards_missing: list[dict[str, Any]] = Field(default_factory=list)


class _AlternateKeys(Protocol):
    """A target's `post_key` that also takes `attempt` (another key for the same post; optional)."""

    def __call__(
        self, item_id: str, index: int, source_id: str, created_at: datetime, *, attempt: int = 0
    ) -> str: ...


def _accepts_attempt(post_key: Callable[..., str]) -> TypeGuard[_AlternateKeys]:
    try:
        return "attempt" in inspect.signature(post_key).parameters
    except (TypeError, ValueError):
        return False


def post_time(item: PlanItem, post: PlannedPost) -> datetime:
    """The post's original time (a plan may give each post its own; else the item's)."""
    return post.created_at or item.created_at


class _Later(Exception):
    """A pending post must wait until a recent look-alike is settled (reconciliation said LATER)."""


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
        resend_unsure: bool = False,
        links: LinkOptions | None = None,
    ) -> None:
        self.plan = plan
        self.target = target
        self.journal = journal
        self.on_event = on_event
        self.sleep = sleep
        self.now = now
        self.pacer = pacer or Pacer(now=now)
        self.retry = retry or RetryPolicy()
        # The user checked the account and says: the posts we could not tell about are NOT there.
        self.resend_unsure = resend_unsure
        self.waiter = Waiter(sleep=sleep)
        self.policy = CallPolicy(
            waiter=self.waiter, pacer=self.pacer, retry=self.retry, now=now, notify=self._notify
        )
        self.step = WriteStep(journal, self.policy, server_now=self._server_now)
        # Media are prepared right before their post is sent, a few items ahead (ARCHITECTURE.md#the-engine,
        # issue 16; media_stage.py).
        self.media = MediaStage.for_plan(plan, target)
        # The daily video allowance, when the target has one (docs/bluesky.md#video, issue 12;
        # video_quota.py).
        self.videos = VideoGate.for_target(target)
        # Links, quotes, mentions and link cards made live right before each post is sent
        # (docs/bluesky.md#rich-text-facets, issue 13).
        self.links = LinkStage.for_engine(
            plan, target, journal, links or LinkOptions(), stopping=self.waiter.stopping
        )
        self.keys: dict[str, list[str]] = self._assign_keys()
        self._items = {item.id: item for item in plan.items}
        self._status: dict[str, ItemStatus] = {}
        self._reasons: dict[str, str] = {}
        self._retryable: set[str] = set()
        for item in plan.items:
            self._status[item.id] = self._status_from_journal(item)
        self._verdicts: dict[str, Resolution] = {}  # reconciliation answers not acted upon yet
        self._prepared = False
        self._lost = False  # the journal holds no post of an account that has posts: check every post
        self.adopted = 0  # posts found already on the server by reconciliation (journal lost or intents)
        self._sent = 0
        self._attempted = 0
        self._writes_ok = 0  # writes that succeeded this run (none yet + giving up = the server is down)
        self._already = 0
        self._current: str | None = None
        self._posts_left = 0
        self._seconds_per_post: float | None = None
        self._last_write_at: datetime | None = None
        self._gave_up_in_a_row = 0

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
        post_key = self.target.post_key
        alternates = post_key if _accepts_attempt(post_key) else None
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
                        raise QuittexError(
                            key="error.engine.no_free_key",
                            params={"n": i + 1, "item": item.id},
                            todo=[what_to_do("report_bug")],
                        )
                taken.add(key)
                item_keys[i] = key
        return keys

    def _key(
        self, item: PlanItem, index: int, post: PlannedPost, attempt: int, alternates: _AlternateKeys | None
    ) -> str:
        if attempt == 0:
            return self.target.post_key(item.id, index, post.source_id, item.created_at)
        if alternates is not None:
            return alternates(item.id, index, post.source_id, item.created_at, attempt=attempt)
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
                self._reasons[item.id] = e.reason or notice("fail.unknown")
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

    def _todo(self, retry_failed: bool) -> list[PlanItem]:
        return [
            item
            for item in self.plan.items
            if self._status[item.id] == ItemStatus.PLANNED
            or (self._status[item.id] == ItemStatus.FAILED and (retry_failed or item.id in self._retryable))
        ]

    def pending_posts(self, *, retry_failed: bool = False) -> tuple[int, int]:
        """(items, posts) the next run would still write — for the confirmation and the time estimate."""
        items = posts = 0
        for item in self._todo(retry_failed):
            items += 1
            posts += self._missing_posts(item)
        return items, posts

    def pending_videos(self, *, retry_failed: bool = False) -> int:
        """Videos and GIFs the next run would still upload (docs/bluesky.md#video, issue 12: the daily video
        limit's estimate)."""
        count = 0
        for item in self._todo(retry_failed):
            keys = self.keys[item.id]
            for i, post in enumerate(item.posts):
                if (e := self.journal.get(keys[i])) is None or e.status != "done":
                    count += sum(1 for m in post.media if m.kind != "image")
        return count

    def _missing_posts(self, item: PlanItem) -> int:
        return sum(1 for k in self.keys[item.id] if (e := self.journal.get(k)) is None or e.status != "done")

    def progress(self) -> Progress:
        counts = {s: 0 for s in ItemStatus}
        for st in self._status.values():
            counts[st] += 1
        total = len(self._status) - counts[ItemStatus.SKIPPED]
        eta: float | None = None
        waiting_until = self.policy.waiting_until
        if self._seconds_per_post is not None:
            eta = self._posts_left * self._seconds_per_post
        elif self.target.network in NETWORKS:
            eta = estimate_duration(self._posts_left, self.target.network).total_seconds()
        if eta is not None and waiting_until is not None:
            eta += max(0.0, (waiting_until - self.now()).total_seconds())
        video_at = self.videos.expected_at() if self.videos is not None else None
        if eta is not None and video_at is not None:  # the items waiting for the daily video limit
            eta = max(eta, (video_at - self.now()).total_seconds())
        return Progress(
            total=total,
            sent=self._sent,
            failed=counts[ItemStatus.FAILED],
            remaining=total - counts[ItemStatus.SENT] - counts[ItemStatus.FAILED],
            already=self._already,
            eta_seconds=eta,
            waiting_until=waiting_until,
            last_error=self.policy.last_error,
            current_item=self._current,
            videos_waiting=len(self.videos.parked) if self.videos is not None else 0,
            next_video_at=video_at,
        )

    def _emit(self, kind: EventKind, item_id: str | None, message: Notice) -> None:
        if self.on_event is not None:
            self.on_event(EngineEvent(kind, item_id, message.with_params(scrub), self.progress()))

    def _notify(self, kind: EventKind, item_id: str | None, message: Notice, until: datetime | None) -> None:
        self._emit(kind, item_id, message)

    # --- reconciliation ---------------------------------------------------------------------------------
    def _server_now(self) -> datetime | None:
        """Now on the server's clock, when the target knows it (Mastodon's Date headers); else None."""
        known = getattr(self.target, "clock_known", None)
        server_now = getattr(self.target, "server_now", None)
        if callable(known) and callable(server_now) and known():
            return server_now()  # type: ignore[no-any-return]
        return None

    def _intent_time(self, entry: JournalEntry | None) -> tuple[datetime | None, timedelta]:
        """The first intent's time on the server's clock, and how uncertain it is."""
        if entry is None:
            return None, timedelta(0)
        if entry.server_at is not None:
            return entry.server_at, SERVER_TIME_MARGIN
        if entry.at is None:
            return None, timedelta(0)
        server_now = self._server_now()
        offset = server_now - self.now() if server_now is not None else timedelta(0)
        return entry.at + offset, LOCAL_TIME_MARGIN  # our clock then, today's offset: a wider margin

    def _pending(self, item: PlanItem, index: int, *, lost: bool) -> Pending | None:
        key = self.keys[item.id][index]
        entry = self.journal.get(key)
        if entry is not None and entry.status == "done":
            return None
        if entry is None and not lost:
            return None  # never attempted: nothing to check
        parent: PostRef | None = None
        if index > 0:
            before = self.journal.get(self.keys[item.id][index - 1])
            if before is not None and before.status == "done":
                parent = before.ref()
        intent_at, margin = self._intent_time(entry)
        post = item.posts[index]
        if self.links is not None:  # the text it was sent with (its links and mentions rewritten)
            post = self.links.for_matching(item, index, post)
        return Pending(key, item.id, index, post, item.created_at, parent, intent_at, margin)

    def _resolve(self, want: set[str], *, record: bool = True) -> dict[str, Resolution]:
        """Ask the target about the posts `want` (keys), with every other unresolved post of the plan as
        context (a look-alike may own a candidate). Every FOUND answer is recorded in the journal — but
        those of `want` only when `record` (the write step records its own)."""
        pending: list[Pending] = []
        for item in self.plan.items:
            for index in range(len(item.posts)):
                key = self.keys[item.id][index]
                p = self._pending(item, index, lost=self._lost and key in want)
                if p is not None:
                    pending.append(p)
        if not any(p.key in want for p in pending):
            return {}
        reconcile = getattr(self.target, "reconcile", None)
        reads = self.policy.reads(getattr(self.target, "read_budget", self.target.budget))
        if callable(reconcile):
            answers: dict[str, Resolution] = reconcile(
                pending, claimed=self.journal.claimed("post"), call=reads, want=want
            )
        else:  # a target without batch reconciliation: one `find` per wanted post
            answers = {}
            for p in pending:
                if p.key in want:
                    found = reads(partial(self._find, p), notice("doing.checking_post"))
                    answers[p.key] = Resolution(Verdict.FOUND, found) if found else Resolution(Verdict.ABSENT)
        by_key = {p.key: p for p in pending}
        touched: set[str] = set()
        for key, answer in answers.items():
            if answer.verdict == Verdict.FOUND and answer.ref is not None and (record or key not in want):
                p = by_key[key]
                if self.journal.get(key) is None:  # lost journal: write the intent it lacks first
                    self.journal.intent(key, item_id=p.item_id, index=p.index, kind="post")
                self.journal.done(key, answer.ref)
                self.adopted += 1
                touched.add(p.item_id)
        for item_id in touched:
            item = self._items[item_id]
            if self._status[item_id] != ItemStatus.SENDING:
                self._status[item_id] = self._status_from_journal(item)
        return answers

    def prepare(self, *, stop: threading.Event | None = None, retry_failed: bool = False) -> None:
        """Before sending (and before the confirmation, so its numbers are true): settle every post whose
        write may have landed unconfirmed — and, when the journal is lost (no post recorded while the
        account already has posts), every planned post — against the server. Runs once per engine."""
        if self._prepared:
            return
        self._prepared = True
        previous, self.waiter.stop = self.waiter.stop, stop
        try:
            self._adopt_from_other_journals()
            has_posts = getattr(self.target, "has_posts", None)
            if not self.journal.has_kind("post") and callable(has_posts):
                self._lost = bool(self.policy.call(has_posts, notice("doing.checking_account")))
            todo = self._todo(retry_failed)
            want: set[str] = set()
            for item in todo:
                for key in self.keys[item.id]:
                    entry = self.journal.get(key)
                    if (entry is None and self._lost) or (entry is not None and entry.status != "done"):
                        want.add(key)
            if not want:
                return
            if self._lost:
                self._emit(EventKind.CHECKING, None, notice("event.checking_lost"))
            else:
                self._emit(EventKind.CHECKING, None, notice("event.checking", n=len(want)))
            self._verdicts.update(self._resolve(want))
        except Stopped:
            self._prepared = False  # nothing decided: the next run checks again
        except GaveUp as exc:
            self._prepared = False
            raise ServiceError(
                key="error.engine.failing_while_checking",
                params={"server": self._server_label(), "detail": _cause(exc)},
                todo=[what_to_do("retry_later")],
            ) from None
        finally:
            self.waiter.stop = previous

    def _adopt_from_other_journals(self) -> None:
        """Posts another state file's journal confirmed on this same account (lock.py registers every
        journal beside the account's lock): taken as done here, by the same key — never sent again."""
        network, account, _ = account_of(self.target)
        register_journal(network, account, self.journal.path)
        touched: set[str] = set()
        for path in other_journals(network, account, self.journal.path):
            try:
                other = JournalView(path)
            except QuittexError:
                continue  # unreadable: the server check (lost journal) still covers it
            for item in self.plan.items:
                for key in self.keys[item.id]:
                    mine, theirs = self.journal.get(key), other.get(key)
                    if theirs is None or theirs.status != "done" or theirs.kind != "post":
                        continue
                    if mine is not None and mine.status == "done":
                        continue
                    if mine is None:
                        self.journal.intent(key, item_id=item.id, index=self.keys[item.id].index(key))
                    self.journal.done(key, theirs.ref())
                    self.adopted += 1
                    touched.add(item.id)
        for item_id in touched:
            self._status[item_id] = self._status_from_journal(self._items[item_id])

    def _find(self, p: Pending) -> PostRef | None:
        return self.target.find(p.key, p.post, p.created_at, p.intent_at or self.now())

    def _check(self, item: PlanItem, index: int, key: str) -> PostRef | None:
        """After a try of `key` failed in a way that may hide a success: did it land? (WriteStep's check)"""
        answer = self._resolve({key}, record=False).get(key)
        if answer is None or answer.verdict in (Verdict.ABSENT, Verdict.RESEND):
            return None
        if answer.verdict == Verdict.FOUND:
            return answer.ref
        raise Unsure(self._unsure_text(item, index, answer.reason))

    def _unsure_text(self, item: PlanItem, index: int, reason: str) -> Notice:
        return notice(
            "fail.unsure",
            n=index + 1,
            item=item.id,
            reason=reason or notice("fail.look_alike"),
            todo=what_to_do("resend_unsure"),
        )

    # --- the run --------------------------------------------------------------------------------------
    def _send_item(self, item: PlanItem) -> bool:
        """Publish what is missing of one item. True = fully sent; raises Stopped, PermanentError, _Later."""
        refs: list[PostRef] = []
        keys = self.keys[item.id]
        for index, post in enumerate(item.posts):
            key = keys[index]
            entry = self.journal.get(key)
            if entry is not None and entry.status == "done":
                refs.append(entry.ref())
                continue
            if self.waiter.stopping():
                raise Stopped
            reply_to = ReplyTo(root=refs[0], parent=refs[-1]) if refs else None
            verdict = self._verdicts.pop(key, None)
            if entry is not None and verdict is None:  # unresolved, not settled yet (a deferred item)
                verdict = self._resolve({key}).get(key)
                entry = self.journal.get(key)
                if entry is not None and entry.status == "done":
                    refs.append(entry.ref())
                    self._posts_left = max(0, self._posts_left - 1)
                    continue
            if verdict is not None and verdict.verdict == Verdict.LATER:
                raise _Later(verdict.reason)
            if verdict is not None and verdict.verdict == Verdict.UNSURE and not self.resend_unsure:
                raise Unsure(self._unsure_text(item, index, verdict.reason))
            if self.videos is not None:  # its video may not go today: the item waits (VideoQuotaExhausted)
                self.videos.before_post(post)
            if self.links is not None:  # links, quote and mentions live on this network; the link card
                post = self.links.ready(item, index, post)
            if self.media is not None:  # upload-ready files; a media problem fails the item (PermanentError)
                post = self.media.ready(item, index, post)
            created_at = post_time(item, post)
            ref = self.step(
                key,
                item_id=item.id,
                index=index,
                kind="post",
                send=partial(self.target.publish, post, key=key, created_at=created_at, reply_to=reply_to),
                check=partial(self._check, item, index, key),
                what=notice("doing.post", n=index + 1, item=item.id),
            )
            refs.append(ref)
            self._writes_ok += 1
            self._gave_up_in_a_row = 0  # the server works: a run of give-ups is broken
            self._posts_left = max(0, self._posts_left - 1)
            self._pace(item.id)
        return True

    def _pace(self, item_id: str) -> None:
        decision = self.pacer.after_write(self.target.budget(), self._posts_left)
        if decision.until is None and decision.delay >= 5:  # a long pause deserves a word on screen
            decision = PaceDecision(
                decision.delay, self.now() + timedelta(seconds=decision.delay), WaitReason.PACING
            )
        if decision.delay > 0:
            # A stop during the pause: the write is recorded; the loop sees the stop before the next post.
            with contextlib.suppress(Stopped):
                self.policy.wait_decision(decision, item_id)
        now = self.now()
        if self._last_write_at is not None:
            sample = (now - self._last_write_at).total_seconds()
            prev = self._seconds_per_post
            self._seconds_per_post = sample if prev is None else 0.8 * prev + 0.2 * sample
        self._last_write_at = now

    def run(
        self, *, limit: int | None = None, stop: threading.Event | None = None, retry_failed: bool = False
    ) -> RunReport:
        """Send what is left. `limit`: at most this many items ATTEMPTED in this run (sent or failed), so
        a server refusing everything costs `limit` items, not the whole plan."""
        self.waiter.stop = stop
        self._sent = 0
        self._attempted = 0
        self._writes_ok = 0
        self._gave_up_in_a_row = 0
        self._last_write_at = None
        try:
            self.prepare(stop=stop, retry_failed=retry_failed)
            self._already = sum(1 for s in self._status.values() if s == ItemStatus.SENT)
            todo = self._todo(retry_failed)
            counted = todo if limit is None else todo[: max(0, limit)]
            self._posts_left = sum(self._missing_posts(item) for item in counted)
            if self.media is not None:
                self.media.start(todo)  # prefetch: the sender never waits for a conversion
            if self.links is not None:
                self.links.start(todo)  # link cards fetched a few items ahead
            queue = list(todo)
            deferred: set[str] = set()
            while queue or self._videos_parked():
                if limit is not None and self._attempted >= limit:
                    break
                if self.waiter.stopping():
                    break
                if not queue:  # only items waiting for the video allowance are left: wait for it
                    queue = self._wait_for_videos()
                item = queue.pop(0)
                if self._status[item.id] == ItemStatus.SENT:  # settled meanwhile by a reconciliation
                    continue
                if self._video_must_wait(item):
                    continue
                if not self._run_item(item, last_chance=item.id in deferred):
                    deferred.add(item.id)
                    queue.append(item)  # after the recent look-alikes: they are settled by then
        except Stopped:
            pass
        finally:
            if self.media is not None:
                self.media.stop()
            if self.links is not None:
                self.links.stop()
            self._current = None
            self.waiter.stop = None
        report = self.report()
        self._emit(
            EventKind.DONE,
            None,
            notice(
                "event.finished",
                published=report.published,
                failed=len(report.failed),
                remaining=report.remaining,
            ),
        )
        return report

    def _run_item(self, item: PlanItem, *, last_chance: bool = False) -> bool:
        """Send one item; False when it must wait for a recent look-alike (tried again at the end)."""
        self._current = item.id
        self._status[item.id] = ItemStatus.SENDING
        self._attempted += 1
        self._emit(
            EventKind.ITEM_STARTED, item.id, notice("event.item_started", item=item.id, n=len(item.posts))
        )
        try:
            self._send_item(item)
        # not a failure: the item waits for the allowance (docs/bluesky.md#video, issue 12)
        except VideoQuotaExhausted as exc:
            if self.videos is None:  # a target without a known allowance said no: try it next run
                self._fail(item, str(exc), retryable=True)
                return True
            self._attempted -= 1
            self._status[item.id] = self._status_from_journal(item)
            self.videos.park(item, exc.until)
            self._emit(
                EventKind.WAITING,
                item.id,
                notice("event.item_video_wait", item=item.id, reason=words_of(exc)),
            )
            return True
        except _Later as exc:
            if not last_chance:
                self._attempted -= 1
                self._status[item.id] = self._status_from_journal(item)
                return False
            self._fail(
                item, self._unsure_text(item, 0, notice("fail.later", reason=words_of(exc))), retryable=True
            )
            return True
        except Stopped:
            self._status[item.id] = self._status_from_journal(item)
            raise
        except PermanentError as exc:
            self._fail(item, exc.reason, retryable=False)
            return True
        except GaveUp as exc:
            self._gave_up_in_a_row += 1
            if self._writes_ok == 0 or self._gave_up_in_a_row >= self.retry.down_after:
                self._status[item.id] = self._status_from_journal(item)
                raise ServiceError(
                    key="error.engine.server_down",
                    params={
                        "server": self._server_label(),
                        "detail": _cause(exc),
                        "tries": self.retry.max_attempts,
                        "done": self._sent + self._already,
                        "total": len(self._status),
                    },
                    todo=[what_to_do("retry_later")],
                ) from None
            self._fail(item, words_of(exc), retryable=True)
            return True
        except BaseException:
            self._status[item.id] = self._status_from_journal(item)
            raise
        self._gave_up_in_a_row = 0
        self._status[item.id] = ItemStatus.SENT
        self._reasons.pop(item.id, None)
        self._retryable.discard(item.id)
        self._sent += 1
        self._emit(EventKind.ITEM_SENT, item.id, notice("event.item_sent", item=item.id))
        return True

    # --- the daily video allowance (docs/bluesky.md#video, issue 12; the rules: video_quota.py)
    # ---------------------------------
    def _videos_parked(self) -> bool:
        return self.videos is not None and bool(self.videos.parked)

    def _video_must_wait(self, item: PlanItem) -> bool:
        """Park `item` (not attempted, not failed) when its unsent videos do not fit today's allowance."""
        if self.videos is None:
            return False
        keys = self.keys[item.id]
        unsent = [
            post
            for i, post in enumerate(item.posts)
            if (e := self.journal.get(keys[i])) is None or e.status != "done"
        ]
        if not self.videos.must_wait(unsent):
            return False
        first = not self.videos.parked
        self.videos.park(item)
        expected = self.videos.expected_at()
        if first and expected is not None:  # said once per wait, not per video
            self._emit(
                EventKind.WAITING, item.id, notice("event.video_wait", time=f"{expected.astimezone():%H:%M}")
            )
        return True

    def _wait_for_videos(self) -> list[PlanItem]:
        """Every other item is done: wait (stop-aware) until the next video may go, then try the parked
        items again, in plan order."""
        assert self.videos is not None
        until = self.videos.next_at() or self.now()
        delay = max(0.0, (until - self.now()).total_seconds())
        if delay > 0:
            n, expected = len(self.videos.parked), self.videos.expected_at() or until
            self.policy.wait_decision(
                PaceDecision(
                    delay, until, notice("wait.video_limit", n=n, time=f"{expected.astimezone():%H:%M}")
                )
            )
        order = {item.id: n for n, item in enumerate(self.plan.items)}
        return self.videos.release(order)

    def _server_label(self) -> Notice:
        """ "the Mastodon server https://…" for messages; never fails (the server may be down)."""
        network = self.target.network
        try:
            server = self.target.info().server
        except Exception:  # the info read may itself need the server that is failing
            server = ""
        if network == DRY_RUN:
            return notice("what.simulated_server")
        if not server:
            return notice("what.network_server_unnamed", network=display_name(network))
        return notice("what.network_server", network=display_name(network), server=server)

    def _fail(self, item: PlanItem, reason: str, *, retryable: bool) -> None:
        reason = scrub(reason)
        # Record the failure on the first post that is not done (the one that failed).
        for key in self.keys[item.id]:
            entry = self.journal.get(key)
            if entry is None or entry.status != "done":
                if entry is None:
                    self.journal.intent(
                        key,
                        item_id=item.id,
                        index=self.keys[item.id].index(key),
                        server_at=self._server_now(),
                    )
                self.journal.failed(key, reason, retryable=retryable)
                break
        self._status[item.id] = ItemStatus.FAILED
        self._reasons[item.id] = reason
        if retryable:
            self._retryable.add(item.id)
        else:
            self._retryable.discard(item.id)
        self.policy.last_error = notice("event.item_failed", item=item.id, reason=reason)
        self._emit(EventKind.ITEM_FAILED, item.id, notice("event.item_failed", item=item.id, reason=reason))

    def report(self) -> RunReport:
        failed = [
            {"item_id": i, "reason": self._reasons.get(i, "failed")}
            for i, s in self._status.items()
            if s == ItemStatus.FAILED
        ]
        remaining = sum(1 for s in self._status.values() if s in (ItemStatus.PLANNED, ItemStatus.SENDING))
        left_out = [
            {"item_id": item.id, "note": note}
            for item in self.plan.items
            if self._status[item.id] == ItemStatus.SENT
            for post in item.posts
            for note in post.left_out
        ]
        return RunReport(
            target=self.target.network,
            published=self._sent,
            already_published=self._already,
            skipped=len(self.plan.skipped) + sum(1 for s in self._status.values() if s == ItemStatus.SKIPPED),
            failed=failed,
            remaining=remaining,
            left_out=left_out,
            link_cards_missing=self.links.missing() if self.links is not None else [],
        )

    def summary(self) -> dict[str, Any]:
        return self.report().model_dump()


def _cause(exc: BaseException) -> str:
    """The last fault behind a give-up, in words (a Notice when it has one), scrubbed."""
    return scrub(words_of(exc.__cause__ or exc))
