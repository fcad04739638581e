"""build_plan on archives made of models: every item kind, skips, order, media grouping, determinism."""

from __future__ import annotations

from datetime import timedelta

import grapheme
import orjson
import pytest

from quittex_tui.archive.models import MediaKind, TweetKind
from quittex_tui.convert.models import ItemKind, PlanOptions
from quittex_tui.convert.plan import build_plan
from tests.convert.plan_helpers import ME, T0, FakeArchive, photo, tweet

BSKY = PlanOptions(target="bluesky")
MASTO = PlanOptions(target="mastodon")


def _plan(archive: FakeArchive, options: PlanOptions, tmp_path):
    return build_plan(archive, options, cache_dir=tmp_path)


def _mixed_archive() -> FakeArchive:
    t = [
        tweet("105", "Le fil 🧵 commence ici", at=T0),
        tweet(
            "106",
            "et continue &amp; finit là",
            at=T0,
            kind=TweetKind.THREAD,
            reply_to=("105", ME),
            thread_root="105",
        ),
        tweet("104", "RT @someone: un retweet coupé…", at=T0, kind=TweetKind.RETWEET),
        tweet("103", "@alice je ne suis pas d'accord", at=T0, kind=TweetKind.REPLY, reply_to=("99", "42")),
        tweet(
            "200",
            "Tout à fait. https://t.co/QQQ",
            at=T0 + timedelta(hours=1),
            kind=TweetKind.QUOTE,
            quoted_url="https://twitter.com/bob/status/77",
            urls=[("https://t.co/QQQ", "https://twitter.com/bob/status/77")],
        ),
        tweet("102", "Premier message, avec un #hashtag", at=T0 - timedelta(days=1)),
        tweet(
            "300",
            "Début coupé… https://t.co/CUT",
            at=T0 + timedelta(hours=2),
            note_text="Début " + "d'une très longue note. " * 40,
        ),
        tweet("301", "@bob @carol", at=T0 + timedelta(hours=3), kind=TweetKind.REPLY, reply_to=("98", "43")),
        tweet(
            "400",
            "https://t.co/MMM",
            at=T0 + timedelta(hours=4),
            media=[photo("https://t.co/MMM", 1, member=None)],
        ),
    ]
    return FakeArchive(t, threads=[["105", "106"]], superseded_edit_ids=["90", "89"], deleted_ids=["50"])


def test_every_kind_and_every_skip_reason(tmp_path) -> None:
    plan = _plan(_mixed_archive(), BSKY, tmp_path)
    assert [(i.id, i.kind) for i in plan.items] == [
        ("102", ItemKind.POST),
        ("105", ItemKind.THREAD),
        ("200", ItemKind.QUOTE),
        ("300", ItemKind.NOTE),
    ]
    assert [(s.source_id, s.reason) for s in plan.skipped] == [
        ("103", "reply"),
        ("104", "retweet"),
        ("301", "reply"),
        ("400", "missing_media"),
        ("89", "edited"),
        ("90", "edited"),
        ("50", "deleted"),
    ]
    thread = plan.items[1]
    assert thread.source_ids == ["105", "106"]
    assert [p.text for p in thread.posts] == ["Le fil 🧵 commence ici", "et continue & finit là"]
    assert [p.source_id for p in thread.posts] == ["105", "106"]
    quote = plan.items[2].posts[0]
    assert quote.text == "Tout à fait. https://twitter.com/bob/status/77"
    assert quote.facets == [
        {
            "index": {"byteStart": 14, "byteEnd": 47},
            "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://twitter.com/bob/status/77"}
            ],
        }
    ]
    tag = plan.items[0].posts[0].facets[0]
    assert tag["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "hashtag"}]


def test_note_text_is_complete_over_several_posts(tmp_path) -> None:
    plan = _plan(_mixed_archive(), BSKY, tmp_path)
    note = plan.items[3]
    assert len(note.posts) > 1
    words = ("Début " + "d'une très longue note. " * 40).split()
    assert " ".join(p.text for p in note.posts).split() == words
    assert all(grapheme.length(p.text) <= 300 for p in note.posts)
    assert all(p.source_id == "300" for p in note.posts)


def test_include_replies_posts_them_standalone_without_leading_handles(tmp_path) -> None:
    plan = _plan(_mixed_archive(), BSKY.model_copy(update={"include_replies": True}), tmp_path)
    replies = [i for i in plan.items if i.kind == ItemKind.REPLY]
    assert [(i.id, i.posts[0].text) for i in replies] == [("103", "je ne suis pas d'accord")]
    # "@bob @carol" is nothing once its leading handles are gone: skipped, not posted blank.
    assert ("301", "empty") in [(s.source_id, s.reason) for s in plan.skipped]


def test_items_ordered_by_time_then_numeric_id(tmp_path) -> None:
    same_second = [
        tweet(tid, f"post {tid}", at=T0)
        for tid in ("1000000000000000010", "999999999999999999", "1000000000000000002")
    ]
    plan = _plan(FakeArchive(same_second), BSKY, tmp_path)
    assert [i.id for i in plan.items] == ["999999999999999999", "1000000000000000002", "1000000000000000010"]
    assert plan.to_json_obj()["items"][0]["created_at"] == "2024-12-20T09:00:05Z"


def test_media_groups_four_images_video_alone_and_missing_files_warned(tmp_path) -> None:
    media = [photo("https://t.co/M", n) for n in range(1, 7)]
    media.insert(2, photo("https://t.co/M", 9, kind=MediaKind.VIDEO))
    media.append(photo("https://t.co/M", 10, member=None))
    t = tweet("1", "Album https://t.co/M", media=media)
    plan = _plan(FakeArchive([t]), BSKY, tmp_path)  # FakeArchive refuses any read: no file is touched
    posts = plan.items[0].posts
    assert [[m.kind for m in p.media] for p in posts] == [
        ["image", "image"],
        ["video"],
        ["image", "image", "image", "image"],
    ]
    assert [p.text for p in posts] == ["Album", "", ""]
    assert posts[0].warnings == [
        "photo P10.jpg (media m10) is missing from the archive: the post goes without it"
    ]
    assert all(m.path.startswith(str(tmp_path / "bluesky")) for p in posts for m in p.media)


def test_media_only_tweet_is_a_post_with_empty_text(tmp_path) -> None:
    t = tweet("1", "https://t.co/M", media=[photo("https://t.co/M")])
    plan = _plan(FakeArchive([t]), MASTO, tmp_path)
    assert [(p.text, len(p.media)) for p in plan.items[0].posts] == [("", 1)]


def test_mastodon_footer_on_the_first_post_of_each_item_only(tmp_path) -> None:
    options = MASTO.model_copy(update={"date_footer": True, "locale": "fr", "max_chars": 100})
    archive = _mixed_archive()
    plan = _plan(archive, options, tmp_path)
    for item in plan.items:
        assert item.posts[0].text.endswith("Publié sur X le " + item.created_at.strftime("%d/%m/%Y"))
        assert all("Publié sur X" not in p.text for p in item.posts[1:])
        assert all(p.facets == [] and p.mention_candidates == [] for p in item.posts)
    english = _plan(archive, options.model_copy(update={"locale": "en"}), tmp_path)
    assert english.items[0].posts[0].text == "Premier message, avec un #hashtag\n\nPosted on X on 19 Dec 2024"


def test_mastodon_handles_cannot_notify_local_strangers(tmp_path) -> None:
    plan = _plan(FakeArchive([tweet("1", "merci @alice !")]), MASTO, tmp_path)
    assert plan.items[0].posts[0].text == "merci @alice@x.com !"


def test_bluesky_mentions_are_candidates_with_byte_offsets(tmp_path) -> None:
    plan = _plan(FakeArchive([tweet("1", "é merci @alice !")]), BSKY, tmp_path)
    post = plan.items[0].posts[0]
    assert post.text == "é merci @alice !"
    assert [(c.handle, c.byte_start, c.byte_end) for c in post.mention_candidates] == [("alice", 9, 15)]
    assert post.text.encode()[9:15] == b"@alice"


def test_numbering_is_opt_in(tmp_path) -> None:
    archive = _mixed_archive()
    plain = _plan(archive, BSKY, tmp_path).items[3].posts
    numbered = _plan(archive, BSKY.model_copy(update={"number_parts": True}), tmp_path).items[3].posts
    assert not any(p.text.endswith(f"/{len(plain)})") for p in plain)
    assert [p.text[-6:] for p in numbered] == [f" ({k}/{len(numbered)})" for k in range(1, len(numbered) + 1)]


def test_thread_whose_continuation_is_empty_keeps_the_rest(tmp_path) -> None:
    t = [tweet("1", "racine", at=T0), tweet("2", "@moi", at=T0, kind=TweetKind.THREAD, reply_to=("1", ME))]
    plan = _plan(FakeArchive(t, threads=[["1", "2"]]), BSKY, tmp_path)
    assert [(i.id, i.kind, i.source_ids) for i in plan.items] == [("1", ItemKind.POST, ["1"])]
    assert [(s.source_id, s.reason) for s in plan.skipped] == [("2", "empty")]


@pytest.mark.parametrize("options", [BSKY, MASTO.model_copy(update={"date_footer": True})])
def test_same_archive_same_options_same_bytes(options, tmp_path) -> None:
    first = orjson.dumps(_plan(_mixed_archive(), options, tmp_path).to_json_obj())
    again = orjson.dumps(_plan(_mixed_archive(), options, tmp_path).to_json_obj())
    assert first == again
    # and the plan validates against its own strict models (extra fields forbidden)
    from quittex_tui.convert.models import Plan

    assert Plan.model_validate_json(first).to_json_obj() == orjson.loads(first)


def test_a_post_that_cannot_fit_is_flagged_not_dropped(tmp_path) -> None:
    t = tweet("1", "voir https://t.co/A", urls=[("https://t.co/A", "https://example.org/page")])
    plan = _plan(FakeArchive([t]), MASTO.model_copy(update={"max_chars": 20}), tmp_path)
    posts = plan.items[0].posts
    assert [p.text for p in posts] == ["voir", "https://example.org/page"]  # a URL alone counts 23 > 20
    assert posts[0].warnings == ["a post is over the network's length limit and will be refused"]


def test_every_post_keeps_its_own_tweet_time_lang_and_media_ids(tmp_path) -> None:
    t1, t2 = T0, T0 + timedelta(minutes=3, seconds=7)
    long = "Une phrase assez longue pour déborder. " * 12  # > 300 graphemes: split over several posts
    archive = FakeArchive(
        [
            tweet("105", "Le fil 🧵 commence ici", at=t1, lang="fr"),
            tweet(
                "106",
                long,
                at=t2,
                kind=TweetKind.THREAD,
                reply_to=("105", ME),
                thread_root="105",
                lang="und",
                media=[photo(f"https://t.co/{n}", n) for n in range(1, 7)],
            ),  # 6 photos: 4 + an overflow of 2
            tweet(
                "107",
                "https://t.co/Z",
                at=t2 + timedelta(hours=1),
                lang="qme",
                media=[photo("https://t.co/Z", 9)],
            ),
            tweet("108", "Bahasa", at=t2 + timedelta(hours=2), lang="in"),
        ],
        threads=[["105", "106"]],
    )
    plan = _plan(archive, BSKY, tmp_path)
    thread = plan.items[0]
    assert thread.created_at == t1
    first, *rest = thread.posts
    assert first.created_at == t1 and first.lang == "fr"
    assert len(rest) >= 2 and all(p.created_at == t2 and p.lang == "" for p in rest)  # split + overflow share
    assert [m.media_id for p in rest for m in p.media] == [f"m{n}" for n in range(1, 7)]
    assert plan.items[1].posts[0].lang == "" and plan.items[1].posts[0].media[0].media_id == "m9"
    assert plan.items[2].posts[0].lang == "id"
    data = plan.to_json_obj()
    assert data["items"][0]["posts"][1]["created_at"] == t2.isoformat().replace("+00:00", "Z")
    assert data["items"][0]["posts"][1]["media"][0]["media_id"] == "m1"


@pytest.mark.parametrize(
    ("x_lang", "tag"),
    [
        ("fr", "fr"),
        ("en", "en"),
        ("pt-BR", "pt-br"),
        ("zh-cn", "zh-cn"),
        ("iw", "he"),
        ("in", "id"),
        ("und", ""),
        ("zxx", ""),
        ("qme", ""),
        ("qht", ""),
        ("qam", ""),
        ("", ""),
        ("fr fr", ""),
    ],
)
def test_x_language_codes_become_bcp47_or_nothing(x_lang, tag) -> None:
    from quittex_tui.convert.plan import post_lang

    assert post_lang(x_lang) == tag
