"""Where quittex-tui keeps its files (platformdirs), overridable with QUITTEX_HOME for tests.

With QUITTEX_HOME set, everything lives below it: `state/`, `cache/`, `config/`, `log/`. Tests always set
it so the developer's own migrations are never touched. `quittex-tui where` prints them all.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

APP = "quittex-tui"


def _home() -> Path | None:
    value = os.environ.get("QUITTEX_HOME")
    return Path(value).expanduser() if value else None


def state_dir() -> Path:
    """Migration states (TOML) and their journals."""
    home = _home()
    path = home / "state" if home else Path(platformdirs.user_state_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Converted media, named by content hash and reused across runs."""
    home = _home()
    path = home / "cache" if home else Path(platformdirs.user_cache_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Secrets file fallback (mode 0600) when no OS keyring is available."""
    home = _home()
    path = home / "config" if home else Path(platformdirs.user_config_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """One log file per run (logs.py), and the crash reports beside them (`crash/`).

    platformdirs' user_log_dir: `$XDG_STATE_HOME/quittex-tui/log` (~/.local/state/…) on Linux,
    ~/Library/Logs/quittex-tui on macOS, %LOCALAPPDATA%\\quittex-tui\\Logs on Windows."""
    home = _home()
    path = home / "log" if home else Path(platformdirs.user_log_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)  # logs name accounts and servers: the user's eyes only
    return path


def crash_dir() -> Path:
    """Crash reports (crash.py): what went wrong, with the traceback, for a bug report."""
    path = log_dir() / "crash"
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)
    return path


def demo_state_dir() -> Path:
    """The TUI demo's own migration state: apart from the user's real migrations (state_dir), so the
    demo never appears in the start screen's list of migrations to resume."""
    path = state_dir() / "demo"  # state.list_states() reads only the top level of state_dir
    path.mkdir(parents=True, exist_ok=True)
    return path
