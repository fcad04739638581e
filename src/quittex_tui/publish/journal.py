"""The write-ahead journal: what was sent, one append-only TOML file per (state, target).

Spec: issue "Publishing engine" (State, Write-ahead) and ../team/ENGINE_API.md (journal).
- Recording one post costs O(1): each record is one `[[intent]]` / `[[done]]` / `[[failed]]` TOML table
  appended with a single write, then flushed and fsynced. The file is never rewritten during a run.
- Write-ahead: the engine appends `intent` (the deterministic key) *before* the network write and `done`
  (uri/cid/url) after it, so a kill at any instant leaves either a result or an intent to reconcile.
- A torn last record (power loss mid-write) is ignored on load and cut off before the next append.
- `compact()` (on clean exit) atomically rewrites the file to one record per key.
- Loading 100k records must take ≤ 1-2 s: the records we write use a fixed one-key-per-line layout that a
  line scanner reads several times faster than a general TOML parser; anything else (a hand-edited file)
  falls back to `tomllib`, so the file stays plain TOML either way.
"""

from __future__ import annotations

import json
import os
import threading
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from quittex_tui.errors import StateError
from quittex_tui.fileio import atomic_write, fsync_dir
from quittex_tui.publish.target import PostRef

Status = Literal["intent", "done", "failed"]
_TABLES: dict[str, Status] = {"[[intent]]": "intent", "[[done]]": "done", "[[failed]]": "failed"}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "intent": ("key", "item_id", "at"),
    "done": ("key", "uri", "cid", "at"),
    "failed": ("key", "reason", "at"),
}
_REQUIRED_KEYS = {status: frozenset(names) for status, names in _REQUIRED.items()}
HEADER = (
    "# quittex-tui journal: what was sent (append-only; compacted on clean exit).\n"
    "# Do not edit while a migration runs. Deleting it makes quittex-tui re-check every post.\n"
)


def journal_path(state_path: Path, target: str) -> Path:
    return state_path.with_name(f"{state_path.stem}.{target}.journal.toml")


def utcnow() -> datetime:
    return datetime.now(UTC)


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

    def ref(self) -> PostRef:
        return PostRef(uri=self.uri or "", cid=self.cid or "", url=self.url or "")


def _s(value: str) -> str:
    # JSON string syntax with raw UTF-8 is a valid TOML basic string, except DEL which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _dt(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _record(status: Status, fields: dict[str, Any]) -> bytes:
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
    return ("\n".join(lines) + "\n\n").encode("utf-8", "replace")


def _entry_fields(entry: JournalEntry, status: Status) -> dict[str, Any]:
    fields: dict[str, Any] = {"key": entry.key, "item_id": entry.item_id, "index": entry.index,
                              "kind": entry.kind}
    if status == "done":
        fields.update(uri=entry.uri, cid=entry.cid, url=entry.url or None)
    elif status == "failed":
        fields.update(reason=entry.reason, retryable=entry.retryable or None)
    fields["at"] = entry.at
    return fields


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


def _scan(text: str) -> list[tuple[Status, dict[str, Any]]]:
    """Read the records this module writes: `[[status]]` then one `name = value` per line.

    Per record: one split into lines and one dict build; values decoded with a fast path for plain
    strings (no escapes) — this is what keeps 100k records near half a second."""
    if text.startswith("[["):
        text = "\n" + text
    blocks = text.split("\n[[")
    for line in blocks[0].split("\n"):  # before the first record: comments and blank lines only
        if line.strip() and not line.lstrip().startswith("#"):
            raise _Unusual
    records: list[tuple[Status, dict[str, Any]]] = []
    append = records.append
    value = _value
    fromiso = datetime.fromisoformat
    for block in blocks[1:]:
        lines = block.rstrip("\n").split("\n")
        status = _TABLES.get("[[" + lines[0].rstrip())
        if status is None:
            raise _Unusual
        fields: dict[str, Any] = {}
        for line in lines[1:]:
            name, sep, raw = line.partition(" = ")
            if not sep:
                if not line.strip():
                    continue
                raise _Unusual
            if raw[:1] == '"' and raw[-1:] == '"' and "\\" not in raw and len(raw) > 1:
                fields[name] = raw[1:-1]  # the common case: a plain string
            elif raw.isdigit():
                fields[name] = int(raw)
            elif name == "at":
                try:
                    fields[name] = fromiso(raw)
                except ValueError:
                    raise _Unusual from None
            else:
                fields[name] = value(raw.rstrip())
        append((status, fields))
    return records


def _parse(text: str, path: Path) -> list[tuple[Status, dict[str, Any]]]:
    try:
        return _scan(text)
    except _Unusual:
        pass
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StateError(
            f"the journal {path} is damaged ({exc})",
            "move it away and run again: every post will then be re-checked on the server before sending",
        ) from None
    # tomllib groups tables by name; the relative order of intent/done/failed records for one key is
    # recoverable from their times (a done always follows its intent).
    records: list[tuple[Status, dict[str, Any]]] = []
    for name, status in (("intent", "intent"), ("failed", "failed"), ("done", "done")):
        for table in data.get(name, []):
            records.append((status, dict(table)))  # type: ignore[arg-type]
    records.sort(key=lambda r: (r[1].get("at") or datetime.min.replace(tzinfo=UTC)))
    return records


class Journal:
    """Append-only record of intents and results, keyed by the target's deterministic post key."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._entries: dict[str, JournalEntry] = {}
        # (item_id, index, kind) → entry: the engine first asks which key it used for a post before (the key
        # actually used may differ from the first derived one when that one was taken), O(1) per post.
        self._by_post: dict[tuple[str, int, str], JournalEntry] = {}
        self._lock = threading.Lock()
        self._appended = 0
        self._dirty_on_load = False
        self._fh: Any = None
        self._load()
        self._open()

    # --- loading -------------------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateError(
                f"cannot read the journal {self.path}: {exc.strerror}", "check its permissions"
            ) from None
        good = data.rfind(b"\n") + 1  # bytes after the last newline are a torn write
        text = data[:good].decode("utf-8", "replace")
        records = _parse(text, self.path)
        if records and not self._complete(*records[-1]):
            # A torn last record (every line ends, but fields are missing): drop it and cut it off.
            records.pop()
            cut = text.rfind("\n[[")
            good = len(text[: cut + 1].encode("utf-8")) if cut >= 0 else 0
        if good != len(data):
            self._dirty_on_load = True
            with open(self.path, "r+b") as fh:  # O(1): truncate the torn tail so the next append is clean
                fh.truncate(good)
                fh.flush()
                os.fsync(fh.fileno())
        entries = self._entries
        required = _REQUIRED_KEYS
        for status, f in records:
            if not required[status] <= f.keys():
                continue
            if status == "done" and f["key"] not in entries:  # most of a compacted journal: build it directly
                entry = entries[f["key"]] = JournalEntry(
                    str(f["key"]), str(f.get("item_id", "")), int(f.get("index", 0)),
                    str(f.get("kind", "post")), "done", str(f["uri"]), str(f["cid"]), f.get("url") or None,
                    None, f["at"])
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
            entry = JournalEntry(key=key, item_id=str(f.get("item_id", "")), index=int(f.get("index", 0)),
                                 kind=str(f.get("kind", "post")), status=status)
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
            entry.reason = None
            entry.retryable = False
        elif status == "done":
            entry.uri, entry.cid, entry.url = str(f["uri"]), str(f["cid"]), f.get("url") or None
            entry.reason = None
            entry.at = entry.at or f["at"]
        else:
            entry.reason = str(f["reason"])
            entry.retryable = bool(f.get("retryable", False))
            entry.at = entry.at or f["at"]
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "ab")  # noqa: SIM115 (kept open for O(1) appends; closed in close())
        if created:
            self._fh.write(HEADER.encode())
            self._fh.flush()
            os.fsync(self._fh.fileno())
            fsync_dir(self.path.parent)

    def _append(self, status: Status, fields: dict[str, Any]) -> JournalEntry:
        record = _record(status, fields)
        with self._lock:
            if self._fh is None:
                raise StateError(f"the journal {self.path} is closed", "this is a bug: please report it")
            self._fh.write(record)  # one write per record: a kill leaves it whole or absent
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._appended += 1
            return self._merge(status, fields)

    def intent(self, key: str, *, item_id: str, index: int = 0, kind: str = "post") -> None:
        self._append("intent", {"key": key, "item_id": item_id, "index": index, "kind": kind, "at": utcnow()})

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
        fields.update(reason=reason, retryable=retryable or None, at=utcnow())
        self._append("failed", fields)

    # --- reading -------------------------------------------------------------------------------------
    def get(self, key: str) -> JournalEntry | None:
        return self._entries.get(key)

    def find(self, item_id: str, index: int = 0, kind: str = "post") -> JournalEntry | None:
        """The entry of post `index` of item `item_id` (whatever key it was sent with), O(1)."""
        return self._by_post.get((item_id, index, kind))

    def entries(self) -> Iterable[JournalEntry]:
        return list(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    # --- compaction / closing ------------------------------------------------------------------------
    def compact(self) -> None:
        """Rewrite atomically to one record per key (its final status). Skipped when nothing changed."""
        with self._lock:
            if self._appended == 0 and not self._dirty_on_load:
                return
            parts = [HEADER.encode()]
            parts += [_record(e.status, _entry_fields(e, e.status)) for e in self._entries.values()]
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            atomic_write(self.path, b"".join(parts))
            self._appended = 0
            self._dirty_on_load = False
            self._fh = open(self.path, "ab")  # noqa: SIM115

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
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
    it yet) is left for the next refresh."""

    def __init__(self, path: Path) -> None:
        self._offset = 0
        self._inode: int | None = None
        super().__init__(path)

    def _load(self) -> None:
        self.refresh()

    def _open(self) -> None:  # read-only: no file handle, nothing created
        self._fh = None

    def _append(self, status: Status, fields: dict[str, Any]) -> JournalEntry:
        raise StateError(f"the journal {self.path} is open read-only here", "this is a bug: please report it")

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
                    self._offset, self._inode = 0, st.st_ino
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
                f"cannot read the journal {self.path}: {exc.strerror}", "check its permissions"
            ) from None
        end = data.rfind(b"\n\n") + 2  # every record ends with a blank line (one write per record)
        if end < 2:
            return False
        chunk = data[:end].decode("utf-8", "replace")
        records = _parse(chunk, self.path)
        for status, f in records:
            if _REQUIRED_KEYS[status] <= f.keys():
                self._merge(status, f)
        self._offset += end
        return bool(records)
