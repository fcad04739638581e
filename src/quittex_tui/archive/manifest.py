"""Find the data files: `data/manifest.js` first, globbing `data/*.js` as the fallback.

Spec: docs/x-archive-format.md#container (`window.__THAR_CONFIG = {…}`: `userInfo`, and under `dataTypes`
each type's `files: [{fileName, globalName, count}]`; older archives have no manifest) and § The .js data
files (big types split as `tweets.js`, `tweets-part1.js`…; 2019 archives say `tweet.js`).
Both sources are merged: a manifest that forgets a part must not lose tweets, and a part the manifest
names but the archive lacks (a split archive given incompletely) becomes a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quittex_tui.archive.container import Container
from quittex_tui.archive.jsfile import parse_js
from quittex_tui.errors import ArchiveError, todo
from quittex_tui.notice import notice

MANIFEST = "data/manifest.js"

# logical kind -> (file base names, manifest dataTypes keys); order = preference for reporting
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "tweets": (("tweets", "tweet"), ("tweets", "tweet")),
    "note_tweets": (("note-tweet",), ("noteTweet",)),
    "deleted_tweets": (("deleted-tweets", "deleted-tweet"), ("deletedTweets", "deletedTweet")),
    "deleted_note_tweets": (("deleted-note-tweet",), ("deletedNoteTweet",)),
    "account": (("account",), ("account",)),
    "profile": (("profile",), ("profile",)),
    "following": (("following",), ("following",)),
    "follower": (("follower",), ("follower",)),
    "block": (("block",), ("block",)),
    "mute": (("mute",), ("mute",)),
    "like": (("like",), ("like",)),
}
_DATA_FILE = re.compile(r"^data/(?P<base>[A-Za-z0-9_-]+?)(?:-part(?P<n>\d+))?\.js$")
_GRAILBIRD = re.compile(r"^data/js/tweets/\d{4}_\d{2}\.js$")


@dataclass
class Manifest:
    account_id: str = ""
    username: str = ""
    display_name: str = ""
    files: dict[str, list[str]] = field(default_factory=dict)  # dataTypes key -> member names
    # member name -> the row count the manifest announces for it (`files[].count`): fewer rows read than
    # announced means a partial download (reader._check_announced)
    announced: dict[str, int] = field(default_factory=dict)
    media_dirs: list[str] = field(default_factory=list)


def read_manifest(container: Container) -> Manifest | None:
    if not container.has(MANIFEST):
        return None
    value = parse_js(container.read(MANIFEST), container.where(MANIFEST))
    if not isinstance(value, dict):
        raise ArchiveError(
            key="error.archive.bad_manifest", params={"name": MANIFEST}, todo=[todo("redownload")]
        )
    manifest = Manifest()
    info = value.get("userInfo")
    if isinstance(info, dict):
        manifest.account_id = str(info.get("accountId") or "")
        manifest.username = str(info.get("userName") or "")
        manifest.display_name = str(info.get("displayName") or "")
    types = value.get("dataTypes")
    if isinstance(types, dict):
        for key, spec in types.items():
            if not isinstance(spec, dict):
                continue
            names = []
            for f in spec.get("files") or []:
                if isinstance(f, dict) and isinstance(f.get("fileName"), str):
                    names.append(_normalise(f["fileName"]))
                    count = str(f.get("count", "")).strip()
                    if count.isdigit():
                        manifest.announced[names[-1]] = int(count)
            if names:
                manifest.files[key] = names
            media = spec.get("mediaDirectory")
            if isinstance(media, str):
                manifest.media_dirs.append(_normalise(media).rstrip("/") + "/")
    return manifest


def _normalise(name: str) -> str:
    name = name.replace("\\", "/").lstrip("./")
    return name if name.startswith("data/") else f"data/{name}"


def _part(name: str) -> int:
    m = _DATA_FILE.match(name)
    return int(m.group("n") or 0) if m else 0


def find_files(container: Container, manifest: Manifest | None, warnings: list[str]) -> dict[str, list[str]]:
    """Member names of each logical kind present in the archive, part order (part0 = `tweets.js`)."""
    by_base: dict[str, list[str]] = {}
    for name in container.names():
        m = _DATA_FILE.match(name)
        if m:
            by_base.setdefault(m.group("base"), []).append(name)
    result: dict[str, list[str]] = {}
    for kind, (bases, keys) in KINDS.items():
        found: set[str] = set()
        for base in bases:
            found.update(by_base.get(base, ()))
        if manifest:
            for key in keys:
                for name in manifest.files.get(key, ()):
                    if container.has(name):
                        found.add(name)
                    else:
                        warnings.append(notice("warn.manifest_lacks", name=name))
        if found:
            result[kind] = sorted(found, key=lambda n: (_part(n), n))
    return result


def is_grailbird(container: Container) -> bool:
    """The ≤ 2018 'tweet archive' (`data/js/tweets/YYYY_MM.js`), a different product
    (docs/x-archive-format.md#generations)."""
    return any(_GRAILBIRD.match(n) for n in container.names())
