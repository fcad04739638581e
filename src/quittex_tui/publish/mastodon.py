"""Mastodon publishing target: one planned post → one status (Mastodon.py 2.3).

Specs: ../shared/platform-limits.md (Mastodon), Mastodon API docs: POST /api/v1/statuses
(`Idempotency-Key`), POST /api/v2/media (200, or 202 while processing → GET /api/v1/media/:id until `url`),
GET /api/v2/instance (configuration.statuses / media_attachments), X-RateLimit-* headers.

Idempotency key: derived from (item id, post index, source tweet id) only — no per-migration salt.
Mastodon scopes idempotency keys per account (Redis key `idempotency:status:<account>:<key>`,
PostStatusService), so two accounts never collide; and two migrations of the *same* archive to the *same*
account are the same posts — a server-side dedupe there is what the user wants, not a collision.

Reconciliation (`find`): within the server's 1-hour idempotency window (kept with a safety margin for
media upload time) re-POSTing with the same key is safe, so `find` answers None and the engine re-publishes
with the same key. Beyond it, only the account itself can tell: we read the account's own statuses created
since the intent (minus clock skew) and match on the post's text — compared as normalised plain text
(the API returns HTML), falling back to GET /api/v1/statuses/:id/source (the raw text) for near-misses —
and on the number of media attachments.

Errors are classified by HTTP status, never by message text (servers localise messages).
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonIOError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from quittex_tui.convert.models import PlannedMedia, PlannedPost
from quittex_tui.errors import AuthError
from quittex_tui.publish.retry import network_failure
from quittex_tui.publish.target import (
    PermanentError,
    PostRef,
    RateBudget,
    RateLimited,
    ReplyTo,
    TargetInfo,
    TransientError,
)

VISIBILITIES = ("public", "unlisted", "private", "direct")
# Mastodon keeps Idempotency-Key results for 1 h (setex 3600). Re-POST only well inside it: the engine
# calls `find` right before `publish`, which may first spend minutes uploading and processing media.
IDEMPOTENCY_WINDOW = timedelta(hours=1)
SAFE_REPOST_WINDOW = timedelta(minutes=40)
CLOCK_SKEW = timedelta(minutes=5)
RECONCILE_MAX_PAGES = 25  # 40 statuses per page
MEDIA_POLL_TIMEOUT = 300.0  # seconds a video may take to process before we call it transient
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=5)  # the general window is 300 requests / 5 min
CLOCK_SKEW_TOLERANCE = timedelta(seconds=2)


def parse_reset(value: str | None) -> datetime | None:
    """X-RateLimit-Reset: ISO-8601 on Mastodon, epoch seconds on some servers (and the mock)."""
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class RateHeaderLog:
    """A `requests` response hook that keeps the last X-RateLimit-* values seen (all calls, and writes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last: RateBudget | None = None
        self.last_write: RateBudget | None = None
        self.last_retry_after: float | None = None
        # X-RateLimit-Reset of the LAST response, even when it came without Limit/Remaining (a bare 429).
        self.last_reset: datetime | None = None

    def hook(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        headers = response.headers
        retry_after = headers.get("Retry-After")
        with self._lock:
            try:
                self.last_retry_after = float(retry_after) if retry_after else None
            except ValueError:
                self.last_retry_after = None
            self.last_reset = parse_reset(headers.get("X-RateLimit-Reset"))
        if "X-RateLimit-Limit" not in headers and "X-RateLimit-Remaining" not in headers:
            return response
        budget = RateBudget(
            limit=_to_int(headers.get("X-RateLimit-Limit")),
            remaining=_to_int(headers.get("X-RateLimit-Remaining")),
            reset_at=parse_reset(headers.get("X-RateLimit-Reset")),
            cost_per_post=1,
        )
        request = getattr(response, "request", None)
        is_write = bool(
            request is not None
            and request.method == "POST"
            and str(request.url).split("?")[0].endswith("/statuses")
        )
        with self._lock:
            self.last = budget
            if is_write:
                self.last_write = budget
        return response


def _to_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class _TextExtractor(HTMLParser):
    """Mastodon status HTML → the plain text the user wrote (<p> = blank line, <br> = newline).

    Link spans (`<span class="invisible">https://</span><span class="ellipsis">…`) are concatenated, which
    gives back the full URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p":
            if self._paragraphs:
                self.parts.append("\n\n")
            self._paragraphs += 1

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _TextExtractor()
    parser.feed(content or "")
    parser.close()
    return html.unescape("".join(parser.parts))


def normalize_text(text: str) -> str:
    """Compare texts modulo Unicode normal form and whitespace layout (servers reflow paragraphs)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


class MastodonTarget:
    """PublishTarget for one Mastodon account (build it with `connect.connect_mastodon`)."""

    network = "mastodon"

    def __init__(
        self,
        api: Mastodon,
        *,
        instance: str,
        account: dict[str, Any],
        visibility: str = "unlisted",
        headers: RateHeaderLog | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        media_poll_timeout: float = MEDIA_POLL_TIMEOUT,
    ) -> None:
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {VISIBILITIES}")
        self.api = api
        self.instance = instance.rstrip("/")
        self.account = account
        self.visibility = visibility
        self.headers = headers or RateHeaderLog()
        self._sleep = sleep
        self._now = now
        self.media_poll_timeout = media_poll_timeout
        self._instance_info: TargetInfo | None = None

    @property
    def acct(self) -> str:
        return str(self.account.get("acct", ""))

    # --- PublishTarget -------------------------------------------------------------------------
    def info(self) -> TargetInfo:
        if self._instance_info is None:
            inst = self._call("read the instance limits", self.api.instance_v2)
            conf = inst.get("configuration") or {}
            statuses = conf.get("statuses") or {}
            media = conf.get("media_attachments") or {}
            domain = inst.get("domain") or self.instance.split("://", 1)[-1]
            acct = self.acct if "@" in self.acct else f"{self.acct}@{domain}"
            self._instance_info = TargetInfo(
                network="mastodon",
                handle=acct,
                server=self.instance,
                max_chars=int(statuses.get("max_characters") or 500),
                max_media=int(statuses.get("max_media_attachments") or 4),
                image_max_bytes=int(media.get("image_size_limit") or 16 * 1024 * 1024),
                video_max_bytes=int(media.get("video_size_limit") or 99 * 1024 * 1024),
                supports_video=True,
                supports_backdating=False,
                extra={
                    "characters_reserved_per_url": str(statuses.get("characters_reserved_per_url") or 23),
                    "version": str(inst.get("version") or ""),
                    "visibility": self.visibility,
                },
            )
        return self._instance_info

    def budget(self) -> RateBudget:
        last = self.headers.last_write or self.headers.last
        return RateBudget(**vars(last)) if last else RateBudget(cost_per_post=1)

    def post_key(self, item_id: str, index: int, source_id: str, created_at: datetime, *,
                 attempt: int = 0) -> str:
        # `attempt` > 0: the engine found the previous key taken by another post (never seen with a
        # 160-bit digest, but the engine's rule is the same for every network).
        seed = f"quittex:{item_id}:{index}:{source_id}" + (f":{attempt}" if attempt else "")
        digest = hashlib.sha256(seed.encode()).hexdigest()
        return f"qtx-{digest[:40]}"

    def find(self, key: str, post: PlannedPost, created_at: datetime, intent_at: datetime) -> PostRef | None:
        if self._now() - intent_at < SAFE_REPOST_WINDOW:
            return None  # the server still remembers `key`: re-POSTing returns the first status, if any
        since = intent_at - CLOCK_SKEW
        account_id = self.account["id"]
        page = self._call(
            "read your recent posts",
            lambda: self.api.account_statuses(account_id, limit=40, exclude_reblogs=True),
        )
        for _ in range(RECONCILE_MAX_PAGES):
            if not page:
                return None
            for status in page:
                if _aware(status["created_at"]) < since:
                    continue
                if self._same_post(status, post):
                    return PostRef(uri=str(status["id"]), cid=str(status["id"]), url=status.get("url") or "")
            if _aware(page[-1]["created_at"]) < since:
                return None
            current = page
            page = self._call("read your recent posts", lambda p=current: self.api.fetch_next(p))
        return None

    def publish(
        self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None
    ) -> PostRef:
        info = self.info()
        length = Mastodon.get_status_length(post.text)
        if length > info.max_chars:
            raise PermanentError(
                f"post is {length} characters; {self.instance} allows {info.max_chars} — shorten it and retry"
            )
        if len(post.media) > info.max_media:
            raise PermanentError(f"post has {len(post.media)} media; {self.instance} allows {info.max_media}")
        media_ids = [self._upload(m, info) for m in post.media]
        status = self._call(
            "publish the post",
            lambda: self.api.status_post(
                post.text,
                in_reply_to_id=reply_to.parent.uri if reply_to else None,
                media_ids=media_ids or None,
                visibility=self.visibility,
                idempotency_key=key,
                # ISO 639-1 from the tweet (the plan drops X's "und"/private codes): lets readers filter
                # by language and Mastodon pick the right translation source.
                language=post.lang or None,
            ),
        )
        return PostRef(uri=str(status["id"]), cid=str(status["id"]), url=status.get("url") or "")

    # --- helpers -------------------------------------------------------------------------------
    def _same_post(self, status: dict[str, Any], post: PlannedPost) -> bool:
        if len(status.get("media_attachments") or []) != len(post.media):
            return False
        wanted = normalize_text(post.text)
        if normalize_text(html_to_text(status.get("content") or "")) == wanted:
            return True
        # Servers may render markup (links, emphasis) differently: ask for the raw text we sent.
        source = self._call("read a post's source", lambda: self.api.status_source(status["id"]))
        return normalize_text(str(source.get("text") or "")) == wanted

    def _upload(self, media: PlannedMedia, info: TargetInfo) -> str:
        path = Path(media.path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise PermanentError(f"media file missing: {path}") from None
        limit = info.image_max_bytes if media.kind == "image" else info.video_max_bytes
        if limit and size > limit:
            raise PermanentError(
                f"{media.kind} {path.name} is {size:,} bytes; {self.instance} accepts {limit:,}"
            )
        mime = media.mime or mimetypes.guess_type(media.path)[0]
        uploaded = self._call(
            f"upload {path.name}",
            lambda: self.api.media_post(str(path), mime_type=mime, description=media.alt or None),
        )
        deadline = time.monotonic() + self.media_poll_timeout
        delay = 0.5
        # 202 Accepted: still processing (url null) — poll GET /api/v1/media/:id until the url is set.
        while not uploaded.get("url"):
            if time.monotonic() >= deadline:
                raise TransientError(
                    f"{path.name} was still processing after {self.media_poll_timeout:.0f} s"
                )
            self._sleep(delay)
            delay = min(delay * 2, 5.0)
            uploaded = self._call(
                f"check the processing of {path.name}", lambda u=uploaded: self.api.media(u["id"])
            )
        return str(uploaded["id"])

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except MastodonRatelimitError:
            raise RateLimited(self._reset_at(), f"Mastodon rate limit reached on {self.instance}") from None
        except MastodonUnauthorizedError:
            raise AuthError(
                f"the Mastodon server {self.instance} rejected the access token while trying to {what} "
                "(revoked or expired)",
                f"log in again: quittex-tui login mastodon {self.instance}",
            ) from None
        except MastodonServerError as exc:
            raise TransientError(
                f"Mastodon server error while trying to {what} (HTTP {_status(exc)})"
            ) from None
        except MastodonNetworkError as exc:
            raise TransientError(f"network error while trying to {what}: {network_failure(exc)}") from None
        except MastodonAPIError as exc:
            raise self._classify(exc, what) from None
        except (MastodonIllegalArgumentError, MastodonIOError) as exc:
            raise PermanentError(f"could not {what}: {exc}") from None
        except MastodonError as exc:
            raise TransientError(f"could not {what} ({type(exc).__name__})") from None

    def _classify(self, exc: MastodonAPIError, what: str) -> Exception:
        status = _status(exc)
        reason = _server_reason(exc)
        if status == 429:
            return RateLimited(self._reset_at(), f"Mastodon rate limit reached on {self.instance}")
        if status is not None and status >= 500:
            return TransientError(f"Mastodon server error while trying to {what} (HTTP {status})")
        if status == 403:
            return AuthError(
                f"the Mastodon server {self.instance} refused to {what} (HTTP 403: missing scope or account "
                "disabled)",
                f"log in again: quittex-tui login mastodon {self.instance}",
            )
        if status == 422:
            return PermanentError(f"Mastodon rejected the request to {what}: {reason} (HTTP 422)")
        if status is None:
            return TransientError(f"unexpected answer while trying to {what}: {reason}")
        return PermanentError(f"Mastodon refused to {what}: {reason} (HTTP {status})")

    def _reset_at(self) -> datetime:
        """When the rate limit resets, from what the server said (also when Mastodon.py raised the 429
        itself): X-RateLimit-Reset of the last answer (ISO or epoch; our hook), or Mastodon.py's own reading
        of it (`api.ratelimit_reset`, shifted by the server's Date header: used when that shift shows a
        real clock skew, or when our hook saw nothing), then the last budget, Retry-After; 5 minutes (the
        general window) only when the server said nothing usable."""
        now = self._now()
        header = self.headers.last_reset
        api_reset = getattr(self.api, "ratelimit_reset", None)
        corrected = datetime.fromtimestamp(api_reset, tz=UTC) if isinstance(api_reset, int | float) else None
        if corrected is not None and (header is None or abs(corrected - header) > CLOCK_SKEW_TOLERANCE):
            header = corrected  # Date has whole seconds: below the tolerance, its shift is only noise
        last = self.headers.last
        for reset in (header, last.reset_at if last else None):
            if reset is not None and reset > now:
                return reset
        if self.headers.last_retry_after:
            return now + timedelta(seconds=self.headers.last_retry_after)
        return now + DEFAULT_RATE_LIMIT_WAIT


def _status(exc: MastodonError) -> int | None:
    args = exc.args
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None


def _server_reason(exc: MastodonError) -> str:
    args = exc.args
    if len(args) > 3 and args[3]:
        return str(args[3])
    if len(args) > 2 and args[2]:
        return str(args[2])
    return type(exc).__name__


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
