"""The fast constructor makes the same objects as pydantic validation would."""

from __future__ import annotations

from datetime import UTC, datetime

from quittex_tui.archive.construct import construct
from quittex_tui.archive.models import Mention, Tweet, TweetKind


def test_construct_equals_validated_model() -> None:
    values = {"screen_name": "bob", "user_id": "22", "name": "Bob", "start": 0, "end": 4}
    built = construct(Mention, dict(values))
    assert built == Mention(**values)
    assert built.model_dump() == values
    built.name = "Robert"  # assignment still works and stays per instance
    assert built.name == "Robert" and construct(Mention, dict(values)).name == "Bob"


def test_construct_tweet_with_every_field() -> None:
    full = Tweet(id="1", created_at=datetime(2024, 1, 1, tzinfo=UTC), full_text="x")
    built = construct(Tweet, full.model_dump())
    assert built == full
    assert built.kind is TweetKind.ORIGINAL
    assert set(built.model_dump()) == set(Tweet.model_fields)
