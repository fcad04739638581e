"""Secrets: keyring or a 0600 file, atomic, never in anything else the app writes."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from quittex_tui import paths
from quittex_tui.convert.models import PlannedPost
from quittex_tui.errors import StateError
from quittex_tui.publish import connect, secrets
from tests.publish.target_helpers import image, mock_authorize, new_mastodon_user, new_pds_account


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_store_is_0600_atomic_and_merges(isolated_home: Path) -> None:
    where = secrets.update_secrets("bluesky:alice.test", password="s3cret-é", session="sess")
    path = isolated_home / "config" / "secrets.toml"
    assert where == str(path) and mode(path) == 0o600
    secrets.update_secrets("mastodon:https://m.example", token="tok")
    secrets.update_secrets("bluesky:alice.test", session=None, did="did:plc:x")
    assert secrets.load_secrets("bluesky:alice.test") == {"password": "s3cret-é", "did": "did:plc:x"}
    assert secrets.load_secrets("mastodon:https://m.example") == {"token": "tok"}
    assert [p.name for p in path.parent.iterdir()] == ["secrets.toml"]  # no temp file left behind
    secrets.delete_secrets("bluesky:alice.test")
    assert secrets.load_secrets("bluesky:alice.test") == {}


def test_file_store_tightens_a_loosened_mode(isolated_home: Path) -> None:
    secrets.update_secrets("k", token="t")
    path = isolated_home / "config" / "secrets.toml"
    path.chmod(0o644)
    assert secrets.load_secrets("k") == {"token": "t"}
    assert mode(path) == 0o600


def test_corrupt_file_gives_a_clear_error_without_its_content(isolated_home: Path) -> None:
    path = secrets.FileSecretStore().path  # creates config/
    path.write_text('["bluesky:a"]\npassword = "hunter2-unterminated\n')
    with pytest.raises(StateError) as err:
        secrets.load_secrets("bluesky:a")
    assert str(path) in err.value.message and "hunter2" not in str(err.value)


class MemoryKeyring(KeyringBackend):
    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


def test_keyring_is_used_when_available_and_allowed(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        # QUITTEX_NO_KEYRING=1 (the test default): the file, even with a usable keyring
        secrets.update_secrets("bluesky:a.test", password="p1")
        assert ring.data == {}
        monkeypatch.delenv(secrets.NO_KEYRING_ENV)
        assert secrets.keyring_usable()
        where = secrets.update_secrets("bluesky:b.test", password="p2")
        assert where == "the OS keyring"
        assert secrets.load_secrets("bluesky:b.test") == {"password": "p2"}
        assert "p2" not in (isolated_home / "config" / "secrets.toml").read_text()
        # an entry written to the file before (no keyring then) is still found
        assert secrets.load_secrets("bluesky:a.test") == {"password": "p1"}
    finally:
        keyring.set_keyring(previous)


def test_no_secret_in_any_file_but_the_secrets_file(
    test_servers: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    """A login + publish run on both networks, then grep everything under QUITTEX_HOME."""
    handle, password, _, _ = new_pds_account(test_servers)
    connect.login_bluesky(handle, password, service=test_servers["QTX_PDS_URL"])
    bsky = connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"])
    username, _ = new_mastodon_user(test_servers)
    url = test_servers["QTX_MASTODON_URL"]
    connect.login_mastodon_start(url)
    connect.login_mastodon_finish(url, mock_authorize(test_servers, username))
    masto = connect.connect_mastodon(url)
    created = datetime(2020, 2, 2, tzinfo=UTC)
    pic = image(paths.cache_dir() / "pic.png", 30, 20)  # converted media live there
    for target in (bsky, masto):
        post = PlannedPost(source_id="1", text="bonjour", media=[pic])
        target.publish(post, key=target.post_key("i", 0, "1", created), created_at=created, reply_to=None)

    stored_b = secrets.load_secrets(secrets.bluesky_key(handle))
    stored_m = secrets.load_secrets(secrets.mastodon_key(url))
    needles = [
        password,
        stored_b["session"].split(":::")[2],
        stored_b["session"].split(":::")[3],
        stored_m["token"],
        stored_m["client_secret"],
    ]
    secrets_path = isolated_home / "config" / "secrets.toml"
    files = [Path(d) / f for d, _, names in os.walk(isolated_home) for f in names]
    assert secrets_path in files and len(files) >= 2
    for path in files:
        data = path.read_bytes()
        if path == secrets_path:
            assert all(n.encode() in data for n in needles)
            assert mode(path) == 0o600
            continue
        for needle in needles:
            assert needle.encode() not in data, f"a secret leaked into {path}"
