"""Start the real protocol servers for the publishing tests (never fakes).

Spec: docs/test-servers.md (what runs, how the fixtures start it, ports and variables). The start scripts
are not in this repository: they live in `../shared/servers` beside the clone (or `$QTX_SHARED_DIR`), and
this module really runs them from there — the only reason the path `../shared` appears in the code
(docs/test-servers.md#how-the-tests-start-them). If a server cannot start, the fixture
calls `pytest.fail` — every test using it errors and the run exits non-zero; nothing is skipped.

Ports and the install cache come from the usual QTX_* variables, so several developers (or CI) can run
side by side with different `QTX_SERVERS_DIR` / ports.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """Where the start scripts are, read at run time: `$QTX_SHARED_DIR`, else `../shared` beside the clone
    (CI layout) or one level higher (a git worktree); see docs/test-servers.md#how-the-tests-start-them."""
    override = os.environ.get("QTX_SHARED_DIR")
    candidates = [Path(override)] if override else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared"]
    for cand in candidates:
        if (cand / "servers" / "start-test-servers.sh").exists():
            return cand
    pytest.fail(
        "the local test servers' scripts were not found: expected ../shared/servers beside the clone "
        "(or set QTX_SHARED_DIR); see docs/test-servers.md",
        pytrace=False,
    )


def _parse_exports(stdout: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = value.strip("'\"")
    return env


def start(script: str, stop_script: str, env_file_rel: str) -> Iterator[dict[str, str]]:
    servers = shared_dir() / "servers"
    proc = subprocess.run(
        ["bash", str(servers / script)], capture_output=True, text=True, timeout=900, env=os.environ.copy()
    )
    if proc.returncode != 0:
        pytest.fail(f"test servers did not start ({script}):\n{proc.stderr[-4000:]}", pytrace=False)
    env = _parse_exports(proc.stdout)
    if not env:
        # start-appview.sh prints its exports too; fall back to the env file it writes
        base = Path(os.environ.get("QTX_SERVERS_DIR", Path.home() / ".cache" / "quittex-test-servers"))
        env = _parse_exports((base / env_file_rel).read_text())
    try:
        yield env
    finally:
        subprocess.run(["bash", str(servers / stop_script)], timeout=120, capture_output=True)


@pytest.fixture(scope="session")
def test_servers() -> Iterator[dict[str, str]]:
    """The plain PDS (+PLC) and mastodon-mock. Keys: QTX_PDS_URL, QTX_MASTODON_URL, QTX_MASTODON_TOKEN…"""
    yield from start("start-test-servers.sh", "stop-test-servers.sh", "run/env")


@pytest.fixture(scope="session")
def appview_servers() -> Iterator[dict[str, str]]:
    """A PDS with a real AppView (searchActors, getProfiles). Keys: QTX_APPVIEW_PDS_URL, QTX_APPVIEW_URL…"""
    yield from start("start-appview.sh", "stop-appview.sh", "appview/run/appview.env")
