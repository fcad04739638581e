"""`migrate --dry-run` end to end on the demo archive, and the DryRunTarget's own behaviour."""

from __future__ import annotations

import json
import stat
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.cli import main
from quittex_tui.convert.models import PlannedPost, PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish.dryrun import DryRunTarget, SimulatedRateLimit
from quittex_tui.publish.target import PermanentError, PublishTarget, RateLimited, ReplyTo
from tests.publish.engine_helpers import FakeClock

REPORT_KEYS = {
    "schema_version",
    "target",
    "published",
    "already_published",
    "skipped",
    "failed",
    "remaining",
    "left_out",
    "link_cards_missing",
}  # left_out, link_cards_missing: added (docs/cli-json.md)


@pytest.fixture(autouse=True)
def quick_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUITTEX_DRY_RUN_LATENCY", "0.002")


def demo_plan(target: str = "bluesky"):
    with open_archive(demo_archive_path()) as archive:
        return build_plan(archive, PlanOptions(target=target))  # type: ignore[arg-type]


def migrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["migrate", str(demo_archive_path()), "--dry-run", "--json", *args])
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 1, out  # exactly one JSON object on stdout
    return code, json.loads(lines[0]), err


def test_dry_run_publishes_the_whole_demo_plan_then_resumes_to_nothing(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    plan = demo_plan()
    code, report, err = migrate(capsys)
    assert code == 0 and set(report) == REPORT_KEYS
    assert report == {
        "schema_version": 1,
        "target": "dry-run",
        "published": len(plan.items),
        "already_published": 0,
        "skipped": len(plan.skipped),
        "failed": [],
        "remaining": 0,
        "left_out": [],
        "link_cards_missing": [],
    }
    assert "simulating" in err and "items sent" in err  # progress on stderr, stdout kept for JSON
    state_dir = isolated_home / "state"
    journal = next(state_dir.glob("*.dry-run.journal.toml"))
    records = tomllib.loads(journal.read_text("utf-8"))
    assert set(records) == {"done"}  # compacted on clean exit: one record per post
    assert len(records["done"]) == sum(len(i.posts) for i in plan.items)
    server = [json.loads(x) for x in next(state_dir.glob("*.dry-run.server.jsonl")).read_text().splitlines()]
    assert [r["text"] for r in server] == [p.text for i in plan.items for p in i.posts]

    code, again, _ = migrate(capsys)
    assert code == 0 and again["published"] == 0 and again["already_published"] == len(plan.items)


def test_limit_publishes_at_most_n_more_items(capsys: pytest.CaptureFixture[str]) -> None:
    total = len(demo_plan().items)
    code, first, _ = migrate(capsys, "--limit", "3")
    assert code == 0 and (first["published"], first["remaining"]) == (3, total - 3)
    code, second, _ = migrate(capsys, "--limit", "4")
    assert (second["published"], second["already_published"], second["remaining"]) == (4, 3, total - 7)


def test_dry_run_for_mastodon_builds_the_mastodon_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = migrate(capsys, "--to", "mastodon")
    assert code == 0 and report["published"] == len(demo_plan("mastodon").items)


def test_without_yes_and_without_a_terminal_it_refuses(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    code = main(["migrate", str(demo_archive_path()), "--to", "bluesky", "--handle", "someone.test"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "without confirmation" in err and "--yes" in err
    assert not list(isolated_home.rglob("*.toml"))  # refused before touching any state


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--to", "bluesky"], "--handle"),
        (["--to", "mastodon"], "--instance"),
        ([], "--to bluesky or --to mastodon"),
        (["--dry-run", "--limit", "-1"], "negative"),
    ],
)
def test_bad_arguments_are_explained(capsys: pytest.CaptureFixture[str], args: list[str], words: str) -> None:
    code = main(["migrate", str(demo_archive_path()), "--yes", *args])
    _, err = capsys.readouterr()
    assert code == 2 and words in err and "Traceback" not in err


def test_a_missing_archive_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["migrate", str(tmp_path / "nope.zip"), "--dry-run", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "nope.zip" in err


def test_the_dry_run_target_satisfies_the_protocol_and_its_budget() -> None:
    clock = FakeClock()
    target = DryRunTarget(
        latency=0, rate_limit=SimulatedRateLimit(9, 60, 3), sleep=clock.sleep, now=clock.now
    )
    assert isinstance(target, PublishTarget)
    post = PlannedPost(source_id="1", text="bonjour")
    ref = target.publish(post, key="k1", created_at=clock.now(), reply_to=None)
    assert ref.uri == "dry-run://post/k1"
    budget = target.budget()
    assert (budget.limit, budget.remaining, budget.cost_per_post) == (9, 6, 3)
    assert budget.reset_at is not None
    assert timedelta(0) < budget.reset_at - clock.now() <= timedelta(seconds=60)
    target.publish(post, key="k2", created_at=clock.now(), reply_to=ReplyTo(ref, ref))
    target.publish(post, key="k3", created_at=clock.now(), reply_to=None)
    with pytest.raises(RateLimited) as limited:
        target.publish(post, key="k4", created_at=clock.now(), reply_to=None)
    assert limited.value.reset_at == budget.reset_at
    clock.sleep(60)
    assert target.publish(post, key="k4", created_at=clock.now(), reply_to=None).uri.endswith("k4")
    assert target.find("k2", post, clock.now(), clock.now()) is not None
    assert target.find("zz", post, clock.now(), clock.now()) is None


def test_the_dry_run_target_simulates_rejections_and_keeps_its_store(tmp_path: Path) -> None:
    store = tmp_path / "server.jsonl"
    target = DryRunTarget(latency=0, fail_every=2, store=store)
    post = PlannedPost(source_id="1", text="héhé 🎉")
    now = FakeClock().now()
    target.publish(post, key="a", created_at=now, reply_to=None)
    with pytest.raises(PermanentError):
        target.publish(post, key="b", created_at=now, reply_to=None)
    with open(store, "a") as fh:
        fh.write('{"key": "torn')  # a kill in the middle of the "server's" write
    reborn = DryRunTarget(latency=0, store=store)
    assert reborn.find("a", post, now, now) is not None and reborn.find("b", post, now, now) is None
    assert [p.text for p in reborn.posts] == ["héhé 🎉"]


def test_the_text_report_speaks_plainly_first_run_and_resume(capsys: pytest.CaptureFixture[str]) -> None:
    plan = demo_plan()
    posts = sum(len(i.posts) for i in plan.items)
    assert main(["migrate", str(demo_archive_path()), "--dry-run", "--yes"]) == 0
    out, err = capsys.readouterr()
    # stderr: what is simulated, and how long the REAL thing takes at Bluesky's limits (not the simulation's)
    n = len(plan.items)
    assert f"dry run — simulating {n} items ({posts} posts) for Bluesky; nothing is sent." in err
    assert "For real, Bluesky's rate limits make this take about" in err
    assert f"{len(plan.items)}/{len(plan.items)} items sent · 0 failed · done" in err
    assert out.splitlines() == [
        f"Dry run: {len(plan.items)} items published to a simulated Bluesky (nothing was really sent).",
        f"{len(plan.skipped)} tweets left out (retweets, replies to others, deleted or empty tweets…): "
        "`quittex-tui plan` lists them with the reason.",
    ]
    assert main(["migrate", str(demo_archive_path()), "--dry-run", "--yes"]) == 0
    out, err = capsys.readouterr()
    assert "nothing left to send" in err
    assert out.splitlines()[0] == f"{n} items were already published by an earlier run (not sent again)."
    assert "0 items" not in out


def test_plan_progress_gives_an_eta_per_phase(capsys: pytest.CaptureFixture[str]) -> None:
    from quittex_tui.cli._common import StderrProgress

    now = [0.0]
    progress = StderrProgress(clock=lambda: now[0])
    progress("Reading the archive", 0.0)
    now[0] = 2.0
    progress("Reading the archive", 0.25)  # 2 s for a quarter: 6 s to go
    now[0] = 2.1
    progress("Planning posts", 0.0)  # a new phase: its own clock
    err = capsys.readouterr().err
    assert "Reading the archive…  25%  about 6 s left" in err
    assert err.endswith("Planning posts…   0%")


def test_the_simulated_servers_file_is_private(tmp_path: Path) -> None:
    """It holds the posts' texts: 0600 like the state and the journal (also a file made 0644 before)."""
    store = tmp_path / "s.dry-run.server.jsonl"
    store.write_text("")
    store.chmod(0o644)
    target = DryRunTarget(latency=0, store=store)
    now = datetime.now(UTC)
    target.publish(PlannedPost(source_id="1", text="privé"), key="a", created_at=now, reply_to=None)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
