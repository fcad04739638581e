"""Audience step on the demo archive, offline: the people with the X handles the
archive gives, decisions by keys saved to the TOML state at once and restored after a reopen, the Mastodon
follows CSV (checked against Mastodon's import format) and the announcement copied (OSC 52)."""

from __future__ import annotations

import pytest

from quittex_tui import audience
from quittex_tui.state import Step, load_state
from quittex_tui.tui.app import make_app
from quittex_tui.tui.i18n import t
from quittex_tui.tui.screens.modals import HelpScreen, PromptScreen
from quittex_tui.tui.widgets.item_list import ItemList
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


def _text(widget) -> str:
    return str(widget.render())


async def _type_account(pilot, account: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
    await pilot.press(*account, "enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, PromptScreen))


async def _goto_person(pilot, people: ItemList, x_id: str) -> None:
    target = next(i for i, idx in enumerate(people.indices) if people.rows[idx].id == x_id)
    await pilot.press("g", *["j"] * target)
    assert people.current is not None and people.current.id == x_id


async def test_demo_audience_offline_decisions_csv_and_announcement() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        await pilot.press("7")
        model = s.audience
        await wait_for(pilot, lambda: model.loaded)
        await pilot.pause(0.3)
        assert main.step == Step.AUDIENCE
        people = main.query_one("#people", ItemList)
        assert app.focused is people

        # every person of the archive, follows first; handles recovered from the archive, else "unknown"
        expected = audience.load_people(s.archive)
        assert [r.id for r in people.visible_rows()] == [p.x_id for p in expected]
        handles = {p.x_id: p.x_handle for p in expected}
        assert sum(1 for h in handles.values() if h) >= 5
        for row in people.visible_rows():
            line = people.formatter(row, 80)
            assert (f"@{handles[row.id]}" if handles[row.id] else t("aud.unknown")) in line
        note = _text(main.query_one("#audience-note"))
        assert "connected Bluesky or Mastodon account" in note  # searching needs an account (demo)
        assert "@" + expected[0].x_handle in _text(main.query_one("#person-detail"))

        # no candidate offline: `a` asks for the account; a Mastodon address switches the view to Mastodon
        first, second, third = [p for p in expected if p.x_handle][:3]
        await _goto_person(pilot, people, first.x_id)
        await pilot.press("a")
        await _type_account(pilot, "@alice@piaille.fr")
        assert model.network == "mastodon"
        assert people.current.id == second.x_id  # on to the next person, as after `a` on a candidate
        await _goto_person(pilot, people, second.x_id)
        await pilot.press("x")
        await _goto_person(pilot, people, third.x_id)
        await pilot.press("enter")
        await _type_account(pilot, "https://eldritch.cafe/@chloe")
        await pilot.pause(0.3)
        saved = load_state(s.state_path)  # written at once, not at quit
        assert audience.get_decision(saved, first.x_id, "mastodon").decision == "accepted"
        assert audience.get_decision(saved, second.x_id, "mastodon").decision == "rejected"
        assert audience.get_decision(saved, third.x_id, "mastodon").acct == "chloe@eldritch.cafe"
        assert audience.get_decision(saved, first.x_id, "bluesky") is None

        # the filter: accepted ones only
        while model.filter != "accepted":
            await pilot.press("f")
        assert {r.id for r in people.visible_rows()} == {first.x_id, third.x_id}

        # the Mastodon follows CSV, in Mastodon's import format, its path shown in the Queue pane
        await pilot.press("e")
        path = s.audience.csv_path
        assert path is not None and path.exists()
        written = audience.validate_follows_csv(path.read_text("utf-8"))
        assert written == ["alice@piaille.fr", "chloe@eldritch.cafe"]
        assert str(path) in _text(main.query_one("#aud-files"))

        # the announcement (UI language) goes to the clipboard through OSC 52
        await pilot.press("y")
        user = s.archive.account.username
        assert app.clipboard.startswith("I'm moving:") and f"@{user.replace('_', '-')}" in app.clipboard
        await pilot.press("i", "y")
        assert app.clipboard.startswith("Hello! I'm leaving X") and f"@{user}" in app.clipboard

        await pilot.press("question_mark")  # the help lists the Audience keys
        assert isinstance(app.screen, HelpScreen)
        assert t("key.aud_follow") in app.screen.plain_text()
        await pilot.press("escape")
        await pilot.press("q")

    app2 = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app2.run_test(size=(80, 24)) as pilot:
        main2 = await wait_main(pilot)
        assert main2.step == Step.AUDIENCE  # reopens where the user stopped
        model2 = main2.session.audience
        await wait_for(pilot, lambda: model2.loaded)
        await pilot.pause(0.2)
        assert model2.network == "mastodon" and model2.filter == "accepted"
        assert model2.decision(second.x_id).decision == "rejected"
        people2 = main2.query_one("#people", ItemList)
        lines = {r.id: people2.formatter(r, 80) for r in people2.visible_rows()}
        assert set(lines) == {first.x_id, third.x_id}
        assert "M+" in lines[first.x_id] and "alice@piaille.fr" in lines[first.x_id]
