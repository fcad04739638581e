"""The Review's link card toggle (docs/bluesky.md#link-cards-appbskyembedexternal), by keys: `C` turns Bluesky
link cards off and on, the choice is saved in the state at once and the Bluesky plan is rebuilt without (then
with) the links its posts try. `L` stays the sensitive-media label: the two keys never clash, and both are in
the help."""

from __future__ import annotations

import pytest

from quittex_tui.state import load_state
from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.main import MainScreen, help_sections
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


def card_links(session) -> list[str]:  # type: ignore[no-untyped-def]
    plan = session.plans["bluesky"].full_plan()
    return [p.link_card for item in plan.items for p in item.posts if p.link_card]


async def test_c_in_review_turns_link_cards_off_and_on() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(80, 24)) as pilot:
        main: MainScreen = await wait_main(pilot)
        s = main.session
        await pilot.press("4")
        bar = main.query_one("#filter-bar")
        assert "Cards (C): on" in str(bar.render())
        before = card_links(s)
        assert "https://exemple.org/deserts-mediatiques" in before

        await pilot.press("C")
        await wait_for(pilot, lambda: s.plans_complete() and not card_links(s))
        assert load_state(s.state_path).options["bluesky"]["link_cards"] is False
        assert "Cards (C): off" in str(bar.render())

        await pilot.press("C")
        await wait_for(pilot, lambda: s.plans_complete() and card_links(s) == before)
        assert load_state(s.state_path).options["bluesky"]["link_cards"] is True


def test_the_help_lists_both_keys_apart() -> None:
    review = dict(next(keys for title, keys in help_sections() if title == "Review"))
    assert review["C"] == "Link cards on/off"
    assert review["L"] == "Sensitive label"
    assert review["ctrl+l"] == "Label all flagged"
