"""A log file per run, for support: what happened, never a secret.

- One file per run in `paths.log_dir()` (`quittex-tui-<UTC time>-<pid>.log`), mode 0600, the last
  `KEEP_RUNS` runs kept; a long run (a multi-day migration) rotates its own file at `MAX_BYTES`
  (`BACKUPS` older parts kept), so the folder never grows without bound.
- Every record — message, arguments, traceback — goes through `scrub` before it is written: by default
  the process's one scrubber (scrub.py: every secret this process loaded or received, the environment's,
  app passwords, JWTs, `Bearer …`, and `password` / `token` / `secret` / `code` values).
- `--debug` (or QUITTEX_DEBUG=1): DEBUG records in the file, and INFO and above on stderr too.
  Without it: INFO in the file, nothing extra on stderr (the commands print their own words).

No Textual here: the CLI sets it up before any command runs; the TUI logs through the same loggers.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from quittex_tui import paths
from quittex_tui.clock import utcnow
from quittex_tui.scrub import remember_secrets, scrub

LOGGER = "quittex_tui"
DEBUG_ENV = "QUITTEX_DEBUG"
KEEP_RUNS = 20
MAX_BYTES = 5_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
SDK_LOGGERS = ("httpx", "atproto", "atproto_client", "mastodon", "urllib3")

Scrub = Callable[[str], str]

_current: dict[str, Path | None] = {"path": None}


def remember_secret(value: str | None) -> None:
    """A secret to remove wherever it appears (the one scrubber, scrub.py, learns it)."""
    remember_secrets(value)


def default_scrub(text: str) -> str:
    """`text` without the secrets we can recognise: the process's one scrubber (scrub.py)."""
    return scrub(text)


class ScrubbingFormatter(logging.Formatter):
    """Formats the whole record (message, arguments, traceback, stack) and scrubs the result, so
    nothing reaches the file unscrubbed whatever a caller passed."""

    def __init__(self, scrub: Scrub, fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        return self.scrub(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file whose every part is created 0600 (the default would follow the umask)."""

    def _open(self) -> object:  # type: ignore[override]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return open(fd, self.mode.replace("w", "a"), encoding=self.encoding, errors=self.errors)


def _prune(directory: Path, keep: int) -> None:
    runs = sorted(directory.glob("quittex-tui-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        for part in [old, *directory.glob(old.name + ".*")]:
            with contextlib.suppress(OSError):
                part.unlink()


def debug_requested() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def setup_logging(
    *,
    debug: bool = False,
    scrub: Scrub | None = None,
    command: str = "",
    directory: Path | None = None,
    echo: bool = True,
) -> Path | None:
    """Start this run's log file; returns its path (None if the log folder cannot be written — logging
    is help for support, never a reason to fail the user's command). `echo`: with `debug`, also write
    the records on stderr (off for the TUI, whose screen stderr would garble)."""
    scrub = scrub or default_scrub
    root = logging.getLogger(LOGGER)
    for logger in [root, *(logging.getLogger(name) for name in SDK_LOGGERS)]:
        for handler in list(logger.handlers):
            if getattr(handler, "_quittex", False):
                logger.removeHandler(handler)
                handler.close()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
    path: Path | None = None
    try:
        folder = directory or paths.log_dir()
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"quittex-tui-{stamp}-{os.getpid()}.log"
        handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False
        )
        handler.setFormatter(ScrubbingFormatter(scrub))
        handler._quittex = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        _prune(folder, KEEP_RUNS)
    except OSError:
        path = None
    if debug and echo:
        err = logging.StreamHandler(sys.stderr)
        err.setLevel(logging.DEBUG)
        err.setFormatter(ScrubbingFormatter(scrub, "%(levelname)s %(name)s: %(message)s"))
        err._quittex = True  # type: ignore[attr-defined]
        root.addHandler(err)
    if debug:
        # the SDKs' own loggers (httpx requests, atproto, Mastodon.py) — scrubbed like ours
        for name in SDK_LOGGERS:
            lib = logging.getLogger(name)
            lib.setLevel(logging.DEBUG)
            for h in root.handlers:
                if h not in lib.handlers:
                    lib.addHandler(h)
    _current["path"] = path
    log = logging.getLogger(LOGGER)
    from quittex_tui import __version__

    log.info(
        "quittex-tui %s, Python %s, %s; command: %s",
        __version__,
        sys.version.split()[0],
        sys.platform,
        command or "-",
    )
    return path


def current_log_path() -> Path | None:
    """This run's log file (None before setup_logging or when it could not be created)."""
    return _current["path"]


def get_logger(name: str) -> logging.Logger:
    """A logger under quittex_tui (`get_logger(__name__)` in any module)."""
    return logging.getLogger(name if name.startswith(LOGGER) else f"{LOGGER}.{name}")
