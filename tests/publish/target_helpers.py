"""Helpers for the target tests: fresh accounts on the real local servers, images, read-back."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from quittex_tui.convert.models import PlannedMedia


def new_pds_account(env: dict[str, str]) -> tuple[str, str, str, str]:
    """(handle, password, did, main access jwt) of a fresh PDS account `x<uuid8>.test`."""
    handle = f"x{uuid.uuid4().hex[:8]}.test"
    password = "pw-" + uuid.uuid4().hex
    res = httpx.post(
        f"{env['QTX_PDS_URL']}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": password},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    body = res.json()
    return handle, password, body["did"], body["accessJwt"]


def create_app_password(env: dict[str, str], main_jwt: str, name: str = "quittex") -> str:
    res = httpx.post(
        f"{env['QTX_PDS_URL']}/xrpc/com.atproto.server.createAppPassword",
        json={"name": name},
        headers={"Authorization": f"Bearer {main_jwt}"},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    return res.json()["password"]


def list_posts(env: dict[str, str], did: str) -> list[dict[str, Any]]:
    res = httpx.get(
        f"{env['QTX_PDS_URL']}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    return res.json()["records"]


def get_post(env: dict[str, str], did: str, rkey: str) -> dict[str, Any]:
    res = httpx.get(
        f"{env['QTX_PDS_URL']}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    return res.json()


def new_mastodon_user(env: dict[str, str]) -> tuple[str, str]:
    """(username, access token) of a fresh mastodon-mock account."""
    res = httpx.post(
        f"{env['QTX_MASTODON_URL']}/api/v1/_mock/dev_user",
        json={"username": "u" + uuid.uuid4().hex[:10]},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    body = res.json()
    return body["username"], body["access_token"]


def mock_authorize(env: dict[str, str], username: str) -> str:
    """The mock's account picker: POST /oauth/authorize → "Authorization code: mockcode_<username>"."""
    res = httpx.post(
        f"{env['QTX_MASTODON_URL']}/oauth/authorize",
        data={"username": username, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    return res.text.split("Authorization code: ")[1].split("<")[0].strip()


def add_mastodon_fault(env: dict[str, str], rule: dict[str, Any]) -> None:
    res = httpx.post(f"{env['QTX_MASTODON_URL']}/api/v1/_mock/faults", json=rule, timeout=30)
    assert res.status_code == 200, res.text


def clear_mastodon_faults(env: dict[str, str]) -> None:
    httpx.delete(f"{env['QTX_MASTODON_URL']}/api/v1/_mock/faults", timeout=30)


def image(path: Path, width: int, height: int, color: tuple[int, int, int] = (200, 30, 90)) -> PlannedMedia:
    Image.new("RGB", (width, height), color).save(path)
    return PlannedMedia(
        path=str(path), kind="image", bytes=path.stat().st_size, width=width, height=height, mime="image/png"
    )


def snowflake(ms_since_unix_epoch: int, sequence: int = 0) -> str:
    """An X snowflake id for a given creation time (ms), like real tweet ids."""
    return str(((ms_since_unix_epoch - 1288834974657) << 22) | sequence)
