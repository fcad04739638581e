"""BlueskyTarget against the real local PDS (tests/servers.py): records, threads, images, idempotency."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from quittex_tui.convert.models import MentionCandidate, PlannedMedia, PlannedPost
from quittex_tui.publish import connect, secrets, tid
from quittex_tui.publish.bluesky import BlueskyTarget, HeaderCapturingRequest
from quittex_tui.publish.target import PermanentError, PublishTarget, RateLimited, ReplyTo, TransientError
from tests.publish.target_helpers import get_post, image, list_posts, new_pds_account, snowflake

CREATED = datetime(2012, 3, 4, 5, 6, 7, tzinfo=UTC)


def facet(text: str, shown: str, feature: dict) -> dict:
    start = text.encode().index(shown.encode())
    return {"index": {"byteStart": start, "byteEnd": start + len(shown.encode())}, "features": [feature]}


@dataclass
class Fault:
    nsid: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1
    network_error: bool = False


class FaultTransport(httpx.HTTPTransport):
    """In front of the real PDS: inject answers for chosen XRPC methods, add headers to real ones."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[Fault] = []
        self.add_headers: dict[str, dict[str, str]] = {}
        self.calls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.rsplit("/", 1)[-1]
        self.calls.append(nsid)
        for fault in self.faults:
            if fault.nsid == nsid and fault.count > 0:
                fault.count -= 1
                if fault.network_error:
                    raise httpx.ConnectError("connection reset by peer (injected)", request=request)
                return httpx.Response(
                    fault.status,
                    headers={"content-type": "application/json", **fault.headers},
                    content=json.dumps({"error": "Injected", "message": f"injected {fault.status}"}).encode(),
                    request=request,
                )
        response = super().handle_request(request)
        for name, value in self.add_headers.get(nsid, {}).items():
            response.headers[name] = value
        return response


@dataclass
class Account:
    handle: str
    password: str
    did: str
    target: BlueskyTarget
    transport: FaultTransport


@pytest.fixture
def account(test_servers: dict[str, str]) -> Iterator[Account]:
    handle, password, did, _ = new_pds_account(test_servers)
    transport = FaultTransport()
    request = HeaderCapturingRequest(timeout=30, transport=transport)
    target = connect.connect_bluesky(
        handle, service=test_servers["QTX_PDS_URL"], password=password, request=request
    )
    yield Account(handle, password, did, target, transport)


def publish(
    target: BlueskyTarget,
    post: PlannedPost,
    item: str,
    index: int = 0,
    reply_to: ReplyTo | None = None,
    created_at: datetime = CREATED,
):
    key = target.post_key(item, index, post.source_id, created_at)
    return key, target.publish(post, key=key, created_at=created_at, reply_to=reply_to)


def test_is_a_publish_target(account: Account) -> None:
    assert isinstance(account.target, PublishTarget)
    info = account.target.info()
    # docs/bluesky.md#video, issue 12
    assert info.network == "bluesky" and info.supports_backdating and info.supports_video
    assert info.extra["did"] == account.did == account.target.did


def test_post_with_link_and_tag_facets_images_and_original_date(
    account: Account, test_servers: dict[str, str], tmp_path: Path
) -> None:
    text = "Première publication — été ✨ example.org/long… #archive"
    facets = [
        facet(
            text,
            "example.org/long…",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/long/path?q=1"},
        ),
        facet(text, "#archive", {"$type": "app.bsky.richtext.facet#tag", "tag": "archive"}),
    ]
    media = [image(tmp_path / "a.png", 640, 480), image(tmp_path / "b.png", 300, 600, (10, 200, 30))]
    media[0] = media[0].model_copy(update={"alt": "carré rose"})
    media[1] = media[1].model_copy(update={"alt": "un bâton vert"})
    post = PlannedPost(source_id="1001", text=text, facets=facets, media=media)
    key, ref = publish(account.target, post, "item-1")
    assert ref.uri == f"at://{account.did}/app.bsky.feed.post/{key}" and tid.is_valid_tid(key)

    got = get_post(test_servers, account.did, key)
    value = got["value"]
    assert got["cid"] == ref.cid
    assert value["text"] == text
    assert value["createdAt"] == "2012-03-04T05:06:07.000Z"
    assert value["facets"] == facets
    images = value["embed"]["images"]
    assert value["embed"]["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in images] == ["carré rose", "un bâton vert"]
    assert [i["aspectRatio"] for i in images] == [
        {"width": 640, "height": 480},
        {"width": 300, "height": 600},
    ]
    assert [i["image"]["mimeType"] for i in images] == ["image/png", "image/png"]
    assert images[0]["image"]["size"] == Path(media[0].path).stat().st_size
    # the blob round-trips byte for byte
    blob = httpx.get(
        f"{test_servers['QTX_PDS_URL']}/xrpc/com.atproto.sync.getBlob",
        params={"did": account.did, "cid": images[0]["image"]["ref"]["$link"]},
    )
    assert blob.content == Path(media[0].path).read_bytes()


def test_thread_reply_refs_round_trip(account: Account, test_servers: dict[str, str]) -> None:
    base = int(datetime(2019, 6, 1, 12, 0, 0, tzinfo=UTC).timestamp() * 1000)
    first = PlannedPost(source_id=snowflake(base + 120), text="Un fil 🧵 1/2")
    second = PlannedPost(source_id=snowflake(base + 95_000), text="… et la suite 2/2")
    created = datetime(2019, 6, 1, 12, 0, 0, tzinfo=UTC)
    k1, r1 = publish(account.target, first, "thread-1", 0, created_at=created)
    k2, r2 = publish(account.target, second, "thread-1", 1, ReplyTo(root=r1, parent=r1), created_at=created)
    assert k1 < k2  # keys sort like the thread

    records = {r["uri"]: r["value"] for r in list_posts(test_servers, account.did)}
    assert set(records) == {r1.uri, r2.uri}
    reply = records[r2.uri]["reply"]
    assert reply == {"root": {"uri": r1.uri, "cid": r1.cid}, "parent": {"uri": r1.uri, "cid": r1.cid}}
    # each post carries its own tweet's time (from the snowflake id), not only the item's
    assert records[r1.uri]["createdAt"] == "2019-06-01T12:00:00.120Z"
    assert records[r2.uri]["createdAt"] == "2019-06-01T12:01:35.000Z"


def test_republishing_the_same_key_creates_no_duplicate(
    account: Account, test_servers: dict[str, str], tmp_path: Path
) -> None:
    post = PlannedPost(source_id="2002", text="une seule fois", media=[image(tmp_path / "c.png", 32, 32)])
    key, first = publish(account.target, post, "item-2")
    _, again = publish(account.target, post, "item-2")
    # a resumed run: a new connection (reusing the stored session) re-sends the same item
    resumed = connect.connect_bluesky(account.handle, service=test_servers["QTX_PDS_URL"])
    _, third = publish(resumed, post, "item-2")
    assert first == again == third and first.uri.endswith("/" + key)
    records = list_posts(test_servers, account.did)
    assert [r["uri"] for r in records] == [first.uri]


def test_find_before_and_after_publishing(account: Account) -> None:
    post = PlannedPost(source_id="3003", text="est-ce publié ?")
    key = account.target.post_key("item-3", 0, post.source_id, CREATED)
    now = datetime.now(UTC)
    assert account.target.find(key, post, CREATED, now) is None
    ref = account.target.publish(post, key=key, created_at=CREATED, reply_to=None)
    assert account.target.find(key, post, CREATED, now) == ref


def test_a_damaged_video_fails_alone_and_nothing_is_uploaded(
    account: Account, test_servers: dict[str, str], tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))  # an ftyp box, then garbage
    video = PlannedMedia(
        path=str(clip),
        kind="video",
        bytes=clip.stat().st_size,
        width=640,
        height=360,
        mime="video/mp4",
        duration_s=3.0,
    )
    with pytest.raises(PermanentError) as err:
        publish(account.target, PlannedPost(source_id="4004", text="une vidéo", media=[video]), "item-4")
    assert "clip.mp4 is not a valid MP4 video" in err.value.reason
    assert "nothing was uploaded" in err.value.reason
    # the next item goes through; nothing of the video post was written, no blob was uploaded
    _, ref = publish(account.target, PlannedPost(source_id="4005", text="la suite"), "item-5")
    assert [r["uri"] for r in list_posts(test_servers, account.did)] == [ref.uri]
    res = httpx.get(
        f"{test_servers['QTX_PDS_URL']}/xrpc/com.atproto.sync.listBlobs",
        params={"did": account.did},
        timeout=30,
    )
    assert res.json()["cids"] == []


def test_invalid_record_is_permanent_with_the_servers_reason(account: Account, tmp_path: Path) -> None:
    with pytest.raises(PermanentError) as err:
        publish(account.target, PlannedPost(source_id="5005", text="é" * 301), "item-6")
    assert "InvalidRequest" in err.value.reason and "300" in err.value.reason
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + os.urandom(1_000_001))
    media = PlannedMedia(path=str(big), kind="image", bytes=big.stat().st_size, width=10, height=10)
    with pytest.raises(PermanentError, match="1,000,000"):
        publish(account.target, PlannedPost(source_id="5006", text="trop lourd", media=[media]), "item-7")
    missing = media.model_copy(update={"path": str(tmp_path / "gone.png")})
    with pytest.raises(PermanentError, match="missing"):
        publish(account.target, PlannedPost(source_id="5007", text="absente", media=[missing]), "item-8")


def test_mentions_resolve_only_exact_handles(account: Account, test_servers: dict[str, str]) -> None:
    friend, _, friend_did, _ = new_pds_account(test_servers)
    text = f"Merci @{friend} et @journaliste et @nobody-here.test !"

    def cand(handle: str) -> MentionCandidate:
        start = text.encode().index(f"@{handle}".encode())
        return MentionCandidate(handle=handle, byte_start=start, byte_end=start + len(f"@{handle}".encode()))

    post = PlannedPost(
        source_id="6006",
        text=text,
        mention_candidates=[cand(friend), cand("journaliste"), cand("nobody-here.test")],
    )
    key, _ = publish(account.target, post, "item-9")
    value = get_post(test_servers, account.did, key)["value"]
    assert value["text"] == text
    mentions = [f for f in value["facets"] if f["features"][0]["$type"] == "app.bsky.richtext.facet#mention"]
    assert [m["features"][0]["did"] for m in mentions] == [friend_did]
    assert (
        text.encode()[mentions[0]["index"]["byteStart"] : mentions[0]["index"]["byteEnd"]]
        == f"@{friend}".encode()
    )


def test_rate_headers_are_captured_and_429_500_resets_are_classified(
    account: Account, test_servers: dict[str, str]
) -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=7)).timestamp())
    account.transport.add_headers["com.atproto.repo.putRecord"] = {
        "RateLimit-Limit": "5000",
        "RateLimit-Remaining": "4997",
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": "5000;w=3600",
    }
    _, ref = publish(account.target, PlannedPost(source_id="7001", text="budget"), "item-10")
    budget = account.target.budget()
    # putRecord costs 2 points (docs/bluesky.md "Rate limits")
    assert (budget.limit, budget.remaining, budget.cost_per_post) == (5000, 4997, 2)
    assert budget.reset_at == datetime.fromtimestamp(reset, tz=UTC)
    assert account.target.info().extra["rate_policy"] == "5000;w=3600"

    post = PlannedPost(source_id="7002", text="limité")
    account.transport.faults.append(
        Fault(
            "com.atproto.repo.putRecord",
            429,
            {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
        )
    )
    with pytest.raises(RateLimited) as limited:
        publish(account.target, post, "item-11")
    assert limited.value.reset_at == datetime.fromtimestamp(reset, tz=UTC)
    assert account.target.budget().remaining == 0

    account.transport.faults.append(Fault("com.atproto.repo.putRecord", 502))
    with pytest.raises(TransientError):
        publish(account.target, post, "item-11")
    account.transport.faults.append(Fault("com.atproto.repo.putRecord", 500))
    with pytest.raises(TransientError):
        publish(account.target, post, "item-11")
    account.transport.faults.append(Fault("com.atproto.repo.putRecord", 0, network_error=True))
    with pytest.raises(TransientError):
        publish(account.target, post, "item-11")
    account.transport.faults.append(Fault("com.atproto.repo.putRecord", 413))
    with pytest.raises(PermanentError, match="413"):
        publish(account.target, post, "item-11")
    # after the faults, the same item goes through exactly once
    _, ok = publish(account.target, post, "item-11")
    assert sorted(r["uri"] for r in list_posts(test_servers, account.did)) == sorted([ref.uri, ok.uri])


def _tamper(jwt: str) -> str:
    head, payload, sig = jwt.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[0] ^= 0xFF
    return ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def test_rejected_access_token_is_refreshed_once_and_persisted(account: Account) -> None:
    session = account.target.client._session
    assert session is not None
    before = secrets.load_secrets(secrets.bluesky_key(account.handle))["session"]
    session.access_jwt = _tamper(session.access_jwt)  # still unexpired for the SDK, refused by the PDS
    account.transport.calls.clear()
    _, ref = publish(account.target, PlannedPost(source_id="8008", text="après rafraîchissement"), "item-12")
    assert ref.uri.endswith(account.target.post_key("item-12", 0, "8008", CREATED))
    assert "com.atproto.server.refreshSession" in account.transport.calls
    assert "com.atproto.server.createSession" not in account.transport.calls
    after = secrets.load_secrets(secrets.bluesky_key(account.handle))["session"]
    assert after != before  # the refreshed tokens were saved for the next run
