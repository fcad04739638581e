"""Counters (length.py), the live-editing helpers the TUI uses (editing.py), and the fast JSON form."""

from __future__ import annotations

import grapheme
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from mastodon import Mastodon

from quittex_tui.convert import editing
from quittex_tui.convert.length import graphemes, mastodon_count
from quittex_tui.convert.mastodon import date_footer
from quittex_tui.convert.models import (
    MentionCandidate,
    Plan,
    PlanItem,
    PlannedMedia,
    PlannedPost,
    PlanOptions,
    SkippedTweet,
)
from quittex_tui.convert.plan import build_plan, plan_json_obj
from tests.convert.plan_helpers import T0, FakeArchive, photo, tweet

# Characters that join clusters (accents, ZWJ, skin tones, flags, Hangul jamo, Indic signs, tags) mixed
# with ordinary ones, CR/LF and spaces — where a shortcut in the counter would go wrong.
JOINERS = [
    "\u0301",
    "\u200d",
    "\ufe0f",
    "🏽",
    "🇫",
    "🇷",
    "\u1100",
    "\u1161",
    "\u11a8",
    "\u094d",
    "\u093f",
    "\U000e0067",
    "\U000e007f",
    "\u0600",
    "\r",
    "\n",
    " ",
    "a",
    "é",
    "👩",
    "🏴",
    "क",
    "가",
    "𑀁",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(JOINERS), max_size=40).map("".join))
def test_grapheme_count_matches_the_reference(text: str) -> None:
    assert graphemes(text) == grapheme.length(text)


def test_known_counts() -> None:
    family = "👩\u200d👩\u200d👧\u200d👦"
    assert editing.bluesky_counts(family) == (1, 25)
    assert editing.bluesky_counts("🇫🇷 e\u0301té") == (5, 15)
    # Mastodon: a URL counts 23 whatever its length, @user@domain counts as @user
    text = "lisez https://example.org/" + "x" * 100 + " merci @alice@masto.example"
    assert editing.mastodon_count(text) == Mastodon.get_status_length(text) == 6 + 23 + 13


def test_bluesky_facets_of_an_edited_text_keep_shortened_links() -> None:
    posts = editing.split_for("bluesky", "Lire https://example.org/" + "a" * 80 + " #Lyon")
    post = posts[0]
    links = editing.links_from_facets(post.text, post.facets)
    assert list(links.values()) == ["https://example.org/" + "a" * 80]
    edited = "Nouveau début. " + post.text
    facets = editing.bluesky_facets(edited, links)
    data = edited.encode()
    shown = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0]) for f in facets
    ]
    assert shown[0][0] == next(iter(links)) and shown[0][1]["uri"] == "https://example.org/" + "a" * 80
    assert shown[1] == ("#Lyon", {"$type": "app.bsky.richtext.facet#tag", "tag": "Lyon"})


def test_split_for_both_targets() -> None:
    text = "Une phrase qui revient encore. " * 40
    bsky = editing.split_for("bluesky", text, number_parts=True, source_id="7", created_at=T0, lang="fr")
    assert len(bsky) > 1 and all(grapheme.length(p.text) <= 300 for p in bsky)
    assert all(p.source_id == "7" and p.created_at == T0 and p.lang == "fr" for p in bsky)
    footer = date_footer(T0, "en")
    masto = editing.split_for("mastodon", text, max_chars=300, footer=footer)
    assert masto[0].text.endswith("\n\nPosted on X on 20 Dec 2024")
    assert all(mastodon_count(p.text) <= 300 for p in masto)
    assert " ".join(p.text for p in masto).replace(footer, "").split() == text.split()


def test_plan_json_obj_equals_the_model_serialisation(tmp_path) -> None:
    archive = FakeArchive(
        [
            tweet(
                "1",
                "é @alice https://t.co/A #tag https://t.co/M",
                urls=[("https://t.co/A", "https://a.example/")],
                media=[photo("https://t.co/M", 1), photo("https://t.co/M", 2, member=None)],
            ),
            tweet("2", "RT @bob: x"),
        ]
    )
    archive.tweets[1].kind = "retweet"
    for options in (PlanOptions(target="bluesky"), PlanOptions(target="mastodon", date_footer=True)):
        plan = build_plan(archive, options, cache_dir=tmp_path)
        assert orjson.dumps(plan_json_obj(plan)) == orjson.dumps(plan.to_json_obj())
        assert plan.items[0].posts[0].media and plan.skipped


def test_plan_json_obj_knows_every_model_field() -> None:
    """A field added to the contract models must be added to plan_json_obj too (else it is dropped)."""
    photo = PlannedMedia(path="/p", kind="image", bytes=1, width=1, height=1, duration_s=1.5, media_id="m1")
    post = PlannedPost(
        source_id="1",
        text="t",
        media=[photo],
        mention_candidates=[MentionCandidate(handle="a", byte_start=0, byte_end=2)],
        created_at=T0,
        lang="fr",
    )
    plan = Plan(
        target="bluesky",
        items=[PlanItem(id="1", kind="post", source_ids=["1"], created_at=T0, posts=[post])],
        skipped=[SkippedTweet(source_id="2", reason="retweet")],
    )
    assert plan_json_obj(plan) == plan.to_json_obj()
    for model in (Plan, PlanItem, PlannedPost, PlannedMedia, MentionCandidate, SkippedTweet):
        # fields marked `exclude` are filled at send time (the link stage's card and quote): never in a plan
        fields = {name for name, info in model.model_fields.items() if not info.exclude}
        assert fields <= _keys_of(plan_json_obj(plan), model.__name__)


def _keys_of(obj: dict, name: str) -> set[str]:
    item = obj["items"][0]
    post = item["posts"][0]
    return {
        "Plan": set(obj),
        "PlanItem": set(item),
        "PlannedPost": set(post),
        "PlannedMedia": set(post["media"][0]),
        "MentionCandidate": set(post["mention_candidates"][0]),
        "SkippedTweet": set(obj["skipped"][0]),
    }[name]
