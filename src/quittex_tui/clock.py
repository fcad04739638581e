"""The one clock: `utcnow()`, an aware UTC datetime.

Every module that stamps or compares times (journal records, pacing, rate-limit resets, the state's
`updated_at`, lock files, crash reports) reads it here, so a test can reason about one clock and no module
builds a naive datetime by accident. Code that must be testable against a fake clock still takes a `now`
callable — defaulting to this one."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
