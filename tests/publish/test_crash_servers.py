"""CRASH test against the REAL local servers (ARCHITECTURE.md#the-journal-how-never-twice-holds;
docs/test-servers.md).

`quittex-tui migrate DEMO …` runs as a subprocess and is killed with SIGKILL at 20 seeded random moments —
after a random number of journal records plus a random delay, so kills land before, during and after
uploads and writes — and resumed each time. Then it runs to the end and we read the account back from the
server: every planned post exactly once (zero duplicates, zero missing), threads chained.
"""

from __future__ import annotations

import collections
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

import httpx

from quittex_tui.archive import open_archive
from quittex_tui.convert.models import Plan, PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish import tid
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.mastodon import html_to_text, normalize_text
from tests.publish.engine_helpers import as_sent
from tests.publish.target_helpers import new_mastodon_user, new_pds_account

KILLS = 20


def demo_plan(target: str) -> Plan:
    with open_archive(demo_archive_path()) as archive:
        # Replies included: more items, so that all twenty kills land while work is left.
        return build_plan(archive, PlanOptions(target=target, include_replies=True))  # type: ignore[arg-type]


def journal_records(state_dir: Path, target: str) -> int:
    found = list(state_dir.glob(f"*.{target}.journal.toml")) if state_dir.exists() else []
    try:
        return found[0].read_bytes().count(b"\n[[") if found else 0
    except FileNotFoundError:  # replaced by compaction between glob and read
        return 0


def kill_and_resume(
    cmd: list[str], env: dict[str, str], state_dir: Path, target: str, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    killed_mid_run = 0
    for _ in range(KILLS):
        start_records = journal_records(state_dir, target)
        wait_records = rng.randint(0, 2)  # 0: killed during start-up, login, reconciliation
        # A post takes ~5-30 ms here: short delays land inside uploads and writes, and leave work for
        # the next rounds (longer ones would let the whole demo finish before the twentieth kill).
        delay = rng.choice([0.0, rng.uniform(0, 0.005), rng.uniform(0.005, 0.03)])
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if journal_records(state_dir, target) >= start_records + wait_records:
                break
            time.sleep(0.003)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_run += 1
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err.decode(errors="replace")
    assert killed_mid_run >= KILLS // 2, f"only {killed_mid_run}/{KILLS} kills landed while the run was busy"
    print(f"{killed_mid_run}/{KILLS} kills landed mid-run")
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode in (0, 1), final.stderr
    assert "Traceback" not in final.stderr
    return json.loads(final.stdout)


def list_bluesky_posts(pds: str, did: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"repo": did, "collection": "app.bsky.feed.post", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        res = httpx.get(f"{pds}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30)
        assert res.status_code == 200, res.text
        body = res.json()
        records += body["records"]
        cursor = body.get("cursor")
        if not cursor or not body["records"]:
            return records


def test_kill_9_twenty_times_then_every_post_exactly_once_on_bluesky(
    test_servers: dict[str, str], isolated_home: Path
) -> None:
    handle, password, did, _ = new_pds_account(test_servers)
    pds = test_servers["QTX_PDS_URL"]
    env = {**os.environ, "QUITTEX_BLUESKY_APP_PASSWORD": password}
    cmd = [
        sys.executable,
        "-m",
        "quittex_tui",
        "migrate",
        str(demo_archive_path()),
        "--to",
        "bluesky",
        "--handle",
        handle,
        "--service",
        pds,
        "--include-replies",
        "--yes",
        "--json",
    ]
    report = kill_and_resume(cmd, env, isolated_home / "state", "bluesky", seed=1)

    state = isolated_home / "state"
    plan = as_sent(demo_plan("bluesky"), *state.glob("*.bluesky.journal.toml"))  # own links made live
    failed = {f["item_id"] for f in report["failed"]}
    assert report["remaining"] == 0
    # videos and GIFs too (docs/bluesky.md#video, issue 12: uploadBlob on any PDS)
    assert report["failed"] == []
    records = list_bluesky_posts(pds, did)
    rkeys = [r["uri"].rsplit("/", 1)[1] for r in records]
    assert len(rkeys) == len(set(rkeys))
    by_rkey = {r["uri"].rsplit("/", 1)[1]: r for r in records}
    expected: set[str] = set()
    for item in plan.items:
        keys = [tid.post_tid(p.source_id, item.created_at, n) for n, p in enumerate(item.posts)]
        present = [k for k in keys if k in by_rkey]
        if item.id not in failed:
            assert present == keys, f"item {item.id}: posts missing on the server"
        expected.update(present)
        for n, key in enumerate(present):  # texts as planned, threads chained root/parent
            value = by_rkey[key]["value"]
            assert value["text"] == item.posts[n].text
            if n:
                assert value["reply"]["root"]["uri"] == by_rkey[keys[0]]["uri"]
                assert value["reply"]["parent"]["uri"] == by_rkey[keys[n - 1]]["uri"]
            else:
                assert "reply" not in value
    assert set(rkeys) == expected, "the server holds posts that are not in the plan (duplicates)"
    texts = collections.Counter((r["value"]["text"], r["value"]["createdAt"]) for r in records)
    assert max(texts.values()) == 1, "the same post was published twice under different keys"
    # The journal agrees with the server, and nothing secret was written anywhere but the secrets file.
    journal = Journal(next((isolated_home / "state").glob("*.bluesky.journal.toml")))
    assert {e.key for e in journal.entries() if e.status == "done"} == expected
    journal.close()
    for path in (isolated_home / "state").rglob("*"):  # state, journal, lock files
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def list_mastodon_statuses(base: str, token: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{base}/api/v1/accounts/verify_credentials", headers=headers, timeout=30).json()
    statuses: list[dict[str, Any]] = []
    max_id = None
    while True:
        params: dict[str, Any] = {"limit": 40}
        if max_id:
            params["max_id"] = max_id
        res = httpx.get(
            f"{base}/api/v1/accounts/{me['id']}/statuses", params=params, headers=headers, timeout=30
        )
        assert res.status_code == 200, res.text
        page = res.json()
        if not page:
            return statuses
        statuses += page
        max_id = page[-1]["id"]


def test_kill_9_twenty_times_then_every_post_exactly_once_on_mastodon(
    test_servers: dict[str, str], isolated_home: Path
) -> None:
    _, token = new_mastodon_user(test_servers)
    base = test_servers["QTX_MASTODON_URL"]
    env = {**os.environ, "QUITTEX_MASTODON_TOKEN": token}
    cmd = [
        sys.executable,
        "-m",
        "quittex_tui",
        "migrate",
        str(demo_archive_path()),
        "--to",
        "mastodon",
        "--instance",
        base,
        "--include-replies",
        "--yes",
        "--json",
    ]
    report = kill_and_resume(cmd, env, isolated_home / "state", "mastodon", seed=2)
    assert report["failed"] == [] and report["remaining"] == 0

    plan = as_sent(demo_plan("mastodon"), *(isolated_home / "state").glob("*.mastodon.journal.toml"))
    statuses = list_mastodon_statuses(base, token)
    planned = [normalize_text(p.text) for item in plan.items for p in item.posts]
    seen = [normalize_text(html_to_text(s["content"])) for s in statuses]
    assert len(seen) == len(planned), "missing or duplicated statuses"
    assert collections.Counter(seen) == collections.Counter(planned)
    # Threads: each later post of an item answers the previous one.
    by_id = {s["id"]: s for s in statuses}
    journal = Journal(next((isolated_home / "state").glob("*.mastodon.journal.toml")))
    done = {e.key: e for e in journal.entries() if e.status == "done"}
    assert len(done) == len(planned) and {e.uri for e in done.values()} == set(by_id)
    for item in plan.items:
        mine = sorted((e for e in done.values() if e.item_id == item.id), key=lambda e: e.index)
        ids = [e.uri for e in mine]
        assert len(ids) == len(item.posts)
        for prev, cur in itertools.pairwise(ids):
            assert by_id[cur]["in_reply_to_id"] == prev
    journal.close()
    for path in (isolated_home / "state").rglob("*"):  # state, journal, lock files
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
