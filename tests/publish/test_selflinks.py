"""The text surgery of the link stage (publish/selflinks.py), offline: facets and mention offsets stay
exact (byte slices equal to what they mark), a rewritten post still fits its network, an unpublished target
changes nothing; and the Audience matches as a mention book (audience/mentions.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import grapheme

from quittex_tui.archive.models import Mention, Tweet
from quittex_tui.audience.mentions import mention_book
from quittex_tui.audience.review import set_decision
from quittex_tui.convert import bluesky
from quittex_tui.convert.length import mastodon_count
from quittex_tui.convert.models import PlannedPost, SelfLink
from quittex_tui.convert.text import CleanText, find_spans
from quittex_tui.publish.selflinks import (
    BlueskyPerson,
    bluesky_mentions,
    bluesky_self_links,
    mastodon_mentions,
    mastodon_self_links,
)
from quittex_tui.publish.target import PostRef
from quittex_tui.state import MigrationState

X_URL = "https://twitter.com/jeanne/status/1700000000000000001?s=20"
REF = PostRef(
    "at://did:plc:me/app.bsky.feed.post/3kabc",
    "bafycid",
    "https://bsky.app/profile/jeanne.bsky.social/post/3kabc",
)


def bsky_post(text: str, *links: SelfLink) -> PlannedPost:
    [draft] = bluesky.bluesky_posts(CleanText(text, find_spans(text)))
    return PlannedPost(
        source_id="9",
        text=draft.text,
        facets=draft.facets,
        mention_candidates=draft.mention_candidates,
        self_links=list(links),
    )


def slices(post: PlannedPost) -> list[str]:
    data = post.text.encode()
    marks = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in post.facets]
    marks += [data[c.byte_start : c.byte_end].decode() for c in post.mention_candidates]
    return marks


def lookup(found: dict[str, PostRef]):  # type: ignore[no-untyped-def]
    return lambda tweet_id: found.get(tweet_id)


def test_a_self_link_points_at_the_migrated_post_and_everything_after_it_moves() -> None:
    post = bsky_post(
        f"Relisez ça {X_URL} 🧵 merci @alice #presse", SelfLink(url=X_URL, tweet_id="1700000000000000001")
    )
    out = bluesky_self_links(post, lookup({"1700000000000000001": REF}))
    assert out.text == "Relisez ça bsky.app/profile/jeanne.bsky.social/pos… 🧵 merci @alice #presse"
    assert slices(out) == ["bsky.app/profile/jeanne.bsky.social/pos…", "#presse", "@alice"]
    link = out.facets[0]["features"][0]
    assert link == {"$type": bluesky.LINK_TYPE, "uri": REF.url} and out.quote is None
    assert bluesky_self_links(post, lookup({})) == post  # not published: the X URL stays


def test_the_own_quote_at_the_end_becomes_the_embed() -> None:
    quoted = SelfLink(url=X_URL, tweet_id="1700000000000000001", quote=True)
    post = bsky_post(f"J'y reviens.\n\n{X_URL}", quoted)
    out = bluesky_self_links(post, lookup({"1700000000000000001": REF}))
    assert out.text == "J'y reviens." and out.facets == []
    assert out.quote is not None and (out.quote.uri, out.quote.cid) == (REF.uri, REF.cid)
    middle = bsky_post(f"Voir {X_URL} et la suite.", quoted)
    kept = bluesky_self_links(middle, lookup({"1700000000000000001": REF}))
    assert kept.quote is not None and "bsky.app/profile" in kept.text  # in the middle: a live link too


def test_a_rewritten_post_still_fits_300_graphemes() -> None:
    short = "https://x.com/j/status/17"  # 25 characters shown in full; the new link is longer
    text = "é" * 273 + " " + short
    post = bsky_post(text, SelfLink(url=short, tweet_id="17"))
    assert grapheme.length(post.text) == 299
    out = bluesky_self_links(post, lookup({"17": REF}))
    assert grapheme.length(out.text) <= 300 and out.text.endswith("…")
    assert slices(out)[0] == out.text.split(" ")[-1]


def test_a_matched_person_is_written_as_their_account_with_a_mention_facet() -> None:
    post = bsky_post("Bravo @bob_x et @carol, merci @bob_x !")
    people = {"bob_x": BlueskyPerson("bob-x.bsky.social", "did:plc:bob")}
    out = bluesky_mentions(post, people, resolve=lambda h: None)
    assert out.text == "Bravo @bob-x.bsky.social et @carol, merci @bob-x.bsky.social !"
    assert slices(out) == ["@bob-x.bsky.social", "@bob-x.bsky.social", "@carol"]
    assert [f["features"][0]["did"] for f in out.facets] == ["did:plc:bob", "did:plc:bob"]
    # no DID known: resolved from the handle; unresolvable: nothing changes
    asked: list[str] = []
    resolved = bluesky_mentions(
        post, {"bob_x": BlueskyPerson("bob-x.bsky.social")}, resolve=lambda h: asked.append(h) or None
    )
    assert resolved.text == post.text and asked == ["bob-x.bsky.social", "bob-x.bsky.social"]


def test_a_handle_too_long_for_the_post_keeps_the_x_name_but_still_mentions() -> None:
    text = "x" * 290 + " @bob_x"
    post = bsky_post(text)
    out = bluesky_mentions(
        post, {"bob_x": BlueskyPerson("a-very-long-handle.bsky.social", "did:plc:b")}, resolve=lambda h: None
    )
    assert out.text == text and slices(out) == ["@bob_x"]
    assert out.facets[0]["features"][0]["did"] == "did:plc:b" and out.mention_candidates == []


def test_mastodon_statuses_get_the_migrated_url_and_the_matched_address() -> None:
    status_url = "https://piaille.example/@jeanne/112233"
    masto_ref = PostRef("112233", "112233", status_url)
    post = PlannedPost(
        source_id="9",
        text=f"Relisez {X_URL} et {X_URL}x, merci @bob_x@x.com",
        self_links=[SelfLink(url=X_URL, tweet_id="17")],
    )
    out = mastodon_self_links(post, lookup({"17": masto_ref}))
    assert out.text == f"Relisez {status_url} et {X_URL}x, merci @bob_x@x.com"  # only the whole URL
    assert mastodon_self_links(post, lookup({"17": REF})) == post  # a Bluesky reference is not a status
    named = mastodon_mentions(out, {"bob_x": "bob@piaille.example"}, max_chars=500)
    assert named.text.endswith("merci @bob@piaille.example")
    long = PlannedPost(source_id="9", text="y" * 492 + " @bob_x@x.com")
    assert mastodon_count(long.text) == 499
    assert mastodon_mentions(long, {"bob_x": "bobby_the_reporter@piaille.example"}, max_chars=500) == long


def _tweet(tid: str, *mentions: tuple[str, str]) -> Tweet:
    return Tweet(
        id=tid,
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        full_text="x",
        mentions=tuple(Mention(screen_name=h, user_id=u) for h, u in mentions),
    )


def test_the_mention_book_knows_every_handle_a_person_was_written_with() -> None:
    archive = SimpleNamespace(
        tweets=[
            _tweet("1", ("bob_old", "42")),
            _tweet("2", ("Bob_New", "42"), ("shared", "42")),
            _tweet("3", ("shared", "43")),
        ],
        known_handles={"42": "Bob_New", "43": "shared"},
    )
    state = MigrationState(archive_paths=[], archive_fingerprint="f")
    set_decision(state, "42", "bluesky", "accepted", handle="bob.bsky.social")
    set_decision(state, "43", "bluesky", "accepted", handle="eve.bsky.social")
    set_decision(state, "42", "mastodon", "accepted", handle="bob@piaille.example")
    book = mention_book(state, archive)
    assert set(book.bluesky) == {"bob_old", "bob_new"}  # "shared" named two people: left out
    assert book.bluesky["bob_old"] == BlueskyPerson("bob.bsky.social", None)
    assert book.mastodon == {
        "bob_old": "bob@piaille.example",
        "bob_new": "bob@piaille.example",
        "shared": "bob@piaille.example",
    }
