"""Shared fixtures. Every test runs with QUITTEX_HOME in a temp dir: the developer's own migrations,
secrets and cache are never touched, no OS keyring is used (file fallback, mode 0600), and nothing
reaches beyond loopback (QUITTEX_OFFLINE).

Tests that need the local servers select themselves: any test whose fixtures (transitively) include
`test_servers` or `appview_servers` gets the `servers` marker (and `appview` for the AppView network), so
`pytest -m "not servers"` is a fast offline run that starts no server. No test needs to mark itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import appview_servers, test_servers  # noqa: F401  (session fixtures)

# session fixture that starts servers -> markers for every test using it (directly or via another fixture)
SERVER_FIXTURES: dict[str, tuple[str, ...]] = {
    "test_servers": ("servers",),
    "appview_servers": ("servers", "appview"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test by the server fixtures it uses. `item.fixturenames` is pytest's closure of the
    test's fixtures (a fixture that depends on `test_servers` brings it in), autouse ones included."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marks in SERVER_FIXTURES.items():
            if fixture in used:
                for mark in marks:
                    if item.get_closest_marker(mark) is None:
                        item.add_marker(mark)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("quittex-home")
    monkeypatch.setenv("QUITTEX_HOME", str(home))
    monkeypatch.setenv("QUITTEX_NO_KEYRING", "1")
    monkeypatch.setenv("QUITTEX_OFFLINE", "1")  # never reach outside loopback (e.g. t.co link expansion)
    monkeypatch.delenv("QUITTEX_BLUESKY_APP_PASSWORD", raising=False)
    monkeypatch.delenv("QUITTEX_MASTODON_TOKEN", raising=False)
    # Every message follows the locale: tests run in English (C.UTF-8) unless they ask for French, whatever
    # the developer's own LANG; the process-wide language and front end start from the CLI's defaults.
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    from quittex_tui import i18n

    i18n.set_language("en")
    i18n.set_front_end("cli")
    return home
