"""What the engine needs from a network: the `PublishTarget` protocol and the errors it may raise.

Implementations: `bluesky.BlueskyTarget`, `mastodon.MastodonTarget`, `dryrun.DryRunTarget`.
The engine (engine.py) owns ordering, the write-ahead journal, pacing and retries; a target only turns
one planned post into one network write, deterministically keyed, and reports what the server said
about its rate budget. Specs: ../shared/platform-limits.md.

Error contract (the engine's retry policy depends on it):
- `RateLimited(reset_at)`: HTTP 429 or an exhausted budget; the engine waits until `reset_at`.
- `TransientError`: timeouts, connection resets, 5xx — retried with capped exponential backoff + jitter.
- `PermanentError(reason)`: this post can never succeed as is (invalid record, too long, media rejected,
  video not available) — the item is marked failed with `reason` and the run goes on.
- `AuthError` (quittex_tui.errors): login failed / token revoked — the run stops, exit 2, state intact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

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


class PublishError(Exception):
    """Root of what a target raises about one write."""


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
        """Reconcile an intent that has no recorded result: did the write land? (getRecord on Bluesky;
        on Mastodon the idempotency window or the account's own recent statuses). None = not there."""
        ...

    def publish(
        self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None
    ) -> PostRef:
        """Upload the post's media and write the post with `key`. Safe to repeat with the same key."""
        ...
