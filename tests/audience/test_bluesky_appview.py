"""Audience on a real Bluesky network with an AppView (tests/servers.py `appview_servers`): matching and
decoy profiles, scoring with reasons, decisions in the state, follows once across kill -9 + resume,
the "From X" list, blocks, and the profile with its pictures."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from atproto import Client, models
from PIL import Image

from quittex_tui.archive import open_archive
from quittex_tui.audience import load_people
from quittex_tui.audience.candidates import BlueskyFinder
from quittex_tui.audience.follows import FOLLOW, BlueskyAudience, Task, record_tid
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.target import RateBudget
from tests.audience.netutil import PASSWORD, REPO, bsky_account, cli, list_records, poll, wait_indexed

ME = "camille.test"
# X handle (from the demo archive) -> (Bluesky handle, display name, bio); None profile = no record put
ACCOUNTS: dict[str, tuple[str, str | None, str | None]] = {
    "alice_martin": ("alice-martin.test", "Alice Martin", "Journaliste. @alice_martin on X"),
    "bob_reporter": ("bob-reporter.test", "Bob Reporter 📻", "Radio."),
    "bob_decoy": (
        "bob-reporter-fan.test",
        "Bob Reporter 📻",
        "Fan account, the real one is x.com/bob_reporter2",
    ),
    "chloe_data": ("chloe-data.test", "Chloé Data", "Data"),
    "chloe_twin": ("chloedata.test", "Chloé Data", "Data too"),
    "david_photo": ("david-photo.test", None, None),
    "emma_lefevre": ("emma-lefevre.test", "Emma", "Ancien compte : twitter.com/emma_lefevre"),
    "troll_du_dimanche": ("troll-du-dimanche.test", "Le Troll", "trolling"),
}


@pytest.fixture(scope="module")
def network(appview_servers: dict[str, str]) -> dict[str, Any]:
    pds, appview = appview_servers["QTX_APPVIEW_PDS_URL"], appview_servers["QTX_APPVIEW_URL"]
    me_client, me_did = bsky_account(
        pds,
        ME,
        "Camille (old name)",
        "old bio",
        extra={
            "labels": {
                "$type": "com.atproto.label.defs#selfLabels",
                "values": [{"val": "!no-unauthenticated"}],
            }
        },
    )
    dids, names = {ME: me_did}, {ME: "Camille (old name)"}
    for handle, display, bio in ACCOUNTS.values():
        _, dids[handle] = bsky_account(pds, handle, display, bio)
        names[handle] = display
    wait_indexed(appview, dids, names)
    # camille already follows alice from another app (a random rkey): the follow run must not add one
    me_client.app.bsky.graph.follow.create(
        me_did,
        models.AppBskyGraphFollow.Record(
            subject=dids["alice-martin.test"], created_at=me_client.get_current_time_iso()
        ),
    )
    with open_archive(demo_archive_path()) as archive:
        ids = {p.x_handle: p.x_id for p in load_people(archive) if p.x_handle}
    return {"pds": pds, "appview": appview, "me": me_client, "dids": dids, "ids": ids}


def _env() -> dict[str, str]:
    return {"QUITTEX_BLUESKY_APP_PASSWORD": PASSWORD}


def _audience(net: dict[str, Any], *extra: str) -> dict[str, Any]:
    proc = cli(
        "audience",
        str(demo_archive_path()),
        "--to",
        "bluesky",
        "--handle",
        ME,
        "--service",
        net["pds"],
        "--json",
        *extra,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    return {row["x_id"]: row for row in json.loads(proc.stdout)["people"]}


def test_audience_scores_and_decides(network: dict[str, Any]) -> None:
    ids = network["ids"]
    rows = _audience(network, "--accept-strong")
    alice = rows[ids["alice_martin"]]
    assert alice["decision"] == "accepted" and alice["suggested"] == "alice-martin.test"
    top = alice["candidates"][0]
    assert top["did"] == network["dids"]["alice-martin.test"] and top["score"] == 100
    assert top["reasons"][:3] == ["handle equal", "bio names the X handle", "display name equal"]
    assert top.get("already_following") is True
    bob = rows[ids["bob_reporter"]]
    assert bob["decision"] == "accepted" and bob["suggested"] == "bob-reporter.test"
    decoy = next(c for c in bob["candidates"] if c["handle"] == "bob-reporter-fan.test")
    assert "bio names another X account (@bob_reporter2)" in decoy["reasons"] and decoy["score"] < 70
    chloe = rows[ids["chloe_data"]]
    assert chloe["ambiguous"] is True and chloe["decision"] is None and chloe["suggested"] is None
    assert {c["handle"] for c in chloe["candidates"]} == {"chloe-data.test", "chloedata.test"}
    david = rows[ids["david_photo"]]  # handle alone: shown, never accepted
    assert david["decision"] is None and david["candidates"][0]["reasons"] == ["handle equal"]
    assert rows[ids["emma_lefevre"]]["decision"] == "accepted"
    assert rows[ids["troll_du_dimanche"]]["decision"] == "accepted"
    assert rows[ids["troll_du_dimanche"]]["relations"] == ["block"]
    assert rows[ids["nora_climat"]]["candidates"] == []
    # the user settles the ambiguous one and rejects david; both are saved in the state
    rows = _audience(
        network, "--accept", f"{ids['chloe_data']}=chloe-data.test", "--reject", ids["david_photo"]
    )
    assert rows[ids["chloe_data"]]["decision"] == "accepted"
    assert rows[ids["david_photo"]]["decision"] == "rejected"
    offline = cli("audience", str(demo_archive_path()), "--json")
    assert offline.returncode == 0, offline.stderr
    saved = {r["x_id"]: r for r in json.loads(offline.stdout)["people"]}
    assert saved[ids["chloe_data"]]["decision"] == "accepted" and saved[ids["chloe_data"]]["candidates"] == []


def test_anonymous_appview_reads_match_the_same(network: dict[str, Any]) -> None:
    with open_archive(demo_archive_path()) as archive:
        people = [p for p in load_people(archive) if p.x_handle in ("alice_martin", "chloe_data")]
    found = BlueskyFinder(Client(base_url=network["appview"])).find(people)
    by_handle = {p.x_handle: found[p.x_id] for p in people}
    assert by_handle["alice_martin"].best is not None
    assert by_handle["alice_martin"].best.handle == "alice-martin.test"
    assert by_handle["chloe_data"].best is None and by_handle["chloe_data"].ambiguous


def _journal(home: Path) -> Path | None:
    found = list((home / "state").glob("*.bluesky.journal.toml"))
    return found[0] if found else None


def test_follow_once_across_kill_and_resume(network: dict[str, Any], isolated_home: Path) -> None:
    # decisions as in the first test (this test must stand alone: its own QUITTEX_HOME)
    ids = network["ids"]
    _audience(network, "--accept-strong", "--accept", f"{ids['chloe_data']}=chloe-data.test")
    args = [
        "follow",
        str(demo_archive_path()),
        "--to",
        "bluesky",
        "--handle",
        ME,
        "--service",
        network["pds"],
        "--yes",
        "--json",
        "--blocks",
        "--list",
    ]
    kills = 0
    for attempt in range(12):
        before = _journal(isolated_home)
        size = before.stat().st_size if before else 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "quittex_tui", *args],
            cwd=REPO,
            env={**os.environ, **_env()},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

        def grew(
            proc: subprocess.Popen[bytes] = proc, size: int = size, extra: int = attempt % 3 * 40
        ) -> bool:
            path = _journal(isolated_home)
            return proc.poll() is not None or bool(path and path.stat().st_size > size + extra)

        poll(grew, timeout=60, what="the follow run to write to its journal")
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=30)
        if proc.returncode == 0:
            break
    assert kills >= 2
    final = cli(*args, env=_env())
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert report["followed"] == 0 and report["already_following"] == 4 and report["failed"] == []
    me, dids = network["me"], network["dids"]
    did = dids[ME]
    follows = Counter(r.value.subject for r in list_records(me, did, FOLLOW))
    want = {
        dids[h] for h in ("alice-martin.test", "bob-reporter.test", "chloe-data.test", "emma-lefevre.test")
    }
    assert set(follows) == want and set(follows.values()) == {1}
    blocks = Counter(r.value.subject for r in list_records(me, did, "app.bsky.graph.block"))
    assert blocks == Counter({dids["troll-du-dimanche.test"]: 1})
    lists = list_records(me, did, "app.bsky.graph.list")
    assert [rec.value.name for rec in lists] == ["From X"]
    items = Counter(r.value.subject for r in list_records(me, did, "app.bsky.graph.listitem"))
    assert set(items) == want and set(items.values()) == {1}
    # the AppView sees the follows too (viewer state through the PDS)
    poll(
        lambda: _audience(network)[ids["bob_reporter"]]["candidates"][0].get("already_following"),
        what="the AppView to index the new follows",
    )


class _CrashingJournal(Journal):
    """Dies right after the first network write, before its result is journalled (a kill at that instant)."""

    def done(self, key: str, ref: Any) -> None:
        if key.startswith("follow:"):
            raise KeyboardInterrupt
        super().done(key, ref)


def test_crash_between_write_and_journal_never_duplicates(network: dict[str, Any], tmp_path: Path) -> None:
    client, did = bsky_account(network["pds"], "resume-me.test")
    target = SimpleNamespace(client=client, did=did, budget=lambda: RateBudget(cost_per_post=3))
    tasks = [
        Task("follow", "1", network["dids"]["bob-reporter.test"], "bob-reporter.test"),
        Task("follow", "2", network["dids"]["emma-lefevre.test"], "emma-lefevre.test"),
    ]
    path = tmp_path / "j.toml"
    journal = _CrashingJournal(path)
    with pytest.raises(KeyboardInterrupt):
        BlueskyAudience(target, journal, sleep=lambda s: None).run(tasks)
    journal.close()
    first = list_records(client, did, FOLLOW)
    assert [r.uri.rsplit("/", 1)[1] for r in first] == [record_tid(tasks[0].key)]
    with Journal(path) as resumed:
        assert resumed.get(tasks[0].key).status == "intent"
        report = BlueskyAudience(target, resumed, sleep=lambda s: None).run(tasks)
    assert report.followed + report.already == 2 and not report.failed
    after = list_records(client, did, FOLLOW)
    assert Counter(r.value.subject for r in after) == Counter(t.subject for t in tasks)
    assert next(r.cid for r in after if r.uri == first[0].uri) == first[0].cid  # the replay was a no-op


def test_profile_lands_within_limits(network: dict[str, Any]) -> None:
    proc = cli(
        "profile",
        str(demo_archive_path()),
        "--to",
        "bluesky",
        "--handle",
        ME,
        "--service",
        network["pds"],
        "--yes",
        "--json",
        "--lang",
        "fr",
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["announcement"]["x"].startswith("Je déménage : Bluesky @camille.test")
    me, did = network["me"], network["dids"][ME]
    record = me.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(repo=did, collection="app.bsky.actor.profile", rkey="self")
    ).value
    with open_archive(demo_archive_path()) as archive:
        account = archive.account
    assert record.display_name == account.display_name
    assert record.description.startswith(account.bio[:40])
    assert record.labels is not None  # a field we do not manage is kept
    for blob, square in ((record.avatar, True), (record.banner, False)):
        assert blob is not None and blob.mime_type in ("image/jpeg", "image/png")
        assert blob.size <= 1_000_000
        data = me.com.atproto.sync.get_blob(models.ComAtprotoSyncGetBlob.Params(did=did, cid=blob.ref.link))
        with Image.open(io.BytesIO(data)) as image:
            assert image.format in ("JPEG", "PNG")
            if square:
                assert image.width == image.height
    again = cli(
        "profile",
        str(demo_archive_path()),
        "--to",
        "bluesky",
        "--handle",
        ME,
        "--service",
        network["pds"],
        "--yes",
        "--json",
        env=_env(),
    )
    assert again.returncode == 0, again.stderr  # re-running is harmless (the same record is put again)
