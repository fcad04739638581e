"""The bundled demo archive: present, reproducible, and read back as it was designed.

The designed numbers come from the generator itself (`DEMO_FACTS` in scripts/make_demo_archive.py),
never typed here: change the story there and these tests follow.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest
from PIL import Image, ImageChops

from quittex_tui.demo import demo_archive_path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_demo_archive.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_archive", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo_archive", module)
    spec.loader.exec_module(module)
    return module


GEN = _load_script()
FACTS: dict[str, Any] = GEN.DEMO_FACTS


def _rows(zf: zipfile.ZipFile, member: str) -> list[Any]:
    raw = zf.read(member)
    return orjson.loads(raw[raw.index(b"=") + 1 :])


@pytest.fixture(scope="module")
def bundled() -> Path:
    return demo_archive_path()


def test_bundled_zip_is_a_valid_zip_within_size(bundled: Path) -> None:
    assert bundled.name == "demo-archive.zip"
    assert zipfile.is_zipfile(bundled)
    with zipfile.ZipFile(bundled) as zf:
        assert zf.testzip() is None  # every member's CRC checks out
        names = zf.namelist()
    assert names == sorted(names)
    assert "data/manifest.js" in names and "data/tweets.js" in names
    assert bundled.stat().st_size <= 6 * 1024 * 1024


def _same_member(name: str, new: bytes, old: bytes) -> bool:
    """Data files must match byte for byte. Images are compared by their decoded pixels: their bytes
    depend on the encoder (Pillow's libjpeg, the system zlib), not on the generator's logic."""
    if new == old:
        return True
    if not name.endswith((".jpg", ".jpeg", ".png")):
        return False
    with Image.open(io.BytesIO(new)) as a, Image.open(io.BytesIO(old)) as b:
        if a.size != b.size or a.mode != b.mode:
            return False
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getextrema()
    return max(high for _, high in diff) <= 8  # tolerance of different JPEG encoder builds


def test_regenerating_gives_identical_contents(bundled: Path, tmp_path: Path) -> None:
    out = tmp_path / "again.zip"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    with zipfile.ZipFile(out) as new, zipfile.ZipFile(bundled) as old:
        assert new.namelist() == old.namelist()
        differ = [n for n in new.namelist() if not _same_member(n, new.read(n), old.read(n))]
    assert not differ, (
        f"regenerated demo archive differs from the bundled one in: {differ} "
        "— run `python scripts/make_demo_archive.py` and commit the result"
    )


def test_folder_output_holds_the_same_members(bundled: Path, tmp_path: Path) -> None:
    folder = tmp_path / "extracted"
    subprocess.run([sys.executable, str(SCRIPT), "--folder", str(folder)], check=True, capture_output=True)
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(bundled) as zf:
        assert written == zf.namelist()
        for name in written:
            assert (folder / name).read_bytes() == zf.read(name), name


def test_raw_rows_follow_the_real_format(bundled: Path) -> None:
    """Spot checks of the format note's requirements on what we ship (independent of the reader)."""
    with zipfile.ZipFile(bundled) as zf:
        raw = zf.read("data/tweets.js")
        assert raw.startswith(b"window.YTD.tweets.part0 = [") and not raw.endswith(b"\n")
        rows = [r["tweet"] for r in _rows(zf, "data/tweets.js")]
        notes = _rows(zf, "data/note-tweet.js")
        assert _rows(zf, "data/deleted-note-tweet.js") == []
        media_names = {n for n in zf.namelist() if n.startswith("data/tweets_media/")}
        video = next(
            (t, m)
            for t in rows
            for m in t.get("extended_entities", {}).get("media", [])
            if m["type"] == "video"
        )
        ordered = [int(t["id_str"]) for t in rows]
        assert ordered != sorted(ordered)  # rows are not in date order, as in real archives
        for t in rows:
            text = t["full_text"]
            assert t["display_text_range"] == ["0", str(len(text))]
            assert all(isinstance(v, str) for v in (t["id_str"], t["favorite_count"], t["retweet_count"]))
            for u in t["entities"]["urls"]:  # indices in code points of the escaped text
                start, end = map(int, u["indices"])
                assert text[start:end] == u["url"]
        # the note's noteTweetId clock is a few tens of ms before its tweet's
        note_id = int(notes[0]["noteTweet"]["noteTweetId"])
        (tweet_id,) = FACTS["note_tweet_ids"]
        assert 0 < (int(tweet_id) >> 22) - (note_id >> 22) < 100
        # the video file is named after the highest-bitrate mp4 variant, with a correct mvhd duration
        tweet, media = video
        mp4s = [v for v in media["video_info"]["variants"] if "bitrate" in v]
        best = max(mp4s, key=lambda v: int(v["bitrate"]))
        member = f"data/tweets_media/{tweet['id_str']}-{best['url'].split('?')[0].rsplit('/', 1)[1]}"
        assert member in media_names
        duration = GEN.demo_media.mp4_duration_ms(zf.read(member))
        assert duration == int(media["video_info"]["duration_millis"])
        # the large photo keeps EXIF orientation 6 and GPS tags (conversion must rotate and strip them)
        from PIL import ExifTags, Image

        large = max(media_names, key=lambda n: zf.getinfo(n).file_size if n.endswith(".jpg") else 0)
        with Image.open(io.BytesIO(zf.read(large))) as img:
            exif = img.getexif()
            assert img.size == (3000, 2000)
            assert exif[ExifTags.Base.Orientation] == 6
            assert exif.get_ifd(ExifTags.IFD.GPSInfo)


def test_inspect_reports_what_was_designed(bundled: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quittex_tui", "inspect", str(bundled), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["account"] == FACTS["account"]
    assert report["counts"] == FACTS["counts"]
    assert report["threads"] == FACTS["threads"]
    handles = report["known_handles"]
    # every other person designed to be recoverable is found; the only extra allowed is the owner
    assert {k: handles.get(k) for k in FACTS["known_handles"]} == FACTS["known_handles"]
    extras = set(handles) - set(FACTS["known_handles"])
    assert extras <= {FACTS["account"]["id"]}
    assert "-1" not in handles  # a mention of a gone account carries id "-1": never paired


def test_reader_derives_each_designed_kind(bundled: Path) -> None:
    from quittex_tui.archive import open_archive

    with open_archive(bundled) as archive:
        got = {t.id: t.kind.value for t in archive.tweets}
        assert got == FACTS["kinds"]
        assert archive.deleted_ids == FACTS["deleted_ids"]
        assert archive.superseded_edit_ids == [v[0] for v in FACTS["edited_versions"]]
        (note_id,) = FACTS["note_tweet_ids"]
        assert archive.by_id[note_id].note_text and len(archive.by_id[note_id].note_text) > 800
        assert archive.account.avatar_member == FACTS["avatar_member"]
        assert archive.account.header_member == FACTS["header_member"]
        assert len(FACTS["followed_with_known_handle"]) >= 4
        assert all(i in archive.known_handles for i in FACTS["followed_with_known_handle"])
