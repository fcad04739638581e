"""A broken character in a data file is repaired and named, never a refusal of the whole archive
(docs/x-archive-format.md#quirks-that-broke-other-importers, issue 11: "One lone surrogate (`\\ud800`) in
tweets.js refuses the whole archive with 'download again' (which gives the same bytes): read it, replace the
bad character, warn with the tweet id")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.archive.jsfile import repair
from tests.archive.handmade import account_js, at, snowflake, tweet_row, write_zip

GOOD, BAD, PAIR = snowflake(at(0)), snowflake(at(10)), snowflake(at(20))


def _tweets_js(bad_text_json: str) -> bytes:
    """tweets.js with three rows; the BAD row's full_text is written as the raw JSON `bad_text_json`."""
    rows = [
        tweet_row(GOOD, at(0), "Bonjour à tous"),
        tweet_row(BAD, at(10), "PLACEHOLDER"),
        tweet_row(PAIR, at(20), "un emoji \U0001f600 entier"),
    ]
    text = "window.YTD.tweets.part0 = " + json.dumps(rows, ensure_ascii=True, indent=2)
    return text.replace('"PLACEHOLDER"', bad_text_json).encode()


def _zip(tmp_path: Path, tweets_js: bytes, **extra: bytes) -> Path:
    members: dict[str, str | bytes] = {"data/account.js": account_js(), "data/tweets.js": tweets_js}
    members.update({f"data/{name.replace('_', '-')}.js": data for name, data in extra.items()})
    return write_zip(tmp_path / "archive.zip", members)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ('"a lone high \\ud800 surrogate"', "a lone high \ufffd surrogate"),
        ('"a lone low \\udc00 one"', "a lone low \ufffd one"),
        ('"high at the end \\uD83D"', "high at the end \ufffd"),
        ('"two highs \\ud83d\\ud83d\\ude00"', "two highs \ufffd\U0001f600"),
        ('"an escaped backslash \\\\ud800 is text"', "an escaped backslash \\ud800 is text"),
    ],
)
def test_a_lone_surrogate_escape_is_replaced_and_named(tmp_path: Path, written: str, read: str) -> None:
    with open_archive(_zip(tmp_path, _tweets_js(written))) as archive:
        texts = {t.id: t.full_text for t in archive.tweets}
        assert texts[BAD] == read
        assert texts[GOOD] == "Bonjour à tous" and texts[PAIR] == "un emoji \U0001f600 entier"
        broken = [w for w in archive.warnings if "broken character" in w]
        if "\ufffd" in read:
            assert broken == [
                f"tweet {BAD}: a broken character in data/tweets.js (not valid UTF-8, or half"
                " of a UTF-16 pair) was replaced by \ufffd; check that tweet's text"
            ]
        else:
            assert broken == []  # `\\ud800` is six characters of text, not an escape


def test_bytes_that_are_not_utf8_are_replaced_and_named(tmp_path: Path) -> None:
    # A UTF-16 surrogate encoded as if it were a character (CESU-8), and a stray Latin-1 byte.
    js = _tweets_js('"MARK"').replace(b'"MARK"', b'"cesu \xed\xa0\x80 and latin1 \xe9t\xe9"')
    with open_archive(_zip(tmp_path, js)) as archive:
        texts = {t.id: t.full_text for t in archive.tweets}
        assert texts[BAD].startswith("cesu \ufffd") and "latin1 \ufffdt\ufffd" in texts[BAD]
        assert texts[GOOD] == "Bonjour à tous"
        assert any(w.startswith(f"tweet {BAD}: a broken character") for w in archive.warnings)


def test_a_broken_character_in_a_small_file_names_the_file(tmp_path: Path) -> None:
    note = {
        "noteTweet": {
            "noteTweetId": "1",
            "createdAt": "2024-12-20T09:00:00.000Z",
            "core": {"text": "PLACEHOLDER", "urls": [], "mentions": [], "hashtags": []},
        }
    }
    note_js = ("window.YTD.note_tweet.part0 = " + json.dumps([note])).replace('"PLACEHOLDER"', '"x\\udfff"')
    path = _zip(tmp_path, _tweets_js('"ok"'), note_tweet=note_js.encode())
    with open_archive(path) as archive:
        named = [w for w in archive.warnings if w.startswith("data/note-tweet.js in ")]
        assert len(named) == 1 and "broken character" in named[0]


def test_inspect_reads_it_exit_0_and_says_which_tweet(tmp_path: Path) -> None:
    path = _zip(tmp_path, _tweets_js('"un caract\\u00e8re cass\\ud800"'))
    proc = subprocess.run(
        [sys.executable, "-m", "quittex_tui", "inspect", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["counts"]["tweets"] == 3
    assert any(BAD in w and "broken character" in w for w in out["warnings"])


def test_repair_changes_nothing_else() -> None:
    assert repair(b'["ok", "\\ud83d\\ude00", "\\\\ud800"]') is None  # nothing broken: nothing to repair
    assert repair(b'["\\ud800"]') == b'["\\ufffd"]'
    # a damaged file that is not about characters stays damaged: the caller reports it
    assert repair(b'["unterminated') is None
