"""`quittex-tui demo` without a terminal runs headless; the CLI modules never load Textual."""

from __future__ import annotations

import os
import subprocess
import sys


def _files_but_logs(home):
    return sorted(p.name for p in home.rglob("*") if "log" not in p.relative_to(home).parts)


def test_demo_without_a_terminal_prints_the_summary_and_a_dry_run_report(isolated_home) -> None:
    before = _files_but_logs(isolated_home)
    proc = subprocess.run(
        [sys.executable, "-m", "quittex_tui", "demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QUITTEX_HOME": str(isolated_home)},
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "@camille_depeche" in out  # the archive summary (archive.summary.summary_text)
    assert "Dry-run migration of the first 12" in out
    assert out.count(" published\n") == 12
    assert "Report: 12 published, 0 failed" in out
    # the headless run used a throwaway home: the user's (here: the test's) state dir is untouched; the
    # run's own log file is the only thing written in the user's home
    assert _files_but_logs(isolated_home) == before
    assert len(list((isolated_home / "log").glob("quittex-tui-*.log"))) == 1


def test_open_without_a_terminal_refuses_in_words() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quittex_tui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "needs a terminal" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_app_cmd_imports_textual_lazily() -> None:
    code = (
        "import sys, quittex_tui.cli.app_cmd as m, argparse\n"
        "p = argparse.ArgumentParser(); m.register(p.add_subparsers())\n"
        "print(any(k == 'textual' or k.startswith('textual.') for k in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_only_the_served_child_runs_without_a_terminal() -> None:
    """`serve` starts its child with `--served` and Textual's web driver: that pair alone may run the TUI on
    pipes. A plain pipe — even one that passes the hidden flag — is still refused."""
    for env in ({}, {"TEXTUAL_DRIVER": "textual.drivers.linux_driver:LinuxDriver"}):
        proc = subprocess.run(
            [sys.executable, "-m", "quittex_tui", "open", "--served"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
        )
        assert proc.returncode == 2 and "needs a terminal" in proc.stderr
    from argparse import Namespace

    from quittex_tui.cli.app_cmd import WEB_DRIVER, served_by_textual_serve

    os.environ["TEXTUAL_DRIVER"] = WEB_DRIVER
    try:
        assert served_by_textual_serve(Namespace(served=True))
        assert not served_by_textual_serve(Namespace(served=False))
    finally:
        del os.environ["TEXTUAL_DRIVER"]
