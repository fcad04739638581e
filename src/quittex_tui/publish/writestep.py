"""The one write path: stop-aware waits, the call policy (429 waits, retries) and the per-write step.

Spec: ARCHITECTURE.md#the-engine (one write path, one wait policy: follows share the posts' path). The posts
engine (engine.py) and the follow runners (audience/follows.py) both use these, so both
- wait in slices and see a stop (pause, Ctrl+C, the TUI's Stop) within `WAIT_SLICE` seconds — also during
  an hour-long rate-limit wait;
- wait until the reset the server gave on a 429 (`Pacer.on_rate_limited`), retry transient faults with
  capped backoff + jitter (`RetryPolicy`), and turn a library's unexpected exception into a transient
  fault in words, never a traceback in the middle of a long run;
- write through the journal the same way: intent (fsynced) → write → done (fsynced); when a try may have
  landed before it failed (a timeout, a cut connection), `check` asks the server before trying again.
Every message built from a server's words goes through the scrubber (scrub.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from quittex_tui.errors import QuittexError
from quittex_tui.notice import Notice, notice
from quittex_tui.publish.events import EventKind
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.pacing import PaceDecision, Pacer, WaitReason
from quittex_tui.publish.retry import RetryPolicy
from quittex_tui.publish.target import (
    PostRef,
    PublishError,
    RateBudget,
    RateLimited,
    ReadCall,
    TransientError,
)
from quittex_tui.scrub import scrub

T = TypeVar("T")
WAIT_SLICE = 0.5  # seconds: waits are cut in slices so a stop (pause, Ctrl+C) is seen quickly

# (kind, item id or None, message, until): kind is WAITING (a pause with an end time) or RETRYING.
Notify = Callable[[EventKind, str | None, Notice, datetime | None], None]


class Stopped(Exception):
    """A stop was requested while waiting: leave the current write for the next run."""


class GaveUp(Exception):
    """Transient faults outlasted the retries for one write (`__cause__`: the last fault; the message a
    notice.Notice: `notice.words_of(exc)`)."""


class Waiter:
    """Sleeping that watches a stop flag. `stop` may be swapped per run."""

    def __init__(
        self, *, sleep: Callable[[float], None] = time.sleep, stop: threading.Event | None = None
    ) -> None:
        self.sleep = sleep
        self.stop = stop

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep `seconds` in slices; raises Stopped if a stop comes meanwhile."""
        end = time.monotonic() + seconds
        remaining = seconds
        while remaining > 0:
            if self.stopping():
                raise Stopped
            step = min(WAIT_SLICE, remaining)
            self.sleep(step)
            remaining -= step
            if self.sleep is time.sleep:  # real time: trust the monotonic clock over the sum of slices
                remaining = min(remaining, end - time.monotonic())
        if self.stopping():
            raise Stopped


class CallPolicy:
    """Runs one server call under the shared policy (see the module docstring)."""

    def __init__(
        self,
        *,
        waiter: Waiter,
        pacer: Pacer,
        retry: RetryPolicy,
        now: Callable[[], datetime],
        notify: Notify | None = None,
    ) -> None:
        self.waiter = waiter
        self.pacer = pacer
        self.retry = retry
        self.now = now
        self.notify = notify
        self.successes = 0  # calls that succeeded (the engine tells "server down" from "one bad item")
        self.last_error: str | None = None  # a notice.Notice: what failed last, and why
        self.waiting_until: datetime | None = None

    def wait_decision(self, decision: PaceDecision, item_id: str | None = None) -> None:
        if decision.delay <= 0:
            return
        if decision.until is not None:
            self.waiting_until = decision.until
            if self.notify is not None:
                self.notify(
                    EventKind.WAITING,
                    item_id,
                    notice(
                        "event.waiting", reason=decision.reason or WaitReason.PACING, until=decision.until
                    ),
                    decision.until,
                )
        try:
            self.waiter.wait(decision.delay)
        finally:
            self.waiting_until = None

    def call(self, fn: Callable[[], T], what: str, item_id: str | None = None) -> T:
        """`fn()` with 429 waits and transient retries; raises GaveUp after `retry.max_attempts` tries,
        Stopped on a stop, and lets PermanentError / QuittexError (AuthError…) through. `what` says what
        the call does, for messages ("post 2 of item …": a notice.Notice, or plain words)."""
        guarded = _guarded(fn)
        attempt = 0
        while True:
            try:
                result = guarded()
            except RateLimited as exc:
                self.wait_decision(self.pacer.on_rate_limited(exc.reset_at), item_id)
                continue
            except TransientError as exc:
                attempt += 1
                reason = scrub(exc.words)
                self.last_error = notice("event.last_error", what=what, reason=reason)
                if attempt >= self.retry.max_attempts:
                    raise GaveUp(notice("fail.gave_up", reason=reason, n=attempt)) from exc
                delay = self.retry.backoff(attempt)
                if self.notify is not None:
                    self.notify(
                        EventKind.RETRYING,
                        item_id,
                        notice(
                            "event.retrying",
                            what=what,
                            reason=reason,
                            attempt=attempt + 1,
                            max=self.retry.max_attempts,
                            delay=float(delay),
                        ),
                        None,
                    )
                self.waiter.wait(delay)
                continue
            self.successes += 1
            return result

    def reads(self, budget: Callable[[], RateBudget] | None = None, item_id: str | None = None) -> ReadCall:
        """A ReadCall for reconciliation: each read under `call`, then paced on `budget` (the server's
        general budget) so reads never exhaust what the writes need, nor meet a 429."""

        def read(fn: Callable[[], Any], what: str) -> Any:
            result = self.call(fn, what, item_id)
            if budget is not None:
                # posts_left=1: no slowing down while the window has room; at its end, wait for the reset.
                self.wait_decision(self.pacer.after_write(budget(), 1), item_id)
            return result

        return read


def _guarded(fn: Callable[[], T]) -> Callable[[], T]:
    """Unexpected exceptions from a target (a library's own error types) are treated as transient:
    retried, then reported in words — never a traceback in the middle of a long run."""

    def call() -> T:
        try:
            return fn()
        except (PublishError, QuittexError, Stopped, GaveUp, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise TransientError(
                notice("fail.unexpected", error=type(exc).__name__, detail=scrub(str(exc))[:200])
            ) from exc

    return call


class WriteStep:
    """Journal intent → write (retried by the policy) → journal done, for one key.

    `check()`: after a try that failed in a way that may hide a success (TransientError), this is asked
    before the next try; a PostRef means "it landed" (recorded as done, nothing re-sent), None means
    "send again" (with the same key). `server_now()`: the server's clock, stored with the intent."""

    def __init__(
        self, journal: Journal, policy: CallPolicy, *, server_now: Callable[[], datetime | None] | None = None
    ) -> None:
        self.journal = journal
        self.policy = policy
        self.server_now = server_now

    def __call__(
        self,
        key: str,
        *,
        item_id: str,
        index: int = 0,
        kind: str = "post",
        send: Callable[[], PostRef],
        check: Callable[[], PostRef | None] | None = None,
        what: str,
    ) -> PostRef:
        entry = self.journal.get(key)
        if entry is None or entry.status != "intent":  # an intent on file says it all (its time is kept)
            self.journal.intent(
                key,
                item_id=item_id,
                index=index,
                kind=kind,
                server_at=self.server_now() if self.server_now else None,
            )
        ambiguous = False
        send = _guarded(send)  # a library's own exception after the server wrote is ambiguous too

        def once() -> PostRef:
            nonlocal ambiguous
            if ambiguous and check is not None:  # the last try may have landed before the fault
                found = check()
                if found is not None:
                    return found
                ambiguous = False
            try:
                return send()
            except TransientError:
                ambiguous = True
                raise

        ref = self.policy.call(once, what, item_id)
        self.journal.done(key, ref)
        return ref
