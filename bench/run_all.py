#!/usr/bin/env python3
"""Run every benchmark in bench/ and print one Markdown table to paste into the README.

Discovers `bench/bench_*.py` (sorted by name); each exposes `measure(ctx: BenchContext) -> list[Figure]`
(see _common.py). The synthetic archives (100k / 300k / 500k tweets; 1k / 3k / 10k real photos; 100k
tweets with 30k photos) are generated once and cached under bench/out/ (gitignored; ~15 GB with the
photos). A bench that crashes is reported in the table and the others still run. Each timing gives the
wall time (median of --repeat runs; one run above 100k tweets), the CPU time (user+sys) of the same runs
— steadier on a shared machine — and the process's peak RSS.

    python3 scripts/dev.py bench [--sizes 100k,300k,500k] [--photos 1k,3k,10k] [--repeat 3] [--quick]
                                 [--only inspect,plan,media,tui,state_load]
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # bench/ is a folder of scripts, not a package
    BENCH,
    PHOTOS,
    SIZES,
    BenchContext,
    Figure,
    parse_counts,
)


def discover(only: set[str] | None) -> list[str]:
    names = sorted(p.stem for p in BENCH.glob("bench_*.py"))
    return [n for n in names if only is None or n.removeprefix("bench_") in only]


def markdown(figures: list[Figure]) -> str:
    lines = ["| bench | measure | value (wall) | CPU | peak RSS | goal | |", "|---|---|---|---|---|---|---|"]
    for f in figures:
        verdict = "" if f.ok is None else ("✅" if f.ok else "❌")
        metric = f.metric.replace("|", "\\|")
        lines.append(f"| {f.bench} | {metric} | {f.value} | {f.cpu} | {f.peak} | {f.goal} | {verdict} |")
    return "\n".join(lines)


def machine() -> str:
    import os

    return (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="tweets in the state/journal bench's archive")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median is reported)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="tweets, comma-separated")
    parser.add_argument("--photos", default=",".join(map(str, PHOTOS)), help="photos, comma-separated")
    parser.add_argument("--quick", action="store_true", help="100k tweets and 1k photos only, 1 run each")
    parser.add_argument("--only", help="comma-separated bench names (e.g. inspect,plan)")
    args = parser.parse_args(argv)
    sizes, photos = parse_counts(args.sizes), parse_counts(args.photos)
    if args.quick:
        sizes, photos, args.repeat = sizes[:1], photos[:1], 1
    ctx = BenchContext(n=args.n, repeat=args.repeat, sizes=sizes, photos=photos)
    started, cpu_started = time.perf_counter(), os.times()
    figures: list[Figure] = []
    for name in discover(set(args.only.split(",")) if args.only else None):
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(name)
            figures += module.measure(ctx)
        except Exception as exc:  # one broken bench must not hide the others' figures
            traceback.print_exc()
            failed = f"failed: {type(exc).__name__}"
            figures.append(Figure(name.removeprefix("bench_"), "run", failed, ok=False))
    took = time.perf_counter() - started
    cpu_now = os.times()
    cpu = sum(cpu_now[:4]) - sum(cpu_started[:4])
    load = os.getloadavg()
    print(
        f"Measured on {machine()}; synthetic archives (`bench/synth_archive.py`) of "
        f"{', '.join(f'{n:,}' for n in sizes)} tweets and {', '.join(f'{n:,}' for n in photos)} photos; "
        f"median of {args.repeat} runs up to 100k tweets, one above. The whole bench took "
        f"{took / 60:.1f} min ({cpu / 60:.1f} min of CPU); load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.\n"
    )
    print(markdown(figures))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
