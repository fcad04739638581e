"""MastodonTarget against the real mastodon-mock server (tests/servers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from quittex_tui.convert.models import PlannedMedia, PlannedPost
from quittex_tui.publish import connect
from quittex_tui.publish.mastodon import MastodonTarget, html_to_text, normalize_text
from quittex_tui.publish.target import PermanentError, PublishTarget, RateLimited, ReplyTo, TransientError
from tests.publish.target_helpers import (
    add_mastodon_fault,
    clear_mastodon_faults,
    image,
    new_mastodon_user,
)

CREATED = datetime(2016, 5, 1, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def target(test_servers: dict[str, str]) -> Iterator[MastodonTarget]:
    _, token = new_mastodon_user(test_servers)
    yield connect.connect_mastodon(test_servers["QTX_MASTODON_URL"], token=token)
    clear_mastodon_faults(test_servers)


def own_statuses(env: dict[str, str], target: MastodonTarget) -> list[dict]:
    res = httpx.get(
        f"{env['QTX_MASTODON_URL']}/api/v1/accounts/{target.account['id']}/statuses",
        params={"limit": 40},
        headers={"Authorization": f"Bearer {target.api.access_token}"},
    )
    assert res.status_code == 200
    return res.json()


def send(
    target: MastodonTarget, post: PlannedPost, item: str, index: int = 0, reply_to: ReplyTo | None = None
):
    key = target.post_key(item, index, post.source_id, CREATED)
    return key, target.publish(post, key=key, created_at=CREATED, reply_to=reply_to)


def test_info_reads_the_instance_limits(target: MastodonTarget) -> None:
    assert isinstance(target, PublishTarget)
    info = target.info()
    # values from the mock's /api/v2/instance
    assert (info.max_chars, info.max_media) == (500, 4)
    assert (info.image_max_bytes, info.video_max_bytes) == (10_485_760, 41_943_040)
    assert info.handle.startswith(target.acct + "@") and not info.supports_backdating


def test_thread_with_media_unlisted_round_trip(
    target: MastodonTarget, test_servers: dict[str, str], tmp_path: Path
) -> None:
    pic = image(tmp_path / "p.png", 120, 80).model_copy(update={"alt": "un chat endormi"})
    first = PlannedPost(
        source_id="11", text="Première — été ✨ https://example.org/a?b=1&c=2", media=[pic], lang="fr"
    )
    second = PlannedPost(source_id="12", text="Suite du fil 🧵\n\nDeuxième paragraphe")
    _, r1 = send(target, first, "thread-1")
    _, r2 = send(target, second, "thread-1", 1, ReplyTo(root=r1, parent=r1))

    statuses = {s["id"]: s for s in own_statuses(test_servers, target)}
    assert set(statuses) == {r1.uri, r2.uri}
    s1, s2 = statuses[r1.uri], statuses[r2.uri]
    assert s2["in_reply_to_id"] == r1.uri
    assert {s1["visibility"], s2["visibility"]} == {"unlisted"}
    assert normalize_text(html_to_text(s1["content"])) == normalize_text(first.text)
    assert html_to_text(s2["content"]) == second.text
    assert [(m["type"], m["description"]) for m in s1["media_attachments"]] == [("image", "un chat endormi")]
    assert s1["language"] == "fr"  # the tweet's language travels with the status
    assert r1.url and r1.cid == r1.uri


def test_same_idempotency_key_twice_is_one_status(
    target: MastodonTarget, test_servers: dict[str, str]
) -> None:
    post = PlannedPost(source_id="21", text="une seule fois")
    key, a = send(target, post, "item-2")
    _, b = send(target, post, "item-2")
    assert a == b
    assert [s["id"] for s in own_statuses(test_servers, target)] == [a.uri]
    # the key is a pure function of the item/post and differs between posts
    assert key == target.post_key("item-2", 0, "21", CREATED + timedelta(days=1))
    assert key != target.post_key("item-2", 1, "21", CREATED)


def test_visibility_option(test_servers: dict[str, str]) -> None:
    _, token = new_mastodon_user(test_servers)
    public = connect.connect_mastodon(test_servers["QTX_MASTODON_URL"], token=token, visibility="public")
    _, ref = send(public, PlannedPost(source_id="31", text="en public"), "item-3")
    assert public.api.status(ref.uri)["visibility"] == "public"


def test_too_long_is_permanent(target: MastodonTarget, test_servers: dict[str, str]) -> None:
    # counted like Mastodon (graphemes, URLs as 23) before sending
    with pytest.raises(PermanentError, match="501 characters"):
        send(target, PlannedPost(source_id="41", text="é" * 501), "item-4")
    # the mock counts code points and URLs in full: 470 + an 80-char URL passes our count but gets 422
    text = "y" * 470 + " https://example.com/" + "a" * 60
    with pytest.raises(PermanentError, match="422"):
        send(target, PlannedPost(source_id="42", text=text), "item-5")
    assert own_statuses(test_servers, target) == []


def test_media_202_is_polled_until_processed(
    target: MastodonTarget, test_servers: dict[str, str], tmp_path: Path
) -> None:
    # A real Mastodon answers 202 with url null while processing. Make the mock do that for one upload:
    # the 202 body names a real (already processed) attachment, whose GET /api/v1/media/:id has its url.
    ready = target.api.media_post(str(image(tmp_path / "r.png", 20, 20).path), mime_type="image/png")
    add_mastodon_fault(
        test_servers,
        {
            "match": {"methods": ["POST"], "path": "/api/v2/media"},
            "effect": {"type": "status", "status": 202, "body": {**ready, "url": None, "preview_url": None}},
            "count": 1,
        },
    )
    sleeps: list[float] = []
    target._sleep = sleeps.append
    _, ref = send(
        target,
        PlannedPost(source_id="51", text="vidéo traitée", media=[image(tmp_path / "v.png", 20, 20)]),
        "item-6",
    )
    assert sleeps  # it waited before polling
    assert [m["id"] for m in target.api.status(ref.uri)["media_attachments"]] == [str(ready["id"])]


def test_media_over_the_instance_limit_is_permanent(target: MastodonTarget, tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(os.urandom(10_485_761))
    media = PlannedMedia(path=str(big), kind="image", bytes=big.stat().st_size, width=1, height=1)
    with pytest.raises(PermanentError, match="10,485,760"):
        send(target, PlannedPost(source_id="61", text="trop lourd", media=[media]), "item-7")


def test_rate_limit_and_server_errors_are_classified(
    target: MastodonTarget, test_servers: dict[str, str]
) -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=4)).timestamp())
    add_mastodon_fault(
        test_servers,
        {
            "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
            "effect": {
                "type": "ratelimit",
                "headers": {"X-RateLimit-Reset": str(reset), "X-RateLimit-Limit": "300"},
            },
            "count": 1,
        },
    )
    post = PlannedPost(source_id="71", text="patience")
    with pytest.raises(RateLimited) as limited:
        send(target, post, "item-8")
    assert limited.value.reset_at == datetime.fromtimestamp(reset, tz=UTC)
    budget = target.budget()
    assert (budget.limit, budget.remaining) == (300, 0)

    for status in (500, 503):
        add_mastodon_fault(
            test_servers,
            {
                "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
                "effect": {"type": "status", "status": status},
                "count": 1,
            },
        )
        with pytest.raises(TransientError):
            send(target, post, "item-8")
    _, ref = send(target, post, "item-8")
    assert [s["id"] for s in own_statuses(test_servers, target)] == [ref.uri]


def test_find_inside_the_window_lets_the_key_dedupe(target: MastodonTarget) -> None:
    post = PlannedPost(source_id="81", text="dans la fenêtre")
    key, _ = send(target, post, "item-9")
    # inside the server's 1 h window the engine re-sends with the same key: find says "not known"
    assert target.find(key, post, CREATED, datetime.now(UTC) - timedelta(minutes=5)) is None


def test_find_after_the_window_reconciles_from_own_statuses(
    target: MastodonTarget, test_servers: dict[str, str], tmp_path: Path
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    pic = image(tmp_path / "x.png", 10, 10)
    posted = PlannedPost(
        source_id="91", text="Le **texte** & <balises> https://example.org/x\n\nfin", media=[pic]
    )
    key, ref = send(target, posted, "item-10")
    later = datetime.now(UTC) + timedelta(hours=2)
    target._now = lambda: later
    assert target.find(key, posted, CREATED, intent_at=datetime.now(UTC) - timedelta(minutes=1)) == ref
    # same text without its media, or a text never sent → not there
    assert target.find(key, posted.model_copy(update={"media": []}), CREATED, long_ago) is None
    never = PlannedPost(source_id="92", text="jamais envoyé")
    assert target.find(target.post_key("item-11", 0, "92", CREATED), never, CREATED, long_ago) is None
    # a post older than the intent is not mistaken for it
    assert target.find(key, posted, CREATED, intent_at=datetime.now(UTC) + timedelta(minutes=30)) is None


def test_html_to_text_keeps_links_and_paragraphs() -> None:
    content = (
        '<p>Salut &amp; merci <a href="https://example.org/long/path"><span class="invisible">https://'
        '</span><span class="ellipsis">example.org/long</span><span class="invisible">/path</span></a>'
        "<br />ligne 2</p><p>para 2</p>"
    )
    assert html_to_text(content) == "Salut & merci https://example.org/long/path\nligne 2\n\npara 2"


@pytest.mark.parametrize("form", ["iso", "epoch"])
def test_a_bare_429_waits_as_the_reset_header_says_not_five_minutes(
    target: MastodonTarget, test_servers: dict[str, str], tmp_path: Path, form: str
) -> None:
    """Mastodon.py raises MastodonRatelimitError itself on a 429; the reset still comes from the server."""
    from quittex_tui.publish.engine import Engine
    from quittex_tui.publish.journal import Journal
    from quittex_tui.publish.mastodon import RateHeaderLog
    from tests.publish.engine_helpers import make_plan

    def rate_limit_once(seconds: float) -> datetime:
        reset = datetime.now(UTC) + timedelta(seconds=seconds)
        value = (
            reset.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if form == "iso"
            else str(int(reset.timestamp()) + 1)
        )
        effect = {"type": "ratelimit", "headers": {"X-RateLimit-Reset": value}}
        add_mastodon_fault(
            test_servers,
            {"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": effect, "count": 1},
        )
        return reset

    target.info()
    reset = rate_limit_once(2)
    with pytest.raises(RateLimited) as limited:
        send(target, PlannedPost(source_id="71", text="une seconde"), "item-8")
    # Not the 5-minute fallback: the header's time, up to ~1 s later (the Date header's whole seconds).
    assert -0.5 <= (limited.value.reset_at - reset).total_seconds() < 2.5

    target.headers = RateHeaderLog()  # a hook that saw nothing: Mastodon.py's own reading still answers
    reset = rate_limit_once(2)
    with pytest.raises(RateLimited) as limited:
        send(target, PlannedPost(source_id="72", text="deux secondes"), "item-9")
    assert -0.5 <= (limited.value.reset_at - reset).total_seconds() < 2.5

    # Through the engine: it waits about 2 s (+ the pacer's margin), then the post goes out once.
    rate_limit_once(2)
    plan = make_plan([1], target="mastodon")
    with Journal(tmp_path / "j.toml") as journal:
        started = datetime.now(UTC)
        report = Engine(plan, target, journal).run()
        waited = (datetime.now(UTC) - started).total_seconds()
    assert report.published == 1 and 1.0 <= waited < 10
