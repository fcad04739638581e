"""Start-up cost: the network SDKs are imported only by the runs that talk to that network.

atproto takes about a second to import (several on a cold disk); `migrate --dry-run`, `plan` and `--help`
must not pay for it, and a Mastodon run must not pay for atproto (nor a Bluesky run for Mastodon.py).
Each check runs in a fresh interpreter (like tests/test_architecture.py), since this one has them loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SDKS = ("atproto", "mastodon")


def loaded_after(code: str, tmp_path: Path) -> set[str]:
    """Which of the SDKs are in sys.modules after running `code` in a fresh interpreter."""
    script = code + (
        "\nimport sys\n"
        f"print('LOADED=' + ','.join(m for m in {SDKS!r} if m in sys.modules), file=sys.__stderr__)\n"
    )
    env = {
        **os.environ,
        "QUITTEX_HOME": str(tmp_path / "home"),
        "QUITTEX_NO_KEYRING": "1",
        "QUITTEX_DRY_RUN_LATENCY": "0",
    }
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED=")][-1]
    return {m for m in line.removeprefix("LOADED=").split(",") if m}


def test_the_cli_modules_load_without_any_network_sdk(tmp_path: Path) -> None:
    code = (
        "import quittex_tui.cli.migrate_cmd, quittex_tui.cli.plan_cmd, quittex_tui.cli.login_cmd\n"
        "import quittex_tui.publish.connect, quittex_tui.publish.engine, quittex_tui.publish.dryrun\n"
    )
    assert loaded_after(code, tmp_path) == set()


def test_a_dry_run_and_a_plan_never_import_them(tmp_path: Path) -> None:
    code = (
        "from quittex_tui.cli import main\n"
        "from quittex_tui.demo import demo_archive_path\n"
        "demo = str(demo_archive_path())\n"
        "assert main(['migrate', demo, '--dry-run', '--yes', '--json']) == 0\n"
        "assert main(['plan', demo, '--to', 'bluesky']) == 0\n"
        "assert main(['plan', demo, '--to', 'bluesky', '--json']) == 0\n"
    )
    assert loaded_after(code, tmp_path) == set()


def test_a_mastodon_plan_loads_no_atproto(tmp_path: Path) -> None:
    # Mastodon's length rule is Mastodon.py's own counter (convert/length.py), so only that SDK may load.
    code = (
        "from quittex_tui.cli import main\n"
        "from quittex_tui.demo import demo_archive_path\n"
        "assert main(['plan', str(demo_archive_path()), '--to', 'mastodon']) == 0\n"
    )
    assert "atproto" not in loaded_after(code, tmp_path)


def test_each_network_imports_only_its_own_sdk(tmp_path: Path) -> None:
    # Building the clients (no network call yet) is where connect.py imports the SDKs.
    bluesky = (
        "from quittex_tui.publish import connect\n"
        "connect._bluesky_client('alice.test', 'http://127.0.0.1:9')\n"
    )
    mastodon = (
        "from quittex_tui.publish import connect\nconnect._mastodon_api('http://127.0.0.1:9', 'token')\n"
    )
    assert loaded_after(bluesky, tmp_path) == {"atproto"}
    assert loaded_after(mastodon, tmp_path) == {"mastodon"}
