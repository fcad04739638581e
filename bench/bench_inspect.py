#!/usr/bin/env python3
"""Time `quittex-tui inspect --json` on the synthetic 100k-tweet archive beside the FLOOR.

FLOOR = what no reader can beat: a fresh Python process that reads the zip member(s) `data/tweets*.js`,
strips the `window.YTD… =` prefix and `orjson.loads` the rest (issue "Foundation and the X archive
reader", § Benchmark). Both are whole processes started the same way, timed wall-clock; the floor's
in-process work time is printed too. Peak RSS is the inspect process's own (os.wait4 rusage).
Goals: inspect ≤ 2× floor, peak RSS < 1 GiB.

    .venv/bin/python bench/bench_inspect.py [--n 100000] [--repeat 3]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # bench/ is a folder of scripts, not a package
    GIB,
    BenchContext,
    Figure,
    cli,
    fmt_mib,
    fmt_s,
    median_cpu,
    median_wall,
    repeat_measured,
    standalone,
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


def measure(ctx: BenchContext) -> list[Figure]:
    archive = ctx.archive()
    floor_runs = repeat_measured([sys.executable, "-c", FLOOR_CODE, str(archive)], ctx.repeat)
    floor_work = min(float(r.stdout_path.read_text().split()[0]) for r in floor_runs)
    _, rows, js_bytes = map(float, floor_runs[0].stdout_path.read_text().split())
    inspect_runs = repeat_measured(cli("inspect", str(archive), "--json"), ctx.repeat)
    report = json.loads(inspect_runs[0].stdout_path.read_text())
    for r in floor_runs + inspect_runs:
        r.stdout_path.unlink(missing_ok=True)
    floor, inspect = median_wall(floor_runs), median_wall(inspect_runs)
    peak = max(r.max_rss_bytes for r in inspect_runs)
    ratio = inspect / floor
    cpu_ratio = median_cpu(inspect_runs) / median_cpu(floor_runs)
    size_mb = archive.stat().st_size / 1e6
    label = f"{ctx.n // 1000}k tweets"
    what = f"{label}, {rows:.0f} rows, {js_bytes / 1e6:.0f} MB"
    return [
        Figure("inspect", f"floor: unzip + orjson.loads tweets.js ({what})", fmt_s(floor)),
        Figure("inspect", "floor, in-process work only", fmt_s(floor_work)),
        Figure("inspect", f"`inspect --json` ({label}, {size_mb:.0f} MB zip)", fmt_s(inspect)),
        Figure("inspect", "inspect / floor", f"{ratio:.2f}×", "≤ 2×", ratio <= 2.0),
        Figure("inspect", "inspect / floor, CPU time (user+sys)", f"{cpu_ratio:.2f}×"),
        Figure("inspect", "inspect peak RSS", fmt_mib(peak), "< 1 GiB", peak < GIB),
        Figure("inspect", "floor peak RSS", fmt_mib(max(r.max_rss_bytes for r in floor_runs))),
        Figure("inspect", "tweets reported by inspect", str(report["counts"]["tweets"]),
               str(ctx.n), report["counts"]["tweets"] == ctx.n),
    ]


def main(argv: list[str] | None = None) -> int:
    return standalone(__doc__ or "", lambda ctx, _args: measure(ctx), argv)


if __name__ == "__main__":
    raise SystemExit(main())
