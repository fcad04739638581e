"""The one scrubber (publish/scrub.py): known secrets and secret-shaped strings never leave memory."""

from __future__ import annotations

from quittex_tui.scrub import REDACTED, Scrubber

JWT = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImNvbS5hdHByb3RvLmFjY2VzcyJ9.c2lnbmF0dXJl"


def test_known_secrets_in_every_spelling_and_secret_shapes_are_redacted() -> None:
    scrub = Scrubber()
    scrub.add("app-pass word/1", None, "ab")  # None and too-short values are ignored
    text = (
        '{"error": "you sent Authorization: Bearer N2GdTL2a5zcc3vLqeg and password app-pass word/1, '
        "app-pass%20word%2F1 in a URL, " + JWT + ' and access_token=Zm9vYmFyYmF6cXV4"}'
    )
    out = scrub(text)
    for leaked in ("N2GdTL2a5zcc3vLqeg", "app-pass word/1", "app-pass%20word%2F1", JWT, "Zm9vYmFyYmF6cXV4"):
        assert leaked not in out
    assert out.count(REDACTED) == 5 and "you sent Authorization: Bearer" in out


def test_ordinary_text_is_left_alone() -> None:
    scrub = Scrubber()
    scrub.add("s3cr3t-token-value")
    text = "Mastodon rejected the request: Validation failed: Text is too long (HTTP 422) — été 🎉"
    assert scrub(text) == text
