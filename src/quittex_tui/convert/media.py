"""Media files made ready to upload: photos made to fit each network, videos and GIFs (mp4) measured and
kept as they are. Called at send time, one post ahead of the sender (publish/media_stage.py), and for a
Review preview — never for a whole plan (ARCHITECTURE.md#the-engine, issue 16: the plan reads no media file).

Rules (docs/bluesky.md#embeds, #video; docs/mastodon.md#media-post-apiv2media): Bluesky images ≤ 1,000,000
bytes, ≤ 2000 px long side, 4 per post; video ≤ 100 MB and ≤ 3 min. Mastodon: the instance's limits
(`configuration.media_attachments`). The archive side (docs/x-archive-format.md#media-files): photos are
JPEG/PNG, GIFs and videos are mp4; some files are missing from real archives — a warning, never a failure.

Privacy: photos straight off a phone carry EXIF with GPS coordinates. Any photo with EXIF, XMP, IPTC or
comments is re-encoded from its pixels (EXIF orientation applied first), so nothing but the picture and
its colour profile leaves the machine. A clean photo that already fits is copied byte for byte.

Outputs live in the one media cache of the TUI and the CLI (`media_cache_dir()`), named by the sha256 of
their own bytes. A small JSON index keyed on (source sha256, target, limits, converter version) lets a
rerun find the previous output without decoding or encoding anything. Encoding is deterministic (fixed
encoder parameters, no timestamps written), so the same input always gives the same file.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from quittex_tui.archive.models import Media, MediaKind
from quittex_tui.convert.media_facts import (
    BLUESKY_IMAGE_MAX_SIDE,
    BLUESKY_VIDEO_MAX_BYTES,
    BLUESKY_VIDEO_MAX_SECONDS,
    CONVERTER_VERSION,
    MASTODON_IMAGE_MATRIX_LIMIT,
    MediaSource,
    media_cache_dir,
    media_label,
)
from quittex_tui.convert.models import PlannedMedia
from quittex_tui.convert.mp4 import mp4_problem, read_mp4_info
from quittex_tui.errors import InputError, QuittexError, todo
from quittex_tui.fileio import atomic_write
from quittex_tui.networks import display_name
from quittex_tui.notice import Notice, notice

__all__ = [  # the limits and helpers live in media_facts (the plan needs them without Pillow)
    "BLUESKY_IMAGE_MAX_SIDE", "BLUESKY_VIDEO_MAX_BYTES", "BLUESKY_VIDEO_MAX_SECONDS", "CONVERTER_VERSION",
    "MASTODON_IMAGE_MATRIX_LIMIT", "MediaSource", "media_cache_dir", "media_label", "prepare_media",
    "prepare_profile_image",
]  # fmt: skip

_CONVERTER_VERSION = CONVERTER_VERSION
_JPEG_FIRST_QUALITY = 90
_JPEG_MIN_QUALITY = 50
_MIN_LONG_SIDE = 16  # below this an image can't be made to fit; give up with a warning

# Image.info keys that are technical, not personal; anything else (exif, xmp, comment, photoshop/IPTC,
# PNG text chunks …) triggers a re-encode that drops it.
_HARMLESS_INFO = {
    "jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "adobe", "adobe_transform",
    "progressive", "progression", "icc_profile", "transparency", "gamma", "aspect", "interlace",
    "srgb", "chromaticity", "background", "duration", "loop", "version", "extension", "default_image",
}  # fmt: skip
# JPEG APPn segments that carry no personal data: JFIF (APP0), ICC profile (APP2), Adobe (APP14).
_HARMLESS_JPEG_APPS = {("APP0", b"JFIF"), ("APP2", b"ICC_PROFILE"), ("APP14", b"Adobe")}


class MemberReader(Protocol):
    """What prepare_media needs from quittex_tui.archive.Archive."""

    def read_member(self, member: str) -> bytes: ...


class _BadImage(Exception):
    """The bytes are not a readable image (reason in args[0])."""


@dataclass(frozen=True)
class _Output:
    data: bytes | None  # None: the source bytes are kept unchanged
    ext: str  # "jpg" | "png"
    mime: str
    width: int
    height: int


# --------------------------------------------------------------------------- cache


def _store_output(cache_dir: Path, data: bytes, ext: str) -> Path:
    """Put `data` in the cache under the hash of its own bytes (kept if already there) → absolute path."""
    path = cache_dir / f"{hashlib.sha256(data).hexdigest()[:32]}.{ext}"
    if not (path.is_file() and path.stat().st_size == len(data)):
        atomic_write(path, data)
    return path


def _index_key(*parts: object) -> str:
    text = "\0".join(str(part) for part in (_CONVERTER_VERSION, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _index_get(cache_dir: Path, key: str) -> dict[str, Any] | None:
    """The cached entry for `key` if its output file is still there, intact in size."""
    try:
        entry: dict[str, Any] = json.loads((cache_dir / "index" / f"{key}.json").read_text(encoding="utf-8"))
        path = cache_dir / entry["file"]
        if path.is_file() and path.stat().st_size == entry["bytes"]:
            return entry
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no entry, or a damaged one: convert again
    return None


def _index_put(cache_dir: Path, key: str, entry: dict[str, Any]) -> None:
    (cache_dir / "index").mkdir(parents=True, exist_ok=True)
    data = json.dumps(entry, sort_keys=True).encode()
    atomic_write(cache_dir / "index" / f"{key}.json", data)


# --------------------------------------------------------------------------- images


def _open_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Over Pillow's pixel budget: a decompression bomb, treat as unreadable (it raises past 2×).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()  # header AND pixels: a truncated file fails here, not later in the encoder
        return image
    except UnidentifiedImageError as exc:  # Pillow's message names a BytesIO object: say it in words
        raise _BadImage("not an image file: no JPEG, PNG or other known format in it") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise _BadImage(str(exc) or type(exc).__name__) from exc


def _has_metadata(image: Image.Image) -> bool:
    """EXIF (orientation, GPS, camera), XMP, IPTC, comments, PNG text: anything beyond the pixels."""
    try:
        if image.getexif():
            return True
    except Exception:  # a damaged EXIF block is still metadata to strip
        return True
    if any(key not in _HARMLESS_INFO for key in image.info):
        return True
    applist = getattr(image, "applist", [])
    return any((marker, payload.split(b"\0", 1)[0]) not in _HARMLESS_JPEG_APPS for marker, payload in applist)


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, L or RGBA (the latter only when some pixel really is transparent)."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("LA", "La", "PA", "RGBa"):
        image = image.convert("RGBA")
    elif image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGB")  # CMYK, 16-bit, float …: what browsers and both networks show right
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent pixels onto white (what a light timeline shows), for JPEG."""
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _fit_size(width: int, height: int, max_side: int | None, max_pixels: int | None) -> tuple[int, int]:
    scale = 1.0
    if max_side and max(width, height) > max_side:
        scale = max_side / max(width, height)
    if max_pixels and width * height * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / (width * height))
    if scale >= 1.0:
        return width, height
    return max(1, int(width * scale)), max(1, int(height * scale))


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    # LANCZOS with a reducing gap: sharp, and fast on big phone photos; deterministic either way.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _save_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No pnginfo/exif passed: only IHDR, (iCCP), IDAT, IEND are written.
    image.save(buffer, format="PNG", compress_level=6, icc_profile=image.info.get("icc_profile"))
    return buffer.getvalue()


def _save_jpeg(image: Image.Image, icc: bytes | None, **encoder: Any) -> bytes:
    buffer = io.BytesIO()
    params: dict[str, Any] = {"optimize": True, "progressive": False, **encoder}
    if icc:
        params["icc_profile"] = icc
    image.save(buffer, format="JPEG", **params)
    return buffer.getvalue()


def _jpeg_under(image: Image.Image, icc: bytes | None, max_bytes: int) -> bytes | None:
    """The best-quality JPEG of `image` (quality 90 down to 50) that fits, else None."""
    first = _save_jpeg(image, icc, quality=_JPEG_FIRST_QUALITY, subsampling=2)
    if len(first) <= max_bytes:
        return first
    low, high, best = _JPEG_MIN_QUALITY, _JPEG_FIRST_QUALITY - 1, None
    while low <= high:  # size grows with quality: bisect for the highest quality that fits
        quality = (low + high) // 2
        data = _save_jpeg(image, icc, quality=quality, subsampling=2)
        if len(data) <= max_bytes:
            best, low = data, quality + 1
        else:
            high = quality - 1
    return best


def _convert_image(
    data: bytes,
    *,
    max_bytes: int,
    max_side: int | None,
    max_pixels: int | None = None,
    square: bool = False,
) -> _Output:
    """Decide and (if needed) re-encode. Raises _BadImage when the bytes are no image, or can't fit."""
    source = _open_image(data)
    width, height = source.size
    fmt = source.format or ""
    needs_change = (
        fmt not in ("JPEG", "PNG")
        or len(data) > max_bytes
        or (fmt == "JPEG" and source.mode not in ("L", "RGB"))
        or _has_metadata(source)
        or _fit_size(width, height, max_side, max_pixels) != (width, height)
        or (square and width != height)
    )
    if not needs_change:
        ext, mime = ("jpg", "image/jpeg") if fmt == "JPEG" else ("png", "image/png")
        return _Output(None, ext, mime, width, height)

    try:
        image = ImageOps.exif_transpose(source)
    except Exception:  # an unreadable EXIF orientation: keep the pixels as they are stored
        image = source.copy()
    icc = source.info.get("icc_profile") if source.mode in ("RGB", "RGBA", "L", "P") else None
    image = _normalise_mode(image)
    image.info = {"icc_profile": icc} if icc else {}  # drop every other info key before saving
    if square and image.width != image.height:
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))

    target = _fit_size(image.width, image.height, max_side, max_pixels)
    resized = _resize(image, target)
    resized.info = image.info

    # PNG source: stay PNG (transparency, screenshots' sharp text) when it fits.
    if fmt == "PNG" or resized.mode == "RGBA":
        png = _save_png(resized)
        if len(png) <= max_bytes:
            return _Output(png, "png", "image/png", *resized.size)

    flat = _flatten(resized)
    if (
        isinstance(source, JpegImagePlugin.JpegImageFile)
        and resized.size == source.size
        and source.mode in ("L", "RGB")
    ):
        # Only metadata to drop (or a rotation): re-use the source's own quantisation tables and chroma
        # subsampling, so the file keeps its quality and about its size.
        try:
            sampling = JpegImagePlugin.get_sampling(source)
            same = _save_jpeg(
                flat, icc, qtables=source.quantization, subsampling=sampling if sampling >= 0 else 2
            )
            if len(same) <= max_bytes:
                return _Output(same, "jpg", "image/jpeg", *flat.size)
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # unusual tables: fall through to the quality search
    current = flat
    while True:
        jpeg = _jpeg_under(current, icc, max_bytes)
        if jpeg is not None:
            return _Output(jpeg, "jpg", "image/jpeg", *current.size)
        # Even quality 50 is too big: shrink by the byte ratio (bytes ~ pixels) with a margin, from the
        # full-size image so each step resamples once.
        smallest = _save_jpeg(current, icc, quality=_JPEG_MIN_QUALITY, subsampling=2)
        scale = min(0.9, math.sqrt(max_bytes / len(smallest)) * 0.95)
        size = (max(1, int(current.width * scale)), max(1, int(current.height * scale)))
        if max(size) < _MIN_LONG_SIDE:
            raise _BadImage(f"cannot fit under {max_bytes} bytes")
        current = _resize(_flatten(image), size)


# --------------------------------------------------------------------------- public API


def _prepare_photo(
    data: bytes, media: Media, *, target: str, image_max_bytes: int, cache_dir: Path
) -> tuple[PlannedMedia | None, list[str]]:
    max_side = BLUESKY_IMAGE_MAX_SIDE if target == "bluesky" else None
    max_pixels = MASTODON_IMAGE_MATRIX_LIMIT if target == "mastodon" else None
    key = _index_key("photo", hashlib.sha256(data).hexdigest(), target, image_max_bytes, max_side, max_pixels)
    entry = _index_get(cache_dir, key)
    if entry is None:
        try:
            out = _convert_image(data, max_bytes=image_max_bytes, max_side=max_side, max_pixels=max_pixels)
        except _BadImage as exc:
            return None, [notice("media.warn.not_image", label=media_label(media), detail=str(exc))]
        path = _store_output(cache_dir, out.data if out.data is not None else data, out.ext)
        entry = {
            "file": path.name, "bytes": path.stat().st_size, "mime": out.mime,
            "width": out.width, "height": out.height, "converted": out.data is not None,
        }  # fmt: skip
        _index_put(cache_dir, key, entry)
    planned = PlannedMedia(
        path=str((cache_dir / entry["file"]).resolve()),
        kind="image",
        bytes=entry["bytes"],
        width=entry["width"],
        height=entry["height"],
        mime=entry["mime"],
    )
    return planned, []


def _prepare_video(
    data: bytes, media: Media, *, target: str, video_max_bytes: int | None, cache_dir: Path
) -> tuple[PlannedMedia | None, list[str]]:
    warnings_: list[str] = []
    label = media_label(media)
    path = _store_output(cache_dir, data, "mp4")  # kept as it is: both networks take H.264 mp4
    try:
        info = read_mp4_info(data)
    except Exception:  # the parser is defensive already; never let a strange file stop the plan
        info = None
    duration = info.duration_s if info else None
    if duration is None:
        if media.duration_ms:
            duration = media.duration_ms / 1000  # the archive's video_info.duration_millis
        warnings_.append(notice("media.warn.no_duration", label=label))
    width = info.width if info and info.width else (media.width or 0)
    height = info.height if info and info.height else (media.height or 0)

    limit_bytes = (
        video_max_bytes if video_max_bytes else (BLUESKY_VIDEO_MAX_BYTES if target == "bluesky" else 0)
    )
    if limit_bytes and len(data) > limit_bytes:
        warnings_.append(
            notice(
                "media.warn.too_big",
                label=label,
                mb=len(data) / 1e6,
                limit=round(limit_bytes / 1e6),
                network=display_name(target),
            )
        )
    if target == "bluesky" and duration is not None and duration > BLUESKY_VIDEO_MAX_SECONDS:
        warnings_.append(notice("media.warn.too_long", label=label, n=round(duration)))
    planned = PlannedMedia(
        path=str(path.resolve()),
        kind="gif" if media.kind == MediaKind.GIF else "video",
        bytes=len(data),
        width=width,
        height=height,
        mime="video/mp4",
        duration_s=round(duration, 3) if duration is not None else None,
        frame_rate=info.frame_rate if info else None,
    )
    return planned, warnings_


def prepare_media(
    archive: MemberReader,
    media: Media,
    *,
    target: str,
    image_max_bytes: int,
    cache_dir: Path,
    video_max_bytes: int | None = None,
) -> tuple[PlannedMedia | None, list[str]]:
    """One archive media → the file to upload (in `cache_dir`) and warnings. Never raises on bad media.

    `target` is "bluesky" or "mastodon"; `image_max_bytes` is 1,000,000 for Bluesky, the instance's
    image limit for Mastodon; `video_max_bytes` the instance's video limit when known (Bluesky: 100 MB).
    Returns (None, [warning]) when the file is missing from the archive or is not a usable image.
    """
    label = media_label(media)
    if media.member is None:
        return None, [notice("media.warn.missing", label=label)]
    try:
        data = archive.read_member(media.member)
    except (QuittexError, OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        return None, [notice("media.warn.unreadable", label=label, detail=str(exc))]
    cache_dir.mkdir(parents=True, exist_ok=True)
    if media.kind == MediaKind.PHOTO:
        return _prepare_photo(
            data, media, target=target, image_max_bytes=image_max_bytes, cache_dir=cache_dir
        )
    return _prepare_video(data, media, target=target, video_max_bytes=video_max_bytes, cache_dir=cache_dir)


class MediaProblem(Exception):
    """A media file that cannot be sent as it is; `reason` names the file and says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def prepare_for_upload(
    archive: MemberReader,
    media: Media,
    *,
    target: str,
    image_max_bytes: int,
    cache_dir: Path,
    video_max_bytes: int | None = None,
) -> PlannedMedia:
    """One archive media → its upload-ready file in `cache_dir`, at send time (publish/media_stage.py).

    Unlike `prepare_media`, anything that makes the file unusable is an error, raised as `MediaProblem`
    naming the file (ARCHITECTURE.md#the-engine, issue 16: it fails its item; the run goes on): a file missing
    from the archive or unreadable, a photo that does not decode (or cannot be made to fit), a video or GIF
    that is not an MP4, or over the network's size limit (`video_max_bytes`; Bluesky: 100 MB) or, on Bluesky,
    3 minutes.
    """
    label = media_label(media)
    if media.member is None:
        raise MediaProblem(notice("media.problem.missing", label=label))
    try:
        data = archive.read_member(media.member)
    except (QuittexError, OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        why = exc.message if isinstance(exc, QuittexError) else str(exc)
        raise MediaProblem(notice("media.problem.unreadable", label=label, detail=why)) from None
    cache_dir.mkdir(parents=True, exist_ok=True)
    if media.kind == MediaKind.PHOTO:
        planned, notes = _prepare_photo(
            data, media, target=target, image_max_bytes=image_max_bytes, cache_dir=cache_dir
        )
        if planned is None:
            first = notes[0] if notes else None
            detail = first.params.get("detail", "") if isinstance(first, Notice) else ""
            raise MediaProblem(notice("media.problem.not_image", label=label, detail=detail or "?"))
        return planned
    # docs/bluesky.md#video, issue 12: a damaged or truncated file (an `ftyp` box and garbage, a copy cut
    # short) is caught here, before any upload — never a 2 KB "video" on the network.
    try:
        problem = mp4_problem(data)
        info = read_mp4_info(data) if problem is None else None
    except Exception:  # the parser is defensive already; a strange file is simply not an MP4
        problem, info = notice("mp4.not_mp4"), None
    if problem is not None or info is None:
        raise MediaProblem(
            notice("media.problem.not_mp4", label=label, detail=problem or notice("mp4.not_mp4"))
        )
    limit = video_max_bytes or (BLUESKY_VIDEO_MAX_BYTES if target == "bluesky" else 0)
    if limit and len(data) > limit:
        raise MediaProblem(
            notice(
                "media.problem.too_big",
                label=label,
                mb=len(data) / 1e6,
                limit=round(limit / 1e6),
                network=display_name(target),
            )
        )
    duration = info.duration_s
    if target == "bluesky" and duration is not None and duration > BLUESKY_VIDEO_MAX_SECONDS:
        raise MediaProblem(notice("media.problem.too_long", label=label, n=round(duration)))
    planned, _notes = _prepare_video(
        data, media, target=target, video_max_bytes=video_max_bytes, cache_dir=cache_dir
    )
    assert planned is not None  # a video is always kept: its problems were raised above
    return planned


def prepare_profile_image(
    data: bytes, *, max_bytes: int, max_side: int, cache_dir: Path, square: bool = False
) -> tuple[Path, int, int]:
    """An avatar (`square=True`: centre-cropped) or banner as JPEG/PNG within the limits, metadata removed.

    Returns (absolute path in `cache_dir`, width, height). Raises InputError when the bytes are no
    usable image (the caller names which profile file it was).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _index_key("profile", hashlib.sha256(data).hexdigest(), max_bytes, max_side, square)
    entry = _index_get(cache_dir, key)
    if entry is None:
        try:
            out = _convert_image(data, max_bytes=max_bytes, max_side=max_side, square=square)
        except _BadImage as exc:
            raise InputError(
                key="error.profile.bad_picture", params={"detail": exc}, todo=[todo("picture_by_hand")]
            ) from exc
        path = _store_output(cache_dir, out.data if out.data is not None else data, out.ext)
        entry = {"file": path.name, "bytes": path.stat().st_size, "width": out.width, "height": out.height}
        _index_put(cache_dir, key, entry)
    return (cache_dir / entry["file"]).resolve(), entry["width"], entry["height"]
