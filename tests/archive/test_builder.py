"""The test-archive builder itself must write what real archives hold (docs/x-archive-format.md)."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

from tests.archive.builder import (
    ArchiveBuilder,
    At,
    Link,
    Tag,
    compose,
    dt,
    snowflake,
    snowflake_time,
    x_date,
)


def test_entity_indices_count_code_points_of_the_escaped_text() -> None:
    text, ents = compose("Tom & Jerry 🐭 ", Link("https://ex.fr/a"), " ", At("bob", "22"), " ", Tag("été"))
    assert text.startswith("Tom &amp; Jerry 🐭 https://t.co/")
    url = ents["urls"][0]
    start, end = (int(i) for i in url["indices"])
    assert start == len("Tom &amp; Jerry 🐭 ")  # the &amp; shifts the link by 4, the emoji counts 1
    assert text[start:end] == url["url"]
    m = ents["user_mentions"][0]
    assert text[int(m["indices"][0]) : int(m["indices"][1])] == "@bob"
    h = ents["hashtags"][0]
    assert text[int(h["indices"][0]) : int(h["indices"][1])] == "#été"
    assert all(isinstance(i, str) for i in url["indices"])  # every number is a string


def test_snowflake_round_trips_the_millisecond() -> None:
    when = dt(2024, 12, 21, 9, 0, 5, ms=321)
    tid = snowflake(when, 17)
    assert snowflake_time(tid) == when
    assert int(tid) & 0xFFF == 17
    assert int(snowflake(when + timedelta(milliseconds=1))) > int(tid)


def test_generations_write_their_own_layout(tmp_path) -> None:
    for gen, tweets, media_dir, wrapped in [
        ("2019", "tweet.js", "tweet_media", False),
        ("2020", "tweet.js", "tweet_media", True),
        ("2022", "tweets.js", "tweets_media", True),
    ]:
        b = ArchiveBuilder(generation=gen, shuffle=False)
        tid = b.tweet("Bonjour", at=dt(2021, 5, 1, 12))
        files = b.files()
        raw = files[f"data/{tweets}"].decode()
        assert raw.startswith(f"window.YTD.{tweets[:-3]}.part0 = ")
        row = json.loads(raw.split("=", 1)[1])[0]
        assert ("tweet" in row) is wrapped
        inner = row["tweet"] if wrapped else row
        assert inner["id_str"] == tid and inner["created_at"] == x_date(dt(2021, 5, 1, 12))
        assert ("edit_info" in inner) is (gen >= "2022")
        assert ("data/manifest.js" in files) is (gen != "2019")
        assert not any(n.startswith(f"data/{media_dir}/") for n in files)  # no media added yet
    path = ArchiveBuilder(macosx=True, root_folder="top/").write_zip(tmp_path / "a.zip")
    names = zipfile.ZipFile(path).namelist()
    assert "top/data/tweets.js" in names and any(n.startswith("__MACOSX/") for n in names)
