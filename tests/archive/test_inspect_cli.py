"""`quittex-tui inspect PATH [--json]` through the real command line (docs/cli-json.md, `inspect`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.archive.builder import ArchiveBuilder, At, Photo, dt

KEYS = {"account", "counts", "threads", "known_handles", "warnings"}
COUNT_KEYS = {
    "tweets",
    "originals",
    "thread_posts",
    "replies",
    "retweets",
    "quotes",
    "note_tweets",
    "edited",
    "deleted",
    "media",
    "missing_media",
    "following",
    "followers",
    "blocks",
    "mutes",
    "likes",
    # extension (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13)
    "missing_media_unpublished",
}


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", "inspect", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _archive(tmp_path: Path) -> tuple[Path, ArchiveBuilder, list[str]]:
    b = ArchiveBuilder(generation="2023")
    thread = b.thread(["Un fil 🧵 1/2", "fin 2/2"], at=dt(2024, 1, 1, 9))
    b.tweet(At("bob", "222"), " réponse", reply_to="1500000000000000000", reply_user=("222", "bob"))
    b.tweet("photo manquante", media=[Photo(present=False)])
    edited = b.tweet("premier jet")
    b.edit(edited, "second jet")
    b.note_tweet("Une longue note. " * 30)
    gone = b.tweet("supprimé")
    b.delete(gone)
    b.follow("1", "2", "3")
    return b.write_zip(tmp_path / "archive.zip"), b, thread


def test_inspect_json_is_one_object_with_the_contract_keys(tmp_path) -> None:
    path, b, thread = _archive(tmp_path)
    proc = run_cli(path, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # exactly one JSON document, nothing else on stdout
    assert out.pop("schema_version") == 1  # additive: docs/cli-json.md
    assert set(out) == KEYS
    assert set(out["account"]) == {"id", "username", "display_name", "bio"}
    assert set(out["counts"]) == COUNT_KEYS
    assert all(isinstance(v, int) for v in out["counts"].values())
    c = out["counts"]
    assert (c["tweets"], c["originals"], c["thread_posts"], c["replies"]) == (6, 4, 1, 1)
    assert (c["note_tweets"], c["edited"], c["deleted"], c["media"], c["missing_media"], c["following"]) == (
        1,
        1,
        1,
        1,
        1,
        3,
    )
    assert out["threads"] == [thread]
    assert out["known_handles"] == {"222": "bob"}
    assert any("missing" in w for w in out["warnings"])
    assert out["account"]["username"] == b.username


def test_inspect_summary_for_people(tmp_path) -> None:
    path, b, _ = _archive(tmp_path)
    proc = run_cli(path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert f"@{b.username} ({b.display_name})" in text
    assert "Tweets: 6" in text and "thread posts 1 (in 1 thread)" in text  # plurals right: "1 thread"
    assert "Media: 1 file, 1 missing" in text
    assert "following 3" in text


def test_inspect_split_parts_given_together(tmp_path) -> None:
    b = ArchiveBuilder(tweet_parts=2)
    for n in range(6):
        b.tweet(f"t{n}")
    parts = b.write_split_zips(tmp_path / "s", 2)
    proc = run_cli(*parts, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["counts"]["tweets"] == 6
