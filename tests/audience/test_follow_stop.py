"""A follow run waiting on a rate limit sees a stop within a second
(ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 11, ARCHITECTURE.md#the-engine, issue 15 "one wait
policy").

Against the real mastodon-mock, through the fault proxy: the follow write gets a 429 whose reset is an hour
away. The run announces the wait, the user stops it, and it returns at once — the journal holds the
intent, nothing else. Resumed without the fault, the account is followed exactly once.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from quittex_tui.audience.candidates import MastodonFinder
from quittex_tui.audience.follows import FollowEvent, MastodonAudience, Task
from quittex_tui.publish import connect
from quittex_tui.publish.journal import Journal
from tests.audience.netutil import mastodon_user
from tests.publish.fault_proxy import ProxyRequest, fault_proxy

pytestmark = pytest.mark.servers


def test_a_stop_during_an_hour_long_rate_limit_wait_is_seen_within_a_second(
    test_servers: dict[str, str], tmp_path: Path
) -> None:
    base = test_servers["QTX_MASTODON_URL"]
    me = mastodon_user(base, "u" + uuid.uuid4().hex[:10])
    them = mastodon_user(base, "f" + uuid.uuid4().hex[:10])
    limited = {"on": True}

    def rule(req: ProxyRequest) -> str:
        follow = req.method == "POST" and req.path.endswith("/follow")
        return "rate:3600" if follow and limited["on"] else "pass"

    task = Task("follow", "x-1", them["acct"], them["acct"])
    path = tmp_path / "m.mastodon.journal.toml"
    with fault_proxy(base, rule) as proxy:
        target = connect.connect_mastodon(proxy.url, token=me["token"])
        finder = MastodonFinder(target.api)
        stop = threading.Event()
        events: list[FollowEvent] = []
        waiting = threading.Event()

        def on_event(event: FollowEvent) -> None:
            events.append(event)
            if event.kind == "waiting":
                waiting.set()

        out: dict[str, object] = {}
        with Journal(path) as journal:
            runner = MastodonAudience(target.api, journal, lookup=finder.lookup, on_event=on_event, stop=stop)
            worker = threading.Thread(target=lambda: out.update(report=runner.run([task])), daemon=True)
            worker.start()
            assert waiting.wait(30), "the run never said it was waiting"
            wait_event = next(e for e in events if e.kind == "waiting")
            assert wait_event.waiting_until is not None
            assert wait_event.waiting_until.timestamp() - time.time() > 3000  # the reset the server gave
            asked = time.monotonic()
            stop.set()
            worker.join(timeout=5)
            assert not worker.is_alive() and time.monotonic() - asked < 1.5
            report = out["report"]
            assert report.followed == 0 and report.remaining == 1  # type: ignore[attr-defined]
            entry = journal.get(task.key)
            assert entry is not None and entry.status == "intent"  # kept for the next run, nothing invented

        limited["on"] = False  # resumed later (a new process: a new client)
        target = connect.connect_mastodon(proxy.url, token=me["token"])
        with Journal(path) as journal:
            finder = MastodonFinder(target.api)
            again = MastodonAudience(target.api, journal, lookup=finder.lookup).run([task])
        assert again.followed == 1 and again.failed == []
    following = httpx.get(
        f"{base}/api/v1/accounts/{me['id']}/following",
        headers={"Authorization": f"Bearer {me['token']}"},
        timeout=10,
    ).json()
    assert [a["acct"] for a in following] == [them["acct"]]
