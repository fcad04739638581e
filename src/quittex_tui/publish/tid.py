"""Deterministic atproto TIDs (record keys) derived from the source tweet.

A TID (atproto spec "Record Key" / "TID syntax") is a 64-bit integer — top bit 0, then 53 bits of
microseconds since the Unix epoch, then a 10-bit clock id — written big-endian in the base32-sortable
alphabet `234567abcdefghijklmnopqrstuvwxyz`, 13 characters. Keys sort in time order.

Why deterministic: the engine journals the key *before* sending, and on resume re-puts the same record at
the same key (`putRecord` of an identical record is a no-op), so a crash can never duplicate a post. The
key must therefore be a pure function of the plan: (source tweet id, its time, the post index).

How the 53-bit time is chosen (so posts of one item, and several tweets of the same second, get distinct
*and ordered* keys):
- X "snowflake" ids (every tweet since 2010-11-04) carry the tweet's creation time in milliseconds:
  `(id >> 22) + 1288834974657`. When that time is consistent with the `created_at` given (same second,
  or later — a thread continuation passed with its item's first time), the key uses it, plus the post
  index in the sub-millisecond microseconds (a tweet split over several posts keeps them in order).
  The record's `createdAt` uses the same time (`original_time`), so a thread's posts carry each
  tweet's own date even if the caller only knows the item's date.
- Older sequential ids (or invented ones in synthetic archives) carry no time: the key uses `created_at`'s
  second, the post index in milliseconds (index-dominant, so an item's posts stay ordered) and
  `id mod 1000` in microseconds (so tweets of the same second differ).
The clock id comes from the tweet id (a hash; for old ids its next digits): two different tweets landing on
the same microsecond still get different keys — almost always. A 10-bit clock id leaves a 1-in-1,024 chance
for two tweets of the same millisecond, and `putRecord` on a taken key would silently REPLACE the other
post. So the engine checks every key against the journal and the rest of the plan, and when one is taken
asks for `attempt` 1, 2, … (`derive_key`): the same microsecond (the order is kept) with the next clock id
on a walk hashed from (tweet id, post index) — still a pure function, so a resumed run finds the same keys;
and the journal records the key actually used (the engine reuses it first on resume).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# atproto TID syntax: first char limited so the top bit is 0.
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
TID_LEN = 13
MAX_TIMESTAMP_US = (1 << 53) - 1
MAX_CLOCK_ID = (1 << 10) - 1

# X snowflake ids: 41 bits of ms since this epoch, then 10 bits worker, 12 bits sequence.
SNOWFLAKE_EPOCH_MS = 1288834974657
# Pre-snowflake sequential ids stayed below ~3e10, i.e. under ~7.1 s of "snowflake time": anything
# decoding to less than a minute after the epoch is not a snowflake.
_SNOWFLAKE_MIN_OFFSET_MS = 60_000
# A thread continuation may be posted long after its root; beyond a year we trust `created_at` only.
_MAX_CONTINUATION = timedelta(days=366)
_INDEX_SLOTS = 1000


def encode_tid(timestamp_us: int, clock_id: int = 0) -> str:
    """Encode microseconds + clock id as a 13-character TID."""
    if not 0 <= timestamp_us <= MAX_TIMESTAMP_US:
        raise ValueError(f"TID timestamp out of range: {timestamp_us}")
    if not 0 <= clock_id <= MAX_CLOCK_ID:
        raise ValueError(f"TID clock id out of range: {clock_id}")
    n = (timestamp_us << 10) | clock_id
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(TID_LEN)))


def decode_tid(tid: str) -> tuple[int, int]:
    """(timestamp_us, clock_id) of a TID; ValueError when it is not one."""
    if not is_valid_tid(tid):
        raise ValueError(f"not a TID: {tid!r}")
    n = 0
    for ch in tid:
        n = (n << 5) | ALPHABET.index(ch)
    return n >> 10, n & MAX_CLOCK_ID


def is_valid_tid(value: str) -> bool:
    return isinstance(value, str) and TID_RE.fullmatch(value) is not None


def snowflake_ms(tweet_id: str) -> int | None:
    """The creation time (ms since the Unix epoch) encoded in an X snowflake id, or None."""
    if not tweet_id.isdigit():
        return None
    n = int(tweet_id)
    offset = n >> 22
    if offset < _SNOWFLAKE_MIN_OFFSET_MS:
        return None
    return offset + SNOWFLAKE_EPOCH_MS


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _second_ms(created_at: datetime) -> int:
    return int(_utc(created_at).timestamp()) * 1000


def _usable_snowflake_ms(source_id: str, created_at: datetime) -> int | None:
    ms = snowflake_ms(source_id)
    if ms is None:
        return None
    start = _second_ms(created_at)
    if start <= ms < start + int(_MAX_CONTINUATION.total_seconds() * 1000):
        return ms
    return None


def original_time(source_id: str, created_at: datetime) -> datetime:
    """The best-known original time of the tweet `source_id` (ms precision when its id tells it)."""
    ms = _usable_snowflake_ms(source_id, created_at)
    if ms is None:
        return _utc(created_at)
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def clock_id_for(source_id: str) -> int:
    digest = hashlib.blake2b(source_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & MAX_CLOCK_ID


def post_tid(source_id: str, created_at: datetime, index: int, attempt: int = 0) -> str:
    """The record key of post `index` of the plan item whose post comes from tweet `source_id`.

    `attempt` > 0: the next candidate when the previous one is taken by another post (see derive_key)."""
    if attempt:
        return derive_key(source_id, created_at, index, attempt)
    if index < 0:
        raise ValueError("post index must be >= 0")
    slot = min(index, _INDEX_SLOTS - 1)
    ms = _usable_snowflake_ms(source_id, created_at)
    clock = clock_id_for(source_id)
    if ms is not None:
        timestamp_us = ms * 1000 + slot
    elif source_id.isdigit():
        # id mod 1000 in the µs and the next 10 bits of the id as clock id: two ids of the same second
        # collide only if they differ by a multiple of 1,024,000 — far more tweets than X saw in a second.
        n = int(source_id)
        timestamp_us = _second_ms(created_at) * 1000 + slot * 1000 + n % 1000
        clock = (n // 1000) % (MAX_CLOCK_ID + 1)
    else:
        timestamp_us = _second_ms(created_at) * 1000 + slot * 1000 + clock % 1000
    if timestamp_us < 0:
        raise ValueError(f"tweet {source_id} is dated before 1970: no TID possible")
    return encode_tid(timestamp_us, clock)


def derive_key(source_id: str, created_at: datetime, index: int, attempt: int) -> str:
    """Candidate number `attempt` (≥ 1) for the key of this post, used when the ones before are taken.

    Keeps the first key's microsecond (so keys still sort like the posts) and walks the clock ids with an
    odd step hashed from (tweet id, post index): attempts 1 … 1,023 visit every other clock id once. Past
    that (a whole microsecond taken — never seen), the sub-millisecond digits move too, by a hash of
    (tweet id, post index, attempt)."""
    if attempt < 1:
        raise ValueError("attempt must be >= 1 (attempt 0 is post_tid itself)")
    timestamp_us, clock = decode_tid(post_tid(source_id, created_at, index))
    step = _hash(f"{source_id}:{index}") | 1  # odd: coprime with 1,024, so a full cycle
    if attempt <= MAX_CLOCK_ID:
        return encode_tid(timestamp_us, (clock + attempt * step) & MAX_CLOCK_ID)
    h = _hash(f"{source_id}:{index}:{attempt}")
    return encode_tid(timestamp_us - timestamp_us % 1000 + (h >> 10) % 1000, h & MAX_CLOCK_ID)


def _hash(seed: str) -> int:
    return int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8, person=b"qtx-rkey").digest(), "big")


def iso_created_at(dt: datetime) -> str:
    """atproto datetime string: UTC, millisecond precision, `Z` suffix (lexicon `datetime` format)."""
    dt = _utc(dt)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
