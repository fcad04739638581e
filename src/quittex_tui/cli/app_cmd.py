"""`quittex-tui` / `quittex-tui PATH` (dispatched as `open`) and `quittex-tui demo`: the TUI.

Textual is imported only inside the handlers, so every other command (and the test that imports all
CLI modules) stays free of it. Without a terminal (CI, pipes: `python3 scripts/dev.py demo </dev/null`)
`demo` does not start the TUI: it prints the demo archive's summary and runs a short dry-run migration
headless, in a throwaway home so the user's own state is never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from quittex_tui.errors import InputError

HEADLESS_ITEMS = 12  # items the headless demo sends: enough to show progress, resume and a report


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="try the whole flow on a bundled demo archive with a simulated destination (no account)",
        description="Open the bundled demo archive in the TUI with a dry-run destination: nothing is sent.",
    )
    demo.add_argument("--lang", choices=("en", "fr"), help="interface language (default: from LANG/LC_ALL)")
    demo.add_argument("--state", type=Path, metavar="FILE", help="the migration state file to use")
    demo.set_defaults(func=run_demo)

    open_ = subparsers.add_parser(
        "open",
        help="open the TUI (on PATH, or on the list of known migrations)",
        description="Open an X archive in the TUI; without PATH, list the migrations to resume.",
    )
    open_.add_argument("path", metavar="PATH", nargs="*",
                       help="the X archive: a .zip, its split .zip parts, or an extracted folder")
    open_.add_argument("--state", type=Path, metavar="FILE", help="the migration state file to use")
    open_.add_argument("--lang", choices=("en", "fr"), help="interface language (default: from LANG/LC_ALL)")
    open_.set_defaults(func=run_open)


def _has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _run_app(archive: Path | list[Path] | None, *, demo: bool, state: Path | None, lang: str | None) -> int:
    from quittex_tui.tui.app import make_app

    app = make_app(archive, demo=demo, state_path=state, lang=lang)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 0)


def run_open(args: argparse.Namespace) -> int:
    paths = [Path(p).expanduser() for p in args.path]
    for p in paths:
        if not p.exists():
            raise InputError(f"no such archive: {p}",
                             "give the path of the X archive (.zip, split zips or folder)")
    if not _has_terminal():
        raise InputError(
            "the interactive app needs a terminal",
            "use `quittex-tui inspect`, `plan` or `migrate` in scripts, or run `quittex-tui demo` headless",
        )
    archive: Path | list[Path] | None = None
    if paths:
        archive = paths if len(paths) > 1 else paths[0]
    return _run_app(archive, demo=False, state=args.state, lang=args.lang)


def run_demo(args: argparse.Namespace) -> int:
    if not _has_terminal():
        return headless_demo(sys.stdout)
    from quittex_tui.demo import demo_archive_path

    return _run_app(demo_archive_path(), demo=True, state=args.state, lang=args.lang)


def headless_demo(out: Any, *, items: int = HEADLESS_ITEMS) -> int:
    """The demo without a terminal: the archive summary, then a short dry-run migration with a report."""
    from quittex_tui.archive import open_archive
    from quittex_tui.archive.summary import summary_text
    from quittex_tui.convert.models import PlanOptions
    from quittex_tui.convert.plan import build_plan
    from quittex_tui.demo import demo_archive_path
    from quittex_tui.publish.dryrun import DryRunTarget
    from quittex_tui.publish.engine import Engine, EngineEvent
    from quittex_tui.publish.journal import Journal, journal_path
    from quittex_tui.state import apply_user_changes, open_or_create_state

    started = time.perf_counter()
    print("quittex-tui demo (no terminal: headless run; open it in a terminal for the full app)\n", file=out)
    saved_home = os.environ.get("QUITTEX_HOME")
    with tempfile.TemporaryDirectory(prefix="quittex-demo-") as home:
        os.environ["QUITTEX_HOME"] = home  # converted media and state go to the throwaway home
        try:
            with open_archive(demo_archive_path()) as archive:
                print(summary_text(archive).rstrip(), file=out)
                print("", file=out)
                plan = build_plan(archive, PlanOptions(target="bluesky"), cache_dir=Path(home) / "cache")
                state_path, state = open_or_create_state(archive, Path(home) / "demo.toml")
                plan = apply_user_changes(plan, state)
                target = DryRunTarget(latency=0.0)
                n = min(items, len(plan.items))
                print(f"Dry-run migration of the first {n} of {len(plan.items)} planned items "
                      f"(simulated Bluesky, nothing leaves this machine):", file=out)

                def on_event(ev: EngineEvent) -> None:
                    if ev.kind in ("item_sent", "item_failed"):
                        p = ev.progress
                        print(f"  [{p.sent + p.failed:>3}/{n}] {ev.message}", file=out)

                with Journal(journal_path(state_path, "dry-run")) as journal:
                    report = Engine(plan, target, journal, on_event=on_event).run(limit=n)
        finally:
            if saved_home is None:
                os.environ.pop("QUITTEX_HOME", None)
            else:
                os.environ["QUITTEX_HOME"] = saved_home
    print("", file=out)
    print(f"Report: {report.published} published, {len(report.failed)} failed, "
          f"{report.remaining} remaining (a real run would resume from there).", file=out)
    for failure in report.failed:
        print(f"  failed {failure['item_id']}: {failure['reason']}", file=out)
    print(f"Done in {time.perf_counter() - started:.1f} s. "
          "Try the full app: quittex-tui demo (in a terminal).",
          file=out)
    return 0
