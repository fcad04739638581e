"""Messages the panes and workers send to the main screen (Textual's post_message is thread-safe)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class CursorMoved(Message):
    """The user moved in a list: save state.cursor soon (debounced)."""


class SelectionChanged(Message):
    """Included/skipped items, edits or options changed: save now and refresh counts and estimates."""

    def __init__(self, rebuild_plans: bool = False) -> None:
        super().__init__()
        self.rebuild_plans = rebuild_plans


class AccountsChanged(Message):
    """A target was connected, disconnected, chosen or dropped."""


class EngineUpdate(Message):
    """An engine event from a migration worker thread."""

    def __init__(self, target: str, event: Any) -> None:
        super().__init__()
        self.target = target
        self.event = event


class RunFinished(Message):
    def __init__(self, target: str, report: Any = None, error: str = "") -> None:
        super().__init__()
        self.target = target
        self.report = report
        self.error = error


class AudienceUpdate(Message):
    """From an Audience worker: `kind` is "search" | "searched" | "follow" | "followed" | "profile" |
    "loaded"; `network` the network it concerns; `payload` the core's event, result or error text."""

    def __init__(self, kind: str, network: str = "", payload: Any = None, error: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.network = network
        self.payload = payload
        self.error = error
