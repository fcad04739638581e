"""`quittex-tui` / `quittex-tui PATH` (dispatched as `open`) and `quittex-tui demo`: the TUI.

Textual is imported only inside the handlers, so every other command (and the test that imports all
CLI modules) stays free of it. Without a terminal (CI, pipes: `python3 scripts/dev.py demo </dev/null`)
`demo` does not start the TUI: it prints the demo archive's summary and runs a short dry-run migration
headless, in a throwaway home so the user's own state is never touched.

`quittex-tui serve` (serve_cmd.py) runs these same commands as its child process with `--served`: the
child's stdin and stdout are pipes to textual-serve, and Textual draws through its web driver
(TEXTUAL_DRIVER). Only that pair lets the app start without a terminal; a plain pipe is still refused.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from quittex_tui.cli._i18n import t
from quittex_tui.errors import InputError

HEADLESS_ITEMS = 12  # items the headless demo sends: enough to show progress, resume and a report


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser("demo", help=t("app.demo_help"), description=t("app.demo_description"))
    demo.add_argument("--lang", choices=("en", "fr"), help=t("app.lang_help"))
    demo.add_argument("--state", type=Path, metavar=t("app.file_metavar"), help=t("app.state_help"))
    demo.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    demo.set_defaults(func=run_demo)

    open_ = subparsers.add_parser("open", help=t("app.open_help"), description=t("app.open_description"))
    open_.add_argument("path", metavar=t("app.path_metavar"), nargs="*", help=t("app.path_help"))
    open_.add_argument("--state", type=Path, metavar=t("app.file_metavar"), help=t("app.state_help"))
    open_.add_argument("--lang", choices=("en", "fr"), help=t("app.lang_help"))
    open_.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    open_.set_defaults(func=run_open)


WEB_DRIVER = "textual.drivers.web_driver:WebDriver"  # what textual-serve sets for its child (app_service.py)


def served_by_textual_serve(args: argparse.Namespace) -> bool:
    """This process is `quittex-tui serve`'s child: asked with --served, and Textual will draw through
    the web driver. Both, so a script cannot get the TUI on a plain pipe by accident."""
    return bool(getattr(args, "served", False)) and os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


def _has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _run_app(
    archive: Path | list[Path] | None,
    *,
    demo: bool,
    state: Path | None,
    lang: str | None,
    served: bool = False,
) -> int:
    from quittex_tui.tui.app import make_app

    app = make_app(archive, demo=demo, state_path=state, lang=lang, served=served)
    result = app.run()
    if app.crash_report is not None:  # the app has said what happened; the path, whole, to copy
        print(app.crash_report, file=sys.stderr)
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 0)


def run_open(args: argparse.Namespace) -> int:
    paths = [Path(p).expanduser() for p in args.path]
    for p in paths:
        if not p.exists():
            raise InputError(t("app.no_such_archive", path=str(p)), t("app.no_such_archive_hint"))
    served = served_by_textual_serve(args)
    if not served and not _has_terminal():
        raise InputError(t("app.needs_terminal"), t("app.needs_terminal_hint"))
    archive: Path | list[Path] | None = None
    if paths:
        archive = paths if len(paths) > 1 else paths[0]
    return _run_app(archive, demo=False, state=args.state, lang=args.lang, served=served)


def run_demo(args: argparse.Namespace) -> int:
    served = served_by_textual_serve(args)
    if not served and not _has_terminal():
        return headless_demo(sys.stdout)
    from quittex_tui.demo import demo_archive_path

    return _run_app(demo_archive_path(), demo=True, state=args.state, lang=args.lang, served=served)


def headless_demo(out: Any, *, items: int = HEADLESS_ITEMS) -> int:
    """The demo without a terminal: the archive summary, then a short dry-run migration with a report."""
    from quittex_tui.archive import open_archive
    from quittex_tui.archive.summary import summary_text
    from quittex_tui.convert.models import PlanOptions
    from quittex_tui.convert.plan import build_plan
    from quittex_tui.demo import demo_archive_path
    from quittex_tui.i18n import decimal, number, say
    from quittex_tui.networks import DRY_RUN
    from quittex_tui.publish.dryrun import DryRunTarget
    from quittex_tui.publish.engine import Engine, EngineEvent, EventKind
    from quittex_tui.publish.journal import Journal, journal_path
    from quittex_tui.state import apply_user_changes, open_or_create_state
    from quittex_tui.textsafe import for_display

    started = time.perf_counter()
    print(t("demo.headless_title") + "\n", file=out)
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
                print(t("demo.dry_run_intro", n=number(n), total=number(len(plan.items))), file=out)

                def on_event(ev: EngineEvent) -> None:
                    if ev.kind in (EventKind.ITEM_SENT, EventKind.ITEM_FAILED):
                        p = ev.progress
                        print(
                            f"  [{p.sent + p.failed:>3}/{n}] {for_display(say(ev.message), one_line=True)}",
                            file=out,
                        )

                with Journal(journal_path(state_path, DRY_RUN)) as journal:
                    engine = Engine(plan, target, journal, on_event=on_event)
                    report = engine.run(limit=n)
        finally:
            if saved_home is None:
                os.environ.pop("QUITTEX_HOME", None)
            else:
                os.environ["QUITTEX_HOME"] = saved_home
    print("", file=out)
    print(
        t(
            "demo.report",
            published=number(report.published),
            failed=number(len(report.failed)),
            remaining=number(report.remaining),
        ),
        file=out,
    )
    for failure in report.failed:
        reason = engine.failure_reason(failure["item_id"]) or failure["reason"]
        print(for_display(t("demo.failed_item", item=failure["item_id"], reason=say(reason))), file=out)
    print(t("demo.done", seconds=decimal(time.perf_counter() - started)), file=out)
    return 0
