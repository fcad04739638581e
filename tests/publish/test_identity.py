"""Resolvers that do not blame the user for the network: each tells apart "no such account", "cannot be
reached" (exit 75, retry later) and "that is not the kind of server you think" — against the real local
PLC, PDS and Mastodon servers, a closed port, and a server of the other network."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from quittex_tui import i18n
from quittex_tui.errors import EXIT_BAD_INPUT, EXIT_TEMPFAIL, AuthError, InputError, ServiceError
from quittex_tui.publish import connect, identity
from tests.publish.target_helpers import add_mastodon_fault, clear_mastodon_faults, new_pds_account
from tests.publish.test_auth_failures import closed_port_url, run_cli

pytestmark = pytest.mark.servers


@pytest.fixture
def local_identity(test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv(identity.HANDLE_RESOLVER_ENV, test_servers["QTX_PDS_URL"])
    monkeypatch.setenv(identity.PLC_URL_ENV, test_servers["QTX_PLC_URL"])
    return test_servers


def test_a_handle_resolves_to_its_did_and_pds_through_the_sdk_resolvers(
    local_identity: dict[str, str],
) -> None:
    handle, _, did, _ = new_pds_account(local_identity)
    assert identity.resolve_handle(handle) == did
    doc = identity.did_document(did)
    assert doc["id"] == did
    assert identity.resolve_pds(handle) == (did, local_identity["QTX_PDS_URL"])
    assert identity.resolve_pds(did) == (did, local_identity["QTX_PDS_URL"])  # a DID is accepted as is


def test_no_such_handle_is_not_found_and_says_what_to_check(local_identity: dict[str, str]) -> None:
    with pytest.raises(AuthError) as err:
        identity.resolve_handle("nobody-at-all.test")
    assert err.value.exit_code == EXIT_BAD_INPUT
    assert "No Bluesky account has the handle @nobody-at-all.test" in err.value.message
    assert "spelling" in err.value.hint


def test_with_no_network_a_handle_is_unreachable_not_misspelled(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(identity.HANDLE_RESOLVER_ENV, closed_port_url())
    with pytest.raises(ServiceError) as err:
        identity.resolve_handle("camille.bsky.social")
    assert err.value.exit_code == EXIT_TEMPFAIL
    assert "cannot be reached" in err.value.message and "spelling" not in err.value.hint
    assert "network" in err.value.hint


def test_a_resolver_that_is_not_atproto_is_named_as_such(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(identity.HANDLE_RESOLVER_ENV, test_servers["QTX_MASTODON_URL"])
    with pytest.raises(ServiceError) as err:
        identity.resolve_handle("camille.test")
    assert "not an atproto service" in err.value.message


def test_did_documents_not_found_unreachable_or_alien(
    local_identity: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AuthError, match="has no identity document"):
        identity.did_document("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
    with pytest.raises(AuthError, match="did:plc and did:web"):
        identity.did_document("did:key:z6Mkabc")
    monkeypatch.setenv(identity.PLC_URL_ENV, closed_port_url())
    with pytest.raises(ServiceError) as err:
        identity.did_document("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
    assert err.value.exit_code == EXIT_TEMPFAIL and "cannot be reached" in err.value.message
    monkeypatch.setenv(identity.PLC_URL_ENV, local_identity["QTX_MASTODON_URL"])  # answers, but HTML/404
    with pytest.raises((AuthError, ServiceError)) as err2:
        identity.did_document("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
    assert "cannot be reached" not in err2.value.message


def test_the_pds_probe_tells_unreachable_from_not_a_pds(test_servers: dict[str, str]) -> None:
    assert str(identity.probe_pds(test_servers["QTX_PDS_URL"])["did"]).startswith("did:")
    with pytest.raises(ServiceError) as down:
        identity.probe_pds(closed_port_url())
    assert down.value.exit_code == EXIT_TEMPFAIL
    with pytest.raises(InputError) as alien:
        identity.probe_pds(test_servers["QTX_MASTODON_URL"])
    assert alien.value.exit_code == EXIT_BAD_INPUT
    assert "is not a Bluesky server (PDS)" in alien.value.message and "--service" in alien.value.hint


def test_the_mastodon_probe_tells_unreachable_failing_and_not_mastodon(test_servers: dict[str, str]) -> None:
    assert connect.probe_mastodon(test_servers["QTX_MASTODON_URL"])
    with pytest.raises(ServiceError) as down:
        connect.probe_mastodon(closed_port_url())
    assert down.value.exit_code == EXIT_TEMPFAIL and "cannot be reached" in down.value.message
    with pytest.raises(InputError) as alien:
        connect.probe_mastodon(test_servers["QTX_PDS_URL"])
    assert "is not a Mastodon server" in alien.value.message
    add_mastodon_fault(
        test_servers,
        {
            "match": {"methods": ["GET"], "path": "/api/v2/instance"},
            "effect": {"type": "status", "status": 503},
            "count": 1,
        },
    )
    try:
        with pytest.raises(ServiceError) as failing:
            connect.probe_mastodon(test_servers["QTX_MASTODON_URL"])
        assert "is failing" in failing.value.message and failing.value.exit_code == EXIT_TEMPFAIL
    finally:
        clear_mastodon_faults(test_servers)


def test_login_mastodon_takes_a_profile_address_and_asks_the_page_in_french(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = test_servers["QTX_MASTODON_URL"]
    try:
        i18n.set_language("fr")
        url = connect.login_mastodon_start(f"{base}/@testuser/")
    finally:
        i18n.set_language("en")
    query = parse_qs(urlparse(url).query)
    assert query["lang"] == ["fr"] and "None" not in url
    assert url.startswith(base + "/oauth/authorize?")
    # the CLI under a French locale: the same, and the prompts in French
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, out, err = run_cli(monkeypatch, capsys, "login", "mastodon", f"{base}/@testuser", stdin="\n")
    assert code == EXIT_BAD_INPUT
    assert "lang=fr" in out and "Ouvrez cette adresse" in err and "Le code d'autorisation est vide" in err


def test_the_cli_exit_codes_tell_a_script_what_to_do(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handle, password, _, _ = new_pds_account(test_servers)
    down = closed_port_url()
    code, _, err = run_cli(
        monkeypatch, capsys, "login", "bluesky", handle, "--service", down, stdin=password + "\n"
    )
    assert code == EXIT_TEMPFAIL and "cannot be reached" in err
    # a Mastodon server given as a Bluesky PDS: the address is wrong, not the password — said before it
    # is even asked for
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "login",
        "bluesky",
        handle,
        "--service",
        test_servers["QTX_MASTODON_URL"],
        stdin=password + "\n",
    )
    assert code == EXIT_BAD_INPUT and "is not a Bluesky server (PDS)" in err and "App password" not in err
    code, _, err = run_cli(monkeypatch, capsys, "login", "mastodon", test_servers["QTX_PDS_URL"], stdin="x\n")
    assert code == EXIT_BAD_INPUT and "is not a Mastodon server" in err
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "login",
        "bluesky",
        handle,
        "--service",
        test_servers["QTX_PDS_URL"],
        stdin="wrong-pass-word\n",
    )
    assert code == EXIT_BAD_INPUT and "refused the login" in err
    # the shell command to log in again keeps the server it was given
    assert f"quittex-tui login bluesky {handle} --service {test_servers['QTX_PDS_URL']}" in err


def test_login_mastodon_says_when_the_browser_authorized_another_account(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.publish.target_helpers import mock_authorize, new_mastodon_user

    base = test_servers["QTX_MASTODON_URL"]
    other, _ = new_mastodon_user(test_servers)
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "login",
        "mastodon",
        f"{base}/@camille/",
        stdin=mock_authorize(test_servers, other) + "\n",
    )
    assert code == 0 and f"@{other}@" in out
    assert f"you named @camille, but the browser authorized @{other}@" in err
