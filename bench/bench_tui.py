#!/usr/bin/env python3
"""TUI figures on the synthetic archive (issue "The TUI", § Benchmark), measured in a headless app:

- launch → first usable screen: from building the app to the main screen painted with its lists
  filled (archive read and plans built in the loading worker included), and the part of it after the
  load ended (the goal: usable within a second of load end);
- the time to apply a Review filter (kind + text search over every item, list and estimates redrawn),
  and to clear it; a page of scrolling in the 100k-row list.

    .venv/bin/python bench/bench_tui.py [--n 100000] [--repeat 3]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BenchContext, Figure, fmt_s, standalone  # bench/ is a folder of scripts


async def one_run(archive: Path) -> dict[str, float]:
    from quittex_tui.tui.app import make_app
    from quittex_tui.tui.drive import idle, wait_for
    from quittex_tui.tui.screens.main import MainScreen
    from quittex_tui.tui.widgets.item_list import ItemList
    from quittex_tui.tui.widgets.review_view import ReviewView

    started = time.perf_counter()
    app = make_app(archive, lang="en")
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready_at is not None, timeout=600)
        out["launch_to_usable"] = app.ready_at - started  # type: ignore[operator]
        screen = app.screen
        assert isinstance(screen, MainScreen)
        session = screen.session
        out["load"] = session.load_seconds
        out["after_load"] = app.ready_at - session.loaded_at  # type: ignore[operator]
        out["rows"] = len(session.rows)
        out["tweets"] = len(session.tweet_rows)
        await wait_for(pilot, lambda: idle(pilot), timeout=600)
        await pilot.press("4")
        await pilot.pause(0.2)
        review = screen.query_one(ReviewView)
        items = screen.query_one("#items", ItemList)
        t0 = time.perf_counter()
        review.filter.kind = "post"
        review.filter.search = "le"
        review.reload()
        await pilot.pause(0)  # one repaint
        out["filter"] = time.perf_counter() - t0
        out["filtered_rows"] = len(items.indices)
        t0 = time.perf_counter()
        review.action_clear()
        await pilot.pause(0)
        out["clear"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(20):
            await pilot.press("pagedown")
        out["page"] = (time.perf_counter() - t0) / 20
    return out


def measure(ctx: BenchContext) -> list[Figure]:
    archive = ctx.archive()
    runs = []
    for _ in range(ctx.repeat):
        with tempfile.TemporaryDirectory(prefix="quittex-bench-tui-") as home:
            os.environ["QUITTEX_HOME"] = home
            os.environ["QUITTEX_NO_KEYRING"] = "1"
            runs.append(asyncio.run(one_run(archive)))

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    label = f"{ctx.n // 1000}k tweets, {int(runs[0]['rows']):,} items"
    after = med("after_load")
    return [
        Figure("tui", f"launch → first usable screen ({label})", fmt_s(med("launch_to_usable"))),
        Figure("tui", "  of which: archive read + plans (loading worker)", fmt_s(med("load"))),
        Figure("tui", "  of which: after the load ended", fmt_s(after), "≤ 1 s", after <= 1.0),
        Figure("tui", f"apply a Review filter (kind + search → {int(runs[0]['filtered_rows']):,} rows)",
               fmt_s(med("filter"))),
        Figure("tui", "clear the filter (all rows back)", fmt_s(med("clear"))),
        Figure("tui", "one page down in the 100k-row list", fmt_s(med("page"))),
    ]


def main(argv: list[str] | None = None) -> int:
    return standalone(__doc__ or "", lambda ctx, _args: measure(ctx), argv)


if __name__ == "__main__":
    raise SystemExit(main())
