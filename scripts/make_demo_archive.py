#!/usr/bin/env python3
"""Build the bundled demo X archive: src/quittex_tui/demo/demo-archive.zip (or --out / --folder).

Usage:
    python scripts/make_demo_archive.py                  # rewrites the bundled zip
    python scripts/make_demo_archive.py --out X.zip      # somewhere else
    python scripts/make_demo_archive.py --folder DIR     # the same tree, extracted (for tests)
    python scripts/make_demo_archive.py --facts          # print DEMO_FACTS as JSON

Everything here is invented: the owner "Camille Dupré" (@camille_depeche), a French-speaking journalist,
and the people she talks to. No real account's data.

The archive follows the real 2023+ layout and its quirks, line by line from docs/x-archive-format.md:
`data/manifest.js` (userInfo + dataTypes), `window.YTD.<type>.part0 = [ … ]` files in X's `"key" : value`
layout with no trailing newline, `{"tweet": …}` rows with every number a string, HTML-escaped `full_text`
whose entity indices count code points of the ESCAPED text, `display_text_range` = the whole text,
snowflake ids consistent with `created_at`, rows not in date order, several tweets in one second, a note
tweet (cut `full_text` + `note-tweet.js` row whose `noteTweetId` clock is a few tens of ms earlier, with
another tweet in the same second), an edit, deleted tweets, videos named after the highest-bitrate mp4
variant, one media file missing, people files with ids only, profile media, extra/blank files.

Deterministic: same bytes on every run (fixed zip timestamps and attributes, sorted members, seeded
randomness, media written without external binaries — see demo_media.py). `DEMO_FACTS` describes what
was designed (counts, threads, handles…): tests compare the reader's `inspect --json` against it.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo_media

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "src" / "quittex_tui" / "demo" / "demo-archive.zip"
SEED = 20250414
ZIP_DATE = (2025, 4, 14, 12, 0, 0)  # every member gets this timestamp: reproducible bytes
TWITTER_EPOCH_MS = 1288834974657  # snowflake: id = (ms - epoch) << 22 | 22 low bits


@dataclass(frozen=True)
class Person:
    id: str
    handle: str
    name: str


OWNER = Person("254817369", "camille_depeche", "Camille Dupré")
_PEOPLE = [
    Person("1026734523", "alice_martin", "Alice Martin"),
    Person("18273645", "bob_reporter", "Bob Reporter 📻"),
    Person("1034876523198465024", "chloe_data", "Chloé Data"),
    Person("987654012", "david_photo", "David Photo"),
    # handle known only from in_reply_to_screen_name (her reply has no mention entity)
    Person("3141592653", "emma_lefevre", "Emma Lefèvre"),
    Person("55512345", "presse_libre_fr", "Presse Libre"),
    Person("1290001112223334445", "nora_climat", "Nora Climat 🌍"),
    Person("246813579", "gael_bzh", "Gaël"),
    Person("1412345678901234567", "troll_du_dimanche", "Le Troll"),
]
PEOPLE = {p.handle: p for p in _PEOPLE}
# A mention whose account is gone: real rows carry id_str "-1" — no handle pairing may come from it.
GONE = Person("-1", "compte_supprime", "")

FOLLOWING = [
    PEOPLE[h].id
    for h in (
        "alice_martin",
        "bob_reporter",
        "chloe_data",
        "david_photo",
        "emma_lefevre",
        "presse_libre_fr",
        "nora_climat",
    )
] + ["1503456789012345678", "44196397", "1181234567890123456", "2998877665", "1600012345678901234"]
FOLLOWERS = [
    PEOPLE[h].id for h in ("alice_martin", "bob_reporter", "chloe_data", "david_photo", "gael_bzh")
] + [
    "1702345678901234567",
    "813286",
    "1230987654321098765",
    "3344556677",
    "1111222233334444555",
    "71234567",
    "1409876543210987654",
    "2223334445",
    "1556677889900112233",
    "90011223",
]
BLOCKS = [PEOPLE["troll_du_dimanche"].id, "1598765432101234567"]
MUTES = ["1650123456789012345", "3088776655"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def x_date(dt: datetime) -> str:
    """`Sat Dec 21 09:00:05 +0000 2024` without depending on the C locale."""
    return f"{_DAYS[dt.weekday()]} {_MONTHS[dt.month - 1]} {dt:%d %H:%M:%S} +0000 {dt.year}"


def iso_ms(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def when(text: str) -> datetime:
    """'2024-12-21 09:00:05.120' (milliseconds optional) as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def escape(text: str) -> str:
    # X escapes exactly these three in full_text (quotes stay as they are).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------------------------------ media specs


@dataclass
class MediaSpec:
    kind: str  # photo | video | animated_gif
    basename: str  # photo: basename(media_url_https) without extension; video/gif: mp4 variant basename
    ext: str = "jpg"
    width: int = 1200
    height: int = 800
    render: str = "photo"  # key of the renderer in _RENDERERS
    missing: bool = False  # deliberately absent from data/tweets_media/
    duration_ms: int | None = None


@dataclass
class Records:
    tweets: list[dict[str, Any]] = field(default_factory=list)  # rows of tweets.js (unshuffled)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    media_files: dict[str, MediaSpec] = field(default_factory=dict)  # member path -> spec
    kinds: dict[str, str] = field(default_factory=dict)  # final tweet id -> designed kind
    threads: list[list[str]] = field(default_factory=list)
    known_handles: dict[str, str] = field(default_factory=dict)
    media_count: int = 0
    missing_media: int = 0
    missing_media_unpublished: int = 0  # of missing_media: on retweets and replies (never published)
    edited: list[list[str]] = field(default_factory=list)
    note_tweet_ids: list[str] = field(default_factory=list)
    likes: list[dict[str, Any]] = field(default_factory=list)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_TOKEN = re.compile(r"\{(@|#|\$|url:)([^}]+)\}")


class Builder:
    """Composes tweet rows from small templates; computes entities on the escaped text.

    Template markers: `{@handle}` mention (with its entity), `{#tag}`, `{$TAG}` cashtag, `{url:https://…}`
    a link shown as a fresh t.co. A literal `@handle` in the template has no entity (renamed/suspended).
    """

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.rec = Records()

    # -- ids and links
    def snowflake(self, dt: datetime) -> str:
        ms = int(dt.timestamp() * 1000)
        return str(((ms - TWITTER_EPOCH_MS) << 22) | self.rng.getrandbits(22))

    def _token(self, n: int, alphabet: str = _ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def tco(self) -> str:
        return "https://t.co/" + self._token(10)

    @staticmethod
    def display_url(url: str) -> str:
        shown = re.sub(r"^https?://(www\.)?", "", url)
        return shown if len(shown) <= 26 else shown[:25] + "…"

    # -- text
    def render(self, template: str, *, escaped: bool = True) -> tuple[str, dict[str, list[dict[str, Any]]]]:
        out = ""
        ents: dict[str, list[dict[str, Any]]] = {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": [],
        }
        pos = 0
        for m in _TOKEN.finditer(template):
            plain = template[pos : m.start()]
            out += escape(plain) if escaped else plain
            pos = m.end()
            kind, value = m.group(1), m.group(2)
            start = len(out)  # code points of the (escaped) text so far
            if kind == "@":
                person = GONE if value == GONE.handle else PEOPLE[value]
                out += "@" + person.handle
                ents["user_mentions"].append(
                    {
                        "name": person.name,
                        "screen_name": person.handle,
                        "indices": [str(start), str(len(out))],
                        "id_str": person.id,
                        "id": person.id,
                    }
                )
                if person.id != "-1":
                    self.rec.known_handles[person.id] = person.handle
            elif kind in "#$":
                out += kind + value
                ents["hashtags" if kind == "#" else "symbols"].append(
                    {"text": value, "indices": [str(start), str(len(out))]}
                )
            else:
                short = self.tco()
                out += short
                ents["urls"].append(
                    {
                        "url": short,
                        "expanded_url": value,
                        "display_url": self.display_url(value),
                        "indices": [str(start), str(len(out))],
                    }
                )
        plain = template[pos:]
        out += escape(plain) if escaped else plain
        return out, ents

    # -- rows
    def tweet(
        self,
        at: str,
        template: str,
        *,
        kind: str,
        lang: str = "fr",
        reply_to_status: str | None = None,
        reply_to: Person | None = None,
        reply_screen_name: bool = True,
        media: tuple[MediaSpec, ...] = (),
        favs: int | None = None,
        extra: dict[str, Any] | None = None,
        record: bool = True,
        tweet_id: str | None = None,
    ) -> dict[str, Any]:
        dt = when(at)
        tid = tweet_id or self.snowflake(dt)
        text, ents = self.render(template)
        media_ents: list[dict[str, Any]] = []
        if media:
            link = self.tco()
            if text:
                text += " "
            start = len(text)
            text += link
            display = "pic.x.com/" + self._token(10)
            for n, spec in enumerate(media, 1):
                media_ents.append(self._media_entity(tid, dt, spec, n, link, display, start, len(text)))
        row: dict[str, Any] = {
            "edit_info": {
                "initial": {
                    "editTweetIds": [tid],
                    "editableUntil": iso_ms(dt + timedelta(hours=1)),
                    "editsRemaining": "5",
                    "isEditEligible": kind not in {"retweet", "reply"},
                }
            },
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": {**ents, **({"media": media_ents[:1]} if media_ents else {})},
            "display_text_range": ["0", str(len(text))],  # real archives: the whole text, always
            "favorite_count": str(favs if favs is not None else self.rng.randrange(0, 400)),
            "id_str": tid,
            "truncated": False,
            "retweet_count": str(0 if kind == "retweet" else self.rng.randrange(0, 90)),
            "id": tid,
            "created_at": x_date(dt),
            "favorited": False,
            "full_text": text,
            "lang": lang,
        }
        if reply_to is not None:
            if reply_to_status:
                row["in_reply_to_status_id_str"] = reply_to_status
                row["in_reply_to_status_id"] = reply_to_status
            row["in_reply_to_user_id"] = reply_to.id
            row["in_reply_to_user_id_str"] = reply_to.id
            if reply_screen_name:
                row["in_reply_to_screen_name"] = reply_to.handle
                if reply_to is not OWNER:
                    self.rec.known_handles[reply_to.id] = reply_to.handle
        if media_ents:
            row["extended_entities"] = {"media": media_ents}
            row["possibly_sensitive"] = False
        if extra:
            row.update(extra)
        if record:
            self.rec.tweets.append({"tweet": row})
            self.rec.kinds[tid] = kind
            self.rec.media_count += len(media)
            self.rec.missing_media += sum(1 for s in media if s.missing)
            if kind in ("retweet", "reply"):
                self.rec.missing_media_unpublished += sum(1 for s in media if s.missing)
        return row

    def _media_entity(
        self, tid: str, dt: datetime, spec: MediaSpec, n: int, link: str, display: str, start: int, end: int
    ) -> dict[str, Any]:
        mid = self.snowflake(dt - timedelta(seconds=40 + n))  # uploaded just before posting
        w, h = spec.width, spec.height
        scale = min(1.0, 2048 / max(w, h))

        def size(limit: int, resize: str = "fit") -> dict[str, str]:
            f = min(1.0, limit / max(w, h))
            return {"w": str(round(w * f)), "h": str(round(h * f)), "resize": resize}

        ent: dict[str, Any] = {
            "expanded_url": f"https://x.com/{OWNER.handle}/status/{tid}/"
            + ("video" if spec.kind == "video" else "photo")
            + f"/{n}",
            "indices": [str(start), str(end)],
            "url": link,
            "id_str": mid,
            "id": mid,
            "sizes": {
                "thumb": {"w": "150", "h": "150", "resize": "crop"},
                "small": size(680),
                "medium": size(1200),
                "large": size(round(max(w, h) * scale)),
            },
            "type": spec.kind,
            "display_url": display,
        }
        if spec.kind == "photo":
            ent["media_url_https"] = f"https://pbs.twimg.com/media/{spec.basename}.{spec.ext}"
            filename = f"{tid}-{spec.basename}.{spec.ext}"
        else:
            ratio = (16, 9) if w * 9 == h * 16 else (w, h)
            if spec.kind == "video":
                thumb = f"https://pbs.twimg.com/ext_tw_video_thumb/{mid}/pu/img/{self._token(16)}.jpg"
                base = f"https://video.twimg.com/ext_tw_video/{mid}/pu"
                variants = [  # highest bitrate deliberately not first: the file is named after IT
                    {
                        "bitrate": "832000",
                        "content_type": "video/mp4",
                        "url": f"{base}/vid/avc1/640x360/{self._token(16)}.mp4?tag=12",
                    },
                    {
                        "content_type": "application/x-mpegURL",
                        "url": f"{base}/pl/{self._token(16)}.m3u8"
                        f"?tag=12&v={self._token(3, '0123456789abcdef')}",
                    },
                    {
                        "bitrate": "2176000",
                        "content_type": "video/mp4",
                        "url": f"{base}/vid/avc1/1280x720/{spec.basename}.mp4?tag=12",
                    },
                ]
                ent["video_info"] = {
                    "aspect_ratio": [str(ratio[0]), str(ratio[1])],
                    "duration_millis": str(spec.duration_ms),
                    "variants": variants,
                }
                ent["additional_media_info"] = {"monetizable": False}
            else:  # animated_gif: one mp4 variant, bitrate "0", no duration
                thumb = f"https://pbs.twimg.com/tweet_video_thumb/{spec.basename}.jpg"
                ent["video_info"] = {
                    "aspect_ratio": [str(ratio[0]), str(ratio[1])],
                    "variants": [
                        {
                            "bitrate": "0",
                            "content_type": "video/mp4",
                            "url": f"https://video.twimg.com/tweet_video/{spec.basename}.mp4",
                        }
                    ],
                }
            ent["media_url_https"] = thumb
            filename = f"{tid}-{spec.basename}.mp4"
        if not spec.missing:
            self.rec.media_files[f"data/tweets_media/{filename}"] = spec
        return ent

    def other_status(self, at: str) -> str:
        """Id of someone else's tweet (not in the archive) posted at `at`."""
        return self.snowflake(when(at))


# ------------------------------------------------------------------------------------------- the story


def _rt(b: Builder, at: str, who: str, text: str, **kw: Any) -> dict[str, Any]:
    """A retweet row: "RT @user: …", cut by X at 140 characters with "…"."""
    body = f"RT {{@{who}}}: {text}"
    return b.tweet(at, body, kind="retweet", favs=0, **kw)


def build_records() -> Records:
    """The demo account's story, 2019–2025, in one place."""
    b = Builder()
    t = b.tweet
    P = PEOPLE
    me = OWNER
    spec = MediaSpec

    # --- 2019
    t(
        "2019-03-08 08:30:00",
        "Journée internationale des droits des femmes. Dans notre rédaction : "
        "3 cheffes de service sur 11. On a du travail. {#8mars} {#presse}",
        kind="original",
    )
    t(
        "2019-04-15 19:12:44.310",
        "Notre-Dame brûle. Images insoutenables depuis le quai de la Tournelle. {#NotreDame}",
        kind="original",
    )
    t(
        "2019-06-14 17:02:11.020",
        "First day at the {#DataJournalism} bootcamp in Amsterdam 🇳🇱 — learning "
        "SQL & Python. Wish me luck 🤞",
        kind="original",
        lang="en",
    )
    _rt(
        b,
        "2019-09-20 12:00:40.500",
        "presse_libre_fr",
        "Grève pour le climat : des milliers de jeunes dans "
        "les rues de Lyon, Paris, Marseille et Lille ce vendredi. Nos reporters sur pl…",
    )
    t(
        "2019-11-02 10:15:00.250",
        "{@alice_martin} Merci Alice ! Le lien vers la méthodo : "
        "{url:https://exemple.org/methodo?annee=2019&format=pdf}",
        kind="reply",
        reply_to=P["alice_martin"],
        reply_to_status=b.other_status("2019-11-02 09:58:12"),
    )
    t(
        "2019-12-31 23:59:58.900",
        "Bonne année 2020 à toutes et à tous 🥂🎉 On se retrouve de l'autre côté.",
        kind="original",
    )

    # --- 2020: a two-post self-thread
    t2a = t(
        "2020-01-15 07:45:03.100",
        "Petit fil sur la presse locale en 2019 : 12 titres fermés, "
        "4 rachetés. Les chiffres, la carte, et ce que ça change pour vous 👇 {#presse}",
        kind="original",
    )
    t2b = t(
        "2020-01-15 07:46:30.700",
        "Sources : rapports annuels & déclarations au greffe. Données "
        "ouvertes : {url:https://data.exemple.fr/presse-locale-2019}",
        kind="thread",
        reply_to=me,
        reply_to_status=t2a["id_str"],
    )
    b.rec.threads.append([t2a["id_str"], t2b["id_str"]])
    t(
        "2020-03-17 12:00:00",
        "Confinement, jour 1. Télétravail, enfants, café ☕. Courage à tous les "
        "collègues sur le terrain. {#COVID19}",
        kind="original",
    )
    t(
        "2020-04-02 18:21:09.400",
        "Indispensable, ce fil de {@chloe_data} sur les courbes qui trompent 📉 "
        "{url:https://twitter.com/chloe_data/status/1245678901234567890}",
        kind="quote",
    )
    # an @-post: in_reply_to_user_id without a status id
    t(
        "2020-05-11 09:03:27.800",
        "{@chloe_data} tu as les données brutes du graphique ? Je voudrais les "
        "croiser avec celles de l'Insee.",
        kind="reply",
        reply_to=P["chloe_data"],
    )
    t(
        "2020-06-21 21:40:00.600",
        "Fête de la musique, version balcon 🎻🎺 {#fetedelamusique}",
        kind="original",
        media=(spec("photo", "EbZ3kR9XsAE_w1q", missing=True),),
    )
    _rt(
        b,
        "2020-09-04 16:30:12",
        "david_photo",
        "Nouvelle série : les kiosques à journaux de Paris, avant "
        "qu'ils ne disparaissent. 40 photos, trois ans de balades. Le portfolio…",
    )
    t(
        "2020-11-03 23:00:00.150",
        "Election night coverage starting now. Follow along with the live desk → "
        "{url:https://exemple.org/live/us-2020?ref=tw&lang=en}",
        kind="original",
        lang="en",
    )

    # --- 2021
    t(
        "2021-01-20 13:37:00",
        "{@troll_du_dimanche} Non. Les sources sont dans l'article, lien en bio.",
        kind="reply",
        reply_to=P["troll_du_dimanche"],
        reply_to_status=b.other_status("2021-01-20 13:30:41"),
    )
    # leading @handle WITHOUT a user_mentions entity (renamed account); handle only in in_reply_to_screen_name
    t(
        "2021-02-14 11:11:11.111",
        "@emma_lefevre Bravo pour le prix ! Tellement mérité 👏🏾",
        kind="reply",
        reply_to=P["emma_lefevre"],
        reply_to_status=b.other_status("2021-02-14 10:02:00"),
    )
    t(
        "2021-04-01 08:00:00",
        "Poisson d'avril ? Non : la rédaction déménage vraiment à Lyon. "
        "Ce\u0301sar, notre chat, vient aussi 🐈\u200d⬛",
        kind="original",
        extra={"withheld_in_countries": []},
    )
    t(
        "2021-06-05 15:20:45",
        "Reportage dans le Vercors : bergers, loups et 4G qui ne passe pas. "
        "Photos {@david_photo} & moi. {#montagne}",
        kind="original",
        media=(
            spec("photo", "E3Kp-Lw0XMAc9Qd", width=1200, height=800, render="mountain"),
            spec("photo", "E3Kp_MqXIAIx7_z", width=800, height=1200, render="forest"),
        ),
    )
    t(
        "2021-09-13 19:05:33",
        "Belle discussion avec {@compte_supprime} et {@gael_bzh} sur l'avenir des pure players.",
        kind="original",
    )
    _rt(
        b,
        "2021-10-10 10:10:10",
        "nora_climat",
        "Le rapport du GIEC en 10 graphiques simples, pour celles "
        "et ceux qui n'ont pas le temps de lire les 3 949 pages…",
    )
    t(
        "2021-12-24 18:00:00",
        "Merry Christmas from Lyon 🇫🇷🎄 and see you in 2022 🇪🇺",
        kind="original",
        lang="en",
    )

    # --- 2022
    t(
        "2022-02-24 07:02:19",
        "Sidérée. Pensées pour nos consœurs et confrères en Ukraine 🇺🇦 {#Ukraine}",
        kind="original",
    )
    t(
        "2022-05-03 09:30:00",
        "Liberté de la presse : la France passe de la 34e à la 26e place. Mieux, "
        "mais <30e ≠ bonne nouvelle pour tout le monde & {url:https://exemple.org/classement-2022?pays=fr&an=2022}",
        kind="original",
    )
    t(
        "2022-07-14 22:48:03",
        "Feu d'artifice sur la Saône, 12 secondes de magie ✨🎆",
        kind="original",
        media=(spec("video", "wZwdl2psWVDiB7ej", width=1280, height=720, render="video", duration_ms=12500),),
    )
    # a reply to someone else, then a self-reply inside that conversation: both are replies to others
    r1 = t(
        "2022-09-30 20:14:55",
        "{@alice_martin} {@bob_reporter} Je ne suis pas d'accord : la source "
        "principale n'a jamais été contactée.",
        kind="reply",
        reply_to=P["alice_martin"],
        reply_to_status=b.other_status("2022-09-30 19:50:00"),
    )
    t(
        "2022-09-30 20:15:40",
        "{@alice_martin} {@bob_reporter} Et pour être précise : on a demandé trois fois, par écrit.",
        kind="reply",
        reply_to=me,
        reply_to_status=r1["id_str"],
    )
    t(
        "2022-11-20 10:05:00",
        "Ubisoft {$UBI} dévisse de 12 % en Bourse ce matin. Qui a un contact côté syndicats ? {#jeuvideo}",
        kind="original",
    )
    t("2022-12-18 17:58:31", "Finale Argentine–France ⚽ Quel match. Quelle fin. 🇦🇷🇫🇷", kind="original")

    # --- 2023
    t(
        "2023-01-10 18:59:00",
        "Moi quand le rédac chef valide le sujet à 18 h 59 :",
        kind="original",
        media=(spec("animated_gif", "FmQ2x-TWYAEjh0J", width=320, height=320, render="gif"),),
    )
    t(
        "2023-03-07 14:12:09",
        "Manif contre la réforme des retraites, Lyon, place Bellecour. 4 photos, 4 ambiances. {#greve7mars}",
        kind="original",
        media=(
            spec("photo", "Fqa1_bLWYAA8mJ-", width=2000, height=3000, render="large_rotated"),
            spec("photo", "Fqa1cR2XsAI3Z_k", render="crowd"),
            spec("photo", "Fqa1d-yWIAQ0pLm", render="banners"),
            spec("photo", "Fqa1eTmXoAUmN2b", render="sunset"),
        ),
    )
    t(
        "2023-04-18 11:00:00",
        "Le graphique du jour : part des dépêches reprises sans modification, "
        "2015 → 2023 📊 {#JournalismeDeDonnées}",
        kind="original",
        media=(spec("photo", "Ft9Xq_0WAAE7v-R", ext="png", width=800, height=500, render="chart"),),
    )
    # the edited tweet: two versions, new t.co in the second
    v1_at, v2_at = when("2023-06-02 08:12:00"), when("2023-06-02 08:17:31")
    v1_id, v2_id = b.snowflake(v1_at), b.snowflake(v2_at)
    v1 = t(
        "2023-06-02 08:12:00",
        "Notre enquête sur les cantines scolaires est en ligne : {url:https://exemple.org/enquete-cantines}",
        kind="edited-away",
        record=False,
        tweet_id=v1_id,
    )
    v1["edit_info"] = {
        "initial": {
            "editTweetIds": [v1_id, v2_id],
            "editableUntil": iso_ms(v1_at + timedelta(hours=1)),
            "editsRemaining": "4",
            "isEditEligible": True,
        }
    }
    b.rec.tweets.append({"tweet": v1})
    v2 = t(
        "2023-06-02 08:17:31",
        "Notre enquête sur les cantines scolaires est en ligne (version "
        "corrigée, merci {@alice_martin}) : {url:https://exemple.org/enquete-cantines}",
        kind="original",
        tweet_id=v2_id,
    )
    v2["edit_info"] = {
        "edit": {
            "initialTweetId": v1_id,
            "editControlInitial": {
                "editTweetIds": [v1_id, v2_id],
                "editableUntil": iso_ms(v1_at + timedelta(hours=1)),
                "editsRemaining": "4",
                "isEditEligible": True,
            },
        }
    }
    b.rec.edited.append([v1_id, v2_id])
    _rt(
        b,
        "2023-07-01 09:45:00",
        "bob_reporter",
        "On recrute ! CDD de 6 mois au desk web, profil data "
        "bienvenu. Candidatures avant le 15 juillet, tous les détails…",
    )
    # a three-post self-thread in English
    t3 = [
        t(
            "2023-09-02 06:30:00",
            "Thread: what I learned covering three elections in twelve months 🗳️ (1/3)",
            kind="original",
            lang="en",
        )
    ]
    t3.append(
        t(
            "2023-09-02 06:31:10",
            "Polls are a snapshot, not a forecast. Say it every time, even when it's boring. (2/3)",
            kind="thread",
            lang="en",
            reply_to=me,
            reply_to_status=t3[0]["id_str"],
        )
    )
    t3.append(
        t(
            "2023-09-02 06:33:45",
            "And sleep. Nobody writes a good lede at 4 am 😴 (3/3)",
            kind="thread",
            lang="en",
            reply_to=me,
            reply_to_status=t3[1]["id_str"],
        )
    )
    b.rec.threads.append([t["id_str"] for t in t3])
    t(
        "2023-09-15 07:50:00",
        "Rentrée 🎒 Les enfants à l'école, moi au bureau. 👩\u200d👩\u200d👧\u200d👦 "
        "Petit déjeuner : 3 cafés.",
        kind="original",
    )
    deleted = t("2023-10-08 13:58:02", "Brouillon publié par erreur, désolée", kind="deleted", record=False)
    deleted["deleted_at"] = x_date(when("2023-10-08 13:59:40"))
    b.rec.deleted.append({"tweet": deleted})
    t(
        "2023-12-12 21:03:00",
        "{@david_photo} Sublime série. On en parle en conf de rédac demain ?",
        kind="reply",
        reply_to=P["david_photo"],
        reply_to_status=b.other_status("2023-12-12 20:40:00"),
    )

    # --- 2024
    t(
        "2024-02-29 12:00:00",
        "29 février : le jour parfait pour publier une enquête qu'on repousse depuis quatre ans 😅",
        kind="original",
    )
    t(
        "2024-04-05 08:02:00",
        "À lire absolument 👇 {@bob_reporter} a passé six mois dans les coulisses "
        "d'une agence de presse. {url:https://x.com/bob_reporter/status/1776123456789012345}",
        kind="quote",
    )
    t(
        "2024-06-09 17:45:00",
        "EU elections tonight 🇪🇺 — live results & analysis on our site from 8 pm. {#EUelections2024}",
        kind="original",
        lang="en",
    )
    t("2024-07-26 19:30:00", "Cérémonie d'ouverture sous la pluie ☔ {#Paris2024}", kind="original")
    # a self-reply inside someone else's conversation, parent not in the archive
    t(
        "2024-09-17 16:44:12",
        "{@bob_reporter} Ajout : le document complet est ici "
        "{url:https://exemple.org/docs/rapport-final.pdf}",
        kind="reply",
        reply_to=me,
        reply_to_status=b.other_status("2024-09-17 16:40:00"),
    )
    # the main self-thread: five posts, three of them in the same second
    t1 = [
        t(
            "2024-12-21 09:00:05.120",
            "🧵 Fil : un an d'enquête sur les déserts médiatiques en France. Ce "
            "qu'on a trouvé, département par département. {#presse} {#JournalismeDeDonnées} 1/5",
            kind="original",
        )
    ]
    t1.append(
        t(
            "2024-12-21 09:00:05.480",
            "2/5 Premier constat : 31 départements n'ont plus de quotidien "
            "local indépendant. En 2010, ils étaient 9. La carte 👇",
            kind="thread",
            reply_to=me,
            reply_to_status=t1[-1]["id_str"],
            media=(spec("photo", "GfRm2_pWcAA-k8x", width=1400, height=1400, render="map"),),
        )
    )
    t1.append(
        t(
            "2024-12-21 09:00:05.910",
            "3/5 Deuxième constat : là où le journal ferme, la participation "
            "aux municipales baisse (–3 à –5 points). Corrélation ≠ causalité, mais les études "
            "concordent : {url:https://exemple.org/etudes/participation?source=quittex&p=2}",
            kind="thread",
            reply_to=me,
            reply_to_status=t1[-1]["id_str"],
        )
    )
    t1.append(
        t(
            "2024-12-21 09:01:12",
            "4/5 Ce qui marche : les coopératives de lecteurs (en Bretagne "
            "🌊), les radios associatives & les newsletters locales.",
            kind="thread",
            reply_to=me,
            reply_to_status=t1[-1]["id_str"],
        )
    )
    t1.append(
        t(
            "2024-12-21 09:02:40",
            "5/5 Merci à {@chloe_data} pour les données et à {@david_photo} "
            "pour les photos. L'enquête complète : "
            "{url:https://exemple.org/deserts-mediatiques} 🙏",
            kind="thread",
            reply_to=me,
            reply_to_status=t1[-1]["id_str"],
        )
    )
    b.rec.threads.insert(1, [t["id_str"] for t in t1])  # keep threads in time order (t2, t3, t1)
    b.rec.threads.sort(key=lambda ids: int(ids[0]))

    # --- 2025: the long note tweet, and a retweet in the very same second
    _note_tweet(b, "2025-01-20 10:30:17.560", note_clock="2025-01-20 10:30:17.520")
    _rt(
        b,
        "2025-01-20 10:30:17.830",
        "alice_martin",
        "Quinze ans de journalisme sur cette plateforme, et "
        "aujourd'hui on part. Pas de colère : juste l'envie d'un endroit où les liens circulent enc…",
    )
    t(
        "2025-02-03 22:10:00",
        "{@chloe_data} Oui ! Envoie-moi le tableur, je regarde ce soir 🌙",
        kind="reply",
        reply_to=P["chloe_data"],
        reply_to_status=b.other_status("2025-02-03 21:55:00"),
    )
    t(
        "2025-03-08 08:30:00",
        "8 mars 2025 : six ans après, 5 cheffes de service sur 11. Ça avance, doucement. {#8mars}",
        kind="original",
    )
    t(
        "2025-04-14 10:00:00",
        "Nouveau chapitre : je quitte X. Retrouvez-moi sur Bluesky et Mastodon, "
        "liens en bio. Merci pour ces années 💙",
        kind="original",
    )

    b.rec.likes = [
        {"like": {"tweetId": b.other_status(at), "fullText": text, "expandedUrl": ""}}
        for at, text in [
            ("2021-05-02 10:00:00", "Un bon papier, c'est d'abord un bon coup de fil. ☎️"),
            ("2022-03-15 14:22:00", "Data &amp; journalisme : notre guide gratuit est en ligne 📘"),
            ("2023-08-30 08:00:00", "Photo du jour : la Croix-Rousse sous l'orage ⛈️"),
            ("2024-11-05 23:30:00", "Résultats en direct, carte interactive ➡️ par comté"),
            ("2025-01-21 09:00:00", "Welcome to the fediverse! 🐘"),
        ]
    ]
    for like in b.rec.likes:
        like["like"]["expandedUrl"] = f"https://twitter.com/i/web/status/{like['like']['tweetId']}"

    # --- links that live on the new network (issue 13). Written last so that every id above stays as it
    # was (the ids come from one seeded generator). Own quotes — of a thread part, with a photo (a quote
    # post with media), with an earlier handle and a query string as people paste them —, a self-link in
    # the "show more" form, a hyphenated Bluesky handle written in a tweet and a matched person.
    t(
        "2025-02-10 09:15:00",
        "Un an après, ce chiffre n'a pas bougé d'un iota. Relisez le fil : "
        f"{{url:https://x.com/{me.handle}/status/{t1[1]['id_str']}}}",
        kind="quote",
    )
    t(
        "2025-02-11 12:00:00",
        "La méthode, pour qui veut refaire l'enquête dans sa région : "
        f"{{url:https://mobile.twitter.com/camille_redac/status/{t2a['id_str']}?s=20}}",
        kind="quote",
        media=(spec("photo", "GjMt4_rXwAAq-2b", width=1200, height=900, render="map"),),
    )
    t(
        "2025-02-12 18:30:00",
        "Merci @nora-climat.bsky.social et {@chloe_data} pour les données : on continue là-bas 🦋",
        kind="original",
    )
    t(
        "2025-02-13 08:00:00",
        "Notre enquête sur les cantines, un an plus tard : "
        f"{{url:https://twitter.com/i/web/status/{v2['id_str']}}} (mise à jour en bas de page)",
        kind="original",
    )
    return b.rec


_NOTE_TEXT = (
    "Pourquoi je quitte X après quinze ans, et pourquoi ce n'est pas une décision facile. J'y ai trouvé des "
    "sources, des collègues, des lecteurs & des amis. Avec {@chloe_data}, on a mesuré : en deux ans, "
    "le trafic venu d'ici vers notre site a été divisé par six. Les liens n'y circulent plus, "
    "les réponses sont noyées sous les comptes payants, et la modération a disparu.\n\n"
    "Je ne supprime pas mon compte : il restera là, pour mémoire. Mais je n'y publierai plus. Tout ce que "
    "j'ai écrit ici depuis 2019 — les fils, les photos, les enquêtes — je le transfère sur Bluesky et "
    "Mastodon, avec les dates d'origine, fil par fil. Vous me retrouverez là-bas, même pseudo ou presque.\n\n"
    "Si vous êtes journaliste et que vous hésitez : parlons-en. Je partage volontiers ma méthode, les outils "
    "utilisés et les erreurs à éviter (les doublons, les liens t.co, les images trop lourdes…). "
    "Tout est expliqué ici : {url:https://exemple.org/blog/quitter-x-mode-d-emploi} {#QuitterX} 🦋🐘"
)


def _note_tweet(b: Builder, at: str, note_clock: str) -> None:
    """A note tweet: cut `full_text` ending "… https://t.co/…" + its note-tweet.js row (complete text).

    Per the format note: `core.text` is plain (not HTML-escaped), entities index into it; the tweet id's
    clock is a few tens of ms after the noteTweetId's.
    """
    dt, note_dt = when(at), when(note_clock)
    tid = b.snowflake(dt)
    note_id = b.snowflake(note_dt)
    full, ents = b.render(_NOTE_TEXT, escaped=False)
    # X cuts the visible text at a word boundary (~275 code points) and links the rest.
    cut = full.rfind(" ", 0, 275)
    prefix_template = _NOTE_TEXT[: _template_offset(_NOTE_TEXT, full, cut)]
    link_to_rest = f"https://twitter.com/i/web/status/{tid}"
    row = b.tweet(at, prefix_template + "… {url:" + link_to_rest + "}", kind="original", tweet_id=tid)
    b.rec.note_tweet_ids.append(tid)
    core = {
        "styletags": [],
        "urls": [
            {
                "shortUrl": u["url"],
                "displayUrl": u["display_url"],
                "expandedUrl": u["expanded_url"],
                "fromIndex": u["indices"][0],
                "toIndex": u["indices"][1],
            }
            for u in ents["urls"]
        ],
        "text": full,
        "mentions": [
            {"screenName": m["screen_name"], "fromIndex": m["indices"][0], "toIndex": m["indices"][1]}
            for m in ents["user_mentions"]
        ],
        "cashtags": [],
        "hashtags": [
            {"text": h["text"], "fromIndex": h["indices"][0], "toIndex": h["indices"][1]}
            for h in ents["hashtags"]
        ],
    }
    b.rec.notes.append(
        {
            "noteTweet": {
                "noteTweetId": note_id,
                "updatedAt": iso_ms(note_dt),
                "lifecycle": {"value": "00", "name": "Active", "originalName": "Active", "annotations": {}},
                "createdAt": iso_ms(note_dt),
                "core": core,
            }
        }
    )
    assert row["full_text"].endswith(row["entities"]["urls"][-1]["url"])


def _template_offset(template: str, rendered: str, cut: int) -> int:
    """Offset in `template` whose rendering is `rendered[:cut]` (cut must fall in plain text)."""
    pos_t = pos_r = 0
    for m in _TOKEN.finditer(template):
        plain = m.start() - pos_t
        if pos_r + plain >= cut:
            break
        pos_r += plain
        shown_len = len(m.group(2)) + 1 if m.group(1) in "@#$" else 23
        pos_r += shown_len
        pos_t = m.end()
        if pos_r > cut:
            raise ValueError("the note tweet's cut falls inside an entity")
    return pos_t + (cut - pos_r)


# --------------------------------------------------------------------------------------- media renderers


def _scene(
    w: int, h: int, seed: int, grain: float, shapes: Callable[[Any, random.Random], None] | None = None
) -> Any:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    cw, ch = 4, 3  # a few random colours, smoothly interpolated: a soft backdrop
    img = Image.frombytes("RGB", (cw, ch), rng.randbytes(cw * ch * 3))
    img = img.resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    if shapes:
        shapes(draw, rng)
    else:
        for _ in range(12):
            x, y = rng.randrange(w), rng.randrange(h)
            r = rng.randrange(min(w, h) // 20, min(w, h) // 5)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    if grain:
        noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
        img = Image.blend(img, noise, grain)
    return img


def _jpeg(img: Any, quality: int = 85, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": quality, "optimize": False, "progressive": False}
    if exif:
        kwargs["exif"] = exif
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


def _photo(spec: MediaSpec, seed: int) -> bytes:
    return _jpeg(_scene(spec.width, spec.height, seed, 0.04))


def _large_rotated(spec: MediaSpec, seed: int) -> bytes:
    """3000×2000 stored pixels, EXIF orientation 6 (display = 90° clockwise → 2000×3000 portrait), GPS tags.

    An upward arrow is drawn so that it points UP only once the orientation is applied: a converter that
    forgets EXIF orientation shows it pointing left.
    """
    from PIL import ExifTags, Image, ImageDraw

    upright = _scene(spec.width, spec.height, seed, 0.0)  # 2000 wide × 3000 high, as displayed
    draw = ImageDraw.Draw(upright)
    cx = spec.width // 2
    draw.polygon(
        [
            (cx, 300),
            (cx - 500, 1100),
            (cx - 180, 1100),
            (cx - 180, 2600),
            (cx + 180, 2600),
            (cx + 180, 1100),
            (cx + 500, 1100),
        ],
        fill=(250, 250, 250),
        outline=(20, 20, 20),
    )
    grain = random.Random(seed + 1).randbytes(spec.width * spec.height * 3)
    noise = Image.frombytes("RGB", upright.size, grain)
    upright = Image.blend(upright, noise, 0.2)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # counter-clockwise: undone by orientation 6
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DemoCam"
    exif[ExifTags.Base.Model] = "QX-1"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.DateTime] = "2023:03:07 14:05:31"
    exif[ExifTags.IFD.GPSInfo] = {  # Lyon, place Bellecour — must be stripped before publishing
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 45.0, 28.08),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (4.0, 49.0, 55.2),
    }
    return _jpeg(stored, quality=90, exif=exif.tobytes())


def _chart(spec: MediaSpec, seed: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (spec.width, spec.height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    values = [38, 41, 45, 47, 52, 55, 61, 64, 70]  # invented
    bar = (spec.width - 100) // len(values)
    for n, v in enumerate(values):
        x0 = 60 + n * bar
        draw.rectangle((x0 + 8, spec.height - 40 - v * 6, x0 + bar - 8, spec.height - 40), fill=(30, 90, 200))
    draw.line((50, spec.height - 40, spec.width - 30, spec.height - 40), fill=(0, 0, 0), width=3)
    draw.line((50, 20, 50, spec.height - 40), fill=(0, 0, 0), width=3)
    raw = img.tobytes()
    stride = spec.width * 3
    return demo_media.png(spec.width, spec.height, [raw[i : i + stride] for i in range(0, len(raw), stride)])


def _video(spec: MediaSpec, seed: int) -> bytes:
    assert spec.duration_ms is not None
    fps = 2
    frames = spec.duration_ms * fps // 1000
    width, height = 128, 80  # tiny stream; the tweet's metadata announces 1280×720 as X would

    def colour(f: int, x: int, y: int) -> tuple[int, int, int]:  # fireworks-ish drifting blocks
        return (
            16 + (x * 23 + y * 11 + f * 9) % 200,
            60 + (y * 30 + f * 7) % 140,
            80 + (x * 15 + f * 13) % 150,
        )

    data = demo_media.h264_mp4(width, height, fps, frames, colour)
    assert demo_media.mp4_duration_ms(data) == spec.duration_ms
    return data


def _gif(spec: MediaSpec, seed: int) -> bytes:
    def colour(f: int, x: int, y: int) -> tuple[int, int, int]:  # a blinking smiley-ish checker
        return (40 + ((x + y + f) % 2) * 170, 128, 128 + ((x * y + f) % 3) * 30)

    return demo_media.h264_mp4(64, 64, 4, 12, colour)


_RENDERERS: dict[str, Callable[[MediaSpec, int], bytes]] = {
    "photo": _photo,
    "mountain": _photo,
    "forest": _photo,
    "crowd": _photo,
    "banners": _photo,
    "sunset": _photo,
    "map": _photo,
    "large_rotated": _large_rotated,
    "chart": _chart,
    "video": _video,
    "gif": _gif,
}


def _avatar() -> bytes:
    from PIL import ImageDraw

    img = _scene(400, 400, 7, 0.02, shapes=lambda d, r: None)
    draw = ImageDraw.Draw(img)
    draw.ellipse((100, 60, 300, 260), fill=(235, 200, 170))  # a face
    draw.ellipse((40, 250, 360, 560), fill=(40, 60, 120))  # shoulders
    draw.ellipse((150, 130, 175, 155), fill=(30, 30, 30))
    draw.ellipse((225, 130, 250, 155), fill=(30, 30, 30))
    draw.arc((150, 160, 250, 220), 20, 160, fill=(150, 40, 40), width=6)
    return _jpeg(img)


def _banner() -> bytes:
    from PIL import ImageDraw

    img = _scene(1500, 500, 11, 0.03, shapes=lambda d, r: None)
    draw = ImageDraw.Draw(img)
    for n in range(14):  # rooftops of Lyon, very abstract
        x = n * 110
        draw.rectangle((x, 300 - (n * 37) % 120, x + 95, 500), fill=(60 + n * 8, 50, 70))
    return _jpeg(img)


# --------------------------------------------------------------------------------------- the file tree

AVATAR_URL = "https://pbs.twimg.com/profile_images/1590000000000000000/Xk3-pQ9_aB_400x400.jpg"
HEADER_URL = f"https://pbs.twimg.com/profile_banners/{OWNER.id}/1712345678"
BIO = (
    "Journaliste indépendante · données, climat et médias 🇫🇷 · ex-@presse_libre_fr · "
    "Newsletter : https://t.co/Qx7LmN2pZa"
)


def _js(global_name: str, rows: list[Any]) -> bytes:
    """X's layout: `window.YTD.x.part0 = [` + 2-space JSON with `"key" : value`, no final newline."""
    if not rows:
        return f"window.{global_name} = [ ]".encode()
    body = json.dumps(rows, ensure_ascii=False, indent=2, separators=(",", " : "))
    return f"window.{global_name} = {body}".encode()


def _people(key: str, ids: list[str]) -> list[dict[str, Any]]:
    return [{key: {"accountId": i, "userLink": f"https://twitter.com/intent/user?user_id={i}"}} for i in ids]


def build_files(rec: Records | None = None) -> dict[str, bytes]:
    """Every member of the archive, path -> bytes."""
    rec = rec or build_records()
    rows = list(rec.tweets)
    random.Random(SEED + 1).shuffle(rows)  # real archives are not in date order
    data: dict[str, tuple[str, list[Any]]] = {
        "data/tweets.js": ("YTD.tweets.part0", rows),
        "data/note-tweet.js": ("YTD.note_tweet.part0", rec.notes),
        "data/deleted-note-tweet.js": ("YTD.deleted_note_tweet.part0", []),
        "data/deleted-tweets.js": ("YTD.deleted_tweets.part0", rec.deleted),
        "data/following.js": ("YTD.following.part0", _people("following", FOLLOWING)),
        "data/follower.js": ("YTD.follower.part0", _people("follower", FOLLOWERS)),
        "data/block.js": ("YTD.block.part0", _people("blocking", BLOCKS)),
        "data/mute.js": ("YTD.mute.part0", _people("muting", MUTES)),
        "data/like.js": ("YTD.like.part0", rec.likes),
        "data/direct-messages.js": ("YTD.direct_messages.part0", []),
        "data/account.js": (
            "YTD.account.part0",
            [
                {
                    "account": {
                        "email": "camille.dupre@example.org",
                        "createdVia": "web",
                        "username": OWNER.handle,
                        "accountId": OWNER.id,
                        "createdAt": "2011-02-14T08:12:45.000Z",
                        "accountDisplayName": OWNER.name,
                    }
                }
            ],
        ),
        "data/profile.js": (
            "YTD.profile.part0",
            [
                {
                    "profile": {
                        "description": {
                            "bio": BIO,
                            "website": "https://t.co/8HbVwQ1sRt",
                            "location": "Lyon, France",
                        },
                        "avatarMediaUrl": AVATAR_URL,
                        "headerMediaUrl": HEADER_URL,
                    }
                }
            ],
        ),
        "data/ageinfo.js": ("YTD.ageinfo.part0", [{"ageMeta": {}}]),
        "data/grok-chat-item.js": (
            "YTD.grok_chat_item.part0",
            [
                {
                    "grokChatItem": {
                        "chatId": "1880000000000000001",
                        "createdAt": "2025-01-02T10:00:00.000Z",
                        "sender": "User",
                        "message": "Résume-moi la réforme des retraites en 3 points",
                    }
                }
            ],
        ),
    }
    files: dict[str, bytes] = {path: _js(name, rows) for path, (name, rows) in data.items()}
    data_types = {
        "account": "data/account.js",
        "ageinfo": "data/ageinfo.js",
        "block": "data/block.js",
        "deletedNoteTweet": "data/deleted-note-tweet.js",
        "deletedTweets": "data/deleted-tweets.js",
        "directMessages": "data/direct-messages.js",
        "follower": "data/follower.js",
        "following": "data/following.js",
        "grokChatItem": "data/grok-chat-item.js",
        "like": "data/like.js",
        "mute": "data/mute.js",
        "noteTweet": "data/note-tweet.js",
        "profile": "data/profile.js",
        "tweets": "data/tweets.js",
    }
    media_dirs = {
        "tweets": "data/tweets_media",
        "deletedTweets": "data/deleted_tweets_media",
        "profile": "data/profile_media",
        "directMessages": "data/direct_messages_media",
    }
    manifest_types: dict[str, Any] = {}
    for type_name, path in data_types.items():
        global_name, rows_ = data[path]
        entry: dict[str, Any] = {}
        if type_name in media_dirs:
            entry["mediaDirectory"] = media_dirs[type_name]
        entry["files"] = [{"fileName": path, "globalName": global_name, "count": str(len(rows_))}]
        manifest_types[type_name] = entry
    manifest_types["communityTweet"] = {"mediaDirectory": "data/community_tweet_media", "files": []}
    manifest = {
        "userInfo": {"accountId": OWNER.id, "userName": OWNER.handle, "displayName": OWNER.name},
        "archiveInfo": {
            "sizeBytes": "0",
            "generationDate": "2025-04-14T11:58:00.000Z",
            "isPartialArchive": False,
            "maxPartSizeBytes": "53687091200",
        },
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
        "dataTypes": manifest_types,
    }
    files["data/manifest.js"] = (
        "window.__THAR_CONFIG = "
        + json.dumps(manifest, ensure_ascii=False, indent=2, separators=(",", " : "))
    ).encode()
    files["data/README.txt"] = (
        b"Demo archive of an invented account, generated by quittex-tui's "
        b"scripts/make_demo_archive.py. Not real data.\n"
    )
    for n, (member, spec) in enumerate(sorted(rec.media_files.items())):
        files[member] = _RENDERERS[spec.render](spec, SEED + n)
    files[f"data/profile_media/{OWNER.id}-{AVATAR_URL.rsplit('/', 1)[1]}"] = _avatar()
    files[f"data/profile_media/{OWNER.id}-{HEADER_URL.rsplit('/', 1)[1]}.jpg"] = _banner()
    files["Your archive.html"] = (
        b'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>Your archive</title>'
        b'<script src="assets/js/main.js"></script></head>\n<body><p>Offline viewer (stub of the demo '
        b"archive).</p></body></html>\n"
    )
    files["assets/js/main.js"] = b"/* offline archive viewer: not used by quittex-tui */\n"
    files["assets/images/favicon.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n'
    return files


def _facts(rec: Records) -> dict[str, Any]:
    kinds = list(rec.kinds.values())
    count = kinds.count
    return {
        "account": {"id": OWNER.id, "username": OWNER.handle, "display_name": OWNER.name, "bio": BIO},
        "counts": {
            "tweets": len(kinds),
            "originals": count("original"),
            "thread_posts": count("thread"),
            "replies": count("reply"),
            "retweets": count("retweet"),
            "quotes": count("quote"),
            "note_tweets": len(rec.note_tweet_ids),
            "edited": len(rec.edited),
            "deleted": len(rec.deleted),
            "media": rec.media_count,
            "missing_media": rec.missing_media,
            "following": len(FOLLOWING),
            "followers": len(FOLLOWERS),
            "blocks": len(BLOCKS),
            "mutes": len(MUTES),
            "likes": len(rec.likes),
            "missing_media_unpublished": rec.missing_media_unpublished,
        },
        "threads": rec.threads,
        # ids of OTHER people paired with their handle from mentions / in_reply_to_screen_name
        "known_handles": dict(sorted(rec.known_handles.items())),
        "kinds": rec.kinds,
        "edited_versions": rec.edited,
        "note_tweet_ids": rec.note_tweet_ids,
        "deleted_ids": [r["tweet"]["id_str"] for r in rec.deleted],
        "avatar_member": f"data/profile_media/{OWNER.id}-{AVATAR_URL.rsplit('/', 1)[1]}",
        "header_member": f"data/profile_media/{OWNER.id}-{HEADER_URL.rsplit('/', 1)[1]}.jpg",
        "followed_with_known_handle": sorted(i for i in FOLLOWING if i in rec.known_handles),
    }


DEMO_FACTS: dict[str, Any] = _facts(build_records())


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # fixed, whatever the OS that runs the script
            info.external_attr = 0o644 << 16
            already_compressed = name.endswith((".jpg", ".png", ".mp4"))
            info.compress_type = zipfile.ZIP_STORED if already_compressed else zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name], compresslevel=None if already_compressed else 9)
    tmp.replace(path)


def write_folder(root: Path, files: dict[str, bytes]) -> None:
    for name, data in sorted(files.items()):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUNDLED, help=f"zip to write (default {BUNDLED})")
    parser.add_argument("--folder", type=Path, help="write the extracted tree here instead of a zip")
    parser.add_argument("--facts", action="store_true", help="print DEMO_FACTS as JSON and exit")
    args = parser.parse_args(argv)
    if args.facts:
        print(json.dumps(DEMO_FACTS, ensure_ascii=False, indent=2))
        return 0
    files = build_files()
    if args.folder:
        write_folder(args.folder, files)
        print(f"wrote {len(files)} files under {args.folder}")
    else:
        write_zip(args.out, files)
        print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(files)} members)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
