"""Crash-safe file writes, shared by the state, the journal's compaction, the secrets file, the media
cache and the report/CSV exports.

A temp file beside the target + fsync + `os.replace` + fsync of the directory: a kill or a power loss at
any instant leaves either the old file or the new one, never a mix (POSIX rename atomicity).
Temp files are created 0600 by `mkstemp`, so a secret is never readable by others, not even briefly.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from quittex_tui.errors import StateError, todo
from quittex_tui.notice import notice

# fsync of a directory is "not supported" on some file systems (and on Windows directories cannot even
# be opened): those answers mean "nothing more to do". Any other error — EIO above all — means the rename
# may not be durable, and is raised (ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 15: never
# swallow EIO).
_FSYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        if os.name == "nt" or exc.errno in _FSYNC_UNSUPPORTED:  # os.replace is atomic there anyway
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _FSYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def write_failure(path: Path, exc: OSError, *, what: str = "") -> StateError:
    """A failed write of our own files (state, journal, lock, caches) in words, for the user: the disk is
    full, the folder is read-only, no permission, a disk error. Raised as a StateError: exit 2, and the
    hint says that everything confirmed before is kept (writes are atomic or append-only)."""
    where = str(path)
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        message, hint = "error.write.disk_full", "free_space"
    elif code == errno.EROFS:
        message, hint = "error.write.read_only", "make_writable"
    elif code in (errno.EACCES, errno.EPERM):
        message, hint = "error.write.permission", "give_write_access"
    elif code == errno.EIO:
        message, hint = "error.write.io_error", "check_disk"
    else:
        message, hint = "error.write.other", "fix_cause"
    return StateError(
        key=message,
        params={"what": what or notice("act.write"), "path": where, "detail": exc.strerror or exc},
        todo=[todo(hint)],
    )


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically; `mode` (e.g. 0o600) is applied before the rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
