"""`.js` data files: strip up to the first `=`, parse JSON, never rely on layout.

Spec: x-archive-format.md § The .js data files."""

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
