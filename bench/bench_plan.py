#!/usr/bin/env python3
"""Time `quittex-tui plan --to bluesky --json` beside `inspect --json` on the synthetic archive.

Issue "Conversion", § Benchmark: on the 100k-tweet archive without media, plan ≤ 2× inspect. Both are
whole processes, wall-clock, median of --repeat runs; plan's peak RSS is reported too (os.wait4).
When `quittex-tui plan` does not exist yet, says so and measures nothing.

    .venv/bin/python bench/bench_plan.py [--n 100000] [--repeat 3] [--to bluesky|mastodon]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # bench/ is a folder of scripts, not a package
    GIB,
    BenchContext,
    Figure,
    cli,
    command_available,
    fmt_mib,
    fmt_s,
    median_cpu,
    median_wall,
    repeat_measured,
    standalone,
)


def measure(ctx: BenchContext, target: str = "bluesky") -> list[Figure]:
    if not command_available("plan"):
        return [Figure("plan", "`plan` command", "not available yet")]
    archive = ctx.archive()  # without media files, as the issue asks
    label = f"{ctx.n // 1000}k tweets"
    inspect_runs = repeat_measured(cli("inspect", str(archive), "--json"), ctx.repeat)
    plan_runs = repeat_measured(cli("plan", str(archive), "--to", target, "--json"), ctx.repeat)
    plan_json_bytes = plan_runs[0].stdout_path.stat().st_size
    for r in inspect_runs + plan_runs:
        r.stdout_path.unlink(missing_ok=True)
    inspect, plan = median_wall(inspect_runs), median_wall(plan_runs)
    peak = max(r.max_rss_bytes for r in plan_runs)
    ratio = plan / inspect
    cpu_ratio = median_cpu(plan_runs) / median_cpu(inspect_runs)
    return [
        Figure("plan", f"`inspect --json` ({label})", fmt_s(inspect)),
        Figure("plan", f"`plan --to {target} --json` ({label}, {plan_json_bytes / 1e6:.0f} MB JSON)",
               fmt_s(plan)),
        Figure("plan", "plan / inspect", f"{ratio:.2f}×", "≤ 2×", ratio <= 2.0),
        Figure("plan", "plan / inspect, CPU time (user+sys)", f"{cpu_ratio:.2f}×"),
        Figure("plan", "plan peak RSS", fmt_mib(peak), "< 1 GiB", peak < GIB),
    ]


def main(argv: list[str] | None = None) -> int:
    def target_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--to", dest="target", choices=["bluesky", "mastodon"], default="bluesky")

    return standalone(__doc__ or "", lambda ctx, args: measure(ctx, target=args.target), argv, target_option)


if __name__ == "__main__":
    raise SystemExit(main())
