"""What a new user meets on the command line, against the real local servers (QA walkthrough regressions).

Each test is one path a person took that went wrong before: a second account on the same archive, a bad
token in the environment, an address with a space, `--limit 0`, a `--service` refused only after the
password was typed, a server that dies in the middle of a run.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from quittex_tui.cli import main
from quittex_tui.demo import demo_archive_path
from quittex_tui.errors import InputError
from quittex_tui.publish import connect, secrets
from quittex_tui.publish.retry import network_failure
from tests.publish.target_helpers import list_posts, new_mastodon_user, new_pds_account

DEMO = str(demo_archive_path())


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""):
    """The CLI in-process, stdin not a terminal: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_second_bluesky_account_on_the_same_archive_is_refused_not_reported_as_published(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pds = test_servers["QTX_PDS_URL"]
    first, first_pw, _, _ = new_pds_account(test_servers)
    second, second_pw, second_did, _ = new_pds_account(test_servers)
    state = str(tmp_path / "camille.toml")

    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, first_pw)
    code, out, err = run(
        capsys,
        monkeypatch,
        "migrate",
        DEMO,
        "--to",
        "bluesky",
        "--handle",
        first,
        "--service",
        pds,
        "--state",
        state,
        "--limit",
        "2",
        "--yes",
        "--json",
    )
    assert code == 0, err

    # Same archive, same state, another account: before, every post counted as "already published" and
    # nothing reached the second account. Now: a clear refusal naming both accounts and the way out.
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, second_pw)
    code, out, err = run(
        capsys,
        monkeypatch,
        "migrate",
        DEMO,
        "--to",
        "bluesky",
        "--handle",
        second,
        "--service",
        pds,
        "--state",
        state,
        "--limit",
        "2",
        "--yes",
        "--json",
    )
    assert code == 2 and out == ""
    assert f"@{first}" in err and f"@{second}" in err and "--state" in err and "Traceback" not in err
    assert list_posts(test_servers, second_did) == []

    # With its own state file the second account gets the posts.
    code, out, err = run(
        capsys,
        monkeypatch,
        "migrate",
        DEMO,
        "--to",
        "bluesky",
        "--handle",
        second,
        "--service",
        pds,
        "--state",
        str(tmp_path / "second.toml"),
        "--limit",
        "2",
        "--yes",
        "--json",
    )
    assert code == 0, err
    assert '"published": 2' in out
    assert len(list_posts(test_servers, second_did)) >= 2


def test_a_second_mastodon_account_on_the_same_archive_is_refused(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    instance = test_servers["QTX_MASTODON_URL"]
    _, token_a = new_mastodon_user(test_servers)
    user_b, token_b = new_mastodon_user(test_servers)
    state = str(tmp_path / "m.toml")
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, token_a)
    code, _, err = run(
        capsys,
        monkeypatch,
        "migrate",
        DEMO,
        "--to",
        "mastodon",
        "--instance",
        instance,
        "--state",
        state,
        "--limit",
        "1",
        "--yes",
    )
    assert code == 0, err
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, token_b)
    code, out, err = run(
        capsys,
        monkeypatch,
        "migrate",
        DEMO,
        "--to",
        "mastodon",
        "--instance",
        instance,
        "--state",
        state,
        "--limit",
        "1",
        "--yes",
    )
    assert code == 2 and user_b in err and "own state file" in err
    assert token_a not in out + err and token_b not in out + err


def test_a_bad_token_in_the_environment_is_named_instead_of_log_in_again(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    instance = test_servers["QTX_MASTODON_URL"]
    bad = "not-a-valid-token-123"
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, bad)
    for args in (
        ("login", "mastodon", instance),
        (
            "migrate",
            DEMO,
            "--to",
            "mastodon",
            "--instance",
            instance,
            "--yes",
            "--state",
            str(tmp_path / "s.toml"),
        ),
    ):
        code, out, err = run(capsys, monkeypatch, *args)
        assert code == 2
        assert secrets.MASTODON_TOKEN_ENV in err and "unset" in err.lower()
        assert bad not in out + err and "Traceback" not in err


def test_a_wrong_app_password_in_the_environment_is_named(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle, _, _, _ = new_pds_account(test_servers)
    wrong = "wrong-pass-4242"
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, wrong)
    code, out, err = run(
        capsys, monkeypatch, "login", "bluesky", handle, "--service", test_servers["QTX_PDS_URL"]
    )
    assert code == 2 and secrets.BLUESKY_PASSWORD_ENV in err and "HTTP 401" in err
    assert wrong not in out + err


def test_a_plain_http_service_is_refused_before_the_password_is_read(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run(
        capsys,
        monkeypatch,
        "login",
        "bluesky",
        "alice.example.com",
        "--service",
        "http://pds.example.com",
        stdin="secret-typed-for-nothing\n",
    )
    assert code == 2 and "plain http://" in err
    assert "App password for" not in err  # no prompt: nothing was asked before refusing


@pytest.mark.parametrize("url", ["not a url", "https://host name.example", "https://exa mple.org/"])
def test_an_address_with_spaces_is_not_a_server(url: str) -> None:
    with pytest.raises(InputError, match="not a usable"):
        connect.check_url(url, "Mastodon server")


@pytest.mark.parametrize(
    "url",
    [
        "https://piaille.fr",
        "mastodon.social",
        "https://[::1]:3000",
        "http://127.0.0.1:3000/",
        "https://mastodon.exemple.café",
    ],
)
def test_real_addresses_still_pass(url: str) -> None:
    assert connect.check_url(url, "Mastodon server").startswith(("https://", "http://"))


def test_limit_zero_says_how_much_is_left_not_nothing_left(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _, token = new_mastodon_user(test_servers)
    monkeypatch.setenv(secrets.MASTODON_TOKEN_ENV, token)
    code, out, err = run(
        capsys,
        monkeypatch,
        "migrate",
        DEMO,
        "--to",
        "mastodon",
        "--instance",
        test_servers["QTX_MASTODON_URL"],
        "--state",
        str(tmp_path / "s.toml"),
        "--limit",
        "0",
        "--yes",
        "--json",
    )
    assert code == 0
    assert "nothing left to send" not in err and "--limit 0" in err and "still to send" in err
    assert '"published": 0' in out and '"remaining": 0' not in out


def test_a_refused_connection_is_said_in_words() -> None:
    import httpx
    from atproto import Client
    from atproto_core.exceptions import AtProtocolError
    from mastodon import Mastodon, MastodonNetworkError

    with pytest.raises(MastodonNetworkError) as masto:
        Mastodon(
            api_base_url="http://127.0.0.1:1", access_token="x", version_check_mode="none"
        ).account_verify_credentials()
    with pytest.raises(AtProtocolError) as bsky:
        Client(base_url="http://127.0.0.1:1").com.atproto.server.describe_server()
    for exc in (masto.value, bsky.value):
        text = network_failure(exc)
        assert "refused the connection" in text and "Error" not in text
    assert "in time" in network_failure(httpx.ReadTimeout("read timed out"))
