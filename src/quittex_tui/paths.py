"""Where quittex-tui keeps its files (platformdirs), overridable with QUITTEX_HOME for tests.

With QUITTEX_HOME set, everything lives below it: `state/`, `cache/`, `config/`. Tests always set it so
the developer's own migrations are never touched.
"""

from __future__ import annotations

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
