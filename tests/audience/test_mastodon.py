"""Audience on the Mastodon API test server (tests/servers.py `test_servers`): lookup/search + scoring,
follows through the API exactly once (resumable), and the follows CSV in Mastodon's import format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from quittex_tui.archive import open_archive
from quittex_tui.audience import load_people, validate_follows_csv
from quittex_tui.demo import demo_archive_path
from tests.audience.netutil import cli, mastodon_user


@pytest.fixture(scope="module")
def instance(test_servers: dict[str, str]) -> dict[str, Any]:
    base = test_servers["QTX_MASTODON_URL"]
    users = {
        "me": mastodon_user(base, "camille_m", "Camille"),
        "alice": mastodon_user(base, "alice_martin", "Alice Martin", "Journaliste — @alice_martin on X"),
        "decoy": mastodon_user(base, "alice_martin_fan", "Alice Martin", "Fan of x.com/alice_martin2"),
        "bob": mastodon_user(base, "bob_reporter", "Bob Reporter 📻", "Radio"),
        "emma": mastodon_user(base, "emma_lefevre", "E. L."),
    }
    with open_archive(demo_archive_path()) as archive:
        ids = {p.x_handle: p.x_id for p in load_people(archive) if p.x_handle}
    return {"base": base, "users": users, "ids": ids}


def _env(inst: dict[str, Any]) -> dict[str, str]:
    return {"QUITTEX_MASTODON_TOKEN": inst["users"]["me"]["token"]}


def _following(inst: dict[str, Any], user: dict[str, Any]) -> list[str]:
    res = httpx.get(
        f"{inst['base']}/api/v1/accounts/{user['id']}/following",
        params={"limit": 80},
        headers={"Authorization": f"Bearer {user['token']}"},
        timeout=10,
    )
    res.raise_for_status()
    return [a["acct"] for a in res.json()]


def test_match_follow_once_and_export(instance: dict[str, Any], tmp_path: Path) -> None:
    ids, demo = instance["ids"], str(demo_archive_path())
    proc = cli(
        "audience",
        demo,
        "--to",
        "mastodon",
        "--instance",
        instance["base"],
        "--json",
        "--accept-strong",
        env=_env(instance),
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["x_id"]: r for r in json.loads(proc.stdout)["people"]}
    alice = rows[ids["alice_martin"]]
    assert alice["decision"] == "accepted" and alice["suggested"].startswith("alice_martin@")
    assert alice["candidates"][0]["reasons"] == [
        "handle equal",
        "bio names the X handle",
        "display name equal",
    ]
    assert alice["candidates"][0]["acct"] == alice["suggested"]
    decoy = next(c for c in alice["candidates"] if c["acct"].startswith("alice_martin_fan@"))
    assert "bio names another X account (@alice_martin2)" in decoy["reasons"]
    assert rows[ids["bob_reporter"]]["decision"] == "accepted"
    emma = rows[ids["emma_lefevre"]]
    assert emma["decision"] is None and emma["candidates"][0]["reasons"] == ["handle equal"]
    # one candidate only: --accept X_ID takes it
    proc = cli(
        "audience",
        demo,
        "--to",
        "mastodon",
        "--instance",
        instance["base"],
        "--json",
        "--accept",
        ids["emma_lefevre"],
        env=_env(instance),
    )
    assert proc.returncode == 0, proc.stderr
    assert {r["x_id"]: r for r in json.loads(proc.stdout)["people"]}[ids["emma_lefevre"]][
        "decision"
    ] == "accepted"

    follow = ["follow", demo, "--to", "mastodon", "--instance", instance["base"], "--yes", "--json"]
    first = cli(*follow, "--limit", "2", env=_env(instance))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["followed"] == 2 and json.loads(first.stdout)["remaining"] == 1
    second = cli(*follow, env=_env(instance))
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert (report["followed"], report["already_following"], report["failed"]) == (1, 2, [])
    followed = _following(instance, instance["users"]["me"])
    assert sorted(followed) == ["alice_martin", "bob_reporter", "emma_lefevre"]  # each once, no decoy

    out = tmp_path / "follows.csv"
    proc = cli("export-follows", demo, "--mastodon-csv", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    addresses = validate_follows_csv(text)
    assert sorted(a.split("@")[0] for a in addresses) == ["alice_martin", "bob_reporter", "emma_lefevre"]
    # the same header as the server's own export of a following list
    me = instance["users"]["me"]
    exported = httpx.get(
        f"{instance['base']}/api/v1/_mock/export/following",
        headers={"Authorization": f"Bearer {me['token']}"},
        timeout=10,
    )
    assert exported.text.splitlines()[0] == text.splitlines()[0]
    # and it imports: a fresh account ends up following exactly these accounts. mastodon-mock 0.6.1 resolves
    # an address by (username, domain) with domain None for its own accounts, where real Mastodon treats its
    # LOCAL_DOMAIN as local; so the instance's own domain is dropped for the mock (remote ones would stay).
    fresh = mastodon_user(instance["base"], "camille_new")
    domain = "@" + addresses[0].split("@", 1)[1]
    res = httpx.post(
        f"{instance['base']}/api/v1/_mock/import",
        json={"type": "following", "csv": text.replace(domain + ",", ",")},
        headers={"Authorization": f"Bearer {fresh['token']}"},
        timeout=10,
    )
    res.raise_for_status()
    assert sorted(_following(instance, fresh)) == ["alice_martin", "bob_reporter", "emma_lefevre"], res.json()
