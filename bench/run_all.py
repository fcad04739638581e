#!/usr/bin/env python3
"""Run every benchmark in bench/ and print one Markdown table to paste into the README.

Discovers `bench/bench_*.py` (sorted by name); each exposes `measure(ctx: BenchContext) -> list[Figure]`
(see _common.py). The synthetic archive is generated once and cached under bench/out/ (gitignored).
A bench that crashes is reported in the table and the others still run.

    .venv/bin/python bench/run_all.py [--n 100000] [--repeat 3] [--only inspect,plan]
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH, BenchContext, Figure  # bench/ is a folder of scripts, not a package


def discover(only: set[str] | None) -> list[str]:
    names = sorted(p.stem for p in BENCH.glob("bench_*.py"))
    return [n for n in names if only is None or n.removeprefix("bench_") in only]


def markdown(figures: list[Figure]) -> str:
    lines = ["| bench | measure | value | goal | |", "|---|---|---|---|---|"]
    for f in figures:
        verdict = "" if f.ok is None else ("✅" if f.ok else "❌")
        lines.append(f"| {f.bench} | {f.metric} | {f.value} | {f.goal} | {verdict} |")
    return "\n".join(lines)


def machine() -> str:
    import os

    return (f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} "
            f"{platform.machine()}, {os.cpu_count()} CPUs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="tweets in the synthetic archive")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median is reported)")
    parser.add_argument("--only", help="comma-separated bench names (e.g. inspect,plan)")
    args = parser.parse_args(argv)
    ctx = BenchContext(n=args.n, repeat=args.repeat)
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
    print(f"Measured on {machine()}; synthetic archive of {args.n:,} tweets "
          f"(`bench/synth_archive.py`), median of {args.repeat} runs.\n")
    print(markdown(figures))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
