"""One way for the TUI to run work (ARCHITECTURE.md#how-the-tui-runs-work): a worker's failure is the error
dialog, never the end of the app; typed messages per event; each follow run has its own stop; and the engine's
gaps in the app: the choice for posts it could not confirm, and reconciliation shown while it runs. All on the
demo archive (its dry-run destination runs the real engine, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from quittex_tui.errors import QuittexError
from quittex_tui.notice import notice
from quittex_tui.publish.engine import EngineEvent, Progress
from quittex_tui.publish.events import EventKind
from quittex_tui.state import Step
from quittex_tui.tui.app import make_app
from quittex_tui.tui.messages import EngineUpdate, FollowFinished, SearchFinished
from quittex_tui.tui.screens.main import MainScreen
from quittex_tui.tui.screens.modals import ConfirmScreen, ErrorScreen
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


def shown(screen) -> str:
    return " ".join(str(w.render()) for w in screen.query(Static))


async def test_a_worker_that_raises_a_plain_error_shows_the_dialog_and_the_app_goes_on() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)

        def broken() -> None:
            raise RuntimeError("a bug in a worker")

        main.run_worker(broken, thread=True, exit_on_error=False)
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), timeout=20)
        text = shown(app.screen)
        assert "unexpected error (RuntimeError)" in text
        report = next(Path(p) for p in text.split() if p.endswith(".txt"))
        assert "a bug in a worker" in report.read_text("utf-8")  # the details are in the crash report
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.is_running and app.return_code is None
        await pilot.press("2")  # still answering keys
        await wait_for(pilot, lambda: main.step == Step.ACCOUNTS)


async def test_a_quittex_error_in_a_worker_is_its_message_and_hint_in_the_users_language() -> None:
    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)

        def refused() -> None:
            raise QuittexError(key="session.not_connected", params={"network": "Bluesky"})

        main.run_worker(refused, thread=True, exit_on_error=False)
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), timeout=20)
        assert "Bluesky" in shown(app.screen) and "RuntimeError" not in shown(app.screen)
        assert app.is_running


async def test_each_follow_run_stops_alone_and_search_and_follow_messages_never_mix() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)
        main.goto(Step.AUDIENCE)
        model = main.session.audience
        await wait_for(pilot, lambda: model.loaded, timeout=30)
        bsky, masto = model.follows["bluesky"], model.follows["mastodon"]
        bsky.running = masto.running = True
        model.search["bluesky"].running = True
        model.network = "bluesky"
        main.action_audience("follow")  # `F` on a running Bluesky run: stop it — only it
        assert bsky.stop.is_set() and not masto.stop.is_set()
        assert model.search["bluesky"].running  # the search goes on
        main.post_message(SearchFinished("bluesky", {}))
        await wait_for(pilot, lambda: not model.search["bluesky"].running)
        assert bsky.running and masto.running and model.search["bluesky"].done
        main.post_message(FollowFinished("bluesky", None))  # it failed: the app's dialog said why
        await wait_for(pilot, lambda: not bsky.running)
        assert bsky.error and masto.running and not masto.error


async def test_reconciliation_shows_in_the_queue_while_it_runs() -> None:
    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)
        main.goto(Step.MIGRATE)
        slot = main.session.slots["dry-run"]
        slot.running = True
        progress = Progress(
            total=5,
            sent=0,
            failed=0,
            remaining=5,
            already=0,
            eta_seconds=None,
            waiting_until=None,
            last_error="",
            current_item=None,
        )
        main.post_message(
            EngineUpdate(
                "dry-run", EngineEvent(EventKind.CHECKING, None, notice("event.checking", n=3), progress)
            )
        )
        await wait_for(
            pilot,
            lambda: "Vérification sur le serveur" in str(main.query_one("#queue-progress", Static).render()),
        )
        assert slot.checking


async def test_posts_the_engine_could_not_confirm_are_offered_again_by_keyboard() -> None:
    """Report step: `u` lists the unsure posts; `n` leaves them; `y` runs the engine with resend_unsure
    (the CLI's --retry-failed --resend-unsure)."""
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        await wait_for(pilot, lambda: s.slots["dry-run"].connected, timeout=30)
        item = s.rows[0].id
        reason = notice("fail.unsure", n=1, item=item, reason=notice("fail.look_alike"), todo="look")
        runs: list[dict[str, object]] = []
        real_run = s.run

        def run(name, on_event, **kw):  # the real engine; the test only notes how it was asked
            runs.append(kw)
            return real_run(name, on_event, **kw)

        s.run = run
        main.goto(Step.REPORT)
        await pilot.pause(0.3)
        s.slots["dry-run"].failures = {item: reason}
        main.query_one("#report-list").focus()
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        text = shown(app.screen)
        assert "could not be confirmed" in text and "send them again" in text and "leave them" in text
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert runs == []
        s.slots["dry-run"].failures = {item: str(reason)}  # an earlier run's: the journal's English text
        main.query_one("#report-list").focus()
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(runs), timeout=20)
        assert runs[0]["resend_unsure"] is True and runs[0]["retry_failed"] is True
        await wait_for(pilot, lambda: not s.slots["dry-run"].running, timeout=60)


async def test_the_exported_markdown_report_speaks_the_users_language_the_csv_stays_a_record() -> None:
    from quittex_tui.tui.drive import show_step

    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await show_step(pilot, "report")
        main = app.screen
        assert isinstance(main, MainScreen)
        s = main.session
        await pilot.press("w")
        md = s.state_path.with_name(f"{s.state_path.stem}.report.md")
        csv_path = md.with_suffix(".csv")
        await wait_for(pilot, lambda: md.exists() and csv_path.exists())
        text = md.read_text("utf-8")
        assert text.startswith("# Rapport quittex-tui") and "publications envoyées" in text
        assert "posts sent" not in text and "FAILED" not in text
        assert csv_path.read_text("utf-8").splitlines()[0] == "target,item_id,status,url,reason,note"


async def test_a_bug_while_loading_is_one_dialog_over_the_start_screen(monkeypatch) -> None:
    from quittex_tui.tui.screens.start import StartScreen

    def broken(*args, **kwargs):
        raise RuntimeError("a bug while reading")

    monkeypatch.setattr("quittex_tui.tui.session.open_session", broken)
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), timeout=20)
        await pilot.pause(0.3)
        assert sum(isinstance(s, ErrorScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        assert app.is_running
