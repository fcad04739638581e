"""Every archive generation from 2019 on reads to the same thing (docs/x-archive-format.md#generations)."""

from __future__ import annotations

import json

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.archive.models import MediaKind, TweetKind
from quittex_tui.archive.summary import summary_json
from tests.archive.builder import GENERATIONS, ArchiveBuilder, At, Link, Photo, Tag, Video, dt


def _content(b: ArchiveBuilder) -> dict[str, str]:
    ids = {}
    ids["thread"] = b.thread(["Premier 1/3 🌍", "Deuxième 2/3", "Troisième 3/3 & fin"], at=dt(2021, 2, 1, 8))[
        0
    ]
    ids["reply"] = b.tweet(
        At("bob", "222"), " d’accord", reply_to="1350000000000000000", reply_user=("222", "bob")
    )
    ids["rt"] = b.retweet(("333", "carol"), "un long texte retweeté…")
    ids["quote"] = b.quote(("333", "carol"), "1350000000000000001", "À lire", host="x.com")
    ids["photo"] = b.tweet("deux photos ", Tag("été"), media=[Photo(base="Ab-c_d.jpg"), Photo()])
    ids["video"] = b.tweet("une vidéo", media=[Video()])
    ids["link"] = b.tweet("Tom & Jerry ", Link("https://exemple.fr/article"))
    b.follow("444", "555")
    b.follower("666")
    b.block("777")
    b.mute("888")
    b.like("999", "a liked tweet")
    return ids


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("shape", ["zip", "dir"])
def test_every_generation_reads_the_same(generation: str, shape: str, read_back) -> None:
    b = ArchiveBuilder(generation=generation)
    ids = _content(b)
    archive = read_back(b, shape)
    out = summary_json(archive)
    assert out["account"] == {
        "id": b.account_id,
        "username": b.username,
        "display_name": b.display_name,
        "bio": b.bio,
    }
    c = out["counts"]
    assert c["tweets"] == 9 and c["originals"] == 4 and c["thread_posts"] == 2
    assert (c["replies"], c["retweets"], c["quotes"]) == (1, 1, 1)
    assert (c["following"], c["followers"], c["blocks"], c["mutes"], c["likes"]) == (2, 1, 1, 1, 1)
    assert (c["media"], c["missing_media"]) == (3, 0)
    assert out["warnings"] == []
    assert archive.by_id[ids["rt"]].kind is TweetKind.RETWEET
    assert archive.by_id[ids["quote"]].quoted_url == "https://x.com/carol/status/1350000000000000001"
    photo = archive.by_id[ids["photo"]].media[0]
    media_dir = "tweets_media" if generation >= "2022" else "tweet_media"
    assert photo.member == f"data/{media_dir}/{ids['photo']}-Ab-c_d.jpg"
    assert archive.by_id[ids["video"]].media[0].kind is MediaKind.VIDEO
    assert out["known_handles"] == {"222": "bob", "333": "carol"}
    assert archive.account.avatar_member is not None
    # 2025 archives have no headerMediaUrl in profile.js
    assert (archive.account.header_member is None) is (generation == "2025")


def test_split_tweet_parts_in_any_order_and_repeated_rows(read_back) -> None:
    b = ArchiveBuilder(generation="2022", tweet_parts=4)
    made = [b.tweet(f"tweet {n}", at=dt(2022, 1, 1, 0, 0, n // 3)) for n in range(30)]  # 3 per second
    files = b.files()
    assert {"data/tweets-part1.js", "data/tweets-part3.js"} <= set(files)
    archive = read_back(b, "split", parts=3)
    assert [t.id for t in archive.tweets] == sorted(made, key=int)  # time, then id within a second
    # a row repeated in two parts counts once
    b2 = ArchiveBuilder(generation="2022", tweet_parts=2)
    tid = b2.tweet("dupliqué")
    b2.tweet("autre")
    row = {"tweet": b2.row(tid)}
    b2.extra_file("data/tweets-part5.js", "window.YTD.tweets.part5 = " + json.dumps([row]))
    assert read_back(b2).counts.tweets == 2


def test_manifest_absent_falls_back_to_globbing(read_back) -> None:
    b = ArchiveBuilder(generation="2022", manifest=False, tweet_parts=2)
    b.tweet("un")
    b.tweet("deux")
    b.follow("1")
    archive = read_back(b)
    assert archive.counts.tweets == 2 and archive.following == ["1"]
    assert archive.account.id == b.account_id  # from account.js


def test_manifest_naming_a_missing_part_warns(read_back, tmp_path) -> None:
    b = ArchiveBuilder(generation="2022", tweet_parts=3)
    for n in range(9):
        b.tweet(f"t{n}")
    parts = b.write_split_zips(tmp_path / "s", 3)
    with open_archive([parts[0], parts[1]]) as partial:
        assert partial.counts.tweets < 9
        assert any("lacks" in w and "every part" in w for w in partial.warnings)


def test_unknown_fields_and_quirks_are_harmless(read_back) -> None:
    b = ArchiveBuilder(generation="2025")
    tid = b.tweet(
        "retenu",
        extra={
            "withheld_in_countries": ["DE", "FR"],
            "scopes": {"followers": False},
            "brand_new_field": {"x": [1, 2]},
        },
    )
    b.row(tid)["entities"]["user_mentions"] = [{"screen_name": "gone", "indices": ["0", "5"], "id_str": "-1"}]
    b.extra_file(
        "data/community-tweet.js", 'window.YTD.community_tweet.part0 = [{"tweet": {"community_id": "5"}}]'
    )
    b.extra_file("data/verified.js", "window.YTD.verified.part0 = [ ]")
    archive = read_back(b)
    assert archive.counts.tweets == 1
    assert archive.by_id[tid].mentions[0].user_id is None  # "-1" means no id
    assert archive.known_handles == {}


def test_2019_rows_without_wrapper_and_people_without_userlink(read_back) -> None:
    b = ArchiveBuilder(generation="2019")
    tid = b.tweet("vieux tweet", at=dt(2018, 7, 14, 12, 30, 1))
    b.follow("42")
    archive = read_back(b)
    assert archive.by_id[tid].created_at == dt(2018, 7, 14, 12, 30, 1)
    assert archive.following == ["42"]
    assert "data/manifest.js" not in archive.members()


@pytest.mark.parametrize("shape", ["zip", "dir", "split"])
def test_tweet_files_read_in_small_pieces_read_the_same(shape: str, read_back, monkeypatch) -> None:
    """jsfile.iter_rows cuts tweets.js between rows, a piece at a time: the result is the whole file's."""
    from quittex_tui.archive import jsfile

    b = ArchiveBuilder(generation="2023", tweet_parts=2)
    _content(b)
    for n in range(40):
        b.tweet(f"encore {n} 🌍 & <fin>", at=dt(2023, 6, 1, 8, n))
    whole = read_back(b, shape)
    monkeypatch.setattr(jsfile, "CHUNK", 300)
    pieces = read_back(b, shape)
    assert summary_json(pieces) == summary_json(whole)
    assert pieces.tweets == whole.tweets and pieces.fingerprint == whole.fingerprint
