"""Test inputs built on the spot: photos with EXIF/GPS, PNGs with alpha, minimal MP4s, a stand-in archive."""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageDraw

from quittex_tui.archive.models import Media, MediaKind

ORIENTATION = 0x0112
GPS_IFD = 0x8825
GPS_DATUM = "WGS-84"


class FakeArchive:
    """Stand-in for quittex_tui.archive.Archive: only what prepare_media reads."""

    def __init__(self, members: dict[str, bytes]) -> None:
        self.members = members
        self.reads = 0

    def read_member(self, member: str) -> bytes:
        self.reads += 1
        return self.members[member]

    def member_size(self, member: str) -> int:
        return len(self.members[member])


def media(member: str | None, kind: MediaKind = MediaKind.PHOTO, **extra: object) -> Media:
    name = (member or "data/tweets_media/1-Missing.jpg").rsplit("/", 1)[-1].split("-", 1)[1]
    return Media(
        media_id="1870000000000000001",
        kind=kind,
        url="https://t.co/abc",
        media_url=f"https://pbs.twimg.com/media/{name}",
        member=member,
        **extra,  # type: ignore[arg-type]
    )


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)  # Paris
    gps[3], gps[4] = "E", (2.0, 21.0, 3.0)
    gps[0x12] = GPS_DATUM  # GPSMapDatum: an ASCII GPS value, so raw-byte checks have something to find
    return exif.tobytes()


def marked_photo(width: int, height: int, *, noise: float = 40.0) -> Image.Image:
    """A noisy colour gradient (photo-like: hard to compress) with a red block at the stored top-left."""
    x = Image.linear_gradient("L").rotate(90).resize((width, height))
    y = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), noise)
    image = Image.merge("RGB", [Image.blend(x, grain, 0.35), Image.blend(y, grain, 0.35), grain])
    ImageDraw.Draw(image).rectangle((0, 0, width // 6, height // 6), fill=(255, 0, 0))
    return image


def jpeg_bytes(image: Image.Image, *, quality: int = 92, exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    if exif is None:
        image.save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format="JPEG", quality=quality, exif=exif)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- MP4 (ISO/IEC 14496-12 boxes)

IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
ROTATE_90 = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def box(kind: bytes, payload: bytes, *, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mvhd(timescale: int, duration: int, version: int = 0) -> bytes:
    if version == 0:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    else:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    rest = struct.pack(">IH10x9i24xI", 0x10000, 0x100, *IDENTITY, 2)  # rate, volume, matrix, next id
    return box(b"mvhd", struct.pack(">B3x", version) + times + rest)


def tkhd(width: int, height: int, *, version: int = 0, matrix: tuple[int, ...] = IDENTITY) -> bytes:
    # created, modified, track id, reserved, duration
    head = struct.pack(">IIIII" if version == 0 else ">QQIIQ", 0, 0, 1, 0, 0)
    tail = struct.pack(">8xhhH2x9iII", 0, 0, 0, *matrix, width << 16, height << 16)
    return box(b"tkhd", struct.pack(">B3x", version) + head + tail)


def trak(
    width: int, height: int, handler: bytes, *, stbl: bytes = b"", timescale: int = 0, **tkhd_args: object
) -> bytes:
    hdlr = box(b"hdlr", struct.pack(">4x4x4s12x", handler) + b"\0")
    mdia = hdlr
    if timescale:
        mdia = box(b"mdhd", struct.pack(">B3xIIII", 0, 0, 0, timescale, 0) + b"\x55\xc4\0\0") + hdlr
    if stbl:
        mdia += box(b"minf", box(b"stbl", stbl))
    return box(b"trak", tkhd(width, height, **tkhd_args) + box(b"mdia", mdia))  # type: ignore[arg-type]


def sample_tables(frames: int, fps: int, mdat_size: int, chunk_offset: int) -> bytes:
    """stts (every frame 1/fps s), stsz (the mdat's bytes shared out), stco (one chunk): §8.6.1.2, §8.7."""
    sizes = [mdat_size // frames] * frames
    sizes[-1] += mdat_size - sum(sizes)
    stts = box(b"stts", struct.pack(">4xIII", 1, frames, 1000 // fps))
    stsz = box(b"stsz", struct.pack(f">4xII{frames}I", 0, frames, *sizes))
    stco = box(b"stco", struct.pack(">4xII", 1, chunk_offset))
    return stts + stsz + stco


def mp4_bytes(
    *,
    seconds: float = 12.5,
    width: int = 1280,
    height: int = 720,
    version: int = 0,
    matrix: tuple[int, ...] = IDENTITY,
    moov_last: bool = False,
    mdat_size: int = 4096,
    fps: int = 25,
) -> bytes:
    """A structurally whole MP4 (boxes, sample tables pointing into the mdat): no real pictures in it."""
    timescale = 1000
    frames = max(1, round(seconds * fps))
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mdat = box(b"mdat", bytes(range(256)) * (mdat_size // 256), large=version == 1)
    payload = len(mdat) - (mdat_size // 256) * 256

    def moov(chunk_offset: int) -> bytes:
        return box(
            b"moov",
            mvhd(timescale, round(seconds * timescale), version)
            + trak(0, 0, b"soun")  # audio first: its 0×0 size must not be taken
            + trak(
                width,
                height,
                b"vide",
                version=version,
                matrix=matrix,
                timescale=timescale,
                stbl=sample_tables(frames, fps, (mdat_size // 256) * 256, chunk_offset),
            ),
        )

    if moov_last:
        return ftyp + mdat + moov(len(ftyp) + payload)
    return ftyp + moov(len(ftyp) + len(moov(0)) + payload) + mdat
