"""One writer per migration and per account; faults of our own disk stop cleanly
(ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 11).

Against the real mastodon-mock (through the fault proxy, which slows the writes so a run lasts):
- two `migrate` processes on one migration: the second refuses at once, naming the first (pid, host,
  since when), exit 2; a second state file for the same account refuses too; so does the TUI's model
  (`Session.run`); then the first is killed with SIGKILL and the resumed run ends with every post once;
- a full disk (a 24 KiB tmpfs, mounted in a user namespace: a real file-system limit) in the middle of a
  run, and a state folder turned read-only before the final compaction: a clear message, exit 2, state
  and journal intact, and the resumed run ends with every post exactly once on the server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from quittex_tui.demo import demo_archive_path
from quittex_tui.publish.journal import JournalView
from quittex_tui.publish.lock import MigrationBusy
from quittex_tui.state import load_state
from tests.publish.engine_helpers import as_sent
from tests.publish.fault_proxy import ProxyRequest, fault_proxy
from tests.publish.target_helpers import new_mastodon_user
from tests.publish.test_crash_servers import list_mastodon_statuses
from tests.publish.test_exactly_once import demo_plan_items, planned, texts_on

pytestmark = pytest.mark.servers
STATUS_POST = "/api/v1/statuses"


def migrate_cmd(instance: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "quittex_tui",
        "migrate",
        str(demo_archive_path()),
        "--to",
        "mastodon",
        "--instance",
        instance,
        "--yes",
        "--json",
        *extra,
    ]


def done_records(state_dir: Path) -> int:
    found = list(state_dir.glob("*.mastodon.journal.toml")) if state_dir.exists() else []
    try:
        return found[0].read_bytes().count(b"[[done]]") if found else 0
    except FileNotFoundError:
        return 0


def test_two_migrate_processes_one_refuses_then_kill_9_and_resume_exactly_once(
    test_servers: dict[str, str], isolated_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, token = new_mastodon_user(test_servers)
    base = test_servers["QTX_MASTODON_URL"]
    env = {**os.environ, "QUITTEX_MASTODON_TOKEN": token}
    slow = {"on": True}

    def rule(req: ProxyRequest) -> str:
        return "slow:0.3" if slow["on"] and req.method == "POST" and req.path == STATUS_POST else "pass"

    state_dir = isolated_home / "state"
    with fault_proxy(base, rule) as proxy:
        first = subprocess.Popen(
            migrate_cmd(proxy.url), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while done_records(state_dir) < 2 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        assert first.poll() is None, "the first run ended before the second one could start"

        started = time.monotonic()
        second = subprocess.run(migrate_cmd(proxy.url), env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2 and time.monotonic() - started < 15
        assert (
            "already running" in second.stderr
            and f"process {first.pid} on {socket.gethostname()}" in second.stderr
            and "running since" in second.stderr
        ), second.stderr
        assert "Traceback" not in second.stderr and second.stdout == ""

        # Another state file, the same account: its journal knows nothing of the first — refused too.
        other = subprocess.run(
            migrate_cmd(proxy.url, "--state", str(tmp_path / "other.toml")),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode == 2 and "already running" in other.stderr, other.stderr
        assert f"process {first.pid}" in other.stderr

        # The TUI's model: the same rule, in the core.
        from quittex_tui.tui.session import open_session

        monkeypatch.setenv("QUITTEX_MASTODON_TOKEN", token)
        session = open_session(demo_archive_path())
        session.connect("mastodon")
        with pytest.raises(MigrationBusy) as busy:
            session.run("mastodon", lambda event: None)
        assert busy.value.holder is not None and busy.value.holder.pid == first.pid

        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
        slow["on"] = False
        resumed = subprocess.run(migrate_cmd(proxy.url), env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    items = demo_plan_items("mastodon")
    assert report["failed"] == [] and report["remaining"] == 0
    assert report["published"] + report["already_published"] == len(items)
    from quittex_tui.convert.models import Plan

    plan = as_sent(Plan(target="mastodon", items=items), *state_dir.glob("*.mastodon.journal.toml"))
    assert texts_on(list_mastodon_statuses(base, token)) == planned(plan)


# --- our own disk -----------------------------------------------------------------------------------------


class SmallDisk:
    """A tmpfs of `size` mounted at `where` inside a user + mount namespace (no privileges needed where
    unprivileged user namespaces are allowed); commands run inside with `run`, files are read from
    outside through /proc/<pid>/root."""

    def __init__(self, where: Path, size: str) -> None:
        for tool in ("unshare", "nsenter"):
            if shutil.which(tool) is None:
                pytest.fail(
                    f"this test needs `{tool}` (util-linux) to mount a small file system", pytrace=False
                )
        self.where = where
        self.holder = subprocess.Popen(
            [
                "unshare",
                "-Urm",
                "--",
                "sh",
                "-c",
                f"mount -t tmpfs -o size={size},mode=0700 tmpfs '{where}' && echo ready && exec sleep 900",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.holder.stdout is not None
        if self.holder.stdout.readline().strip() != "ready":
            err = self.holder.stderr.read() if self.holder.stderr else ""
            pytest.fail(
                f"cannot mount a small tmpfs in a user namespace (unshare -Urm): {err}", pytrace=False
            )

    def run(
        self, cmd: list[str], env: dict[str, str], timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["nsenter", "-t", str(self.holder.pid), "-U", "-m", "--preserve-credentials", "--", *cmd],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def outside(self, path: Path) -> Path:
        return Path(f"/proc/{self.holder.pid}/root{path}")

    def close(self) -> None:
        self.holder.kill()
        self.holder.wait(timeout=10)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    where = tmp_path / "small"
    where.mkdir()
    disk = SmallDisk(where, "24k")
    try:
        yield disk
    finally:
        disk.close()


def unprivileged(cmd: list[str]) -> list[str]:
    """Root ignores folder permissions: drop its capabilities so a read-only folder is read-only."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        pytest.fail(
            "running as root, this test needs `setpriv` (util-linux) to drop privileges", pytrace=False
        )
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *cmd]


def test_a_full_disk_mid_run_stops_cleanly_and_loses_nothing(
    test_servers: dict[str, str], small_disk: SmallDisk, tmp_path: Path
) -> None:
    _, token = new_mastodon_user(test_servers)
    base = test_servers["QTX_MASTODON_URL"]
    env = {**os.environ, "QUITTEX_MASTODON_TOKEN": token}
    state = small_disk.where / "m.toml"

    # 1. The disk fills in the middle of the run.
    full = small_disk.run(migrate_cmd(base, "--state", str(state)), env)
    assert full.returncode == 2, full.stderr
    assert "the disk is full" in full.stderr and "Traceback" not in full.stderr
    assert "everything confirmed before this is kept" in full.stderr
    journal_path = small_disk.outside(small_disk.where / "m.mastodon.journal.toml")
    with JournalView(journal_path) as view:
        done = {e.uri for e in view.entries() if e.status == "done"}
    assert 0 < len(done) < 41 and view.damaged == 0  # part of the run, every record whole
    load_state(small_disk.outside(state))  # the state is intact
    on_server = {s["id"] for s in list_mastodon_statuses(base, token)}
    assert done <= on_server and len(on_server) <= len(done) + 1  # at most the one whose `done` failed

    # 2. Space is freed; the run resumes inside the same file system and finishes.
    grow = small_disk.run(["mount", "-o", "remount,size=1m", str(small_disk.where)], env)
    assert grow.returncode == 0, grow.stderr
    resumed = small_disk.run(migrate_cmd(base, "--state", str(state)), env)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["failed"] == [] and report["remaining"] == 0
    from quittex_tui.convert.models import Plan

    plan = Plan(target="mastodon", items=demo_plan_items("mastodon"))
    plan = as_sent(plan, small_disk.outside(small_disk.where / "m.mastodon.journal.toml"))  # own links live
    assert texts_on(list_mastodon_statuses(base, token)) == planned(plan), "a post is missing or doubled"


def test_a_state_folder_turned_read_only_stops_cleanly_at_the_final_compaction(
    test_servers: dict[str, str], tmp_path: Path
) -> None:
    """Appends go to the journal file (still writable), but the final compaction must create a new file
    in the folder: it says so after the report, exit 2, and the state and journal stay as they were."""
    _, token = new_mastodon_user(test_servers)
    base = test_servers["QTX_MASTODON_URL"]
    env = {**os.environ, "QUITTEX_MASTODON_TOKEN": token}
    folder = tmp_path / "ro"
    folder.mkdir()
    state = folder / "m.toml"
    start = subprocess.run(
        migrate_cmd(base, "--state", str(state), "--limit", "5"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert start.returncode == 0, start.stderr
    before = state.read_bytes()
    folder.chmod(0o555)
    try:
        ro = subprocess.run(
            unprivileged(migrate_cmd(base, "--state", str(state))),
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        folder.chmod(0o755)
    assert ro.returncode == 2, ro.stderr
    assert "Cannot compact the journal" in ro.stderr and "permission denied" in ro.stderr, ro.stderr
    assert "Traceback" not in ro.stderr
    report = json.loads(ro.stdout)  # the report comes first: what was sent is said
    assert report["failed"] == [] and report["remaining"] == 0 and report["already_published"] == 5
    assert state.read_bytes() == before  # untouched (its last save failed the same way, atomically)
    with JournalView(folder / "m.mastodon.journal.toml") as view:
        assert view.damaged == 0 and all(e.status == "done" for e in view.entries())
    from quittex_tui.convert.models import Plan

    plan = as_sent(
        Plan(target="mastodon", items=demo_plan_items("mastodon")), folder / "m.mastodon.journal.toml"
    )
    assert texts_on(list_mastodon_statuses(base, token)) == planned(plan)
    again = subprocess.run(
        migrate_cmd(base, "--state", str(state)), env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and json.loads(again.stdout)["published"] == 0, again.stderr
    assert texts_on(list_mastodon_statuses(base, token)) == planned(plan), "nothing sent twice"

    # A state folder read-only from the start: refused in words before anything is sent.
    fresh = tmp_path / "fresh-ro"
    fresh.mkdir(mode=0o555)
    try:
        refused = subprocess.run(
            unprivileged(migrate_cmd(base, "--state", str(fresh / "n.toml"))),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        fresh.chmod(0o755)
    assert refused.returncode == 2 and "permission denied" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
