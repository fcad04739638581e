"""Details found on licensed real archives (docs/x-archive-format.md#quirks-that-broke-other-importers, issue
13, "Real-archive details"): missing media counted where the plan misses them, archives without their tweets
file for the commands that do not need it, and a manifest whose announced row counts disagree with the rows
read (a partial download)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.errors import ArchiveError
from tests.archive.builder import ArchiveBuilder, At, Photo


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_missing_media_of_retweets_and_replies_are_counted_apart(tmp_path: Path) -> None:
    b = ArchiveBuilder()
    b.tweet("Une photo perdue", media=[Photo(present=False)])
    b.tweet("RT ", At("bob", "42"), ": sa photo", media=[Photo(present=False)])
    b.tweet(
        At("bob", "42"),
        " la mienne",
        reply_to="9999",
        reply_user=("42", "bob"),
        media=[Photo(present=False), Photo()],
    )
    with open_archive(b.write_dir(tmp_path / "a")) as archive:
        counts = archive.counts
        warnings = archive.warnings
    assert (counts.media, counts.missing_media, counts.missing_media_unpublished) == (4, 3, 2)
    assert "1 media file is missing from the archive; its post goes without it" in warnings
    assert any(w.startswith("2 more media files are missing from retweets and replies") for w in warnings)
    # the per-tweet detail names only what a published post misses
    assert sum(1 for w in warnings if w.startswith("tweet ") and "missing" in w) == 1
    proc = _cli("inspect", tmp_path / "a")
    assert proc.returncode == 0, proc.stderr
    assert "3 missing (2 of them in retweets and replies, not published)" in proc.stdout


def _without_tweets(tmp_path: Path) -> Path:
    b = ArchiveBuilder()
    b.tweet("bonjour")
    b.follow("1001", "1002")
    b.follower("1003")
    folder = b.write_dir(tmp_path / "partial")
    (folder / "data" / "tweets.js").unlink()
    return folder


def test_an_archive_without_tweets_is_refused_where_tweets_are_needed(tmp_path: Path) -> None:
    folder = _without_tweets(tmp_path)
    with pytest.raises(ArchiveError, match="no tweets file"):
        open_archive(folder)
    proc = _cli("plan", folder, "--to", "bluesky", "--json")
    assert proc.returncode == 2 and "no tweets file" in proc.stderr


def test_audience_and_export_follows_need_only_people_and_profile(tmp_path: Path) -> None:
    folder = _without_tweets(tmp_path)
    with open_archive(folder, tweets_required=False) as archive:
        assert archive.tweets == [] and archive.following == ["1001", "1002"]
        assert archive.counts.following == 2 and archive.account.username
        assert any("no tweets file" in w for w in archive.warnings)
    state = tmp_path / "s.toml"
    proc = _cli("audience", folder, "--state", state, "--json")
    assert proc.returncode == 0, proc.stderr
    people = json.loads(proc.stdout)["people"]
    assert {p["x_id"] for p in people} == {"1001", "1002", "1003"}
    proc = _cli("export-follows", folder, "--state", state, "--mastodon-csv", tmp_path / "f.csv")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "f.csv").read_text().startswith("Account address,")


def test_rows_missing_from_what_the_manifest_announces_are_a_warning(tmp_path: Path) -> None:
    b = ArchiveBuilder(shuffle=False)
    for n in range(5):
        b.tweet(f"tweet {n}")
    b.follow("1", "2", "3")
    folder = b.write_dir(tmp_path / "cut")
    with open_archive(folder, index=False) as archive:
        assert not any("announces" in w for w in archive.warnings)
    # a download cut short: the last tweet row and a following row are gone, the manifest still says 5 / 3
    tweets = folder / "data" / "tweets.js"
    head, _, rows = tweets.read_text().partition("=")
    kept = json.loads(rows)[:-1]
    tweets.write_text(head + "= " + json.dumps(kept))
    following = folder / "data" / "following.js"
    head, _, rows = following.read_text().partition("=")
    following.write_text(head + "= " + json.dumps(json.loads(rows)[:2]))
    with open_archive(folder, index=False) as archive:
        assert len(archive.tweets) == 4
        found = [w for w in archive.warnings if "announces" in w]
    assert found == [
        "data/following.js: the archive's manifest announces 3 rows but 2 were read (a partial or damaged "
        "download?): download the archive again from X to be sure nothing is missing",
        "data/tweets.js: the archive's manifest announces 5 rows but 4 were read (a partial or damaged "
        "download?): download the archive again from X to be sure nothing is missing",
    ]
