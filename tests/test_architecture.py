"""The core never imports Textual: it must be usable from the CLI, tests and other front ends."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "quittex_tui.archive",
    "quittex_tui.convert",
    "quittex_tui.publish",
    "quittex_tui.audience",
    "quittex_tui.state",
    "quittex_tui.fileio",
    "quittex_tui.cli",
    # the mechanisms the CLI and the TUI share: catalogues, errors, logs, crash reports, paths
    "quittex_tui.i18n",
    "quittex_tui.errors",
    "quittex_tui.logs",
    "quittex_tui.crash",
    "quittex_tui.paths",
]


def test_core_packages_do_not_import_textual() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {CORE!r}:\n"
        "    try:\n"
        "        mod = importlib.import_module(name)\n"
        "    except ModuleNotFoundError as exc:\n"
        "        if exc.name == name: continue\n"
        "        raise\n"
        "    for info in pkgutil.walk_packages(getattr(mod, '__path__', []), name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(len(bad))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0"
