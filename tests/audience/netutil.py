"""Helpers for the audience tests against the local servers: accounts with profiles, polling the AppView."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from atproto import Client, models

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
T = TypeVar("T")


def poll(fn: Callable[[], T | None], *, timeout: float = 20.0, what: str = "condition") -> T:
    """Call `fn` until it returns a truthy value (never a fixed sleep); fail loudly on timeout."""
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def bsky_account(
    pds: str,
    handle: str,
    display_name: str | None = None,
    bio: str | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[Client, str]:
    """Create `handle` (must end in .test) and put its app.bsky.actor.profile record."""
    anon = Client(base_url=pds)
    name = handle.split(".")[0]
    acct = anon.com.atproto.server.create_account(
        models.ComAtprotoServerCreateAccount.Data(
            handle=handle, email=f"{name}@example.com", password=PASSWORD
        )
    )
    client = Client(base_url=pds)
    client.login(handle, PASSWORD, fetch_bsky_profile=False)
    if display_name is not None or bio is not None or extra:
        record: dict[str, Any] = {"$type": "app.bsky.actor.profile"}
        if display_name is not None:
            record["displayName"] = display_name
        if bio is not None:
            record["description"] = bio
        record.update(extra or {})
        client.com.atproto.repo.put_record(
            models.ComAtprotoRepoPutRecord.Data(
                repo=acct.did, collection="app.bsky.actor.profile", rkey="self", record=record
            )
        )
    return client, acct.did


def wait_indexed(appview: str, dids: dict[str, str], names: dict[str, str | None]) -> None:
    """Until the AppView shows every DID with the display name we put (None: any profile)."""
    av = Client(base_url=appview)

    def ready() -> bool:
        want = list(dids.values())
        found: dict[str, Any] = {}
        for start in range(0, len(want), 25):
            res = av.app.bsky.actor.get_profiles(
                models.AppBskyActorGetProfiles.Params(actors=want[start : start + 25])
            )
            found.update({p.did: p for p in res.profiles})
        return all(
            d in found and (names.get(h) is None or found[d].display_name == names[h])
            for h, d in dids.items()
        )

    poll(ready, what="the AppView to index the test accounts")


def list_records(client: Client, did: str, collection: str) -> list[Any]:
    out: list[Any] = []
    cursor = None
    while True:
        page = client.com.atproto.repo.list_records(
            models.ComAtprotoRepoListRecords.Params(repo=did, collection=collection, limit=100, cursor=cursor)
        )
        out += page.records
        cursor = page.cursor
        if not cursor or not page.records:
            return out


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


def mastodon_user(base: str, username: str, display_name: str = "", note: str = "") -> dict[str, Any]:
    """A fresh mock account (+ token) with its display name and note set through the real API."""
    res = httpx.post(f"{base}/api/v1/_mock/dev_user", json={"username": username}, timeout=10)
    res.raise_for_status()
    user = res.json()
    token = user.get("access_token") or user.get("token")
    assert token, user
    if display_name or note:
        upd = httpx.patch(
            f"{base}/api/v1/accounts/update_credentials",
            headers={"Authorization": f"Bearer {token}"},
            data={"display_name": display_name, "note": note},
            timeout=10,
        )
        upd.raise_for_status()
    me = httpx.get(
        f"{base}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    return {"token": token, "id": str(me["id"]), "acct": me["acct"], "url": me.get("url", "")}
