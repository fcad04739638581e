#!/usr/bin/env python3
"""Generate a synthetic X archive of N tweets (a .zip in the real 2023+ format) for benchmarks.

    python bench/synth_archive.py 100000 --out bench/out/synth-100000.zip [--seed 7] [--with-media]

A realistic mix, in the shapes of docs/x-archive-format.md: ~10 % self-thread continuations (threads
of 2–7 posts, several in one second), ~25 % replies to others (a few without a mention entity, some
@-posts without a status id, some self-replies inside another's conversation), ~10 % retweets, 3 % quotes,
~1 % note tweets (cut `full_text` + note-tweet.js row), a few edits and deleted tweets, media entities on
~12 % (photos 1–4, videos named after the best mp4 variant, GIFs), urls/hashtags/mentions/cashtags with
indices in code points of the HTML-escaped text, French accents, emoji (ZWJ, flags, skin tones), `&amp;`.
100k tweets → tweets.js ≈ 140 MB. Media FILES are absent by default (the reader reports them missing);
`--with-media` adds them: **real photos** — JPEGs of 150 KB to 3.5 MB, 1200 to 4032 px, half of them with
camera EXIF and GPS, as phones make them — and a tiny real mp4 for videos/GIFs. The photos come from a
pool of a few dozen made once (`PHOTO_POOL`, cached in bench/out/); each copy gets its own JPEG comment
(its media id), so every file in the archive is distinct, and 10k photos take seconds to write.
`--media-rate K` multiplies how many tweets carry media (K = 2 → ~0.28 photos per tweet).
The tweets (tweets.js) are the same with and without `--with-media`: "the same archive without its media
files" is exactly that. Deterministic for a given (N, seed, flags); rows are shuffled (real archives are
not in date order).
"""

from __future__ import annotations

import argparse
import io
import random
import struct
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

TWITTER_EPOCH_MS = 1288834974657
OWNER_ID = "1234567"
OWNER_HANDLE = "synth_journaliste"
ZIP_DATE = (2025, 1, 1, 0, 0, 0)

_WORDS_FR = (
    "le",
    "la",
    "les",
    "des",
    "une",
    "un",
    "données",
    "presse",
    "enquête",
    "élection",
    "rédaction",
    "été",
    "déjà",
    "être",
    "où",
    "très",
    "café",
    "Noël",
    "Île-de-France",
    "Québec",
    "naïf",
    "cœur",
    "œuvre",
    "reportage",
    "journalisme",
    "médias",
    "démocratie",
    "ça",
    "à",
    "côté",
    "fenêtre",
    "hôpital",
    "écoles",
    "gréve",
    "grève",
    "forêt",
    "ville",
    "région",
    "député",
    "ministre",
    "réforme",
    "budget",
    "climat",
    "énergie",
    "pêcheurs",
    "agriculteurs",
    "procès",
    "témoin",
    "vérité",
    "source",
    "confrère",
    "consœur",
    "dépêche",
    "édito",
    "tribune",
)
_WORDS_EN = (
    "the",
    "a",
    "data",
    "story",
    "election",
    "newsroom",
    "report",
    "thread",
    "source",
    "breaking",
    "live",
    "update",
    "climate",
    "budget",
    "court",
    "witness",
    "truth",
    "editor",
)
_EMOJI = (
    "🇫🇷",
    "🇪🇺",
    "👩\u200d👩\u200d👧",
    "👍🏽",
    "🏳️\u200d🌈",
    "✨",
    "📊",
    "🧵",
    "😅",
    "🙏",
    "☕",
    "🐘",
    "🦋",
    "👩🏾\u200d💻",
    "e\u0301",
)  # the last: a combining accent, one grapheme of two code points
_TAGS = (
    "presse",
    "JournalismeDeDonnées",
    "climat",
    "Élections2024",
    "data",
    "médias",
    "Paris2024",
    "COVID19",
)
_CASHTAGS = ("UBI", "TSLA", "AIR", "BNP")
_SITES = ("https://exemple.org/article/", "https://data.exemple.fr/jeu/", "https://www.exemple.com/news/")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The photo pool: (width, height, noise, JPEG quality, camera EXIF with GPS?). Sizes as X archives hold them
# (originals up to 4096 px); the noise makes them compress like photos, from ~150 KB to ~3.5 MB.
PHOTO_POOL: tuple[tuple[int, int, int, int, bool], ...] = tuple(
    (w, h, noise, quality, n % 2 == 0)
    for n, (w, h, noise, quality) in enumerate(
        [
            (1200, 900, 20, 85),
            (1200, 1600, 30, 85),
            (1600, 1200, 35, 88),
            (1600, 900, 15, 82),
            (2048, 1536, 25, 85),
            (2048, 1152, 20, 85),
            (1536, 2048, 30, 88),
            (2048, 1536, 45, 90),
            (1080, 1350, 25, 85),
            (1080, 1080, 30, 86),
            (1280, 720, 20, 84),
            (1920, 1080, 25, 85),
            (3000, 2000, 15, 82),
            (2400, 1800, 30, 86),
            (4032, 3024, 25, 86),
            (3024, 4032, 20, 84),
            (1600, 1200, 60, 90),
            (1000, 750, 40, 88),
            (2048, 2048, 25, 85),
            (1440, 1080, 30, 86),
            (1200, 900, 10, 80),
            (1920, 1280, 35, 87),
            (2560, 1440, 20, 85),
            (1080, 1920, 25, 85),
            (1280, 960, 50, 90),
            (4000, 3000, 12, 80),
            (2048, 1365, 30, 86),
            (1600, 1067, 25, 85),
            (800, 600, 60, 92),
            (1366, 768, 20, 84),
            (2200, 1650, 40, 88),
            (1750, 1300, 22, 85),
        ]
    )
)
_POOL_VERSION = 1


def x_date(dt: datetime) -> str:
    return f"{_DAYS[dt.weekday()]} {_MONTHS[dt.month - 1]} {dt:%d %H:%M:%S} +0000 {dt.year}"


def iso_ms(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Synth:
    def __init__(self, n: int, seed: int, with_media: bool, media_rate: float = 1.0) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.with_media = with_media
        self.media_rate = media_rate
        self.people = [(str(10_000_000 + i * 7919), f"user_{i}_{self._tok(4).lower()}") for i in range(3000)]
        self.rows: list[bytes] = []
        self.notes: list[bytes] = []
        self.deleted: list[bytes] = []
        # member -> what to write there: ("photo", pool index, media id) or ("mp4", 0, ""); made at write time
        self.media_files: dict[str, tuple[str, int, str]] = {}
        self.stats = {
            "tweets": 0,
            "rows": 0,
            "threads": 0,
            "thread_posts": 0,
            "replies": 0,
            "retweets": 0,
            "quotes": 0,
            "notes": 0,
            "edited": 0,
            "deleted": 0,
            "media": 0,
        }

    # -- small helpers
    def _tok(self, k: int) -> str:
        return "".join(self.rng.choices(_ALNUM, k=k))

    def _tco(self) -> str:
        return "https://t.co/" + self._tok(10)

    def _sid(self, dt: datetime) -> int:
        return ((int(dt.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22) | self.rng.getrandbits(22)

    def _words(self, k: int, lang: str) -> str:
        pool = _WORDS_FR if lang == "fr" else _WORDS_EN
        words = self.rng.choices(pool, k=k)
        if self.rng.random() < 0.35:
            words.insert(self.rng.randrange(len(words) + 1), self.rng.choice(_EMOJI))
        if self.rng.random() < 0.12:
            words.insert(self.rng.randrange(len(words) + 1), self.rng.choice(("&", "<3", "->", "R&D", "<")))
        return " ".join(words)

    # -- the text with entities: parts are (kind, value)
    def _compose(self, parts: list[tuple[str, Any]]) -> tuple[str, dict[str, list[dict[str, Any]]]]:
        text = ""
        ents: dict[str, list[dict[str, Any]]] = {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": [],
        }
        for kind, value in parts:
            start = len(text)
            if kind == "text":
                text += escape(value)
                continue
            if kind == "mention":
                uid, handle = value
                text += "@" + handle
                ents["user_mentions"].append(
                    {
                        "name": handle.replace("_", " ").title(),
                        "screen_name": handle,
                        "indices": [str(start), str(len(text))],
                        "id_str": uid,
                        "id": uid,
                    }
                )
            elif kind == "bare_mention":  # renamed/suspended: no entity
                text += "@" + value
            elif kind in ("hashtag", "cashtag"):
                text += ("#" if kind == "hashtag" else "$") + value
                ents["hashtags" if kind == "hashtag" else "symbols"].append(
                    {"text": value, "indices": [str(start), str(len(text))]}
                )
            elif kind == "url":
                short = self._tco()
                text += short
                shown = value.split("://", 1)[1]
                ents["urls"].append(
                    {
                        "url": short,
                        "expanded_url": value,
                        "display_url": shown if len(shown) <= 26 else shown[:25] + "…",
                        "indices": [str(start), str(len(text))],
                    }
                )
        return text, ents

    def _body(self, lang: str) -> list[tuple[str, Any]]:
        rng = self.rng
        parts: list[tuple[str, Any]] = [("text", self._words(rng.randint(4, 14), lang))]
        if rng.random() < 0.25:
            parts += [("text", " avec "), ("mention", rng.choice(self.people))]
        if rng.random() < 0.3:
            parts += [
                ("text", " : " if rng.random() < 0.8 else " & "),
                ("url", rng.choice(_SITES) + f"{rng.randrange(10**6)}?utm_source=x&id={rng.randrange(999)}"),
            ]
        if rng.random() < 0.3:
            parts += [("text", " "), ("hashtag", rng.choice(_TAGS))]
        if rng.random() < 0.02:
            parts += [("text", " "), ("cashtag", rng.choice(_CASHTAGS))]
        return parts

    def _media(self, tid: int, dt: datetime, text: str) -> tuple[str, list[dict[str, Any]]]:
        rng = self.rng
        roll = rng.random() / self.media_rate
        if roll < 0.11:
            kinds = ["photo"] * rng.choice((1, 1, 1, 2, 3, 4))
        elif roll < 0.12:
            kinds = ["video"]
        elif roll < 0.125:
            kinds = ["animated_gif"]
        else:
            return text, []
        link = self._tco()
        text = (text + " " if text else "") + link
        start, end = len(text) - len(link), len(text)
        media = []
        for n, kind in enumerate(kinds, 1):
            mid = str(self._sid(dt - timedelta(seconds=30)))
            base = self._tok(15)
            ent: dict[str, Any] = {
                "expanded_url": f"https://x.com/{OWNER_HANDLE}/status/{tid}/"
                + ("video" if kind == "video" else "photo")
                + f"/{n}",
                "indices": [str(start), str(end)],
                "url": link,
                "id_str": mid,
                "id": mid,
                "sizes": {"large": {"w": "1600", "h": "900", "resize": "fit"}},
                "type": kind,
                "display_url": "pic.x.com/" + self._tok(10),
            }
            if kind == "photo":
                ent["media_url_https"] = f"https://pbs.twimg.com/media/{base}.jpg"
                member = f"data/tweets_media/{tid}-{base}.jpg"
                pool = int(mid) % len(PHOTO_POOL)  # not from self.rng: tweets.js is the same without files
                w, h = PHOTO_POOL[pool][:2]
                scale = min(1.0, 2048 / max(w, h))  # X's "large" is at most 2048 px; the original is the file
                large = {"w": str(round(w * scale)), "h": str(round(h * scale)), "resize": "fit"}
                ent["sizes"] = {"large": large}
                ent["original_info"] = {"width": w, "height": h}
                payload = ("photo", pool, mid)
            else:
                ent["media_url_https"] = (
                    f"https://pbs.twimg.com/ext_tw_video_thumb/{mid}/pu/img/{self._tok(12)}.jpg"
                )
                if kind == "video":
                    ent["video_info"] = {
                        "aspect_ratio": ["16", "9"],
                        "duration_millis": "3000",
                        "variants": [
                            {
                                "bitrate": "256000",
                                "content_type": "video/mp4",
                                "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/vid/480x270/{self._tok(16)}.mp4",
                            },
                            {
                                "content_type": "application/x-mpegURL",
                                "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/pl/{self._tok(16)}.m3u8?tag=12",
                            },
                            {
                                "bitrate": "2176000",
                                "content_type": "video/mp4",
                                "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/vid/1280x720/{base}.mp4?tag=12",
                            },
                        ],
                    }
                else:
                    ent["video_info"] = {
                        "aspect_ratio": ["1", "1"],
                        "variants": [
                            {
                                "bitrate": "0",
                                "content_type": "video/mp4",
                                "url": f"https://video.twimg.com/tweet_video/{base}.mp4",
                            }
                        ],
                    }
                member = f"data/tweets_media/{tid}-{base}.mp4"
                payload = ("mp4", 0, mid)
            if self.with_media:
                self.media_files[member] = payload
            media.append(ent)
        self.stats["media"] += len(media)
        return text, media

    def _row(
        self,
        tid: int,
        dt: datetime,
        text: str,
        ents: dict[str, Any],
        lang: str,
        *,
        reply: tuple[str | None, str, str | None] | None = None,
        media: list[dict[str, Any]] | None = None,
        edit_info: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        sid = str(tid)
        row: dict[str, Any] = {
            "edit_info": edit_info
            or {
                "initial": {
                    "editTweetIds": [sid],
                    "editableUntil": iso_ms(dt + timedelta(hours=1)),
                    "editsRemaining": "5",
                    "isEditEligible": False,
                }
            },
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": {**ents, **({"media": media[:1]} if media else {})},
            "display_text_range": ["0", str(len(text))],
            "favorite_count": str(self.rng.randrange(500)),
            "id_str": sid,
            "truncated": False,
            "retweet_count": str(self.rng.randrange(50)),
            "id": sid,
            "created_at": x_date(dt),
            "favorited": False,
            "full_text": text,
            "lang": lang,
        }
        if reply:
            status, uid, handle = reply
            if status:
                row["in_reply_to_status_id_str"] = row["in_reply_to_status_id"] = status
            row["in_reply_to_user_id"] = row["in_reply_to_user_id_str"] = uid
            if handle:
                row["in_reply_to_screen_name"] = handle
        if media:
            row["extended_entities"] = {"media": media}
        return row

    def _emit(self, row: dict[str, Any]) -> None:
        self.rows.append(orjson.dumps({"tweet": row}, option=orjson.OPT_INDENT_2))
        self.stats["rows"] += 1

    # -- the timeline
    def generate(self) -> None:
        rng = self.rng
        dt = datetime(2012, 1, 1, tzinfo=UTC)
        span = (datetime(2025, 6, 1, tzinfo=UTC) - dt).total_seconds()
        mean_gap = span / max(1, self.n)
        thread_left = 0
        prev_id = 0
        made = 0
        while made < self.n:
            lang = "fr" if rng.random() < 0.8 else "en"
            if thread_left:
                dt += timedelta(milliseconds=rng.choice((150, 400, 900, 2500, 30_000, 75_000)))
                tid = self._sid(dt)
                text, ents = self._compose(self._body(lang))
                text, media = self._media(tid, dt, text)
                self._emit(
                    self._row(
                        tid, dt, text, ents, lang, reply=(str(prev_id), OWNER_ID, OWNER_HANDLE), media=media
                    )
                )
                self.stats["thread_posts"] += 1
                thread_left -= 1
                prev_id = tid
                made += 1
                continue
            dt += timedelta(seconds=rng.expovariate(1 / mean_gap))
            tid = self._sid(dt)
            roll = rng.random()
            if roll < 0.10:  # retweet, cut at 140 with …
                who = rng.choice(self.people)
                body = self._words(rng.randint(15, 30), lang)
                full = f"RT @{who[1]}: {body}"
                if len(full) > 140:
                    full = full[:139] + "…"
                text, ents = self._compose(
                    [("text", "RT "), ("mention", who), ("text", full[len(who[1]) + 4 :])]
                )
                self._emit(self._row(tid, dt, text, ents, lang))
                self.stats["retweets"] += 1
            elif roll < 0.35:  # reply to someone else
                who = rng.choice(self.people)
                sub = rng.random()
                lead: list[tuple[str, Any]] = [
                    ("bare_mention", who[1]) if sub < 0.05 else ("mention", who),
                    ("text", " "),
                ]
                parts = lead + self._body(lang)
                text, ents = self._compose(parts)
                if sub < 0.9:
                    reply = (
                        str(self._sid(dt - timedelta(minutes=5))),
                        who[0],
                        who[1] if sub > 0.02 else None,
                    )
                elif sub < 0.95:  # an @-post: a user id, no status id
                    reply = (None, who[0], who[1])
                else:  # a self-reply inside someone else's conversation, parent missing
                    reply = (str(self._sid(dt - timedelta(minutes=3))), OWNER_ID, OWNER_HANDLE)
                self._emit(self._row(tid, dt, text, ents, lang, reply=reply))
                self.stats["replies"] += 1
            elif roll < 0.38:  # quote
                who = rng.choice(self.people)
                host = rng.choice(("twitter.com", "x.com"))
                url = f"https://{host}/{who[1]}/status/{self._sid(dt - timedelta(hours=2))}"
                text, ents = self._compose(
                    [("text", self._words(rng.randint(5, 20), lang) + " "), ("url", url)]
                )
                self._emit(self._row(tid, dt, text, ents, lang))
                self.stats["quotes"] += 1
            elif roll < 0.39:  # note tweet
                self._note(tid, dt, lang)
            elif roll < 0.393:  # edited: two versions
                self._edited(tid, dt, lang)
            else:  # original, maybe the root of a self-thread
                text, ents = self._compose(self._body(lang))
                text, media = self._media(tid, dt, text)
                self._emit(self._row(tid, dt, text, ents, lang, media=media))
                if rng.random() < 0.06:
                    thread_left = rng.randint(1, 6)
                    prev_id = tid
                    self.stats["threads"] += 1
            made += 1
            if rng.random() < 0.001:  # a deleted tweet (not counted in N)
                did = self._sid(dt + timedelta(seconds=1))
                text, ents = self._compose(self._body(lang))
                row = self._row(did, dt + timedelta(seconds=1), text, ents, lang)
                row["deleted_at"] = x_date(dt + timedelta(seconds=60))
                self.deleted.append(orjson.dumps({"tweet": row}, option=orjson.OPT_INDENT_2))
                self.stats["deleted"] += 1
        self.stats["tweets"] = made

    def _note(self, tid: int, dt: datetime, lang: str) -> None:
        rng = self.rng
        note_dt = dt - timedelta(milliseconds=rng.randint(20, 80))
        paragraphs = [self._words(rng.randint(30, 60), lang) for _ in range(rng.randint(2, 5))]
        core_text = "\n\n".join(paragraphs)
        cut = core_text.rfind(" ", 0, 270)
        visible = core_text[:cut] + "… "
        text, ents = self._compose([("text", visible), ("url", f"https://twitter.com/i/web/status/{tid}")])
        self._emit(self._row(tid, dt, text, ents, lang))
        note = {
            "noteTweet": {
                "noteTweetId": str(self._sid(note_dt)),
                "updatedAt": iso_ms(note_dt),
                "lifecycle": {"value": "00", "name": "Active", "originalName": "Active", "annotations": {}},
                "createdAt": iso_ms(note_dt),
                "core": {
                    "styletags": [],
                    "urls": [],
                    "text": core_text,
                    "mentions": [],
                    "cashtags": [],
                    "hashtags": [],
                },
            }
        }
        self.notes.append(orjson.dumps(note, option=orjson.OPT_INDENT_2))
        self.stats["notes"] += 1

    def _edited(self, tid: int, dt: datetime, lang: str) -> None:
        dt2 = dt + timedelta(minutes=self.rng.randint(1, 30))
        tid2 = self._sid(dt2)
        ids = [str(tid), str(tid2)]
        initial = {
            "editTweetIds": ids,
            "editableUntil": iso_ms(dt + timedelta(hours=1)),
            "editsRemaining": "4",
            "isEditEligible": True,
        }
        url = self.rng.choice(_SITES) + str(self.rng.randrange(10**6))
        for this_id, this_dt, info in (
            (tid, dt, {"initial": initial}),
            (tid2, dt2, {"edit": {"initialTweetId": ids[0], "editControlInitial": initial}}),
        ):
            text, ents = self._compose([*self._body(lang)[:1], ("text", " "), ("url", url)])
            self._emit(self._row(this_id, this_dt, text, ents, lang, edit_info=info))
        self.stats["edited"] += 1


_MP4: bytes | None = None


def _jpeg_exif(n: int) -> bytes:
    """Camera EXIF with a GPS position, as a phone writes it (the converter must strip it)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Synthphone"  # Make
    exif[0x0110] = f"Model {n}"  # Model
    exif[0x0132] = "2024:06:21 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (45.0, 45.0, 0.0)  # Lyon
    gps[3], gps[4] = "E", (4.0, 50.0, 0.0)
    return exif.tobytes()


def _make_photo(spec: tuple[int, int, int, int, bool], n: int) -> bytes:
    from PIL import Image

    w, h, noise, quality, with_exif = spec
    base = Image.linear_gradient("L").resize((w, h))
    channels = []
    for c in range(3):
        grain = Image.effect_noise((w, h), noise)
        channels.append(Image.blend(base.rotate(90 * ((n + c) % 4)).resize((w, h)), grain, 0.35))
    image = Image.merge("RGB", channels)
    out = io.BytesIO()
    extra = {"exif": _jpeg_exif(n)} if with_exif else {}
    image.save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def photo_pool(max_bytes: int = 0) -> list[bytes]:
    """The pool's JPEGs, made once and kept in bench/out/photo-pool-v<N>/ (they take a minute to make)."""
    folder = Path(__file__).resolve().parent / "out" / f"photo-pool-v{_POOL_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    photos = []
    for n, spec in enumerate(PHOTO_POOL):
        path = folder / f"{n:02d}-{spec[0]}x{spec[1]}.jpg"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(_make_photo(spec, n))
            tmp.replace(path)
        photos.append(path.read_bytes())
    if max_bytes:  # only the smaller ones (an archive whose photo bytes do not matter to what is measured)
        photos = [p for p in photos if len(p) <= max_bytes] or [min(photos, key=len)]
    return photos


def distinct_copy(jpeg: bytes, tag: str) -> bytes:
    """`jpeg` with a comment segment (COM, JPEG ITU-T T.81 §B.2.4.5) naming `tag` right after its SOI:
    the same picture, a distinct file (its own bytes, its own hash), as each real upload is."""
    text = f"quittex synth {tag}".encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


def _media_bytes(spec: tuple[str, int, str], pool: list[bytes]) -> bytes:
    kind, index, mid = spec
    if kind == "photo":
        return distinct_copy(pool[index % len(pool)], mid)
    return _tiny_mp4()


def _tiny_mp4() -> bytes:
    global _MP4
    if _MP4 is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
        import demo_media

        _MP4 = demo_media.h264_mp4(32, 32, 2, 6, lambda f, x, y: (60 + f * 20, 128, 128))
    return _MP4


def _js(global_name: str, chunks: list[bytes]) -> bytes:
    if not chunks:
        return f"window.{global_name} = [ ]".encode()
    return f"window.{global_name} = [\n".encode() + b",\n".join(chunks) + b"\n]"


def _people_js(global_name: str, key: str, ids: list[str]) -> bytes:
    rows = [
        orjson.dumps(
            {key: {"accountId": i, "userLink": f"https://twitter.com/intent/user?user_id={i}"}},
            option=orjson.OPT_INDENT_2,
        )
        for i in ids
    ]
    return _js(global_name, rows)


def write_archive(
    n: int,
    out: Path,
    *,
    seed: int = 7,
    with_media: bool = False,
    parts: int = 1,
    media_rate: float = 1.0,
    max_photo_bytes: int = 0,
) -> dict[str, int]:
    """Write the archive zip; returns the generator's stats (what it put in)."""
    synth = Synth(n, seed, with_media, media_rate)
    synth.generate()
    rng = synth.rng
    rows = synth.rows
    rng.shuffle(rows)
    files: dict[str, bytes] = {}
    tweet_files = []
    per_part = -(-len(rows) // parts)
    for p in range(parts):
        name = "data/tweets.js" if parts == 1 else f"data/tweets-part{p + 1}.js"
        chunk = rows[p * per_part : (p + 1) * per_part]
        files[name] = _js(f"YTD.tweets.part{p}", chunk)
        tweet_files.append({"fileName": name, "globalName": f"YTD.tweets.part{p}", "count": str(len(chunk))})
    ids = [uid for uid, _ in synth.people]
    files["data/note-tweet.js"] = _js("YTD.note_tweet.part0", synth.notes)
    files["data/deleted-tweets.js"] = _js("YTD.deleted_tweets.part0", synth.deleted)
    files["data/following.js"] = _people_js("YTD.following.part0", "following", ids[:1500])
    files["data/follower.js"] = _people_js("YTD.follower.part0", "follower", ids[500:3000])
    files["data/block.js"] = _people_js(
        "YTD.block.part0", "blocking", [str(9_000_000 + i) for i in range(40)]
    )
    files["data/mute.js"] = _people_js("YTD.mute.part0", "muting", [str(8_000_000 + i) for i in range(25)])
    likes = [
        orjson.dumps(
            {
                "like": {
                    "tweetId": str(synth._sid(datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=i))),
                    "fullText": synth._words(15, "fr"),
                    "expandedUrl": "",
                }
            }
        )
        for i in range(n // 5)
    ]
    files["data/like.js"] = _js("YTD.like.part0", likes)
    files["data/account.js"] = _js(
        "YTD.account.part0",
        [
            orjson.dumps(
                {
                    "account": {
                        "username": OWNER_HANDLE,
                        "accountId": OWNER_ID,
                        "accountDisplayName": "Synthé Tique",
                        "createdAt": "2011-06-01T10:00:00.000Z",
                        "email": "synth@example.org",
                    }
                }
            )
        ],
    )
    files["data/profile.js"] = _js(
        "YTD.profile.part0",
        [
            orjson.dumps(
                {
                    "profile": {
                        "description": {
                            "bio": "Compte synthétique pour les benchmarks 📊",
                            "website": "",
                            "location": "Lyon",
                        },
                        "avatarMediaUrl": "https://pbs.twimg.com/profile_images/1/a_400x400.jpg",
                    }
                }
            )
        ],
    )
    manifest = {
        "userInfo": {"accountId": OWNER_ID, "userName": OWNER_HANDLE, "displayName": "Synthé Tique"},
        "dataTypes": {
            "tweets": {"mediaDirectory": "data/tweets_media", "files": tweet_files},
            **{
                key: {"files": [{"fileName": f"data/{fname}.js", "globalName": f"YTD.{g}.part0"}]}
                for key, fname, g in (
                    ("noteTweet", "note-tweet", "note_tweet"),
                    ("deletedTweets", "deleted-tweets", "deleted_tweets"),
                    ("following", "following", "following"),
                    ("follower", "follower", "follower"),
                    ("block", "block", "block"),
                    ("mute", "mute", "mute"),
                    ("like", "like", "like"),
                    ("account", "account", "account"),
                    ("profile", "profile", "profile"),
                )
            },
        },
    }
    files["data/manifest.js"] = b"window.__THAR_CONFIG = " + orjson.dumps(
        manifest, option=orjson.OPT_INDENT_2
    )
    pool = photo_pool(max_photo_bytes) if synth.media_files else []
    media_bytes = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        for name, data in _members(files, synth.media_files, pool):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            stored = name.endswith((".jpg", ".mp4"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            if stored:
                media_bytes += len(data)
            # level 1: the bench needs the archive fast; reading cost barely depends on the level
            zf.writestr(info, data, compresslevel=None if stored else 1)
    tmp.replace(out)
    stats = dict(synth.stats)
    stats["tweets_js_bytes"] = sum(len(files[f["fileName"]]) for f in tweet_files)
    stats["media_files"] = len(synth.media_files)
    stats["photos"] = sum(1 for spec in synth.media_files.values() if spec[0] == "photo")
    stats["media_bytes"] = media_bytes
    return stats


def _members(
    files: dict[str, bytes], media: dict[str, tuple[str, int, str]], pool: list[bytes]
) -> Iterator[tuple[str, bytes]]:
    """Every member in name order; media files made one at a time (10k photos never all in memory)."""
    for name in sorted([*files, *media]):
        yield name, files[name] if name in files else _media_bytes(media[name], pool)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of tweets (after edit collapse, without deleted)")
    parser.add_argument("--out", type=Path, help="zip to write (default bench/out/synth-N.zip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--with-media",
        action="store_true",
        help="include the media files (real photos from the pool, tiny mp4s)",
    )
    parser.add_argument(
        "--media-rate",
        type=float,
        default=1.0,
        help="multiply how many tweets carry media (2 → about 0.28 photos per tweet)",
    )
    parser.add_argument("--parts", type=int, default=1, help="split tweets into tweets-partK.js files")
    parser.add_argument(
        "--max-photo-bytes",
        type=int,
        default=0,
        help="use only the pool's photos up to this size (when their bytes do not matter)",
    )
    args = parser.parse_args(argv)
    out = args.out or Path(__file__).resolve().parent / "out" / f"synth-{args.n}.zip"
    start = time.perf_counter()
    stats = write_archive(
        args.n,
        out,
        seed=args.seed,
        with_media=args.with_media,
        parts=args.parts,
        media_rate=args.media_rate,
        max_photo_bytes=args.max_photo_bytes,
    )
    took = time.perf_counter() - start
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB zip, "
        f"tweets.js {stats['tweets_js_bytes'] / 1e6:.1f} MB) in {took:.1f} s"
    )
    print(orjson.dumps(stats).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
