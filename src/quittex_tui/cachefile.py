"""Checked cache files: what the app keeps in the XDG cache to save time, never trusted blindly.

Used by the archive index (archive/index.py) and the TUI's plan summaries (tui/plan_store.py). A file is
a fixed header — magic, format version, the key it was written for, the SHA-256 and length of the payload
— then the payload. A file that is short, foreign, of another version or key, or whose payload does not
hash right reads as absent: the caller rebuilds it. Writes are atomic (fileio.atomic_write), and only the
most recently used files of a kind are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
from pathlib import Path

from quittex_tui.fileio import atomic_write

_HEADER = struct.Struct(">8sI64s32sQ")  # magic, version, key (64 hex), sha256 of payload, payload length


def pack(magic: bytes, version: int, key: str, payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).digest()
    return _HEADER.pack(magic, version, key.encode(), digest, len(payload)) + payload


def unpack(data: bytes, magic: bytes, version: int, key: str) -> memoryview | None:
    """The payload of `data` if it is a sound file of this magic, version and key, else None."""
    if len(data) < _HEADER.size:
        return None
    found_magic, found_version, found_key, digest, length = _HEADER.unpack_from(data)
    if found_magic != magic or found_version != version or found_key != key.encode():
        return None
    payload = memoryview(data)[_HEADER.size :]
    if len(payload) != length or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def read(path: Path, magic: bytes, version: int, key: str) -> memoryview | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = unpack(data, magic, version, key)
    if payload is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: kept by prune()
    return payload


def write(path: Path, magic: bytes, version: int, key: str, payload: bytes, *, keep: int) -> bool:
    """Write atomically, then keep the `keep` most recent files of the same suffix; False if the cache
    cannot be written (never an error: a cache only saves time)."""
    try:
        atomic_write(path, pack(magic, version, key, payload))
    except OSError:
        return False
    prune(path.parent, path.suffix, keep, spare=path)
    return True


def prune(folder: Path, suffix: str, keep: int, spare: Path | None = None) -> None:
    try:
        found = [(p.stat().st_mtime, p) for p in folder.glob(f"*{suffix}")]
    except OSError:
        return
    found.sort(reverse=True)
    for _mtime, path in found[keep:]:
        if path != spare:
            with contextlib.suppress(OSError):
                path.unlink()
