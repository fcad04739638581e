"""Benchmark the migration state + journal (issue "Publishing engine", State): goal ≤ 1-2 s to load 100k.

Prints: the time to load a journal of N `done` records (appended form and compacted form), the state TOML
load time, the cost of one append (write + flush + fsync) and of a compaction, and the engine's own
overhead per post against the dry-run target (latency 0) beside a dry-run target with its default latency.

    .venv/bin/python bench/bench_state_load.py [--entries 100000] [--posts 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import BenchContext, Figure  # bench/ helpers (run_all puts bench/ on sys.path)
from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlannedPost
from quittex_tui.publish.dryrun import DryRunTarget
from quittex_tui.publish.engine import Engine
from quittex_tui.publish.journal import HEADER, Journal, _record
from quittex_tui.publish.target import PostRef
from quittex_tui.state import MigrationState, load_state, save_state


def write_journal(path: Path, n: int, *, compacted: bool) -> None:
    """N posts' records written the way the journal writes them (intent + done, or compacted done)."""
    at = datetime(2025, 3, 1, tzinfo=UTC)
    parts = [HEADER.encode()]
    for i in range(n):
        key = f"3l{i:011d}"
        common = {"key": key, "item_id": str(1_500_000_000_000_000_000 + i), "index": 0, "kind": "post"}
        if not compacted:
            parts.append(_record("intent", {**common, "at": at}))
        parts.append(
            _record(
                "done",
                {
                    **common,
                    "uri": f"at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/{key}",
                    "cid": "bafyreib2rxk3rh6kzwq4tdnbqoqqkpcfqbw4tyzxgcrbw5xnmtlv3nm4ie",
                    "url": f"https://bsky.app/profile/anne.bsky.social/post/{key}",
                    "at": at,
                },
            )
        )
    path.write_bytes(b"".join(parts))


def time_load(path: Path, repeat: int = 3) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        journal = Journal(path)
        times.append(time.perf_counter() - start)
        count = len(journal)
        journal.close()
    return min(times), count


def bench_journal(root: Path, n: int) -> list[Figure]:
    figures = []
    for compacted in (False, True):
        path = root / f"j-{'compact' if compacted else 'appended'}.toml"
        write_journal(path, n, compacted=compacted)
        seconds, count = time_load(path)
        size = path.stat().st_size / 1e6
        form = "compacted (1 record/post)" if compacted else "appended (intent+done)"
        figures.append(
            Figure(
                "state",
                f"journal load, {count:,} posts, {form}, {size:.1f} MB",
                f"{seconds:.2f} s",
                "≤ 2 s",
                seconds <= 2.0,
            )
        )
    path = root / "j-compact.toml"
    journal = Journal(path)
    ref = PostRef("at://did:plc:x/app.bsky.feed.post/3lzzzzzzzzzzz", "bafyrei", "https://bsky.app/x")
    samples = []
    for i in range(500):
        start = time.perf_counter()
        journal.intent(f"new{i}", item_id=f"n{i}")
        journal.done(f"new{i}", ref)
        samples.append((time.perf_counter() - start) / 2)
    p95 = sorted(samples)[int(len(samples) * 0.95)]
    figures.append(
        Figure(
            "state",
            f"append one record (write+flush+fsync) to a {n:,}-post journal",
            f"median {statistics.median(samples) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms",
            "O(1)",
        )
    )
    start = time.perf_counter()
    journal.compact()
    figures.append(
        Figure(
            "state",
            f"compaction of {len(journal):,} entries (clean exit)",
            f"{time.perf_counter() - start:.2f} s",
        )
    )
    journal.close()
    return figures


def bench_state(root: Path, n: int) -> list[Figure]:
    state = MigrationState(
        archive_paths=["/data/archive.zip"],
        archive_fingerprint="f" * 64,
        excluded=[str(i) for i in range(n // 10)],
        edits={"bluesky": {str(i): {"0": f"texte modifié n°{i} 🎉"} for i in range(1000)}},
    )
    path = root / "state.toml"
    start = time.perf_counter()
    save_state(state, path)
    saved = time.perf_counter() - start
    start = time.perf_counter()
    load_state(path)
    loaded = time.perf_counter() - start
    return [
        Figure(
            "state",
            f"state TOML ({n // 10:,} exclusions, 1,000 edits): save / load",
            f"{saved:.3f} s / {loaded:.3f} s",
        )
    ]


def plan_of(n: int) -> Plan:
    base = datetime(2019, 1, 1, tzinfo=UTC)
    items = [
        PlanItem(
            id=str(10_000 + i),
            kind=ItemKind.POST,
            source_ids=[str(10_000 + i)],
            created_at=base + timedelta(minutes=i),
            posts=[PlannedPost(source_id=str(10_000 + i), text=f"post {i} — été")],
        )
        for i in range(n)
    ]
    return Plan(target="bluesky", items=items)


def bench_engine(root: Path, n: int) -> list[Figure]:
    plan = plan_of(n)
    results = {}
    for latency in (0.0, DryRunTarget.DEFAULT_LATENCY):
        posts = n if latency == 0 else min(n, 100)
        sub = plan.model_copy(update={"items": plan.items[:posts]})
        target = DryRunTarget(latency, rate_limit=None)
        path = root / f"engine-{latency}.toml"
        with Journal(path) as journal:
            engine = Engine(sub, target, journal)
            start = time.perf_counter()
            engine.run()
            results[latency] = (time.perf_counter() - start) / posts
    overhead = results[0.0]
    default = DryRunTarget.DEFAULT_LATENCY
    # Beside the real servers' own latency: a local PDS createRecord ≈ 8 ms/post, mastodon-mock ≈ 10 ms/post
    # (docs/test-servers.md); a real network answers in 100+ ms.
    return [
        Figure(
            "engine",
            "overhead per post (journal intent+done, 2 fsyncs, pacing, events)",
            f"{overhead * 1e3:.2f} ms",
        ),
        Figure(
            "engine",
            f"per post against a simulated {default * 1e3:.0f} ms server",
            f"{results[default] * 1e3:.1f} ms ({overhead / default:.1%} overhead)",
        ),
        Figure("engine", "overhead against a local PDS write (≈ 8 ms)", f"{overhead / 0.008:.1%}"),
    ]


def measure(ctx: BenchContext) -> list[Figure]:
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        root = Path(tmp)
        return [*bench_journal(root, ctx.n), *bench_state(root, ctx.n), *bench_engine(root, 2_000)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        root = Path(tmp)
        print(f"python {sys.version.split()[0]}, temp dir {root}")
        for fig in [
            *bench_journal(root, args.entries),
            *bench_state(root, args.entries),
            *bench_engine(root, args.posts),
        ]:
            print(f"{fig.bench}: {fig.metric}: {fig.value}" + (f" (goal {fig.goal})" if fig.goal else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
