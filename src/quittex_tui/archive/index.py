"""The cached index: what the reader derived from an archive, kept so a reopen skips tweets.js entirely.

A cached index for reopen (ARCHITECTURE.md#the-data-models-and-who-builds-them; issue 16). A migration at the
networks' rate limits takes days, so the same archive is opened many times; parsing 140 MB of JavaScript per
100k tweets each time is waste. The first full read writes a **snapshot** of the `Archive` (tweets with
everything derived: kinds, threads, edits, notes, media members, warnings; people, likes, counts, account) to
the XDG cache; a reopen loads it.

- **Keyed** by the archive's content as its container tells it without reading a byte of data: every
  member's name and size, plus its `Container.identity` (a zip directory's CRC-32; for an extracted
  folder, the file's mtime/ctime/inode — a folder has no CRC, and reading every file to hash it would cost
  what the index saves). The same zip moved or downloaded again hits the same index; a different archive
  never can (its names, sizes or CRCs differ).
- **Versioned**: the key includes `INDEX_VERSION` and a hash of the reader's own source files
  (archive/*.py), so any change to the format of the snapshot or to what the reader derives makes a new
  key: old snapshots are simply never found again (and pruned).
- **Verified** (quittex_tui/cachefile.py): the file starts with a magic, the key it was written for and
  the SHA-256 of its payload; a file that is short, foreign, for another key or whose payload does not
  hash right is ignored (and rebuilt by the caller). msgspec then decodes the payload into the typed
  Structs, so a payload of the wrong shape is refused too.
- **Written atomically** (fileio.atomic_write: temp file, fsync, rename), so a kill leaves no half file.
- **Bounded**: only archives whose tweet files are big enough to be worth it are indexed
  (`INDEX_MIN_BYTES`; a small archive parses faster than its index is checked), and only the
  `KEEP` most recently used snapshots stay in the cache.

The payload is msgpack (msgspec), uncompressed: loading 100k tweets takes a fraction of a second, and
the snapshot is about half the size of the tweets' JavaScript.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from quittex_tui import cachefile, paths
from quittex_tui.archive.container import Container
from quittex_tui.archive.models import Account, ArchiveCounts, Like, Tweet

INDEX_VERSION = 1
INDEX_MIN_BYTES = 4 * 1024 * 1024  # tweet files smaller than this are read every time
KEEP = 8  # snapshots kept in the cache (most recently used first)
MAGIC = b"QTXINDEX"
SUFFIX = ".qtxidx"


class Snapshot(msgspec.Struct, kw_only=True, gc=False):
    """Everything an `Archive` holds that the reader derived (not the container: it is reopened)."""

    fingerprint: str
    account: Account
    tweets: list[Tweet]
    threads: list[list[str]]
    following: list[str]
    followers: list[str]
    blocks: list[str]
    mutes: list[str]
    likes: list[Like]
    known_handles: dict[str, str]
    superseded_edit_ids: list[str]
    deleted_ids: list[str]
    counts: ArchiveCounts
    warnings: list[str]
    files: dict[str, list[str]]
    # The warnings (the archive's and the tweets') as catalogue records, so a reopen shows them in the
    # user's language too (quittex_tui/notice.py); the strings above are their English text.
    notices: list[tuple[str, dict[str, Any]]] = []


# enc_hook: a warning is a `Notice` (a str subclass msgspec does not take): stored as its text.
_ENCODER = msgspec.msgpack.Encoder(enc_hook=str)
_DECODER = msgspec.msgpack.Decoder(Snapshot)


@lru_cache(maxsize=1)
def reader_version() -> str:
    """A hash of the reader's source (archive/*.py): any change to what it derives changes the key."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(f"index-v{INDEX_VERSION}\0msgspec-{msgspec.__version__}\0".encode())
    for path in sorted(here.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def index_dir() -> Path:
    return paths.cache_dir() / "index"


def worth_indexing(container: Container, tweet_files: Iterable[str]) -> bool:
    return sum(container.size(n) for n in tweet_files) >= INDEX_MIN_BYTES


def index_key(container: Container, account_id: str) -> str:
    """The key of this archive's snapshot: reader version + every member's name, size and identity."""
    h = hashlib.sha256(f"{reader_version()}\0{account_id}\0".encode())
    for name in sorted(container.names()):
        h.update(f"{name}\0{container.size(name)}\0{container.identity(name)}\n".encode())
    return h.hexdigest()


def _path(key: str) -> Path:
    return index_dir() / f"{key[:32]}{SUFFIX}"


def load(key: str) -> Snapshot | None:
    """The snapshot stored for `key`, or None if there is none or it cannot be trusted."""
    payload = cachefile.read(_path(key), MAGIC, INDEX_VERSION, key)
    if payload is None:
        return None
    try:
        return _DECODER.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def save(key: str, snapshot: Snapshot) -> Path | None:
    """Write the snapshot (atomically); None when the cache cannot be written (never an error: the index
    only saves time)."""
    path = _path(key)
    written = cachefile.write(path, MAGIC, INDEX_VERSION, key, _ENCODER.encode(snapshot), keep=KEEP)
    return path if written else None
