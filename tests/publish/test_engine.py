"""Engine semantics (ARCHITECTURE.md#the-engine), against the in-process DryRunTarget with a fake clock."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from quittex_tui.convert.models import PlannedPost
from quittex_tui.errors import AuthError, ServiceError
from quittex_tui.publish.dryrun import DryRunTarget, SimulatedRateLimit
from quittex_tui.publish.engine import Engine, EngineEvent, ItemStatus, estimate_duration
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.retry import RetryPolicy
from quittex_tui.publish.target import PermanentError, PostRef, RateLimited, ReplyTo, TransientError
from tests.publish.engine_helpers import FakeClock, make_plan


def setup(tmp_path: Path, shape: list[int], **target_kw):
    clock = FakeClock()
    target = DryRunTarget(latency=0.01, sleep=clock.sleep, now=clock.now, **target_kw)
    journal = Journal(tmp_path / "s.dry-run.journal.toml")
    return clock, target, journal, make_plan(shape)


def engine_for(plan, target, journal, clock, events=None, **kw) -> Engine:
    return Engine(
        plan,
        target,
        journal,
        sleep=clock.sleep,
        now=clock.now,
        on_event=events.append if events is not None else None,
        **kw,
    )


def test_items_are_sent_oldest_first_with_threads_chained_as_replies(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 3, 2], rate_limit=None)
    events: list[EngineEvent] = []
    report = engine_for(plan, target, journal, clock, events).run()
    assert report.model_dump() == {
        "target": "dry-run",
        "published": 3,
        "already_published": 0,
        "skipped": 0,
        "failed": [],
        "remaining": 0,
        "left_out": [],
        "link_cards_missing": [],
    }
    assert [p.text for p in target.posts] == [p.text for item in plan.items for p in item.posts]
    thread = target.posts[1:4]
    assert thread[0].reply_to is None
    assert thread[1].reply_to == ReplyTo(root=thread[0].ref, parent=thread[0].ref)
    assert thread[2].reply_to == ReplyTo(root=thread[0].ref, parent=thread[1].ref)
    assert target.posts[4].reply_to is None  # a new item starts a new thread
    assert target.posts[1].created_at == plan.items[1].created_at  # original dates kept
    kinds = [e.kind for e in events]
    assert kinds.count("item_started") == 3 and kinds.count("item_sent") == 3 and kinds[-1] == "done"
    assert events[-1].progress.remaining == 0 and events[-1].progress.sent == 3


def test_write_ahead_intent_precedes_every_publish(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [2, 1], rate_limit=None)
    seen: list[str | None] = []
    original = target.publish

    def spy(post: PlannedPost, *, key: str, **kw: object) -> PostRef:
        entry = journal.get(key)
        seen.append(entry.status if entry else None)
        return original(post, key=key, **kw)  # type: ignore[arg-type]

    target.publish = spy  # type: ignore[method-assign]
    engine_for(plan, target, journal, clock).run()
    assert seen == ["intent", "intent", "intent"]
    assert all(e.status == "done" for e in journal.entries())


def test_a_second_run_reuses_what_is_done_and_sends_nothing(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [2, 1], rate_limit=None)
    engine_for(plan, target, journal, clock).run()
    journal.close()
    journal = Journal(journal.path)
    engine = engine_for(plan, target, journal, clock)
    assert set(engine.statuses().values()) == {ItemStatus.SENT}
    report = engine.run()
    assert (report.published, report.already_published, report.remaining) == (0, 2, 0)
    assert len(target.posts) == 3 and target.calls == 3


def test_an_interrupted_thread_resumes_with_the_right_root_and_parent(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [4], rate_limit=None)
    keys = [target.post_key(plan.items[0].id, i, "", plan.items[0].created_at) for i in range(4)]
    # Posts 0 and 1 were confirmed by an earlier run; post 2 has an intent whose write never landed.
    first = target.publish(
        plan.items[0].posts[0], key=keys[0], created_at=plan.items[0].created_at, reply_to=None
    )
    second = target.publish(
        plan.items[0].posts[1],
        key=keys[1],
        created_at=plan.items[0].created_at,
        reply_to=ReplyTo(first, first),
    )
    for i, (k, r) in enumerate(((keys[0], first), (keys[1], second))):
        journal.intent(k, item_id=plan.items[0].id, index=i)  # as the engine writes them
        journal.done(k, r)
    journal.intent(keys[2], item_id=plan.items[0].id, index=2)
    engine_for(plan, target, journal, clock).run()
    assert [p.key for p in target.posts] == keys
    assert target.posts[2].reply_to == ReplyTo(root=first, parent=second)
    assert target.posts[3].reply_to == ReplyTo(root=first, parent=target.posts[2].ref)
    assert target.find_calls == 1  # only the in-doubt intent was reconciled


def test_an_intent_whose_write_landed_is_reconciled_not_resent(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 1], rate_limit=None, idempotent=False)
    item = plan.items[0]
    key = target.post_key(item.id, 0, item.posts[0].source_id, item.created_at)
    journal.intent(key, item_id=item.id)
    landed = target.publish(item.posts[0], key=key, created_at=item.created_at, reply_to=None)  # then: kill
    report = engine_for(plan, target, journal, clock).run()
    # Settled before anything is sent: the landed one counts as published by the earlier (killed) run.
    assert (report.published, report.already_published) == (1, 1)
    assert [p.key for p in target.posts].count(key) == 1  # no second copy, though the server would allow one
    assert journal.get(key).ref() == landed  # type: ignore[union-attr]


def test_a_permanent_error_fails_the_item_and_the_run_goes_on(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 3, 1], rate_limit=None)
    original = target.publish
    bad_text = plan.items[1].posts[1].text

    def reject_one(post: PlannedPost, **kw: object) -> PostRef:
        if post.text == bad_text:
            raise PermanentError("Bluesky refused the post: text is longer than 300 graphemes")
        return original(post, **kw)  # type: ignore[arg-type]

    target.publish = reject_one  # type: ignore[method-assign]
    events: list[EngineEvent] = []
    engine = engine_for(plan, target, journal, clock, events)
    report = engine.run()
    assert report.published == 2 and report.remaining == 0
    assert report.failed == [
        {"item_id": plan.items[1].id, "reason": "Bluesky refused the post: text is longer than 300 graphemes"}
    ]
    assert engine.status(plan.items[1].id) == ItemStatus.FAILED
    sent = [p.text for p in target.posts]
    assert plan.items[1].posts[2].text not in sent  # later posts of the failed item are not sent
    assert plan.items[2].posts[0].text in sent  # the run went on
    assert any(e.kind == "item_failed" and "300 graphemes" in e.message for e in events)

    # A rerun keeps it failed (and says so) unless asked to retry; retrying finishes the thread.
    journal.close()
    journal = Journal(journal.path)
    again = engine_for(plan, target, journal, clock).run()
    assert again.failed == report.failed and again.published == 0
    target.publish = original  # type: ignore[method-assign]
    fixed = engine_for(plan, target, journal, clock).run(retry_failed=True)
    assert fixed.failed == [] and fixed.published == 1
    thread = [p for p in target.posts if p.text.startswith("item 1 ")]
    assert [p.text for p in thread] == [p.text for p in plan.items[1].posts]
    assert thread[2].reply_to == ReplyTo(root=thread[0].ref, parent=thread[1].ref)


def test_limit_counts_items_published_this_run(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [2, 1, 1, 3, 1], rate_limit=None)
    first = engine_for(plan, target, journal, clock).run(limit=2)
    assert (first.published, first.remaining) == (2, 3)
    second = engine_for(plan, target, journal, clock).run(limit=2)
    assert (second.published, second.already_published, second.remaining) == (2, 2, 1)
    assert [p.text for p in target.posts] == [p.text for item in plan.items[:4] for p in item.posts]


def test_stop_is_honoured_between_posts_and_loses_nothing(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [3, 1, 1], rate_limit=None)
    stop = threading.Event()
    original = target.publish

    def stop_after_two(post: PlannedPost, **kw: object) -> PostRef:
        r = original(post, **kw)  # type: ignore[arg-type]
        if len(target.posts) == 2:
            stop.set()
        return r

    target.publish = stop_after_two  # type: ignore[method-assign]
    report = engine_for(plan, target, journal, clock).run(stop=stop)
    assert len(target.posts) == 2 and report.published == 0 and report.remaining == 3
    assert sum(1 for e in journal.entries() if e.status == "done") == 2
    target.publish = original  # type: ignore[method-assign]
    rest = engine_for(plan, target, journal, clock).run()
    assert rest.published == 3 and len(target.posts) == 5


def test_transient_errors_are_retried_with_growing_backoff(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1], rate_limit=None, idempotent=False)
    original = target.publish
    failures = iter([TransientError("HTTP 502"), TransientError("timed out"), TransientError("reset")])
    calls: list[float] = []

    def flaky(post: PlannedPost, **kw: object) -> PostRef:
        calls.append(clock.now().timestamp())
        err = next(failures, None)
        if err is not None:
            raise err
        return original(post, **kw)  # type: ignore[arg-type]

    target.publish = flaky  # type: ignore[method-assign]
    events: list[EngineEvent] = []
    policy = RetryPolicy(base=2.0, cap=5.0)
    report = engine_for(plan, target, journal, clock, events, retry=policy).run()
    assert report.published == 1 and len(target.posts) == 1
    retries = [e for e in events if e.kind == "retrying"]
    assert len(retries) == 3 and "retry 2/6" in retries[0].message
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert 1.0 <= gaps[0] <= 2.0  # after try 1: between base/2 and base (equal jitter)
    assert 2.0 <= gaps[1] <= 4.0  # after try 2: doubled
    assert 2.5 <= gaps[2] <= 5.0  # after try 3: capped
    assert target.find_calls == 3  # each retry first checks whether the timed-out write landed


def test_a_lost_response_after_the_write_is_not_a_duplicate(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(
        tmp_path, [2, 2, 2], rate_limit=None, idempotent=False, lose_response_every=2
    )
    report = engine_for(plan, target, journal, clock).run()
    assert report.published == 3
    keys = [p.key for p in target.posts]
    assert len(keys) == len(set(keys)) == 6


def test_transient_failures_of_one_item_fail_it_retryably(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 1, 1], rate_limit=None)
    original = target.publish
    doomed = plan.items[1].posts[0].text

    def broken_for_one(post: PlannedPost, **kw: object) -> PostRef:
        if post.text == doomed:
            raise TransientError("HTTP 500")
        return original(post, **kw)  # type: ignore[arg-type]

    target.publish = broken_for_one  # type: ignore[method-assign]
    report = engine_for(plan, target, journal, clock, retry=RetryPolicy(max_attempts=3)).run()
    assert report.published == 2
    assert report.failed[0]["item_id"] == plan.items[1].id
    assert "kept failing" in report.failed[0]["reason"] and "3 tries" in report.failed[0]["reason"]
    target.publish = original  # type: ignore[method-assign]
    # Not the item's fault: the next run retries it without --retry-failed.
    again = engine_for(plan, target, journal, clock).run()
    assert again.published == 1 and again.failed == []


def test_a_server_down_for_the_whole_run_ends_it_without_failing_items(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 1, 1], rate_limit=None)

    def down(post: PlannedPost, **kw: object) -> PostRef:
        raise TransientError("connection refused")

    target.publish = down  # type: ignore[method-assign]
    target.find = lambda *a, **k: None  # type: ignore[method-assign,assignment]
    engine = engine_for(plan, target, journal, clock, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ServiceError) as err:
        engine.run()
    assert "keeps failing" in err.value.message and "resume" in err.value.hint
    assert all(s == ItemStatus.PLANNED for s in engine.statuses().values())
    assert not [e for e in journal.entries() if e.status == "failed"]  # state intact: nothing marked failed


def test_a_server_down_while_checking_the_account_ends_in_words(tmp_path: Path) -> None:
    """A lost journal makes the engine check the account first; a server failing then is a ServiceError
    (exit 75) saying nothing was sent — in the user's language, what to do in the front end's terms."""
    from quittex_tui import i18n

    clock, target, journal, plan = setup(tmp_path, [1, 1], rate_limit=None)

    def down() -> bool:
        raise TransientError("connection refused")

    target.has_posts = down  # type: ignore[attr-defined]
    engine = engine_for(plan, target, journal, clock, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ServiceError) as err:
        engine.run()
    assert err.value.exit_code == 75 and err.value.key == "error.engine.failing_while_checking"
    assert "connection refused" in err.value.message and "Nothing was sent" in err.value.message
    message, hint = err.value.render(front_end="cli", lang="fr")
    assert message.startswith("Le serveur simulé") and "Rien n'a été envoyé" in message
    assert "même commande" in hint
    assert "touche" not in hint and "Accounts" in err.value.render(front_end="tui", lang="en")[1]
    assert i18n.language() == "en"


def test_a_server_going_down_mid_run_stops_after_two_items(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 1, 1, 1, 1], rate_limit=None)
    original = target.publish

    def dies(post: PlannedPost, **kw: object) -> PostRef:
        if len(target.posts) >= 2:
            raise TransientError("HTTP 503")
        return original(post, **kw)  # type: ignore[arg-type]

    target.publish = dies  # type: ignore[method-assign]
    engine = engine_for(plan, target, journal, clock, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ServiceError):
        engine.run()
    statuses = list(engine.statuses().values())
    assert statuses[:2] == [ItemStatus.SENT, ItemStatus.SENT]
    assert statuses[2] == ItemStatus.FAILED and statuses[3:] == [ItemStatus.PLANNED, ItemStatus.PLANNED]


def test_auth_errors_end_the_run_with_the_journal_intact(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 1], rate_limit=None)
    original = target.publish

    def revoked(post: PlannedPost, **kw: object) -> PostRef:
        if target.posts:
            raise AuthError("the Bluesky session was revoked", "log in again")
        return original(post, **kw)  # type: ignore[arg-type]

    target.publish = revoked  # type: ignore[method-assign]
    with pytest.raises(AuthError):
        engine_for(plan, target, journal, clock).run()
    journal.close()
    reloaded = Journal(journal.path)
    statuses = sorted(e.status for e in reloaded.entries())
    assert statuses == ["done", "intent"]


def test_a_429_waits_until_the_reset_and_says_until_when(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1] * 12, rate_limit=SimulatedRateLimit(30, 60, 3))
    # Another client of the account used the budget: the first write meets a 429.
    target._used = 30
    target._window_start = (clock.now().timestamp() // 60) * 60
    reset = target._window_start + 60
    events: list[EngineEvent] = []
    report = engine_for(plan, target, journal, clock, events).run()
    assert report.published == 12
    waiting = [e for e in events if e.kind == "waiting"]
    assert waiting and "rate limited" in waiting[0].message
    assert waiting[0].progress.waiting_until is not None
    assert waiting[0].progress.waiting_until.timestamp() == pytest.approx(reset + 1.0)
    assert target.posts[0].written_at.timestamp() >= reset  # nothing sent before the reset


def test_unexpected_target_exceptions_become_readable_failures(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 1], rate_limit=None)
    original = target.publish

    def buggy(post: PlannedPost, **kw: object) -> PostRef:
        if not target.posts:
            return original(post, **kw)  # type: ignore[arg-type]
        raise ValueError("weird library error")

    target.publish = buggy  # type: ignore[method-assign]
    report = engine_for(plan, target, journal, clock, retry=RetryPolicy(max_attempts=2)).run()
    assert report.failed and "ValueError: weird library error" in report.failed[0]["reason"]


def test_progress_eta_and_pending_counts(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [2, 1, 1], rate_limit=None)
    engine = engine_for(plan, target, journal, clock)
    assert engine.pending_posts() == (3, 4)
    events: list[EngineEvent] = []
    engine.on_event = events.append
    engine.run(limit=1)
    assert engine.pending_posts() == (2, 2)
    sent = [e for e in events if e.kind == "item_sent"]
    assert sent[0].progress.eta_seconds is not None and sent[0].progress.eta_seconds >= 0


def test_estimates_follow_the_documented_limits() -> None:
    assert estimate_duration(0, "bluesky") == timedelta(0)
    # putRecord costs 2 of the 5,000 points an hour and 35,000 a day
    assert estimate_duration(2500, "bluesky") == timedelta(hours=1)
    assert estimate_duration(17_500, "bluesky") == timedelta(days=1)
    assert estimate_duration(50_000, "bluesky") > timedelta(days=2)
    assert estimate_duration(2400, "mastodon") == timedelta(days=1)
    assert estimate_duration(50_000, "mastodon") > timedelta(days=20)
    assert estimate_duration(100, "mastodon", n_media=120) == timedelta(hours=2)  # media budget dominates


def test_the_engine_handles_a_target_that_fails_every_nth_post(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1] * 9, rate_limit=None, fail_every=3)
    report = engine_for(plan, target, journal, clock).run()
    assert report.published == 6 and len(report.failed) == 3
    assert all("simulated rejection" in f["reason"] for f in report.failed)


def test_limit_counts_attempted_items_not_successes(tmp_path: Path) -> None:
    """A server refusing every write: `limit=3` tries three items, not the whole plan."""
    clock, target, journal, plan = setup(tmp_path, [1] * 8, rate_limit=None, fail_every=1)
    report = engine_for(plan, target, journal, clock).run(limit=3)
    assert (len(report.failed), report.published, report.remaining) == (3, 0, 5)
    assert target.calls == 3


def test_a_lost_journal_is_reconciled_with_the_server_before_anything_is_sent(tmp_path: Path) -> None:
    clock, target, journal, plan = setup(tmp_path, [1, 3, 2], rate_limit=None, idempotent=False)
    engine_for(plan, target, journal, clock).run(limit=2)
    journal.close()
    journal.path.unlink()  # deleted: the next run knows nothing
    journal = Journal(journal.path)
    events: list[EngineEvent] = []
    engine = engine_for(plan, target, journal, clock, events)
    engine.prepare()
    assert engine.pending_posts() == (1, 2) and engine.adopted == 4  # counted after the check, truly
    report = engine.run()
    assert (report.published, report.already_published, report.remaining) == (1, 2, 0)
    keys = [p.key for p in target.posts]
    assert len(keys) == len(set(keys)) == 6  # nothing twice, though this server would take duplicates
    assert any(e.kind == "checking" for e in events)


def test_a_stop_during_a_long_rate_limit_wait_is_seen_at_once(tmp_path: Path) -> None:
    """The engine's waits are cut in slices: an hour-long wait ends as soon as a stop is asked."""
    clock, target, journal, plan = setup(tmp_path, [1, 1], rate_limit=None)
    stop = threading.Event()
    slices: list[float] = []

    def sleep(seconds: float) -> None:
        slices.append(seconds)
        if len(slices) == 3:
            stop.set()  # the user presses Stop while the run waits
        clock.sleep(seconds)

    def limited(post: PlannedPost, **kw: object) -> PostRef:
        raise RateLimited(clock.now() + timedelta(hours=1))

    target.publish = limited  # type: ignore[method-assign]
    engine = Engine(plan, target, journal, sleep=sleep, now=clock.now)
    report = engine.run(stop=stop)
    assert report.remaining == 2 and report.failed == []
    assert len(slices) <= 4 and max(slices) <= 0.5  # never one long sleep
