"""`open_archive`: read an X archive into an `Archive` (models + derived facts).

Spec: docs/x-archive-format.md (every section; #what-the-reader-produces). Order of work, and why:
1. container (zip / split zips / folder) and the manifest → which files to read; the account;
2. the cached index (archive/index.py): a reopen of an archive read before loads its snapshot and stops
   here — no tweets.js is parsed at all;
3. tweets: each part's bytes cut into one JSON slice per row (jsfile.split_rows), each row decoded by
   msgspec straight into typed structs and converted to a model (rows.py) — no dict of a row, and only
   one part's bytes in memory at a time (ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16: 500k
   tweets in bounded memory);
4. deleted tweets out, note tweets joined (before edits collapse: a note may belong to an earlier version),
   edits collapsed, sort by (created_at, id) — rows are not in date order;
5. kinds and threads, media files, known handles, people, likes; then the snapshot is written for next
   time.
"""

from __future__ import annotations

import gc
import hashlib
import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import msgspec

from quittex_tui.archive import derive, rows
from quittex_tui.archive import index as archive_index
from quittex_tui.archive.container import Container, open_container
from quittex_tui.archive.jsfile import (
    REPLACEMENT_ESCAPE,
    REPLACEMENT_UTF8,
    iter_rows,
    parse_js,
    parse_rows,
    repair,
    split_rows,
)
from quittex_tui.archive.manifest import Manifest, find_files, is_grailbird, read_manifest
from quittex_tui.archive.models import Account, ArchiveCounts, Like, Tweet, TweetKind
from quittex_tui.archive.notes import join_notes, note_from_row, note_id_of
from quittex_tui.errors import ArchiveError, todo
from quittex_tui.notice import Notice, from_record, notice, rewrap, to_record

Progress = Callable[[str, float], None]
FREEZE_AT = 20_000  # tweets; see open_archive
# the tweet-level warnings (derive.locate_media) that name a missing media file
MISSING_MEDIA_KEYS = ("warn.missing.", "warn.missing_id.")
MAX_MEDIA_DETAIL = 10  # missing media named one by one in the archive's warnings; the rest on each tweet


class Archive:
    """Everything quittex-tui knows about one X archive. Close it (or use `with`) to release the zip."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self.source: list[Path] = list(container.source)
        self.fingerprint = ""
        self.account = Account()
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
        # `tweets` are sorted by (created_at, id): the planner need not sort them again
        self.tweets_in_order = True
        # how this Archive was made: "read" (tweets parsed), "index" (loaded from the cached index)
        self.loaded_from = "read"
        self.index_key = ""  # the cached index's key ("" when the archive is too small to index)

    # -- members ---------------------------------------------------------------------------------
    def read_member(self, member: str) -> bytes:
        return self._container.read(member)

    def member_size(self, member: str) -> int:
        return self._container.size(member)

    def has_member(self, member: str) -> bool:
        return self._container.has(member)

    def members(self) -> list[str]:
        return self._container.names()

    def member_identity(self, member: str) -> str:
        """The member's content identity without reading it (a zip's CRC; a file's stat): see index.py."""
        return self._container.identity(member)

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
    path_or_paths: Path | str | Iterable[Path | str],
    progress: Progress | None = None,
    *,
    index: bool = True,
    tweets_required: bool = True,
) -> Archive:
    """Read the archive at a path (zip, extracted folder) or a list of split zip parts.

    `index`: use the cached index (load it when there is a trustworthy one, else write one after
    reading); False reads everything and writes nothing. `tweets_required=False`: an archive without its
    tweets file is read anyway (account, profile, people, likes; a warning says the tweets are missing) —
    for the commands that need only those (`audience`, `follow`, `export-follows`, `profile`)."""
    if isinstance(path_or_paths, (str, Path)):
        paths = [Path(path_or_paths).expanduser()]
    else:
        paths = [Path(p).expanduser() for p in path_or_paths]
    report = progress or (lambda _m, _f: None)
    report(notice("progress.opening"), 0.0)
    container = open_container(paths)
    archive = Archive(container)
    # The read allocates millions of objects that all live on; each cyclic-GC pass would walk them all
    # again (it tripled the time on 100k tweets). Nothing here makes reference cycles, so pause it.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _read(archive, container, report, use_index=index, tweets_required=tweets_required)
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
    report(notice("progress.read"), 1.0)
    return archive


def _read(
    archive: Archive, container: Container, report: Progress, *, use_index: bool, tweets_required: bool = True
) -> None:
    warnings = archive.warnings
    manifest = read_manifest(container)
    files = find_files(container, manifest, warnings)
    archive.files = files
    if "tweets" not in files and not tweets_required and not is_grailbird(container):
        # audience / follows / profile read only these files: a partial download without tweets will do
        warnings.append(notice("warn.no_tweets_people_only", path=str(archive.source[0])))
        _read_account(archive, container, files, manifest)
        read_rows: dict[str, int] = {}
        _read_people(archive, container, files, read_rows)
        archive.counts = _counts([], 0, 0, 0, 0, archive)
        _check_announced(archive, manifest, read_rows)
        archive.fingerprint = _fingerprint(container, archive.account.id, files)
        return
    if "tweets" not in files:
        if is_grailbird(container):
            raise ArchiveError(
                key="error.archive.grailbird", params={"path": archive.source[0]}, todo=[todo("new_archive")]
            )
        raise ArchiveError(
            key="error.archive.no_tweets", params={"path": archive.source[0]}, todo=[todo("check_complete")]
        )
    _read_account(archive, container, files, manifest)

    key = ""
    if use_index and archive_index.worth_indexing(container, files["tweets"]):
        key = archive_index.index_key(container, archive.account.id)
        report(notice("progress.index_reading"), 0.02)
        snapshot = archive_index.load(key)
        if snapshot is not None:
            _restore(archive, snapshot)
            archive.loaded_from, archive.index_key = "index", key
            return
    report(notice("progress.tweets"), 0.02)
    read_rows = {}  # member -> rows found in it (the manifest's counts are checked on them)
    tweets = _read_tweets(container, files["tweets"], report, warnings, read_rows)

    report(notice("progress.joining"), 0.8)
    # deleted-tweets.js rows are whole tweets: their reply fields let a thread bridge a deleted middle
    broken: list[str] = []  # small files read with a broken character repaired (jsfile.parse_js)
    deleted_links = dict(
        filter(None, map(rows.reply_fields, _rows(container, files.get("deleted_tweets", ()), broken)))
    )
    deleted = set(deleted_links)
    archive.deleted_ids = sorted(deleted, key=lambda i: int(i) if i.isdigit() else 0)
    if deleted:
        tweets = [t for t in tweets if t.id not in deleted]

    notes = []
    for name in files.get("note_tweets", ()):
        note_rows = parse_rows(container.read(name), container.where(name), broken)
        read_rows[name] = len(note_rows)
        for row in note_rows:
            note = note_from_row(row)
            if note is not None:
                notes.append(note)
    deleted_notes = _ids(container, files.get("deleted_note_tweets", ()), note_id_of, broken)
    for where in broken:
        warnings.append(notice("warn.broken_file", where=where))
    if notes:
        unmatched = join_notes(notes, tweets, deleted_notes)
        for note in unmatched:
            warnings.append(
                notice("warn.orphan_note", id=note.note_id, when=f"{note.created_at:%Y-%m-%d %H:%M:%S}")
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

    report(notice("progress.media"), 0.9)
    media_total, missing = derive.locate_media(tweets, derive.media_index(container.names()))
    archive.known_handles = derive.known_handles(tweets, archive.account.id)

    _read_people(archive, container, files, read_rows)
    # What the plan publishes by default: originals, thread posts, quotes (notes are originals). Retweets
    # never, replies only with --include-replies: their missing files are counted apart
    # (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13).
    unpublished = sum(1 for t in tweets if t.kind in _NOT_PUBLISHED for m in t.media if m.member is None)
    archive.counts = _counts(tweets, edited, len(deleted), media_total, missing, archive, unpublished)
    _check_announced(archive, manifest, read_rows)
    if missing > unpublished:
        warnings.append(notice("warn.media_missing", n=missing - unpublished))
        detail = [
            notice("warn.tweet", id=t.id, warning=w)
            for t in tweets
            if t.kind not in _NOT_PUBLISHED
            for w in t.warnings
            if isinstance(w, Notice) and w.key.startswith(MISSING_MEDIA_KEYS)
        ]
        warnings += detail[:MAX_MEDIA_DETAIL]
        if len(detail) > MAX_MEDIA_DETAIL:
            warnings.append(notice("warn.media_missing_more", n=len(detail) - MAX_MEDIA_DETAIL))
    if unpublished:
        warnings.append(notice("warn.media_missing_unpublished", n=unpublished))
    archive.fingerprint = _fingerprint(container, archive.account.id, files)
    if key:
        report(notice("progress.index_writing"), 0.97)
        archive.index_key = key
        archive_index.save(key, _snapshot(archive))


def _snapshot(archive: Archive) -> archive_index.Snapshot:
    return archive_index.Snapshot(
        fingerprint=archive.fingerprint,
        account=archive.account,
        tweets=archive.tweets,
        threads=archive.threads,
        following=archive.following,
        followers=archive.followers,
        blocks=archive.blocks,
        mutes=archive.mutes,
        likes=archive.likes,
        known_handles=archive.known_handles,
        superseded_edit_ids=archive.superseded_edit_ids,
        deleted_ids=archive.deleted_ids,
        counts=archive.counts,
        warnings=archive.warnings,
        files=archive.files,
        notices=[to_record(w) for w in _all_warnings(archive) if isinstance(w, Notice)],
    )


def _all_warnings(archive: Archive) -> list[str]:
    return [*archive.warnings, *(w for t in archive.tweets for w in t.warnings)]


def _restore(archive: Archive, snap: archive_index.Snapshot) -> None:
    shared = rows.Shared()
    for tweet in snap.tweets:  # the strings the reader shares, shared again (msgpack makes one per use)
        tweet.lang = shared(tweet.lang)
        if tweet.in_reply_to_screen_name is not None:
            tweet.in_reply_to_screen_name = shared(tweet.in_reply_to_screen_name)
    archive.fingerprint = snap.fingerprint
    archive.account = snap.account
    archive.tweets = snap.tweets
    archive.by_id = {t.id: t for t in snap.tweets}
    archive.threads = snap.threads
    archive.following, archive.followers = snap.following, snap.followers
    archive.blocks, archive.mutes = snap.blocks, snap.mutes
    archive.likes = snap.likes
    archive.known_handles = snap.known_handles
    archive.superseded_edit_ids = snap.superseded_edit_ids
    archive.deleted_ids = snap.deleted_ids
    archive.counts = snap.counts
    archive.files = snap.files
    known = {str(n): n for n in map(from_record, snap.notices)}
    archive.warnings = rewrap(snap.warnings, known)
    if known:
        for tweet in snap.tweets:
            if tweet.warnings:
                tweet.warnings = tuple(rewrap(tweet.warnings, known))


_NOT_PUBLISHED = frozenset({TweetKind.RETWEET, TweetKind.REPLY})


def _read_people(
    archive: Archive,
    container: Container,
    files: dict[str, list[str]],
    row_counts: dict[str, int] | None = None,
) -> None:
    archive.following = _people(container, files.get("following", ()), "following", row_counts)
    archive.followers = _people(container, files.get("follower", ()), "follower", row_counts)
    archive.blocks = _people(container, files.get("block", ()), "blocking", row_counts)
    archive.mutes = _people(container, files.get("mute", ()), "muting", row_counts)
    archive.likes = _likes(container, files.get("like", ()), row_counts)


def _check_announced(archive: Archive, manifest: Manifest | None, row_counts: dict[str, int]) -> None:
    """A file holding fewer rows than the manifest announces for it was cut short (a partial download,
    a file re-saved by hand): say so, per file — what was read is still used
    (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13)."""
    if manifest is None:
        return
    for name, rows_read in sorted(row_counts.items()):
        announced = manifest.announced.get(name)
        if announced is not None and rows_read != announced:
            archive.warnings.append(
                notice("warn.manifest_count", name=name, announced=announced, read=rows_read)
            )


def _counts(
    tweets: list[Tweet],
    edited: int,
    deleted: int,
    media: int,
    missing: int,
    archive: Archive,
    unpublished: int = 0,
) -> ArchiveCounts:
    kinds = {k: 0 for k in TweetKind}
    for t in tweets:
        kinds[t.kind] += 1
    return ArchiveCounts(
        tweets=len(tweets),
        originals=kinds[TweetKind.ORIGINAL],
        thread_posts=kinds[TweetKind.THREAD],
        replies=kinds[TweetKind.REPLY],
        retweets=kinds[TweetKind.RETWEET],
        quotes=kinds[TweetKind.QUOTE],
        note_tweets=sum(1 for t in tweets if t.note_text is not None),
        edited=edited,
        deleted=deleted,
        media=media,
        missing_media=missing,
        missing_media_unpublished=unpublished,
        following=len(archive.following),
        followers=len(archive.followers),
        blocks=len(archive.blocks),
        mutes=len(archive.mutes),
        likes=len(archive.likes),
    )


def _order(t: Tweet) -> tuple[Any, int]:
    # rows are not in date order and many share a second: the id (time-ordered) breaks ties
    return (t.created_at, int(t.id))


def _read_tweets(
    container: Container,
    names: list[str],
    report: Progress,
    warnings: list[str],
    row_counts: dict[str, int] | None = None,
) -> list[Tweet]:
    sizes = [max(container.size(n), 1) for n in names]
    total = sum(sizes)
    done = 0
    by_id: dict[str, Tweet] = {}
    shared = rows.Shared()
    decode = rows.TWEET_ROW.decode
    from_typed = rows.tweet_from_typed
    errors = rows.ROW_ERRORS
    for name, size in zip(names, sizes, strict=True):
        reading = notice("progress.file", name=name)
        report(reading, 0.02 + 0.78 * done / total)
        skipped = 0
        repaired: list[str] = []
        with container.stream(name) as raw_stream:
            stream = _Counting(raw_stream)
            # one piece of the file at a time (jsfile.iter_rows): never the whole tweets.js in memory
            for raws, piece_repaired in iter_rows(stream, container.where(name)):
                if row_counts is not None:
                    row_counts[name] = row_counts.get(name, 0) + len(raws)
                raws.reverse()  # popped in file order: each slice goes once its row is a model
                while raws:
                    raw = raws.pop()
                    try:
                        tweet = from_typed(decode(raw), shared)
                    except errors:
                        tweet, fixed = _odd_row(raw, shared)
                        if fixed and tweet is not None:
                            repaired.append(tweet.id)
                    else:
                        if piece_repaired and tweet is not None and _was_repaired(raw):
                            repaired.append(tweet.id)
                    if tweet is None:
                        skipped += 1
                        continue
                    by_id[tweet.id] = tweet  # parts may repeat rows: de-duplicate by id
                del raws
                report(reading, 0.02 + 0.78 * (done + min(stream.count, size)) / total)
        if skipped:
            warnings.append(notice("warn.rows_skipped", name=name, n=skipped))
        for tid in repaired[:MAX_MEDIA_DETAIL]:
            warnings.append(notice("warn.broken_tweet", id=tid, name=name))
        if len(repaired) > MAX_MEDIA_DETAIL:
            warnings.append(notice("warn.broken_more", n=len(repaired) - MAX_MEDIA_DETAIL, name=name))
        done += size
    return list(by_id.values())


class _Counting:
    """Counts what was read (the reading progress)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


def _was_repaired(raw: msgspec.Raw) -> bool:
    """Whether a row of a repaired file holds a replacement (jsfile.repair puts U+FFFD where the bad
    character was, escaped or as UTF-8)."""
    data = bytes(raw)
    return REPLACEMENT_ESCAPE in data or REPLACEMENT_UTF8 in data


def _odd_row(raw: msgspec.Raw, shared: rows.Shared) -> tuple[Tweet | None, bool]:
    """A row the typed decoder refused: decoded as plain JSON and checked by hand (rows.tweet_from_row).
    A row that is not even valid UTF-8 is repaired first; returns (tweet, whether it was repaired)."""
    data = bytes(raw)
    try:
        return rows.tweet_from_row(msgspec.json.decode(data), shared), False
    except msgspec.DecodeError:
        fixed = repair(data)
        if fixed is None:
            return None, False
        try:
            return rows.tweet_from_row(msgspec.json.decode(fixed), shared), True
        except msgspec.DecodeError:
            return None, False


def _rows(container: Container, names: Iterable[str], broken: list[str] | None = None) -> Iterable[Any]:
    for name in names:
        yield from parse_rows(container.read(name), container.where(name), broken)


def _ids(
    container: Container,
    names: Iterable[str],
    get: Callable[[Any], str | None],
    broken: list[str] | None = None,
) -> set[str]:
    return {i for i in map(get, _rows(container, names, broken)) if i}


def _typed_rows(
    container: Container,
    names: Iterable[str],
    decoder: msgspec.json.Decoder[Any],
    typed: Callable[[Any], Any],
    loose: Callable[[Any], Any],
    row_counts: dict[str, int] | None = None,
) -> Iterable[Any]:
    """Each row of big row files (people, likes: a public figure has millions of followers) decoded into
    typed structs, an odd row by hand from plain JSON; yields what `typed`/`loose` make of them."""
    for name in names:
        raws, _fixed = split_rows(container.read(name), container.where(name))
        if row_counts is not None:
            row_counts[name] = len(raws)
        for i in range(len(raws)):
            raw = raws[i]
            raws[i] = None  # type: ignore[call-overload]
            try:
                yield typed(decoder.decode(raw))
            except rows.ROW_ERRORS:
                try:
                    yield loose(msgspec.json.decode(repair(bytes(raw)) or bytes(raw)))
                except msgspec.DecodeError:
                    continue


def _people(
    container: Container, names: Iterable[str], key: str, row_counts: dict[str, int] | None = None
) -> list[str]:
    seen: dict[str, None] = {}
    found = _typed_rows(
        container,
        names,
        rows.PERSON_ROW,
        lambda r: rows.person_from_typed(r, key),
        lambda r: rows.person_id(r, key),
        row_counts,
    )
    for pid in found:
        if pid:
            seen[pid] = None
    return list(seen)


def _likes(
    container: Container, names: Iterable[str], row_counts: dict[str, int] | None = None
) -> list[Like]:
    seen: dict[str, Like] = {}
    for like in _typed_rows(
        container, names, rows.LIKE_ROW, rows.like_from_typed, rows.like_from_row, row_counts
    ):
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
        archive.warnings.append(notice("warn.no_account_id"))
    found = prof.get("description")
    desc: dict[str, Any] = found if isinstance(found, dict) else {}
    names = [n for n in container.names() if n.startswith("data/profile_media/")]
    archive.account = Account(
        id=account_id,
        username=username,
        display_name=display,
        bio=_profile_text(desc.get("bio")),
        website=str(desc.get("website") or ""),
        location=_profile_text(desc.get("location")),
        created_at=rows.parse_created_at(acc.get("createdAt")),
        avatar_member=_profile_member(names, prof.get("avatarMediaUrl")),
        header_member=_profile_member(names, prof.get("headerMediaUrl")),
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
