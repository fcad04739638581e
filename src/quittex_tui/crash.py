"""Crash reports: an unexpected error becomes a file to attach to a bug report, and one paragraph on screen.

A traceback (or Textual's dump of local variables) on screen frightens and helps nobody; written to a
file it is what a maintainer needs. The report holds the version, Python, platform, the command line,
the traceback and the last lines of this run's log, all through the same scrubber as the log (no app
password, token or session can end up in a report someone will paste into a public issue). Mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
from pathlib import Path

from quittex_tui import logs, paths
from quittex_tui.clock import utcnow

EXIT_CRASH = 70  # sysexits.h EX_SOFTWARE: an internal error (a bug), not the user's input or the network
LOG_TAIL = 60


def write_crash_report(
    exc: BaseException, *, where: str = "cli", scrub: logs.Scrub | None = None
) -> Path | None:
    """Write the report of `exc`; returns its path (None if even that failed — then the caller shows the
    error itself). `where`: "cli" or "tui", for the reader."""
    from quittex_tui import __version__

    scrub = scrub or logs.default_scrub
    logs.get_logger("crash").error("unexpected error in the %s", where, exc_info=exc)
    lines = [
        "quittex-tui crash report",
        f"time: {utcnow().isoformat(timespec='seconds')}",
        f"version: {__version__}",
        f"python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"platform: {platform.platform()}",
        f"front end: {where}",
        f"command: {' '.join(sys.argv)}",
        "",
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip(),
        "",
    ]
    log_path = logs.current_log_path()
    if log_path is not None and log_path.exists():
        with contextlib.suppress(OSError):
            tail = log_path.read_text("utf-8", errors="replace").splitlines()[-LOG_TAIL:]
            lines += [f"last {len(tail)} lines of {log_path}:", *tail, ""]
    try:
        folder = paths.crash_dir()
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"crash-{stamp}-{os.getpid()}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(scrub("\n".join(lines)) + "\n")
    except OSError:
        return None
    return path
