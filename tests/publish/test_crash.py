"""Crash safety: a kill at ANY instant never loses a confirmed post nor publishes one twice on resume.

1. In process, exhaustively: a simulated kill at every step of a run (before/after each journal record,
   a torn half-written record, before/after the server commits a post), then a resume.
2. `migrate --dry-run` as a subprocess, `kill -9` at seeded random moments, resumed each time.
3. The same against the REAL local servers (PDS and mastodon-mock): see test_crash_servers.py.
The dry-run target runs with `idempotent=False` here: a re-sent key would be a second post, so only the
engine's journal and reconciliation stand between a kill and a duplicate.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from quittex_tui.archive import open_archive
from quittex_tui.convert.models import Plan, PlannedPost, PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish.dryrun import DryRunTarget
from quittex_tui.publish.engine import Engine
from quittex_tui.publish.journal import Journal, JournalEntry, Status, _record
from quittex_tui.publish.target import PostRef, ReplyTo
from tests.publish.engine_helpers import FakeClock, make_plan


class Kill(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even `finally` blocks of the engine matter)."""


class KillSwitch:
    def __init__(self, at: int | None) -> None:
        self.at = at
        self.n = 0

    def hit(self) -> bool:
        self.n += 1
        return self.at is not None and self.n == self.at

    def point(self) -> None:
        if self.hit():
            raise Kill


class CrashyJournal(Journal):
    switch = KillSwitch(None)

    def _append(self, status: Status, fields: dict[str, Any]) -> JournalEntry:
        self.switch.point()  # killed before writing the record
        if self.switch.hit():  # killed in the middle of the write: half a record on disk
            data = _record(status, fields)
            self._fh.write(data[: len(data) // 2])
            self._fh.flush()
            raise Kill
        entry = super()._append(status, fields)
        self.switch.point()  # killed right after the record is durable
        return entry


class CrashyTarget(DryRunTarget):
    switch = KillSwitch(None)

    def publish(self, post: PlannedPost, *, key: str, created_at: Any, reply_to: ReplyTo | None) -> PostRef:
        self.switch.point()  # killed while uploading / before the server commits
        ref = super().publish(post, key=key, created_at=created_at, reply_to=reply_to)
        self.switch.point()  # the server committed, the answer never arrived
        return ref


def run_once(plan: Plan, target: CrashyTarget, path: Path, clock: FakeClock, switch: KillSwitch) -> bool:
    """One process life: True if it ran to the end, False if killed."""
    CrashyJournal.switch = switch
    CrashyTarget.switch = switch
    journal = CrashyJournal(path)
    try:
        Engine(plan, target, journal, sleep=clock.sleep, now=clock.now).run()
    except Kill:
        # The OS closes the files of a killed process and releases its flock; no compaction of ours.
        journal.close()
        return False
    journal.compact()
    journal.close()
    return True


def assert_exactly_once_and_chained(plan: Plan, target: DryRunTarget) -> None:
    keys = [p.key for p in target.posts]
    expected = [
        target.post_key(i.id, n, p.source_id, i.created_at) for i in plan.items for n, p in enumerate(i.posts)
    ]
    assert sorted(keys) == sorted(expected), "a post is missing or was published twice"
    assert keys == expected  # and in plan order
    by_key = {p.key: p for p in target.posts}
    for item in plan.items:
        posts = [
            by_key[target.post_key(item.id, n, p.source_id, item.created_at)]
            for n, p in enumerate(item.posts)
        ]
        assert posts[0].reply_to is None
        for prev, post in itertools.pairwise(posts):
            assert post.reply_to == ReplyTo(root=posts[0].ref, parent=prev.ref)


def test_a_kill_at_every_single_step_then_resume(tmp_path: Path) -> None:
    plan = make_plan([1, 3, 2, 1])
    clean = KillSwitch(None)
    clock = FakeClock()
    target = CrashyTarget(latency=0, rate_limit=None, idempotent=False, sleep=clock.sleep, now=clock.now)
    assert run_once(plan, target, tmp_path / "clean.toml", clock, clean)
    steps = clean.n
    assert steps > 7 * 6  # every post passes at least 6 kill points (2 journal records × 3, 2 server points)
    for at in range(1, steps + 1):
        target = CrashyTarget(latency=0, rate_limit=None, idempotent=False, sleep=clock.sleep, now=clock.now)
        path = tmp_path / f"j{at}.toml"
        assert not run_once(plan, target, path, clock, KillSwitch(at)), f"no kill happened at step {at}"
        assert run_once(plan, target, path, clock, KillSwitch(None))
        assert_exactly_once_and_chained(plan, target)
        entries = list(Journal(path).entries())
        assert len(entries) == 7 and all(e.status == "done" for e in entries)


def test_many_kills_in_a_row_at_random_steps(tmp_path: Path) -> None:
    rng = random.Random(20250301)
    plan = make_plan([2, 1, 4, 1, 3, 1])
    for round_ in range(20):
        clock = FakeClock()
        target = CrashyTarget(latency=0, rate_limit=None, idempotent=False, sleep=clock.sleep, now=clock.now)
        path = tmp_path / f"r{round_}.toml"
        kills = 0
        while not run_once(plan, target, path, clock, KillSwitch(rng.randint(1, 12))):
            kills += 1
        assert kills > 0
        assert_exactly_once_and_chained(plan, target)


def test_kill_9_of_the_dry_run_cli_at_random_moments(tmp_path: Path, isolated_home: Path) -> None:
    """`migrate --dry-run` killed with SIGKILL 12 times (seeded), resumed each time, then run to the end."""
    rng = random.Random(6)
    env = {**os.environ, "QUITTEX_DRY_RUN_LATENCY": "0.02"}
    cmd = [sys.executable, "-m", "quittex_tui", "migrate", str(demo_archive_path()), "--dry-run", "--json"]
    state_dir = isolated_home / "state"
    killed = 0
    for _ in range(10):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        journal_size = _journal_size(state_dir)
        grow_by = rng.randint(1, 900)  # bytes of journal growth to wait for: a few records
        jitter = rng.uniform(0, 0.03)
        while proc.poll() is None and time.monotonic() < deadline:
            if _journal_size(state_dir) >= journal_size + grow_by:
                time.sleep(jitter)
                break
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=30)
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert report["failed"] == [] and report["remaining"] == 0
    assert killed >= 6  # most rounds were killed mid-run, not after the end
    store = next(state_dir.glob("*.dry-run.server.jsonl"))
    server = [json.loads(line) for line in store.read_text().splitlines() if line.endswith("}")]
    journal = Journal(next(state_dir.glob("*.dry-run.journal.toml")))
    done = {e.key for e in journal.entries() if e.status == "done"}
    keys = [row["key"] for row in server]
    assert len(keys) == len(set(keys)), "a post was published twice"
    with open_archive(demo_archive_path()) as archive:
        plan = build_plan(archive, PlanOptions(target="bluesky"))
    assert set(keys) == done, "a confirmed post is missing from the journal, or the journal invented one"
    assert len(done) == sum(len(item.posts) for item in plan.items), "a planned post is missing"
    journal.close()


def _journal_size(state_dir: Path) -> int:
    found = list(state_dir.glob("*.dry-run.journal.toml")) if state_dir.exists() else []
    return found[0].stat().st_size if found else 0
