"""prepare_media on real archives read by the real reader: a built one, and the bundled demo archive."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from quittex_tui.archive import open_archive
from quittex_tui.archive.models import MediaKind
from quittex_tui.convert.media import prepare_media, prepare_profile_image
from quittex_tui.demo import demo_archive_path
from tests.archive.builder import ArchiveBuilder, Photo, Video
from tests.convert.media_fixtures import (
    GPS_DATUM,
    GPS_IFD,
    exif_with_gps,
    jpeg_bytes,
    marked_photo,
    mp4_bytes,
)

BLUESKY_MAX = 1_000_000


def test_built_archive_media_through_the_reader(tmp_path):
    builder = ArchiveBuilder()
    photo = jpeg_bytes(marked_photo(2400, 1600), quality=92, exif=exif_with_gps(orientation=8))
    builder.tweet("Avec photo", media=[Photo(base="GfAb-12_cd.jpg", data=photo), Photo(present=False)])
    builder.tweet("Une vidéo", media=[Video(base="wZwdl2psWVDiB7ej.mp4", data=mp4_bytes(seconds=42.0))])
    cache = tmp_path / "media"

    with open_archive(builder.write_zip(tmp_path / "archive.zip")) as archive:
        media = [m for tweet in archive.tweets for m in tweet.media]
        results = [
            prepare_media(archive, m, target="bluesky", image_max_bytes=BLUESKY_MAX, cache_dir=cache)
            for m in media
        ]

    (converted, w1), (missing, w2), (video, w3) = results
    assert converted is not None and w1 == []
    assert converted.bytes <= BLUESKY_MAX and (converted.width, converted.height) == (
        1333,
        2000,
    )  # orientation 8
    assert GPS_DATUM.encode() not in Path(converted.path).read_bytes()
    assert missing is None and len(w2) == 1 and "missing" in w2[0]
    assert video is not None and w3 == [] and (video.kind, video.duration_s) == ("video", 42.0)
    assert [m.kind for m in media] == [MediaKind.PHOTO, MediaKind.PHOTO, MediaKind.VIDEO]


def test_demo_archive_media(tmp_path):
    """The demo's phone photo (3000×2000, orientation 6, GPS over Lyon) comes out upright, small and clean;
    its other media pass through unchanged; its missing photo is reported."""
    cache = tmp_path / "media"
    with open_archive(demo_archive_path()) as archive:
        pairs = [
            (m, archive.read_member(m.member) if m.member else None)
            for tweet in archive.tweets
            for m in tweet.media
        ]
        results = [
            prepare_media(archive, m, target="bluesky", image_max_bytes=BLUESKY_MAX, cache_dir=cache)
            for m, _ in pairs
        ]
        avatar = archive.read_member(archive.account.avatar_member or "")

    exif_photos = 0
    for (media, source), (planned, warnings) in zip(pairs, results, strict=True):
        if source is None:
            assert planned is None and "missing from the archive" in warnings[0]
            continue
        assert planned is not None and warnings == []
        output = Path(planned.path).read_bytes()
        if media.kind != MediaKind.PHOTO:
            assert output == source and planned.duration_s and planned.duration_s > 0
            continue
        assert planned.bytes == len(output) <= BLUESKY_MAX and max(planned.width, planned.height) <= 2000
        with Image.open(Path(planned.path)) as image:
            assert len(image.getexif()) == 0
        with Image.open(io.BytesIO(source)) as original:
            has_gps = bool(original.getexif().get_ifd(GPS_IFD))
        if has_gps:
            exif_photos += 1
            assert output != source and b"Exif" not in output
            assert (planned.width, planned.height) == (1333, 2000)  # portrait once orientation 6 is applied
        else:
            assert output == source  # clean and small: copied as it is
    assert exif_photos == 1

    path, width, height = prepare_profile_image(
        avatar, max_bytes=BLUESKY_MAX, max_side=1000, cache_dir=tmp_path / "profile", square=True
    )
    assert path.stat().st_size <= BLUESKY_MAX and width == height <= 1000
