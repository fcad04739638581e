"""The fast constructor of the plan's pydantic models makes the same objects as validation would, and the
archive's models are compact Structs that behave like the models they replaced
(ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import msgspec

from quittex_tui.archive.construct import construct
from quittex_tui.archive.models import Mention, Tweet, TweetKind
from quittex_tui.convert.models import SkippedTweet


def test_construct_equals_validated_model() -> None:
    values = {"source_id": "22", "reason": "retweet"}
    built = construct(SkippedTweet, dict(values))
    assert built == SkippedTweet(**values)
    assert built.model_dump() == values
    built.reason = "reply"  # assignment still works and stays per instance
    assert built.reason == "reply" and construct(SkippedTweet, dict(values)).reason == "retweet"


def test_archive_models_are_compact_structs_with_the_old_defaults() -> None:
    tweet = Tweet(id="1", created_at=datetime(2024, 1, 1, tzinfo=UTC), full_text="x")
    assert tweet.kind is TweetKind.ORIGINAL and tweet.thread_root is None and tweet.lang == ""
    # multi-valued fields default to THE empty tuple: no per-tweet empty list (56 bytes each, ten a tweet)
    assert tweet.mentions is () and tweet.media is () and tweet.warnings is ()  # noqa: F632
    assert not hasattr(tweet, "__dict__")
    assert sys.getsizeof(tweet) < 300  # slots: ~8 bytes a field (a pydantic Tweet's dict alone was ~1.2 KB)
    # equality by value, assignment per instance, a round trip through msgspec (the cached index)
    same = Tweet(id="1", created_at=datetime(2024, 1, 1, tzinfo=UTC), full_text="x")
    assert tweet == same
    same.kind = TweetKind.REPLY
    assert tweet != same and tweet.kind is TweetKind.ORIGINAL
    mention = Mention(screen_name="bob", user_id="22", start=0, end=4)
    tweet.mentions = (mention,)
    back = msgspec.msgpack.decode(msgspec.msgpack.encode(tweet), type=Tweet)
    assert back == tweet and back.mentions[0].screen_name == "bob" and back.created_at.tzinfo is not None
