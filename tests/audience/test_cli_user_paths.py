"""Audience commands as a new user runs them (QA walkthrough regressions), against the real local servers."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from quittex_tui.cli import main
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish import secrets
from tests.publish.target_helpers import new_pds_account

DEMO = str(demo_archive_path())


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_audience_on_a_pds_without_appview_says_so_instead_of_a_traceback(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    handle, password, _, _ = new_pds_account(test_servers)
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, password)
    code, out, err = run(
        capsys,
        monkeypatch,
        "audience",
        DEMO,
        "--to",
        "bluesky",
        "--handle",
        handle,
        "--service",
        test_servers["QTX_PDS_URL"],
        "--state",
        str(tmp_path / "a.toml"),
    )
    assert code == 2 and out == ""
    assert "no AppView" in err and "--appview" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2  # the message and the hint


def test_a_second_account_cannot_reuse_another_accounts_follow_journal(
    test_servers: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pds = test_servers["QTX_PDS_URL"]
    first, first_pw, _, _ = new_pds_account(test_servers)
    second, second_pw, _, _ = new_pds_account(test_servers)
    state = str(tmp_path / "s.toml")
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, first_pw)
    code, _, err = run(
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
        "1",
        "--yes",
    )
    assert code == 0, err
    # an accepted match recorded by hand (X_ID=HANDLE needs no search)
    code, _, err = run(
        capsys, monkeypatch, "audience", DEMO, "--state", state, "--accept", f"18273645={second}"
    )
    assert code == 0, err
    monkeypatch.setenv(secrets.BLUESKY_PASSWORD_ENV, second_pw)
    code, _, err = run(
        capsys,
        monkeypatch,
        "follow",
        DEMO,
        "--to",
        "bluesky",
        "--handle",
        second,
        "--service",
        pds,
        "--state",
        state,
        "--yes",
    )
    assert code == 2 and f"@{first}" in err and "--state" in err


def test_profile_and_follow_refuse_without_a_terminal_before_any_network_call(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A closed port: had the command connected (or expanded t.co links) first, it would say "cannot reach".
    dead = "http://127.0.0.1:1"
    code, _, err = run(
        capsys, monkeypatch, "profile", DEMO, "--to", "mastodon", "--instance", dead, "--no-resolve-links"
    )
    assert code == 2 and "without confirmation" in err and "--yes" in err and "cannot reach" not in err
    assert "Mastodon" in err


def test_follow_with_nothing_accepted_says_what_to_do(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    code, _, err = run(
        capsys,
        monkeypatch,
        "follow",
        DEMO,
        "--to",
        "bluesky",
        "--handle",
        "me.test",
        "--service",
        "http://127.0.0.1:1",
        "--state",
        str(tmp_path / "s.toml"),
        "--yes",
    )
    assert code == 2 and "No accepted Bluesky matches" in err and "quittex-tui audience" in err
