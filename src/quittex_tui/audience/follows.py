"""Act on accepted matches: follow (and optionally list, block, mute) on Bluesky and Mastodon, resumably.

Follows are writes like posts (docs/bluesky.md#social-graph-and-profile, docs/mastodon.md#rate-limits): on
Bluesky an `app.bsky.graph.follow` record costs 3 write points (5,000/h, 35,000/day); on Mastodon follows are
capped at 400 per 24 h. Both runs use the posts' write path (ARCHITECTURE.md#the-engine, issue 15): the same
journal (publish/journal.py, one per state and target, so the same writer lock — a follow run and a `migrate`
of the same migration never write at once) with `kind` = "follow", "block", "mute", "list" or "listitem"; the
same write step (publish/writestep.py: intent → write → done, 429 waits until the reset, transient retries
with backoff) and its stop-aware waits — a stop is seen within a second, also during an hour-long rate-limit
wait —; the `Pacer` on the budget the server reports.

Never twice:
- Bluesky: every record gets a **deterministic rkey** — a valid TID derived from the journal key
  (`follow:<did>`…) — and is written with `putRecord`; its `createdAt` is the journal intent's time, so a
  replay after a crash re-puts the identical record (a no-op, same CID) instead of adding one. Subjects the
  account already follows (its own `app.bsky.graph.follow` records, read with `listRecords`) are skipped.
  Mutes (`app.bsky.graph.muteActor`) are not records and are idempotent on the server.
- Mastodon: `POST /api/v1/accounts/:id/follow` on an account already followed changes nothing (and each
  write first reads the relationship); the journal still records each one so a resumed run does not spend
  the 400/day budget again.
Reconciliation is therefore the write itself: re-sending an unconfirmed follow is a no-op on both
networks, and on Bluesky the account's own follow records (listed at the start) settle it before that.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Literal

from quittex_tui.audience.models import Person
from quittex_tui.audience.net import atproto_errors, mastodon_errors, waiting_with
from quittex_tui.clock import utcnow
from quittex_tui.errors import AuthError, QuittexError, ServiceError, todo
from quittex_tui.notice import Notice, notice, words_of
from quittex_tui.publish.events import EventKind, FollowEventKind
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.pacing import PaceDecision, Pacer, WaitReason
from quittex_tui.publish.retry import RetryPolicy
from quittex_tui.publish.target import PermanentError, PostRef, RateBudget, TransientError
from quittex_tui.publish.tid import encode_tid, iso_created_at
from quittex_tui.publish.writestep import CallPolicy, GaveUp, Stopped, Waiter, WriteStep
from quittex_tui.scrub import scrub
from quittex_tui.state import AudienceDecision

Action = Literal["follow", "block", "mute", "listitem"]
FOLLOW = "app.bsky.graph.follow"
BLOCK = "app.bsky.graph.block"
LIST = "app.bsky.graph.list"
LISTITEM = "app.bsky.graph.listitem"
CURATELIST = "app.bsky.graph.defs#curatelist"
DEFAULT_LIST_NAME = "From X"
MASTODON_FOLLOWS_PER_DAY = 400  # docs/mastodon.md#rate-limits: follows 400 / 24 h
# Deterministic TIDs are placed in a fixed 12.7-day window (2^40 µs) from this epoch: valid, sortable,
# and clear of the TIDs the posts engine derives from tweet times (publish/tid.py).
_TID_BASE_US = 1_704_067_200 * 1_000_000  # 2024-01-01T00:00:00Z


def record_tid(key: str) -> str:
    """A valid TID rkey that is a pure function of the journal key (so a replay hits the same record)."""
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    return encode_tid(_TID_BASE_US + (digest & ((1 << 40) - 1)), (digest >> 40) & 1023)


@dataclass
class Task:
    """One write: `subject` is a DID (Bluesky) or a full address user@domain (Mastodon)."""

    action: Action
    x_id: str
    subject: str
    handle: str

    @property
    def key(self) -> str:
        return f"{self.action}:{self.subject}"


def doing(task: Task) -> Notice:
    """ "following @alice.example" — what a write does, in words (retries, failures)."""
    return notice(f"doing.{task.action}", handle=task.handle.lstrip("@"))


@dataclass
class FollowEvent:
    """One event of a follow run (publish/events.py): `kind` for the front end's counters, `message` in
    words (a notice.Notice: English for logs, `i18n.say(message)` in the user's language)."""

    kind: FollowEventKind
    message: Notice
    task: Task | None = None
    waiting_until: datetime | None = None

    @property
    def params(self) -> dict[str, object]:
        """The message's parameters: the account, the reason, the end of a wait…"""
        return self.message.catalogue_params


@dataclass
class FollowReport:
    network: str
    followed: int = 0
    already: int = 0
    blocked: int = 0
    muted: int = 0
    listed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    remaining: int = 0
    list_uri: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.network,
            "followed": self.followed,
            "already_following": self.already,
            "blocked": self.blocked,
            "muted": self.muted,
            "listed": self.listed,
            "failed": list(self.failed),
            "remaining": self.remaining,
            "list_uri": self.list_uri,
        }


def plan_tasks(
    people: Iterable[Person],
    decisions: Mapping[str, AudienceDecision],
    *,
    network: str,
    blocks: bool = False,
    mutes: bool = False,
    subject_of: Callable[[AudienceDecision], str | None],
) -> list[Task]:
    """Tasks for the accepted people: follow everyone accepted except those the user blocked or muted
    on X; with `blocks`/`mutes`, carry those as blocks/mutes instead. Order: the archive's (follows first)."""
    tasks: list[Task] = []
    for person in people:
        decision = decisions.get(person.x_id)
        if decision is None or decision.decision != "accepted" or (decision.network or network) != network:
            continue
        subject = subject_of(decision)
        if not subject:
            continue
        handle = decision.handle or subject
        if "block" in person.relations or "mute" in person.relations:
            if blocks and "block" in person.relations:
                tasks.append(Task("block", person.x_id, subject, handle))
            if mutes and "mute" in person.relations:
                tasks.append(Task("mute", person.x_id, subject, handle))
            continue
        tasks.append(Task("follow", person.x_id, subject, handle))
    return tasks


class _Runner:
    """What both follow runners share with the posts engine: the journal, the write step, the call policy
    and its stop-aware waits (publish/writestep.py)."""

    def __init__(
        self,
        journal: Journal,
        *,
        pacer: Pacer | None,
        sleep: Callable[[float], None],
        now: Callable[[], datetime],
        on_event: Callable[[FollowEvent], None] | None,
        stop: threading.Event | None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.journal = journal
        self.pacer = pacer or Pacer(now=now)
        self.sleep = sleep
        self.now = now
        self.on_event = on_event
        self.stop = stop
        self.waiter = Waiter(sleep=sleep, stop=stop)
        self.policy = CallPolicy(
            waiter=self.waiter, pacer=self.pacer, retry=retry or RetryPolicy(), now=now, notify=self._notify
        )
        self.step = WriteStep(journal, self.policy)

    def emit(self, event: FollowEvent) -> None:
        if self.on_event:
            self.on_event(event)

    def _notify(self, kind: EventKind, item_id: str | None, message: Notice, until: datetime | None) -> None:
        if kind == EventKind.WAITING:
            self.emit(FollowEvent(FollowEventKind.WAITING, message, None, until))

    def wait(self, seconds: float, until: datetime | None, why: str) -> None:
        """A pause (pacing, the daily cap) that a stop ends at once (raises Stopped)."""
        if seconds <= 0:
            return
        if until is None and seconds >= 5:
            until = self.now() + timedelta(seconds=seconds)
        self.policy.wait_decision(PaceDecision(seconds, until, why))

    def stopped(self) -> bool:
        return self.waiter.stopping()

    def _stop_aware(self) -> Any:
        """Every wait of the audience calls made in this run (lookups, listings) watches the stop too."""
        return waiting_with(self.waiter.wait)

    @staticmethod
    def _count(report: FollowReport, task: Task, *, already: bool = False) -> None:
        if task.action == "follow":
            if already:
                report.already += 1
            else:
                report.followed += 1
        elif task.action == "block":
            report.blocked += 1
        elif task.action == "mute":
            report.muted += 1
        else:
            report.listed += 1

    def _settled(self, report: FollowReport, task: Task, key: str, *, retry_failed: bool) -> bool:
        """True when the journal already settles `task` for this run: done (counted as already there), or
        failed for good (listed again) unless retried; an intent or a retryable failure goes on."""
        entry = self.journal.get(key)
        if entry is not None and entry.status == "done":
            self._count(report, task, already=True)
            return True
        if entry is not None and entry.status == "failed" and not (retry_failed or entry.retryable):
            report.failed.append({"x_id": task.x_id, "handle": task.handle, "reason": entry.reason or ""})
            return True
        return False

    def _record_failure(self, report: FollowReport, task: Task, key: str, exc: Exception) -> None:
        if isinstance(exc, GaveUp):
            reason, retryable = scrub(words_of(exc)), True
        else:
            reason = scrub(getattr(exc, "reason", None) or getattr(exc, "message", None) or words_of(exc))
            retryable = isinstance(exc, TransientError)
        entry = self.journal.get(key)
        if entry is None:
            self.journal.intent(key, item_id=task.x_id, kind=task.action)
        self.journal.failed(key, reason, retryable=retryable)
        report.failed.append({"x_id": task.x_id, "handle": task.handle, "reason": reason})
        self.emit(
            FollowEvent(
                FollowEventKind.FAILED, notice("event.follow_failed", what=doing(task), reason=reason), task
            )
        )


class BlueskyAudience(_Runner):
    """Follows/blocks/mutes/list on Bluesky for the logged-in account. `target`: a BlueskyTarget
    (publish.bluesky; uses its public `client`, `did` and `budget()`), or any object with those."""

    def __init__(
        self,
        target: Any,
        journal: Journal,
        *,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        on_event: Callable[[FollowEvent], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        super().__init__(journal, pacer=pacer, sleep=sleep, now=now, on_event=on_event, stop=stop)
        self.target = target
        self.client = target.client
        self.did = target.did

    def _call(self, fn: Callable[[], Any], what: str) -> Any:
        """A read under the shared policy (429 waits, retries), stop-aware."""
        return self.policy.call(lambda: atproto_errors(fn, what=what), what)

    def budget(self) -> RateBudget:
        get = getattr(self.target, "budget", None)
        return get() if callable(get) else RateBudget(cost_per_post=2)

    def resolve(self, handle: str) -> str | None:
        """Handle → DID (com.atproto.identity.resolveHandle), for decisions recorded without a DID."""
        from atproto import models

        params = models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
        try:
            did: str = self._call(
                lambda: self.client.com.atproto.identity.resolve_handle(params),
                notice("doing.resolving", handle=handle),
            ).did
        except PermanentError:
            return None
        return did

    def existing(self, collection: str) -> dict[str, str]:
        """subject DID → record uri of the account's own records in `collection` (listRecords, paged)."""
        from atproto import models

        out: dict[str, str] = {}
        cursor: str | None = None
        while True:
            params = models.ComAtprotoRepoListRecords.Params(
                repo=self.did, collection=collection, limit=100, cursor=cursor
            )
            page = self._call(
                partial(self.client.com.atproto.repo.list_records, params),
                notice("doing.reading_records", collection=collection),
            )
            for rec in page.records:
                subject = getattr(rec.value, "subject", None)
                if isinstance(subject, str):
                    out.setdefault(subject, rec.uri)
            cursor = page.cursor
            if not cursor or not page.records:
                return out

    def _put(self, collection: str, key: str, record: dict[str, Any]) -> PostRef:
        from atproto import models

        data = models.ComAtprotoRepoPutRecord.Data(
            repo=self.did, collection=collection, rkey=record_tid(key), record=record, validate=True
        )
        # One try: the write step around it waits and retries (a re-put of the same record is a no-op).
        res = atproto_errors(
            lambda: self.client.com.atproto.repo.put_record(data),
            what=notice("doing.writing_records", collection=collection),
        )
        return PostRef(uri=res.uri, cid=res.cid or "")

    def _created_at(self, key: str) -> str:
        entry = self.journal.get(key)
        at = entry.at if entry is not None and entry.at is not None else self.now()
        return iso_created_at(at)

    def ensure_list(
        self, name: str = DEFAULT_LIST_NAME, description: str = "People I followed on X, found again here."
    ) -> str:
        """The curated list `name` (created once, deterministic rkey) → its at-uri."""
        key = f"list:{name}"
        entry = self.journal.get(key)
        if entry is not None and entry.status == "done" and entry.uri:
            return entry.uri

        def put() -> PostRef:
            record = {
                "$type": LIST,
                "purpose": CURATELIST,
                "name": name[:64],
                "description": description,
                "createdAt": self._created_at(key),
            }
            return self._put(LIST, key, record)

        return self.step(
            key, item_id="audience", kind="list", send=put, what=notice("doing.creating_list", name=name)
        ).uri

    def run(
        self,
        tasks: list[Task],
        *,
        list_name: str | None = None,
        retry_failed: bool = False,
        limit: int | None = None,
    ) -> FollowReport:
        report = FollowReport(network="bluesky")
        work: list[Task] = []
        with self._stop_aware():
            try:
                follows = self.existing(FOLLOW) if any(t.action == "follow" for t in tasks) else {}
                blocks = self.existing(BLOCK) if any(t.action == "block" for t in tasks) else {}
                list_uri = self.ensure_list(list_name) if list_name else None
            except Stopped:
                report.remaining = len(tasks)
                return report
            except GaveUp as exc:
                raise ServiceError(
                    key="error.follow.server_down",
                    params={"detail": scrub(words_of(exc.__cause__ or exc))},
                    todo=[todo("retry_later")],
                ) from None
            report.list_uri = list_uri
            for task in tasks:
                work.append(task)
                if list_uri and task.action == "follow":
                    work.append(Task("listitem", task.x_id, task.subject, task.handle))
            sent = 0
            for n, task in enumerate(work):
                if self.stopped() or (limit is not None and sent >= limit):
                    report.remaining = len(work) - n
                    break
                key = f"listitem:{list_uri}:{task.subject}" if task.action == "listitem" else task.key
                if self._settled(report, task, key, retry_failed=retry_failed):
                    continue
                entry = self.journal.get(key)
                existing = {"follow": follows, "block": blocks}.get(task.action, {})
                if task.subject in existing and (entry is None or entry.status != "intent"):
                    self.journal.intent(key, item_id=task.x_id, kind=task.action)
                    self.journal.done(key, PostRef(uri=existing[task.subject], cid=""))
                    self._count(report, task, already=True)
                    self.emit(FollowEvent(FollowEventKind.ALREADY, _done_words(task, already=True), task))
                    continue
                sent += 1  # attempted (a refusing server costs `limit` tasks, not the whole list)
                try:
                    self.step(
                        key,
                        item_id=task.x_id,
                        kind=task.action,
                        send=partial(self._write, task, key, list_uri),
                        what=doing(task),
                    )
                except Stopped:
                    report.remaining = len(work) - n
                    break
                except AuthError:
                    raise
                except (PermanentError, GaveUp) as exc:
                    self._record_failure(report, task, key, exc)
                    continue
                self._count(report, task)
                self.emit(FollowEvent(FollowEventKind.DONE, _done_words(task), task))
                decision = self.pacer.after_write(self.budget(), posts_left=len(work) - n - 1)
                try:
                    self.wait(decision.delay, decision.until, decision.reason or WaitReason.PACING)
                except Stopped:
                    report.remaining = len(work) - n - 1
                    break
        return report

    def _write(self, task: Task, key: str, list_uri: str | None) -> PostRef:
        created = self._created_at(key)
        if task.action == "follow":
            return self._put(FOLLOW, key, {"$type": FOLLOW, "subject": task.subject, "createdAt": created})
        if task.action == "block":
            return self._put(BLOCK, key, {"$type": BLOCK, "subject": task.subject, "createdAt": created})
        if task.action == "listitem":
            assert list_uri is not None
            return self._put(
                LISTITEM,
                key,
                {"$type": LISTITEM, "subject": task.subject, "list": list_uri, "createdAt": created},
            )
        from atproto import models

        data = models.AppBskyGraphMuteActor.Data(actor=task.subject)
        atproto_errors(lambda: self.client.app.bsky.graph.mute_actor(data), what=doing(task))
        return PostRef(uri=f"mute:{task.subject}", cid="")


class MastodonAudience(_Runner):
    """Follows/blocks/mutes on the user's Mastodon instance. `api` is a logged-in `mastodon.Mastodon`."""

    def __init__(
        self,
        api: Any,
        journal: Journal,
        *,
        lookup: Callable[[str], Any | None],
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        on_event: Callable[[FollowEvent], None] | None = None,
        stop: threading.Event | None = None,
        per_day: int = MASTODON_FOLLOWS_PER_DAY,
    ) -> None:
        super().__init__(journal, pacer=pacer, sleep=sleep, now=now, on_event=on_event, stop=stop)
        self.api = api
        self.lookup = lookup
        self.per_day = per_day

    def budget(self) -> RateBudget:
        reset = getattr(self.api, "ratelimit_reset", None)
        reset_at = datetime.fromtimestamp(float(reset), tz=UTC) if reset else None
        return RateBudget(
            limit=getattr(self.api, "ratelimit_limit", None),
            remaining=getattr(self.api, "ratelimit_remaining", None),
            reset_at=reset_at,
        )

    def _daily_wait(self) -> tuple[float, datetime | None]:
        """400 follows per rolling 24 h: counted from this journal's own follow records."""
        since = self.now() - timedelta(days=1)
        times = sorted(
            e.at
            for e in self.journal.entries()
            if e.kind == "follow"
            and e.status == "done"
            and e.at is not None
            and e.at > since
            and not (e.uri or "").startswith("already:")
        )
        if len(times) < self.per_day:
            return 0.0, None
        until = times[len(times) - self.per_day] + timedelta(days=1)
        return max(0.0, (until - self.now()).total_seconds()), until

    def run(self, tasks: list[Task], *, retry_failed: bool = False, limit: int | None = None) -> FollowReport:
        report = FollowReport(network="mastodon")
        sent = 0
        with self._stop_aware():
            for n, task in enumerate(tasks):
                if self.stopped() or (limit is not None and sent >= limit):
                    report.remaining = len(tasks) - n
                    break
                if self._settled(report, task, task.key, retry_failed=retry_failed):
                    continue
                outcome: dict[str, bool] = {}
                try:
                    if task.action == "follow":
                        wait, until = self._daily_wait()
                        self.wait(wait, until, notice("wait.daily_follows", n=self.per_day))
                    sent += 1  # attempted
                    self.step(
                        task.key,
                        item_id=task.x_id,
                        kind=task.action,
                        send=partial(self._write_once, task, outcome),
                        what=doing(task),
                    )
                except Stopped:
                    report.remaining = len(tasks) - n
                    break
                except AuthError:
                    raise
                except (PermanentError, GaveUp, QuittexError) as exc:
                    self._record_failure(report, task, task.key, exc)
                    continue
                was_following = outcome.get("already", False)
                self._count(report, task, already=was_following)
                self.emit(
                    FollowEvent(
                        FollowEventKind.ALREADY if was_following else FollowEventKind.DONE,
                        _done_words(task, already=was_following),
                        task,
                    )
                )
                decision = self.pacer.after_write(self.budget(), posts_left=len(tasks) - n - 1)
                try:
                    self.wait(decision.delay, decision.until, decision.reason or WaitReason.PACING)
                except Stopped:
                    report.remaining = len(tasks) - n - 1
                    break
        return report

    def _write_once(self, task: Task, outcome: dict[str, bool]) -> PostRef:
        ref, already = self._write(task)
        outcome["already"] = already
        return ref

    def _write(self, task: Task) -> tuple[PostRef, bool]:
        """One try (lookup, relationship, follow): the write step around it waits and retries; the
        relationship read makes a retry of a follow that landed a no-op."""
        account = self.lookup(task.subject)
        if account is None:
            raise PermanentError(notice("fail.not_found_from_instance", account=task.subject))
        acc_id = account["id"]
        url = str(account.get("url") or "")
        if task.action == "follow":
            before = mastodon_errors(
                lambda: self.api.account_relationships([acc_id]),
                what=notice("doing.read_relationship", account=task.subject),
                api=self.api,
            )
            if before and (before[0].get("following") or before[0].get("requested")):
                return PostRef(uri=f"already:{acc_id}", cid="", url=url), True
            mastodon_errors(lambda: self.api.account_follow(acc_id), what=doing(task), api=self.api)
        elif task.action == "block":
            mastodon_errors(lambda: self.api.account_block(acc_id), what=doing(task), api=self.api)
        elif task.action == "mute":
            mastodon_errors(lambda: self.api.account_mute(acc_id), what=doing(task), api=self.api)
        return PostRef(uri=str(acc_id), cid="", url=url), False


def _done_words(task: Task, *, already: bool = False) -> Notice:
    """ "followed @alice.example" / "already following @alice.example" (blocked, muted, listed…)."""
    kind = "already" if already else "done"
    return notice(f"event.{kind}.{task.action}", handle=task.handle.lstrip("@"))
