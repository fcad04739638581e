"""Tests select themselves: the `servers` / `appview` markers come from the fixtures a test uses
(tests/conftest.py), so `pytest -m "not servers"` starts no server. Checked on files that carry no marker
of their own and reach the servers only through a module fixture (`network` -> `appview_servers`,
`instance` -> `test_servers`)."""

from __future__ import annotations

import subprocess
import sys

from tests.servers import REPO

APPVIEW_FILE = "tests/audience/test_bluesky_appview.py"
MASTODON_FILE = "tests/audience/test_mastodon.py"

# Collect (nothing runs, no server starts) in a fresh process and print each test's markers.
COLLECT = """
import sys, pytest
class Report:
    def pytest_collection_finish(self, session):
        for item in session.items:
            print("ITEM", item.nodeid, ",".join(sorted({m.name for m in item.iter_markers()})), sep="\\t")
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[Report()]))
"""


def test_server_tests_are_marked_from_their_fixtures() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", COLLECT, APPVIEW_FILE, MASTODON_FILE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines() if line.startswith("ITEM\t")]
    marks = {nodeid: set(names.split(",")) - {""} for _, nodeid, names in rows}
    appview = [n for n in marks if n.startswith(APPVIEW_FILE)]
    mastodon = [n for n in marks if n.startswith(MASTODON_FILE)]
    assert appview and mastodon, proc.stdout
    assert all({"servers", "appview"} <= marks[n] for n in appview)
    assert all("servers" in marks[n] and "appview" not in marks[n] for n in mastodon)
