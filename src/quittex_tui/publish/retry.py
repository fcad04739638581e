"""Retrying transient faults (timeouts, connection resets, 5xx) with capped exponential backoff + jitter.

Spec: ARCHITECTURE.md#the-engine (pacing and faults). "Equal jitter" (half fixed, half random) keeps a
floor under every wait — a flaky server is never hammered — while spreading retries of several clients.
After `max_attempts` the engine gives up on the post: the item fails with a readable reason, unless the
server looks down for the whole run, which ends the run instead (ServiceError, exit 2, state intact).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class RetryPolicy:
    max_attempts: int = 6  # tries per write, the first included
    base: float = 1.0  # seconds before the 2nd try
    cap: float = 60.0  # no wait longer than this
    # After this many items in a row gave up on transient faults (or the first one when nothing has
    # succeeded yet this run), the server is taken as down: the run stops instead of failing every item.
    down_after: int = 2
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        ceiling = min(self.cap, self.base * 2.0 ** (attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def network_failure(exc: BaseException) -> str:
    """A plain-words cause of a transport failure, for messages (not the SDK's class name).

    Looks through the exception chain (the SDKs wrap requests/httpx errors) for a timeout or a refusal.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    names: list[str] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names.append(f"{type(current).__name__} {current}".lower())
        current = current.__cause__ or current.__context__
    text = " ".join(names)
    if "timeout" in text or "timed out" in text:
        return "the server did not answer in time"
    if "refused" in text:
        return "the server refused the connection (is it running, is the address right?)"
    return "no answer from the server (connection failed or was cut)"
