"""What the engine needs from a network: the `PublishTarget` protocol and the errors it may raise.

Implementations: `bluesky.BlueskyTarget`, `mastodon.MastodonTarget`, `dryrun.DryRunTarget`.
The engine (engine.py) owns ordering, the write-ahead journal, pacing and retries; a target only turns
one planned post into one network write, deterministically keyed, and reports what the server said
about its rate budget. Specs: docs/bluesky.md, docs/mastodon.md; adding a network:
ARCHITECTURE.md#adding-a-network.

Reconciliation contract (`reconcile`): for posts whose write may have landed without our hearing back — an
intent with no result in the journal, or, when the journal was lost, every planned post — the target says,
per key, FOUND (with where), ABSENT (send it), RESEND (the server still remembers the key: re-sending it
returns the first copy if there is one), LATER (a recent look-alike must be settled first) or UNSURE
(cannot tell without guessing: the user is asked). A target never lets one server post stand for two
entries: `claimed` holds the posts the journal already gave to other entries. Its reads go through `call`
(the engine's wait/retry/pacing policy), so they are bounded by the same rate budget as the writes.

Error contract (the engine's retry policy depends on it):
- `RateLimited(reset_at)`: HTTP 429 or an exhausted budget; the engine waits until `reset_at`.
- `TransientError`: timeouts, connection resets, 5xx — retried with capped exponential backoff + jitter.
- `PermanentError(reason)`: this post can never succeed as is (invalid record, too long, media rejected,
  video not available) — the item is marked failed with `reason` and the run goes on.
- `AuthError` (quittex_tui.errors): login failed / token revoked — the run stops, exit 2, state intact.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from quittex_tui.convert.models import PlannedPost


@dataclass(frozen=True)
class PostRef:
    """Where a post landed. Bluesky: at-uri + cid. Mastodon: status id (in both) + web url."""

    uri: str
    cid: str
    url: str = ""


@dataclass(frozen=True)
class ReplyTo:
    """The thread a post answers in: Bluesky needs root and parent; Mastodon only the parent."""

    root: PostRef
    parent: PostRef


@dataclass
class RateBudget:
    """The last rate-limit state a server told us (RateLimit-* / X-RateLimit-* headers)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None  # aware UTC
    # Points a post costs against `limit` (Bluesky create = 3 points; Mastodon 1 request).
    cost_per_post: int = 1


@dataclass
class TargetInfo:
    """What the Accounts pane and the plan need to know about a connected account."""

    network: str  # "bluesky" | "mastodon" | "dry-run"
    handle: str  # "alice.bsky.social" / "alice@mastodon.social"
    server: str  # PDS or instance URL
    max_chars: int = 300
    max_media: int = 4
    image_max_bytes: int = 1_000_000
    video_max_bytes: int | None = None
    supports_video: bool = True
    supports_backdating: bool = False
    extra: dict[str, str] = field(default_factory=dict)


class Verdict(StrEnum):
    FOUND = "found"  # on the server; `Resolution.ref` says where
    ABSENT = "absent"  # not on the server: send it
    RESEND = "resend"  # the server still knows the key: re-sending returns the first copy if it landed
    LATER = "later"  # a look-alike sent moments ago may own the candidate: decide once it is settled
    UNSURE = "unsure"  # cannot tell without guessing: the user decides (`reason` says what was seen)


@dataclass(frozen=True)
class Pending:
    """A post whose write may have landed unconfirmed (or any post, when the journal was lost)."""

    key: str
    item_id: str
    index: int
    post: PlannedPost
    created_at: datetime  # the item's time (as given to post_key / publish)
    # The post it answers, when the journal knows it; None for a thread's first post — or when that parent
    # is itself pending in the same batch (then it is found first, by item id and index).
    parent: PostRef | None = None
    # The first intent's time on the SERVER's clock; None when unknown (journal lost). A status of ours
    # cannot be older than `intent_at - margin` (margin: how uncertain that time is).
    intent_at: datetime | None = None
    margin: timedelta = timedelta(0)


@dataclass(frozen=True)
class Resolution:
    verdict: Verdict
    ref: PostRef | None = None
    reason: str = ""


# Runs one server read under the engine's policy (429 waits, transient retries, pacing): call(fn, what).
ReadCall = Callable[[Callable[[], Any], str], Any]


def direct_call(fn: Callable[[], Any], what: str) -> Any:
    """A ReadCall without any policy (tests, one-off checks)."""
    return fn()


class PublishError(Exception):
    """Root of what a target raises about one write. Its message may be a notice.Notice (English for
    the record, said in the user's language by a front end); `words` gives it back as it was raised."""

    @property
    def words(self) -> str:
        first = self.args[0] if self.args else ""
        return first if isinstance(first, str) else str(self)


class RateLimited(PublishError):
    def __init__(self, reset_at: datetime, message: str = "rate limited") -> None:
        super().__init__(message)
        self.reset_at = reset_at


class TransientError(PublishError):
    """Worth retrying: timeout, reset, 5xx."""


class PermanentError(PublishError):
    """Never worth retrying as is; `reason` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unsure(PermanentError):
    """Reconciliation could not tell whether a post is already on the server: the user decides."""


@runtime_checkable
class PublishTarget(Protocol):
    network: str

    def info(self) -> TargetInfo:
        """Account and server limits (may call the server once, then cache)."""
        ...

    def budget(self) -> RateBudget:
        """The rate budget as last reported by the server (no network call)."""
        ...

    def post_key(self, item_id: str, index: int, source_id: str, created_at: datetime) -> str:
        """The deterministic idempotency key of post `index` of item `item_id`.

        Bluesky: a valid TID rkey from the source tweet's time and id. Mastodon: an Idempotency-Key.
        Must be a pure function of its arguments (the journal stores it before sending).
        """
        ...

    def find(self, key: str, post: PlannedPost, created_at: datetime, intent_at: datetime) -> PostRef | None:
        """One intent without result, alone: did the write land? None = not there (or: re-send the key).
        Prefer `reconcile`, which sees the other pending posts and the journal's claims."""
        ...

    def reconcile(
        self,
        pending: Sequence[Pending],
        *,
        claimed: Collection[str],
        call: ReadCall,
        want: Collection[str] | None = None,
    ) -> dict[str, Resolution]:
        """Settle `pending` against the server (see the module's reconciliation contract). `want`: the keys
        an answer is needed for (the others are context: look-alikes that may own a candidate)."""
        ...

    def has_posts(self) -> bool:
        """Does the account already hold posts? (With a lost journal, the engine then reconciles first.)"""
        ...

    def publish(
        self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None
    ) -> PostRef:
        """Upload the post's media and write the post with `key`. Safe to repeat with the same key."""
        ...
