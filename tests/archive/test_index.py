"""The cached index (archive/index.py, ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16): a
reopen loads it instead of parsing tweets.js; a damaged, foreign or out-of-date index is never trusted;
another archive never gets this one's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from quittex_tui.archive import index as archive_index
from quittex_tui.archive import open_archive, reader
from quittex_tui.archive.reader import Archive
from quittex_tui.archive.summary import summary_json
from tests.archive.builder import ArchiveBuilder, At, Link, Photo, Tag, Video, dt


@pytest.fixture(autouse=True)
def index_every_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real indexes are written for big archives only; these tests index the small ones they build."""
    monkeypatch.setattr(archive_index, "INDEX_MIN_BYTES", 0)


def _rich() -> ArchiveBuilder:
    b = ArchiveBuilder(generation="2023")
    b.thread(["Premier 1/3 🌍", "Deuxième 2/3", "Troisième 3/3 & fin"], at=dt(2021, 2, 1, 8))
    b.tweet(At("bob", "222"), " d’accord", reply_to="1350000000000000000", reply_user=("222", "bob"))
    b.retweet(("333", "carol"), "un long texte retweeté…")
    b.quote(("333", "carol"), "1350000000000000001", "À lire", host="x.com")
    b.tweet(
        "deux photos ", Tag("été"), media=[Photo(base="Ab-c_d.jpg"), Photo(base="gone.jpg", present=False)]
    )
    b.tweet("une vidéo", media=[Video()])
    first = b.tweet("Tom & Jerry ", Link("https://exemple.fr/article"))
    b.edit(first, "Tom & Jerry, corrigé ", Link("https://exemple.fr/article"))
    b.note_tweet("Un très long texte " * 30, at=dt(2023, 5, 1, 12))
    b.delete(b.tweet("à effacer"))
    b.follow("444", "555")
    b.follower("666")
    b.block("777")
    b.mute("888")
    b.like("999", "a liked tweet")
    return b


def _same(a: Archive, b: Archive) -> None:
    assert summary_json(a) == summary_json(b)
    assert a.tweets == b.tweets  # every field of every tweet, derived ones included
    assert a.by_id == b.by_id
    for name in (
        "fingerprint",
        "account",
        "threads",
        "following",
        "followers",
        "blocks",
        "mutes",
        "likes",
        "known_handles",
        "superseded_edit_ids",
        "deleted_ids",
        "counts",
        "warnings",
        "files",
    ):
        assert getattr(a, name) == getattr(b, name), name


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("tweets.js was parsed although a good index exists")

    monkeypatch.setattr(reader, "split_rows", refuse)


def test_reopen_loads_the_index_instead_of_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _rich().write_zip(tmp_path / "archive.zip")
    with open_archive(path, index=False) as plain, open_archive(path) as first:
        assert first.loaded_from == "read" and first.index_key
        _same(plain, first)
    assert len(list(archive_index.index_dir().glob("*.qtxidx"))) == 1
    _no_parsing(monkeypatch)
    with open_archive(path) as again:
        assert again.loaded_from == "index"
        _same(plain, again)
        # the container is still there for the media
        photo = next(m for t in again.tweets for m in t.media if m.member)
        assert again.read_member(photo.member or "")[:2] == b"\xff\xd8"
    # the same zip elsewhere (moved, or downloaded again): same content, same index
    moved = tmp_path / "ailleurs" / "twitter-archive.zip"
    moved.parent.mkdir()
    shutil.copy(path, moved)
    with open_archive(moved) as elsewhere:
        assert elsewhere.loaded_from == "index"
        assert elsewhere.source == [moved]


def test_reopen_of_an_extracted_folder_loads_the_index(tmp_path: Path) -> None:
    folder = _rich().write_dir(tmp_path / "extracted")
    with open_archive(folder) as first:
        assert first.loaded_from == "read"
        expected = summary_json(first), first.fingerprint
    with open_archive(folder) as again:
        assert again.loaded_from == "index"
        assert (summary_json(again), again.fingerprint) == expected


@pytest.mark.parametrize("damage", ["flip a payload byte", "truncate", "garbage", "empty", "other key"])
def test_a_damaged_index_is_never_trusted_and_is_rebuilt(tmp_path: Path, damage: str) -> None:
    path = _rich().write_zip(tmp_path / "archive.zip")
    with open_archive(path) as first:
        expected = summary_json(first)
        key = first.index_key
    [stored] = archive_index.index_dir().glob("*.qtxidx")
    good = stored.read_bytes()
    if damage == "flip a payload byte":
        data = bytearray(good)
        data[len(data) // 2] ^= 0x01
        stored.write_bytes(bytes(data))
    elif damage == "truncate":
        stored.write_bytes(good[: len(good) - 100])
    elif damage == "garbage":
        stored.write_bytes(os.urandom(len(good)))
    elif damage == "empty":
        stored.write_bytes(b"")
    else:  # a valid index of another archive, under this one's name
        other = tmp_path / "other.zip"
        b = _rich()
        b.tweet("une de plus")
        with open_archive(b.write_zip(other)) as second:
            [foreign] = [p for p in archive_index.index_dir().glob("*.qtxidx") if p != stored]
            assert second.index_key != key
        stored.write_bytes(foreign.read_bytes())
    assert archive_index.load(key) is None
    with open_archive(path) as again:
        assert again.loaded_from == "read"  # parsed again, right
        assert summary_json(again) == expected
    assert stored.read_bytes() == good  # and the index rebuilt, the same bytes as the first time
    with open_archive(path) as third:
        assert third.loaded_from == "index"


def test_an_index_of_an_older_version_or_reader_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _rich().write_zip(tmp_path / "archive.zip")
    with open_archive(path) as first:
        old_key = first.index_key
    # a new snapshot format: the header's version no longer matches, and the key changes with it
    monkeypatch.setattr(archive_index, "INDEX_VERSION", archive_index.INDEX_VERSION + 1)
    archive_index.reader_version.cache_clear()
    try:
        assert archive_index.load(old_key) is None
        with open_archive(path) as again:
            assert again.loaded_from == "read" and again.index_key != old_key
    finally:
        archive_index.reader_version.cache_clear()
    # a change to the reader's code (what it derives) changes the key too
    monkeypatch.setattr(archive_index, "reader_version", lambda: "another reader")
    with open_archive(path) as changed:
        assert changed.loaded_from == "read" and changed.index_key not in (old_key, "")


def test_another_archive_never_gets_this_ones_index(tmp_path: Path) -> None:
    b = _rich()
    first = b.write_zip(tmp_path / "a.zip")
    with open_archive(first) as a:
        assert a.loaded_from == "read"
    # Same members, same sizes, one character changed: only the zip directory's CRC tells them apart.
    b.tweet("le même texte, au mot près : chat")
    with open_archive(b.write_zip(tmp_path / "b1.zip")) as one:
        assert one.loaded_from == "read"
    changed = tmp_path / "b2.zip"
    shutil.copy(tmp_path / "b1.zip", changed)
    _replace_in_member(changed, "data/tweets.js", b"chat", b"chut")
    with open_archive(changed) as two:
        assert two.loaded_from == "read"
        assert any(t.full_text.endswith("chut") for t in two.tweets)
    # another account with the very same files: another key
    other = _rich()
    other.account_id = "99999999"
    with open_archive(other.write_zip(tmp_path / "c.zip")) as c:
        assert c.loaded_from == "read" and c.account.id == "99999999"


def test_an_edited_file_of_a_folder_is_read_again(tmp_path: Path) -> None:
    folder = _rich().write_dir(tmp_path / "extracted")
    with open_archive(folder) as first:
        assert first.loaded_from == "read"
    js = folder / "data" / "tweets.js"
    text = js.read_bytes()
    assert b"Tom &amp; Jerry" in text
    js.write_bytes(text.replace(b"Tom &amp; Jerry", b"Tim &amp; Jerry"))  # same size
    stat = js.stat()
    os.utime(js, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # an edit a second later
    with open_archive(folder) as again:
        assert again.loaded_from == "read"
        assert any("Tim &amp; Jerry" in t.full_text for t in again.tweets)


def test_small_archives_are_not_indexed_and_index_false_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _rich().write_zip(tmp_path / "archive.zip")
    with open_archive(path, index=False) as archive:
        assert archive.loaded_from == "read" and archive.index_key == ""
    assert not list(archive_index.index_dir().glob("*.qtxidx"))
    monkeypatch.setattr(archive_index, "INDEX_MIN_BYTES", 10**9)
    with open_archive(path) as archive:
        assert archive.index_key == ""
    assert not list(archive_index.index_dir().glob("*.qtxidx"))


def test_only_the_most_recent_indexes_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_index, "KEEP", 2)
    for n in range(4):
        b = _rich()
        b.tweet(f"archive {n}")
        with open_archive(b.write_zip(tmp_path / f"{n}.zip")):
            pass
    assert len(list(archive_index.index_dir().glob("*.qtxidx"))) == 2


def _replace_in_member(path: Path, member: str, old: bytes, new: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = {info.filename: zin.read(info) for info in zin.infolist()}
    assert len(old) == len(new) and old in members[member]
    members[member] = members[member].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            zout.writestr(name, data)
