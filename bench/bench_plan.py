#!/usr/bin/env python3
"""`quittex-tui plan --to bluesky --json` at 100k / 300k / 500k tweets, beside `inspect --json`.

Issue "Conversion", § Benchmark: plan ≤ 2× inspect, both on an empty cache (both parse the archive; with
the index written, inspect takes a second and the ratio would only measure the planning). Issue 16: the
plan's peak memory under 500 MiB at 100k tweets, 1 GiB at 300k, 2 GiB at 500k; first (empty cache) and
warm runs both reported. Whole processes, wall-clock with CPU time, median of --repeat runs (one run
above 100k tweets), peak RSS from os.wait4.

    .venv/bin/python bench/bench_plan.py [--sizes 100000,300000,500000] [--repeat 3] [--to bluesky|mastodon]
"""

from __future__ import annotations

import argparse
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


def measure(ctx: BenchContext, target: str = "bluesky") -> list[Figure]:
    figures: list[Figure] = []
    for n in ctx.sizes:
        archive = ctx.archive(n=n)  # without media files, as issue 5 asks
        repeat = ctx.repeat_for(n)
        label = size_label(n)
        plan_cmd = cli("plan", str(archive), "--to", target, "--json")
        cold = repeat_measured(plan_cmd, repeat, cold=f"plan-{n}")
        inspect = repeat_measured(cli("inspect", str(archive), "--json"), repeat, cold=f"plan-inspect-{n}")
        home = fresh_home(f"plan-warm-{n}")
        repeat_measured(cli("inspect", str(archive), "--json"), 1, home=home)  # the index, written once
        warm = repeat_measured(plan_cmd, repeat, home=home)
        json_bytes = warm[0].stdout_path.stat().st_size
        same = cold[0].stdout_path.read_bytes() == warm[0].stdout_path.read_bytes()
        for r in cold + inspect + warm:
            r.stdout_path.unlink(missing_ok=True)
        ratio = median_wall(cold) / median_wall(inspect)
        cpu_ratio = median_cpu(cold) / median_cpu(inspect)
        goal, limit = memory_goal(n)
        peak = max(r.max_rss_bytes for r in cold + warm)
        figures += [
            timing(
                "plan",
                f"{label}: `plan --to {target} --json`, first open ({json_bytes / 1e6:.0f} MB JSON)",
                cold,
            ),
            timing("plan", f"{label}: `plan --to {target} --json`, warm cache", warm),
            timing("plan", f"{label}: `inspect --json`, first open", inspect),
            Figure(
                "plan",
                f"{label}: plan / inspect, first open (wall; CPU)",
                f"{ratio:.2f}×",
                "≤ 2×",
                ratio <= 2.0,
                cpu=f"{cpu_ratio:.2f}×",
            ),
            Figure("plan", f"{label}: plan peak RSS", f"{peak / 1024**2:.0f} MiB", goal, peak < limit),
            Figure(
                "plan",
                f"{label}: plan JSON identical, empty vs warm cache",
                "yes" if same else "NO",
                "identical",
                same,
            ),
        ]
    return figures


def main(argv: list[str] | None = None) -> int:
    def target_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--to", dest="target", choices=["bluesky", "mastodon"], default="bluesky")

    return standalone(__doc__ or "", lambda ctx, args: measure(ctx, target=args.target), argv, target_option)


if __name__ == "__main__":
    raise SystemExit(main())
