"""Mastodon publishing target: one planned post → one status (Mastodon.py 2.3).

Specs: docs/mastodon.md (#idempotency-key, #media-post-apiv2media, #rate-limits), Mastodon API docs: POST
/api/v1/statuses (`Idempotency-Key`), POST /api/v2/media (200, or 202 while processing → GET /api/v1/media/:id
until `url`), GET /api/v2/instance (configuration.statuses / media_attachments), X-RateLimit-* headers.

Idempotency key: derived from (item id, post index, source tweet id) only — no per-migration salt.
Mastodon scopes idempotency keys per account (Redis key `idempotency:status:<account>:<key>`,
PostStatusService), so two accounts never collide; and two migrations of the *same* archive to the *same*
account are the same posts — a server-side dedupe there is what the user wants, not a collision.

Reconciliation (`reconcile`, ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 11): within the server's
1-hour idempotency window (kept with a safety margin for media upload time) re-POSTing with the same key is
safe: RESEND. Beyond it, only the account itself can tell: we read the account's own statuses back to the
oldest pending intent (all of them when the journal was lost) and match them with reconcile.py — never a
status the journal already gave to another post, the same reply parent, text, media (kind, alt text, aspect),
language, not older than the intent. Times are the SERVER's: every answer's `Date` header gives our clock's
offset, so a laptop clock 10 minutes ahead changes nothing. Reads go through the engine's `call` (waits on
429, pacing on the general X-RateLimit budget) and are bounded: pages of 40 back to the oldest intent, and at
most `SOURCE_CHECKS` raw-source reads (GET /api/v1/statuses/:id/source) per reconciliation, for near misses.

Errors are classified by HTTP status, never by message text (servers localise messages).
"""

from __future__ import annotations

import hashlib
import html
import math
import mimetypes
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
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

from quittex_tui.clock import utcnow
from quittex_tui.convert.models import PlannedMedia, PlannedPost
from quittex_tui.errors import AuthError, todo
from quittex_tui.notice import notice
from quittex_tui.publish.reconcile import Seen, loose_text, match, media_kind
from quittex_tui.publish.retry import network_failure
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
    direct_call,
)
from quittex_tui.scrub import scrub

VISIBILITIES = ("public", "unlisted", "private", "direct")
# Mastodon keeps Idempotency-Key results for 1 h (setex 3600). Re-POST only well inside it: the engine
# calls `find` right before `publish`, which may first spend minutes uploading and processing media.
IDEMPOTENCY_WINDOW = timedelta(hours=1)
SAFE_REPOST_WINDOW = timedelta(minutes=40)
CLOCK_SKEW = timedelta(minutes=5)  # margin of an intent time known only on OUR clock (older journals)
SERVER_CLOCK_MARGIN = timedelta(seconds=30)  # margin of an intent time on the server's clock (Date: 1 s)
PAGE_SIZE = 40  # statuses per page (the API's maximum)
SOURCE_CHECKS = 12  # raw-source reads allowed per reconciliation (near misses only)
VIDEO_LIMIT_KEYS = ("video_frame_rate_limit", "video_matrix_limit")
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

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._lock = threading.Lock()
        self.clock = clock  # our clock, as the target sees it (tests move it)
        # The server's clock minus ours, from the last answer's Date header (None: no answer yet).
        self.clock_offset: timedelta | None = None
        self.last: RateBudget | None = None
        self.last_write: RateBudget | None = None
        self.last_retry_after: float | None = None
        # X-RateLimit-Reset of the LAST response, even when it came without Limit/Remaining (a bare 429).
        self.last_reset: datetime | None = None

    def hook(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        headers = response.headers
        retry_after = headers.get("Retry-After")
        offset = _date_offset(headers.get("Date"), self.clock())
        with self._lock:
            if offset is not None:
                self.clock_offset = offset
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


def _date_offset(value: str | None, ours: datetime) -> timedelta | None:
    """Server clock − our clock, from an HTTP `Date` header (whole seconds: +0.5 s centres the estimate)."""
    if not value:
        return None
    try:
        theirs = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if theirs.tzinfo is None:
        theirs = theirs.replace(tzinfo=UTC)
    return theirs + timedelta(seconds=0.5) - ours


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
        now: Callable[[], datetime] = utcnow,
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
        self.headers.clock = lambda: self._now()
        self.media_poll_timeout = media_poll_timeout
        self._instance_info: TargetInfo | None = None

    @property
    def acct(self) -> str:
        return str(self.account.get("acct", ""))

    # --- PublishTarget -------------------------------------------------------------------------
    def info(self) -> TargetInfo:
        if self._instance_info is None:
            inst = self._call(notice("act.read_limits"), self.api.instance_v2)
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
                    # docs/mastodon.md#instance-limits-get-apiv2instance, issue 12: what the instance refuses
                    # a video for (422), when it says so.
                    **{key: str(media[key]) for key in VIDEO_LIMIT_KEYS if isinstance(media.get(key), int)},
                    "version": str(inst.get("version") or ""),
                    "visibility": self.visibility,
                },
            )
        return self._instance_info

    def budget(self) -> RateBudget:
        last = self.headers.last_write or self.headers.last
        return RateBudget(**vars(last)) if last else RateBudget(cost_per_post=1)

    def post_key(
        self, item_id: str, index: int, source_id: str, created_at: datetime, *, attempt: int = 0
    ) -> str:
        # `attempt` > 0: the engine found the previous key taken by another post (never seen with a
        # 160-bit digest, but the engine's rule is the same for every network).
        seed = f"quittex:{item_id}:{index}:{source_id}" + (f":{attempt}" if attempt else "")
        digest = hashlib.sha256(seed.encode()).hexdigest()
        return f"qtx-{digest[:40]}"

    def read_budget(self) -> RateBudget:
        """The general budget (every request counts: 300 / 5 min), as the last answer of any kind said."""
        last = self.headers.last
        return RateBudget(**vars(last)) if last else RateBudget(cost_per_post=1)

    def server_now(self) -> datetime:
        """Now on the server's clock (its last Date header); ours when no answer was seen yet."""
        offset = self.headers.clock_offset
        return self._now() + (offset or timedelta(0))

    def clock_known(self) -> bool:
        return self.headers.clock_offset is not None

    def has_posts(self) -> bool:
        return int(self.account.get("statuses_count") or 0) > 0

    def find(self, key: str, post: PlannedPost, created_at: datetime, intent_at: datetime) -> PostRef | None:
        """One intent alone (`intent_at` on the server's clock): the status it made, or None."""
        pending = Pending(key, "", 0, post, created_at, None, intent_at, CLOCK_SKEW)
        found = self.reconcile([pending], claimed=(), call=direct_call).get(key)
        return found.ref if found is not None and found.verdict == Verdict.FOUND else None

    def reconcile(
        self,
        pending: Sequence[Pending],
        *,
        claimed: Collection[str],
        call: ReadCall,
        want: Collection[str] | None = None,
    ) -> dict[str, Resolution]:
        now = self.server_now()
        out: dict[str, Resolution] = {}
        old: list[Pending] = []
        recent: list[Pending] = []
        for p in pending:
            if p.intent_at is not None and now - p.intent_at + p.margin < SAFE_REPOST_WINDOW:
                out[p.key] = Resolution(Verdict.RESEND)  # the server answers for the key itself
                recent.append(p)
            else:
                old.append(p)
        wanted = set(want) if want is not None else {p.key for p in pending}
        if not any(p.key in wanted for p in old):
            return {k: v for k, v in out.items() if k in wanted} if want is not None else out
        bounds = [p.intent_at - p.margin if p.intent_at is not None else None for p in old]
        since = None if any(b is None for b in bounds) else min(b for b in bounds if b is not None)
        seen = self._own_statuses(since, call)
        budget = [SOURCE_CHECKS]

        def verify(status: Seen, p: Pending) -> bool | None:
            if budget[0] <= 0:
                return None
            budget[0] -= 1
            source = call(
                lambda: self._call(notice("act.read_source"), lambda: self.api.status_source(status.id)),
                notice("doing.check_post_text"),
            )
            return loose_text(str(source.get("text") or "")) == loose_text(p.post.text)

        out.update(match(old, seen, claimed=set(claimed), recent=recent, verify=verify))
        return out

    def _own_statuses(self, since: datetime | None, call: ReadCall) -> list[Seen]:
        """The account's statuses, newest first, back to `since` (server clock; None: all of them)."""
        account_id = self.account["id"]
        page = call(
            lambda: self._call(
                notice("act.read_posts"),
                lambda: self.api.account_statuses(account_id, limit=PAGE_SIZE, exclude_reblogs=True),
            ),
            notice("doing.read_posts"),
        )
        seen: list[Seen] = []
        order = 0
        while page:
            for status in page:
                order -= 1  # the API lists newest first
                seen.append(_seen(status, order))
            if since is not None and _aware(page[-1]["created_at"]) < since:
                break
            current = page
            page = call(
                partial(self._call, notice("act.read_posts"), partial(self.api.fetch_next, current)),
                notice("doing.read_posts"),
            )
        return seen

    def publish(
        self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None
    ) -> PostRef:
        info = self.info()
        length = Mastodon.get_status_length(post.text)
        if length > info.max_chars:
            raise PermanentError(notice("fail.too_long", n=length, server=self.instance, max=info.max_chars))
        if len(post.media) > info.max_media:
            raise PermanentError(
                notice("fail.too_many_media", n=len(post.media), server=self.instance, max=info.max_media)
            )
        media_ids = [self._upload(m, info) for m in post.media]
        status = self._call(
            notice("act.publish_post"),
            lambda: self.api.status_post(
                post.text,
                in_reply_to_id=reply_to.parent.uri if reply_to else None,
                media_ids=media_ids or None,
                visibility=self.visibility,
                idempotency_key=key,
                # docs/mastodon.md#posting-a-status-post-apiv1statuses, issue 12: X's possibly_sensitive (or
                # the user's label in Review) hides the media behind a warning, as on X.
                sensitive=bool(post.self_label),
                # ISO 639-1 from the tweet (the plan drops X's "und"/private codes): lets readers filter
                # by language and Mastodon pick the right translation source.
                language=post.lang or None,
            ),
        )
        return PostRef(uri=str(status["id"]), cid=str(status["id"]), url=status.get("url") or "")

    # --- helpers -------------------------------------------------------------------------------
    def _upload(self, media: PlannedMedia, info: TargetInfo) -> str:
        path = Path(media.path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise PermanentError(notice("fail.media_missing", path=path)) from None
        limit = info.image_max_bytes if media.kind == "image" else info.video_max_bytes
        if limit and size > limit:
            raise PermanentError(
                notice(
                    f"fail.media_too_big.{media.kind}",
                    name=path.name,
                    n=size,
                    server=self.instance,
                    max=limit,
                )
            )
        if media.kind != "image":
            self._check_video(media, info)
        mime = media.mime or mimetypes.guess_type(media.path)[0]
        uploaded = self._call(
            notice("act.upload", name=path.name),
            lambda: self.api.media_post(str(path), mime_type=mime, description=media.alt or None),
        )
        deadline = time.monotonic() + self.media_poll_timeout
        delay = 0.5
        # 202 Accepted: still processing (url null) — poll GET /api/v1/media/:id until the url is set.
        while not uploaded.get("url"):
            if time.monotonic() >= deadline:
                raise TransientError(
                    notice("fail.still_processing", name=path.name, n=round(self.media_poll_timeout))
                )
            self._sleep(delay)
            delay = min(delay * 2, 5.0)
            uploaded = self._call(
                notice("act.check_processing", name=path.name), partial(self.api.media, uploaded["id"])
            )
        return str(uploaded["id"])

    def _check_video(self, media: PlannedMedia, info: TargetInfo) -> None:
        """The instance's advertised video limits (`configuration.media_attachments`), checked before the
        upload: Mastodon refuses a video over its frame rate or pixel count with a 422 after the whole upload
        (MediaAttachment#check_video_dimensions); this says so first, naming the file
        (docs/mastodon.md#instance-limits-get-apiv2instance, issue 12)."""
        name = Path(media.source or media.path).name
        kind = "gif" if media.kind == "gif" else "video"
        fps_limit = _to_int(info.extra.get("video_frame_rate_limit"))
        if fps_limit and media.frame_rate and math.floor(media.frame_rate) > fps_limit:
            raise PermanentError(
                notice(
                    f"fail.video_fps.{kind}",
                    name=name,
                    fps=_fps(media.frame_rate),
                    server=self.instance,
                    max=fps_limit,
                )
            )
        matrix = _to_int(info.extra.get("video_matrix_limit"))
        if matrix and media.width * media.height > matrix:
            size = f"{media.width}×{media.height}"
            raise PermanentError(
                notice(f"fail.video_pixels.{kind}", name=name, size=size, server=self.instance, max=matrix)
            )

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except MastodonRatelimitError:
            raise RateLimited(
                self._reset_at(), notice("fail.rate_limit", network="Mastodon", detail=self.instance)
            ) from None
        except MastodonUnauthorizedError:
            raise AuthError(
                key="error.mastodon.token_rejected_while",
                params={"server": self.instance, "act": what},
                todo=[todo("login_mastodon", instance=self.instance)],
            ) from None
        except MastodonServerError as exc:
            raise TransientError(
                notice("fail.server_error", network="Mastodon", act=what, status=_status(exc), detail="")
            ) from None
        except MastodonNetworkError as exc:
            raise TransientError(notice("fail.network", act=what, detail=network_failure(exc))) from None
        except MastodonAPIError as exc:
            raise self._classify(exc, what) from None
        except (MastodonIllegalArgumentError, MastodonIOError) as exc:
            raise PermanentError(notice("fail.could_not", act=what, detail=scrub(str(exc))[:300])) from None
        except MastodonError as exc:
            raise TransientError(notice("fail.could_not", act=what, detail=type(exc).__name__)) from None

    def _classify(self, exc: MastodonAPIError, what: str) -> Exception:
        status = _status(exc)
        reason = _server_reason(exc)
        if status == 429:
            return RateLimited(
                self._reset_at(), notice("fail.rate_limit", network="Mastodon", detail=self.instance)
            )
        if status is not None and status >= 500:
            return TransientError(
                notice("fail.server_error", network="Mastodon", act=what, status=status, detail="")
            )
        if status == 403:
            return AuthError(
                key="error.mastodon.refused_403",
                params={"server": self.instance, "act": what},
                todo=[todo("login_mastodon", instance=self.instance)],
            )
        if status == 422:
            return PermanentError(
                notice("fail.rejected", network="Mastodon", act=what, detail=reason, status=422)
            )
        if status is None:
            return TransientError(notice("fail.unexpected_answer", act=what, detail=reason))
        return PermanentError(
            notice("fail.refused", network="Mastodon", act=what, detail=reason, status=status)
        )

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
    """The server's own words (its `error` field), scrubbed of secrets it may have echoed, kept short."""
    args = exc.args
    if len(args) > 3 and args[3]:
        return scrub(str(args[3]))[:300]
    if len(args) > 2 and args[2]:
        return scrub(str(args[2]))[:300]
    return type(exc).__name__


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _seen(status: dict[str, Any], order: int) -> Seen:
    media = status.get("media_attachments") or []
    aspects: list[float | None] = []
    for m in media:
        original = ((m.get("meta") or {}).get("original") or {}) if isinstance(m, dict) else {}
        w, h = original.get("width"), original.get("height")
        aspects.append(w / h if isinstance(w, int | float) and isinstance(h, int | float) and h else None)
    sid = str(status["id"])
    parent = status.get("in_reply_to_id")
    return Seen(
        id=sid,
        created_at=_aware(status["created_at"]),
        parent_id=str(parent) if parent is not None else None,
        text=loose_text(html_to_text(status.get("content") or "")),
        media=tuple(
            (media_kind(str(m.get("type") or "")), loose_text(str(m.get("description") or ""))) for m in media
        ),
        aspects=tuple(aspects),
        lang=status.get("language"),
        ref=PostRef(uri=sid, cid=sid, url=status.get("url") or ""),
        order=order,
    )


def _fps(rate: float) -> int | float:
    """A frame rate as a catalogue parameter: 120 said as a whole number, 29.97 as a decimal."""
    return int(rate) if rate == int(rate) else float(rate)
