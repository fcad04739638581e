"""Typed models of what an X archive holds, after reading and deriving.

Spec: ../shared/x-archive-format.md (the archive generations and the quirks real archives have).
Indices in the entity models are **code points into the still-HTML-escaped `full_text`**, exactly as the
archive gives them; text work (convert/) does all entity surgery on the escaped text, then unescapes once.

These models are the contract between the reader and everything after it (plan, engine, TUI,
audience). The reader builds them with `model_construct` on the hot path (100k tweets) after checking
the raw shapes itself, so keep fields simple and defaults cheap.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="ignore")


class TweetKind(StrEnum):
    ORIGINAL = "original"  # a standalone post, or the root of a self-thread
    THREAD = "thread"  # a continuation of one's own self-thread
    REPLY = "reply"  # a reply to someone else (or an @-post / a self-reply in another's conversation)
    RETWEET = "retweet"  # "RT @user: …" (the archive has no flag; detected from the text)
    QUOTE = "quote"  # links to twitter.com|x.com/<user>/status/<id>


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    GIF = "animated_gif"


class Mention(_Model):
    screen_name: str
    user_id: str | None = None  # absent / "-1" in some rows
    name: str = ""
    start: int
    end: int


class UrlEntity(_Model):
    url: str  # the t.co link as it stands in the text
    expanded_url: str  # the real target; post this, never display_url (truncated with …)
    display_url: str = ""
    start: int
    end: int


class Hashtag(_Model):
    text: str  # without '#'
    start: int
    end: int


class Media(_Model):
    media_id: str
    kind: MediaKind
    url: str  # the t.co link in full_text that stands for the media (remove it from the text)
    media_url: str  # media_url_https (photos: the file's base name comes from it)
    # Archive member path of the file (e.g. "data/tweets_media/123-AbC.jpg"), None when missing.
    member: str | None = None
    # For videos/GIFs: the highest-bitrate mp4 variant URL (the file is named after its basename).
    video_url: str | None = None
    duration_ms: int | None = None  # video_info.duration_millis when given
    width: int | None = None  # from sizes.large / original_info when given
    height: int | None = None


class Tweet(_Model):
    id: str
    created_at: datetime  # timezone-aware (UTC)
    full_text: str  # as in the archive: HTML-escaped, with t.co links and leading @handles
    display_start: int = 0  # display_text_range in code points (usually the whole text)
    display_end: int = 0
    lang: str = ""
    in_reply_to_status_id: str | None = None
    in_reply_to_user_id: str | None = None
    in_reply_to_screen_name: str | None = None
    mentions: list[Mention] = Field(default_factory=list)
    urls: list[UrlEntity] = Field(default_factory=list)
    hashtags: list[Hashtag] = Field(default_factory=list)
    symbols: list[Hashtag] = Field(default_factory=list)  # cashtags, same shape
    media: list[Media] = Field(default_factory=list)  # extended_entities.media (all of them)
    favorite_count: int = 0
    retweet_count: int = 0
    # Edits: every version's id, oldest first (edit_info); the reader keeps only the last version and
    # records the earlier ids here so the plan can report them as skipped "edited".
    edit_ids: list[str] = Field(default_factory=list)
    # Note tweets (long posts): the complete text from note-tweet.js, replacing the cut full_text.
    # `note_text` is NOT HTML-escaped (note-tweet.js stores plain text); its entities index into it.
    note_text: str | None = None
    note_urls: list[UrlEntity] = Field(default_factory=list)
    note_mentions: list[Mention] = Field(default_factory=list)
    note_hashtags: list[Hashtag] = Field(default_factory=list)
    # Derived by the reader:
    kind: TweetKind = TweetKind.ORIGINAL
    thread_root: str | None = None  # for ORIGINAL roots and THREAD continuations of a self-thread
    quoted_url: str | None = None  # for QUOTE: the twitter.com/x.com status URL
    warnings: list[str] = Field(default_factory=list)  # e.g. "photo 123-abc.jpg missing from the archive"


class Like(_Model):
    tweet_id: str
    full_text: str = ""
    expanded_url: str = ""


class Account(_Model):
    id: str
    username: str
    display_name: str = ""
    bio: str = ""
    website: str = ""
    location: str = ""
    created_at: datetime | None = None
    avatar_member: str | None = None  # archive member path under data/profile_media/, if present
    header_member: str | None = None


class ArchiveCounts(_Model):
    """The `counts` object of `inspect --json` (see issue: Foundation and the X archive reader)."""

    tweets: int = 0
    originals: int = 0
    thread_posts: int = 0
    replies: int = 0
    retweets: int = 0
    quotes: int = 0
    note_tweets: int = 0
    edited: int = 0
    deleted: int = 0
    media: int = 0
    missing_media: int = 0
    following: int = 0
    followers: int = 0
    blocks: int = 0
    mutes: int = 0
    likes: int = 0
