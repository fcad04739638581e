"""Accounts pane: choosing destinations, and a failed Bluesky login shown in words with the app
password masked on screen and never written to the state."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.connect import BlueskyLoginScreen
from quittex_tui.tui.screens.modals import ErrorScreen
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio
SECRET = "abcd-efgh-ijkl-mnop"


async def test_failed_login_is_explained_and_the_password_stays_secret() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        await pilot.press("2")
        assert app.focused is not None and app.focused.id == "accounts"
        await pilot.press("space")  # Bluesky is highlighted: choose it as a destination too
        assert s.active_targets() == ["dry-run", "bluesky"]
        await pilot.press("enter")
        assert isinstance(app.screen, BlueskyLoginScreen)
        dialog = app.screen
        handle = dialog.query_one("#bsky-handle", Input)
        password = dialog.query_one("#bsky-password", Input)
        assert password.password  # masked
        handle.value = "alice.test"
        password.value = SECRET
        # a loopback server that refuses connections: the login fails fast, offline
        dialog.query_one("#bsky-service", Input).value = "http://127.0.0.1:9"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), timeout=30)
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert SECRET not in shown and shown.strip()
        await pilot.press("escape")
        assert not s.slots["bluesky"].connected and s.slots["bluesky"].error
        await pilot.press("space")  # drop Bluesky again
        assert s.active_targets() == ["dry-run"]
        await pilot.pause(0.3)
    text = s.state_path.read_text("utf-8")
    assert SECRET not in text
