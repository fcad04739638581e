"""Text details found on licensed real archives (docs/x-archive-format.md#quirks-that-broke-other-importers,
issue 13): an @-post keeps its addressee, and the Bluesky splitter cuts after a sentence rather than leaving a
word alone."""

from __future__ import annotations

from quittex_tui.archive.models import TweetKind
from quittex_tui.convert import bluesky, mastodon
from quittex_tui.convert.text import CleanText, clean_tweet, find_spans
from tests.convert.plan_helpers import ME, tweet


def test_an_at_post_keeps_its_addressee_only_a_reply_chain_loses_it() -> None:
    at_post = tweet("1", "@corkket now in open beta!", kind=TweetKind.REPLY, reply_to=(None, "77"))
    assert clean_tweet(at_post).text == "@corkket now in open beta!"
    reply = tweet("2", "@corkket now in open beta!", kind=TweetKind.REPLY, reply_to=("55", "77"))
    assert clean_tweet(reply).text == "now in open beta!"
    self_reply = tweet("3", "@alice @bob et la suite", kind=TweetKind.THREAD, reply_to=("2", ME))
    assert clean_tweet(self_reply).text == "et la suite"


def _bsky(text: str) -> list[str]:
    return [p.text for p in bluesky.bluesky_posts(CleanText(text, find_spans(text)))]


FIRST = "The council voted the budget on Tuesday night after a long debate. "
LONG = (
    "Most members agreed that the town had to keep both the pool and the library open for the "
    "families who depend on them every week of every month of every single year in this valley and the "
    "next one over the hills, despite fear mongering."
)


def test_the_last_cut_goes_after_a_sentence_not_before_a_lone_word() -> None:
    text = FIRST + LONG  # 302 graphemes: the old cut was "…despite fear" / "mongering."
    assert len(text) > 300
    assert _bsky(text) == [FIRST.strip(), LONG]


def test_without_a_sentence_end_the_last_two_posts_are_balanced() -> None:
    text = " ".join(["mot"] * 76)  # 303 graphemes, one "sentence": no word left alone at the end
    posts = _bsky(text)
    assert len(posts) == 2 and min(len(p) for p in posts) > 100
    assert " ".join(posts) == text


def test_long_texts_still_fill_their_posts_and_cut_after_a_full_stop() -> None:
    text = " ".join([LONG] * 5)
    posts = _bsky(text)
    assert all(p.endswith("mongering.") for p in posts) and len(posts) == 5
    statuses = mastodon.mastodon_posts(CleanText(text, find_spans(text)), max_chars=500)
    assert all(s.endswith("mongering.") for s in statuses) and len(statuses) == 3
