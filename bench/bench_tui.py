#!/usr/bin/env python3
"""The TUI at 100k / 300k / 500k tweets and at 100k tweets with 30k photos (issue 16), headless.

Each figure is a whole process (this script re-run as a child), so its peak RSS is its own:
- launch → usable, first time: an empty cache; from building the app to the main screen painted with the
  Archive step's data (counts, chart, tweet list); the plans then arrive from a worker ("plans ready");
- launch → usable, reopen: the same cache (the archive's index, the plan summaries);
- reopen on the Review step: usable once the Review list is filled (the plans are the screen's data);
- at 100k tweets: a Review filter (kind + text search over every item), clearing it, a page down.
Goals (issue 16): 100k tweets with 30k photos usable in under 5 s the first time and 2 s on reopen; peak
under 500 MiB at 100k tweets (1 GiB at 300k, 2 GiB at 500k).

    .venv/bin/python bench/bench_tui.py [--sizes 100000,300000,500000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # bench/ is a folder of scripts, not a package
    BenchContext,
    Figure,
    Run,
    bench_env,
    fmt_mib,
    fmt_s,
    fresh_home,
    memory_goal,
    run_measured,
    size_label,
    standalone,
)

PHOTO_RATE = 2.14  # media rate giving ~30k photos on 100k tweets (synth_archive.py's mix)
SMALL_PHOTOS = 400_000  # that archive's photos: the pool's up to 400 KB (the TUI reads no photo bytes)


async def child_run(archive: Path, goto: str | None, interact: bool) -> dict[str, float]:
    from quittex_tui.state import Step
    from quittex_tui.tui.app import make_app
    from quittex_tui.tui.drive import idle, wait_for
    from quittex_tui.tui.screens.main import MainScreen
    from quittex_tui.tui.session import STEPS_WITH_ITEMS

    started = time.perf_counter()
    app = make_app(archive, lang="en")
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready_at is not None, timeout=1200)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        session = screen.session
        out["painted"] = app.ready_at - started  # type: ignore[operator]
        out["index"] = float(session.archive.loaded_from == "index")
        out["review_step"] = float(screen.step == Step.REVIEW)
        await wait_for(pilot, lambda: session.plans_ready_at is not None, timeout=1200)
        out["plans"] = session.plans_ready_at - started  # type: ignore[operator]
        # usable: the first screen with its data; a step listing plan items needs the plans
        needs_plans = screen.step in STEPS_WITH_ITEMS
        out["usable"] = max(out["painted"], out["plans"]) if needs_plans else out["painted"]
        out["rows"], out["tweets"] = len(session.rows), len(session.tweet_rows)
        await wait_for(pilot, lambda: idle(pilot), timeout=1200)
        if interact:
            out.update(await _interact(pilot, screen))
        if goto is not None:  # leave the migration on that step for the next run (saved state)
            await pilot.press({"archive": "1", "review": "4"}[goto])
            await pilot.pause(0.3)
            await wait_for(pilot, lambda: idle(pilot), timeout=60)
            session.save_now()
    return out


async def _interact(pilot, screen) -> dict[str, float]:
    from quittex_tui.tui.widgets.item_list import ItemList
    from quittex_tui.tui.widgets.review_view import ReviewView

    out: dict[str, float] = {}
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
    await pilot.press("1")
    await pilot.pause(0.2)
    return out


def run_child(
    archive: Path, home: Path, *, goto: str | None = None, interact: bool = False
) -> tuple[dict, Run]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(archive)]
    if goto:
        cmd += ["--goto", goto]
    if interact:
        cmd.append("--interact")
    run = run_measured(cmd, env=bench_env(home))
    if run.returncode != 0:
        raise RuntimeError(f"TUI run failed ({run.returncode}):\n{run.stderr[-3000:]}")
    out = json.loads(run.stdout_path.read_text().strip().splitlines()[-1])
    run.stdout_path.unlink(missing_ok=True)
    return out, run


def _series(archive: Path, name: str, repeat: int, *, interact: bool = False) -> dict[str, list]:
    """first open, reopens on the Archive step, reopens on the Review step: (result, run) lists."""
    home = fresh_home(f"tui-{name}")
    first = [run_child(archive, home, goto="archive", interact=interact)]
    reopen = [run_child(archive, home) for _ in range(repeat)]
    run_child(archive, home, goto="review")
    review = [run_child(archive, home) for _ in range(repeat)]
    assert all(r["review_step"] for r, _ in review)
    return {"first": first, "reopen": reopen, "review": review}


def _med(results: list, key: str) -> float:
    return statistics.median(r[key] for r, _ in results)


def _cpu(results: list) -> str:
    return fmt_s(statistics.median(run.cpu_s for _, run in results))


def _peak(results: list) -> int:
    return max(run.max_rss_bytes for _, run in results)


def _figures(
    series: dict[str, list],
    label: str,
    *,
    first_goal: float | None,
    reopen_goal: float | None,
    memory: tuple[str, int] | None,
) -> list[Figure]:
    first, reopen, review = series["first"], series["reopen"], series["review"]
    rows = int(first[0][0]["rows"])
    figures = [
        Figure(
            "tui",
            f"{label} ({rows:,} items): launch → usable, first time (empty cache)",
            fmt_s(_med(first, "usable")),
            f"< {first_goal:g} s" if first_goal else "",
            _med(first, "usable") < first_goal if first_goal else None,
            cpu=_cpu(first),
            peak=fmt_mib(_peak(first)),
        ),
        Figure(
            "tui", "  first time: both plans ready (worker, after the screen)", fmt_s(_med(first, "plans"))
        ),
        Figure(
            "tui",
            "  launch → usable, reopen (Archive step)",
            fmt_s(_med(reopen, "usable")),
            f"< {reopen_goal:g} s" if reopen_goal else "",
            _med(reopen, "usable") < reopen_goal if reopen_goal else None,
            cpu=_cpu(reopen),
            peak=fmt_mib(_peak(reopen)),
        ),
        Figure(
            "tui",
            "  launch → usable, reopen on the Review step (its list filled)",
            fmt_s(_med(review, "usable")),
            f"< {reopen_goal:g} s" if reopen_goal else "",
            _med(review, "usable") < reopen_goal if reopen_goal else None,
            cpu=_cpu(review),
            peak=fmt_mib(_peak(review)),
        ),
    ]
    if memory is not None:
        peak = max(_peak(first), _peak(reopen), _peak(review))
        figures.append(
            Figure("tui", "  peak RSS, any of those runs", fmt_mib(peak), memory[0], peak < memory[1])
        )
    interact = first[0][0]
    if "filter" in interact:
        figures += [
            Figure(
                "tui",
                f"  apply a Review filter (kind + search → {int(interact['filtered_rows']):,} rows)",
                fmt_s(interact["filter"]),
            ),
            Figure("tui", "  clear the filter (all rows back)", fmt_s(interact["clear"])),
            Figure("tui", "  one page down in the list", fmt_s(interact["page"])),
        ]
    return figures


def measure(ctx: BenchContext) -> list[Figure]:
    figures: list[Figure] = []
    for n in ctx.sizes:
        archive = ctx.archive(n=n)
        series = _series(archive, str(n), ctx.repeat_for(n), interact=n == ctx.sizes[0])
        figures += _figures(series, size_label(n), first_goal=None, reopen_goal=None, memory=memory_goal(n))
    # issue 16's TUI goal: 100k tweets and 30k photos
    photos = ctx.archive(True, n=100_000, media_rate=PHOTO_RATE, max_photo_bytes=SMALL_PHOTOS)
    series = _series(photos, "photos", ctx.repeat)
    figures += _figures(
        series,
        "100k tweets, 30k photos",
        first_goal=5.0,
        reopen_goal=2.0,
        memory=("< 500 MiB", 500 * 1024**2),
    )
    return figures


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=Path, required=True)
    parser.add_argument("--goto", choices=["archive", "review"])
    parser.add_argument("--interact", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("QUITTEX_NO_KEYRING", "1")
    out = asyncio.run(child_run(args.child, args.goto, args.interact))
    print(json.dumps(out))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--child" in argv:
        return child_main(argv)
    return standalone(__doc__ or "", lambda ctx, _args: measure(ctx), argv)


if __name__ == "__main__":
    raise SystemExit(main())
