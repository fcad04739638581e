"""Media of the plan: photos under each network's limits with EXIF/GPS gone, videos measured, cache reuse."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from quittex_tui import i18n
from quittex_tui.archive.models import MediaKind
from quittex_tui.convert import media as media_mod
from quittex_tui.convert.media import prepare_media, prepare_profile_image
from quittex_tui.errors import InputError
from tests.convert.media_fixtures import (
    GPS_DATUM,
    GPS_IFD,
    ROTATE_90,
    FakeArchive,
    exif_with_gps,
    jpeg_bytes,
    marked_photo,
    media,
    mp4_bytes,
    png_bytes,
)

BLUESKY_MAX = 1_000_000
MASTODON_MAX = 16 * 1024 * 1024
MEMBER = "data/tweets_media/1870000000000000001-GfAb12cd.jpg"


@pytest.fixture(scope="module")
def phone_photo() -> bytes:
    """3000×2000 stored, EXIF orientation 6 (shown 2000×3000), GPS tags, about 3 MB."""
    data = jpeg_bytes(marked_photo(3000, 2000), quality=92, exif=exif_with_gps(orientation=6))
    assert len(data) > 2_500_000  # the premise: far over Bluesky's limit, with location inside
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" in data and GPS_DATUM.encode() in data
    return data


def _cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "media"


def _prepare(data: bytes, tmp_path: Path, *, target: str = "bluesky", max_bytes: int = BLUESKY_MAX,
             member: str = MEMBER, kind: MediaKind = MediaKind.PHOTO, **kwargs: object):  # fmt: skip
    return prepare_media(
        FakeArchive({member: data}), media(member, kind), target=target, image_max_bytes=max_bytes,
        cache_dir=_cache(tmp_path), **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def _red_corner(image: Image.Image) -> str:
    """Which displayed corner holds the red block drawn at the stored top-left."""
    w, h = image.size
    corners = {
        "top-left": (5, 5),
        "top-right": (w - 6, 5),
        "bottom-left": (5, h - 6),
        "bottom-right": (w - 6, h - 6),
    }
    red = [name for name, xy in corners.items() if _is_red(image.convert("RGB").getpixel(xy))]
    assert len(red) == 1, red
    return red[0]


def _is_red(pixel: object) -> bool:
    r, g, b = pixel  # type: ignore[misc]
    return r > 200 and g < 60 and b < 60


def test_phone_photo_for_bluesky_is_rotated_stripped_and_under_the_limit(phone_photo, tmp_path):
    planned, warnings = _prepare(phone_photo, tmp_path)

    assert warnings == []
    assert planned is not None
    path = Path(planned.path)
    assert path.is_absolute() and path.parent == _cache(tmp_path).resolve()
    raw = path.read_bytes()
    assert planned.bytes == len(raw) <= BLUESKY_MAX
    assert (planned.kind, planned.mime, planned.alt) == ("image", "image/jpeg", "")
    with Image.open(path) as out:
        assert out.format == "JPEG"
        # Orientation 6 applied: the stored 3000×2000 shows as portrait, scaled to 2000 px on the long side.
        assert out.size == (planned.width, planned.height) == (1333, 2000)
        assert _red_corner(out) == "top-right"  # orientation 6 = turn 90° clockwise
        assert len(out.getexif()) == 0
        assert out.getexif().get_ifd(GPS_IFD) == {}
        assert not {"exif", "xmp", "comment"} & set(out.info)
    assert b"Exif" not in raw and b"GPS" not in raw and b"PhoneMaker" not in raw
    assert GPS_DATUM.encode() not in raw


def test_phone_photo_for_mastodon_keeps_its_size_but_loses_location(phone_photo, tmp_path):
    planned, warnings = _prepare(phone_photo, tmp_path, target="mastodon", max_bytes=MASTODON_MAX)

    assert warnings == [] and planned is not None
    raw = Path(planned.path).read_bytes()
    assert GPS_DATUM.encode() not in raw and b"Exif" not in raw
    with Image.open(planned.path) as out:
        assert out.size == (planned.width, planned.height) == (2000, 3000)  # rotated, not downscaled
        assert _red_corner(out) == "top-right"
    assert planned.bytes == len(raw) <= len(phone_photo)  # the source's own quality tables: no growth


def test_small_clean_jpeg_is_copied_unchanged(tmp_path):
    data = jpeg_bytes(marked_photo(640, 480), quality=80)

    planned, warnings = _prepare(data, tmp_path)

    assert warnings == [] and planned is not None
    assert Path(planned.path).read_bytes() == data
    assert (planned.width, planned.height, planned.bytes, planned.mime) == (640, 480, len(data), "image/jpeg")
    assert Path(planned.path).name.endswith(".jpg")


def test_small_jpeg_with_gps_is_reencoded_even_though_it_fits(tmp_path):
    data = jpeg_bytes(marked_photo(640, 480), quality=80, exif=exif_with_gps(orientation=1))
    assert GPS_DATUM.encode() in data and b"PhoneMaker" in data

    planned, _ = _prepare(data, tmp_path)

    assert planned is not None
    raw = Path(planned.path).read_bytes()
    assert raw != data and b"PhoneMaker" not in raw and b"Exif" not in raw
    assert GPS_DATUM.encode() not in raw
    with Image.open(planned.path) as out:
        assert out.size == (640, 480) and len(out.getexif()) == 0
        assert _red_corner(out) == "top-left"


def test_jpeg_comment_and_xmp_are_stripped(tmp_path):
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-place</rdf:RDF></x:xmpmeta>'
    marked_photo(320, 240).save(buffer, format="JPEG", quality=85, comment=b"shot at home", xmp=xmp)

    planned, _ = _prepare(buffer.getvalue(), tmp_path)

    assert planned is not None
    raw = Path(planned.path).read_bytes()
    assert b"shot at home" not in raw and b"secret-place" not in raw


def _alpha_png(width: int, height: int, *, noisy: bool) -> Image.Image:
    base = (
        marked_photo(width, height, noise=90.0) if noisy else Image.new("RGB", (width, height), (20, 90, 200))
    )
    image = base.convert("RGBA")
    image.paste((0, 0, 0, 0), (width // 2, 0, width, height))  # right half fully transparent
    return image


def test_png_with_transparency_stays_png_when_it_fits(tmp_path):
    data = png_bytes(_alpha_png(400, 300, noisy=False))

    planned, warnings = _prepare(data, tmp_path, member="data/tweets_media/1870000000000000001-Logo.png")

    assert warnings == [] and planned is not None
    assert planned.mime == "image/png" and Path(planned.path).suffix == ".png"
    with Image.open(planned.path) as out:
        assert out.mode == "RGBA" and out.size == (400, 300)
        assert out.getpixel((390, 10))[3] == 0 and out.getpixel((10, 10))[3] == 255


def test_png_with_transparency_too_big_becomes_jpeg_on_white(tmp_path):
    data = png_bytes(_alpha_png(1800, 1200, noisy=True))
    assert len(data) > BLUESKY_MAX

    planned, warnings = _prepare(data, tmp_path, member="data/tweets_media/1870000000000000001-Big.png")

    assert warnings == [] and planned is not None
    assert planned.mime == "image/jpeg" and planned.bytes <= BLUESKY_MAX
    with Image.open(planned.path) as out:
        assert out.format == "JPEG" and out.size == (1800, 1200)
        assert min(out.convert("RGB").getpixel((1700, 600))) > 240  # transparent → white, not black


def test_photo_that_fits_no_quality_is_downscaled_until_it_does(tmp_path):
    grain = Image.merge("RGB", [Image.effect_noise((1600, 1200), 120.0) for _ in range(3)])
    data = jpeg_bytes(grain, quality=95)

    planned, warnings = _prepare(data, tmp_path, max_bytes=150_000)

    assert warnings == [] and planned is not None
    assert planned.bytes <= 150_000
    assert planned.width < 1600 and abs(planned.width / planned.height - 4 / 3) < 0.01  # aspect kept


@pytest.mark.parametrize(
    "data",
    [b"this is not an image at all", b"\xff\xd8\xff\xe0" + b"\0" * 40, None],
    ids=["text", "jpeg-header-only", "truncated-jpeg"],
)
def test_corrupt_photo_gives_a_warning_not_an_exception(tmp_path, data):
    if data is None:
        data = jpeg_bytes(marked_photo(800, 600))[:5000]

    planned, warnings = _prepare(data, tmp_path)

    assert planned is None
    assert len(warnings) == 1 and "GfAb12cd.jpg" in warnings[0] and "left out" in warnings[0]


def test_missing_member_gives_a_warning_naming_the_file(tmp_path):
    missing = media(None)
    missing.media_url = "https://pbs.twimg.com/media/GoneFile.jpg"

    planned, warnings = prepare_media(
        FakeArchive({}), missing, target="bluesky", image_max_bytes=BLUESKY_MAX, cache_dir=_cache(tmp_path)
    )

    assert planned is None
    assert len(warnings) == 1 and "GoneFile.jpg" in warnings[0] and "missing from the archive" in warnings[0]


def test_unreadable_member_gives_a_warning(tmp_path):
    class BrokenArchive(FakeArchive):
        def read_member(self, member: str) -> bytes:
            raise OSError("CRC mismatch")

    planned, warnings = prepare_media(
        BrokenArchive({}),
        media(MEMBER),
        target="bluesky",
        image_max_bytes=BLUESKY_MAX,
        cache_dir=_cache(tmp_path),
    )

    assert planned is None and "CRC mismatch" in warnings[0] and "GfAb12cd.jpg" in warnings[0]


def test_conversion_is_deterministic_and_reused_across_runs(phone_photo, tmp_path, monkeypatch):
    calls: list[int] = []
    real_convert = media_mod._convert_image

    def counting_convert(*args, **kwargs):
        calls.append(1)
        return real_convert(*args, **kwargs)

    monkeypatch.setattr(media_mod, "_convert_image", counting_convert)

    first, _ = _prepare(phone_photo, tmp_path)
    assert first is not None
    mtime = Path(first.path).stat().st_mtime_ns
    second, _ = _prepare(phone_photo, tmp_path)
    assert second == first and len(calls) == 1  # found in the index: no decode, no encode
    assert Path(second.path).stat().st_mtime_ns == mtime

    # A fresh cache (another machine, a wiped cache) encodes again and gets the very same bytes.
    other = prepare_media(
        FakeArchive({MEMBER: phone_photo}), media(MEMBER), target="bluesky", image_max_bytes=BLUESKY_MAX,
        cache_dir=tmp_path / "elsewhere",
    )[0]  # fmt: skip
    assert other is not None and len(calls) == 2
    assert Path(other.path).name == Path(first.path).name
    assert Path(other.path).read_bytes() == Path(first.path).read_bytes()

    # Another limit is another conversion (the key holds target and limit).
    _prepare(phone_photo, tmp_path, max_bytes=500_000)
    assert len(calls) == 3


def test_a_damaged_index_entry_is_redone(phone_photo, tmp_path):
    first, _ = _prepare(phone_photo, tmp_path)
    assert first is not None
    Path(first.path).unlink()  # e.g. the user cleaned the cache by hand
    for entry in (_cache(tmp_path) / "index").iterdir():
        entry.write_text("{not json")

    again, warnings = _prepare(phone_photo, tmp_path)

    assert warnings == [] and again == first and Path(again.path).is_file()


def test_video_is_copied_with_duration_and_size(tmp_path):
    data = mp4_bytes(seconds=12.5, width=1280, height=720)
    member = "data/tweets_media/1870000000000000001-wZwdl2psWVDiB7ej.mp4"

    planned, warnings = _prepare(data, tmp_path, member=member, kind=MediaKind.VIDEO)

    assert warnings == [] and planned is not None
    assert Path(planned.path).read_bytes() == data and Path(planned.path).suffix == ".mp4"
    assert (planned.kind, planned.mime, planned.duration_s) == ("video", "video/mp4", 12.5)
    assert (planned.width, planned.height, planned.bytes) == (1280, 720, len(data))


def test_gif_is_kept_as_mp4_video_of_kind_gif(tmp_path):
    data = mp4_bytes(seconds=3.2, width=480, height=270, version=1, moov_last=True)
    member = "data/tweets_media/1870000000000000001-Gif123.mp4"

    planned, warnings = _prepare(data, tmp_path, member=member, kind=MediaKind.GIF)

    assert warnings == [] and planned is not None
    assert (planned.kind, planned.duration_s, planned.width, planned.height) == ("gif", 3.2, 480, 270)


def test_portrait_phone_video_reports_its_displayed_size(tmp_path):
    data = mp4_bytes(width=1920, height=1080, matrix=ROTATE_90)

    planned, _ = _prepare(data, tmp_path, member="data/tweets_media/1-Portrait.mp4", kind=MediaKind.VIDEO)

    assert planned is not None and (planned.width, planned.height) == (1080, 1920)


def test_garbage_video_is_kept_with_a_warning_and_archive_facts(tmp_path):
    member = "data/tweets_media/1870000000000000001-Broken.mp4"
    archive = FakeArchive({member: b"\x00\x00\x00\x02garbage" * 100})
    broken = media(member, MediaKind.VIDEO, width=640, height=360)

    planned, warnings = prepare_media(
        archive, broken, target="bluesky", image_max_bytes=BLUESKY_MAX, cache_dir=_cache(tmp_path)
    )

    assert planned is not None and planned.duration_s is None
    assert (planned.width, planned.height) == (640, 360)  # from the archive's sizes
    assert len(warnings) == 1 and "Broken.mp4" in warnings[0] and "duration" in warnings[0]


def test_video_over_the_targets_limits_is_kept_with_warnings(tmp_path):
    data = mp4_bytes(seconds=200.0)
    member = "data/tweets_media/1870000000000000001-Long.mp4"

    planned, warnings = _prepare(data, tmp_path, member=member, kind=MediaKind.VIDEO, video_max_bytes=1000)

    assert planned is not None and planned.duration_s == 200.0
    assert any("3-minute" in w for w in warnings)
    assert any("video limit" in w for w in warnings)
    # Mastodon has no duration cap; no instance limit given → no warning.
    on_mastodon, mastodon_warnings = _prepare(data, tmp_path, target="mastodon", member=member,
                                              kind=MediaKind.VIDEO)  # fmt: skip
    assert on_mastodon is not None and mastodon_warnings == []


def test_profile_avatar_is_square_and_within_limits(phone_photo, tmp_path):
    path, width, height = prepare_profile_image(
        phone_photo, max_bytes=1_000_000, max_side=1000, cache_dir=tmp_path / "profile", square=True
    )

    assert path.is_absolute() and path.stat().st_size <= 1_000_000
    assert (width, height) == (1000, 1000)
    with Image.open(path) as out:
        assert out.size == (1000, 1000) and out.format in ("JPEG", "PNG") and len(out.getexif()) == 0
    assert GPS_DATUM.encode() not in path.read_bytes() and b"Exif" not in path.read_bytes()
    again = prepare_profile_image(
        phone_photo, max_bytes=1_000_000, max_side=1000, cache_dir=tmp_path / "profile", square=True
    )
    assert again == (path, width, height)


def test_profile_banner_keeps_its_aspect(tmp_path):
    banner = jpeg_bytes(marked_photo(3000, 1000))

    path, width, height = prepare_profile_image(
        banner, max_bytes=1_000_000, max_side=1500, cache_dir=tmp_path
    )

    assert (width, height) == (1500, 500) and path.stat().st_size <= 1_000_000


def test_profile_image_that_is_not_an_image_raises_a_readable_error(tmp_path):
    with pytest.raises(InputError, match="profile image"):
        prepare_profile_image(b"<html>nope</html>", max_bytes=1_000_000, max_side=1000, cache_dir=tmp_path)


# -- at send time (ARCHITECTURE.md#the-engine): what makes a file unusable is an error naming it --------
# (the item fails).


def _for_upload(
    data: bytes | None, tmp_path, *, kind=MediaKind.PHOTO, member=MEMBER, target="bluesky", **kwargs
):
    from quittex_tui.convert.media import prepare_for_upload

    files = {} if data is None else {member: data}
    return prepare_for_upload(
        FakeArchive(files),
        media(member, kind),
        target=target,
        image_max_bytes=BLUESKY_MAX if target == "bluesky" else MASTODON_MAX,
        cache_dir=_cache(tmp_path),
        **kwargs,
    )


def test_at_send_time_a_good_photo_is_prepared_like_for_the_plan_before(phone_photo, tmp_path):
    ready = _for_upload(phone_photo, tmp_path)
    planned, _ = _prepare(phone_photo, tmp_path)
    assert ready == planned and ready.bytes <= BLUESKY_MAX and Path(ready.path).is_file()


@pytest.mark.parametrize(
    ("data", "kind", "member", "target", "extra", "says"),
    [
        (b"<html>not a photo</html>", MediaKind.PHOTO, MEMBER, "bluesky", {}, "not an image file"),
        (None, MediaKind.PHOTO, MEMBER, "bluesky", {}, "could not be read from the archive"),
        (
            b"\x00\x00\x00\x02garbage" * 100,
            MediaKind.VIDEO,
            "data/tweets_media/1-Broken.mp4",
            "bluesky",
            {},
            "not a valid MP4",
        ),
        (
            mp4_bytes(seconds=200.0),
            MediaKind.VIDEO,
            "data/tweets_media/1-Long.mp4",
            "bluesky",
            {},
            "3-minute video limit",
        ),
        (
            mp4_bytes(seconds=5.0),
            MediaKind.VIDEO,
            "data/tweets_media/1-Big.mp4",
            "mastodon",
            {"video_max_bytes": 1000},
            "Mastodon video limit",
        ),
    ],
)
def test_at_send_time_an_unusable_file_is_an_error_naming_it(
    tmp_path, data, kind, member, target, extra, says
):
    from quittex_tui.convert.media import MediaProblem

    with pytest.raises(MediaProblem) as caught:
        _for_upload(data, tmp_path, kind=kind, member=member, target=target, **extra)
    assert Path(member).name in caught.value.reason and says in caught.value.reason
    # The same reason read by a French user (publish/media_stage.py fails the item with it): French words
    # around the file's name, never the English sentence.
    french = i18n.say(caught.value.reason, lang="fr")
    assert Path(member).name in french and "(média " in french and french != caught.value.reason, french


def test_at_send_time_a_long_video_is_fine_for_mastodon(tmp_path):
    ready = _for_upload(
        mp4_bytes(seconds=200.0),
        tmp_path,
        kind=MediaKind.VIDEO,
        member="data/tweets_media/1-Long.mp4",
        target="mastodon",
    )
    assert ready.kind == "video" and ready.duration_s == 200.0 and Path(ready.path).is_file()
