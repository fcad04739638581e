"""`quittex-tui plan` end to end: archives written by the test builder, the bundled demo archive."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import grapheme
import pytest
from mastodon import Mastodon

from quittex_tui.archive import open_archive
from quittex_tui.cli import main
from quittex_tui.convert.models import Plan, PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.demo import demo_archive_path
from quittex_tui.publish.media_stage import MediaStage
from quittex_tui.publish.target import PermanentError
from tests.archive.builder import ArchiveBuilder, At, Link, Photo, Tag, Video, dt


def _archive(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    b = ArchiveBuilder(generation="2023")
    ids: dict[str, str] = {}
    ids["post"] = b.tweet(
        "R&D <3 : lisez ",
        Link("https://exemple.fr/article?a=1&b=2"),
        " ",
        Tag("presse"),
        at=dt(2024, 12, 20, 9, 0, 5),
    )
    ids["same_second"] = b.tweet("même seconde", at=dt(2024, 12, 20, 9, 0, 5))
    thread = b.thread(
        ["Un fil 🧵 sur l’été", ["suite avec ", At("alice", "222"), " 👩‍👩‍👧"], "fin."],
        at=dt(2024, 12, 21, 8),
    )
    ids["thread"] = thread[0]
    ids["reply"] = b.tweet(
        At("ghost", None),
        " ",
        At("bob", "333"),
        " je ne suis pas d’accord",
        reply_to="99",
        reply_user=("333", "bob"),
        at=dt(2024, 12, 22),
    )
    ids["retweet"] = b.retweet(("444", "carol"), "un texte retweeté", at=dt(2024, 12, 23))
    ids["quote"] = b.quote(("444", "carol"), "1600000000000000000", "Exactement.", at=dt(2024, 12, 24))
    ids["note"] = b.note_tweet("Une très longue note. " * 40, at=dt(2024, 12, 25))
    ids["photos"] = b.tweet(
        "cinq photos", media=[Photo(width=40 + n, height=30) for n in range(5)], at=dt(2024, 12, 26)
    )
    ids["missing"] = b.tweet("", media=[Photo(present=False)], at=dt(2024, 12, 27))
    ids["video"] = b.tweet("une vidéo", media=[Video()], at=dt(2024, 12, 28))
    ids["edited_first"] = b.tweet("version 1", at=dt(2024, 12, 29))
    ids["edited_last"] = b.edit(ids["edited_first"], "version 2")
    ids["deleted"] = b.tweet("oups", at=dt(2024, 12, 30))
    b.delete(ids["deleted"])
    return b.write_zip(tmp_path / "archive.zip"), ids


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_plan_json_bluesky_on_a_written_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, ids = _archive(tmp_path)
    code, out, _err = _run(capsys, str(path), "--to", "bluesky", "--json")
    assert code == 0
    plan = json.loads(out)  # exactly one JSON object
    assert plan.pop("schema_version") == 1  # additive: docs/cli-json.md
    Plan.model_validate(plan)
    kinds = {item["id"]: item["kind"] for item in plan["items"]}
    assert kinds == {
        ids["post"]: "post",
        ids["same_second"]: "post",
        ids["thread"]: "thread",
        ids["quote"]: "quote",
        ids["note"]: "note",
        ids["photos"]: "post",
        ids["video"]: "post",
        ids["edited_last"]: "post",
    }
    assert [i["id"] for i in plan["items"]][:2] == sorted([ids["post"], ids["same_second"]], key=int)
    skipped = {s["source_id"]: s["reason"] for s in plan["skipped"]}
    assert skipped == {
        ids["reply"]: "reply",
        ids["retweet"]: "retweet",
        ids["missing"]: "missing_media",
        ids["edited_first"]: "edited",
        ids["deleted"]: "deleted",
    }
    by_id = {item["id"]: item for item in plan["items"]}

    post = by_id[ids["post"]]
    assert post["created_at"] == "2024-12-20T09:00:05Z"
    text = post["posts"][0]["text"]
    assert text == "R&D <3 : lisez https://exemple.fr/article?a=1&b=2 #presse"
    data = text.encode()
    shown = [
        data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in post["posts"][0]["facets"]
    ]
    assert shown == ["https://exemple.fr/article?a=1&b=2", "#presse"]

    thread = by_id[ids["thread"]]
    assert [p["text"] for p in thread["posts"]] == ["Un fil 🧵 sur l’été", "suite avec @alice 👩‍👩‍👧", "fin."]
    assert len(thread["source_ids"]) == 3
    candidate = thread["posts"][1]["mention_candidates"][0]
    assert candidate["handle"] == "alice"
    assert thread["posts"][1]["text"].encode()[candidate["byte_start"] : candidate["byte_end"]] == b"@alice"

    quote = by_id[ids["quote"]]["posts"][0]
    assert quote["text"] == "Exactement. twitter.com/carol/status/16000000000000…"  # 39 + "…"
    assert quote["facets"][0]["features"][0]["uri"] == "https://twitter.com/carol/status/1600000000000000000"
    note = by_id[ids["note"]]
    assert " ".join(p["text"] for p in note["posts"]).split() == ("Une très longue note. " * 40).split()

    photos = by_id[ids["photos"]]["posts"]
    assert [(p["text"], len(p["media"])) for p in photos] == [("cinq photos", 4), ("", 1)]
    with zipfile.ZipFile(path) as zf:
        for n, media in enumerate(photos[0]["media"]):
            # what the plan says of a media, it knows from the archive's directory and the tweet
            # (ARCHITECTURE.md#the-engine, issue 16)
            assert media["kind"] == "image" and media["prepared"] is False and media["mime"] == "image/jpeg"
            assert media["source"].startswith(f"data/tweets_media/{ids['photos']}-")
            assert media["bytes"] == zf.getinfo(media["source"]).file_size
            assert (media["width"], media["height"]) == (40 + n, 30)  # the tweet's sizes.large
            assert Path(media["path"]).is_absolute() and not Path(media["path"]).exists()  # made at send time
    assert [m["kind"] for m in by_id[ids["video"]]["posts"][0]["media"]] == ["video"]


def test_plan_is_byte_identical_across_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ids = _archive(tmp_path)
    outs = [
        _run(capsys, str(path), "--to", target, "--json", "--include-replies")[1]
        for target in ("bluesky", "bluesky", "mastodon", "mastodon")
    ]
    assert outs[0] == outs[1] and outs[2] == outs[3]
    assert outs[0] != outs[2]


def test_plan_is_byte_identical_with_a_cold_and_a_warm_media_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan never depends on what the media cache holds: the same bytes before any media was prepared
    and after every one was (what a migration leaves behind)."""
    path, _ids = _archive(tmp_path)
    for target in ("bluesky", "mastodon"):
        cold = _run(capsys, str(path), "--to", target, "--json")[1]
        with open_archive(path) as archive:
            plan = build_plan(archive, PlanOptions(target=target))
            stage = MediaStage.for_plan(plan)
            assert stage is not None
            photos = [
                post
                for item in plan.items
                for post in item.posts
                if post.media and post.media[0].kind == "image"
            ]
            prepared = [stage.prepare_post(post) for post in photos]
            video = next(
                post
                for item in plan.items
                for post in item.posts
                if post.media and post.media[0].kind == "video"
            )
            with pytest.raises(PermanentError, match=r"video .*\.mp4 .* is not a valid MP4"):
                stage.prepare_post(video)  # the builder's video is no MP4: found now, at send time
        assert prepared and all(m.prepared and Path(m.path).is_file() for p in prepared for m in p.media)
        declared = [m for post in photos for m in post.media]
        assert all(Path(m.path).is_file() for m in declared)  # the plan's paths now hold the prepared files
        warm = _run(capsys, str(path), "--to", target, "--json")[1]
        assert warm == cold


def test_plan_mastodon_footer_replies_and_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, ids = _archive(tmp_path)
    code, out, _ = _run(
        capsys,
        str(path),
        "--to",
        "mastodon",
        "--json",
        "--include-replies",
        "--date-footer",
        "--locale",
        "fr",
        "--max-chars",
        "200",
        "--number-parts",
    )
    assert code == 0
    plan = json.loads(out)
    by_id = {item["id"]: item for item in plan["items"]}
    assert by_id[ids["reply"]]["kind"] == "reply"
    assert by_id[ids["reply"]]["posts"][0]["text"] == "je ne suis pas d’accord\n\nPublié sur X le 22/12/2024"
    for item in plan["items"]:
        assert item["posts"][0]["text"].endswith(
            "Publié sur X le "
            + item["created_at"][8:10]
            + "/"
            + item["created_at"][5:7]
            + "/"
            + item["created_at"][:4]
        )
        for post in item["posts"]:
            assert Mastodon.get_status_length(post["text"]) <= 200
            assert post["facets"] == []
    note_posts = by_id[ids["note"]]["posts"]
    assert len(note_posts) > 2
    assert [p["text"].split("\n\n")[0][-6:] for p in note_posts] == [
        f" ({k}/{len(note_posts)})" for k in range(1, len(note_posts) + 1)
    ]


def test_plan_preview_without_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, ids = _archive(tmp_path)
    code, out, _ = _run(capsys, str(path), "--to", "bluesky")
    assert code == 0
    assert out.startswith("Plan for Bluesky: 8 items (a tweet, or a thread) → ")
    assert f"── thread {ids['thread']} · 2024-12-21 08:00:00 UTC · 3 posts" in out
    assert (
        "  [1/1] 57/300 characters, 57 bytes\n      R&D <3 : lisez https://exemple.fr/article?a=1&b=2 #presse"
    ) in out
    assert (
        "\nLeft out: 5 tweets — 1 deleted tweet, 1 older version of an edited tweet, "
        "1 tweet whose media is missing from the archive, 1 reply to others, 1 retweet.\n"
        "  (add --include-replies to post your replies to others as standalone posts)\n"
    ) in out
    posts = sum(line.startswith("  [") for line in out.splitlines())
    assert out.endswith(f"\nSending {posts} posts takes about 20 s at Bluesky's rate limits.\n")


@pytest.mark.parametrize("args", [["--max-chars", "10"], ["--image-max-bytes", "5"]])
def test_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    path, _ = _archive(tmp_path)
    code, out, err = _run(capsys, str(path), "--to", "mastodon", *args)
    assert code == 2 and out == ""
    assert err.startswith("quittex-tui: --") and "Traceback" not in err


def test_not_an_archive_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.zip"
    bogus.write_bytes(b"not a zip at all")
    code, out, err = _run(capsys, str(bogus), "--to", "bluesky", "--json")
    assert code == 2 and out == ""
    assert "notes.zip" in err and "Traceback" not in err


@pytest.mark.parametrize("target", ["bluesky", "mastodon"])
def test_demo_archive_plan_respects_every_rule(target: str, tmp_path: Path) -> None:
    with open_archive(demo_archive_path()) as archive:
        options = PlanOptions(target=target, date_footer=target == "mastodon", number_parts=True)
        plan = build_plan(archive, options, cache_dir=tmp_path)
        tweet_ids = {t.id for t in archive.tweets}
        planned = [i for item in plan.items for i in item.source_ids]
        skipped = {s.source_id for s in plan.skipped}
        assert len(planned) == len(set(planned))
        assert tweet_ids <= set(planned) | skipped  # every tweet is planned or skipped with a reason
        for tweet in archive.tweets:
            if tweet.kind.value in ("retweet", "reply"):
                assert tweet.id in skipped
    kinds = {item.kind.value for item in plan.items}
    assert {"post", "thread", "quote", "note"} <= kinds
    for item in plan.items:
        for post in item.posts:
            assert "t.co/" not in post.text and "&amp;" not in post.text and "&lt;" not in post.text
            assert post.text or post.media
            if target == "bluesky":
                assert grapheme.length(post.text) <= 300 and len(post.text.encode()) <= 3000
                data = post.text.encode()
                for facet in post.facets:
                    shown = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
                    feature = facet["features"][0]
                    assert shown.startswith("#") if "tag" in feature else feature["uri"].startswith("http")
            else:
                assert Mastodon.get_status_length(post.text) <= 500
            assert len(post.media) <= 4
            assert not ({m.kind for m in post.media} >= {"image", "video"})
            if not post.media:
                continue
            # prepared as the engine does right before sending: real files, within the network's limits
            stage = MediaStage.for_plan(plan)
            assert stage is not None
            ready = stage.prepare_post(post)
            for declared, media in zip(post.media, ready.media, strict=True):
                assert media.prepared and Path(media.path).is_file() and Path(declared.path).is_file()
                assert media.bytes == Path(media.path).stat().st_size and media.alt == declared.alt
                if media.kind == "image":
                    assert media.bytes <= (1_000_000 if target == "bluesky" else 16 * 1024 * 1024)


@pytest.mark.parametrize("target", ["bluesky", "mastodon"])
def test_the_plan_written_item_by_item_is_the_plan(target: str) -> None:
    """`plan --json` writes the plan item by item (convert.plan.write_plan_json,
    ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16: the whole plan never in memory): byte for
    byte the JSON of the whole plan."""
    import io

    import orjson

    from quittex_tui.convert.plan import plan_json_obj, write_plan_json

    options = PlanOptions(target=target, include_replies=True, date_footer=True, number_parts=True)
    with open_archive(demo_archive_path()) as archive:
        out = io.BytesIO()
        write_plan_json(archive, options, out)
        assert out.getvalue() == orjson.dumps(plan_json_obj(build_plan(archive, options)))
