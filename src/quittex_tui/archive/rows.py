"""Raw archive rows → models (the hot path: 500k tweets must convert in a few seconds, in bounded memory).

Spec: docs/x-archive-format.md#tweetsjs-rows, #note-tweetjs-rows, #people, #account-and-profile.
Rows are `{"tweet": {…}}` from 2020 on and bare tweet objects in 2018–2019 archives; every number is a
string; unknown fields are ignored; a row whose shape is unusable (no id, no date) is skipped and counted,
never fatal.

Two paths, same result:
- **typed** (the hot path): each row's JSON slice (jsfile.split_rows) is decoded by msgspec straight into
  the `_Raw*` structs below, which name only the fields the reader uses (everything else is skipped
  without being built), then turned into the models. No dict of a row ever exists;
- **dicts** (`tweet_from_row`, …): a row whose shape the typed decoder refuses (a number where a list
  belongs, an object where a string belongs: hand-edited or API-shaped data) is decoded as plain JSON
  and checked by hand, field by field, as before. One odd row never costs the others their fast path.

Strings that repeat across rows (languages, screen names, user ids, hashtags) are shared through a
`Shared` table: one object per distinct value instead of one per row
(ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16, bounded memory).
"""

from __future__ import annotations

import posixpath
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from quittex_tui.archive.models import Hashtag, Like, Media, MediaKind, Mention, Tweet, TweetKind, UrlEntity

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}
_MEDIA_KINDS = {"photo": MediaKind.PHOTO, "video": MediaKind.VIDEO, "animated_gif": MediaKind.GIF}
TWITTER_EPOCH_MS = 1288834974657
# Quotes: a link to a status on twitter.com or x.com; `/photo/1` and `/video/1` links are media, not quotes,
# and `/i/web/status/<id>` is the "show more" link of a cut note tweet
# (docs/x-archive-format.md#retweets-and-quotes).
_STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w+)/status(?:es)?/(\d+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
# X's video variant URLs name their frame size: …/vid/1280x720/abc.mp4 (docs/x-archive-format.md#media-files).
_VARIANT_SIZE = re.compile(r"/(\d{2,5})x(\d{2,5})/")


class Shared:
    """One object per distinct string: `shared(s)` returns the first `s` seen that is equal to it."""

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        return self._table.setdefault(value, value)


def _no_sharing(value: str) -> str:
    return value


def quoted_url(tweet_id: str, entities: tuple[UrlEntity, ...] | list[UrlEntity]) -> str | None:
    for ent in entities:
        m = _STATUS_URL.match(ent.expanded_url)
        if m and m.group(1).lower() != "i" and m.group(2) != tweet_id:
            return ent.expanded_url
    return None


def snowflake_ms(tweet_id: str) -> int | None:
    """Milliseconds since 1970 encoded in a snowflake id (ids after Nov 2010;
    docs/x-archive-format.md#note-tweetjs-rows)."""
    try:
        value = int(tweet_id)
    except ValueError:
        return None
    if value < (1 << 22) * 1000:  # pre-snowflake sequential ids carry no clock
        return None
    return (value >> 22) + TWITTER_EPOCH_MS


def parse_created_at(value: Any) -> datetime | None:
    """`Sat Dec 21 09:00:05 +0000 2024` (hand-parsed: strptime costs ~10 µs × 100k), or ISO 8601."""
    if not isinstance(value, str):
        return None
    parts = value.split(" ")
    try:
        if len(parts) == 6:
            _, mon, day, hms, off, year = parts
            h, mi, se = hms.split(":")
            dt = datetime(int(year), _MONTHS[mon], int(day), int(h), int(mi), int(se), tzinfo=UTC)
            if off != "+0000":
                sign = -1 if off[0] == "-" else 1
                dt -= sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5]))
            return dt
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, KeyError, IndexError):
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def flag(value: Any) -> bool:
    """A yes/no field as archives write it: a JSON boolean in the rows seen (`"possibly_sensitive" :
    false`), but hand-edited and API-shaped rows give "true"/"false" strings or 0/1; absent = no."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _str_or_none(value: Any) -> str | None:
    if value is None or value == "" or value == "-1":
        return None
    return str(value)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def url_basename(url: str) -> str:
    return posixpath.basename(url.split("?", 1)[0].split("#", 1)[0])


def variant_size(url: str | None) -> tuple[int, int] | None:
    """The frame size X writes in a video variant's URL (`/vid/1280x720/…`), if any."""
    m = _VARIANT_SIZE.search(url) if url else None
    return (int(m.group(1)), int(m.group(2))) if m else None


# ============================================================================ typed path (msgspec)

Num = str | int | None


class _R(msgspec.Struct, gc=False):
    """A raw shape: only the fields the reader uses; unknown fields are skipped by the decoder."""


class _RawSpan(_R):
    indices: list[str | int] | None = None
    fromIndex: Num = None  # note-tweet.js spells its fields in camelCase: kept as written
    toIndex: Num = None
    start: Num = None
    end: Num = None


class _RawMention(_RawSpan):
    screen_name: str | None = None
    screenName: str | None = None
    id_str: Num = None
    id: Num = None
    name: str | None = None


class _RawUrl(_RawSpan):
    url: str | None = None
    shortUrl: str | None = None
    expanded_url: str | None = None
    expandedUrl: str | None = None
    display_url: str | None = None
    displayUrl: str | None = None


class _RawTag(_RawSpan):
    text: Any = None


class _RawVariant(_R):
    bitrate: Num | UnsetType = UNSET
    content_type: str | UnsetType | None = UNSET
    url: Any = None


class _RawVideoInfo(_R):
    duration_millis: Num | UnsetType = UNSET
    variants: list[_RawVariant] | None = None


class _RawWH(_R):
    w: Num = None
    h: Num = None


class _RawSizes(_R):
    large: _RawWH | None = None


class _RawOriginal(_R):
    width: Num | UnsetType = UNSET
    height: Num = None


class _RawMedia(_R):
    id_str: Num = None
    id: Num = None
    type: str | UnsetType | None = UNSET
    url: str | None = None
    media_url_https: str | None = None
    media_url: str | None = None
    original_info: _RawOriginal | None = None
    sizes: _RawSizes | None = None
    video_info: _RawVideoInfo | None = None


class _RawEntities(_R):
    urls: list[_RawUrl] | None = None
    user_mentions: list[_RawMention] | None = None
    hashtags: list[_RawTag] | None = None
    symbols: list[_RawTag] | None = None
    media: list[_RawMedia] | None = None


class _RawExtended(_R):
    media: list[_RawMedia] | None = None


class _RawEditIds(_R):
    editTweetIds: list[str | int] | None = None


class _RawEdit(_R):
    initialTweetId: Num = None
    editControlInitial: _RawEditIds | None = None


class _RawEditInfo(_R):
    initial: _RawEditIds | None = None
    edit: _RawEdit | None = None


class _RawTweet(_R):
    id_str: Num = None
    id: Num = None
    created_at: Any = None
    full_text: Any = None
    text: Any = None
    display_text_range: list[str | int] | None = None
    lang: str | None = None
    in_reply_to_status_id_str: Num = None
    in_reply_to_status_id: Num = None
    in_reply_to_user_id_str: Num = None
    in_reply_to_user_id: Num = None
    in_reply_to_screen_name: str | None = None
    entities: _RawEntities | None = None
    extended_entities: _RawExtended | None = None
    favorite_count: Num = None
    retweet_count: Num = None
    edit_info: _RawEditInfo | None = None
    possibly_sensitive: bool | str | int | None = None


class _RawTweetRow(_RawTweet):
    """`{"tweet": {…}}` (2020+) or the bare tweet object (2018–2019): both decode into this."""

    tweet: _RawTweet | None = None


class _RawPerson(_R):
    accountId: Num = None


class _RawPersonRow(_RawPerson):
    following: _RawPerson | None = None
    follower: _RawPerson | None = None
    blocking: _RawPerson | None = None
    muting: _RawPerson | None = None


class _RawLike(_R):
    tweetId: Num = None
    fullText: str | None = None
    expandedUrl: str | None = None


class _RawLikeRow(_R):
    like: _RawLike | None = None


TWEET_ROW = msgspec.json.Decoder(_RawTweetRow)
PERSON_ROW = msgspec.json.Decoder(_RawPersonRow)
LIKE_ROW = msgspec.json.Decoder(_RawLikeRow)
ROW_ERRORS = (msgspec.ValidationError, msgspec.DecodeError)


def _span(ent: _RawSpan) -> tuple[int, int]:
    idx = ent.indices
    if idx is not None and len(idx) == 2:
        return _int(idx[0]), _int(idx[1])
    return _int(ent.fromIndex or ent.start), _int(ent.toIndex or ent.end)


def _t_mentions(items: list[_RawMention] | None, shared: Shared) -> tuple[Mention, ...]:
    if not items:
        return ()
    out = []
    for ent in items:
        name = ent.screen_name or ent.screenName
        if name is None:
            continue
        start, end = _span(ent)
        uid = _str_or_none(ent.id_str or ent.id)
        out.append(
            Mention(
                screen_name=shared(name),
                user_id=shared(uid) if uid else None,
                name=shared(ent.name) if ent.name else "",
                start=start,
                end=end,
            )
        )
    return tuple(out)


def _t_urls(items: list[_RawUrl] | None) -> tuple[UrlEntity, ...]:
    if not items:
        return ()
    out = []
    for ent in items:
        url = ent.url or ent.shortUrl
        expanded = (ent.expanded_url or ent.expandedUrl) or url
        if url is None or expanded is None:
            continue
        start, end = _span(ent)
        shown = (ent.display_url or ent.displayUrl) or ""
        out.append(UrlEntity(url=url, expanded_url=expanded, display_url=shown, start=start, end=end))
    return tuple(out)


def _t_tags(items: list[_RawTag] | None, shared: Shared) -> tuple[Hashtag, ...]:
    if not items:
        return ()
    out = []
    for ent in items:
        if not isinstance(ent.text, str):
            continue
        start, end = _span(ent)
        out.append(Hashtag(text=shared(ent.text), start=start, end=end))
    return tuple(out)


def _t_best_mp4(info: _RawVideoInfo | None) -> str | None:
    best: tuple[int, str] | None = None
    for var in (info.variants if info is not None else None) or ():
        if not isinstance(var.url, str) or var.bitrate is UNSET:
            continue
        if var.content_type is not UNSET and var.content_type != "video/mp4":
            continue
        rate = _int(var.bitrate, -1)
        if best is None or rate > best[0]:
            best = (rate, var.url)
    return best[1] if best else None


def _t_media(items: list[_RawMedia] | None) -> tuple[Media, ...]:
    if not items:
        return ()
    out = []
    for ent in items:
        kind = _MEDIA_KINDS.get("photo" if ent.type is UNSET else ent.type)  # type: ignore[arg-type]
        media_url = ent.media_url_https or ent.media_url
        if kind is None or media_url is None:
            continue
        video_url = duration = None
        if kind is not MediaKind.PHOTO:
            info = ent.video_info
            video_url = _t_best_mp4(info)
            if info is not None and info.duration_millis is not UNSET:
                duration = _int(info.duration_millis, 0) or None
        width = height = None
        orig, sizes = ent.original_info, ent.sizes
        if orig is not None and orig.width is not UNSET:
            width, height = _int(orig.width) or None, _int(orig.height) or None
        elif sizes is not None and sizes.large is not None:
            width, height = _int(sizes.large.w) or None, _int(sizes.large.h) or None
        elif video_url is not None and (size := variant_size(video_url)) is not None:
            width, height = size
        out.append(
            Media(
                media_id=str(ent.id_str or ent.id or ""),
                kind=kind,
                url=ent.url or "",
                media_url=media_url,
                video_url=video_url,
                duration_ms=duration,
                width=width,
                height=height,
            )
        )
    return tuple(out)


def _t_edit_ids(info: _RawEditInfo | None, tweet_id: str) -> tuple[str, ...]:
    """Same rules as `edit_ids` (the dict path), on the typed shape."""
    if info is None:
        return ()
    block = info.initial
    initial: str | None = None
    if block is None:
        edit = info.edit
        if edit is None:
            return ()
        block = edit.editControlInitial
        if edit.initialTweetId not in (None, ""):
            initial = str(edit.initialTweetId)
    ids = block.editTweetIds if block is not None else None
    found = [str(i) for i in ids] if ids is not None else []
    if initial is not None:
        found = [initial, *(i for i in found if i != initial)]
    if tweet_id and found and tweet_id not in found:
        found.append(tweet_id)
    if len(found) < 2:
        return ()  # retro-filled on old tweets with just their own id
    return tuple(found)


def tweet_from_typed(row: _RawTweetRow, shared: Shared) -> Tweet | None:
    """A Tweet from a typed row, or None when the row lacks an id, a date or a text."""
    inner: _RawTweet | None = row.tweet
    if inner is None:
        if row.id_str is None and row.id is None:
            return None
        inner = row
    tid = inner.id_str or inner.id
    text = inner.full_text
    if text is None:  # very old rows
        text = inner.text
    created = parse_created_at(inner.created_at)
    if tid is None or not isinstance(text, str) or created is None:
        return None
    tid = str(tid)
    if not tid.isdigit():
        return None
    ents = inner.entities
    ext = inner.extended_entities
    media_items = ext.media if ext is not None and ext.media else ents.media if ents is not None else None
    if ents is not None:
        url_ents = _t_urls(ents.urls)
        mentions_ = _t_mentions(ents.user_mentions, shared)
        hashtags_ = _t_tags(ents.hashtags, shared)
        symbols_ = _t_tags(ents.symbols, shared)
    else:
        url_ents = mentions_ = hashtags_ = symbols_ = ()
    rng = inner.display_text_range
    if rng is not None and len(rng) == 2:
        dstart, dend = _int(rng[0]), _int(rng[1], len(text))
    else:
        dstart, dend = 0, len(text)
    status = _str_or_none(inner.in_reply_to_status_id_str or inner.in_reply_to_status_id)
    user = _str_or_none(inner.in_reply_to_user_id_str or inner.in_reply_to_user_id)
    screen = inner.in_reply_to_screen_name
    return Tweet(
        id=tid,
        created_at=created,
        full_text=text,
        display_start=dstart,
        display_end=dend,
        lang=shared(inner.lang) if inner.lang else "",
        in_reply_to_status_id=status,
        in_reply_to_user_id=shared(user) if user else None,
        in_reply_to_screen_name=shared(screen) if screen and screen != "-1" else None,
        mentions=mentions_,
        urls=url_ents,
        hashtags=hashtags_,
        symbols=symbols_,
        media=_t_media(media_items),
        favorite_count=_int(inner.favorite_count),
        retweet_count=_int(inner.retweet_count),
        edit_ids=_t_edit_ids(inner.edit_info, tid),
        quoted_url=quoted_url(tid, url_ents) if url_ents else None,
        possibly_sensitive=flag(inner.possibly_sensitive),
    )


def person_from_typed(row: _RawPersonRow, key: str) -> str | None:
    inner: _RawPerson | None = getattr(row, key)
    if inner is None:
        # `row.get(key, row)`: a bare row names the person itself; an explicit null names nobody
        inner = row
    value = inner.accountId
    return str(value) if value not in (None, "") else None


def like_from_typed(row: _RawLikeRow) -> Like | None:
    inner = row.like
    if inner is None or inner.tweetId in (None, ""):
        return None
    return Like(
        tweet_id=str(inner.tweetId), full_text=inner.fullText or "", expanded_url=inner.expandedUrl or ""
    )


# ============================================================================ dict path (odd rows, notes)


def _indices(ent: dict[str, Any]) -> tuple[int, int]:
    idx = ent.get("indices")
    if isinstance(idx, list) and len(idx) == 2:
        return _int(idx[0]), _int(idx[1])
    return _int(ent.get("fromIndex") or ent.get("start")), _int(ent.get("toIndex") or ent.get("end"))


def mentions(items: Any, shared: Shared | None = None) -> tuple[Mention, ...]:
    share = shared or _no_sharing
    if not items or not isinstance(items, list):
        return ()
    out = []
    for ent in items:
        if not isinstance(ent, dict):
            continue
        name = ent.get("screen_name") or ent.get("screenName")
        if not isinstance(name, str):
            continue
        start, end = _indices(ent)
        uid = _str_or_none(ent.get("id_str") or ent.get("id"))
        out.append(
            Mention(
                screen_name=share(name),
                user_id=share(uid) if uid else None,
                name=share(str(ent.get("name") or "")),
                start=start,
                end=end,
            )
        )
    return tuple(out)


def urls(items: Any) -> tuple[UrlEntity, ...]:
    if not items or not isinstance(items, list):
        return ()
    out = []
    for ent in items:
        if not isinstance(ent, dict):
            continue
        url = ent.get("url") or ent.get("shortUrl")
        expanded = (ent.get("expanded_url") or ent.get("expandedUrl")) or url
        if not isinstance(url, str) or not isinstance(expanded, str):
            continue
        start, end = _indices(ent)
        out.append(
            UrlEntity(
                url=url,
                expanded_url=expanded,
                display_url=str((ent.get("display_url") or ent.get("displayUrl")) or ""),
                start=start,
                end=end,
            )
        )
    return tuple(out)


def hashtags(items: Any, shared: Shared | None = None) -> tuple[Hashtag, ...]:
    share = shared or _no_sharing
    if not items or not isinstance(items, list):
        return ()
    out = []
    for ent in items:
        if not isinstance(ent, dict) or not isinstance(ent.get("text"), str):
            continue
        start, end = _indices(ent)
        out.append(Hashtag(text=share(ent["text"]), start=start, end=end))
    return tuple(out)


def best_mp4(info: Any) -> str | None:
    """The highest-bitrate mp4 variant: the archive names video/GIF files after it
    (docs/x-archive-format.md#media-files).
    GIF variants have bitrate "0"; the m3u8 variant has none and is never the file."""
    best: tuple[int, str] | None = None
    for var in _list(info.get("variants") if isinstance(info, dict) else None):
        if not isinstance(var, dict) or not isinstance(var.get("url"), str):
            continue
        if var.get("content_type", "video/mp4") != "video/mp4" or "bitrate" not in var:
            continue
        rate = _int(var.get("bitrate"), -1)
        if best is None or rate > best[0]:
            best = (rate, var["url"])
    return best[1] if best else None


def media(items: Any) -> tuple[Media, ...]:
    if not items or not isinstance(items, list):
        return ()
    out = []
    for ent in items:
        if not isinstance(ent, dict):
            continue
        kind = _MEDIA_KINDS.get(ent.get("type", "photo"))
        media_url = ent.get("media_url_https") or ent.get("media_url")
        if kind is None or not isinstance(media_url, str):
            continue
        video_url = duration = None
        if kind is not MediaKind.PHOTO:
            info = ent.get("video_info")
            video_url = best_mp4(info)
            if isinstance(info, dict) and "duration_millis" in info:
                duration = _int(info["duration_millis"], 0) or None
        width = height = None
        orig = ent.get("original_info")
        sizes = ent.get("sizes")
        if isinstance(orig, dict) and "width" in orig:
            width, height = _int(orig.get("width")) or None, _int(orig.get("height")) or None
        elif isinstance(sizes, dict) and isinstance(sizes.get("large"), dict):
            width, height = _int(sizes["large"].get("w")) or None, _int(sizes["large"].get("h")) or None
        elif video_url is not None and (size := variant_size(video_url)) is not None:
            width, height = size
        out.append(
            Media(
                media_id=str(ent.get("id_str") or ent.get("id") or ""),
                kind=kind,
                url=str(ent.get("url") or ""),
                media_url=media_url,
                video_url=video_url,
                duration_ms=duration,
                width=width,
                height=height,
            )
        )
    return tuple(out)


def edit_ids(inner: dict[str, Any], tweet_id: str = "") -> tuple[str, ...]:
    """Every version's id, oldest first, from `edit_info` (docs/x-archive-format.md#edits); () if unedited.

    A later version names its first one in `edit.initialTweetId`; its `editControlInitial` list may be
    missing or stale (written when fewer versions existed), so the initial id always leads and the row's
    own id is always in: the versions of one tweet then always share their first id (derive.collapse_edits
    groups them by it)."""
    info = inner.get("edit_info")
    if not isinstance(info, dict):
        return ()
    block = info.get("initial")
    initial: str | None = None
    if not isinstance(block, dict):
        edit = info.get("edit")
        if not isinstance(edit, dict):
            return ()
        block = edit.get("editControlInitial")
        if edit.get("initialTweetId") not in (None, ""):
            initial = str(edit["initialTweetId"])
    ids = block.get("editTweetIds") if isinstance(block, dict) else None
    found = [str(i) for i in ids] if isinstance(ids, list) else []
    if initial is not None:
        found = [initial, *(i for i in found if i != initial)]
    if tweet_id and found and tweet_id not in found:
        found.append(tweet_id)
    if len(found) < 2:
        return ()  # retro-filled on old tweets with just their own id
    return tuple(found)


def unwrap(row: Any, key: str) -> dict[str, Any] | None:
    """`{"tweet": {…}}` from 2020 on, the bare object before (docs/x-archive-format.md#generations)."""
    if not isinstance(row, dict):
        return None
    inner = row.get(key)
    if isinstance(inner, dict):
        return inner
    return row if ("id_str" in row or "id" in row) else None


def tweet_from_row(row: Any, shared: Shared | None = None) -> Tweet | None:
    """A Tweet from a tweets.js row as plain JSON, or None when the row lacks an id, a date or a text."""
    share = shared or _no_sharing
    inner = unwrap(row, "tweet")
    if inner is None:
        return None
    tid = inner.get("id_str") or inner.get("id")
    text = inner.get("full_text")
    if text is None:  # very old rows
        text = inner.get("text")
    created = parse_created_at(inner.get("created_at"))
    if tid is None or not isinstance(text, str) or created is None:
        return None
    tid = str(tid)
    if not tid.isdigit():
        return None
    ents = inner.get("entities")
    if not isinstance(ents, dict):
        ents = {}
    ext = inner.get("extended_entities")
    media_items = ext.get("media") if isinstance(ext, dict) and ext.get("media") else ents.get("media")
    url_ents = urls(ents.get("urls"))
    rng = inner.get("display_text_range")
    if isinstance(rng, list) and len(rng) == 2:
        dstart, dend = _int(rng[0]), _int(rng[1], len(text))
    else:
        dstart, dend = 0, len(text)
    user = _str_or_none(inner.get("in_reply_to_user_id_str") or inner.get("in_reply_to_user_id"))
    screen = _str_or_none(inner.get("in_reply_to_screen_name"))
    return Tweet(
        id=tid,
        created_at=created,
        full_text=text,
        display_start=dstart,
        display_end=dend,
        lang=share(str(inner.get("lang") or "")),
        in_reply_to_status_id=_str_or_none(
            inner.get("in_reply_to_status_id_str") or inner.get("in_reply_to_status_id")
        ),
        in_reply_to_user_id=share(user) if user else None,
        in_reply_to_screen_name=share(screen) if screen else None,
        mentions=mentions(ents.get("user_mentions"), shared),
        urls=url_ents,
        hashtags=hashtags(ents.get("hashtags"), shared),
        symbols=hashtags(ents.get("symbols"), shared),
        media=media(media_items),
        favorite_count=_int(inner.get("favorite_count")),
        retweet_count=_int(inner.get("retweet_count")),
        edit_ids=edit_ids(inner, tid),
        kind=TweetKind.ORIGINAL,
        quoted_url=quoted_url(tid, url_ents) if url_ents else None,
        possibly_sensitive=flag(inner.get("possibly_sensitive")),
    )


def tweet_id_of(row: Any) -> str | None:
    """Just the id of a (deleted) tweet row."""
    inner = unwrap(row, "tweet")
    if inner is None:
        return None
    tid = inner.get("id_str") or inner.get("id") or inner.get("tweetId")
    return str(tid) if tid is not None else None


def reply_fields(row: Any) -> tuple[str, tuple[str | None, str | None]] | None:
    """(id, (in_reply_to_status_id, in_reply_to_user_id)) of a deleted-tweets.js row (whole tweets)."""
    inner = unwrap(row, "tweet")
    tid = tweet_id_of(row)
    if inner is None or tid is None:
        return None
    parent = _str_or_none(inner.get("in_reply_to_status_id_str") or inner.get("in_reply_to_status_id"))
    user = _str_or_none(inner.get("in_reply_to_user_id_str") or inner.get("in_reply_to_user_id"))
    return tid, (parent, user)


def person_id(row: Any, key: str) -> str | None:
    """following/follower/block/mute rows: `{key: {"accountId", "userLink"?}}`
    (docs/x-archive-format.md#people)."""
    if not isinstance(row, dict):
        return None
    inner = row.get(key, row)
    if not isinstance(inner, dict):
        return None
    value = inner.get("accountId")
    return str(value) if value not in (None, "") else None


def like_from_row(row: Any) -> Like | None:
    inner = row.get("like") if isinstance(row, dict) else None
    if not isinstance(inner, dict) or inner.get("tweetId") in (None, ""):
        return None
    return Like(
        tweet_id=str(inner["tweetId"]),
        full_text=str(inner.get("fullText") or ""),
        expanded_url=str(inner.get("expandedUrl") or ""),
    )
