"""What `plan --json` says about links (docs/bluesky.md#own-quotes-and-links-to-ones-own-tweets, issue 13),
offline and deterministic: which post tries a link card for which URL, the links to the user's own tweets
(every form of an X status URL), the parts' order."""

from __future__ import annotations

from datetime import timedelta

from quittex_tui.archive.models import TweetKind
from quittex_tui.convert.models import PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.convert.xlinks import is_x_url, status_id
from tests.convert.plan_helpers import T0, FakeArchive, photo, tweet

BSKY = PlanOptions(target="bluesky")
MASTO = PlanOptions(target="mastodon")


def test_the_card_is_for_the_last_link_that_is_not_x_on_a_post_without_media(tmp_path) -> None:
    archive = FakeArchive(
        [
            tweet(
                "10",
                "Deux liens : https://t.co/a puis https://t.co/b",
                at=T0,
                urls=[
                    ("https://t.co/a", "https://exemple.org/a"),
                    ("https://t.co/b", "https://exemple.org/b"),
                ],
            ),
            tweet(
                "11",
                "Avec photo https://t.co/c https://t.co/M",
                at=T0 + timedelta(1),
                urls=[("https://t.co/c", "https://exemple.org/c")],
                media=[photo("https://t.co/M")],
            ),
            tweet(
                "12",
                "Un tweet de X https://t.co/x",
                at=T0 + timedelta(2),
                kind=TweetKind.QUOTE,
                urls=[("https://t.co/x", "https://x.com/quelquun/status/123456789")],
                quoted_url="https://x.com/quelquun/status/123456789",
            ),
        ]
    )
    posts = {i.id: i.posts[0] for i in build_plan(archive, BSKY, cache_dir=tmp_path).items}
    assert posts["10"].link_card == "https://exemple.org/b"
    assert posts["11"].link_card is None  # images win: one embed per post
    assert posts["12"].link_card is None  # X shows logged-out readers nothing
    off = build_plan(archive, BSKY.model_copy(update={"link_cards": False}), cache_dir=tmp_path)
    assert all(p.link_card is None for i in off.items for p in i.posts)
    assert all(
        p.link_card is None for i in build_plan(archive, MASTO, cache_dir=tmp_path).items for p in i.posts
    )  # Mastodon builds its own previews


def test_links_to_own_tweets_in_every_form_are_self_links_the_quote_among_them(tmp_path) -> None:
    own, retweet = "1600000000000000001", "1600000000000000002"
    forms = [
        f"https://mobile.twitter.com/ancien_nom/status/{own}?s=20",
        f"https://x.com/i/web/status/{own}",
        f"https://www.twitter.com/moi/statuses/{own}/photo/1",
    ]
    tweets = [
        tweet(own, "Mon premier tweet", at=T0),
        tweet(retweet, "RT @bob: x", at=T0, kind=TweetKind.RETWEET),
    ]
    for n, url in enumerate(forms):
        tweets.append(
            tweet(
                str(1700 + n),
                f"Voir https://t.co/q{n}",
                at=T0 + timedelta(n + 1),
                urls=[(f"https://t.co/q{n}", url)],
                kind=TweetKind.QUOTE if n == 0 else TweetKind.ORIGINAL,
                quoted_url=url if n == 0 else None,
            )
        )
    tweets.append(
        tweet(
            "1800",
            "Pas à moi https://t.co/r https://t.co/s",
            at=T0 + timedelta(9),
            urls=[
                ("https://t.co/r", f"https://x.com/bob/status/{retweet}"),
                ("https://t.co/s", "https://x.com/bob/status/99"),
            ],
        )
    )
    for options in (BSKY, MASTO):
        plan = build_plan(FakeArchive(tweets), options, cache_dir=tmp_path)
        links = {
            i.id: [(s.url, s.tweet_id, s.quote) for p in i.posts for s in p.self_links] for i in plan.items
        }
        assert links["1700"] == [(forms[0], own, True)]
        assert links["1701"] == [(forms[1], own, False)]
        assert links["1702"] == [(forms[2], own, False)]
        assert links["1800"] == []  # a retweet row's id and a stranger's tweet: not the user's own posts
    assert status_id(forms[2]) == own and status_id("https://x.com/bob/status/1/likes") is None
    assert is_x_url("https://mobile.x.com/a") and not is_x_url("https://notx.com/a")


def test_the_parts_of_a_split_tweet_are_numbered(tmp_path) -> None:
    long = " ".join(["Une phrase assez longue pour déborder."] * 20)
    plan = build_plan(FakeArchive([tweet("1", long)]), BSKY, cache_dir=tmp_path)
    assert [p.part for p in plan.items[0].posts] == list(range(len(plan.items[0].posts)))
    assert len(plan.items[0].posts) >= 3
