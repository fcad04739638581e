"""The command line as a script and a person meet it: exit codes, the nearest command for a typo, help
and argparse's own words in French, a broken pipe, --debug and the log file, crash reports, accounts /
logout / where, and `schema_version` on every --json object."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from quittex_tui import i18n, logs
from quittex_tui.cli import main
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish import secrets
from tests.archive.builder import ArchiveBuilder, dt

DEMO = str(demo_archive_path())


def cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(list(args))
    finally:
        i18n.set_language("en")
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_typo_of_a_command_suggests_the_nearest_one() -> None:
    proc = cli("lgoin")
    assert proc.returncode == 2
    assert "lgoin is neither a command nor an archive" in proc.stderr and "quittex-tui login" in proc.stderr
    proc = cli("lgoin", env={"LANG": "fr_FR.UTF-8"})
    assert "Vouliez-vous dire\u00a0: quittex-tui login" in proc.stderr
    far = cli("nothing-like-a-command")  # not close to any command: it is taken as an archive path
    assert far.returncode == 2 and "No such archive: nothing-like-a-command" in far.stderr


def test_help_documents_the_exit_codes_in_the_users_language() -> None:
    english = cli("--help")
    assert english.returncode == 0
    for line in (
        "0    done",
        "1    some items failed",
        "2    bad input",
        "75   a server is unreachable",
        "130  interrupted",
    ):
        assert line in english.stdout
    french = cli("--help", env={"LANG": "fr_FR.UTF-8"})
    # French typography: a no-break space before the colon of argparse's own headings
    assert french.stdout.startswith("utilisation\u00a0: quittex-tui")
    assert "\ncommandes\u00a0:\n" in french.stdout and "\noptions\u00a0:\n" in french.stdout
    assert "Codes de sortie" in french.stdout and "75   un serveur est injoignable" in french.stdout
    assert "afficher cette aide et quitter" in french.stdout and "show this help" not in french.stdout
    usage_error = cli("login", "bluesky", env={"LANG": "fr_FR.UTF-8"})
    assert usage_error.returncode == 2
    assert "erreur\u00a0: ces arguments sont obligatoires\u00a0: PSEUDO" in usage_error.stderr
    bad_choice = cli("logout", "myspace", env={"LC_ALL": "fr_FR.UTF-8"})
    assert "choix invalide\u00a0: 'myspace'" in bad_choice.stderr


def test_a_broken_pipe_ends_quietly(tmp_path: Path) -> None:
    b = ArchiveBuilder(generation="2023")
    for i in range(2500):  # far more output than a pipe buffer (64 KiB) holds
        b.tweet(
            f"Billet numéro {i} : assez de texte pour remplir la sortie du plan, accents compris. " * 2,
            at=dt(2020, 1, 1, i % 24, i % 60),
        )
    archive = b.write_zip(tmp_path / "big.zip")
    for extra in ([], ["--json"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "quittex_tui", "plan", str(archive), "--to", "bluesky", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(200)  # like `| head -c 200`: read a little, then close the pipe
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, err
        assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err


def test_debug_writes_a_private_scrubbed_log_and_says_where(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "abcd-efgh-ijkl-mnop"
    proc = cli("where", "--debug", env={"QUITTEX_BLUESKY_APP_PASSWORD": secret})
    assert proc.returncode == 0
    assert "log: " in proc.stderr and "DEBUG" not in proc.stdout
    (log,) = (isolated_home / "log").glob("quittex-tui-*.log")
    assert str(log) in proc.stderr
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE((isolated_home / "log").stat().st_mode) == 0o700
    text = log.read_text("utf-8")
    assert "command: where" in text and "exit 0" in text and secret not in text


def test_the_log_scrubber_removes_what_it_recognises() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOngifQ.c2lnbmF0dXJlLXZhbHVl"
    logs.remember_secret("tok-remembered-123456")
    text = (
        f"pw abcd-efgh-ijkl-mnop jwt {jwt} Authorization: Bearer xyz123456 "
        'access_token=qwerty12345&x=1 {"password": "hunter2hunter2"} ?code=oauthcode42 '
        "token tok-remembered-123456; keep did:plc:abc and camille.test"
    )
    clean = logs.default_scrub(text)
    for leaked in (
        "abcd-efgh-ijkl-mnop",
        jwt,
        "xyz123456",
        "qwerty12345",
        "hunter2hunter2",
        "oauthcode42",
        "tok-remembered-123456",
    ):
        assert leaked not in clean
    assert "did:plc:abc" in clean and "camille.test" in clean  # names are not secrets


def test_each_run_has_its_own_log_and_the_folder_is_pruned(isolated_home: Path) -> None:
    folder = isolated_home / "log"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(logs.KEEP_RUNS + 5):
        old = folder / f"quittex-tui-2020010{i % 10}T00000{i}Z-{i}.log"
        old.write_text("old run\n")
        os.utime(old, (1_600_000_000 + i, 1_600_000_000 + i))
    path = logs.setup_logging(command="test")
    assert path is not None and path.exists()
    assert len(list(folder.glob("quittex-tui-*.log"))) == logs.KEEP_RUNS


def test_an_unexpected_error_becomes_a_crash_report_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    from quittex_tui.cli import where_cmd

    secret = "wxyz-wxyz-wxyz-wxyz"

    def boom(args: object) -> int:
        raise RuntimeError(f"a bug with a secret in it: {secret}")

    monkeypatch.setattr(where_cmd, "run", boom)
    code, _out, err = run(capsys, monkeypatch, "where")
    assert code == 70
    assert "Traceback" not in err and "unexpected internal error (RuntimeError)" in err
    (report,) = (isolated_home / "log" / "crash").glob("crash-*.txt")
    assert str(report) in err
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    body = report.read_text("utf-8")
    assert "RuntimeError" in body and "Traceback" in body and "boom" in body and secret not in body


def test_accounts_and_logout_never_show_a_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets.update_secrets(
        "bluesky:camille.test", password="abcd-efgh-ijkl-mnop", session="sess-secret-1", did="did:plc:camille"
    )
    secrets.update_secrets(
        "mastodon:https://piaille.fr",
        token="token-secret-42",
        acct="camille@piaille.fr",
        client_id="cid",
        client_secret="csecret-42",
    )
    code, out, err = run(capsys, monkeypatch, "accounts")
    assert code == 0 and "@camille.test" in out and "@camille@piaille.fr (https://piaille.fr)" in out
    assert "app password" in out and "access token" in out
    for value in ("abcd-efgh-ijkl-mnop", "sess-secret-1", "token-secret-42", "csecret-42"):
        assert value not in out + err
    code, out, _ = run(capsys, monkeypatch, "accounts", "--json")
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and {a["network"] for a in doc["accounts"]} == {"bluesky", "mastodon"}
    assert "token-secret-42" not in out
    # any usual form of the address names the account
    code, out, _ = run(capsys, monkeypatch, "logout", "mastodon", "https://piaille.fr/@camille")
    assert code == 0 and "Logged out of Mastodon https://piaille.fr" in out and "Authorized apps" in out
    assert secrets.load_secrets("mastodon:https://piaille.fr") == {}
    code, _, err = run(capsys, monkeypatch, "logout", "mastodon", "piaille.fr")
    assert code == 2 and "No Mastodon account https://piaille.fr is stored" in err
    code, out, _ = run(capsys, monkeypatch, "logout", "bluesky", "--json")  # the only one: no name needed
    assert code == 0 and json.loads(out)["account"] == "camille.test"
    assert secrets.load_secrets("bluesky:camille.test") == {}
    code, out, err = run(capsys, monkeypatch, "logout", "bluesky")
    assert code == 0 and "nothing to remove" in err


def test_logout_with_several_accounts_asks_which_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for handle in ("a.test", "b.test"):
        secrets.update_secrets(f"bluesky:{handle}", password="pw-" + handle)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, _, err = run(capsys, monkeypatch, "logout", "bluesky")
    assert code == 2 and "2 comptes Bluesky sont enregistrés\u00a0: précisez lequel" in err
    assert "a.test b.test" in err
    code, out, _ = run(capsys, monkeypatch, "accounts")
    assert out.startswith("2 comptes enregistrés\u00a0:")


def test_where_names_every_location(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    code, out, _ = run(capsys, monkeypatch, "where", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema_version"] == 1
    for key in ("state", "journals", "demo_state", "cache", "log", "logs", "crash_reports", "config"):
        assert doc[key].startswith(str(isolated_home)), key
    assert doc["secrets"] == doc["secrets_file"]  # no keyring in the tests: the 0600 file
    assert doc["log"].endswith(".log") and Path(doc["log"]).exists()
    code, out, _ = run(capsys, monkeypatch, "where")
    assert "states" in out and "crash reports" in out and "QUITTEX_HOME=" in out


def test_every_json_output_carries_a_schema_version(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUITTEX_DRY_RUN_LATENCY", "0")
    for args in (
        ("inspect", DEMO, "--json"),
        ("plan", DEMO, "--to", "mastodon", "--json"),
        ("migrate", DEMO, "--dry-run", "--limit", "1", "--yes", "--json"),
        ("audience", DEMO, "--json"),
        ("accounts", "--json"),
        ("where", "--json"),
    ):
        code, out, err = run(capsys, monkeypatch, *args)
        assert code == 0, (args, err)
        assert json.loads(out)["schema_version"] == 1, args


def test_the_headless_demo_speaks_french() -> None:
    proc = cli("demo", env={"LANG": "fr_FR.UTF-8"}, stdin="")
    assert proc.returncode == 0
    assert "Migration simulée des 12 premiers" in proc.stdout and "Rapport\u00a0: 12 publiés" in proc.stdout
