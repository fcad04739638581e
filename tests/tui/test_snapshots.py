"""Snapshots of every step at 80x24 and 120x40 on the demo archive (pytest-textual-snapshot).

Deterministic: a fresh home per test, dry-run latency 0, no timers or spinners on screen, toasts
cleared, and nothing time-dependent shown (the dry-run budget's reset time is only on the dry-run
detail, which these views do not highlight). Update with `pytest tests/tui --snapshot-update`.
"""

from __future__ import annotations

import pytest

from quittex_tui.tui.app import make_app
from quittex_tui.tui.drive import show_step

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
STEPS = ["archive", "accounts", "select", "review", "migrate", "report", "audience"]


def _run_before(step: str):
    async def run_before(pilot) -> None:
        await show_step(pilot, step)

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("step", STEPS)
def test_step_snapshot(snap_compare, step: str, size: str) -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_run_before(step))


def test_french_review_snapshot(snap_compare) -> None:
    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_run_before("review"))


def test_help_overlay_fits_80x24_snapshot(snap_compare) -> None:
    """The key column is as wide as the widest key and descriptions wrap under themselves."""

    async def run_before(pilot) -> None:
        await show_step(pilot, "archive")
        await pilot.press("question_mark")
        await pilot.pause(0.3)

    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_french_login_error_dialog_snapshot(snap_compare) -> None:
    """A refused connection in French: the TUI's own words and fields (Serveur (PDS)), no shell command."""
    from textual.widgets import Input

    from quittex_tui.tui.drive import wait_for
    from quittex_tui.tui.screens.modals import ErrorScreen

    async def run_before(pilot) -> None:
        await show_step(pilot, "accounts")
        await pilot.press("enter")  # Bluesky is highlighted: its login dialog
        dialog = pilot.app.screen
        dialog.query_one("#bsky-handle", Input).value = "camille.test"
        dialog.query_one("#bsky-password", Input).value = "abcd-efgh-ijkl-mnop"
        dialog.query_one("#bsky-service", Input).value = "http://127.0.0.1:9"  # nothing listens there
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorScreen), timeout=30)
        await pilot.pause(0.3)
        pilot.app.clear_notifications()

    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_unexpected_error_dialog_snapshot(snap_compare, monkeypatch) -> None:
    """A worker's bug as the user sees it at 80x24: the app goes on, the crash report is named. The report's
    path is fixed for the picture (it holds the time and the pid)."""
    from pathlib import Path

    from quittex_tui.tui.drive import wait_for
    from quittex_tui.tui.screens.modals import ErrorScreen

    monkeypatch.setattr(
        "quittex_tui.crash.write_crash_report",
        lambda error, where="tui": Path("/home/camille/.local/state/quittex-tui/crash-1.txt"),
    )

    async def run_before(pilot) -> None:
        await show_step(pilot, "archive")

        def broken() -> None:
            raise RuntimeError("a bug")

        pilot.app.screen.run_worker(broken, thread=True, exit_on_error=False)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorScreen))
        await pilot.pause(0.3)
        pilot.app.clear_notifications()

    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_french_resend_unsure_dialog_snapshot(snap_compare) -> None:
    """Posts the engine could not confirm, in French at 80x24: what happened, what to look at, and what each
    key does (send them again / leave them)."""
    from quittex_tui.notice import notice
    from quittex_tui.tui.drive import wait_for
    from quittex_tui.tui.screens.modals import ConfirmScreen

    async def run_before(pilot) -> None:
        await show_step(pilot, "report")
        main = pilot.app.screen
        slot = main.session.slots["dry-run"]
        item = main.session.rows[0].id
        slot.failures = {
            item: notice("fail.unsure", n=1, item=item, reason=notice("fail.look_alike"), todo="")
        }
        main.query_one("#report-list").focus()
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.pause(0.3)
        pilot.app.clear_notifications()

    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
