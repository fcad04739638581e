"""One way for the TUI to run work: every worker is started with `exit_on_error=False`, and a failure
becomes the error dialog in one place (QuittexApp.on_work_failed), never the end of the app.

Textual posts `Worker.StateChanged` to the node that started the worker, without bubbling. The screens
and widgets that start workers mix in `ReportsWorkerErrors`: its handler forwards an ERROR to the app as
`WorkFailed`, and the app shows it — a QuittexError's message and hint in the user's language, any other
exception as "unexpected error" with a crash report written (crash.py), the app still running. A worker
that must tidy up after a failure (a run's `running` flag…) does it in a `finally`, not in an `except`
that repeats the dialog. (Harlequin's app.py handles its workers the same way.)
"""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState


class WorkFailed(Message):
    """A worker ended with an exception (posted to the app)."""

    def __init__(self, error: BaseException, worker_name: str = "") -> None:
        super().__init__()
        self.error = error
        self.worker_name = worker_name


class ReportsWorkerErrors(Widget):
    """Mixed into each screen or widget that starts workers: their failures reach the app's dialog."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.post_message(WorkFailed(event.worker.error, event.worker.name))
