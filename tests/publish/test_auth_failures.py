"""Wrong password, unknown handle, revoked token, server down: a clear message without the secret,
exit 2 from the CLI, nothing stored — against the real local servers."""

from __future__ import annotations

import io
import socket
import sys
from pathlib import Path

import httpx
import pytest

from quittex_tui.cli import main
from quittex_tui.convert.models import PlannedPost
from quittex_tui.errors import AuthError, InputError, QuittexError, ServiceError
from quittex_tui.publish import connect, secrets
from tests.publish.target_helpers import create_app_password, new_mastodon_user, new_pds_account


def closed_port_url(host: str = "127.0.0.1") -> str:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}"


def assert_clean(err: QuittexError, *secret_values: str) -> None:
    text = f"{err.message}\n{err.hint}\n{err}\n{err!r}"
    for value in secret_values:
        assert value not in text


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def secrets_snapshot() -> bytes | None:
    path = secrets.FileSecretStore().path
    return path.read_bytes() if path.exists() else None


def test_wrong_bluesky_password(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handle, _, _, _ = new_pds_account(test_servers)
    wrong = "wrong-" + "k3y9" * 4
    with pytest.raises(AuthError) as err:
        connect.login_bluesky(handle, wrong, service=test_servers["QTX_PDS_URL"])
    assert handle in err.value.message and "app password" in err.value.message
    assert_clean(err.value, wrong)
    before = secrets_snapshot()
    code, out, errout = run_cli(
        monkeypatch,
        capsys,
        "login",
        "bluesky",
        handle,
        "--service",
        test_servers["QTX_PDS_URL"],
        stdin=wrong + "\n",
    )
    assert code == 2
    assert "quittex-tui: Bluesky refused the login" in errout and "Traceback" not in errout
    assert wrong not in out + errout
    assert secrets_snapshot() == before  # nothing stored on failure


def test_unknown_handle(test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AuthError) as err:
        connect.login_bluesky("nobody-here.test", "some-pass-word", service=test_servers["QTX_PDS_URL"])
    assert_clean(err.value, "some-pass-word")
    # without --service the handle has to resolve first
    monkeypatch.setenv(connect.HANDLE_RESOLVER_ENV, test_servers["QTX_PDS_URL"])
    monkeypatch.setenv(connect.PLC_URL_ENV, test_servers["QTX_PLC_URL"])
    with pytest.raises(AuthError, match=r"No Bluesky account has the handle @nobody-here\.test"):
        connect.connect_bluesky("nobody-here.test", password="some-pass-word")


def test_missing_secret_says_how_to_log_in(test_servers: dict[str, str]) -> None:
    handle, _, _, _ = new_pds_account(test_servers)
    with pytest.raises(AuthError) as err:
        connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"])
    assert f"quittex-tui login bluesky {handle}" in err.value.hint
    with pytest.raises(AuthError) as err2:
        connect.connect_mastodon(test_servers["QTX_MASTODON_URL"])
    assert "quittex-tui login mastodon" in err2.value.hint


def test_revoked_bluesky_app_password(test_servers: dict[str, str]) -> None:
    handle, _, did, main_jwt = new_pds_account(test_servers)
    app_password = create_app_password(test_servers, main_jwt)
    connect.login_bluesky(handle, app_password, service=test_servers["QTX_PDS_URL"])
    target = connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"])
    res = httpx.post(
        f"{test_servers['QTX_PDS_URL']}/xrpc/com.atproto.server.revokeAppPassword",
        json={"name": "quittex"},
        headers={"Authorization": f"Bearer {main_jwt}"},
    )
    assert res.status_code == 200
    # Access tokens are stateless JWTs and live on until they expire; make this one be refused now,
    # so the target must refresh (refused: revoked) and then log in again (refused: revoked).
    session = target.client._session
    assert session is not None
    session.access_jwt = session.access_jwt[:-4] + (
        "AAAA" if not session.access_jwt.endswith("AAAA") else "BBBB"
    )
    post = PlannedPost(source_id="1", text="jamais")
    key = target.post_key("i", 0, "1", target_time())
    with pytest.raises(AuthError) as err:
        target.publish(post, key=key, created_at=target_time(), reply_to=None)
    assert "quittex-tui login bluesky" in err.value.hint
    assert_clean(err.value, app_password)
    # the next run, with the stored (now dead) session: a clear AuthError as well
    stored = secrets.load_secrets(secrets.bluesky_key(handle))
    secrets.update_secrets(
        secrets.bluesky_key(handle),
        session=stored["session"].replace(stored["session"].split(":::")[2], session.access_jwt),
    )
    with pytest.raises(AuthError) as err2:
        connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"])
    assert_clean(err2.value, app_password, stored["session"])
    assert did not in (err2.value.hint or "")


def target_time():
    from datetime import UTC, datetime

    return datetime(2015, 1, 1, tzinfo=UTC)


def test_revoked_mastodon_token(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = test_servers["QTX_MASTODON_URL"]
    _, token = new_mastodon_user(test_servers)
    target = connect.connect_mastodon(url, token=token)
    assert httpx.post(f"{url}/oauth/revoke", data={"token": token}).status_code == 200
    post = PlannedPost(source_id="1", text="jamais")
    with pytest.raises(AuthError) as err:
        target.publish(
            post, key=target.post_key("i", 0, "1", target_time()), created_at=target_time(), reply_to=None
        )
    assert_clean(err.value, token)
    with pytest.raises(AuthError) as err2:
        connect.connect_mastodon(url, token=token)
    assert "revoked" in err2.value.message
    assert_clean(err2.value, token)
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, token)
    code, out, errout = run_cli(monkeypatch, capsys, "login", "mastodon", url)
    assert code == 2 and token not in out + errout and "quittex-tui login mastodon" in errout


def test_bad_mastodon_authorization_code(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = test_servers["QTX_MASTODON_URL"]
    code, out, err = run_cli(monkeypatch, capsys, "login", "mastodon", url, stdin="mockcode_nobody_at_all\n")
    assert code == 2
    assert "refused the authorization code" in err
    assert "token" not in secrets.load_secrets(secrets.mastodon_key(url))
    client_secret = secrets.load_secrets(secrets.mastodon_key(url))["client_secret"]
    assert client_secret not in out + err


def test_server_down(
    test_servers: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    down = closed_port_url()
    handle, password, _, _ = new_pds_account(test_servers)
    with pytest.raises(ServiceError) as err:
        connect.login_bluesky(handle, password, service=down)
    assert down in err.value.message and "cannot be reached" in err.value.message
    assert err.value.exit_code == 75  # EX_TEMPFAIL: a script retries later
    assert_clean(err.value, password)
    with pytest.raises(ServiceError) as err2:
        connect.connect_mastodon(down, token="tok-" + "x" * 20)
    assert_clean(err2.value, "tok-" + "x" * 20)
    before = secrets_snapshot()
    code, out, errout = run_cli(
        monkeypatch, capsys, "login", "bluesky", handle, "--service", down, stdin=password + "\n"
    )
    assert code == 75 and "cannot be reached" in errout and password not in out + errout
    code, _, errout = run_cli(monkeypatch, capsys, "login", "mastodon", down, stdin="x\n")
    assert code == 75 and "cannot be reached" in errout
    assert secrets_snapshot() == before


def test_plain_http_refused_except_loopback() -> None:
    for url in ("http://mastodon.example", "http://10.0.0.5:3000", "http://[2001:db8::1]/"):
        with pytest.raises(InputError, match="Refusing plain http"):
            connect.check_url(url, "Mastodon server")
    for url in ("http://127.0.0.1:3000", "http://127.5.6.7", "http://localhost:2583", "http://[::1]:80"):
        assert connect.check_url(url, "server").startswith("http://")
    assert connect.check_url("mastodon.social/", "Mastodon server") == "https://mastodon.social"
    with pytest.raises(InputError):
        connect.connect_mastodon("http://mastodon.example", token="t")
    with pytest.raises(InputError):
        connect.connect_bluesky("alice.example.com", service="http://pds.example.com", password="p")


def test_secret_file_is_left_intact_by_failures(test_servers: dict[str, str], tmp_path: Path) -> None:
    handle, password, _, _ = new_pds_account(test_servers)
    connect.login_bluesky(handle, password, service=test_servers["QTX_PDS_URL"])
    before = secrets_snapshot()
    with pytest.raises(AuthError):
        connect.login_bluesky(handle, "wrong-password", service=test_servers["QTX_PDS_URL"])
    assert secrets_snapshot() == before
    assert connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"]).handle == handle
