"""`.js` data files: strip up to the first `=`, parse JSON, never rely on layout.

Spec: docs/x-archive-format.md#the-js-data-files."""

from __future__ import annotations

import pytest

from quittex_tui.archive.jsfile import parse_js, parse_rows
from quittex_tui.errors import ArchiveError

ROW = b'{"tweet" : {"id_str" : "1", "full_text" : "a = b"}}'


@pytest.mark.parametrize(
    "raw",
    [
        b"window.YTD.tweets.part0 = [ " + ROW + b" ]",  # pre-2022: `= [ {`
        b"window.YTD.tweets.part0 = [\n  " + ROW + b"\n]",  # 2022+: `= [\n  {`, no newline at the end
        b"window.YTD.tweets.part0=\r\n\t[" + ROW + b"]\t;\r\n",  # re-saved: any whitespace, trailing `;`
        b"window.YTD.tweets.part0 = [" + ROW + b"];",
        b"\xef\xbb\xbfwindow.YTD.tweets.part0 = [" + ROW + b"]",  # a BOM before the header
    ],
)
def test_layouts_parse_to_the_same_rows(raw: bytes) -> None:
    rows = parse_rows(raw, "data/tweets.js")
    assert rows == [{"tweet": {"id_str": "1", "full_text": "a = b"}}]  # only the FIRST `=` splits


@pytest.mark.parametrize(
    "raw", [b"window.YTD.note_tweet.part0 = [ ]", b"window.YTD.x.part0 = []", b"", b"  \n"]
)
def test_empty_and_blank_files_are_empty_lists(raw: bytes) -> None:
    assert parse_rows(raw, "data/note-tweet.js") == []


def test_manifest_object_parses() -> None:
    assert parse_js(b'window.__THAR_CONFIG = {"userInfo": {"accountId": "1"}}', "data/manifest.js") == {
        "userInfo": {"accountId": "1"}
    }


@pytest.mark.parametrize(
    "raw",
    [
        b"window.YTD.tweets.part0 = [ " + ROW[:-9],  # truncated download
        b"window.YTD.tweets.part0 = ",  # nothing after `=`
        b"window.YTD.tweets.part0 = [ {'single': 'quotes'} ]",  # not JSON
        b"window.YTD.tweets.part0 = [ \xff\xfe ]",  # not UTF-8
        b"<html>not an archive file</html>",
    ],
)
def test_truncated_or_invalid_files_name_the_file(raw: bytes) -> None:
    with pytest.raises(ArchiveError) as err:
        parse_rows(raw, "data/tweets-part2.js")
    assert "data/tweets-part2.js" in err.value.message
    assert err.value.hint


def test_a_file_that_is_not_a_list_is_refused() -> None:
    with pytest.raises(ArchiveError, match="list of rows"):
        parse_rows(b'window.YTD.tweets.part0 = {"a": 1}', "data/tweets.js")


# -- iter_rows: a row file read a piece at a time (ARCHITECTURE.md#the-data-models-and-who-builds-them, issue
# 16: a 700 MB tweets.js never whole in memory) ----


def _pieces(raw: bytes, chunk: int) -> tuple[list[dict], list[bool]]:
    import io

    import msgspec

    from quittex_tui.archive.jsfile import iter_rows

    rows, flags = [], []
    for raws, repaired in iter_rows(io.BytesIO(raw), "data/tweets.js", chunk=chunk):
        rows += [msgspec.json.decode(r) for r in raws]
        flags.append(repaired)
    return rows, flags


@pytest.mark.parametrize("layout", ["pretty", "compact", "weird"])
@pytest.mark.parametrize("chunk", [16, 97, 1000, 1 << 24])
def test_rows_read_in_pieces_are_the_rows_of_the_whole_file(layout: str, chunk: int) -> None:
    from tests.archive.builder import ArchiveBuilder, At, Link, Photo

    b = ArchiveBuilder(generation="2023", layout=layout)
    for n in range(30):
        b.tweet(
            f"tweet {n} = }},\n  {{ un piège ",
            Link("https://exemple.fr/a?b=1"),
            media=[Photo()] if n % 7 else [],
        )
    b.tweet(At("bob", "22"), " réponse", reply_to="1350000000000000000", reply_user=("22", "bob"))
    raw = b.files()["data/tweets.js"]
    rows, flags = _pieces(raw, chunk)
    assert rows == parse_rows(raw, "data/tweets.js") and len(rows) == 31
    assert not any(flags)
    if layout != "compact" and chunk < len(raw):
        assert len(flags) > 1  # really read in several pieces


def test_a_truncated_file_read_in_pieces_is_refused_naming_it() -> None:
    from tests.archive.builder import ArchiveBuilder

    b = ArchiveBuilder(generation="2023")
    for n in range(30):
        b.tweet(f"tweet {n}")
    raw = b.files()["data/tweets.js"]
    with pytest.raises(ArchiveError, match=r"data/tweets\.js is truncated or not valid JSON"):
        _pieces(raw[: len(raw) * 2 // 3], 200)


def test_a_broken_character_in_a_later_piece_is_repaired_there() -> None:
    from tests.archive.builder import ArchiveBuilder

    b = ArchiveBuilder(generation="2023")
    for n in range(30):
        b.tweet(f"tweet {n} MARK{n}")
    raw = b.files()["data/tweets.js"].replace(b"MARK25", b"\\ud800")
    rows, flags = _pieces(raw, 300)
    texts = [r["tweet"]["full_text"] for r in rows]
    assert any(t.endswith("\ufffd") for t in texts) and len(rows) == 30
    assert flags.count(True) == 1 and not flags[0]
