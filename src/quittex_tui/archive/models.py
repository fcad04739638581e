"""Typed models of what an X archive holds, after reading and deriving.

Spec: docs/x-archive-format.md (the archive generations and the quirks real archives have).
Indices in the entity models are **code points into the still-HTML-escaped `full_text`**, exactly as the
archive gives them; text work (convert/) does all entity surgery on the escaped text, then unescapes once.

These models are the contract between the reader and everything after it (plan, engine, TUI,
audience). They are `msgspec.Struct`s, not pydantic models, because an archive holds up to 500k tweets
and heavy archives need bounded memory (ARCHITECTURE.md#the-data-models-and-who-builds-them):
- a Struct keeps its fields in slots (≈ 8 bytes a field) where a pydantic model keeps a dict per instance
  (≈ 1 KB for a Tweet); `gc=False` keeps them out of the cyclic collector (they never form cycles: they
  hold strings, numbers, datetimes and tuples of other Structs);
- the multi-valued fields are **tuples**, `()` by default: most tweets have no mentions, no media, no
  edits, and the empty tuple is one shared object where an empty list costs 56 bytes each, ten a tweet;
- the same Structs are what the cached index (archive/index.py) stores and loads back with msgspec.

They behave like the models they replace for every consumer: keyword construction with defaults,
attribute access and assignment (the reader derives `kind`, `thread_root`, `member`… after building),
equality by value. They do no validation: the reader checks the raw shapes itself (archive/rows.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec


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


class _Struct(msgspec.Struct, kw_only=True, gc=False, array_like=True):
    """Base of the archive models: keyword-only, slotted, untracked by the cyclic GC."""


class Mention(_Struct):
    screen_name: str
    user_id: str | None = None  # absent / "-1" in some rows
    name: str = ""
    start: int = 0
    end: int = 0


class UrlEntity(_Struct):
    url: str  # the t.co link as it stands in the text
    expanded_url: str  # the real target; post this, never display_url (truncated with …)
    display_url: str = ""
    start: int = 0
    end: int = 0


class Hashtag(_Struct):
    text: str  # without '#'
    start: int = 0
    end: int = 0


class Media(_Struct):
    media_id: str
    kind: MediaKind
    url: str  # the t.co link in full_text that stands for the media (remove it from the text)
    media_url: str  # media_url_https (photos: the file's base name comes from it)
    # Archive member path of the file (e.g. "data/tweets_media/123-AbC.jpg"), None when missing.
    member: str | None = None
    # For videos/GIFs: the highest-bitrate mp4 variant URL (the file is named after its basename).
    video_url: str | None = None
    duration_ms: int | None = None  # video_info.duration_millis when given
    width: int | None = None  # from original_info / sizes.large / the mp4 variant's "WxH" when given
    height: int | None = None


class Tweet(_Struct):
    id: str
    created_at: datetime  # timezone-aware (UTC)
    full_text: str  # as in the archive: HTML-escaped, with t.co links and leading @handles
    display_start: int = 0  # display_text_range in code points (usually the whole text)
    display_end: int = 0
    lang: str = ""
    in_reply_to_status_id: str | None = None
    in_reply_to_user_id: str | None = None
    in_reply_to_screen_name: str | None = None
    mentions: tuple[Mention, ...] = ()
    urls: tuple[UrlEntity, ...] = ()
    hashtags: tuple[Hashtag, ...] = ()
    symbols: tuple[Hashtag, ...] = ()  # cashtags, same shape
    media: tuple[Media, ...] = ()  # extended_entities.media (all of them)
    favorite_count: int = 0
    retweet_count: int = 0
    # Edits: every version's id, oldest first (edit_info); the reader keeps only the last version and
    # records the earlier ids here so the plan can report them as skipped "edited".
    edit_ids: tuple[str, ...] = ()
    # Note tweets (long posts): the complete text from note-tweet.js, replacing the cut full_text.
    # `note_text` is NOT HTML-escaped (note-tweet.js stores plain text); its entities index into it.
    note_text: str | None = None
    note_urls: tuple[UrlEntity, ...] = ()
    note_mentions: tuple[Mention, ...] = ()
    note_hashtags: tuple[Hashtag, ...] = ()
    # Derived by the reader:
    kind: TweetKind = TweetKind.ORIGINAL
    thread_root: str | None = None  # for ORIGINAL roots and THREAD continuations of a self-thread
    quoted_url: str | None = None  # for QUOTE: the twitter.com/x.com status URL
    warnings: tuple[str, ...] = ()  # e.g. "photo 123-abc.jpg missing from the archive"
    # X's `possibly_sensitive` (rows with media or links; absent elsewhere): the author or X marked the
    # tweet's media sensitive. Carried to Mastodon's `sensitive` and a Bluesky self-label
    # (docs/mastodon.md#posting-a-status-post-apiv1statuses, issue 12).
    possibly_sensitive: bool = False


class Like(_Struct):
    tweet_id: str
    full_text: str = ""
    expanded_url: str = ""


class Account(_Struct):
    id: str = ""
    username: str = ""
    display_name: str = ""
    bio: str = ""
    website: str = ""
    location: str = ""
    created_at: datetime | None = None
    avatar_member: str | None = None  # archive member path under data/profile_media/, if present
    header_member: str | None = None


class ArchiveCounts(_Struct):
    """The `counts` object of `inspect --json` (docs/cli-json.md, `inspect`).
    Field order is the JSON's key order: keep it."""

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
    # Extension (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13): of `missing_media`
    # (every media file missing), those of retweets and replies, which the plan does not publish (replies only
    # with --include-replies): the plan misses the others.
    missing_media_unpublished: int = 0

    def as_dict(self) -> dict[str, int]:
        return msgspec.structs.asdict(self)
