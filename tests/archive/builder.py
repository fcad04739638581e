"""Write synthetic X archives in every shape real ones come in (docs/x-archive-format.md), for tests.

Shared by every test folder: build an archive in a few lines, in the generation you need, and write it as
a zip, several split zips, or an extracted folder.

    b = ArchiveBuilder(generation="2023")                # "2019" | "2020" | "2022" | "2023" | "2025"
    root = b.tweet("Un fil sur l’été 🌞 ", Tag("climat"), at=dt(2023, 6, 1, 9))
    b.tweet("suite", reply_to=root)                      # a self-thread continuation
    b.tweet(At("bob", "222"), " d’accord & merci ", Link("https://ex.fr/a"),
            reply_to="99", reply_user=("222", "bob"))     # a reply to someone else
    b.tweet("une photo", media=[Photo()])                 # real JPEG in tweets_media/
    b.retweet(("333", "carol"), "un texte retweeté")
    b.quote(("333", "carol"), "1600000000000000000", "regardez")
    new_id = b.edit(root, "Un fil sur l’été (corrigé)")
    b.note_tweet("x" * 600)                               # cut full_text + note-tweet.js row
    b.follow("444", "555"); b.block("666")
    path = b.write_zip(tmp_path / "archive.zip")          # or write_dir(...) / write_split_zips(dir, 3)

Text pieces: a plain `str` is written HTML-escaped as X does (`&` → `&amp;`), and entity indices are code
points into that ESCAPED text (an `&amp;` before a link shifts it by 4) — exactly as real archives.
`compose(...)` gives the text and entities alone. Ids are realistic snowflakes of the tweet's time:
`((ms - 1288834974657) << 22) | seq` (see `snowflake`). `b.row(id)` returns the raw row to add quirks.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TWITTER_EPOCH_MS = 1288834974657
ACCOUNT_ID = "1111111111"
USERNAME = "jeanne_dupont"
DISPLAY_NAME = "Jeanne Dupont"
GENERATIONS = ("2019", "2020", "2022", "2023", "2025")


def dt(
    year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0, second: int = 0, ms: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, ms * 1000, tzinfo=UTC)


def snowflake(when: datetime, seq: int = 0) -> str:
    """The id X would give a tweet created at `when` (ms precision), `seq` in 0..4095."""
    ms = int(when.timestamp() * 1000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | (seq & 0xFFF))


def snowflake_time(tweet_id: str) -> datetime:
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000, tz=UTC)


def x_date(when: datetime) -> str:
    """`Sat Dec 21 09:00:05 +0000 2024` — the archive's created_at format."""
    return when.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def iso_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def escape(text: str) -> str:
    """X's escaping of full_text: only &, < and > (quotes stay as typed)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- text pieces ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """A link typed in the tweet: shown as a t.co URL, `expanded_url` = `url`."""

    url: str
    tco: str | None = None  # forced t.co (else derived from the url)

    def short(self) -> str:
        return self.tco or tco_for(self.url)


@dataclass(frozen=True)
class At:
    """An @mention with its entity (user_id None → no entity, like a renamed/suspended account)."""

    screen_name: str
    user_id: str | None = "0"
    name: str = ""


@dataclass(frozen=True)
class Tag:
    text: str  # without '#'


@dataclass(frozen=True)
class Cash:
    text: str  # without '$'


Piece = str | Link | At | Tag | Cash


def tco_for(seed: str) -> str:
    return "https://t.co/" + hashlib.sha1(seed.encode()).hexdigest()[:10]


def _display(url: str) -> str:
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= 26 else bare[:25] + "…"


def compose(*pieces: Piece) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """(escaped full_text, entities) with indices as code points into the escaped text, as strings."""
    text = ""
    ents: dict[str, list[dict[str, Any]]] = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
    for piece in pieces:
        start = len(text)
        if isinstance(piece, str):
            text += escape(piece)
            continue
        if isinstance(piece, Link):
            text += piece.short()
            ents["urls"].append(
                {
                    "url": piece.short(),
                    "expanded_url": piece.url,
                    "display_url": _display(piece.url),
                    "indices": [str(start), str(len(text))],
                }
            )
        elif isinstance(piece, At):
            text += "@" + piece.screen_name
            if piece.user_id is not None:
                ents["user_mentions"].append(
                    {
                        "name": piece.name or piece.screen_name,
                        "screen_name": piece.screen_name,
                        "indices": [str(start), str(len(text))],
                        "id_str": piece.user_id,
                        "id": piece.user_id,
                    }
                )
        elif isinstance(piece, Tag):
            text += "#" + piece.text
            ents["hashtags"].append({"text": piece.text, "indices": [str(start), str(len(text))]})
        elif isinstance(piece, Cash):
            text += "$" + piece.text
            ents["symbols"].append({"text": piece.text, "indices": [str(start), str(len(text))]})
    return text, ents


# -- media -----------------------------------------------------------------------------------------------
@dataclass
class Photo:
    """A photo: file `<tweetId>-<base>` in the media folder; `present=False` leaves it out of the archive."""

    base: str | None = None  # e.g. "GfAb-12_cd.jpg"; default derived from the tweet
    width: int = 64
    height: int = 48
    color: tuple[int, int, int] = (200, 80, 40)
    present: bool = True
    data: bytes | None = None  # file bytes; default: a real JPEG of width × height


@dataclass
class Video:
    """A video or GIF: file named after the highest-bitrate mp4 variant's basename (+ an m3u8 variant)."""

    gif: bool = False
    base: str | None = None  # mp4 base name, e.g. "wZwdl2psWVDiB7ej.mp4"
    duration_ms: int = 4000
    present: bool = True
    data: bytes | None = None


def jpeg_bytes(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG", quality=80)
    return buf.getvalue()


FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


# -- the builder -----------------------------------------------------------------------------------------
@dataclass
class _Extra:
    name: str
    content: bytes


@dataclass
class ArchiveBuilder:
    """Collects rows, then writes them in the chosen generation's layout.

    generation: "2019" bare `tweet.js` rows, `tweet_media/`, no manifest, no edit_info;
                "2020" `{"tweet": …}` rows in `tweet.js`, `tweet_media/`, manifest;
                "2022" `tweets.js`, `tweets_media/`, `edit_info` on every row;
                "2023" + `note-tweet.js` (written even when empty); "2025" + `grok-chat-item.js`,
                blank `ageinfo.js`, `profile.js` without `headerMediaUrl`.
    tweet_parts: split tweets over `tweets.js`, `tweets-part1.js`… (rows shuffled across them).
    layout: "pretty" (2022+ style), "compact" (pre-2022 `= [ {`), "weird" (tabs, CRLF, trailing `;`).
    """

    account_id: str = ACCOUNT_ID
    username: str = USERNAME
    display_name: str = DISPLAY_NAME
    generation: str = "2023"
    manifest: bool | None = None  # default: absent for 2019, present after
    tweet_parts: int = 1
    people_parts: int = 1  # split following/follower/like files too
    layout: str | None = None
    shuffle: bool = True  # rows are not in date order in real archives
    seed: int = 7
    macosx: bool = False  # add __MACOSX/ junk entries (zip writers only)
    root_folder: str = ""  # e.g. "twitter-2024-01-01/": a top folder around data/ (zips only)
    clock: datetime = field(default_factory=lambda: dt(2023, 3, 1, 8, 0, 0))
    bio: str = "Journaliste — climat & énergie. Ici depuis 2009."
    website: str = "https://t.co/site123"
    location: str = "Paris"
    avatar: bool = True
    header: bool = True

    def __post_init__(self) -> None:
        if self.generation not in GENERATIONS:
            raise ValueError(f"generation must be one of {GENERATIONS}")
        self._rows: dict[str, dict[str, Any]] = {}  # id -> inner tweet dict (order of creation)
        self._media_files: dict[str, bytes] = {}  # file name in the media folder -> bytes
        self._notes: list[dict[str, Any]] = []
        self._deleted: list[dict[str, Any]] = []
        self._deleted_notes: list[dict[str, Any]] = []
        self._people: dict[str, list[str]] = {"following": [], "follower": [], "block": [], "mute": []}
        self._likes: list[dict[str, Any]] = []
        self._extras: list[_Extra] = []
        self._seq = 0

    # -- properties of the generation --
    @property
    def modern(self) -> bool:
        return self.generation >= "2022"

    @property
    def tweets_base(self) -> str:
        return "tweets" if self.modern else "tweet"

    @property
    def media_dir(self) -> str:
        return "data/tweets_media/" if self.modern else "data/tweet_media/"

    def _layout(self) -> str:
        return self.layout or ("pretty" if self.modern else "compact")

    # -- time and ids --
    def _next_time(self, at: datetime | None) -> datetime:
        if at is None:
            self.clock += timedelta(minutes=7, milliseconds=137)
            return self.clock
        self.clock = max(self.clock, at)
        return at

    def new_id(self, at: datetime) -> str:
        self._seq = (self._seq + 1) % 4096
        tid = snowflake(at, self._seq)
        while tid in self._rows:
            self._seq = (self._seq + 1) % 4096
            tid = snowflake(at, self._seq)
        return tid

    # -- tweets --
    def tweet(
        self,
        *text: Piece,
        at: datetime | None = None,
        reply_to: str | None = None,
        reply_user: tuple[str, str | None] | None = None,
        media: Sequence[Photo | Video] = (),
        lang: str = "fr",
        favorites: int = 0,
        retweets: int = 0,
        tweet_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Add one of the user's tweets; returns its id.

        reply_to: the status replied to. Without `reply_user`, a reply to one of the builder's own tweets is a
        self-reply; `reply_user=(user_id, screen_name)` names the author replied to (screen_name None → the
        field is absent, a real quirk). `reply_user` without `reply_to` is an @-post.
        """
        at = self._next_time(at)
        tid = tweet_id or self.new_id(at)
        full_text, ents = compose(*text)
        row: dict[str, Any] = {
            "edit_info": {
                "initial": {
                    "editTweetIds": [tid],
                    "editableUntil": iso_date(at + timedelta(hours=1)),
                    "editsRemaining": "5",
                    "isEditEligible": True,
                }
            },
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": ents,
            "display_text_range": ["0", "0"],
            "favorite_count": str(favorites),
            "id_str": tid,
            "truncated": False,
            "retweet_count": str(retweets),
            "id": tid,
            "created_at": x_date(at),
            "favorited": False,
            "full_text": full_text,
            "lang": lang,
        }
        if not self.modern:
            del row["edit_info"]
        if reply_to is not None or reply_user is not None:
            if reply_user is None:
                if reply_to not in self._rows:
                    raise ValueError(
                        "reply_to a status not built here needs reply_user=(user_id, screen_name)"
                    )
                reply_user = (self.account_id, self.username)
            if reply_to is not None:
                row["in_reply_to_status_id_str"] = row["in_reply_to_status_id"] = reply_to
            row["in_reply_to_user_id"] = row["in_reply_to_user_id_str"] = reply_user[0]
            if reply_user[1] is not None:
                row["in_reply_to_screen_name"] = reply_user[1]
        if media:
            self._add_media(row, tid, media)
        row["display_text_range"] = ["0", str(len(row["full_text"]))]  # real archives: the whole text
        if extra:
            row.update(extra)
        self._rows[tid] = row
        return tid

    def _add_media(self, row: dict[str, Any], tid: str, media: Sequence[Photo | Video]) -> None:
        short = tco_for("media" + tid)
        start = len(row["full_text"]) + 1
        row["full_text"] += " " + short
        items = []
        for n, item in enumerate(media, start=1):
            mid = str(int(tid) + n)
            is_video = isinstance(item, Video)
            kind_path = "video" if is_video else "photo"
            kind = ("animated_gif" if item.gif else "video") if is_video else "photo"
            entry: dict[str, Any] = {
                "expanded_url": f"https://twitter.com/{self.username}/status/{tid}/{kind_path}/{n}",
                "indices": [str(start), str(start + len(short))],
                "url": short,
                "id_str": mid,
                "id": mid,
                "type": kind,
                "display_url": f"pic.twitter.com/{short[-10:]}",
                "sizes": {"large": {"w": "1200", "h": "900", "resize": "fit"}},
            }
            if is_video:
                base = item.base or f"v{hashlib.sha1(mid.encode()).hexdigest()[:15]}.mp4"
                thumb = f"https://pbs.twimg.com/ext_tw_video_thumb/{mid}/pu/img/thumb{n}.jpg"
                entry["media_url_https"] = entry["media_url"] = thumb
                folder = "tweet_video" if item.gif else f"ext_tw_video/{mid}/pu/vid/avc1/720x720"
                if item.gif:
                    variants = [
                        {
                            "bitrate": "0",
                            "content_type": "video/mp4",
                            "url": f"https://video.twimg.com/{folder}/{base}",
                        }
                    ]
                else:
                    variants = [
                        {
                            "bitrate": "256000",
                            "content_type": "video/mp4",
                            "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/vid/avc1/320x320/small{n}.mp4",
                        },
                        {
                            "content_type": "application/x-mpegURL",
                            "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/pl/list{n}.m3u8?tag=12",
                        },
                        {
                            "bitrate": "2176000",
                            "content_type": "video/mp4",
                            "url": f"https://video.twimg.com/{folder}/{base}?tag=12",
                        },
                        {
                            "bitrate": "832000",
                            "content_type": "video/mp4",
                            "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/vid/avc1/540x540/mid{n}.mp4",
                        },
                    ]
                entry["video_info"] = {"aspect_ratio": ["1", "1"], "variants": variants}
                if not item.gif:
                    entry["video_info"]["duration_millis"] = str(item.duration_ms)
                if item.present:
                    self._media_files[f"{tid}-{base}"] = item.data if item.data is not None else FAKE_MP4
            else:
                base = item.base or f"P{hashlib.sha1(mid.encode()).hexdigest()[:8]}-x_{n}.jpg"
                entry["media_url_https"] = f"https://pbs.twimg.com/media/{base}"
                entry["media_url"] = f"http://pbs.twimg.com/media/{base}"
                entry["sizes"]["large"] = {"w": str(item.width), "h": str(item.height), "resize": "fit"}
                if item.present:
                    data = (
                        item.data
                        if item.data is not None
                        else jpeg_bytes(item.width, item.height, item.color)
                    )
                    self._media_files[f"{tid}-{base}"] = data
            items.append(entry)
        row["entities"]["media"] = [copy.deepcopy(items[0])]
        row["extended_entities"] = {"media": items}

    def thread(
        self,
        texts: Sequence[str | Sequence[Piece]],
        at: datetime | None = None,
        gap: timedelta = timedelta(seconds=40),
    ) -> list[str]:
        """A self-thread: each tweet replies to the previous one. Returns the ids in order."""
        ids: list[str] = []
        when = self._next_time(at)
        for text in texts:
            pieces = (text,) if isinstance(text, str) else tuple(text)
            ids.append(self.tweet(*pieces, at=when, reply_to=ids[-1] if ids else None))
            when += gap
        self.clock = max(self.clock, when)
        return ids

    def retweet(self, user: tuple[str, str], text: str, at: datetime | None = None) -> str:
        """`RT @user: text` — no flag in archives; X cuts long ones with `…`."""
        return self.tweet("RT ", At(user[1], user[0]), ": " + text, at=at, lang="fr")

    def quote(
        self,
        user: tuple[str, str],
        status_id: str,
        text: str,
        at: datetime | None = None,
        host: str = "twitter.com",
    ) -> str:
        return self.tweet(text + " ", Link(f"https://{host}/{user[1]}/status/{status_id}"), at=at)

    def edit(self, tweet_id: str, *text: Piece, at: datetime | None = None) -> str:
        """A new version of an edited tweet (2022+): its own row, own created_at, new t.co links."""
        original = self._rows[tweet_id]
        chain: list[str] = original.get("edit_info", {}).get("initial", {}).get("editTweetIds", [tweet_id])
        chain = list(chain)
        first = self._rows[chain[0]]
        when = at or (
            datetime.strptime(original["created_at"], "%a %b %d %H:%M:%S %z %Y")
            + timedelta(minutes=3, milliseconds=250)
        )
        new_id = self.tweet(*text, at=when)
        chain.append(new_id)
        first["edit_info"]["initial"]["editTweetIds"] = chain
        for tid in chain[1:]:
            self._rows[tid]["edit_info"] = {
                "edit": {
                    "initialTweetId": chain[0],
                    "editControlInitial": {
                        "editTweetIds": list(chain),
                        "editableUntil": iso_date(when),
                        "editsRemaining": str(5 - len(chain) + 1),
                        "isEditEligible": True,
                    },
                }
            }
        return new_id

    def note_tweet(
        self,
        text: str,
        at: datetime | None = None,
        reply_to: str | None = None,
        reply_user: tuple[str, str] | None = None,
        leading: Sequence[At] = (),
        cut: int = 270,
        link: Link | None = None,
        note_ms_before: int = 42,
    ) -> str:
        """A long post: the tweet's full_text is cut (`…` and a t.co), note-tweet.js has the whole text.

        The note's id is a snowflake `note_ms_before` ms before the tweet's
        (docs/x-archive-format.md#note-tweetjs-rows);
        `leading` mentions prefix full_text only (core.text omits a reply's leading @mentions).
        """
        when = self._next_time(at)
        pieces: list[Piece] = []
        for mention in leading:
            pieces += [mention, " "]
        body = text if len(text) <= cut else text[:cut].rstrip() + "…"
        pieces.append(body)
        pieces.append(" ")
        pieces.append(link or Link(f"https://twitter.com/i/web/status/{snowflake(when, 99)}"))
        tid = self.tweet(*pieces, at=when, reply_to=reply_to, reply_user=reply_user)
        note_at = snowflake_time(tid) - timedelta(milliseconds=note_ms_before)
        note_id = snowflake(note_at, 5)
        self._notes.append(
            {
                "noteTweet": {
                    "noteTweetId": note_id,
                    "updatedAt": iso_date(note_at),
                    "createdAt": iso_date(note_at),
                    "lifecycle": {
                        "value": "1",
                        "name": "Active",
                        "originalName": "Active",
                        "annotations": {},
                    },
                    "core": {
                        "styletags": [],
                        "urls": [],
                        "text": text,
                        "mentions": [],
                        "cashtags": [],
                        "hashtags": [],
                    },
                }
            }
        )
        return tid

    def note_row(self, index: int = -1) -> dict[str, Any]:
        return self._notes[index]["noteTweet"]

    def orphan_note(self, text: str, at: datetime, note_id: str | None = None) -> str:
        """A note-tweet.js row with no tweet (its tweet deleted, or a draft)."""
        nid = note_id or snowflake(at, 7)
        self._notes.append(
            {
                "noteTweet": {
                    "noteTweetId": nid,
                    "createdAt": iso_date(at),
                    "updatedAt": iso_date(at),
                    "core": {"text": text, "urls": [], "mentions": [], "hashtags": []},
                }
            }
        )
        return nid

    def delete(self, tweet_id: str, keep_in_tweets: bool = False) -> None:
        """Move a tweet to deleted-tweets.js (with `deleted_at`); optionally leave it in tweets.js too."""
        row = self._rows[tweet_id] if keep_in_tweets else self._rows.pop(tweet_id)
        dead = copy.deepcopy(row)
        dead["deleted_at"] = x_date(
            datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y") + timedelta(days=1)
        )
        self._deleted.append(dead)

    def deleted_note(self, note_id: str) -> None:
        self._deleted_notes.append(
            {
                "noteTweet": {
                    "noteTweetId": note_id,
                    "createdAt": "2023-05-01T10:00:00.000Z",
                    "core": {"text": "supprimé"},
                }
            }
        )

    def row(self, tweet_id: str) -> dict[str, Any]:
        """The raw inner tweet dict, to add quirks (unknown fields, missing keys) before writing."""
        return self._rows[tweet_id]

    def ids(self) -> list[str]:
        return list(self._rows)

    # -- people, likes, other files --
    def follow(self, *user_ids: str) -> None:
        self._people["following"] += user_ids

    def follower(self, *user_ids: str) -> None:
        self._people["follower"] += user_ids

    def block(self, *user_ids: str) -> None:
        self._people["block"] += user_ids

    def mute(self, *user_ids: str) -> None:
        self._people["mute"] += user_ids

    def like(self, tweet_id: str, text: str = "", url: str | None = None) -> None:
        self._likes.append(
            {
                "like": {
                    "tweetId": tweet_id,
                    "fullText": text,
                    "expandedUrl": url or f"https://twitter.com/i/web/status/{tweet_id}",
                }
            }
        )

    def extra_file(self, name: str, content: bytes | str) -> None:
        """Any other member (root-relative, e.g. "data/grok-chat-item.js")."""
        self._extras.append(_Extra(name, content.encode() if isinstance(content, str) else content))

    # -- serialisation --
    def _js(self, global_name: str, rows: list[Any]) -> bytes:
        layout = self._layout()
        if layout == "pretty":
            body = json.dumps(rows, ensure_ascii=False, indent=2, separators=(",", " : ")) if rows else "[ ]"
            return f"window.{global_name} = {body}".encode()
        if layout == "compact":
            body = json.dumps(rows, ensure_ascii=False) if rows else "[ ]"
            return f"window.{global_name} = {body}".encode()
        body = json.dumps(rows, ensure_ascii=False, indent="\t").replace("\n", "\r\n") if rows else "[]"
        return f"window.{global_name}=\r\n\t{body} ;\r\n".encode()

    def _people_rows(self, kind: str) -> list[dict[str, Any]]:
        key = {"following": "following", "follower": "follower", "block": "blocking", "mute": "muting"}[kind]
        out = []
        for uid in self._people[kind]:
            inner = {"accountId": uid}
            if self.generation != "2019":
                inner["userLink"] = f"https://twitter.com/intent/user?user_id={uid}"
            out.append({key: inner})
        return out

    def _split(
        self,
        base: str,
        type_name: str,
        rows: list[Any],
        parts: int,
        files: dict[str, bytes],
        types: dict[str, Any],
    ) -> None:
        parts = max(1, min(parts, max(len(rows), 1)))
        entries = []
        for n in range(parts):
            chunk = rows[n::parts]
            name = f"data/{base}.js" if n == 0 else f"data/{base}-part{n}.js"
            files[name] = self._js(f"YTD.{type_name}.part{n}", chunk)
            entries.append(
                {"fileName": name, "globalName": f"YTD.{type_name}.part{n}", "count": str(len(chunk))}
            )
        types[type_name] = {"files": entries}

    def files(self) -> dict[str, bytes]:
        """Every member of the archive, root-relative name → bytes (what the writers store)."""
        rng = random.Random(self.seed)
        files: dict[str, bytes] = {}
        types: dict[str, Any] = {}
        wrap = self.generation != "2019"
        rows = [{"tweet": copy.deepcopy(r)} if wrap else copy.deepcopy(r) for r in self._rows.values()]
        if self.shuffle:
            rng.shuffle(rows)
        self._split(self.tweets_base, self.tweets_base, rows, self.tweet_parts, files, types)
        if self.generation >= "2023" or self._notes:
            self._split("note-tweet", "noteTweet", list(self._notes), 1, files, types)
        if self._deleted:
            dead = [{"tweet": r} for r in self._deleted]
            self._split("deleted-tweets", "deletedTweets", dead, 1, files, types)
        if self._deleted_notes:
            self._split("deleted-note-tweet", "deletedNoteTweet", list(self._deleted_notes), 1, files, types)
        for kind in ("following", "follower", "block", "mute"):
            parts = self.people_parts if kind in ("following", "follower") else 1
            self._split(kind, kind, self._people_rows(kind), parts, files, types)
        self._split("like", "like", list(self._likes), self.people_parts, files, types)
        account = {
            "account": {
                "email": "jeanne@example.org",
                "createdVia": "web",
                "username": self.username,
                "accountId": self.account_id,
                "createdAt": "2009-04-01T10:00:00.000Z",
                "accountDisplayName": self.display_name,
            }
        }
        self._split("account", "account", [account], 1, files, types)
        profile: dict[str, Any] = {
            "description": {"bio": self.bio, "website": self.website, "location": self.location}
        }
        if self.avatar:
            profile["avatarMediaUrl"] = "https://pbs.twimg.com/profile_images/1/Av4tar_x400.jpg"
            files[f"data/profile_media/{self.account_id}-Av4tar_x400.jpg"] = jpeg_bytes(
                40, 40, (10, 120, 200)
            )
        if self.header and self.generation != "2025":
            profile["headerMediaUrl"] = f"https://pbs.twimg.com/profile_banners/{self.account_id}/1600000000"
            files[f"data/profile_media/{self.account_id}-1600000000.jpg"] = jpeg_bytes(150, 50, (30, 30, 30))
        self._split("profile", "profile", [{"profile": profile}], 1, files, types)
        if self.generation == "2025":
            files["data/grok-chat-item.js"] = self._js(
                "YTD.grok_chat_item.part0", [{"grokChatItem": {"chatId": "1", "message": "?"}}]
            )
            files["data/ageinfo.js"] = b""
            types["grokChatItem"] = {
                "files": [
                    {
                        "fileName": "data/grok-chat-item.js",
                        "globalName": "YTD.grok_chat_item.part0",
                        "count": "1",
                    }
                ]
            }
        for name, data in sorted(self._media_files.items()):
            files[self.media_dir + name] = data
        types["tweetsMedia" if self.modern else "tweetMedia"] = {"mediaDirectory": self.media_dir.rstrip("/")}
        for extra in self._extras:
            files[extra.name] = extra.content
        if self.manifest if self.manifest is not None else self.generation != "2019":
            manifest = {
                "userInfo": {
                    "accountId": self.account_id,
                    "userName": self.username,
                    "displayName": self.display_name,
                },
                "archiveInfo": {
                    "sizeBytes": "1234",
                    "generationDate": "2025-01-02T03:04:05.000Z",
                    "isPartialArchive": False,
                    "maxPartSizeBytes": "53687091200",
                },
                "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
                "dataTypes": types,
            }
            files["data/manifest.js"] = ("window.__THAR_CONFIG = " + json.dumps(manifest, indent=2)).encode()
        files["data/README.txt"] = b"Synthetic archive written by tests/archive/builder.py\n"
        files["Your archive.html"] = b"<html><body>viewer</body></html>"
        files["assets/js/main.js"] = b"console.log('viewer')"
        return files

    # -- writers --
    def _zip(self, path: Path, files: dict[str, bytes]) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name, data in files.items():
                zf.writestr(self.root_folder + name, data)
                if self.macosx:
                    zf.writestr(
                        "__MACOSX/" + self.root_folder + _apple_double(name), b"\x00\x05\x16\x07junk{[="
                    )
        return path

    def write_zip(self, path: Path) -> Path:
        """One zip as X sends it (plus `root_folder` / `__MACOSX/` if asked)."""
        return self._zip(Path(path), self.files())

    def write_dir(self, path: Path) -> Path:
        """The extracted archive: `path/data/…`. Returns `path`."""
        path = Path(path)
        for name, data in self.files().items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return path

    def write_split_zips(
        self, folder: Path, parts: int, stem: str = "twitter-2025-01-02-abc123"
    ) -> list[Path]:
        """`stem-part1.zip` … `stem-partN.zip`, each holding part of data/ (the manifest in part 1);
        tweets-partN files are spread over different zips. Returns the paths in part order."""
        folder = Path(folder)
        files = self.files()
        buckets: list[dict[str, bytes]] = [{} for _ in range(parts)]
        for n, (name, data) in enumerate(sorted(files.items())):
            if name in ("data/manifest.js", "Your archive.html") or name.startswith("assets/"):
                buckets[0][name] = data
            else:
                buckets[n % parts][name] = data
        return [self._zip(folder / f"{stem}-part{i + 1}.zip", bucket) for i, bucket in enumerate(buckets)]


def _apple_double(name: str) -> str:
    head, _, base = name.rpartition("/")
    return f"{head}/._{base}" if head else f"._{base}"
