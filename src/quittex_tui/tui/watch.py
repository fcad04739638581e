"""Watching a migration that another process writes (one writer per migration:
ARCHITECTURE.md#the-journal-how-never-twice-holds). No Textual here.

A migration of several days runs headless (`quittex-tui migrate` in tmux or under systemd) and holds the
migration's writer lock (publish/lock.py). The app then opens it READ-ONLY: it names the writer (pid, host,
since when), sends nothing to that destination, and shows the run's live progress by polling the journal
with a `JournalView` (publish/journal.py), which reads only what was appended since the last look and
reloads after the writer's compaction. When the lock is released the app says so and may take over.

The main screen calls `Watcher.poll()` from a thread worker about once a second; each call is O(records
appended since the last call) plus O(items those records touch), so a 100k-post journal costs nothing
between two posts.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quittex_tui.publish.journal import Journal, JournalEntry, JournalView
from quittex_tui.publish.lock import LockHolder, lock_holder, lock_path_for

if TYPE_CHECKING:
    from quittex_tui.tui.session import Session

POLL_SECONDS = 1.0
RATE_WINDOW = 120.0  # seconds of samples the watched run's speed (and so its ETA) is measured over


def item_status(journal: Journal, item_id: str, posts: int, *, writing: bool = False) -> str:
    """An item's state from the journal alone: "sent" when every post is done, "failed" when one failed,
    "sending" when a post has an intent without result while its writer runs, else "planned"."""
    entries = [journal.find(item_id, index, "post") for index in range(posts)]
    if entries and all(e is not None and e.status == "done" for e in entries):
        return "sent"
    if any(e is not None and e.status == "failed" for e in entries):
        return "failed"
    if writing and any(e is not None and e.status == "intent" for e in entries):
        return "sending"
    return "planned"


def statuses_from_journal(
    planned: Iterable[tuple[str, int]], journal: Journal, *, writing: bool = False
) -> dict[str, str]:
    """`item_status` of every (item id, number of posts) planned — from the plan's summary, so a 100k-item
    selection costs no plan building (Session.planned_items)."""
    return {item_id: item_status(journal, item_id, posts, writing=writing) for item_id, posts in planned}


class WatchedJournal(JournalView):
    """A JournalView that remembers which items its refreshes touched, and the last one written."""

    def __init__(self, path: Path) -> None:
        self.touched: set[str] = set()
        self.last_item: str | None = None
        super().__init__(path)

    def _merge(self, status: Any, f: dict[str, Any]) -> JournalEntry:
        entry = super()._merge(status, f)
        self.touched.add(entry.item_id)
        self.last_item = entry.item_id
        return entry

    def take_touched(self) -> set[str]:
        touched, self.touched = self.touched, set()
        return touched


@dataclass
class Watch:
    """What the app knows of a run held by another process."""

    holder: LockHolder
    view: WatchedJournal
    # The selection as it was when the watch began (what the Queue pane lists): item id -> its posts.
    posts: dict[str, int] = field(default_factory=dict)
    last_item: str | None = None
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=512))
    eta_seconds: float | None = None

    def measure(self, sent: int, remaining: int, now: float) -> None:
        """The run's speed over the last RATE_WINDOW seconds, hence its ETA (None until it moved)."""
        self.samples.append((now, sent))
        while self.samples and now - self.samples[0][0] > RATE_WINDOW:
            self.samples.popleft()
        first_t, first_sent = self.samples[0]
        if now - first_t >= 2 and sent > first_sent:
            self.eta_seconds = remaining * (now - first_t) / (sent - first_sent)


@dataclass(frozen=True)
class WatchEvent:
    target: str
    kind: str  # "started" (found running elsewhere) | "progress" | "ended" (the writer let go)
    holder: LockHolder


def holder_words(holder: LockHolder | None) -> dict[str, str]:
    """Who writes a migration elsewhere, for the catalogue's {pid}, {host}, {since} (local time)."""
    from quittex_tui.tui.i18n import datetime_short

    if holder is None:
        return {"pid": "?", "host": "?", "since": "-"}
    return {
        "pid": str(holder.pid or "?"),
        "host": holder.host,
        "since": datetime_short(holder.since.astimezone()),
    }


def is_ours(holder: LockHolder) -> bool:
    return holder.pid == os.getpid() and holder.host in (socket.gethostname(), "?")


class Watcher:
    """Finds the destinations whose migration another process writes and follows their journals."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def writer_elsewhere(self, name: str) -> LockHolder | None:
        holder = lock_holder(lock_path_for(self.session.journal_path(name)))
        return None if holder is None or is_ours(holder) else holder

    def poll(self, now: float | None = None) -> list[WatchEvent]:
        """One look at every chosen destination not sending from this app. Blocking (file reads)."""
        now = time.monotonic() if now is None else now
        events: list[WatchEvent] = []
        s = self.session
        for name in s.active_targets():
            slot = s.slots[name]
            if slot.running:
                continue
            holder = self.writer_elsewhere(name)
            watch = slot.watch
            if holder is not None:
                if watch is None or watch.holder != holder:
                    watch = Watch(holder, WatchedJournal(s.journal_path(name)), dict(s.planned_items(name)))
                    slot.watch, slot.elsewhere = watch, holder
                    self._update(name, watch, full=True, writing=True, now=now)
                    events.append(WatchEvent(name, "started", holder))
                elif self._update(name, watch, full=False, writing=True, now=now):
                    events.append(WatchEvent(name, "progress", holder))
            elif watch is not None:
                # The writer let go (finished, stopped, killed): one last read, intents become "planned"
                # again (the next run reconciles them), and this app may send.
                self._update(name, watch, full=True, writing=False, now=now)
                slot.watch, slot.elsewhere = None, None
                events.append(WatchEvent(name, "ended", watch.holder))
        return events

    def _update(self, name: str, watch: Watch, *, full: bool, writing: bool, now: float) -> bool:
        s = self.session
        slot = s.slots[name]
        view = watch.view
        changed = view.refresh()
        touched = view.take_touched()
        if not (changed or full):
            return False
        if full or not len(view):
            fresh = statuses_from_journal(watch.posts.items(), view, writing=writing)
        else:
            fresh = dict(slot.statuses)
            for item_id in touched:
                posts = watch.posts.get(item_id)
                if posts is not None:
                    fresh[item_id] = item_status(view, item_id, posts, writing=writing)
        slot.statuses = fresh  # one assignment: the UI thread reads the old or the new dict, never half
        watch.last_item = view.last_item or watch.last_item
        values = list(fresh.values())
        sent = values.count("sent")
        watch.measure(sent, len(values) - sent - values.count("failed"), now)
        return True
