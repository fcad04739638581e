"""What a run tells its front end while it works: the kinds of events, as an enum.

The posts engine (engine.py) and the follow runners (audience/follows.py) report through the same write
path (writestep.py), so they share these kinds for what they share (waiting, retrying). Each event carries
its kind — what the front end's state machine acts on — and a `message`: a notice.Notice whose English
text is the record (logs) and whose key and parameters let each front end say it in the user's language
(`i18n.say(event.message)`: the CLI through cli/locales over the core catalogue, the TUI through
tui/locales). The parameters are also reachable as `event.params` (item ids, counts, the server's words,
the time a wait ends), for a front end that lays them out its own way.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """The posts engine's events (EngineEvent.kind)."""

    ITEM_STARTED = "item_started"
    ITEM_SENT = "item_sent"
    ITEM_FAILED = "item_failed"
    WAITING = "waiting"  # a pause with an end time (pacing, a rate limit): `until` in the params
    RETRYING = "retrying"  # a transient fault, retried after a backoff
    CHECKING = "checking"  # reconciling posts whose send was not confirmed
    DONE = "done"


class FollowEventKind(StrEnum):
    """The follow runners' events (audience.follows.FollowEvent.kind)."""

    DONE = "done"  # followed (blocked, muted, listed) now
    ALREADY = "already"  # the account already had it
    FAILED = "failed"
    WAITING = "waiting"
