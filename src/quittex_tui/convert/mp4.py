"""A tiny reader of MP4 (ISO BMFF) headers: duration from `mvhd`, display size from the video `tkhd`.

X archives store videos and animated GIFs as mp4 files (x-archive-format.md, "Media files"); the plan
needs their duration (Bluesky's video service takes ≤ 3 min, platform-limits.md) and size (aspect
ratio). Only the box headers are read — ISO/IEC 14496-12 §4.2 (box), §8.2.2 (mvhd), §8.3.2 (tkhd),
§8.4.3 (hdlr). Garbage never raises: it gives None.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Mp4Info:
    duration_s: float | None  # None when mvhd is missing or says "unknown"
    width: int  # display size of the first video track (rotation applied), 0 when unknown
    height: int


class _Box:
    __slots__ = ("end", "start", "type")

    def __init__(self, box_type: bytes, start: int, end: int) -> None:
        self.type = box_type
        self.start = start  # first byte of the payload
        self.end = end  # one past the last byte of the payload


def _boxes(data: bytes | memoryview, start: int, end: int) -> list[_Box]:
    """The boxes laid end to end in data[start:end]; stops (keeping what it found) at a bad header."""
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
    return found


def _mvhd_duration(data: bytes | memoryview, box: _Box) -> float | None:
    version = data[box.start] if box.start < box.end else 255
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


def _tkhd_size(data: bytes | memoryview, box: _Box) -> tuple[int, int] | None:
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
    width, height = round(width / 65536), round(height / 65536)
    a, b, _u, c, d = struct.unpack_from(">iiiii", data, box.start + matrix_at)
    # A 90°/270° rotation matrix (a = d = 0, b = ±c) means the picture is shown turned: phones record
    # portrait video as landscape frames plus this matrix.
    if a == 0 and d == 0 and b != 0 and c != 0:
        width, height = height, width
    return width, height


def _handler(data: bytes | memoryview, trak: _Box) -> bytes | None:
    for mdia in _boxes(data, trak.start, trak.end):
        if mdia.type != b"mdia":
            continue
        for child in _boxes(data, mdia.start, mdia.end):
            # hdlr payload: version/flags (4), pre_defined (4), handler_type (4) (§8.4.3).
            if child.type == b"hdlr" and child.end - child.start >= 12:
                return bytes(data[child.start + 8 : child.start + 12])
    return None


def read_mp4_info(data: bytes) -> Mp4Info | None:
    """Duration and display size of an mp4 held in memory; None when no `moov` box can be found."""
    view = memoryview(data)
    moov = next((box for box in _boxes(view, 0, len(view)) if box.type == b"moov"), None)
    if moov is None:
        return None
    duration: float | None = None
    size: tuple[int, int] | None = None
    for box in _boxes(view, moov.start, moov.end):
        if box.type == b"mvhd":
            duration = _mvhd_duration(view, box)
        elif box.type == b"trak" and size is None:
            children = _boxes(view, box.start, box.end)
            tkhd = next((child for child in children if child.type == b"tkhd"), None)
            if tkhd is None:
                continue
            handler = _handler(view, box)
            candidate = _tkhd_size(view, tkhd)
            # Audio tracks have a 0×0 tkhd; without an hdlr, a non-zero size still means video.
            if candidate and candidate[0] > 0 and candidate[1] > 0 and handler in (b"vide", None):
                size = candidate
    width, height = size or (0, 0)
    return Mp4Info(duration_s=duration, width=width, height=height)
