"""Tweets and a stand-in archive built as models, for the text/plan tests (no zip needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from quittex_tui.archive.models import Media, MediaKind, Mention, Tweet, TweetKind, UrlEntity

ME = "1000"
T0 = datetime(2024, 12, 20, 9, 0, 5, tzinfo=UTC)


def tweet(
    tid: str,
    text: str,
    *,
    at: datetime = T0,
    kind: TweetKind = TweetKind.ORIGINAL,
    urls: list[tuple[str, str]] | None = None,
    media: list[Media] | None = None,
    reply_to: tuple[str | None, str | None] | None = None,
    **extra: Any,
) -> Tweet:
    """A tweet whose entity indices are computed on the escaped `text`, as the archive gives them."""
    url_entities = []
    for short, expanded in urls or []:
        start = text.index(short)
        url_entities.append(
            UrlEntity(
                url=short,
                expanded_url=expanded,
                display_url=expanded[8:30] + "…",
                start=start,
                end=start + len(short),
            )
        )
    mentions = []
    for word in text.split():
        if word.startswith("@") and word[1:].isidentifier():
            start = text.index(word)
            mentions.append(Mention(screen_name=word[1:], user_id="42", start=start, end=start + len(word)))
    fields: dict[str, Any] = {
        "id": tid,
        "created_at": at,
        "full_text": text,
        "display_start": 0,
        "display_end": len(text),
        "urls": url_entities,
        "mentions": mentions,
        "media": media or [],
        "kind": kind,
    }
    if reply_to is not None:
        fields["in_reply_to_status_id"], fields["in_reply_to_user_id"] = reply_to
    fields.update(extra)
    return Tweet(**fields)


def photo(
    tco: str, n: int = 1, *, member: str | None = "data/tweets_media/x.jpg", kind: MediaKind = MediaKind.PHOTO
) -> Media:
    return Media(
        media_id=f"m{n}",
        kind=kind,
        url=tco,
        media_url=f"https://pbs.twimg.com/media/P{n}.jpg",
        member=member and member.replace("x.jpg", f"P{n}.jpg"),
    )


@dataclass
class FakeArchive:
    """What build_plan reads from quittex_tui.archive.Archive."""

    tweets: list[Tweet]
    threads: list[list[str]] = field(default_factory=list)
    superseded_edit_ids: list[str] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)

    @property
    def by_id(self) -> dict[str, Tweet]:
        return {t.id: t for t in self.tweets}

    def member_size(self, member: str) -> int:
        return 1000 + len(member)  # as the archive's directory would say it (the plan reads no file)

    def read_member(self, member: str) -> bytes:
        raise AssertionError(
            f"the plan read {member}: planning must read no media file (ARCHITECTURE.md#the-engine)"
        )
