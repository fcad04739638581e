"""The TUI for a person alone: error dialogs in their language that speak of the TUI's fields and keys,
logging out from the Accounts pane, Textual's own palette commands translated, the demo kept apart from
real migrations, and a crash report instead of a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from quittex_tui import i18n
from quittex_tui.publish import secrets
from quittex_tui.state import BlueskyAccount
from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.connect import BlueskyLoginScreen
from quittex_tui.tui.screens.modals import ConfirmScreen, ErrorScreen
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


def shown(screen) -> str:
    return " ".join(str(w.render()) for w in screen.query(Static))


async def test_a_login_error_speaks_french_and_of_the_dialogs_fields() -> None:
    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_main(pilot)
            await pilot.press("2", "enter")
            assert isinstance(app.screen, BlueskyLoginScreen)
            dialog = app.screen
            # what people paste: a profile URL works as the handle
            dialog.query_one("#bsky-handle", Input).value = "https://bsky.app/profile/Camille.test"
            dialog.query_one("#bsky-password", Input).value = "abcd-efgh-ijkl-mnop"
            dialog.query_one("#bsky-service", Input).value = "http://127.0.0.1:9"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), timeout=30)
            text = shown(app.screen)
            assert "Le serveur Bluesky (PDS) http://127.0.0.1:9 est injoignable" in text
            assert "« Serveur (PDS) »" in text and "connexion réseau" in text
            assert "--service" not in text and "login bluesky" not in text  # no shell command in the TUI
    finally:
        i18n.set_language("en")


async def test_log_out_from_the_accounts_pane_after_confirming(isolated_home: Path) -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        s.state.bluesky = BlueskyAccount(handle="camille.test", service="http://127.0.0.1:9")
        secrets.update_secrets("bluesky:camille.test", password="abcd-efgh-ijkl-mnop", session="sess")
        await pilot.press("2")
        assert main.query_one("#accounts").highlighted == 0  # Bluesky
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "camille.test" in shown(app.screen)
        await pilot.press("n")  # no: nothing removed
        assert secrets.load_secrets("bluesky:camille.test")
        await pilot.press("x", "y")
        await wait_for(pilot, lambda: not secrets.load_secrets("bluesky:camille.test"), timeout=10)
        assert not s.slots["bluesky"].connected
        await pilot.press("down", "down")  # the dry run: nothing to log out of
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_textuals_own_palette_commands_speak_french() -> None:
    app = make_app(None, demo=True, lang="fr", dry_run_latency=0)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_main(pilot)
            titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
            assert {"Thème", "Quitter", "Panneau des touches", "Capture d'écran"} <= set(titles)
            assert not {"Theme", "Quit", "Keys", "Screenshot"} & set(titles)
            assert titles["Thème"] == "Changer les couleurs de l'interface"
            await pilot.press("ctrl+p")
            await pilot.pause(0.3)
            palette_input = app.screen.query_one(Input)
            assert palette_input.placeholder == "Chercher une commande..."
    finally:
        i18n.set_language("en")


async def test_the_demo_keeps_its_state_apart_from_real_migrations(isolated_home: Path) -> None:
    from quittex_tui.state import list_states
    from quittex_tui.tui.screens.start import StartScreen

    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)
        assert main.session.state_path.parent == isolated_home / "state" / "demo"
        await pilot.press("space")  # a change, saved at once
        await pilot.pause(0.5)
    assert list_states() == []  # the start screen's list of migrations to resume stays empty
    app = make_app(None, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.pause(0.5)
        options = app.screen.query_one("#states")
        assert options.option_count == 1  # only "Try the demo archive"


async def test_an_unexpected_error_shows_where_the_crash_report_is(
    isolated_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)

    def broken() -> None:
        raise RuntimeError("an unexpected bug")

    with pytest.raises(RuntimeError, match="an unexpected bug"):  # Pilot re-raises it for the test
        async with app.run_test(size=(100, 30)) as pilot:
            main = await wait_main(pilot)
            main.action_next_step = broken  # the next key press hits a bug
            await pilot.press("n")
            await pilot.pause(0.5)
    assert app.return_code == 70
    (report,) = (isolated_home / "log" / "crash").glob("crash-*.txt")
    assert app.crash_report == report  # cli/app_cmd.py prints it whole once the terminal is restored
    assert "RuntimeError: an unexpected bug" in report.read_text("utf-8")
    # what the terminal shows on exit: the report's path in words, not Textual's traceback with locals
    printed = capfd.readouterr().err
    assert "stopped on an unexpected internal error (RuntimeError)" in printed
    assert "A crash report was written" in printed and "Traceback" not in printed and "locals" not in printed


async def test_a_password_typed_in_the_handle_field_goes_nowhere(isolated_home: Path) -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await wait_main(pilot)
        await pilot.press("2", "enter")
        dialog = app.screen
        assert isinstance(dialog, BlueskyLoginScreen)
        dialog.query_one("#bsky-handle", Input).value = "camille.bsky.socialk3xq-9wbd-a7ue-vv2m"
        await pilot.press("ctrl+s")  # the password field is empty: this used to save the handle as typed
        await pilot.pause(0.3)
        assert app.screen is dialog  # still open, the handle field focused again
        assert dialog.query_one("#bsky-handle", Input).has_focus
        assert main.session.state.bluesky is None
        await pilot.press("escape")
        await pilot.pause(0.5)
    for path in isolated_home.rglob("*"):
        if path.is_file() and path.suffix in (".toml", ".log", ".jsonl"):
            assert "k3xq-9wbd" not in path.read_text("utf-8", errors="replace"), path
