"""Calling the networks politely: wait on 429 as the headers say, retry transient faults, name the rest.

Spec: docs/bluesky.md#rate-limits, docs/mastodon.md#rate-limits (Bluesky `RateLimit-*` headers with
epoch-second reset; Mastodon `X-RateLimit-*`, parsed by Mastodon.py into `api.ratelimit_reset`).

Two layers:
- `atproto_errors` / `mastodon_errors`: ONE try, the SDK's failure turned into the publish contract's
  classes — `RateLimited(reset_at)`, `TransientError`, `PermanentError`, `AuthError`, `ServiceError`. The
  follow runners hand these to the shared write step (publish/writestep.py), which waits and retries with
  the same stop-aware policy as the posts engine (ARCHITECTURE.md#the-engine, issue 15, "one write path, one
  wait policy").
- `atproto_call` / `mastodon_call`: the same, plus waiting on 429 and retrying transient faults, for the
  reads of the search and profile steps. Their waits go through `waiting_with(...)`'s function when a
  runner installed one (a follow run does: a stop is then seen within a second, even in an hour-long
  wait), else through `sleep`.
Every message quoting a server's words is scrubbed of secrets first (publish/scrub.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, TypeVar

from quittex_tui.clock import utcnow
from quittex_tui.errors import AuthError, InputError, todo
from quittex_tui.notice import notice
from quittex_tui.publish.pacing import WaitReason
from quittex_tui.publish.target import PermanentError, RateLimited, TransientError
from quittex_tui.scrub import scrub

T = TypeVar("T")
MAX_WAIT = 3600.0  # never sleep more than an hour on one 429 without re-asking
RETRIES = 4

# The wait function of the runner working in this thread/context (stop-aware), if any.
_WAIT: ContextVar[Callable[[float], None] | None] = ContextVar("quittex_audience_wait", default=None)


@contextmanager
def waiting_with(wait: Callable[[float], None]) -> Iterator[None]:
    """Within this block, every wait of `atproto_call` / `mastodon_call` in this context uses `wait` (a
    stop-aware wait that raises to abandon the call) instead of a plain sleep."""
    token = _WAIT.set(wait)
    try:
        yield
    finally:
        _WAIT.reset(token)


def _wait(sleep: Callable[[float], None], seconds: float) -> None:
    (_WAIT.get() or sleep)(seconds)


def _reset_wait(headers: dict[str, Any] | None, now: float) -> float:
    headers = {str(k).lower(): v for k, v in (headers or {}).items()}
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, min(MAX_WAIT, float(value) - now))
        except (TypeError, ValueError):
            try:
                at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                return max(0.0, min(MAX_WAIT, at.timestamp() - now))
            except ValueError:
                continue
    retry_after = headers.get("retry-after")
    try:
        return max(0.0, min(MAX_WAIT, float(retry_after))) if retry_after is not None else 60.0
    except (TypeError, ValueError):
        return 60.0


def _text(exc: BaseException) -> str:
    return scrub(str(exc))[:300]


def atproto_errors(fn: Callable[[], T], *, what: str, handle: str = "") -> T:
    """One atproto SDK call; its failure as RateLimited / TransientError / PermanentError / AuthError.
    `what` says what the call does (a notice.Notice); `handle`: the account, for "log in again"."""
    from atproto_client.exceptions import NetworkError, RequestErrorBase, UnauthorizedError

    try:
        return fn()
    except UnauthorizedError as exc:
        raise AuthError(
            key="error.audience.bluesky_session",
            params={"what": what},
            todo=[todo("login_bluesky", handle=handle or "HANDLE")],
        ) from exc
    except RequestErrorBase as exc:
        response = exc.response
        status = response.status_code if response is not None else None
        if status == 429:
            wait = _reset_wait(response.headers if response is not None else None, time.time())
            raise RateLimited(
                utcnow() + timedelta(seconds=wait),
                notice("fail.call", what=what, detail=WaitReason.RATE_LIMITED),
            ) from exc
        if status is not None and 400 <= status < 500:
            if _no_appview(exc):
                # not "retry later" (exit 75): retrying cannot help, another option can (exit 2)
                raise InputError(
                    key="error.audience.no_appview", params={"what": what}, todo=[todo("use_appview")]
                ) from None
            raise PermanentError(notice("fail.call", what=what, detail=_text(exc))) from exc
        if isinstance(exc, NetworkError) or status is None or status >= 500:
            raise TransientError(notice("fail.call", what=what, detail=_text(exc))) from exc
        raise PermanentError(notice("fail.call", what=what, detail=_text(exc))) from exc


def atproto_call(
    fn: Callable[[], T],
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[float], None] | None = None,
) -> T:
    """Run one atproto SDK call with 429 waits and capped exponential backoff on transient faults."""
    attempt = 0
    while True:
        try:
            return atproto_errors(fn, what=what)
        except RateLimited as exc:
            wait = max(0.0, min(MAX_WAIT, (exc.reset_at - utcnow()).total_seconds()))
            if on_wait:
                on_wait(wait)
            _wait(sleep, wait)
        except TransientError:
            attempt += 1
            if attempt > RETRIES:
                raise
            _wait(sleep, min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2))


def _no_appview(exc: Exception) -> bool:
    """The PDS's 400 when no AppView is configured: InvalidRequest "No service configured for app.bsky.…"."""
    content = getattr(getattr(exc, "response", None), "content", None)
    message = str(getattr(content, "message", "") or exc)
    return "No service configured" in message


def mastodon_errors(fn: Callable[[], T], *, what: str, api: Any = None) -> T:
    """One Mastodon.py call (client built with ratelimit_method="throw", publish/connect.py); its failure
    as RateLimited (at the reset Mastodon.py read from `X-RateLimit-Reset`) / TransientError /
    PermanentError / AuthError."""
    from mastodon import (
        MastodonAPIError,
        MastodonNetworkError,
        MastodonRatelimitError,
        MastodonServerError,
        MastodonUnauthorizedError,
    )

    try:
        return fn()
    except MastodonUnauthorizedError as exc:
        raise AuthError(
            key="error.audience.mastodon_token",
            params={"what": what},
            todo=[todo("login_mastodon", instance=_instance(api))],
        ) from exc
    except MastodonRatelimitError as exc:
        reset = getattr(api, "ratelimit_reset", None)
        try:
            wait = float(reset) - time.time() + 1.0 if reset else 60.0
        except (TypeError, ValueError):
            wait = 60.0
        wait = max(1.0, min(MAX_WAIT, wait))
        raise RateLimited(
            utcnow() + timedelta(seconds=wait), notice("fail.call", what=what, detail=WaitReason.RATE_LIMITED)
        ) from exc
    except (MastodonNetworkError, MastodonServerError) as exc:
        raise TransientError(notice("fail.call", what=what, detail=_text(exc))) from exc
    except MastodonAPIError as exc:
        raise PermanentError(notice("fail.call", what=what, detail=_text(exc))) from exc


def mastodon_call(
    fn: Callable[[], T], *, what: str, sleep: Callable[[float], None] = time.sleep, api: Any = None
) -> T:
    """Run one Mastodon.py call with 429 waits (until the reset) and retries of transient faults."""
    attempt = 0
    while True:
        try:
            return mastodon_errors(fn, what=what, api=api)
        except RateLimited as exc:
            _wait(sleep, max(1.0, min(MAX_WAIT, (exc.reset_at - utcnow()).total_seconds())))
        except TransientError:
            attempt += 1
            if attempt > RETRIES:
                raise
            _wait(sleep, min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2))


def _instance(api: Any) -> str:
    """The Mastodon server a client talks to (for "log in again"), or a placeholder."""
    return str(getattr(api, "api_base_url", "") or "URL")
