"""The whole flow on the demo archive with the dry-run destination, driven by keys only (Pilot)."""

from __future__ import annotations

import json

import pytest

from quittex_tui.state import Step, load_state
from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.edit import EditScreen
from quittex_tui.tui.screens.main import MainScreen
from quittex_tui.tui.screens.modals import ConfirmScreen, HelpScreen
from quittex_tui.tui.widgets.item_list import ItemList
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


def store_keys(session) -> list[str]:
    """Every post the simulated server committed, duplicates included."""
    store = session.state_path.with_name(f"{session.state_path.stem}.dry-run.server.jsonl")
    if not store.exists():
        return []
    return [json.loads(line)["key"] for line in store.read_text("utf-8").splitlines() if line.strip()]


async def test_every_step_by_keyboard() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(80, 24)) as pilot:
        main: MainScreen = await wait_main(pilot)
        s = main.session
        assert main.step == Step.ARCHIVE
        assert isinstance(app.focused, ItemList) and app.focused.id == "tweets"
        await pilot.press("j", "j")
        assert app.focused.cursor == 2

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")

        await pilot.press("n")  # Accounts: the dry-run destination is chosen and connected
        assert main.step == Step.ACCOUNTS
        await wait_for(pilot, lambda: s.slots["dry-run"].connected)
        assert s.active_targets() == ["dry-run"]

        await pilot.press("n")  # Select: untick the quotes
        assert main.step == Step.SELECT
        quotes = [r for r in s.rows if r.kind == "quote"]
        assert quotes and all(s.is_included(r) for r in quotes)
        await pilot.press("j", "j", "space")
        await pilot.pause(0.2)
        assert not any(s.is_included(r) for r in quotes)
        assert set(load_state(s.state_path).excluded) >= {r.id for r in quotes}

        await pilot.press("n")  # Review: filter by kind until "thread", skip the first one shown
        assert main.step == Step.REVIEW
        review = app.screen.query_one("#items", ItemList)
        while main.query_one("ReviewView").filter.kind != "thread":
            await pilot.press("f")
        shown = review.visible_rows()
        assert shown and all(r.kind == "thread" for r in shown)
        first = shown[0]
        await pilot.press("space")
        assert not s.is_included(first)
        await pilot.press("k", "space")
        assert s.is_included(first)

        # edit the Bluesky text of the current item with the live counter, then save
        edited = review.current
        await pilot.press("e")
        assert isinstance(app.screen, EditScreen)
        edit = app.screen
        area = edit.query_one("#edit-text")
        # a combining accent (2 code points) and a ZWJ family (5 code points) are one grapheme each
        area.text = "Fil e\u0301 \U0001f469\u200d\U0001f469\u200d\U0001f467"
        await pilot.pause(0.1)
        counter = str(edit.query_one("#edit-counter").render())
        assert "7/300 graphemes" in counter
        area.text = "x" * 301
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        assert app.screen is edit  # over the limit: refused, the dialog stays
        area.text = "Fil réécrit 🧵 é"
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MainScreen)
        assert s.post_text("bluesky", edited.id, 0) == "Fil réécrit 🧵 é"
        await pilot.pause(0.2)
        assert load_state(s.state_path).edits["bluesky"][edited.id]["0"] == "Fil réécrit 🧵 é"

        await pilot.press("c")  # clear the filter
        assert len(review.indices) == len(s.rows)

        await pilot.press("n")  # Migrate: confirm shows the count, then everything is sent
        assert main.step == Step.MIGRATE
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        slot = s.slots["dry-run"]
        await wait_for(pilot, lambda: not slot.running and slot.report is not None)
        selected = [r for r in s.rows if s.is_included(r)]
        assert all(slot.statuses[r.id] == "sent" for r in selected)
        keys = store_keys(s)
        assert len(keys) == len(set(keys)) == sum(r.posts["bluesky"] for r in selected)

        await pilot.press("n")  # Report: links, export
        assert main.step == Step.REPORT
        await wait_for(pilot, lambda: bool(slot.links))
        assert set(slot.links) == {r.id for r in selected}
        await pilot.press("w")
        md = s.state_path.with_name(f"{s.state_path.stem}.report.md")
        csv_path = md.with_suffix(".csv")
        await wait_for(pilot, lambda: md.exists() and csv_path.exists())
        assert "dry-run://post/" in md.read_text("utf-8")
        assert len(csv_path.read_text("utf-8").splitlines()) == 1 + len(keys)

        for _ in range(5):  # back through every step, then the state says where we are
            await pilot.press("b")
        assert main.step == Step.ARCHIVE
        await pilot.press("4")
        assert main.step == Step.REVIEW
        await pilot.pause(0.2)
        assert load_state(s.state_path).step == Step.REVIEW


async def test_pause_then_resume_in_the_same_session() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0.03)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        await pilot.press("5", "s", "y")
        slot = s.slots["dry-run"]
        await wait_for(pilot, lambda: sum(v == "sent" for v in slot.statuses.values()) >= 3)
        await pilot.press("p")
        await wait_for(pilot, lambda: not slot.running)
        sent = sum(v == "sent" for v in slot.statuses.values())
        total = sum(1 for r in s.rows if s.is_included(r))
        assert 3 <= sent < total
        await pilot.press("p")  # resume without a new confirmation
        await wait_for(
            pilot, lambda: not slot.running and slot.report is not None and slot.report.remaining == 0
        )
        keys = store_keys(s)
        assert len(keys) == len(set(keys))
        assert sum(v == "sent" for v in slot.statuses.values()) == total
