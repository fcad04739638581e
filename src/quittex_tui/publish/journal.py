"""The write-ahead journal: what was sent, one append-only TOML file per (state, target).

Spec: ARCHITECTURE.md#the-journal-how-never-twice-holds.
- Recording one post costs O(1): each record is one `[[intent]]` / `[[done]]` / `[[failed]]` TOML table
  appended with a single write, then flushed and fsynced. The file is never rewritten during a run.
- Write-ahead: the engine appends `intent` (the deterministic key) *before* the network write and `done`
  (uri/cid/url) after it, so a kill at any instant leaves either a result or an intent to reconcile.
- A torn last record (power loss mid-write) is ignored on load and cut off before the next append.
- Every record ends with `sum = "<crc32>"`, the CRC-32 of the record's bytes before that line
(ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 15): a
  record torn or edited by hand is *detected*, never parsed as truth. A bad last record is a torn write
  (dropped, its post is reconciled with the server); a bad record before it means the file was edited or
  damaged, and loading refuses with what to do. Journals of earlier versions (no sums) still load.
- `compact()` (on clean exit) atomically rewrites the file to one record per key.
- One writer: `Journal(path)` takes the migration's writer lock (lock.py, an flock beside the file) before
  it reads or truncates anything, and releases it in `close()`; a second writer gets `MigrationBusy`.
  Watchers use `JournalView`, which never locks nor writes.
- A failed write (disk full, read-only folder, I/O error) becomes a `StateError` saying so; the record is
  cut back off when possible, so the file keeps only whole records.
- Loading 100k records must take ≤ 1-2 s: the records we write use a fixed one-key-per-line layout that a
  line scanner reads several times faster than a general TOML parser; anything else (a hand-edited file of
  an earlier version) falls back to `tomllib`, so the file stays plain TOML either way.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import tomllib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from quittex_tui.clock import utcnow
from quittex_tui.errors import StateError, todo
from quittex_tui.fileio import atomic_write, fsync_dir, write_failure
from quittex_tui.notice import Notice, notice, words_from_data, words_to_data
from quittex_tui.publish.lock import WriterLock, lock_path_for
from quittex_tui.publish.target import PostRef
from quittex_tui.scrub import scrub

Status = Literal["intent", "done", "failed"]
_TABLES: dict[str, Status] = {"[[intent]]": "intent", "[[done]]": "done", "[[failed]]": "failed"}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "intent": ("key", "item_id", "at"),
    "done": ("key", "uri", "cid", "at"),
    "failed": ("key", "reason", "at"),
}
_REQUIRED_KEYS = {status: frozenset(names) for status, names in _REQUIRED.items()}
# The header promises only what is true: without the journal the next run compares the plan with the
# account's posts on the server before sending (engine.py, "journal lost"), which is slower but never
# sends a post twice; a post that cannot be told apart is reported and left for the user to decide.
HEADER = (
    "# quittex-tui journal v2: what was sent (append-only, one checksum per record; compacted on exit).\n"
    "# Do not edit it. If it is lost, the next run first compares your posts with what is on the account.\n"
)
V2_MARK = "quittex-tui journal v2"
_SUM_PREFIX = 'sum = "'


def journal_path(state_path: Path, target: str) -> Path:
    return state_path.with_name(f"{state_path.stem}.{target}.journal.toml")


@dataclass(slots=True)
class JournalEntry:
    """The latest known status of one key (merged over its records)."""

    key: str
    item_id: str
    index: int
    kind: str
    status: Status
    uri: str | None = None
    cid: str | None = None
    url: str | None = None
    reason: str | None = None
    at: datetime | None = None  # time of the first intent (Mastodon's idempotency window counts from it)
    retryable: bool = False  # failed only: a transient fault outlasted the retries (retried next run)
    # The first intent's time on the SERVER's clock (its Date header), when the target knows it: the
    # reconciliation after a long pause compares it with the server's own times, whatever our clock says.
    server_at: datetime | None = None

    def ref(self) -> PostRef:
        return PostRef(uri=self.uri or "", cid=self.cid or "", url=self.url or "")


def _s(value: str) -> str:
    # JSON string syntax with raw UTF-8 is a valid TOML basic string, except DEL which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _dt(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _record(status: Status, fields: dict[str, Any]) -> bytes:
    """One record: `[[status]]`, one `name = value` per line, then the CRC-32 of those bytes."""
    lines = [f"[[{status}]]"]
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            lines.append(f"{name} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{name} = {value}")
        elif isinstance(value, datetime):
            lines.append(f"{name} = {_dt(value)}")
        else:
            lines.append(f"{name} = {_s(str(value))}")
    body = ("\n".join(lines) + "\n").encode("utf-8", "replace")
    return body + b'sum = "%08x"\n\n' % zlib.crc32(body)


def _entry_fields(entry: JournalEntry, status: Status) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": entry.key,
        "item_id": entry.item_id,
        "index": entry.index,
        "kind": entry.kind,
    }
    if status == "done":
        fields.update(uri=entry.uri, cid=entry.cid, url=entry.url or None)
    elif status == "failed":
        fields.update(reason=entry.reason, **_reason_words(entry.reason), retryable=entry.retryable or None)
    if status != "done":
        fields["server_at"] = entry.server_at
    fields["at"] = entry.at
    return fields


# A failure reason is English text for the record (`reason`, what `migrate --json` has always given), and,
# lately, the catalogue key and parameters it was said with (`reason_key`, `reason_params`: a JSON text),
# so a later run (resume, the TUI's Report, `migrate`'s summary) says it in the user's language. Both are
# optional: a record written before has only `reason`, shown as it is (its checksum covers what it holds).
def _reason_words(reason: str | None) -> dict[str, Any]:
    if not isinstance(reason, Notice):
        return {}
    data = words_to_data(reason)
    return {
        "reason_key": data["$key"],
        "reason_params": json.dumps(data["$params"], ensure_ascii=False, sort_keys=True)
        if data["$params"]
        else None,
    }


def _reason(f: dict[str, Any]) -> str:
    """The reason of a `failed` record: a Notice (its stored English text) when it names its key."""
    text = str(f["reason"])
    key = f.get("reason_key")
    if not isinstance(key, str) or not key:
        return text
    try:
        raw = json.loads(f["reason_params"]) if f.get("reason_params") else {}
    except (TypeError, ValueError):
        return text  # words damaged by a hand edit: the English text still says it
    params = {str(k): words_from_data(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    return Notice.recorded(text, key, params)


class _Unusual(Exception):
    """The fast scanner met something it does not write itself: let tomllib read the file."""


def _value(raw: str) -> Any:
    if not raw:
        raise _Unusual
    first = raw[0]
    if first == '"':
        if raw[-1] != '"' or len(raw) < 2:
            raise _Unusual
        if "\\" not in raw:
            return raw[1:-1]
        try:
            return json.loads(raw)
        except ValueError:
            raise _Unusual from None
    if raw == "true":
        return True
    if raw == "false":
        return False
    if raw.isdigit():
        return int(raw)
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise _Unusual from None


Record = tuple[Status, dict[str, Any], bool]  # (status, fields, checksum ok)


@dataclass(frozen=True)
class Parsed:
    records: list[Record]
    v2: bool  # the header says every record carries a checksum


_CRC_START = zlib.crc32(b"[[")  # every record's checksum starts with its "[[", which the split removes
_SUM_AT = b'\nsum = "'


def _scan(data: bytes) -> Parsed:
    """Read the records this module writes: `[[status]]`, one `name = value` per line, then `sum = "…"`.

    Per record: one CRC-32 over its bytes (before any decoding), one split into lines and one dict build;
    values decoded with a fast path for plain strings (no escapes) — this is what keeps 100k records near
    a second."""
    if data.startswith(b"[["):
        data = b"\n" + data
    blocks = data.split(b"\n[[")
    v2 = False
    for line in blocks[0].decode("utf-8", "replace").split("\n"):  # before the first record: comments only
        if line.strip() and not line.lstrip().startswith("#"):
            raise _Unusual
        if V2_MARK in line:
            v2 = True
    records: list[Record] = []
    append = records.append
    value = _value
    fromiso = datetime.fromisoformat
    crc = zlib.crc32
    start = _CRC_START
    for raw in blocks[1:]:
        cut = raw.rfind(_SUM_AT)
        if cut >= 0:
            try:
                ok = crc(memoryview(raw)[: cut + 1], start) == int(raw[cut + 8 : cut + 16], 16)
            except ValueError:
                ok = False
            block = raw[:cut].decode("utf-8", "replace")
        else:
            ok = not v2
            block = raw.rstrip(b"\n").decode("utf-8", "replace")
        lines = block.split("\n")
        status = _TABLES.get("[[" + lines[0].rstrip())
        if status is None:
            raise _Unusual
        fields: dict[str, Any] = {}
        for line in lines[1:]:
            name, sep, raw_value = line.partition(" = ")
            if not sep:
                if not line.strip():
                    continue
                raise _Unusual
            if (
                raw_value[:1] == '"'
                and raw_value[-1:] == '"'
                and "\\" not in raw_value
                and len(raw_value) > 1
            ):
                fields[name] = raw_value[1:-1]  # the common case: a plain string
            elif raw_value.isdigit():
                fields[name] = int(raw_value)
            elif name == "at" or name == "server_at":
                try:
                    fields[name] = fromiso(raw_value)
                except ValueError:
                    raise _Unusual from None
            else:
                fields[name] = value(raw_value.rstrip())
        append((status, fields, ok))
    return Parsed(records, v2)


def _record_lines(data: bytes) -> list[int]:
    """Line number (1-based) of each record's `[[` (only computed for messages)."""
    return [n + 1 for n, row in enumerate(data.split(b"\n")) if row.startswith(b"[[")]


def _damaged(path: Path, detail: str) -> StateError:
    return StateError(
        key="error.journal.damaged", params={"path": path, "detail": detail}, todo=[todo("move_journal_away")]
    )


def _parse(data: bytes, path: Path) -> Parsed:
    try:
        return _scan(data)
    except _Unusual:
        pass
    text = data.decode("utf-8", "replace")
    if V2_MARK in text[:200]:
        # This version writes only what the scanner reads: a v2 file it cannot read was edited by hand.
        raise _damaged(path, notice("error.journal.foreign_records"))
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _damaged(path, str(exc)) from None
    # tomllib groups tables by name; the relative order of intent/done/failed records for one key is
    # recoverable from their times (a done always follows its intent).
    records: list[Record] = []
    statuses: tuple[Status, ...] = ("intent", "failed", "done")
    for status in statuses:
        for table in tables.get(status, []):
            records.append((status, dict(table), True))
    records.sort(key=lambda r: r[1].get("at") or datetime.min.replace(tzinfo=UTC))
    return Parsed(records, False)


class Journal:
    """Append-only record of intents and results, keyed by the target's deterministic post key.

    The writer of one migration: opening it takes the writer lock beside the file (`MigrationBusy` if
    another process writes this migration), `close()` releases it. `command` names this writer in the lock
    file, so the one refused can say who is running."""

    def __init__(self, path: Path, *, command: str = "") -> None:
        self.path = Path(path)
        self._entries: dict[str, JournalEntry] = {}
        # (item_id, index, kind) → entry: the engine first asks which key it used for a post before (the key
        # actually used may differ from the first derived one when that one was taken), O(1) per post.
        self._by_post: dict[tuple[str, int, str], JournalEntry] = {}
        self._lock = threading.Lock()
        self._appended = 0
        self._dirty_on_load = False
        self._fh: Any = None
        self.warnings: list[str] = []  # what loading repaired (a torn last record), for the user to read
        self._writer = self._take_lock(command)
        try:
            self._load()
            self._open()
        except BaseException:
            self._release_lock()
            raise

    # --- the writer lock -----------------------------------------------------------------------------
    def _take_lock(self, command: str) -> WriterLock | None:
        lock = WriterLock(lock_path_for(self.path), command=command)
        lock.acquire()
        return lock

    def _release_lock(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()

    # --- loading -------------------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateError(
                key="error.journal.unreadable",
                params={"path": self.path, "detail": exc.strerror},
                todo=[todo("check_permissions")],
            ) from None
        good = data.rfind(b"\n") + 1  # bytes after the last newline are a torn write
        parsed = _parse(data[:good], self.path)
        records = parsed.records
        bad = [n for n, (status, fields, ok) in enumerate(records) if not ok]
        if bad and bad[0] < len(records) - 1:
            starts = _record_lines(data[:good])
            line = starts[bad[0]] if bad[0] < len(starts) else 0
            raise _damaged(self.path, notice("error.journal.checksum", line=str(line)))
        if records and (not records[-1][2] or not self._complete(records[-1][0], records[-1][1])):
            # A torn last record (every line ends, but fields or its checksum are missing or wrong): a
            # write cut by a kill or a power loss. Its post is reconciled with the server on resume.
            records.pop()
            cut = data.rfind(b"\n[[", 0, good)
            good = cut + 1 if cut >= 0 else 0
            self.warnings.append(notice("warn.journal_torn", path=self.path))
        if good != len(data):
            self._dirty_on_load = True
            try:
                with open(self.path, "r+b") as fh:  # O(1): truncate the torn tail so the next append is clean
                    fh.truncate(good)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                raise write_failure(self.path, exc, what=notice("act.repair_journal")) from None
        entries = self._entries
        required = _REQUIRED_KEYS
        for status, f, _ in records:
            if not required[status] <= f.keys():
                continue
            if f["key"] not in entries:  # the first record of a key (all of a compacted journal): build it
                done, failed = status == "done", status == "failed"
                entry = entries[f["key"]] = JournalEntry(
                    str(f["key"]),
                    str(f.get("item_id", "")),
                    int(f.get("index", 0)),
                    str(f.get("kind", "post")),
                    status,
                    str(f["uri"]) if done else None,
                    str(f["cid"]) if done else None,
                    (f.get("url") or None) if done else None,
                    _reason(f) if failed else None,
                    f["at"],
                    bool(f.get("retryable", False)) if failed else False,
                    None if done else f.get("server_at"),
                )
                self._index(entry)
            else:
                self._merge(status, f)

    @staticmethod
    def _complete(status: Status, fields: dict[str, Any]) -> bool:
        return all(name in fields for name in _REQUIRED[status])

    def _merge(self, status: Status, f: dict[str, Any]) -> JournalEntry:
        key = str(f["key"])
        entry = self._entries.get(key)
        if entry is None:
            entry = JournalEntry(
                key=key,
                item_id=str(f.get("item_id", "")),
                index=int(f.get("index", 0)),
                kind=str(f.get("kind", "post")),
                status=status,
            )
            self._entries[key] = entry
        elif entry.status == "done" and status != "done":
            return entry  # a confirmed result is never downgraded (only the intent's time may move)
        if "item_id" in f:
            owner = (entry.item_id, entry.index, entry.kind)
            entry.item_id = str(f["item_id"])
            entry.index = int(f.get("index", entry.index))
            entry.kind = str(f.get("kind", entry.kind))
            if owner != (entry.item_id, entry.index, entry.kind) and self._by_post.get(owner) is entry:
                del self._by_post[owner]  # the key now belongs to another post (journals of older versions)
        entry.status = status
        if status == "intent":
            # Keep the FIRST intent's time: Mastodon's 1 h idempotency window counts from the first POST,
            # so a re-sent intent must not make an old write look recent (that would risk a duplicate).
            entry.at = entry.at or f["at"]
            entry.server_at = entry.server_at or f.get("server_at")
            entry.reason = None
            entry.retryable = False
        elif status == "done":
            entry.uri, entry.cid, entry.url = str(f["uri"]), str(f["cid"]), f.get("url") or None
            entry.reason = None
            entry.at = entry.at or f["at"]
        else:
            entry.reason = _reason(f)
            entry.retryable = bool(f.get("retryable", False))
            entry.at = entry.at or f["at"]
            entry.server_at = entry.server_at or f.get("server_at")
        self._index(entry)
        return entry

    def _index(self, entry: JournalEntry) -> None:
        slot = (entry.item_id, entry.index, entry.kind)
        known = self._by_post.get(slot)
        # Two keys for one post can only come from a hand-edited journal: the confirmed one wins.
        if known is None or known is entry or known.status != "done" or entry.status == "done":
            self._by_post[slot] = entry

    # --- appending -----------------------------------------------------------------------------------
    def _open(self) -> None:
        created = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Unbuffered: one os.write per record, nothing left in a buffer if a write fails (disk full).
            self._fh = open(self.path, "ab", buffering=0)  # noqa: SIM115 (kept open; closed in close())
            if created:
                os.fchmod(self._fh.fileno(), 0o600)
                self._write_all(HEADER.encode())
                os.fsync(self._fh.fileno())
                fsync_dir(self.path.parent)
        except OSError as exc:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            raise write_failure(self.path, exc, what=notice("act.write_journal")) from None

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._fh.write(view)
            view = view[written or 0 :]

    def _append(self, status: Status, fields: dict[str, Any]) -> JournalEntry:
        record = _record(status, fields)
        with self._lock:
            if self._fh is None:
                raise StateError(
                    key="error.journal.closed", params={"path": self.path}, todo=[todo("report_bug")]
                )
            fd = self._fh.fileno()
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                self._write_all(record)  # one write per record: a kill leaves it whole or absent
                os.fsync(fd)
            except OSError as exc:
                # Take the partial record back off when the disk lets us (a full disk does), so the file
                # keeps only whole records; if not, the next load drops it as a torn write.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise write_failure(self.path, exc, what=notice("act.record_progress")) from None
            self._appended += 1
            return self._merge(status, fields)

    def intent(
        self, key: str, *, item_id: str, index: int = 0, kind: str = "post", server_at: datetime | None = None
    ) -> None:
        """Write-ahead: about to write `key` (for post `index` of `item_id`). `server_at`: now on the
        server's clock, when the target knows it (Mastodon's reconciliation reasons in server time)."""
        self._append(
            "intent",
            {
                "key": key,
                "item_id": item_id,
                "index": index,
                "kind": kind,
                "server_at": server_at,
                "at": utcnow(),
            },
        )

    def done(self, key: str, ref: PostRef) -> None:
        known = self._entries.get(key)
        fields: dict[str, Any] = {"key": key}
        if known is not None:
            fields.update(item_id=known.item_id, index=known.index, kind=known.kind)
        fields.update(uri=ref.uri, cid=ref.cid, url=ref.url or None, at=utcnow())
        self._append("done", fields)

    def failed(self, key: str, reason: str, *, retryable: bool = False) -> None:
        known = self._entries.get(key)
        fields: dict[str, Any] = {"key": key}
        if known is not None:
            fields.update(item_id=known.item_id, index=known.index, kind=known.kind)
        # A reason may quote a server's answer: never store a secret it echoed (scrub.py; a Notice's
        # parameters are scrubbed too, and it stays a Notice so its key and parameters are kept).
        reason = scrub(reason)
        fields.update(reason=reason, **_reason_words(reason), retryable=retryable or None, at=utcnow())
        self._append("failed", fields)

    # --- reading -------------------------------------------------------------------------------------
    def get(self, key: str) -> JournalEntry | None:
        return self._entries.get(key)

    def find(self, item_id: str, index: int = 0, kind: str = "post") -> JournalEntry | None:
        """The entry of post `index` of item `item_id` (whatever key it was sent with), O(1)."""
        return self._by_post.get((item_id, index, kind))

    def entries(self) -> Iterable[JournalEntry]:
        return list(self._entries.values())

    def has_kind(self, kind: str) -> bool:
        """Any record of this kind ("post", "follow"…)? A journal with no post records for a migration
        whose account already has posts is a lost journal to the engine (it reconciles before sending)."""
        return any(e.kind == kind for e in self._entries.values())

    def claimed(self, kind: str = "post") -> set[str]:
        """Server ids (uris) that confirmed entries of `kind` stand for: reconciliation never gives one of
        them to a second entry."""
        return {e.uri for e in self._entries.values() if e.kind == kind and e.status == "done" and e.uri}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    # --- compaction / closing ------------------------------------------------------------------------
    def compact(self) -> None:
        """Rewrite atomically to one record per key (its final status). Skipped when nothing changed.

        On failure (disk full, read-only folder) the append-only file is left exactly as it was — it is
        complete, only longer — and a StateError says what happened."""
        with self._lock:
            if self._appended == 0 and not self._dirty_on_load:
                return
            if self._fh is None:
                raise StateError(
                    key="error.journal.closed", params={"path": self.path}, todo=[todo("report_bug")]
                )
            parts = [HEADER.encode()]
            parts += [_record(e.status, _entry_fields(e, e.status)) for e in self._entries.values()]
            try:
                atomic_write(self.path, b"".join(parts), mode=0o600)
            except OSError as exc:
                raise write_failure(self.path, exc, what=notice("act.compact_journal")) from None
            self._fh.close()
            self._fh = None
            self._appended = 0
            self._dirty_on_load = False
            try:
                self._fh = open(self.path, "ab", buffering=0)  # noqa: SIM115
            except OSError as exc:
                raise write_failure(self.path, exc, what=notice("act.write_journal")) from None

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
        self._release_lock()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self.compact()
        finally:
            self.close()


class JournalView(Journal):
    """A read-only view of a journal another process may be writing (the TUI watching a headless run).

    Never locks, never truncates a torn tail, never appends, never compacts. `refresh()` reads only what
    was appended since the last call (O(new records)); when the writer compacted the file (atomic replace:
    a new inode, or a shorter file) it reloads it whole. A record still being written (no blank line after
    it yet) is left for the next refresh; a record whose checksum does not match is skipped and counted
    in `damaged` (the writer refuses such a file; a viewer just does not trust the record)."""

    def __init__(self, path: Path) -> None:
        self._offset = 0
        self._inode: int | None = None
        self._v2 = False
        self.damaged = 0
        super().__init__(path)

    def _take_lock(self, command: str) -> WriterLock | None:
        return None

    def _load(self) -> None:
        self.refresh()

    def _open(self) -> None:  # read-only: no file handle, nothing created
        self._fh = None

    def _append(self, status: Status, fields: dict[str, Any]) -> JournalEntry:
        raise StateError(key="error.journal.read_only", params={"path": self.path}, todo=[todo("report_bug")])

    def compact(self) -> None:
        return

    def refresh(self) -> bool:
        """Read what changed on disk; True if anything new was merged."""
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_ino != self._inode or st.st_size < self._offset:
                    self._entries.clear()
                    self._by_post.clear()
                    self._offset, self._inode, self.damaged = 0, st.st_ino, 0
                fh.seek(self._offset)
                data = fh.read()
        except FileNotFoundError:
            changed = bool(self._entries)
            self._entries.clear()
            self._by_post.clear()
            self._offset, self._inode = 0, None
            return changed
        except OSError as exc:
            raise StateError(
                key="error.journal.unreadable",
                params={"path": self.path, "detail": exc.strerror},
                todo=[todo("check_permissions")],
            ) from None
        end = data.rfind(b"\n\n") + 2  # every record ends with a blank line (one write per record)
        if end < 2:
            return False
        chunk = data[:end]
        if self._offset == 0:
            self._v2 = V2_MARK.encode() in chunk[:200]
        elif self._v2:  # the header is not in this chunk: say it again so sums are required
            chunk = f"# {V2_MARK}\n".encode() + chunk
        records = _parse(chunk, self.path).records
        merged = False
        for status, f, ok in records:
            if not ok:
                self.damaged += 1
            elif _REQUIRED_KEYS[status] <= f.keys():
                self._merge(status, f)
                merged = True
        self._offset += end
        return merged
