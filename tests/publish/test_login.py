"""`quittex-tui login …` and the session reuse behind it, against the real local servers."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys

import pytest

from quittex_tui.cli import main
from quittex_tui.publish import connect, secrets
from quittex_tui.publish.bluesky import HeaderCapturingRequest
from tests.publish.target_helpers import mock_authorize, new_mastodon_user, new_pds_account


def cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""):
    """The CLI in-process (same entry point as the console script): (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def secrets_file() -> str:
    return str(secrets.FileSecretStore().path)


def test_login_bluesky_stores_the_password_and_reuses_the_session(test_servers: dict[str, str]) -> None:
    handle, password, did, _ = new_pds_account(test_servers)
    proc = cli("login", "bluesky", handle, "--service", test_servers["QTX_PDS_URL"], stdin=password + "\n")
    assert proc.returncode == 0, proc.stderr
    assert did in proc.stdout and secrets_file() in proc.stdout
    assert password not in proc.stdout + proc.stderr
    stored = secrets.load_secrets(secrets.bluesky_key(handle))
    assert stored["password"] == password and stored["session"].startswith(f"{handle}:::{did}:::")
    assert stat.S_IMODE(os.stat(secrets_file()).st_mode) == 0o600

    # a later run: the stored session is used — no createSession call at all …
    calls: list[str] = []
    request = HeaderCapturingRequest(timeout=30, observer=None)
    original = request._send_request

    def counting(method: str, url: str, **kwargs: object):
        calls.append(url.rsplit("/", 1)[-1])
        return original(method, url, **kwargs)

    request._send_request = counting  # type: ignore[method-assign]
    target = connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"], request=request)
    assert target.did == did
    assert "com.atproto.server.createSession" not in calls and "com.atproto.server.getSession" in calls
    # … which the password path would prove too: with a wrong password stored, it still connects
    secrets.update_secrets(secrets.bluesky_key(handle), password="not-the-password")
    assert connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"]).did == did


def test_login_bluesky_password_from_env(
    test_servers: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handle, password, _, _ = new_pds_account(test_servers)
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, password)
    code, out, err = run(
        capsys,
        monkeypatch,
        "login",
        "bluesky",
        "@" + handle.upper(),
        "--service",
        test_servers["QTX_PDS_URL"],
    )
    assert code == 0, err
    assert password not in out + err
    assert secrets.load_secrets(secrets.bluesky_key(handle))["password"] == password


def test_login_bluesky_resolves_the_pds_from_the_did_document(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No --service: handle → DID (resolveHandle service) → DID document (the local PLC) → PDS.
    handle, password, did, _ = new_pds_account(test_servers)
    monkeypatch.setenv(connect.HANDLE_RESOLVER_ENV, test_servers["QTX_PDS_URL"])
    monkeypatch.setenv(connect.PLC_URL_ENV, test_servers["QTX_PLC_URL"])
    assert connect.resolve_pds(handle) == (did, test_servers["QTX_PDS_URL"])
    assert connect.login_bluesky(handle, password) == did
    target = connect.connect_bluesky(handle)
    assert target.pds == test_servers["QTX_PDS_URL"] and target.did == did


def test_login_mastodon_out_of_band(test_servers: dict[str, str]) -> None:
    url = test_servers["QTX_MASTODON_URL"]
    username, _ = new_mastodon_user(test_servers)
    code = mock_authorize(test_servers, username)
    assert code == f"mockcode_{username}"
    proc = cli("login", "mastodon", url, stdin=code + "\n")  # a real process: prints the URL, reads stdin
    assert proc.returncode == 0, proc.stderr
    authorize_url = proc.stdout.splitlines()[0].strip()
    assert authorize_url.startswith(url + "/oauth/authorize?")
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in authorize_url
    assert "scope=read+write%3Astatuses+write%3Amedia+write%3Afollows+write%3Aaccounts" in authorize_url
    assert f"@{username}@" in proc.stdout
    stored = secrets.load_secrets(secrets.mastodon_key(url))
    assert stored["token"] and stored["client_id"] and stored["client_secret"]
    assert stored["token"] not in proc.stdout + proc.stderr
    # the token works, and the app registration is reused for the next login
    target = connect.connect_mastodon(url)
    assert target.acct == username
    client_id = stored["client_id"]
    connect.login_mastodon_start(url)
    assert secrets.load_secrets(secrets.mastodon_key(url))["client_id"] == client_id


def test_login_mastodon_with_token_from_env(
    test_servers: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = test_servers["QTX_MASTODON_URL"]
    username, token = new_mastodon_user(test_servers)
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, token)
    code, out, err = run(capsys, monkeypatch, "login", "mastodon", url)
    assert code == 0, err
    assert f"@{username}@" in out
    assert secrets.load_secrets(secrets.mastodon_key(url))["token"] == token
    assert token not in out + err


def test_env_token_takes_precedence_over_the_stored_one(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = test_servers["QTX_MASTODON_URL"]
    first, token1 = new_mastodon_user(test_servers)
    second, token2 = new_mastodon_user(test_servers)
    connect.store_mastodon_token(url, token1)
    assert connect.connect_mastodon(url).acct == first
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, token2)
    assert connect.connect_mastodon(url).acct == second
    assert connect.connect_mastodon(url, token=token1).acct == first  # an explicit argument wins
