#!/usr/bin/env python3
"""`quittex-tui inspect --json` at 100k / 300k / 500k tweets, beside the parse FLOOR measured in the same run.

FLOOR = what no reader can beat: a fresh Python process that reads the zip member(s) `data/tweets*.js`,
strips the `window.YTD… =` prefix and `orjson.loads` the rest (issue 16: "the parse floor (unzip + JSON
decode of the tweet files)"). Both are whole processes started the same way, timed wall-clock, with their
CPU time (user+sys) and their own peak RSS (os.wait4 rusage).
- inspect, first open: an empty cache (a fresh QUITTEX_HOME): tweets parsed, the cached index written;
- inspect, reopen: the same cache: the index is loaded, tweets.js is not parsed.
Goals (issue 16): inspect ≤ 2× the floor at every size; peak under 500 MiB at 100k tweets, 1 GiB at 300k
(a small VPS), 2 GiB at 500k.

    .venv/bin/python bench/bench_inspect.py [--sizes 100000,300000,500000] [--repeat 3]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # bench/ is a folder of scripts, not a package
    BenchContext,
    Figure,
    cli,
    fresh_home,
    median_cpu,
    median_wall,
    memory_goal,
    repeat_measured,
    size_label,
    standalone,
    timing,
)

# The floor, run as its own process; prints its in-process seconds on stdout.
FLOOR_CODE = """
import sys, time, zipfile, orjson
t0 = time.perf_counter()
n = size = 0
with zipfile.ZipFile(sys.argv[1]) as zf:
    for name in zf.namelist():
        base = name.rsplit("/", 1)[-1]
        if name.startswith("data/") and (base == "tweets.js" or base.startswith("tweets-part")):
            raw = zf.read(name)
            size += len(raw)
            n += len(orjson.loads(memoryview(raw)[raw.index(b"=") + 1:]))
print(time.perf_counter() - t0, n, size)
"""


def floor_runs(archive: Path, repeat: int) -> list:
    return repeat_measured([sys.executable, "-c", FLOOR_CODE, str(archive)], repeat)


def measure(ctx: BenchContext) -> list[Figure]:
    figures: list[Figure] = []
    for n in ctx.sizes:
        archive = ctx.archive(n=n)
        repeat = ctx.repeat_for(n)
        label = size_label(n)
        floor = floor_runs(archive, repeat)
        _, rows, js_bytes = map(float, floor[0].stdout_path.read_text().split())
        cold = repeat_measured(cli("inspect", str(archive), "--json"), repeat, cold=f"inspect-{n}")
        home = fresh_home(f"inspect-warm-{n}")
        repeat_measured(cli("inspect", str(archive), "--json"), 1, home=home)  # writes the index
        warm = repeat_measured(cli("inspect", str(archive), "--json"), repeat, home=home)
        report = json.loads(cold[0].stdout_path.read_text())
        for r in floor + cold + warm:
            r.stdout_path.unlink(missing_ok=True)
        ratio = median_wall(cold) / median_wall(floor)
        cpu_ratio = median_cpu(cold) / median_cpu(floor)
        goal, limit = memory_goal(n)
        peak = max(r.max_rss_bytes for r in cold + warm)
        figures += [
            timing(
                "inspect",
                f"{label}: floor, unzip + orjson.loads ({rows:.0f} rows, {js_bytes / 1e6:.0f} MB)",
                floor,
            ),
            timing("inspect", f"{label}: `inspect --json`, first open (empty cache)", cold),
            Figure(
                "inspect",
                f"{label}: first open / floor (wall; CPU)",
                f"{ratio:.2f}×",
                "≤ 2×",
                ratio <= 2.0,
                cpu=f"{cpu_ratio:.2f}×",
            ),
            timing("inspect", f"{label}: `inspect --json`, reopen (cached index)", warm),
            Figure("inspect", f"{label}: inspect peak RSS", f"{peak / 1024**2:.0f} MiB", goal, peak < limit),
            Figure(
                "inspect",
                f"{label}: tweets reported",
                str(report["counts"]["tweets"]),
                str(n),
                report["counts"]["tweets"] == n,
            ),
        ]
    return figures


def main(argv: list[str] | None = None) -> int:
    return standalone(__doc__ or "", lambda ctx, _args: measure(ctx), argv)


if __name__ == "__main__":
    raise SystemExit(main())
