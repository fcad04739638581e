"""The MP4 header reader: mvhd duration (version 0/1), video tkhd size, box layouts, garbage."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from quittex_tui.convert.mp4 import read_mp4_info
from tests.convert.media_fixtures import ROTATE_90, box, mp4_bytes, mvhd


def test_version_0_boxes():
    info = read_mp4_info(mp4_bytes(seconds=61.25, width=1280, height=720, version=0))
    assert info is not None
    assert (info.duration_s, info.width, info.height) == (61.25, 1280, 720)


def test_version_1_boxes_with_64_bit_mdat_and_moov_at_the_end():
    info = read_mp4_info(mp4_bytes(seconds=7.5, width=720, height=1280, version=1, moov_last=True))
    assert info is not None
    assert (info.duration_s, info.width, info.height) == (7.5, 720, 1280)


def test_rotation_matrix_swaps_the_displayed_size():
    info = read_mp4_info(mp4_bytes(width=1920, height=1080, matrix=ROTATE_90))
    assert info is not None and (info.width, info.height) == (1080, 1920)


def test_trailing_box_of_size_zero_runs_to_the_end():
    data = mp4_bytes(seconds=2.0, moov_last=False)
    data += struct.pack(">I4s", 0, b"free") + b"\0" * 100  # size 0: "to the end of the file"
    info = read_mp4_info(data)
    assert info is not None and info.duration_s == 2.0


def test_unknown_duration_and_zero_timescale_are_none():
    all_ones = box(b"moov", mvhd(1000, 0xFFFFFFFF))
    zero_scale = box(b"moov", mvhd(0, 5000))
    for data in (all_ones, zero_scale):
        info = read_mp4_info(data)
        assert info is not None and info.duration_s is None and (info.width, info.height) == (0, 0)


def test_no_moov_is_none():
    assert read_mp4_info(b"") is None
    assert read_mp4_info(b"GIF89a" + b"\0" * 64) is None
    assert read_mp4_info(box(b"ftyp", b"isom") + box(b"mdat", b"\0" * 32)) is None


def test_truncated_file_keeps_what_it_can():
    data = mp4_bytes(seconds=4.0)
    moov_at = data.index(b"moov") - 4
    assert read_mp4_info(data[: moov_at + 20]) is None  # moov header claims more than is there


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=300))
def test_garbage_never_raises(noise: bytes, cut: int):
    # Random bytes, and a valid file with random bytes spliced in: a result or None, never an exception.
    valid = mp4_bytes(seconds=1.0, mdat_size=256)
    for data in (noise, valid[:cut] + noise + valid[cut + len(noise) :]):
        info = read_mp4_info(data)
        assert info is None or info.duration_s is None or info.duration_s >= 0
