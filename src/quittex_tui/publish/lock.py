"""One writer per migration: an OS lock on a file beside the journal.

Why an OS lock (`fcntl.flock`) and not a pid file: the kernel releases it when the holding process dies,
however it dies (kill -9, power loss of an SSH session, OOM), so there is never a stale lock to clean up by
hand, and two processes can never both believe they hold it. The lock file also carries who holds it
(pid, host, since when, what command) so a second `migrate` or the TUI can say *who* is writing.

Scope: one lock per journal, i.e. per (state file × target); the journal is what two writers would
corrupt (one compacting by atomic replace while the other appends to the unlinked file). `Journal(path)`
takes it itself (journal.py), so every writer — migrate, the dry run, follow runs, the demo, the TUI — is
covered. A second lock per destination ACCOUNT (`account_lock`) keeps two *different* state files from
sending to the same account at the same time (their journals do not know about each other).

Usage::

    with WriterLock(lock_path_for(journal_path), command="migrate --to bluesky"):
        ...                                   # raises MigrationBusy (a QuittexError) if held elsewhere
    holder = lock_holder(lock_path_for(journal_path))   # None when nobody writes
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from quittex_tui.clock import utcnow
from quittex_tui.errors import QuittexError, todo
from quittex_tui.fileio import write_failure
from quittex_tui.notice import Notice, notice

try:  # POSIX (Linux, macOS, BSD): the platforms an SSH tool runs on
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; see _try_lock
    fcntl = None  # type: ignore[assignment]

PROBE_RETRIES = 5
PROBE_RETRY_DELAY = 0.05  # seconds, growing: 0.05 + 0.1 + … ≈ 0.75 s before "busy"


@dataclass(frozen=True)
class LockHolder:
    """Who writes a migration right now (read from the lock file of a held lock)."""

    pid: int
    host: str
    since: datetime
    command: str = ""

    def describe(self) -> Notice:
        when = self.since.astimezone().strftime("%Y-%m-%d %H:%M")
        if self.command:
            return notice(
                "error.lock.holder_command",
                pid=str(self.pid),
                host=self.host,
                command=self.command,
                since=when,
            )
        return notice("error.lock.holder", pid=str(self.pid), host=self.host, since=when)


class MigrationBusy(QuittexError):
    """Another process holds this migration's writer lock."""

    def __init__(self, subject: str, holder: LockHolder | None) -> None:
        who = holder.describe() if holder else notice("error.lock.another_process")
        super().__init__(
            key="error.lock.busy", params={"subject": subject, "who": who}, todo=[todo("wait_or_stop")]
        )
        self.holder = holder


def lock_path_for(journal: Path) -> Path:
    """`<stem>.<target>.journal.toml` → `<stem>.<target>.journal.lock` (beside it, same folder)."""
    return journal.with_suffix(".lock")


def _try_lock(fh: IO[bytes]) -> bool:
    if fcntl is None:  # pragma: no cover - no OS lock available: single-writer is then the user's duty
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # e.g. ENOLCK on some network file systems
        raise QuittexError(
            key="error.lock.cannot_lock",
            params={"path": fh.name, "detail": exc.strerror},
            todo=[todo("local_disk")],
        ) from None
    return True


def _read_holder(path: Path) -> LockHolder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        return LockHolder(
            pid=int(data["pid"]),
            host=str(data.get("host") or "?"),
            since=datetime.fromisoformat(str(data["since"])),
            command=str(data.get("command") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def lock_holder(path: Path) -> LockHolder | None:
    """Who holds the lock at `path` now, or None if nobody does (probe: try to take it, release at once).

    A held lock whose file says nothing readable still counts as held: returns a holder with pid 0."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; "rb" never creates the file
    except FileNotFoundError:
        return None
    except OSError:
        return None
    try:
        if fcntl is None:  # pragma: no cover
            return None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(path) or LockHolder(0, "?", utcnow())
        except OSError:
            return None
        return None  # we could take it: nobody holds it (closing the file releases our probe)
    finally:
        fh.close()


class WriterLock:
    """The exclusive writer lock of one migration. Re-entrant within one object, not across objects."""

    def __init__(self, path: Path, *, command: str = "", subject: str = "") -> None:
        self.path = Path(path)
        self.subject = subject or notice("error.lock.this_migration")
        self.command = command or " ".join(
            os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3])
        )
        self._fh: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> None:
        if self._fh is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # "a+b": create if missing, never truncate before we hold the lock (the holder's info is in it).
            fh = open(self.path, "a+b")  # noqa: SIM115 - kept open while held; closed in release()
        except OSError as exc:  # a read-only or full state folder: say so, never a traceback
            raise write_failure(self.path, exc, what=notice("act.create_lock")) from None
        # A few quick tries: a watcher's probe (lock_holder) holds a shared lock for microseconds, and must
        # never make a starting writer believe the migration is busy.
        for attempt in range(PROBE_RETRIES):
            if _try_lock(fh):
                break
            time.sleep(PROBE_RETRY_DELAY * (attempt + 1))
        else:
            fh.close()
            raise MigrationBusy(self.subject, _read_holder(self.path))
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": utcnow().isoformat(timespec="seconds"),
            "command": self.command,
        }
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(info).encode("utf-8"))
            fh.flush()
        except OSError:
            # Who holds the lock is only for messages; the lock itself (the flock) is held all the same.
            pass
        self._fh = fh

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            # Leave the file (unlinking it would let a third process lock a new inode while a second one
            # still waits on the old); closing releases the flock.
            fh.close()

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def account_lock_path(network: str, account: str, folder: Path | None = None) -> Path:
    """The lock of one destination account (`account`: a DID, or instance URL + account id), in the app's
    state folder whatever `--state` file a run uses. The name is a digest: no handle on disk here."""
    import hashlib

    from quittex_tui import paths

    digest = hashlib.sha256(f"{network}\n{account}".encode()).hexdigest()[:24]
    return (folder or paths.state_dir()) / "locks" / f"{network}-{digest}.lock"


def account_lock(
    network: str, account: str | None, *, label: str = "", command: str = "", folder: Path | None = None
) -> WriterLock | contextlib.nullcontext[None]:
    """An (unacquired) lock for runs that write to `account`; a no-op when the account is unknown (the dry
    run). Use as a context manager: `with account_lock(...): ...`."""
    if not account:
        return contextlib.nullcontext()
    who = (
        notice("error.lock.account_subject", account=label)
        if label
        else notice("error.lock.this_account_subject")
    )
    return WriterLock(account_lock_path(network, account, folder), command=command, subject=who)


def account_of(target: object) -> tuple[str, str | None, str]:
    """(network, account id, label) of a connected target, for `account_lock`; no id for the dry run."""
    network = str(getattr(target, "network", ""))
    label = ""
    info = getattr(target, "info", None)
    if network == "bluesky":
        account = getattr(target, "did", None)
        label = f"@{getattr(target, 'handle', '') or account}"
    elif network == "mastodon":
        acct = getattr(target, "account", None) or {}
        instance = str(getattr(target, "instance", "")).rstrip("/").lower()
        account = f"{instance}#{acct.get('id')}" if acct.get("id") is not None else None
        label = str(acct.get("acct") or "this account")
        if callable(info):
            with contextlib.suppress(Exception):  # the label is only for messages
                label = info().handle
    else:
        account = None
    return network, account, label


def account_lock_for(target: object, *, command: str = "") -> WriterLock | contextlib.nullcontext[None]:
    """The lock of the account `target` writes to (see `account_lock`)."""
    network, account, label = account_of(target)
    return account_lock(network, account, label=label, command=command)


# --- the journals that write to one account -------------------------------------------------------------
# Two state files for one account (a second --state, or the same archive opened from another copy) each keep
# their own journal: what one sent, the other does not know. Every run records its journal beside the
# account's lock; a run then reads the others (read-only) and takes their confirmed posts as its own, so
# alternating between the two never sends a post twice.


def _registry(network: str, account: str, folder: Path | None) -> Path:
    return account_lock_path(network, account, folder).with_suffix(".journals")


def register_journal(network: str, account: str | None, journal: Path, *, folder: Path | None = None) -> None:
    """Remember that `journal` writes to this account (one absolute path per line, 0600)."""
    if not account:
        return
    path = _registry(network, account, folder)
    mine = str(Path(journal).resolve())
    try:
        known = path.read_text("utf-8").splitlines() if path.exists() else []
        if mine in known:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(mine + "\n")
    except OSError as exc:
        raise write_failure(path, exc, what=notice("act.register_journal")) from None


def other_journals(
    network: str, account: str | None, journal: Path, *, folder: Path | None = None
) -> list[Path]:
    """The other journals known to write to this account (that still exist)."""
    if not account:
        return []
    path = _registry(network, account, folder)
    mine = str(Path(journal).resolve())
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return []
    return [Path(line) for line in dict.fromkeys(lines) if line and line != mine and Path(line).exists()]
