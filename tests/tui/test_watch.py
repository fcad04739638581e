"""One writer per migration, from the app's side (ARCHITECTURE.md#the-journal-how-never-twice-holds): two
`migrate` processes and the TUI on one migration. A real headless `quittex-tui migrate --dry-run` runs; the
app opened on the same state shows it read-only with its progress advancing and sends nothing; a second
`migrate` refuses; when the first ends the app offers to continue, and at the end every post exists exactly
once on the (simulated) server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from quittex_tui.publish.journal import JournalView, journal_path
from quittex_tui.publish.lock import MigrationBusy, lock_holder, lock_path_for
from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.modals import ConfirmScreen, ErrorScreen
from tests.archive.builder import ArchiveBuilder, dt
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio
N_TWEETS = 40
FIRST_RUN = 28  # items the headless run sends before it ends (--limit): the app sends the rest


def _archive(tmp_path: Path) -> Path:
    b = ArchiveBuilder(generation="2023")
    for n in range(N_TWEETS):
        b.tweet(f"Message numéro {n} — l’été", at=dt(2024, 1, 1 + n % 28, 8, n))
    return b.write_zip(tmp_path / "archive.zip")


def _migrate(archive: Path, state: Path, *extra: str, latency: str = "0.3") -> subprocess.Popen[str]:
    env = dict(os.environ, QUITTEX_DRY_RUN_LATENCY=latency)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quittex_tui",
            "migrate",
            str(archive),
            "--dry-run",
            "--state",
            str(state),
            *extra,
        ],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _store_keys(state: Path) -> list[str]:
    store = state.with_name(f"{state.stem}.dry-run.server.jsonl")
    lines = store.read_text("utf-8").splitlines() if store.exists() else []
    return [json.loads(line)["key"] for line in lines if line.strip()]


def _screen(pilot: Pilot) -> str:
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def _wait_proc(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    out, err = await asyncio.to_thread(proc.communicate, timeout=timeout)
    return out, err


async def test_two_processes_and_the_app_on_one_migration(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    state = tmp_path / "state.toml"
    journal = journal_path(state, "dry-run")
    first = _migrate(archive, state, "--limit", str(FIRST_RUN))
    try:
        deadline = time.monotonic() + 60
        while lock_holder(lock_path_for(journal)) is None:  # the headless run has started sending
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the headless migrate never took the writer lock"
            await asyncio.sleep(0.05)

        app = make_app(archive, demo=True, lang="en", state_path=state, dry_run_latency=0)
        async with app.run_test(size=(160, 50)) as pilot:
            main = await wait_main(pilot)
            s = main.session
            slot = s.slots["dry-run"]
            await wait_for(pilot, lambda: slot.elsewhere is not None, timeout=10)
            assert slot.elsewhere.pid == first.pid
            assert len(s.rows) == N_TWEETS

            # Read-only: the writer named on screen; s refuses to send; nothing runs here.
            await pilot.press("5")
            await wait_for(pilot, lambda: f"running in process {first.pid}" in _screen(pilot))
            await pilot.press("s")
            await pilot.pause(0.2)
            assert not slot.running and not isinstance(app.screen, ConfirmScreen)

            # A second headless run refuses at once, naming the first.
            second = _migrate(archive, state)
            _, err = await _wait_proc(second)
            assert second.returncode == 2, err
            assert "already running" in err and str(first.pid) in err and "Traceback" not in err

            # Live progress: the Queue pane follows the journal the other process appends to.
            def sent() -> int:
                return sum(1 for v in slot.statuses.values() if v == "sent")

            seen = sent()
            await wait_for(pilot, lambda: sent() > seen and first.poll() is None, timeout=30)
            assert seen < FIRST_RUN

            # The headless run ends (its --limit): the app notices and offers to continue here.
            _, err = await _wait_proc(first)
            assert first.returncode == 0, err
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=10)
            assert slot.elsewhere is None and sent() == FIRST_RUN
            await pilot.press("y")
            await wait_for(pilot, lambda: slot.report is not None and not slot.running, timeout=60)
            assert sent() == N_TWEETS
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    keys = _store_keys(state)
    assert len(keys) == N_TWEETS and len(set(keys)) == N_TWEETS  # every post exactly once
    assert {e.status for e in JournalView(journal).entries()} == {"done"}
    again = _migrate(archive, state, latency="0")
    _, err = await _wait_proc(again)
    assert again.returncode == 0 and "nothing left to send" in err
    assert _store_keys(state) == keys


async def test_a_run_started_in_the_app_meets_the_lock_and_says_so(tmp_path: Path) -> None:
    """The app's own run takes the writer lock through its Journal: when another process holds it (taken
    between the app's look and its start), the run is refused with a dialog in the app's words."""
    archive = _archive(tmp_path)
    state = tmp_path / "state.toml"
    app = make_app(archive, demo=True, lang="en", state_path=state, dry_run_latency=0)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        slot = s.slots["dry-run"]
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, time\n"
                "from pathlib import Path\n"
                "from quittex_tui.publish.lock import WriterLock\n"
                "lock = WriterLock(Path(sys.argv[1]), command='migrate --dry-run'); lock.acquire()\n"
                "print('held', flush=True); time.sleep(60)\n",
                str(lock_path_for(journal_path(state, "dry-run"))),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None
            assert (await asyncio.to_thread(holder.stdout.readline)).strip() == "held"
            with pytest.raises(MigrationBusy):  # the core refusal (no Textual), before anything is built
                s.check_not_busy("dry-run")
            main.run_targets(["dry-run"])  # as if the app had not looked yet
            await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), timeout=20)
            await wait_for(pilot, lambda: "already running" in _screen(pilot))
            text = _screen(pilot)
            assert "already running elsewhere" in text and str(holder.pid) in text
            assert "Traceback" not in text and _store_keys(state) == []
            await pilot.press("escape")
            await wait_for(pilot, lambda: slot.elsewhere is not None and slot.elsewhere.pid == holder.pid)
        finally:
            holder.kill()
            holder.wait()
        # The holder died (kill -9: the kernel released its lock): the app notices; nothing was sent, so it
        # offers to send everything from here.
        await wait_for(
            pilot, lambda: slot.elsewhere is None and isinstance(app.screen, ConfirmScreen), timeout=10
        )
        await pilot.press("n")


async def test_a_migrate_started_while_the_app_sends_refuses(tmp_path: Path) -> None:
    """The app's own run holds the writer lock (through its Journal): a headless migrate started meanwhile
    refuses, naming the app; the app's run finishes alone, every post once."""
    archive = _archive(tmp_path)
    state = tmp_path / "state.toml"
    app = make_app(archive, demo=True, lang="en", state_path=state, dry_run_latency=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await wait_main(pilot)
        slot = main.session.slots["dry-run"]
        await pilot.press("5", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(_store_keys(state)) >= 2)
        holder = lock_holder(lock_path_for(journal_path(state, "dry-run")))
        assert holder is not None and holder.pid == os.getpid() and holder.command == "quittex-tui app"
        other = _migrate(archive, state, latency="0")
        _, err = await _wait_proc(other)
        assert other.returncode == 2 and "quittex-tui app" in err and str(os.getpid()) in err
        assert slot.elsewhere is None  # our own run is never taken for another process's
        await wait_for(pilot, lambda: slot.report is not None and not slot.running, timeout=60)
    keys = _store_keys(state)
    assert len(keys) == N_TWEETS == len(set(keys))


def test_the_watcher_reads_only_and_follows_a_compaction(tmp_path: Path) -> None:
    """The watcher never writes the journal it watches, shows the post being sent, and after the writer's
    compaction (atomic replace: a new file) reads the statuses again whole."""
    from quittex_tui.archive import open_archive
    from quittex_tui.state import open_or_create_state
    from quittex_tui.tui.session import Session
    from quittex_tui.tui.watch import Watcher

    archive = _archive(tmp_path)
    with open_archive(archive) as arch:
        path, st = open_or_create_state(arch, tmp_path / "state.toml")
        s = Session(arch, path, st, demo=True)
        s.build_plans()
    items = s.effective_plan("dry-run").items
    jpath = s.journal_path("dry-run")
    # The writer is another process (the lock is per process): three posts done, a fourth under way.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from quittex_tui.publish.journal import Journal\n"
        "from quittex_tui.publish.target import PostRef\n"
        "ids = sys.argv[2:]\n"
        "with Journal(Path(sys.argv[1]), command='test writer') as j:\n"
        "    for i in ids[:3]:\n"
        "        j.intent(i + '-0', item_id=i); j.done(i + '-0', PostRef(uri='dry://' + i, cid='c'))\n"
        "    j.intent(ids[3] + '-0', item_id=ids[3])\n"
        "    print('ready', flush=True); sys.stdin.readline()\n"
        "    j.done(ids[3] + '-0', PostRef(uri='dry://x', cid='c'))\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(jpath), *[i.id for i in items[:4]]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        before = jpath.stat()
        watcher = Watcher(s)
        events = watcher.poll()
        slot = s.slots["dry-run"]
        assert [e.kind for e in events] == ["started"] and slot.elsewhere.pid == child.pid
        assert [slot.statuses[i.id] for i in items[:5]] == ["sent", "sent", "sent", "sending", "planned"]
        assert slot.watch.last_item == items[3].id
        assert watcher.poll() == []  # nothing new: nothing to redraw
        after = jpath.stat()
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        )
    finally:
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(20)
    assert jpath.stat().st_ino != before.st_ino  # the writer compacted on exit (atomic replace)
    events = watcher.poll()
    assert [e.kind for e in events] == ["ended"] and slot.elsewhere is None
    assert [slot.statuses[i.id] for i in items[:5]] == ["sent", "sent", "sent", "sent", "planned"]
