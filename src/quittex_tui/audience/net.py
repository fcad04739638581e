"""Calling the networks politely: wait on 429 as the headers say, retry transient faults, name the rest.

Spec: ../shared/platform-limits.md (Bluesky `RateLimit-*` headers with epoch-second reset; Mastodon
`X-RateLimit-*`, parsed by Mastodon.py into `api.ratelimit_reset`).
Errors come out as the publish contract's classes (`RateLimited` is handled here by waiting;
`TransientError` after the retries; `PermanentError` for a request the server refuses) or `AuthError`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from quittex_tui.errors import AuthError, InputError
from quittex_tui.publish.target import PermanentError, TransientError

T = TypeVar("T")
MAX_WAIT = 3600.0  # never sleep more than an hour on one 429 without re-asking
RETRIES = 4


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


def atproto_call(
    fn: Callable[[], T],
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[float], None] | None = None,
) -> T:
    """Run one atproto SDK call with 429 waits and capped exponential backoff on transient faults."""
    from atproto_client.exceptions import NetworkError, RequestErrorBase, UnauthorizedError

    attempt = 0
    while True:
        try:
            return fn()
        except UnauthorizedError as exc:
            raise AuthError(
                f"Bluesky refused the session while {what}.",
                "Log in again with `quittex-tui login bluesky HANDLE`.",
            ) from exc
        except RequestErrorBase as exc:
            response = exc.response
            status = response.status_code if response is not None else None
            if status == 429:
                wait = _reset_wait(response.headers if response is not None else None, time.time())
                if on_wait:
                    on_wait(wait)
                sleep(wait)
                continue
            if status is not None and 400 <= status < 500:
                if _no_appview(exc):
                    # not "retry later" (exit 75): retrying cannot help, another option can (exit 2)
                    raise InputError(
                        f"{what}: your Bluesky server has no AppView behind it (it answered \"No service "
                        "configured for app.bsky…\"), and finding people needs one",
                        "read through a public AppView with --appview https://public.api.bsky.app "
                        "(anonymous, read-only), or use an account on a PDS that has one (e.g. bsky.social)",
                    ) from None
                raise PermanentError(f"{what}: {exc}") from exc
            if isinstance(exc, NetworkError) or status is None or status >= 500:
                attempt += 1
                if attempt > RETRIES:
                    raise TransientError(f"{what}: {exc}") from exc
                sleep(min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2))
                continue
            raise PermanentError(f"{what}: {exc}") from exc


def _no_appview(exc: Exception) -> bool:
    """The PDS's 400 when no AppView is configured: InvalidRequest "No service configured for app.bsky.…"."""
    content = getattr(getattr(exc, "response", None), "content", None)
    message = str(getattr(content, "message", "") or exc)
    return "No service configured" in message


def mastodon_call(
    fn: Callable[[], T], *, what: str, sleep: Callable[[float], None] = time.sleep, api: Any = None
) -> T:
    """Run one Mastodon.py call. The app's client is built with ratelimit_method="throw" (publish/connect.py):
    on a 429 wait until the reset Mastodon.py read from `X-RateLimit-Reset` (`api.ratelimit_reset`)."""
    from mastodon import (
        MastodonAPIError,
        MastodonNetworkError,
        MastodonRatelimitError,
        MastodonServerError,
        MastodonUnauthorizedError,
    )

    attempt = 0
    while True:
        try:
            return fn()
        except MastodonUnauthorizedError as exc:
            raise AuthError(
                f"Mastodon refused the token while {what}.",
                "Log in again with `quittex-tui login mastodon URL`.",
            ) from exc
        except MastodonRatelimitError:
            reset = getattr(api, "ratelimit_reset", None)
            try:
                wait = float(reset) - time.time() + 1.0 if reset else 60.0
            except (TypeError, ValueError):
                wait = 60.0
            sleep(max(1.0, min(MAX_WAIT, wait)))
            continue
        except (MastodonNetworkError, MastodonServerError) as exc:
            attempt += 1
            if attempt > RETRIES:
                raise TransientError(f"{what}: {exc}") from exc
            sleep(min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2))
        except MastodonAPIError as exc:
            raise PermanentError(f"{what}: {exc}") from exc


def utcnow() -> datetime:
    return datetime.now(UTC)
