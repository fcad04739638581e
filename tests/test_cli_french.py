"""Under LANG=fr_FR.UTF-8 the whole command line speaks French
(ARCHITECTURE.md#words-every-message-in-the-users-language, issue 14): every command's --help, a
representative run of each command (inspect, plan, migrate --dry-run, audience, follow, export-follows,
profile, demo, where, accounts), its errors and the engine's events. Each output is scanned for English marker
words (after removing what is data or syntax: flags, file paths, URLs, handles, post texts), and targeted
asserts check numbers, dates, plurals and typography the French way. The same runs in English keep their
English words (the contract's JSON is the same in both)."""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path

import pytest

from quittex_tui import i18n
from quittex_tui.cli import COMMANDS, main
from quittex_tui.demo import demo_archive_path
from tests.archive.builder import ArchiveBuilder, dt

DEMO = str(demo_archive_path())
NNBSP = "\u202f"  # the narrow no-break space of French thousands ("1 234")

# Words of English sentences that no French output of ours contains (checked as whole words, any case).
ENGLISH = re.compile(
    r"\b(the|and|of|to|is|are|was|were|with|your|you|this|that|which|will|not|nothing|items?|posts?|"
    r"published|failed|remaining|left|show|print|default|file|found|sent|from|for|by|on|in|or|it|"
    r"account|accounts|people|handle|handles|network|run|help|exit|yes|no|here|there|done|about|days?|"
    r"hours?|minutes?|waiting|until|retry|checking|sending|reading|planning|archive of)\b",
    re.IGNORECASE,
)
# Data and syntax that may legitimately hold such words: flags, paths, URLs, handles, {…} JSON, ids.
NOT_WORDS = [
    re.compile(r"(?<![\w-])--?[a-z][a-z0-9-]*(=\S*)?"),  # --to, -h, --handles=…
    re.compile(r"https?://\S+"),
    re.compile(r"(?<!\w)[~./]?[\w.-]*/[\w./-]+"),  # paths and file names with a folder
    re.compile(r"@[\w.@-]+"),  # handles, addresses
    re.compile(r"\b[\w-]+\.(zip|toml|csv|json|md|jsonl|js|py|log)\b"),
    re.compile(r"`[^`]*`"),  # commands quoted in backticks
    re.compile(r"quittex-tui( [a-z-]+)*"),  # the program and its commands
    re.compile(r"\{[^{}]*\}"),  # argparse's {bluesky,mastodon}
    re.compile(r"^ {4}(" + "|".join(map(re.escape, COMMANDS)) + r")\b", re.MULTILINE),  # command names
    re.compile(r"From X"),  # the default name of the Bluesky list `follow --list` makes (data, as on X)
]


def english_words(text: str) -> list[str]:
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    return ENGLISH.findall(text)


def run_fr(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
    lang: str = "fr_FR.UTF-8",
) -> tuple[int, str, str]:
    monkeypatch.setenv("LANG", lang)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(list(args))
    except SystemExit as exc:  # --help, argparse's usage errors
        code = int(exc.code or 0)
    finally:
        i18n.set_language("en")
    out = capsys.readouterr()
    return code, out.out, out.err


def help_commands() -> list[list[str]]:
    commands = [[name] for name in COMMANDS]
    return [[], *commands, ["login", "bluesky"], ["login", "mastodon"]]


@pytest.mark.parametrize("command", help_commands(), ids=lambda c: " ".join(c) or "quittex-tui")
def test_every_help_is_french(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_fr(capsys, monkeypatch, *command, "--help")
    assert code == 0, err
    assert english_words(out) == [], out
    # French typography of argparse's own headings: a no-break space before the colon
    assert out.startswith("utilisation\u00a0: ")
    assert "\noptions\u00a0:\n" in out
    assert "positional arguments" not in out and "show this help" not in out
    # ... and everywhere else: no plain space before : ; ! ? that a wrap could leave alone at a line start
    assert re.search(r" [:;!?](\s|$)", out) is None, out
    assert not any(line.lstrip().startswith((":", ";", "?", "!")) for line in out.splitlines()), out


def test_french_typography_is_applied_to_the_catalogue_never_to_data() -> None:
    """The CLI's French catalogue texts get no-break spaces before : ; ! ? (i18n.french_spaces); a
    parameter (archive text, a server's words) is data and stays exactly as it was given."""
    plain = [
        key
        for key, text in i18n.catalogue("cli", "fr").items()
        if re.search(r" [:;!?]([\s}»)]|$)", text) or "« " in text or " »" in text
    ]
    assert plain == []
    said = i18n.translate("cli", "migrate.report.failed", lang="fr", item="7", reason="Moi sur X : oui ?")
    assert said == "  échec\u00a0: élément 7\u00a0: Moi sur X : oui ?"
    assert i18n.french_spaces("« Vraiment ? » Oui ; non : peut-être !") == (
        "«\u00a0Vraiment\u202f?\u00a0» Oui\u202f; non\u00a0: peut-être\u202f!"
    )
    assert i18n.catalogue("cli", "en")["migrate.report.failed"].count("\u00a0") == 0  # English untouched


def test_the_english_help_stays_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_fr(capsys, monkeypatch, "migrate", "--help", lang="C.UTF-8")
    assert code == 0 and out.startswith("usage: ") and "\noptions:\n" in out
    assert "simulate the whole run" in out
    assert len(english_words(out)) > 20  # the scan does find English where there is some


@pytest.fixture
def big_archive(tmp_path: Path) -> Path:
    """1,200 tweets from Dec 21, 2024 on: numbers over a thousand and a known first date."""
    b = ArchiveBuilder(generation="2023")
    for i in range(1200):
        b.tweet(f"Billet {i} : été, café, 🎉", at=dt(2024, 12, 21, 8, i % 60, i % 60 // 2))
    return b.write_zip(tmp_path / "grande.zip")


def test_inspect_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, big_archive: Path
) -> None:
    code, out, err = run_fr(capsys, monkeypatch, "inspect", str(big_archive))
    assert code == 0, err
    assert english_words(out) == [], out
    assert f"Tweets\u00a0: 1{NNBSP}200, du 21/12/2024 au " in out  # thousands and dates the French way
    code, out, _ = run_fr(capsys, monkeypatch, "inspect", DEMO)
    assert english_words(out) == [], out
    assert "Médias\u00a0: 12 fichiers, 1 manquant" in out  # 1 is singular (and 0 would be too)
    assert "la photo 1274819383159090075-EbZ3kR9XsAE_w1q.jpg manque dans l'archive" in out  # a warning
    # the JSON is the contract: the same whatever the language
    _, fr_json, _ = run_fr(capsys, monkeypatch, "inspect", DEMO, "--json")
    _, en_json, _ = run_fr(capsys, monkeypatch, "inspect", DEMO, "--json", lang="C.UTF-8")
    assert json.loads(fr_json) == json.loads(en_json)
    assert (
        "1 media file is missing from the archive; its post goes without it"
        in json.loads(en_json)["warnings"]
    )


def test_plan_in_french(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_fr(capsys, monkeypatch, "plan", DEMO, "--to", "mastodon")
    assert code == 0, err
    ours = "\n".join(line for line in out.splitlines() if not line.startswith("      "))  # not the posts
    assert english_words(ours) == [], ours
    assert out.startswith("Plan pour Mastodon\u00a0: 36 éléments (un tweet, ou un fil) → 45 publications.")
    assert "── fil 1217351976249644172 · 15/01/2020 07:45:03 UTC · 2 publications" in out
    assert "Laissés de côté\u00a0: 16 tweets — 9 réponses à d'autres, 5 retweets, 1 tweet supprimé, " in out
    assert re.search(r"Envoyer 45 publications prend environ \d+ min au rythme permis par Mastodon\.", out)


def test_migrate_dry_run_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUITTEX_DRY_RUN_LATENCY", "0")
    code, out, err = run_fr(capsys, monkeypatch, "migrate", DEMO, "--dry-run", "--limit", "1")
    assert code == 0, err
    assert english_words(out + err) == [], out + err
    assert "simulation — 1 élément (1 publication) pour Bluesky\u202f; rien n'est envoyé." in err  # singular
    assert "1/36 éléments envoyés · 0 en échec" in err
    assert out.splitlines()[0] == (
        "Simulation\u00a0: 1 élément publié sur un Bluesky simulé (rien n'a vraiment été envoyé)."
    )
    code, out, err = run_fr(capsys, monkeypatch, "migrate", DEMO, "--dry-run", "--limit", "0")
    assert code == 0 and english_words(out + err) == [], out + err
    assert "1 élément était déjà publié par une exécution précédente (pas renvoyés)." in out
    assert "35 éléments restent à envoyer\u00a0: relancez la même commande pour continuer." in out
    # the JSON report is the same contract in both languages
    code, out, _ = run_fr(capsys, monkeypatch, "migrate", DEMO, "--dry-run", "--limit", "0", "--json")
    assert code == 0 and set(json.loads(out)) >= {"schema_version", "target", "published", "failed"}


def test_the_migrate_confirmation_accepts_oui(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The French prompt and its answers (o/oui), through the command's own question (_common.ask)."""
    from quittex_tui.cli import _common

    monkeypatch.setattr(_common, "can_ask", lambda: True)
    for answer, expected in (("oui\n", True), ("o\n", True), ("non\n", False), ("", False)):
        monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
        i18n.set_language("fr")
        try:
            assert _common.ask("Publier ?") is expected
        finally:
            i18n.set_language("en")
    err = capsys.readouterr().out
    assert "Tapez o pour commencer, autre chose pour annuler\u00a0: " in err


def test_audience_follow_export_profile_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = run_fr(capsys, monkeypatch, "audience", DEMO)
    assert code == 0, err
    assert english_words(out + err) == [], out + err
    assert out.startswith("27 personnes dans l'archive, 9 avec un pseudo X connu.")
    assert "(pseudo inconnu)" in out and "abonnement, abonné" in out
    # follow with nothing accepted: said before any login
    code, out, err = run_fr(capsys, monkeypatch, "follow", DEMO, "--to", "bluesky", "--handle", "moi.test")
    assert code == 2 and english_words(err) == [], err
    assert "Aucune correspondance Bluesky acceptée dans" in err and "Passez-les d'abord en revue" in err
    # export-follows with nothing accepted: the header-only file, and why
    csv_path = tmp_path / "abonnements.csv"
    code, out, err = run_fr(capsys, monkeypatch, "export-follows", DEMO, "--mastodon-csv", str(csv_path))
    assert code == 0 and english_words(out + err) == [], out + err
    assert out.startswith("0 compte écrit dans ")  # 0 is singular in French
    # profile without a terminal and without --yes: refused before anything is read from the network
    code, out, err = run_fr(
        capsys, monkeypatch, "profile", DEMO, "--to", "mastodon", "--instance", "https://piaille.example"
    )
    assert code == 2 and english_words(err) == [], err
    assert "Refus de mettre à jour votre profil sur Mastodon sans confirmation" in err


@pytest.mark.parametrize(
    "args",
    [
        ["migrate", DEMO],  # no --to
        ["migrate", DEMO, "--to", "bluesky"],  # no --handle
        ["plan", DEMO, "--to", "mastodon", "--max-chars", "10"],
        ["inspect", "/nulle/part/archive.zip"],
        ["audience", DEMO, "--accept-strong"],
        ["audience", DEMO, "--accept", "123", "--reject", "x"],
        ["login", "bluesky"],  # argparse: a missing argument
        ["lgoin"],
    ],
    ids=lambda a: " ".join(a[:1] + a[2:]),
)
def test_errors_in_french(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_fr(capsys, monkeypatch, *args, stdin="")
    assert code == 2 and out == "" and "Traceback" not in err, err
    assert english_words(err) == [], err


def test_the_headless_demo_is_french(monkeypatch: pytest.MonkeyPatch) -> None:
    from quittex_tui.cli.app_cmd import headless_demo

    out = io.StringIO()
    i18n.set_language("fr")
    try:
        assert headless_demo(out, items=3) == 0
    finally:
        i18n.set_language("en")
    text = out.getvalue()
    assert english_words(text) == [], text
    assert "  [  1/3] élément 1103935885935357235 publié" in text
    assert re.search(r"Terminé en \d+,\d s\.", text)  # a decimal comma


def test_where_and_accounts_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for command in (["where"], ["accounts"]):
        code, out, err = run_fr(capsys, monkeypatch, *command)
        assert code == 0 and english_words(out + err) == [], out + err


def test_engine_events_are_french_in_each_front_end(tmp_path: Path) -> None:
    """The engine's events (kind + Notice) said by the CLI and by the TUI, with failures, retries and a
    wait; the English record (logs, journal) unchanged."""
    from quittex_tui.cli.migrate_cmd import ProgressPrinter
    from quittex_tui.publish.dryrun import DryRunTarget
    from quittex_tui.publish.engine import Engine, EventKind
    from quittex_tui.publish.journal import Journal
    from tests.publish.engine_helpers import FakeClock, make_plan

    clock = FakeClock()
    target = DryRunTarget(latency=0, fail_every=3, transient_every=4, sleep=clock.sleep, now=clock.now)
    events = []
    with Journal(tmp_path / "s.dry-run.journal.toml") as journal:
        Engine(
            make_plan([1, 2, 1, 1, 1]),
            target,
            journal,
            on_event=events.append,
            sleep=clock.sleep,
            now=clock.now,
        ).run()
    kinds = {e.kind for e in events}
    assert {EventKind.ITEM_FAILED, EventKind.RETRYING, EventKind.ITEM_SENT, EventKind.DONE} <= kinds
    assert all(isinstance(e.kind, EventKind) for e in events)
    failed = next(e for e in events if e.kind == EventKind.ITEM_FAILED)
    assert failed.message.startswith(f"item {failed.item_id} failed: ")  # the English record
    for domain in ("cli", "tui"):
        for e in events:
            said = i18n.say(e.message, domain, "fr")
            assert english_words(_without_server_words(said)) == [], (domain, said)
    assert i18n.say(failed.message, "cli", "fr").startswith(f"échec de l'élément {failed.item_id}\u00a0: ")
    retry = next(e for e in events if e.kind == EventKind.RETRYING)
    assert re.search(r"essai 2/6 dans \d+,\d s$", i18n.say(retry.message, "cli", "fr"))
    # the CLI's progress line, in French
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=False, clock=lambda: 0.0)
    i18n.set_language("fr")
    try:
        for e in events:
            printer(e)
    finally:
        i18n.set_language("en")
    lines = stream.getvalue()
    assert "quittex-tui\u00a0: échec de l'élément" in lines and "éléments envoyés" in lines
    assert english_words(_without_server_words(lines)) == [], lines


def _without_server_words(text: str) -> str:
    """The simulated server's own answers are a server's words: data, quoted as they are."""
    for words in ("simulated rejection: the server refused this post", "simulated server error (HTTP 503)"):
        text = text.replace(words, "")
    return text


def test_scoring_reasons_are_enums_said_in_each_language() -> None:
    from quittex_tui.audience.models import Candidate, Person
    from quittex_tui.audience.scoring import OtherAccount, Reason, score

    person = Person(x_id="1", x_handle="alice_x", names=["Alice Martin"])
    decoy = score(
        person,
        Candidate(
            network="bluesky",
            handle="alice-x.bsky.social",
            display_name="Alice Martin",
            description="Moi sur X : @alice_2",
        ),
    )
    assert decoy.reasons == ["handle equal", "bio names another X account (@alice_2)", "display name equal"]
    assert decoy.reasons[0] is Reason.HANDLE_EQUAL and isinstance(decoy.reasons[1], OtherAccount)
    assert json.dumps(decoy.to_json()["reasons"]) == (
        '["handle equal", "bio names another X account (@alice_2)", "display name equal"]'
    )
    assert [i18n.say(r, "cli", "fr") for r in decoy.reasons] == [
        "même pseudo",
        "la bio cite un autre compte X (@alice_2)",
        "même nom affiché",
    ]
    from quittex_tui.tui.audience_model import reason_key

    assert reason_key(decoy.reasons[1]) == ("aud.reason.other_x", {"handle": "@alice_2"})
    assert reason_key("something else") is None


def test_durations_numbers_and_dates_the_french_way() -> None:
    from datetime import datetime, timedelta

    assert i18n.about(timedelta(days=2, hours=3), "fr") == "environ 2 jours 3 h"
    assert i18n.about(timedelta(days=1), "fr") == "environ 1 jour"
    assert i18n.about(timedelta(days=2, hours=3), "en") == "about 2 days 3 h"
    assert i18n.about(timedelta(minutes=3, seconds=4), "en") == "about 3 min"
    assert i18n.number(1234, "fr") == f"1{NNBSP}234" and i18n.number(1234, "en") == "1,234"
    assert i18n.date_numeric(datetime(2024, 12, 21), "fr") == "21/12/2024"
    assert i18n.date_numeric(datetime(2024, 12, 21), "en") == "2024-12-21"
    assert i18n.decimal(2.5, 1, "fr") == "2,5"


def test_a_help_never_lost_a_translation() -> None:
    """Every help= of every command comes from the catalogue: no help string equal in both languages
    except the ones that are the same words (URL, N…)."""
    from quittex_tui.cli import build_parser

    def helps(lang: str) -> list[str]:
        i18n.set_language(lang)
        try:
            parser = build_parser([])
            out: list[str] = []
            stack = [parser]
            while stack:
                p = stack.pop()
                out += [a.help for a in p._actions if a.help and a.help != argparse.SUPPRESS]
                for a in p._actions:
                    if isinstance(a, argparse._SubParsersAction):
                        stack.extend(a.choices.values())
            return out
        finally:
            i18n.set_language("en")

    english, french = helps("en"), helps("fr")
    assert len(english) == len(french) > 60
    same = [e for e, f in zip(english, french, strict=True) if e == f]
    assert same == [], same


def test_a_failure_reason_from_an_earlier_run_is_said_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """issue 14: a reason read back from the journal (resume, `migrate`'s summary) is said in French
    through the key the journal kept; the report's `reason` (the JSON contract) stays the English text."""
    from quittex_tui.cli.migrate_cmd import _print_report
    from quittex_tui.errors import todo
    from quittex_tui.notice import notice
    from quittex_tui.publish.dryrun import DryRunTarget
    from quittex_tui.publish.engine import Engine
    from quittex_tui.publish.journal import Journal
    from tests.publish.engine_helpers import FakeClock, make_plan

    plan = make_plan([1, 1])
    item = plan.items[0]
    clock = FakeClock()
    target = DryRunTarget(latency=0, sleep=clock.sleep, now=clock.now)
    reason = notice(
        "fail.unsure", n=1, item=item.id, reason=notice("fail.look_alike"), todo=todo("retry_later")
    )
    path = tmp_path / "s.dry-run.journal.toml"
    with Journal(path) as journal:  # the earlier run
        key = target.post_key(item.id, 0, item.posts[0].source_id, item.created_at)
        journal.intent(key, item_id=item.id)
        journal.failed(key, reason)
    with Journal(path) as journal:  # this run: reads it back
        engine = Engine(plan, target, journal, sleep=clock.sleep, now=clock.now)
        report = engine.report().model_dump()
        reasons = {f["item_id"]: engine.failure_reason(f["item_id"]) or f["reason"] for f in report["failed"]}
    assert [f["reason"] for f in report["failed"]] == [str(reason)]  # the contract's English text
    i18n.set_language("fr")
    try:
        _print_report(report, reasons, network="bluesky", dry_run=True)
    finally:
        i18n.set_language("en")
    out = capsys.readouterr().out
    assert i18n.say(reason, "cli", "fr") in out and str(reason) not in out, out
