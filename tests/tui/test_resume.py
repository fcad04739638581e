"""Quit in the middle of a migration, reopen: the app comes back at Migrate, the queue shows what was
already sent, and resuming sends the rest — each post exactly once on the (simulated) server."""

from __future__ import annotations

import pytest

from quittex_tui.state import Step, load_state
from quittex_tui.tui.app import make_app
from tests.tui.conftest import wait_for, wait_main
from tests.tui.test_flow import store_keys

pytestmark = pytest.mark.anyio


async def test_quit_mid_run_and_reopen_resumes_at_the_same_item() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0.03)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        state_path = s.state_path
        await pilot.press("5", "s", "y")
        slot = s.slots["dry-run"]
        await wait_for(pilot, lambda: sum(v == "sent" for v in slot.statuses.values()) >= 4)
        await pilot.press("q")  # quit while the engine is running
    sent_before = set(store_keys(s))
    selected = [r for r in s.rows if s.is_included(r)]
    total_posts = sum(r.posts["bluesky"] for r in selected)
    assert 0 < len(sent_before) < total_posts
    assert load_state(state_path).step == Step.MIGRATE

    app2 = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app2.run_test(size=(80, 24)) as pilot:
        main2 = await wait_main(pilot)
        s2 = main2.session
        assert main2.step == Step.MIGRATE
        slot2 = s2.slots["dry-run"]
        await wait_for(pilot, lambda: bool(slot2.statuses))
        done_items = {key.rsplit("-", 1)[0] for key in sent_before}
        # every item whose posts all reached the server shows as sent; the next one is still planned
        fully_sent = [
            r.id for r in selected if all(f"{r.id}-{i}" in sent_before for i in range(r.posts["bluesky"]))
        ]
        assert fully_sent and all(slot2.statuses[i] == "sent" for i in fully_sent)
        first_left = next(r for r in selected if r.id not in fully_sent)
        assert slot2.statuses[first_left.id] in ("planned", "sent")  # sent if its done record was pending
        assert done_items
        await pilot.press("s", "y")
        await wait_for(pilot, lambda: slot2.report is not None and not slot2.running)
        assert slot2.report.remaining == 0 and not slot2.report.failed
    keys = store_keys(s2)
    assert len(keys) == len(set(keys)) == total_posts  # nothing twice, nothing missing
    assert set(keys) >= sent_before
