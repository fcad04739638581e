"""Raw archive rows → models (the hot path: 100k tweets must convert in well under a second).

Spec: x-archive-format.md § tweets.js rows, § note-tweet.js rows, § People, § Account.
Rows are `{"tweet": {…}}` from 2020 on and bare tweet objects in 2018–2019 archives; every number is a
string; unknown fields are ignored; a row whose shape is unusable (no id, no date) is skipped and counted,
never fatal. Shapes are checked by hand and models built with `construct` (no pydantic validation).
"""

from __future__ import annotations

import posixpath
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from quittex_tui.archive.construct import construct
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
# and `/i/web/status/<id>` is the "show more" link of a cut note tweet (spec § tweets.js rows, Quotes).
_STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w+)/status(?:es)?/(\d+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def quoted_url(tweet_id: str, entities: list[UrlEntity]) -> str | None:
    for ent in entities:
        m = _STATUS_URL.match(ent.expanded_url)
        if m and m.group(1).lower() != "i" and m.group(2) != tweet_id:
            return ent.expanded_url
    return None


def snowflake_ms(tweet_id: str) -> int | None:
    """Milliseconds since 1970 encoded in a snowflake id (ids after Nov 2010; spec § note-tweet.js)."""
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


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _indices(ent: dict[str, Any]) -> tuple[int, int]:
    idx = ent.get("indices")
    if isinstance(idx, list) and len(idx) == 2:
        return _int(idx[0]), _int(idx[1])
    return _int(ent.get("fromIndex") or ent.get("start")), _int(ent.get("toIndex") or ent.get("end"))


def _str_or_none(value: Any) -> str | None:
    if value is None or value == "" or value == "-1":
        return None
    return str(value)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def mentions(items: Any) -> list[Mention]:
    out = []
    if not items or not isinstance(items, list):
        return []
    for ent in items:
        if not isinstance(ent, dict):
            continue
        name = ent.get("screen_name") or ent.get("screenName")
        if not isinstance(name, str):
            continue
        start, end = _indices(ent)
        out.append(
            construct(
                Mention,
                {
                    "screen_name": name,
                    "user_id": _str_or_none(ent.get("id_str") or ent.get("id")),
                    "name": str(ent.get("name") or ""),
                    "start": start,
                    "end": end,
                },
            )
        )
    return out


def urls(items: Any) -> list[UrlEntity]:
    out = []
    if not items or not isinstance(items, list):
        return []
    for ent in items:
        if not isinstance(ent, dict):
            continue
        url = ent.get("url") or ent.get("shortUrl")
        expanded = (ent.get("expanded_url") or ent.get("expandedUrl")) or url
        if not isinstance(url, str) or not isinstance(expanded, str):
            continue
        start, end = _indices(ent)
        out.append(
            construct(
                UrlEntity,
                {
                    "url": url,
                    "expanded_url": expanded,
                    "display_url": str((ent.get("display_url") or ent.get("displayUrl")) or ""),
                    "start": start,
                    "end": end,
                },
            )
        )
    return out


def hashtags(items: Any) -> list[Hashtag]:
    out = []
    if not items or not isinstance(items, list):
        return []
    for ent in items:
        if not isinstance(ent, dict) or not isinstance(ent.get("text"), str):
            continue
        start, end = _indices(ent)
        out.append(construct(Hashtag, {"text": ent["text"], "start": start, "end": end}))
    return out


def best_mp4(info: Any) -> str | None:
    """The highest-bitrate mp4 variant: the archive names video/GIF files after it (spec § Media files).
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


def url_basename(url: str) -> str:
    return posixpath.basename(url.split("?", 1)[0].split("#", 1)[0])


def media(items: Any) -> list[Media]:
    out = []
    if not items or not isinstance(items, list):
        return []
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
        out.append(
            construct(
                Media,
                {
                    "media_id": str(ent.get("id_str") or ent.get("id") or ""),
                    "kind": kind,
                    "url": str(ent.get("url") or ""),
                    "media_url": media_url,
                    "member": None,
                    "video_url": video_url,
                    "duration_ms": duration,
                    "width": width,
                    "height": height,
                },
            )
        )
    return out


def edit_ids(inner: dict[str, Any], tweet_id: str = "") -> list[str]:
    """Every version's id, oldest first, from `edit_info` (spec § tweets.js rows, Edits); [] if unedited.

    A later version names its first one in `edit.initialTweetId`; its `editControlInitial` list may be
    missing or stale (written when fewer versions existed), so the initial id always leads and the row's
    own id is always in: the versions of one tweet then always share their first id (derive.collapse_edits
    groups them by it)."""
    info = inner.get("edit_info")
    if not isinstance(info, dict):
        return []
    block = info.get("initial")
    initial: str | None = None
    if not isinstance(block, dict):
        edit = info.get("edit")
        if not isinstance(edit, dict):
            return []
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
        return []  # retro-filled on old tweets with just their own id
    return found


def unwrap(row: Any, key: str) -> dict[str, Any] | None:
    """`{"tweet": {…}}` from 2020 on, the bare object before (spec § Generations)."""
    if not isinstance(row, dict):
        return None
    inner = row.get(key)
    if isinstance(inner, dict):
        return inner
    return row if ("id_str" in row or "id" in row) else None


def tweet_from_row(row: Any) -> Tweet | None:
    """A Tweet from a tweets.js row, or None when the row lacks an id, a date or a text."""
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
    return construct(
        Tweet,
        {
            "id": tid,
            "created_at": created,
            "full_text": text,
            "display_start": dstart,
            "display_end": dend,
            "lang": str(inner.get("lang") or ""),
            "in_reply_to_status_id": _str_or_none(
                inner.get("in_reply_to_status_id_str") or inner.get("in_reply_to_status_id")
            ),
            "in_reply_to_user_id": _str_or_none(
                inner.get("in_reply_to_user_id_str") or inner.get("in_reply_to_user_id")
            ),
            "in_reply_to_screen_name": _str_or_none(inner.get("in_reply_to_screen_name")),
            "mentions": mentions(ents.get("user_mentions")),
            "urls": url_ents,
            "hashtags": hashtags(ents.get("hashtags")),
            "symbols": hashtags(ents.get("symbols")),
            "media": media(media_items),
            "favorite_count": _int(inner.get("favorite_count")),
            "retweet_count": _int(inner.get("retweet_count")),
            "edit_ids": edit_ids(inner, tid),
            "note_text": None,
            "note_urls": [],
            "note_mentions": [],
            "note_hashtags": [],
            "kind": TweetKind.ORIGINAL,
            "thread_root": None,
            "quoted_url": quoted_url(tid, url_ents) if url_ents else None,
            "warnings": [],
        },
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
    """following/follower/block/mute rows: `{key: {"accountId", "userLink"?}}` (spec § People)."""
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
    return construct(
        Like,
        {
            "tweet_id": str(inner["tweetId"]),
            "full_text": str(inner.get("fullText") or ""),
            "expanded_url": str(inner.get("expandedUrl") or ""),
        },
    )
