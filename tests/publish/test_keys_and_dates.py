"""Record keys never collide (tid.derive_key + the engine's key assignment + Journal.find), and each post
carries its own tweet's date and language — checked on the real local PDS (tests/servers.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlannedPost
from quittex_tui.publish import connect, tid
from quittex_tui.publish.bluesky import BlueskyTarget
from quittex_tui.publish.dryrun import DryRunTarget
from quittex_tui.publish.engine import Engine
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.target import PostRef, ReplyTo
from tests.publish.target_helpers import get_post, list_posts, new_pds_account, snowflake

T = datetime(2021, 2, 3, 4, 5, 6, tzinfo=UTC)


def colliding_ids(at: datetime) -> tuple[str, str]:
    """Two different tweet ids of the same millisecond whose first keys are equal (same hashed clock id)."""
    ms = int(at.timestamp() * 1000) + 250
    first: dict[int, str] = {}
    for seq in itertools.count(1):
        tweet_id = snowflake(ms, seq)
        clock = tid.clock_id_for(tweet_id)
        if clock in first:
            return first[clock], tweet_id
        first[clock] = tweet_id
    raise AssertionError("unreachable")


def single(tweet_id: str, text: str, at: datetime = T, lang: str = "") -> PlanItem:
    post = PlannedPost(source_id=tweet_id, text=text, created_at=at, lang=lang)
    return PlanItem(id=tweet_id, kind=ItemKind.POST, source_ids=[tweet_id], created_at=at, posts=[post])


def bluesky_plan(*items: PlanItem) -> Plan:
    return Plan(target="bluesky", items=list(items))


# --- pure parts ----------------------------------------------------------------------------------------
def test_the_crafted_ids_really_collide() -> None:
    a, b = colliding_ids(T)
    assert a != b and tid.post_tid(a, T, 0) == tid.post_tid(b, T, 0)


def test_derived_keys_are_valid_distinct_deterministic_and_keep_the_time() -> None:
    source = snowflake(int(T.timestamp() * 1000) + 7)
    first = tid.post_tid(source, T, 2)
    alternates = [tid.post_tid(source, T, 2, attempt=n) for n in range(1, 1200)]
    assert all(tid.is_valid_tid(k) for k in alternates)
    assert len({first, *alternates[:1023]}) == 1024  # every clock id of the microsecond, once
    assert len(set(alternates)) > 1190  # then the sub-ms digits move too
    assert alternates == [tid.derive_key(source, T, 2, n) for n in range(1, 1200)]  # pure
    us = tid.decode_tid(first)[0]
    assert all(tid.decode_tid(k)[0] == us for k in alternates[:1023])  # same µs: the order is kept
    assert all(tid.decode_tid(k)[0] // 1000 == us // 1000 for k in alternates)  # always the same ms
    with pytest.raises(ValueError):
        tid.derive_key(source, T, 0, 0)


def test_journal_finds_a_post_by_item_and_index_across_reloads(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    with Journal(path) as journal:
        journal.intent("k1", item_id="A", index=1)
        journal.done("k1", PostRef("at://x/1", "c1"))
        journal.intent("k2", item_id="B", index=0)
        journal.intent("f", item_id="A", index=1, kind="follow")
        assert journal.find("A", 1).key == "k1" and journal.find("A", 1, "follow").key == "f"
        assert journal.find("A", 0) is None
    for _ in range(2):  # compacted file, then its fast-scanned reload (one writer at a time: the lock)
        reopened = Journal(path)
        assert reopened.find("A", 1).key == "k1" and reopened.find("B", 0).key == "k2"
        reopened.close()
    with Journal(path) as journal:  # an older version let a second post take a pending key: the slot moves
        journal.intent("k2", item_id="C", index=0)
        assert journal.find("C", 0).key == "k2" and journal.find("B", 0) is None
    with Journal(path) as journal:
        assert journal.find("C", 0).key == "k2" and journal.find("B", 0) is None
        assert journal.find("A", 1).key == "k1"


def test_colliding_posts_get_distinct_keys_in_the_dry_run_too(tmp_path: Path) -> None:
    plan = bluesky_plan(single("11", "a"), single("12", "b"))

    class SameKey(DryRunTarget):
        def post_key(self, item_id: str, index: int, source_id: str, created_at: datetime) -> str:
            return "same"

    with Journal(tmp_path / "j.toml") as journal:
        engine = Engine(plan, SameKey(0), journal, sleep=lambda s: None)
        assert engine.keys == {"11": ["same"], "12": ["same~1"]}
        assert engine.run().published == 2


# --- against the real PDS --------------------------------------------------------------------------------
class Killed(BaseException):
    """Stands for kill -9 right after the server stored a post, before the journal heard of it."""


class KillAfterWrite:
    """Delegates to the real target; dies after the write of `key` reached the PDS."""

    def __init__(self, target: BlueskyTarget, key: str) -> None:
        self.target, self.key, self.network = target, key, target.network

    def __getattr__(self, name: str):  # info, budget, find, post_key
        return getattr(self.target, name)

    def publish(self, post: PlannedPost, *, key: str, created_at: datetime, reply_to: ReplyTo | None):
        ref = self.target.publish(post, key=key, created_at=created_at, reply_to=reply_to)
        if key == self.key:
            raise Killed
        return ref


@pytest.fixture
def bluesky(test_servers: dict[str, str]) -> Iterator[tuple[BlueskyTarget, str]]:
    handle, password, did, _ = new_pds_account(test_servers)
    yield connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"], password=password), did


def test_colliding_tweets_become_two_records_and_resume_reuses_the_keys(
    bluesky: tuple[BlueskyTarget, str], test_servers: dict[str, str], tmp_path: Path
) -> None:
    target, did = bluesky
    a, b = colliding_ids(T)
    item_a, item_b = single(a, "premier tweet de la milliseconde"), single(b, "second tweet, même instant")
    path = tmp_path / "bluesky.journal.toml"

    # Run 1: the user selected only B — it takes the first key.
    with Journal(path) as journal:
        Engine(bluesky_plan(item_b), target, journal).run()
    first_key = tid.post_tid(b, T, 0)

    # Run 2: A is selected too and comes first in the plan; the journal says B holds the first key, so A
    # gets the next candidate. Killed right after A's record reached the PDS (intent, no result).
    plan = bluesky_plan(item_a, item_b)
    journal = Journal(path)
    engine = Engine(plan, KillAfterWrite(target, tid.derive_key(a, T, 0, 1)), journal)
    assert engine.keys == {a: [tid.derive_key(a, T, 0, 1)], b: [first_key]}
    with pytest.raises(Killed):
        engine.run()
    journal.close()

    # Resume: the same keys, A's intent reconciled (it landed), nothing re-sent, nothing overwritten.
    with Journal(path) as journal:
        resumed = Engine(plan, target, journal)
        assert resumed.keys == engine.keys
        report = resumed.run()
    # A's write landed in the killed run: found before anything is sent, it counts as already published.
    assert (report.published, report.already_published, report.failed) == (0, 2, [])
    records = {r["uri"].rsplit("/", 1)[-1]: r["value"]["text"] for r in list_posts(test_servers, did)}
    assert records == {first_key: item_b.posts[0].text, engine.keys[a][0]: item_a.posts[0].text}


def test_a_thread_keeps_each_tweets_own_date_and_language(
    bluesky: tuple[BlueskyTarget, str], test_servers: dict[str, str], tmp_path: Path
) -> None:
    target, did = bluesky
    times = [T, T + timedelta(minutes=4, seconds=2), T + timedelta(days=1, hours=2)]
    ids = [snowflake(int(t.timestamp() * 1000) + 321) for t in times]
    posts = [
        PlannedPost(source_id=i, text=f"fil {n} — été", created_at=t, lang=lang)
        for n, (i, t, lang) in enumerate(zip(ids, times, ["fr", "en", ""], strict=True))
    ]
    item = PlanItem(id=ids[0], kind=ItemKind.THREAD, source_ids=ids, created_at=times[0], posts=posts)
    with Journal(tmp_path / "j.toml") as journal:
        engine = Engine(bluesky_plan(item), target, journal)
        assert engine.run().published == 1
        keys = engine.keys[item.id]
    records = [get_post(test_servers, did, key)["value"] for key in keys]
    dates = [r["createdAt"] for r in records]
    assert dates == [tid.iso_created_at(t + timedelta(milliseconds=321)) for t in times]
    assert dates == sorted(set(dates))  # strictly increasing, each its own tweet's time
    assert [r.get("langs") for r in records] == [["fr"], ["en"], None]
    assert records[2]["reply"]["root"]["uri"].endswith(keys[0])
