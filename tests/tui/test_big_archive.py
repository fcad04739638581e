"""A big archive in the TUI: the main screen shows before the plans exist, the plans arrive from
a worker as compact summaries (tui/plan_store.py), a reopen takes them from the cache, and what the user
sees and sends is exactly the plan `plan --json` makes. The demo archive stands in for a big one here:
PLAN_BEFORE_SCREEN set to 0 takes the big-archive path whatever the size."""

from __future__ import annotations

from pathlib import Path

import pytest

from quittex_tui.convert.plan import Planner, build_plan
from quittex_tui.demo import demo_archive_path
from quittex_tui.tui import plan_store, session
from quittex_tui.tui.app import make_app
from quittex_tui.tui.session import NETWORKS, open_session
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def big_archive_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "PLAN_BEFORE_SCREEN", 0)
    for path in _cached_plans():  # the TUI tests share one cache folder (conftest): start without plans
        path.unlink()


def _cached_plans() -> list[Path]:
    return sorted(plan_store._path("").parent.glob(f"*{plan_store.SUFFIX}"))


def _no_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("planned again although the plan cache has this plan")

    monkeypatch.setattr(Planner, "entries", refuse)


async def test_the_screen_comes_first_then_the_plans_then_the_cache_on_reopen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cold = open_session(demo_archive_path(), state_path=tmp_path / "s.toml")
    assert cold.plans == {} and cold.rows == [] and cold.tweet_rows  # the archive's own screen needs none
    app = make_app(None, demo=True, lang="en", state_path=tmp_path / "s.toml", dry_run_latency=0)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await wait_main(pilot)  # waits for the plan worker too
        s = main.session
        assert s.plans_complete() and len(s.rows) > 10
        for net in NETWORKS:
            full = build_plan(s.archive, s.options_for(net))
            store = s.plans[net]
            # the summary is the plan's, and every item made on demand is the plan's own item
            assert store.ids == [item.id for item in full.items]
            assert store.posts == [len(item.posts) for item in full.items]
            assert [store.sources(n) for n in range(len(store))] == [item.source_ids for item in full.items]
            assert [s.items[net].get(item.id) for item in full.items] == full.items
            assert sorted(store.skipped()) == sorted((k.source_id, k.reason) for k in full.skipped)
        await pilot.press("5", "s", "y")  # a dry run: the whole plan is built for the run, in its worker
        slot = s.slots["dry-run"]
        await wait_for(pilot, lambda: slot.report is not None and not slot.running, timeout=60)
        assert slot.report.remaining == 0 and not slot.report.failed and slot.report.published > 10
    _no_planning(monkeypatch)
    warm = open_session(demo_archive_path(), state_path=tmp_path / "s.toml")
    assert warm.plans_complete() and [r.id for r in warm.rows] == [r.id for r in s.rows]


async def test_a_damaged_plan_cache_is_planned_again(tmp_path: Path) -> None:
    first = open_session(demo_archive_path(), state_path=tmp_path / "s.toml")
    assert first.build_plans()  # plans made and cached
    cached = _cached_plans()
    assert len(cached) == 2
    for path in cached:
        data = bytearray(path.read_bytes())
        data[-10] ^= 0xFF
        path.write_bytes(bytes(data))
    again = open_session(demo_archive_path(), state_path=tmp_path / "s.toml")
    assert again.plans == {}  # not trusted: the worker plans again
    assert again.build_plans() and again.plans_complete()
    assert [r.id for r in again.rows] == [r.id for r in first.rows]


async def test_review_checks_one_items_media_on_demand() -> None:
    """The plan reads no media file; in Review, `p` prepares the highlighted item's media now, as sending
    would, and shows what they become (a preview of one item on demand)."""
    from quittex_tui.tui.widgets.item_list import ItemList

    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await wait_main(pilot)
        await pilot.press("4")
        items = main.query_one("#items", ItemList)
        photo_row = next(i for i, r in enumerate(items.visible_rows()) if r.has_media and r.kind == "post")
        items.cursor = photo_row
        await pilot.pause(0.2)
        row = items.current
        assert row is not None and row.has_media
        await pilot.press("p")
        preview = main.query_one("#item-preview")
        await wait_for(pilot, lambda: "ready to send" in str(preview.render()), timeout=60)
        shown = str(preview.render())
        assert "Bluesky:" in shown and "Mastodon:" in shown and "ready to send" in shown
        checked = main.session.check_media(row.id)
        assert checked and all(media is not None and media.prepared for _net, media, _p in checked)
