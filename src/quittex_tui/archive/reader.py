"""`open_archive`: read an X archive into an `Archive` (models + derived facts).

Spec: x-archive-format.md (every section). Order of work, and why:
1. container (zip / split zips / folder) and the manifest → which files to read;
2. tweets: each part parsed once from memory, rows converted to models one by one and dropped from the
   parsed list as we go, so the raw dicts and the models never both exist in full (100k tweets, ~120 MB);
3. deleted tweets out, note tweets joined (before edits collapse: a note may belong to an earlier version),
   edits collapsed, sort by (created_at, id) — rows are not in date order;
4. kinds and threads, media files, known handles, people, likes, account.
"""

from __future__ import annotations

import gc
import hashlib
import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from quittex_tui.archive import derive, rows
from quittex_tui.archive.construct import construct
from quittex_tui.archive.container import Container, open_container
from quittex_tui.archive.jsfile import parse_js, parse_rows
from quittex_tui.archive.manifest import Manifest, find_files, is_grailbird, read_manifest
from quittex_tui.archive.models import Account, ArchiveCounts, Like, Tweet, TweetKind
from quittex_tui.archive.notes import join_notes, note_from_row, note_id_of
from quittex_tui.errors import ArchiveError

Progress = Callable[[str, float], None]
FREEZE_AT = 20_000  # tweets; see open_archive
MAX_MEDIA_DETAIL = 10  # missing media named one by one in the archive's warnings; the rest on each tweet


class Archive:
    """Everything quittex-tui knows about one X archive. Close it (or use `with`) to release the zip."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self.source: list[Path] = list(container.source)
        self.fingerprint = ""
        self.account = construct(
            Account,
            {
                "id": "",
                "username": "",
                "display_name": "",
                "bio": "",
                "website": "",
                "location": "",
                "created_at": None,
                "avatar_member": None,
                "header_member": None,
            },
        )
        self.tweets: list[Tweet] = []
        self.by_id: dict[str, Tweet] = {}
        self.threads: list[list[str]] = []
        self.following: list[str] = []
        self.followers: list[str] = []
        self.blocks: list[str] = []
        self.mutes: list[str] = []
        self.likes: list[Like] = []
        self.known_handles: dict[str, str] = {}
        self.superseded_edit_ids: list[str] = []
        self.deleted_ids: list[str] = []
        self.counts = ArchiveCounts()
        self.warnings: list[str] = []
        # extras (beyond the contract): the data files read, per kind, and the media folders' members
        self.files: dict[str, list[str]] = {}

    # -- members ---------------------------------------------------------------------------------
    def read_member(self, member: str) -> bytes:
        return self._container.read(member)

    def member_size(self, member: str) -> int:
        return self._container.size(member)

    def has_member(self, member: str) -> bool:
        return self._container.has(member)

    def members(self) -> list[str]:
        return self._container.names()

    # -- lifetime --------------------------------------------------------------------------------
    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_archive(
    path_or_paths: Path | str | Iterable[Path | str], progress: Progress | None = None
) -> Archive:
    """Read the archive at a path (zip, extracted folder) or a list of split zip parts."""
    if isinstance(path_or_paths, (str, Path)):
        paths = [Path(path_or_paths).expanduser()]
    else:
        paths = [Path(p).expanduser() for p in path_or_paths]
    report = progress or (lambda _m, _f: None)
    report("Opening the archive", 0.0)
    container = open_container(paths)
    archive = Archive(container)
    # The read allocates millions of objects that all live on; each cyclic-GC pass would walk them all
    # again (it tripled the time on 100k tweets). Nothing here makes reference cycles, so pause it.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _read(archive, container, report)
    except BaseException:
        container.close()
        raise
    finally:
        if gc_was_enabled:
            if len(archive.tweets) >= FREEZE_AT:
                # Move the archive's objects out of the collector's sight for good: the first full pass
                # after re-enabling would otherwise walk them all (~2 s for 100k tweets). They are still
                # freed by reference counting when the archive goes.
                gc.freeze()
            gc.enable()
    report("Archive read", 1.0)
    return archive


def _read(archive: Archive, container: Container, report: Progress) -> None:
    warnings = archive.warnings
    manifest = read_manifest(container)
    files = find_files(container, manifest, warnings)
    archive.files = files
    if "tweets" not in files:
        if is_grailbird(container):
            raise ArchiveError(
                f"{archive.source[0]} is an old Twitter 'tweet archive' (data/js/tweets/YYYY_MM.js, made "
                "before 2019); quittex-tui does not support that format.",
                "Request a new archive from X (Settings → Your account → Download an archive of your data): "
                "it holds all your tweets, old ones included.",
            )
        raise ArchiveError(
            f"{archive.source[0]} has no tweets file (data/tweets.js, data/tweet.js or "
            "data/tweets-partN.js).",
            "Check that this is your X data archive and that it is complete (a split archive needs every "
            "part).",
        )
    _read_account(archive, container, files, manifest)

    report("Reading tweets", 0.02)
    tweets = _read_tweets(container, files["tweets"], report, warnings)

    report("Joining note tweets, edits and threads", 0.8)
    # deleted-tweets.js rows are whole tweets: their reply fields let a thread bridge a deleted middle
    deleted_links = dict(
        filter(None, map(rows.reply_fields, _rows(container, files.get("deleted_tweets", ()))))
    )
    deleted = set(deleted_links)
    archive.deleted_ids = sorted(deleted, key=lambda i: int(i) if i.isdigit() else 0)
    if deleted:
        tweets = [t for t in tweets if t.id not in deleted]

    notes = []
    for name in files.get("note_tweets", ()):
        for row in parse_rows(container.read(name), container.where(name)):
            note = note_from_row(row)
            if note is not None:
                notes.append(note)
    deleted_notes = _ids(container, files.get("deleted_note_tweets", ()), note_id_of)
    if notes:
        unmatched = join_notes(notes, tweets, deleted_notes)
        for note in unmatched:
            warnings.append(
                f"note tweet {note.note_id} ({note.created_at:%Y-%m-%d %H:%M:%S}) matches no tweet; "
                "its full text is not used"
            )

    tweets, superseded, redirect, edited = derive.collapse_edits(tweets)
    foreign = derive.bridge_deleted(deleted_links, archive.account.id, redirect)
    archive.superseded_edit_ids = superseded
    tweets.sort(key=_order)
    archive.tweets = tweets
    archive.by_id = {t.id: t for t in tweets}
    archive.threads = derive.classify(
        tweets, archive.by_id, archive.account.id, archive.account.username, redirect, foreign
    )

    report("Locating media files", 0.9)
    media_total, missing = derive.locate_media(tweets, derive.media_index(container.names()))
    archive.known_handles = derive.known_handles(tweets, archive.account.id)

    archive.following = _people(container, files.get("following", ()), "following")
    archive.followers = _people(container, files.get("follower", ()), "follower")
    archive.blocks = _people(container, files.get("block", ()), "blocking")
    archive.mutes = _people(container, files.get("mute", ()), "muting")
    archive.likes = _likes(container, files.get("like", ()))

    kinds = {k: 0 for k in TweetKind}
    for t in tweets:
        kinds[t.kind] += 1
    archive.counts = ArchiveCounts(
        tweets=len(tweets),
        originals=kinds[TweetKind.ORIGINAL],
        thread_posts=kinds[TweetKind.THREAD],
        replies=kinds[TweetKind.REPLY],
        retweets=kinds[TweetKind.RETWEET],
        quotes=kinds[TweetKind.QUOTE],
        note_tweets=sum(1 for t in tweets if t.note_text is not None),
        edited=edited,
        deleted=len(deleted),
        media=media_total,
        missing_media=missing,
        following=len(archive.following),
        followers=len(archive.followers),
        blocks=len(archive.blocks),
        mutes=len(archive.mutes),
        likes=len(archive.likes),
    )
    if missing:
        warnings.append(f"{missing} media file(s) are missing from the archive; those posts go without them")
        detail = [f"tweet {t.id}: {w}" for t in tweets for w in t.warnings if "missing" in w]
        warnings += detail[:MAX_MEDIA_DETAIL]
        if len(detail) > MAX_MEDIA_DETAIL:
            warnings.append(f"… and {len(detail) - MAX_MEDIA_DETAIL} more missing media (see each tweet)")
    archive.fingerprint = _fingerprint(container, archive.account.id, files)


def _order(t: Tweet) -> tuple[Any, int]:
    # rows are not in date order and many share a second: the id (time-ordered) breaks ties
    return (t.created_at, int(t.id))


def _read_tweets(
    container: Container, names: list[str], report: Progress, warnings: list[str]
) -> list[Tweet]:
    sizes = [max(container.size(n), 1) for n in names]
    total = sum(sizes)
    done = 0
    by_id: dict[str, Tweet] = {}
    for name, size in zip(names, sizes, strict=True):
        base = 0.02 + 0.78 * done / total
        span = 0.78 * size / total
        report(f"Reading {name}", base)
        data = container.read(name)
        parsed = parse_rows(data, container.where(name))
        del data  # the text is no longer needed once parsed
        report(f"Converting {name}", base + span * 0.5)
        skipped = 0
        count = len(parsed)
        step = max(count // 10, 5000)
        for i in range(count):
            row = parsed[i]
            parsed[i] = None  # drop each raw dict as soon as its model exists: one copy of the data at a time
            tweet = rows.tweet_from_row(row)
            if tweet is None:
                skipped += 1
                continue
            by_id[tweet.id] = tweet  # parts may repeat rows: de-duplicate by id
            if i and i % step == 0:
                report(f"Converting {name}", base + span * (0.5 + 0.5 * i / count))
        del parsed
        if skipped:
            warnings.append(f"{name}: skipped {skipped} row(s) without an id, a date or a text")
        done += size
    return list(by_id.values())


def _rows(container: Container, names: Iterable[str]) -> Iterable[Any]:
    for name in names:
        yield from parse_rows(container.read(name), container.where(name))


def _ids(container: Container, names: Iterable[str], get: Callable[[Any], str | None]) -> set[str]:
    return {i for i in map(get, _rows(container, names)) if i}


def _people(container: Container, names: Iterable[str], key: str) -> list[str]:
    seen: dict[str, None] = {}
    for row in _rows(container, names):
        pid = rows.person_id(row, key)
        if pid:
            seen[pid] = None
    return list(seen)


def _likes(container: Container, names: Iterable[str]) -> list[Like]:
    seen: dict[str, Like] = {}
    for row in _rows(container, names):
        like = rows.like_from_row(row)
        if like is not None:
            seen.setdefault(like.tweet_id, like)
    return list(seen.values())


def _first(container: Container, names: Iterable[str], key: str) -> dict[str, Any]:
    for name in names:
        value = parse_js(container.read(name), container.where(name))
        for row in value if isinstance(value, list) else [value]:
            inner = row.get(key) if isinstance(row, dict) else None
            if isinstance(inner, dict):
                return inner
    return {}


def _read_account(
    archive: Archive, container: Container, files: dict[str, list[str]], manifest: Manifest | None
) -> None:
    acc = _first(container, files.get("account", ()), "account")
    prof = _first(container, files.get("profile", ()), "profile")
    account_id = str(acc.get("accountId") or (manifest.account_id if manifest else "") or "")
    username = str(acc.get("username") or (manifest.username if manifest else "") or "")
    display = str(acc.get("accountDisplayName") or (manifest.display_name if manifest else "") or "")
    if not account_id:
        archive.warnings.append(
            "no account id (data/account.js and data/manifest.js are missing): threads cannot be told "
            "from replies"
        )
    desc = prof.get("description") if isinstance(prof.get("description"), dict) else {}
    names = [n for n in container.names() if n.startswith("data/profile_media/")]
    archive.account = construct(
        Account,
        {
            "id": account_id,
            "username": username,
            "display_name": display,
            "bio": _profile_text(desc.get("bio")),
            "website": str(desc.get("website") or ""),
            "location": _profile_text(desc.get("location")),
            "created_at": rows.parse_created_at(acc.get("createdAt")),
            "avatar_member": _profile_member(names, prof.get("avatarMediaUrl")),
            "header_member": _profile_member(names, prof.get("headerMediaUrl")),
        },
    )


# Profile texts come from the same legacy API layer that HTML-escapes tweets; some archives carry "&amp;" in
# the bio. Unescape once when an entity is present (a bio that literally says "&amp;" is not a real case);
# tweets are different: their entity indices count the escaped text, so convert/text.py unescapes them later.
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")


def _profile_text(value: Any) -> str:
    text = str(value or "")
    return html.unescape(text) if _ENTITY.search(text) else text


def _profile_member(names: list[str], url: Any) -> str | None:
    """profile_media files are `<accountId>-<basename of the URL>` (banners get an extension added)."""
    if not isinstance(url, str) or not url:
        return None
    base = rows.url_basename(url)
    stem = base.rsplit(".", 1)[0]
    for name in names:
        rest = name.rsplit("/", 1)[-1].partition("-")[2]
        if rest == base or rest.rsplit(".", 1)[0] == stem:
            return name
    return None


def _fingerprint(container: Container, account_id: str, files: dict[str, list[str]]) -> str:
    """sha256 over the account id and every data member's (name, size), plus the CRC of the data files
    read — identical for the zip, the split zips and the extracted folder of the same archive."""
    read = {n for names in files.values() for n in names}
    h = hashlib.sha256(f"quittex-archive-v1\0{account_id}\0".encode())
    for name in sorted(container.names()):
        if not name.startswith("data/"):
            continue
        crc = container.crc(name) if name in read else 0
        h.update(f"{name}\0{container.size(name)}\0{crc:08x}\n".encode())
    return h.hexdigest()
