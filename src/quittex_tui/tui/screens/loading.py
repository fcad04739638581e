"""Loading: the archive is read, the state opened and the plans built in a thread worker, with a
progress bar fed by the reader's progress callback. The screen dismisses itself with its result: the
Session, or the QuittexError that kept the archive from opening (the app's push_screen callback,
QuittexApp.loaded, shows the main screen or the error); an unexpected failure is the worker's (the app's
error dialog, tui/workers.py) and dismisses with None."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from quittex_tui.errors import QuittexError
from quittex_tui.tui.i18n import t
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.widgets.chart import progress_bar
from quittex_tui.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from quittex_tui.tui.session import Session

TUI_DIR = Path(__file__).resolve().parent.parent


class LoadProgress(Message):
    def __init__(self, message: str, fraction: float) -> None:
        super().__init__()
        self.message = message
        self.fraction = fraction


class LoadingScreen(ReportsWorkerErrors, Screen["Session | QuittexError | None"]):
    CSS_PATH = TUI_DIR / "loading.tcss"

    def __init__(
        self,
        archive_path: Path | list[Path],
        *,
        demo: bool = False,
        state_path: Path | None = None,
        now: Callable[[], datetime] | None = None,
        dry_run_latency: float = 0.05,
    ) -> None:
        super().__init__()
        self.archive_path = archive_path
        self.demo = demo
        self.state_path = state_path
        self.now = now
        self.dry_run_latency = dry_run_latency
        self._last_post = 0.0

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="loading-box"):
            yield Static(t("app.title"), id="loading-title")
            yield Static(t("loading.reading", path=self.path_label()), id="loading-path")
            yield Static(progress_bar(0, 1, 40), id="loading-bar")
            yield Static("", id="loading-step")

    def path_label(self) -> str:
        if isinstance(self.archive_path, list):
            return ", ".join(p.name for p in self.archive_path)
        return str(self.archive_path)

    def on_mount(self) -> None:
        self.load()

    def progress(self, message: str, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last_post > 0.05 or fraction >= 1.0:  # no message flood from a 100k-tweet read
            self._last_post = now
            self.post_message(LoadProgress(message, fraction))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        from quittex_tui.tui.session import open_session

        started = time.perf_counter()
        result: Session | QuittexError
        try:
            session = open_session(
                self.archive_path,
                demo=False,
                state_path=self.state_path,
                progress=self.progress,
                now=self.now,
            )
            session.demo = self.demo
            if self.demo:
                session.dry_run_latency = self.dry_run_latency
                session.enable_demo()
            session.load_seconds = time.perf_counter() - started
            session.loaded_at = time.perf_counter()
            result = session
        except QuittexError as exc:  # the user's input (a damaged archive…): the start screen says it
            result = exc
        self.app.call_from_thread(self.dismiss, result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (Textual also calls ReportsWorkerErrors' handler, which shows a bug in the app's error dialog;
        # this one only leaves the loading screen for the start screen under that dialog.)
        if event.state == WorkerState.ERROR:
            self.dismiss(None)

    def on_load_progress(self, message: LoadProgress) -> None:
        self.query_one("#loading-bar", Static).update(
            f"{progress_bar(round(message.fraction * 1000), 1000, 40)} {message.fraction:4.0%}"
        )
        # the core's own progress words are English; show ours (the catalogue) instead
        key = "loading.archive" if message.fraction < 0.8 else "loading.planning"
        self.query_one("#loading-step", Static).update(t(key))
