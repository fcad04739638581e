"""Bad input through the real CLI: exit 2, one message naming the file and what to do, no traceback.

The corpus is generated here, from a good archive written by the builder, then damaged
(docs/x-archive-format.md#container; exit codes: ARCHITECTURE.md#errors-and-exit-codes).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.archive.builder import ArchiveBuilder


def _good(path: Path, **options: object) -> Path:
    b = ArchiveBuilder(**options)  # type: ignore[arg-type]
    for n in range(40):
        b.tweet(f"tweet {n} — été 🌞")
    return b.write_zip(path)


def _rezip(src: Path, dst: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out = change(info.filename, zin.read(info))
            if out is not None:
                zout.writestr(out[0], out[1])
    return dst


def corrupt_zip(tmp: Path) -> tuple[Path, str]:
    good = _good(tmp / "good.zip")
    data = bytearray(good.read_bytes())
    # damage the compressed stream of data/tweets.js (its local header is followed by the deflate data)
    start = data.find(b"data/tweets.js") + len("data/tweets.js")
    for i in range(start + 40, start + 240):
        data[i] ^= 0x5A
    bad = tmp / "corrupt.zip"
    bad.write_bytes(bytes(data))
    return bad, "corrupt.zip"


def truncated_zip(tmp: Path) -> tuple[Path, str]:
    good = _good(tmp / "good.zip")
    bad = tmp / "truncated.zip"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])  # an interrupted download
    return bad, "truncated.zip"


def not_a_zip(tmp: Path) -> tuple[Path, str]:
    bad = tmp / "photo-de-vacances.zip"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    return bad, "photo-de-vacances.zip"


def folder_not_an_archive(tmp: Path) -> tuple[Path, str]:
    folder = tmp / "Documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("rien à voir")
    return folder, "Documents"


def single_js_file(tmp: Path) -> tuple[Path, str]:
    f = tmp / "tweets.js"
    f.write_text("window.YTD.tweets.part0 = [ ]")
    return f, "tweets.js"


def missing_path(tmp: Path) -> tuple[Path, str]:
    return tmp / "nowhere.zip", "nowhere.zip"


def truncated_js(tmp: Path) -> tuple[Path, str]:
    bad = _rezip(
        _good(tmp / "good.zip"),
        tmp / "truncated-js.zip",
        lambda n, d: (n, d[: len(d) * 2 // 3]) if n == "data/tweets.js" else (n, d),
    )
    return bad, "data/tweets.js"


def invalid_js(tmp: Path) -> tuple[Path, str]:
    bad = _rezip(
        _good(tmp / "good.zip", tweet_parts=2),
        tmp / "invalid-js.zip",
        lambda n, d: (
            (n, d.replace(b'"full_text"', b"full_text", 1)) if n == "data/tweets-part1.js" else (n, d)
        ),
    )
    return bad, "data/tweets-part1.js"


def path_traversal(tmp: Path) -> tuple[Path, str]:
    bad = tmp / "traversal.zip"
    _rezip(_good(tmp / "good.zip"), bad, lambda n, d: (n, d))
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("data/../../../.bashrc", b"echo owned")
    return bad, "traversal.zip"


def zip_bomb_declared(tmp: Path) -> tuple[Path, str]:
    """A member whose headers declare ~4 GB for a few bytes of compressed data."""
    bad = tmp / "bomb.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/tweets.js", b"window.YTD.tweets.part0 = [ ]")
        zf.writestr("data/direct-messages.js", b"\0" * 4096)
    data = bytearray(bad.read_bytes())
    name = b"data/direct-messages.js"
    central = data.find(b"PK\x01\x02" + bytes(data[data.find(b"PK\x01\x02") + 4 :][:0]))
    pos = 0
    while True:  # patch the uncompressed size in the local and the central headers
        pos = data.find(b"PK\x03\x04", pos)
        if pos < 0:
            break
        if data[pos + 30 : pos + 30 + len(name)] == name:
            struct.pack_into("<I", data, pos + 22, 0xFFFFFFF0)
        pos += 4
    pos = central
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        if data[pos + 46 : pos + 46 + len(name)] == name:
            struct.pack_into("<I", data, pos + 24, 0xFFFFFFF0)
        pos += 4
    bad.write_bytes(bytes(data))
    return bad, "bomb.zip"


def zip_bomb_ratio(tmp: Path) -> tuple[Path, str]:
    """A real deflate bomb: 64 MiB of zeros in ~64 KB."""
    bad = tmp / "ratio-bomb.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("data/tweets.js", b"window.YTD.tweets.part0 = [ ]")
        zf.writestr("data/like.js", b"\0" * (64 * 1024 * 1024))
    return bad, "ratio-bomb.zip"


def missing_tweets(tmp: Path) -> tuple[Path, str]:
    bad = _rezip(
        _good(tmp / "good.zip"),
        tmp / "no-tweets.zip",
        lambda n, d: None if n in ("data/tweets.js", "data/manifest.js") else (n, d),
    )
    return bad, "no-tweets.zip"


def grailbird(tmp: Path) -> tuple[Path, str]:
    bad = tmp / "tweets_2016.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("index.html", "<html></html>")
        zf.writestr("data/js/tweet_index.js", "var tweet_index = []")
        zf.writestr("data/js/tweets/2016_05.js", "Grailbird.data.tweets_2016_05 = []")
        zf.writestr("data/js/user_details.js", "var user_details = {}")
    return bad, "tweets_2016.zip"


CORPUS = [
    corrupt_zip,
    truncated_zip,
    not_a_zip,
    folder_not_an_archive,
    single_js_file,
    missing_path,
    truncated_js,
    invalid_js,
    path_traversal,
    zip_bomb_declared,
    zip_bomb_ratio,
    missing_tweets,
    grailbird,
]


@pytest.mark.parametrize("make", CORPUS, ids=[f.__name__ for f in CORPUS])
def test_bad_input_is_explained_with_exit_2(make: Callable[[Path], tuple[Path, str]], tmp_path: Path) -> None:
    path, named = make(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "quittex_tui", "inspect", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""  # no half JSON object
    assert proc.stderr.startswith("quittex-tui: ")
    assert named in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2  # a message and a hint of what to do
    if make is grailbird:
        assert "not support" in proc.stderr
    if make in (zip_bomb_declared, zip_bomb_ratio):
        assert "zip bomb" in proc.stderr
    if make is missing_tweets:
        assert "no tweets file" in proc.stderr
