"""Shared fixtures. Every test runs with QUITTEX_HOME in a temp dir: the developer's own migrations,
secrets and cache are never touched, no OS keyring is used (file fallback, mode 0600), and nothing
reaches beyond loopback (QUITTEX_OFFLINE)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import appview_servers, test_servers  # noqa: F401  (session fixtures)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("quittex-home")
    monkeypatch.setenv("QUITTEX_HOME", str(home))
    monkeypatch.setenv("QUITTEX_NO_KEYRING", "1")
    monkeypatch.setenv("QUITTEX_OFFLINE", "1")  # never reach outside loopback (e.g. t.co link expansion)
    monkeypatch.delenv("QUITTEX_BLUESKY_APP_PASSWORD", raising=False)
    monkeypatch.delenv("QUITTEX_MASTODON_TOKEN", raising=False)
    return home
