"""The app and the one-account rule (ARCHITECTURE.md#the-journal-how-never-twice-holds),
against the real local PDS. A migration sent to Bluesky account A; in the app the user logs in to account B:
the same rule as the CLI's (state.account_conflict) refuses before the state takes B, says so in the app's
words (no command-line flag), and offers a separate migration for B, which then really sends to B."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from quittex_tui.cli import main
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish import secrets
from quittex_tui.state import BlueskyAccount, load_state, save_state
from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.connect import BlueskyLoginScreen
from quittex_tui.tui.screens.modals import ConfirmScreen
from tests.publish.target_helpers import list_posts, new_pds_account
from tests.tui.conftest import wait_for, wait_main

pytestmark = [pytest.mark.anyio, pytest.mark.servers]
DEMO = demo_archive_path()


def _screen(pilot) -> str:  # type: ignore[no-untyped-def]
    strips = pilot.app.screen._compositor.render_strips()
    return " ".join("".join(seg.text for seg in strip) for strip in strips)


def _first_migration(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, state: Path, handle: str, password: str
) -> None:
    """Two posts sent to `handle` by the CLI; its session is stored (the app reconnects with it)."""
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, password)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(
        [
            "migrate",
            str(DEMO),
            "--to",
            "bluesky",
            "--handle",
            handle,
            "--service",
            test_servers["QTX_PDS_URL"],
            "--state",
            str(state),
            "--limit",
            "2",
            "--yes",
        ]
    )
    assert code == 0
    monkeypatch.delenv(secrets.BLUESKY_PASSWORD_ENV)


async def test_logging_in_to_another_account_offers_a_separate_migration(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a, a_pw, _, _ = new_pds_account(test_servers)
    b, b_pw, b_did, _ = new_pds_account(test_servers)
    state = tmp_path / "camille.toml"
    _first_migration(test_servers, monkeypatch, state, a, a_pw)

    app = make_app(DEMO, lang="en", state_path=state)
    async with app.run_test(size=(120, 40)) as pilot:
        main_screen = await wait_main(pilot)
        s = main_screen.session
        await wait_for(pilot, lambda: s.slots["bluesky"].connected, timeout=30)  # A, from its saved session
        await pilot.press("2", "enter")
        assert isinstance(app.screen, BlueskyLoginScreen)
        dialog = app.screen
        dialog.query_one("#bsky-handle", Input).value = b
        dialog.query_one("#bsky-password", Input).value = b_pw
        dialog.query_one("#bsky-service", Input).value = test_servers["QTX_PDS_URL"]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=30)
        await wait_for(pilot, lambda: f"@{b}" in _screen(pilot))
        shown = _screen(pilot)
        assert f"@{a}" in shown and "--state" not in shown and "Accounts (2)" in shown
        # Nothing changed: the state still names A, B got nothing.
        assert load_state(state).bluesky.handle == a
        assert s.state.bluesky.handle == a and list_posts(test_servers, b_did) == []
        assert s.slots["bluesky"].connected and s.slots["bluesky"].target.handle == a  # A stays in use

        await pilot.press("y")  # a separate migration for B
        await wait_for(
            pilot,
            lambda: (
                getattr(app.screen, "session", None) is not None and app.screen.session.state_path != state
            ),
            timeout=60,
        )
        new = await wait_main(pilot)
        forked = new.session
        assert forked.state_path.parent == state.parent
        assert forked.state.bluesky.handle == b and forked.state.mastodon is None
        assert forked.state.targets == ["bluesky"]
        assert load_state(state).bluesky.handle == a  # the first migration is untouched
        await wait_for(pilot, lambda: forked.slots["bluesky"].connected, timeout=30)
        report = await asyncio.to_thread(forked.run, "bluesky", lambda ev: None, limit=2)
        assert report.published == 2
    assert len(list_posts(test_servers, b_did)) == 2


async def test_a_state_changed_to_another_account_is_caught_when_the_app_connects(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The state already names B over A's journal (what older versions of the app did): the app refuses
    to connect B to it, and says why (A named by the DID its journal records: the state no longer knows A's
    handle), instead of counting everything as already published."""
    a, a_pw, a_did, _ = new_pds_account(test_servers)
    b, b_pw, b_did, _ = new_pds_account(test_servers)
    state = tmp_path / "camille.toml"
    _first_migration(test_servers, monkeypatch, state, a, a_pw)
    from quittex_tui.publish import connect

    connect.login_bluesky(b, b_pw, test_servers["QTX_PDS_URL"])  # B's secret stored, as a login does
    st = load_state(state)
    st.bluesky = BlueskyAccount(handle=b, service=test_servers["QTX_PDS_URL"])
    save_state(st, state)

    app = make_app(DEMO, lang="en", state_path=state)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=60)
        slot = app.session.slots["bluesky"]
        await pilot.press("n")
        assert not slot.connected and a_did in slot.error and f"@{b}" in slot.error
        await pilot.press("5", "s")
        await pilot.pause(0.3)
        assert not slot.running
    assert list_posts(test_servers, b_did) == []


async def test_another_state_file_sending_to_the_same_account_is_named(
    test_servers: dict[str, str], tmp_path: Path
) -> None:
    """Two migrations (two state files) to one account would post everything twice: the app's run meets
    the account's lock (held here by another process) and says so in its words, nothing sent."""
    import subprocess

    from quittex_tui.publish import connect
    from quittex_tui.publish.lock import account_lock_path
    from quittex_tui.state import MigrationState

    a, a_pw, a_did, _ = new_pds_account(test_servers)
    connect.login_bluesky(a, a_pw, test_servers["QTX_PDS_URL"])
    from quittex_tui.archive import open_archive

    with open_archive(DEMO) as archive:
        fingerprint = archive.fingerprint
    state = tmp_path / "mine.toml"
    save_state(
        MigrationState(
            archive_paths=[str(DEMO.resolve())],
            archive_fingerprint=fingerprint,
            targets=["bluesky"],
            bluesky=BlueskyAccount(handle=a, service=test_servers["QTX_PDS_URL"]),
        ),
        state,
    )
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from quittex_tui.publish.lock import WriterLock\n"
            "lock = WriterLock(Path(sys.argv[1]), command='migrate --state other.toml'); lock.acquire()\n"
            "print('held', flush=True); time.sleep(60)\n",
            str(account_lock_path("bluesky", a_did)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        app = make_app(DEMO, lang="en", state_path=state)
        async with app.run_test(size=(120, 40)) as pilot:
            main_screen = await wait_main(pilot)
            slot = main_screen.session.slots["bluesky"]
            await wait_for(pilot, lambda: slot.connected, timeout=30)
            main_screen.run_targets(["bluesky"])
            await wait_for(pilot, lambda: "another state file" in _screen(pilot), timeout=30)
            shown = _screen(pilot)
            assert str(holder.pid) in shown and "--state" not in shown.replace("--state other.toml", "")
            assert not slot.running and slot.elsewhere is None  # this migration itself is not busy
    finally:
        holder.kill()
        holder.wait()
    assert list_posts(test_servers, a_did) == []
