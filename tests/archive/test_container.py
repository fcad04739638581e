"""Zip, split zips, extracted folder — same archive, same reading (docs/x-archive-format.md#container)."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from quittex_tui.archive import container as container_mod
from quittex_tui.archive import open_archive
from quittex_tui.archive.summary import summary_json
from quittex_tui.errors import ArchiveError
from tests.archive.builder import ArchiveBuilder, Photo, dt


def _sample() -> ArchiveBuilder:
    b = ArchiveBuilder(generation="2023", tweet_parts=3, people_parts=2)
    ids = b.thread(["Un fil 1/3", "deux 2/3", "trois 3/3"], at=dt(2023, 4, 1, 10))
    b.tweet("une photo", media=[Photo()])
    for n in range(12):
        b.tweet(f"tweet numéro {n} ✨")
    b.follow(*(str(9000 + n) for n in range(7)))
    b.follower("1", "2", "3")
    b.like(ids[0], "liked")
    return b


def test_zip_split_zips_and_folder_read_the_same(tmp_path) -> None:
    b = _sample()
    zipped = open_archive(b.write_zip(tmp_path / "one.zip"))
    folder = open_archive(b.write_dir(tmp_path / "extracted"))
    parts = b.write_split_zips(tmp_path / "split", 3)
    split = open_archive(list(reversed(parts)))  # parts in any order
    try:
        expected = summary_json(zipped)
        assert expected["counts"]["tweets"] == 16 and expected["counts"]["following"] == 7
        assert summary_json(folder) == expected
        assert summary_json(split) == expected
        # the same content gives the same fingerprint whatever the container
        assert zipped.fingerprint == folder.fingerprint == split.fingerprint
        assert len(zipped.fingerprint) == 64
        assert [t.id for t in folder.tweets] == [t.id for t in zipped.tweets]
        assert split.source == sorted(parts)
    finally:
        for a in (zipped, folder, split):
            a.close()


def test_split_parts_found_from_part_one_or_their_folder(tmp_path) -> None:
    b = _sample()
    parts = b.write_split_zips(tmp_path / "split", 3)
    with open_archive(parts[0]) as from_first, open_archive(tmp_path / "split") as from_folder:
        assert from_first.source == parts == from_folder.source
        assert from_first.counts.tweets == from_folder.counts.tweets == 16


def test_fingerprint_changes_with_content(tmp_path) -> None:
    b = _sample()
    with (
        open_archive(b.write_zip(tmp_path / "a.zip")) as first,
        open_archive(b.write_zip(tmp_path / "b.zip")) as again,
    ):
        assert first.fingerprint == again.fingerprint
    b.tweet("one more")
    with open_archive(b.write_zip(tmp_path / "c.zip")) as changed:
        assert changed.fingerprint != first.fingerprint


def test_top_folder_macosx_and_viewer_are_harmless(tmp_path) -> None:
    b = _sample()
    b.macosx = True
    b.root_folder = "twitter-2025-01-02-abc/"
    with open_archive(b.write_zip(tmp_path / "a.zip")) as archive:
        assert archive.counts.tweets == 16
        assert not any("__MACOSX" in n or n.rsplit("/", 1)[-1].startswith("._") for n in archive.members())
        assert "data/tweets.js" in archive.members()


def test_folder_shapes_data_dir_and_wrapping_folder(tmp_path) -> None:
    b = _sample()
    root = b.write_dir(tmp_path / "outer" / "twitter-archive")
    with open_archive(root / "data") as via_data, open_archive(tmp_path / "outer") as via_outer:
        assert via_data.counts.tweets == via_outer.counts.tweets == 16


def test_members_are_read_in_memory(tmp_path) -> None:
    b = ArchiveBuilder()
    tid = b.tweet("photo", media=[Photo(width=30, height=20)])
    with open_archive(b.write_zip(tmp_path / "a.zip")) as archive:
        member = archive.by_id[tid].media[0].member
        assert member is not None and member.startswith("data/tweets_media/")
        data = archive.read_member(member)
        assert data[:2] == b"\xff\xd8"  # a JPEG
        assert archive.member_size(member) == len(data)
        with pytest.raises(ArchiveError, match="not in the archive"):
            archive.read_member("data/nope.js")


def test_entry_escaping_the_archive_is_refused(tmp_path) -> None:
    path = ArchiveBuilder().write_zip(tmp_path / "a.zip")
    for evil in ("../../etc/evil.js", "/etc/passwd", "data/../../x.js", "C:/Windows/x.js", "..\\x.js"):
        bad = tmp_path / "bad.zip"
        shutil.copy(path, bad)
        with zipfile.ZipFile(bad, "a") as zf:
            zf.writestr(evil, b"x")
        with pytest.raises(ArchiveError, match="escapes the archive") as err:
            open_archive(bad)
        assert str(bad) in err.value.message


def test_zip_bomb_by_ratio_is_refused_before_unpacking(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(container_mod, "BOMB_MIN_BYTES", 1024 * 1024)
    b = ArchiveBuilder()
    b.tweet("x")
    b.extra_file("data/direct-messages.js", b"\0" * (4 * 1024 * 1024))  # compresses ~1000x
    with pytest.raises(ArchiveError, match="zip bomb"):
        open_archive(b.write_zip(tmp_path / "bomb.zip"))


def test_member_over_the_hard_cap_is_refused(tmp_path, monkeypatch) -> None:
    b = ArchiveBuilder()
    for n in range(50):
        b.tweet(f"tweet {n}")
    path = b.write_zip(tmp_path / "a.zip")
    monkeypatch.setattr(container_mod, "MAX_MEMBER_BYTES", 2000)
    with pytest.raises(ArchiveError, match="zip bomb"):
        open_archive(path)


def test_symlink_out_of_the_folder_is_refused(tmp_path) -> None:
    root = ArchiveBuilder().write_dir(tmp_path / "x")
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (root / "data" / "tweets.js").unlink()
    (root / "data" / "tweets.js").symlink_to(secret)
    with pytest.raises(ArchiveError, match="outside the archive folder"):
        open_archive(root)
