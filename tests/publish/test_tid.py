"""TIDs derived from tweets: valid syntax, deterministic, distinct and ordered (atproto TID spec)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from quittex_tui.publish import tid
from tests.publish.target_helpers import snowflake

T0 = datetime(2024, 12, 20, 9, 0, 5, tzinfo=UTC)


def test_encoding_matches_the_reference_layout() -> None:
    # 53-bit µs timestamp << 10 | clock id, big-endian base32-sortable, 13 chars.
    us = 1_700_000_000_123_456
    key = tid.encode_tid(us, 17)
    assert len(key) == 13 and tid.is_valid_tid(key)
    n = 0
    for ch in key:
        n = n * 32 + tid.ALPHABET.index(ch)
    assert n == (us << 10) | 17
    assert tid.decode_tid(key) == (us, 17)


@given(st.integers(min_value=0, max_value=tid.MAX_TIMESTAMP_US), st.integers(min_value=0, max_value=1023))
def test_roundtrip_and_syntax(us: int, clock: int) -> None:
    key = tid.encode_tid(us, clock)
    assert tid.TID_RE.fullmatch(key)
    assert tid.decode_tid(key) == (us, clock)


@given(
    st.integers(min_value=0, max_value=tid.MAX_TIMESTAMP_US - 1),
    st.integers(min_value=0, max_value=1023),
    st.integers(min_value=0, max_value=1023),
)
def test_sort_order_is_time_order(us: int, c1: int, c2: int) -> None:
    assert tid.encode_tid(us, c1) < tid.encode_tid(us + 1, c2)


def test_invalid_tids_are_rejected() -> None:
    for bad in ["", "3ldpzjr3vu2f", "3ldpzjr3vu2fvv", "zzzzzzzzzzzzz", "3LDPZJR3VU2FV", "3ldpzjr3vu2f1"]:
        assert not tid.is_valid_tid(bad)


def test_snowflake_time_is_used_with_ms_precision() -> None:
    ms = int(T0.timestamp() * 1000) + 789
    sid = snowflake(ms, 5)
    assert tid.snowflake_ms(sid) == ms
    assert tid.original_time(sid, T0) == datetime.fromtimestamp(ms / 1000, tz=UTC)
    us, _ = tid.decode_tid(tid.post_tid(sid, T0, 0))
    assert us == ms * 1000
    assert tid.iso_created_at(tid.original_time(sid, T0)) == "2024-12-20T09:00:05.789Z"


def test_key_is_deterministic_and_pure() -> None:
    sid = snowflake(int(T0.timestamp() * 1000) + 1)
    assert tid.post_tid(sid, T0, 2) == tid.post_tid(sid, T0, 2)
    # the same snowflake tweet gets the same key whether the caller passes its own time or its item's
    later = T0 + timedelta(minutes=3)
    sid_later = snowflake(int(later.timestamp() * 1000) + 250)
    assert tid.post_tid(sid_later, T0, 1) == tid.post_tid(sid_later, later, 1)


def test_same_second_tweets_and_posts_of_one_item_are_distinct_and_ordered() -> None:
    base = int(T0.timestamp() * 1000)
    a, b = snowflake(base + 100), snowflake(base + 400)  # two tweets in the same second
    keys = [tid.post_tid(a, T0, 0), tid.post_tid(a, T0, 1), tid.post_tid(a, T0, 2), tid.post_tid(b, T0, 0)]
    assert keys == sorted(keys) and len(set(keys)) == 4
    # a thread: the continuation, passed with its item's time, sorts after the root's split parts
    c = snowflake(base + 3_600_000)
    assert tid.post_tid(c, T0, 3) > keys[2]


def test_non_snowflake_ids_fall_back_to_created_at() -> None:
    # pre-2010 sequential ids and invented ids carry no time
    keys = [tid.post_tid("20", T0, i) for i in range(5)] + [tid.post_tid("21", T0, 0)]
    assert all(tid.is_valid_tid(k) for k in keys)
    assert len(set(keys)) == 6
    assert keys[:5] == sorted(keys[:5])
    us, _ = tid.decode_tid(keys[0])
    assert us // 1_000_000 == int(T0.timestamp())
    assert tid.original_time("20", T0) == T0
    # a snowflake that contradicts created_at (dated before it) is not trusted either
    early = snowflake(int((T0 - timedelta(days=30)).timestamp() * 1000))
    assert tid.original_time(early, T0) == T0


@given(
    st.integers(min_value=1, max_value=29_000_000_000),
    st.lists(st.integers(min_value=0, max_value=1_023_999), min_size=2, max_size=30, unique=True),
)
def test_many_old_tweets_in_one_second_get_distinct_keys(base: int, offsets: list[int]) -> None:
    # sequential pre-snowflake ids of one second lie within far fewer than 1,024,000 of each other
    keys = {tid.post_tid(str(base + o), T0, 0) for o in offsets}
    assert len(keys) == len(offsets)
