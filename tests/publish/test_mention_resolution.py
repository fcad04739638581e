"""Written handles (atproto Handle grammar) become mentions on the real PDS, and a resolution that cannot
reach the network leaves plain text without failing the post (docs/bluesky.md#rich-text-facets, issue 13)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from quittex_tui.convert import bluesky
from quittex_tui.convert.models import PlannedPost
from quittex_tui.convert.text import CleanText, find_spans
from quittex_tui.publish import connect
from quittex_tui.publish.bluesky import HeaderCapturingRequest
from tests.publish.target_helpers import get_post, new_pds_account
from tests.publish.test_bluesky_target import Account, Fault, FaultTransport, publish


@pytest.fixture
def me(test_servers: dict[str, str]) -> Iterator[Account]:
    handle, password, did, _ = new_pds_account(test_servers)
    transport = FaultTransport()
    request = HeaderCapturingRequest(timeout=30, transport=transport)
    target = connect.connect_bluesky(
        handle, service=test_servers["QTX_PDS_URL"], password=password, request=request
    )
    yield Account(handle, password, did, target, transport)


def hyphenated_account(env: dict[str, str]) -> tuple[str, str]:
    handle = f"ab-{uuid.uuid4().hex[:6]}.test"
    res = httpx.post(
        f"{env['QTX_PDS_URL']}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": "pw-" + handle},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    return handle, res.json()["did"]


def planned(text: str) -> PlannedPost:
    [draft] = bluesky.bluesky_posts(CleanText(text, find_spans(text)))
    return PlannedPost(
        source_id="1700000000000000001",
        text=draft.text,
        facets=draft.facets,
        mention_candidates=draft.mention_candidates,
    )


def test_a_hyphenated_handle_becomes_a_mention_with_its_did(
    me: Account, test_servers: dict[str, str]
) -> None:
    handle, did = hyphenated_account(test_servers)
    post = planned(f"Merci @{handle}. Et @nobody-here.test, @bob_x.")
    assert [c.handle for c in post.mention_candidates] == [handle, "nobody-here.test", "bob_x"]
    key, _ = publish(me.target, post, "m1")
    record = get_post(test_servers, me.did, key)["value"]
    start = record["text"].encode().index(f"@{handle}".encode())
    mentions = [(f["index"], f["features"][0]["did"]) for f in record["facets"]]
    assert mentions == [({"byteStart": start, "byteEnd": start + len(handle) + 1}, did)]


def test_a_resolution_that_cannot_reach_the_network_leaves_plain_text(
    me: Account, test_servers: dict[str, str]
) -> None:
    handle, _ = hyphenated_account(test_servers)
    me.transport.faults.append(Fault("com.atproto.identity.resolveHandle", 0, count=10, network_error=True))
    key, _ = publish(me.target, planned(f"Bonjour @{handle} !"), "m2")
    record = get_post(test_servers, me.did, key)["value"]
    assert record["text"] == f"Bonjour @{handle} !" and "facets" not in record
