"""Exactly once, for days (ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 11): against the REAL
local servers, through the fault proxy.

Each case ends with every post exactly once on the server, read back from its API (Mastodon
`account_statuses`, Bluesky `listRecords`), and the report matching what the server has:
- look-alike posts (two photo-only tweets, two "Bonjour !", two parts of a split note with the same text)
  whose sends failed or were cut, resumed two hours later — the proxy then strips `Idempotency-Key` as a
  real Mastodon does after its 1 h window, and moves the server's `Date` — with OUR clock 10 min ahead;
- a deleted journal, then a second --state file for the same account (Mastodon and Bluesky);
- a server trickling its answers (total deadline per request), `--limit` against a server refusing every
  write, secrets echoed in error bodies.
"""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlannedPost
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish import connect, deadline, tid
from quittex_tui.publish import journal as journal_module
from quittex_tui.publish.engine import Engine, EngineEvent
from quittex_tui.publish.journal import Journal, JournalView
from quittex_tui.publish.mastodon import SOURCE_CHECKS, html_to_text, normalize_text
from quittex_tui.publish.retry import RetryPolicy
from tests.publish.engine_helpers import as_sent
from tests.publish.fault_proxy import ProxyRequest, fault_proxy
from tests.publish.target_helpers import image, new_mastodon_user, new_pds_account
from tests.publish.test_crash_servers import demo_plan, list_bluesky_posts, list_mastodon_statuses

pytestmark = pytest.mark.servers
STATUS_POST = "/api/v1/statuses"
FAST_RETRY = RetryPolicy(max_attempts=6, base=0.02, cap=0.1)


class Clock:
    """Our clock, `offset` away from the machine's (the server's clock stays the machine's)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def item(n: int, *texts: str, media: list[Any] | None = None) -> PlanItem:
    base = datetime(2021, 3, 4, 8, 0, tzinfo=UTC) + timedelta(hours=n)
    posts = [
        PlannedPost(
            source_id=str(5_000_000 + n * 10 + i), text=t, media=(media or []) if i == 0 else [], lang="fr"
        )
        for i, t in enumerate(texts)
    ]
    return PlanItem(
        id=str(5_000_000 + n * 10),
        kind=ItemKind.THREAD if len(texts) > 1 else ItemKind.POST,
        source_ids=[p.source_id for p in posts],
        created_at=base,
        posts=posts,
    )


def texts_on(statuses: list[dict[str, Any]]) -> collections.Counter[tuple[str, int, str | None]]:
    """What a reader sees: (text, number of media, the text it answers), per status."""
    by_id = {s["id"]: s for s in statuses}
    out: collections.Counter[tuple[str, int, str | None]] = collections.Counter()
    for s in statuses:
        parent = by_id.get(s.get("in_reply_to_id") or "")
        out[
            (
                normalize_text(html_to_text(s["content"])),
                len(s["media_attachments"]),
                normalize_text(html_to_text(parent["content"])) if parent else None,
            )
        ] += 1
    return out


def planned(plan: Plan) -> collections.Counter[tuple[str, int, str | None]]:
    out: collections.Counter[tuple[str, int, str | None]] = collections.Counter()
    for it in plan.items:
        for n, post in enumerate(it.posts):
            out[
                (
                    normalize_text(post.text),
                    len(post.media),
                    normalize_text(it.posts[n - 1].text) if n else None,
                )
            ] += 1
    return out


def test_mastodon_look_alikes_resumed_after_the_window_are_each_there_exactly_once(
    test_servers: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = new_mastodon_user(test_servers)
    base = test_servers["QTX_MASTODON_URL"]
    photo = [image(tmp_path / "a.png", 40, 30)]
    other = [image(tmp_path / "b.png", 40, 30, (20, 200, 90))]
    plan = Plan(
        target="mastodon",
        items=[
            item(1, "", media=photo),  # two photo-only tweets: empty text, one picture each, no alt text
            item(2, "", media=other),
            item(3, "Bonjour !"),
            item(4, "Bonjour !"),
            item(5, "Une longue note, découpée en trois parties…", "la même phrase", "la même phrase"),
        ],
    )
    faults: dict[int, list[str]] = {
        2: ["503"] * 6,  # the second photo never lands: six 503s
        4: ["drop_after"] + ["503"] * 5,  # the second "Bonjour !" lands, its answer is lost, then 503s
        7: ["drop_after"] + ["503"] * 5,  # the note's third part lands unconfirmed, like the second
    }
    planned_sends = iter(range(1, 100))
    current: dict[str, Any] = {"post": 0, "left": []}

    def rule(req: ProxyRequest) -> str:
        if req.method != "POST" or req.path != STATUS_POST or phase["n"] != 1:
            return "pass"
        if not current["left"]:  # a new post (not a retry of the last one)
            current["post"] = next(planned_sends)
            current["left"] = list(faults.get(current["post"], ["pass"]))
        return str(current["left"].pop(0))

    phase = {"n": 1}
    path = tmp_path / "m.mastodon.journal.toml"
    events: list[EngineEvent] = []
    with fault_proxy(base, rule) as proxy:
        # Run 1: our clock is 10 minutes AHEAD of the server's.
        clock = Clock(timedelta(minutes=10))
        monkeypatch.setattr(journal_module, "utcnow", clock.now)
        target = connect.connect_mastodon(proxy.url, token=token)
        target._now = clock.now
        with Journal(path) as journal:
            first = Engine(plan, target, journal, now=clock.now, retry=FAST_RETRY).run()
        assert first.published == 2 and {f["item_id"] for f in first.failed} == {
            plan.items[1].id,
            plan.items[3].id,
            plan.items[4].id,
        }
        assert len(list_mastodon_statuses(base, token)) == 6  # 2nd photo missing; 2nd Bonjour, part 3 there

        # Run 2, two hours later: the server forgot the keys, its clock says +2 h; ours is still 10 min ahead.
        phase["n"] = 2
        proxy.strip_idempotency = True
        proxy.date_shift = timedelta(hours=2)
        clock.offset = timedelta(hours=2, minutes=10)
        target = connect.connect_mastodon(proxy.url, token=token)
        target._now = clock.now
        reads_before = len(proxy.hits)
        with Journal(path) as journal:
            second = Engine(
                plan, target, journal, now=clock.now, retry=FAST_RETRY, on_event=events.append
            ).run()
        reads = [h for h in proxy.hits[reads_before:] if h.method == "GET"]
    statuses = list_mastodon_statuses(base, token)
    assert texts_on(statuses) == planned(plan), "a post is missing or doubled on the server"
    assert len(statuses) == 7
    # The report matches the server: the two cut sends were found (already published), the photo sent.
    assert (second.published, second.already_published, second.failed, second.remaining) == (1, 4, [], 0)
    # One journal entry per status, never one status for two entries.
    with JournalView(path) as view:
        uris = [e.uri for e in view.entries() if e.status == "done"]
    assert sorted(uris) == sorted(s["id"] for s in statuses)
    # Bounded, paced reads: one page of the account's posts, no per-status source reads for exact texts.
    assert sum(1 for h in reads if "/statuses/" in h.path and h.path.endswith("/source")) <= SOURCE_CHECKS
    assert sum(1 for h in reads if h.path.endswith("/statuses") and "/accounts/" in h.path) <= 2
    assert any(e.kind == "checking" for e in events)


def cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("network", ["mastodon", "bluesky"])
def test_deleted_journal_then_a_second_state_file_send_nothing_twice(
    network: str, test_servers: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    """Every run a day apart (the proxy strips Idempotency-Key: the server never dedupes for us):
    A sends 10 items; A's journal is deleted and A sends 5 more; a second state file B for the same
    account sends the rest; A runs again. Each post once on the server, and each report says so."""
    if network == "mastodon":
        _, token = new_mastodon_user(test_servers)
        upstream = test_servers["QTX_MASTODON_URL"]
        env = {"QUITTEX_MASTODON_TOKEN": token}
    else:
        handle, password, did, _ = new_pds_account(test_servers)
        upstream = test_servers["QTX_PDS_URL"]
        env = {"QUITTEX_BLUESKY_APP_PASSWORD": password}
    items = demo_plan_items(network)
    with fault_proxy(upstream, network=network) as proxy:
        proxy.strip_idempotency = True
        where = (
            ["--to", "mastodon", "--instance", proxy.url]
            if network == "mastodon"
            else ["--to", "bluesky", "--handle", handle, "--service", proxy.url]
        )

        def migrate(*extra: str) -> dict[str, Any]:
            proc = cli("migrate", str(demo_archive_path()), *where, "--yes", "--json", *extra, env=env)
            assert proc.returncode in (0, 1), proc.stderr
            assert "Traceback" not in proc.stderr
            return {"stderr": proc.stderr, **json.loads(proc.stdout)}

        first = migrate("--limit", "10")
        journal = next((isolated_home / "state").glob(f"*.{network}.journal.toml"))
        assert "If it is lost, the next run first compares" in journal.read_text()  # the header's promise
        journal.unlink()  # deleted by mistake (or moved away, as the damaged-journal message says)
        lost = migrate("--limit", "5")
        assert "found already on the account" in lost["stderr"]
        assert lost["already_published"] == first["published"]
        other = migrate("--state", str(tmp_path / "second.toml"))  # another state file, same account
        assert other["already_published"] == first["published"] + lost["published"]
        back = migrate()  # A again: B's posts are known through B's journal, nothing is sent
        assert back["published"] == 0 and back["remaining"] == 0
        assert back["already_published"] + len(back["failed"]) == len(items)
    failed = {f["item_id"] for f in back["failed"]}
    if network == "mastodon":
        assert failed == set() and back["already_published"] == len(items)
        statuses = list_mastodon_statuses(upstream, token)
        journals = [
            *(isolated_home / "state").glob("*.mastodon.journal.toml"),
            *tmp_path.glob("second.mastodon.journal.toml"),
        ]
        sent = as_sent(Plan(target="mastodon", items=items), *journals)  # the demo's own links, made live
        assert texts_on(statuses) == planned(sent), "missing or doubled"
    else:
        assert failed == set()  # videos and GIFs too (docs/bluesky.md#video, issue 12: uploadBlob on any PDS)
        records = list_bluesky_posts(upstream, did)
        rkeys = [r["uri"].rsplit("/", 1)[1] for r in records]
        expected = {
            tid.post_tid(p.source_id, it.created_at, n)
            for it in items
            if it.id not in failed
            for n, p in enumerate(it.posts)
        }
        assert sorted(rkeys) == sorted(expected), "missing or doubled"
    published = first["published"] + lost["published"] + other["published"]
    assert published == len(items) - len(failed)  # each item published by exactly one run


@pytest.mark.parametrize("network", ["mastodon", "bluesky"])
def test_a_trickling_server_does_not_hang_the_run(
    network: str, test_servers: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers of the first two writes come one byte every second (so every single read is on time):
    each request is cut at its total deadline, retried, and every post ends up there once."""
    monkeypatch.setattr(deadline, "REQUEST_DEADLINE", 2.0)
    plan = demo_plan(network)
    plan = plan.model_copy(update={"items": [i for i in plan.items if not any(p.media for p in i.posts)][:4]})
    write = STATUS_POST if network == "mastodon" else "/xrpc/com.atproto.repo.putRecord"

    def rule(req: ProxyRequest) -> str:
        return "trickle:1.0" if req.method == "POST" and req.path == write and req.n <= 2 else "pass"

    if network == "mastodon":
        _, token = new_mastodon_user(test_servers)
        upstream = test_servers["QTX_MASTODON_URL"]
    else:
        handle, password, did, _ = new_pds_account(test_servers)
        upstream = test_servers["QTX_PDS_URL"]
    with fault_proxy(upstream, rule, network) as proxy:
        if network == "mastodon":
            target: Any = connect.connect_mastodon(proxy.url, token=token)
        else:
            target = connect.connect_bluesky(handle, service=proxy.url, password=password)
        started = time.monotonic()
        with Journal(tmp_path / f"t.{network}.journal.toml") as journal:
            report = Engine(plan, target, journal, retry=FAST_RETRY).run()
        elapsed = time.monotonic() - started
        trickled = [h for h in proxy.hits if h.action.startswith("trickle")]
    assert len(trickled) == 2 and elapsed < 30  # a whole answer would take minutes at this pace
    assert report.failed == [] and report.published == len(plan.items)
    if network == "mastodon":
        assert texts_on(list_mastodon_statuses(upstream, token)) == planned(plan)
    else:
        texts = [r["value"]["text"] for r in list_bluesky_posts(upstream, did)]
        assert collections.Counter(texts) == collections.Counter(p.text for i in plan.items for p in i.posts)


def test_limit_counts_attempts_against_a_server_refusing_every_write(
    test_servers: dict[str, str], isolated_home: Path
) -> None:
    _, token = new_mastodon_user(test_servers)
    base = test_servers["QTX_MASTODON_URL"]

    def rule(req: ProxyRequest) -> str:
        return "422" if req.method == "POST" and req.path in (STATUS_POST, "/api/v2/media") else "pass"

    with fault_proxy(base, rule) as proxy:
        proc = cli(
            "migrate",
            str(demo_archive_path()),
            "--to",
            "mastodon",
            "--instance",
            proxy.url,
            "--limit",
            "3",
            "--yes",
            "--json",
            env={"QUITTEX_MASTODON_TOKEN": token},
        )
        writes = sum(1 for h in proxy.hits if h.method == "POST" and h.path == STATUS_POST)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["failed"]) == 3 and report["published"] == 0
    assert report["remaining"] == len(demo_plan_items("mastodon")) - 3
    assert writes <= 3
    assert list_mastodon_statuses(base, token) == []


def demo_plan_items(network: str) -> list[PlanItem]:
    from quittex_tui.archive import open_archive
    from quittex_tui.convert.models import PlanOptions
    from quittex_tui.convert.plan import build_plan

    with open_archive(demo_archive_path()) as archive:
        return build_plan(archive, PlanOptions(target=network)).items  # type: ignore[arg-type]


@pytest.mark.parametrize("network", ["mastodon", "bluesky"])
def test_secrets_echoed_by_the_server_appear_nowhere(
    network: str, test_servers: dict[str, str], isolated_home: Path
) -> None:
    """The server's error bodies repeat the request headers (Authorization: Bearer <token / access JWT>):
    what is printed, journaled or saved carries `[redacted]`, never the secret."""
    write = STATUS_POST if network == "mastodon" else "/xrpc/com.atproto.repo.putRecord"

    def rule(req: ProxyRequest) -> str:
        if req.method != "POST" or req.path != write:
            return "pass"
        return {2: "echo:422" if network == "mastodon" else "echo:400", 3: "echo:500"}.get(req.n, "pass")

    if network == "mastodon":
        _, token = new_mastodon_user(test_servers)
        upstream = test_servers["QTX_MASTODON_URL"]
        env = {"QUITTEX_MASTODON_TOKEN": token}
    else:
        handle, password, _, _ = new_pds_account(test_servers)
        upstream = test_servers["QTX_PDS_URL"]
        env = {"QUITTEX_BLUESKY_APP_PASSWORD": password}
    plan_items = [i for i in demo_plan_items(network) if not any(p.media for p in i.posts)]
    with fault_proxy(upstream, rule, network) as proxy:
        where = (
            ["--to", "mastodon", "--instance", proxy.url]
            if network == "mastodon"
            else ["--to", "bluesky", "--handle", handle, "--service", proxy.url]
        )
        proc = cli("migrate", str(demo_archive_path()), *where, "--limit", "4", "--yes", "--json", env=env)
        echoed = [h for h in proxy.hits if h.action.startswith("echo")]
    assert len(echoed) >= 2 and plan_items
    report = json.loads(proc.stdout)
    assert len(report["failed"]) == 1 and "[redacted]" in report["failed"][0]["reason"]
    if network == "mastodon":
        secrets = [token]
    else:
        stored = (isolated_home / "config").rglob("*")
        text = "".join(p.read_text("utf-8", "replace") for p in stored if p.is_file())
        secrets = [password, *re.findall(r"eyJ[\w.-]+", text)]  # the app password, the session's JWTs
        assert len(secrets) >= 3
    written = "".join(
        p.read_text("utf-8", "replace") for p in (isolated_home / "state").rglob("*") if p.is_file()
    )
    for where_, text in (("stderr", proc.stderr), ("stdout", proc.stdout), ("state folder", written)):
        for secret in secrets:
            assert secret not in text, f"a secret reached the {where_}"
        assert "eyJ" not in text, f"a JWT reached the {where_}"
    assert "[redacted]" in proc.stderr
