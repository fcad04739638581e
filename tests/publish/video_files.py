"""Real, small MP4 files for the video tests, made on the spot with no external binary.

The pictures come from scripts/demo_media.py's H.264 writer (the demo archive's videos: every frame an
I_PCM picture, muxed as ISO BMFF — real files a player decodes; checked with PyAV/FFmpeg while writing
these tests). Around it, the shapes real archives hold: a phone video recorded in landscape frames with a
90° display matrix in its track header, X's silent looping GIFs, a file cut short by a copy, and an
`ftyp` box followed by garbage.
"""

from __future__ import annotations

import importlib.util
import struct
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
# ISO/IEC 14496-12 §8.3.2 tkhd matrix {a b u; c d v; x y w}: 90° clockwise is {0 1 0; -1 0 0; 0 0 1}.
ROTATE_90 = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


@cache
def _demo_media() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_media", SCRIPTS / "demo_media.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("demo_media", module)
    spec.loader.exec_module(module)
    return module


def mp4(width: int = 320, height: int = 240, *, fps: int = 4, frames: int = 8, shade: int = 0) -> bytes:
    """A playable H.264 MP4 (`frames` / `fps` seconds); `shade` makes otherwise equal files differ."""
    return _demo_media().h264_mp4(
        width,
        height,
        fps,
        frames,
        lambda f, x, y: ((40 + 9 * x + 7 * y + 30 * f + shade) % 220 + 16, 128, 90),
    )


def gif_mp4(size: int = 64, *, shade: int = 0) -> bytes:
    """What X stores for an animated GIF: a short, silent, square H.264 MP4."""
    return mp4(size, size, fps=10, frames=12, shade=shade)


def rotated(data: bytes, matrix: tuple[int, ...] = ROTATE_90) -> bytes:
    """`data` with its video track header's display matrix replaced (how phones store portrait video)."""
    at = data.index(b"tkhd") + 4  # the payload: version/flags first
    offset = 40 if data[at] == 0 else 52
    return data[: at + offset] + struct.pack(">9i", *matrix) + data[at + offset + 36 :]


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """A copy that stopped part-way (the header is whole, the pictures are not)."""
    return data[: int(len(data) * keep)]


def ftyp_and_garbage(size: int = 2048) -> bytes:
    """An `ftyp` box and then noise: a "video" of a few KB that is nothing."""
    ftyp = struct.pack(">I4s", 24, b"ftyp") + b"isom" + struct.pack(">I", 512) + b"isomavc1"
    return ftyp + bytes((n * 131 + 17) % 256 for n in range(size))
