"""A tiny reader of MP4 (ISO BMFF) headers: duration from `mvhd`, display size from the video `tkhd`, frame
rate from its sample tables, and whether the file is whole.

X archives store videos and animated GIFs as mp4 files (docs/x-archive-format.md#media-files); the plan
needs their duration (Bluesky's video service takes ≤ 3 min, docs/bluesky.md#video) and size (aspect
ratio); Mastodon refuses videos over its advertised frame rate and pixel count (docs/mastodon.md); and a
damaged or truncated file must be caught before anything is uploaded
(docs/mastodon.md#instance-limits-get-apiv2instance, issue 12: never a 2 KB "video"). Only the box headers and
sample tables are read — ISO/IEC 14496-12 §4.2 (box), §8.2.2 (mvhd), §8.3.2 (tkhd), §8.4.2 (mdhd), §8.4.3
(hdlr), §8.6.1.2 (stts), §8.7.3 (stsz), §8.7.5 (stco/co64). Garbage never raises: it gives None
(`read_mp4_info`) or a reason (`mp4_problem`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from quittex_tui.notice import Notice, notice


@dataclass(frozen=True)
class Mp4Info:
    duration_s: float | None  # None when mvhd is missing or says "unknown"
    width: int  # display size of the first video track (rotation applied), 0 when unknown
    height: int
    # The stored (coded) frame size, before the rotation matrix: what a server counts against its pixel
    # limit (Mastodon's `video_matrix_limit`). 0 when unknown.
    coded_width: int = 0
    coded_height: int = 0
    frame_rate: float | None = None  # frames per second of the video track (stts), None when unknown
    has_audio: bool = False
    rotation: int = 0  # 0, 90, 180 or 270: how the picture is turned for display (tkhd matrix)


class _Box:
    __slots__ = ("end", "start", "type")

    def __init__(self, box_type: bytes, start: int, end: int) -> None:
        self.type = box_type
        self.start = start  # first byte of the payload
        self.end = end  # one past the last byte of the payload


def _scan(data: bytes | memoryview, start: int, end: int) -> tuple[list[_Box], int]:
    """The boxes laid end to end in data[start:end], and where the scan stopped (== end when every byte
    belongs to a box; less at a header that is cut or claims more than there is)."""
    found: list[_Box] = []
    pos = start
    while pos + 8 <= end:
        size, box_type = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:  # 64-bit "largesize" follows the type
            if pos + 16 > end:
                break
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:  # the box runs to the end of its container (often a trailing mdat)
            size = end - pos
        if size < header or pos + size > end:
            break
        found.append(_Box(box_type, pos + header, pos + size))
        pos += size
    return found, pos


def _boxes(data: bytes | memoryview, start: int, end: int) -> list[_Box]:
    """The boxes laid end to end in data[start:end]; stops (keeping what it found) at a bad header."""
    return _scan(data, start, end)[0]


def _child(data: bytes | memoryview, parent: _Box, kind: bytes) -> _Box | None:
    return next((box for box in _boxes(data, parent.start, parent.end) if box.type == kind), None)


def _mvhd_duration(data: bytes | memoryview, box: _Box) -> float | None:
    version = data[box.start] if box.start < box.end else 255
    timescale: int
    duration: int
    if version == 0 and box.end - box.start >= 20:
        timescale, duration = struct.unpack_from(">II", data, box.start + 12)
        unknown = duration == 0xFFFFFFFF
    elif version == 1 and box.end - box.start >= 32:
        timescale, duration = struct.unpack_from(">IQ", data, box.start + 20)
        unknown = duration == 0xFFFFFFFFFFFFFFFF
    else:
        return None
    if timescale == 0 or unknown:
        return None
    return duration / timescale


def _rotation(a: int, b: int, c: int, d: int) -> int:
    """The display rotation a tkhd matrix describes (§8.3.2: {a b u; c d v; x y w}, 16.16 fixed point).
    Phones record portrait video as landscape frames with a 90° (or 270°) matrix."""
    if a == 0 and d == 0 and b != 0 and c != 0:
        return 90 if b > 0 else 270
    if b == 0 and c == 0 and a < 0 and d < 0:
        return 180
    return 0


def _tkhd(data: bytes | memoryview, box: _Box) -> tuple[int, int, int] | None:
    """(coded width, coded height, rotation) of a track header."""
    version = data[box.start] if box.start < box.end else 255
    # Offsets from the payload start of the 3x3 matrix and the 16.16 fixed width/height (§8.3.2).
    if version == 0:
        matrix_at, size_at = 40, 76
    elif version == 1:
        matrix_at, size_at = 52, 88
    else:
        return None
    if box.end - box.start < size_at + 8:
        return None
    width, height = struct.unpack_from(">II", data, box.start + size_at)
    a, b, _u, c, d = struct.unpack_from(">iiiii", data, box.start + matrix_at)
    return round(width / 65536), round(height / 65536), _rotation(a, b, c, d)


@dataclass
class _Track:
    handler: bytes | None = None
    size: tuple[int, int, int] | None = None  # coded width, height, rotation
    samples: int | None = None  # stsz sample_count
    sample_bytes: int = 0  # the sum of the sample sizes
    ticks: int | None = None  # stts: the sum of sample_count × sample_delta (media timescale units)
    timescale: int | None = None  # mdhd
    chunk_offsets: list[int] = field(default_factory=list)


def _full_payload(box: _Box, minimum: int) -> int | None:
    """Where a full box's fields start (after version/flags), if it holds `minimum` bytes of them."""
    return box.start + 4 if box.end - box.start >= 4 + minimum else None


def _read_stbl(data: bytes | memoryview, stbl: _Box, track: _Track) -> None:
    for box in _boxes(data, stbl.start, stbl.end):
        at = _full_payload(box, 4)
        if at is None:
            continue
        if box.type == b"stts":
            (count,) = struct.unpack_from(">I", data, at)
            if box.end - at - 4 < count * 8:
                continue
            track.ticks = 0
            for n in range(count):
                samples, delta = struct.unpack_from(">II", data, at + 4 + n * 8)
                track.ticks += samples * delta
        elif box.type == b"stsz" and box.end - at >= 8:
            size, count = struct.unpack_from(">II", data, at)
            track.samples = count
            if size:  # one size for every sample
                track.sample_bytes = size * count
            elif box.end - at - 8 >= count * 4:
                track.sample_bytes = sum(struct.unpack_from(f">{count}I", data, at + 8))
        elif box.type in (b"stco", b"co64"):
            (count,) = struct.unpack_from(">I", data, at)
            width = 4 if box.type == b"stco" else 8
            if box.end - at - 4 >= count * width:
                fmt = f">{count}{'I' if width == 4 else 'Q'}"
                track.chunk_offsets = list(struct.unpack_from(fmt, data, at + 4))


def _read_trak(data: bytes | memoryview, trak: _Box) -> _Track:
    track = _Track()
    for child in _boxes(data, trak.start, trak.end):
        if child.type == b"tkhd":
            track.size = _tkhd(data, child)
        elif child.type == b"mdia":
            for part in _boxes(data, child.start, child.end):
                # hdlr payload: version/flags (4), pre_defined (4), handler_type (4) (§8.4.3).
                if part.type == b"hdlr" and part.end - part.start >= 12:
                    track.handler = bytes(data[part.start + 8 : part.start + 12])
                elif part.type == b"mdhd" and part.end - part.start >= 24:
                    # version/flags, then creation and modification times (4 or 8 bytes each), timescale
                    at = part.start + (12 if data[part.start] == 0 else 20)
                    (track.timescale,) = struct.unpack_from(">I", data, at)
                elif part.type == b"minf":
                    stbl = _child(data, part, b"stbl")
                    if stbl is not None:
                        _read_stbl(data, stbl, track)
    return track


def _is_video(track: _Track) -> bool:
    # Audio tracks have a 0×0 tkhd; without an hdlr, a non-zero size still means video.
    size = track.size
    return size is not None and size[0] > 0 and size[1] > 0 and track.handler in (b"vide", None)


@dataclass
class _Parsed:
    top: list[_Box]
    scanned_to: int
    duration: float | None
    tracks: list[_Track]


def _parse(data: bytes) -> _Parsed | None:
    view = memoryview(data)
    top, scanned_to = _scan(view, 0, len(view))
    moov = next((box for box in top if box.type == b"moov"), None)
    if moov is None:
        return None
    duration: float | None = None
    tracks: list[_Track] = []
    for box in _boxes(view, moov.start, moov.end):
        if box.type == b"mvhd":
            duration = _mvhd_duration(view, box)
        elif box.type == b"trak":
            tracks.append(_read_trak(view, box))
    return _Parsed(top, scanned_to, duration, tracks)


def _info(parsed: _Parsed) -> Mp4Info:
    video = next((track for track in parsed.tracks if _is_video(track)), None)
    width = height = coded_w = coded_h = rotation = 0
    fps: float | None = None
    if video is not None and video.size is not None:
        coded_w, coded_h, rotation = video.size
        width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
        if video.samples and video.ticks and video.timescale:
            fps = video.samples * video.timescale / video.ticks
    audio = any(track.handler == b"soun" for track in parsed.tracks)
    return Mp4Info(
        duration_s=parsed.duration,
        width=width,
        height=height,
        coded_width=coded_w,
        coded_height=coded_h,
        frame_rate=round(fps, 3) if fps else None,
        has_audio=audio,
        rotation=rotation,
    )


def read_mp4_info(data: bytes) -> Mp4Info | None:
    """Duration and display size of an mp4 held in memory; None when no `moov` box can be found."""
    parsed = _parse(data)
    return _info(parsed) if parsed is not None else None


def mp4_problem(data: bytes) -> Notice | None:
    """Why `data` is not a whole, usable MP4 video, in words (a Notice: its English text for the record,
    said in the user's language by the front ends; catalogue `mp4.*`) — or None when it is one.

    A file cut short (a download or copy that stopped), or an `ftyp` box followed by garbage, is caught
    here, before any upload: its boxes do not reach the end of the file, or the media data its sample
    tables point at is not there."""
    if len(data) < 16:
        return notice("mp4.too_short", n=len(data))
    parsed = _parse(data)
    if parsed is None:
        return notice("mp4.no_moov")
    if parsed.scanned_to != len(data):
        return notice("mp4.boxes_stop", at=parsed.scanned_to, size=len(data))
    video = next((track for track in parsed.tracks if _is_video(track)), None)
    if video is None:
        return notice("mp4.no_video_track")
    mdat = sum(box.end - box.start for box in parsed.top if box.type == b"mdat")
    if not mdat:
        return notice("mp4.no_mdat")
    if not video.samples:
        return notice("mp4.no_frames")
    if video.chunk_offsets and max(video.chunk_offsets) >= len(data):
        return notice("mp4.past_end")
    if video.sample_bytes > mdat:
        return notice("mp4.frames_need", need=video.sample_bytes, have=mdat)
    return None
