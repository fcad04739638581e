"""Messages the panes and workers send to the main screen (Textual's post_message is thread-safe).

One Message class per event, each with typed fields, handled with `@on(...)` (no
`kind: str, payload: Any` message whose payload's type depends on a string)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from quittex_tui.audience.follows import FollowEvent, FollowReport
    from quittex_tui.audience.models import Suggestion
    from quittex_tui.publish.engine import EngineEvent, RunReport


class CursorMoved(Message):
    """The user moved in a list: save state.cursor soon (debounced)."""


class SelectionChanged(Message):
    """Included/skipped items, edits or options changed: save now and refresh counts and estimates."""

    def __init__(self, rebuild_plans: bool = False) -> None:
        super().__init__()
        self.rebuild_plans = rebuild_plans


class AccountsChanged(Message):
    """A target was connected, disconnected, chosen or dropped."""


class AccountAction(Message):
    """A key of the Accounts pane asks the screen to act on destination `name` (the screen owns the
    workers and dialogs): `connect`, `logout` or `reconnect`."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class ConnectRequested(AccountAction):
    """Log in to destination `name` (the login dialog), or reconnect the dry run."""


class LogoutRequested(AccountAction):
    """Remove the saved secrets of destination `name`, after a confirmation."""


class ReconnectRequested(AccountAction):
    """Connect destination `name` again with its saved account."""


class EngineUpdate(Message):
    """An engine event from a migration worker thread."""

    def __init__(self, target: str, event: EngineEvent) -> None:
        super().__init__()
        self.target = target
        self.event = event


class RunFinished(Message):
    """A migration worker ended: `report` is None when the run did not end normally (its error is the
    app's dialog, tui/workers.py, or the writer lock's message)."""

    def __init__(self, target: str, report: RunReport | None = None) -> None:
        super().__init__()
        self.target = target
        self.report = report


# --- the Audience step's workers ---------------------------------------------------------------------
class AudienceLoaded(Message):
    """The people of the archive were read (or reading them failed: the app's dialog says why)."""


class SearchProgress(Message):
    """A search for candidates on `network` goes on."""

    def __init__(self, network: str, message: str, fraction: float) -> None:
        super().__init__()
        self.network = network
        self.message = message
        self.fraction = fraction


class SearchFinished(Message):
    """A search ended: `found` per X id, or None when it failed (`error` says why, when known)."""

    def __init__(self, network: str, found: dict[str, Suggestion] | None, error: str = "") -> None:
        super().__init__()
        self.network = network
        self.found = found
        self.error = error


class FollowProgress(Message):
    """One event of a follow run on `network`."""

    def __init__(self, network: str, event: FollowEvent) -> None:
        super().__init__()
        self.network = network
        self.event = event


class FollowFinished(Message):
    """A follow run ended: its report, or None when it failed (the app's dialog says why)."""

    def __init__(self, network: str, report: FollowReport | None) -> None:
        super().__init__()
        self.network = network
        self.report = report


class ProfileWritten(Message):
    """The profile was written to `network` (`error` empty), or not."""

    def __init__(self, network: str, error: str = "") -> None:
        super().__init__()
        self.network = network
        self.error = error


# --- to the app (widgets and screens reach it through messages, not calls on `self.app`) -------------
class OpenArchive(Message):
    """Open an archive (or the demo) in the loading screen."""

    def __init__(
        self, path: Path | list[Path], *, demo: bool = False, state_path: Path | None = None
    ) -> None:
        super().__init__()
        self.path = path
        self.demo = demo
        self.state_path = state_path


class OpenLink(Message):
    """Open `url` in a browser tab when served, else copy it (QuittexApp.open_link)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class ExportWritten(Message):
    """A file the TUI wrote for the user: delivered as a download when served (QuittexApp.deliver_export)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
