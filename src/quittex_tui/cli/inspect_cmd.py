"""`quittex-tui inspect PATH [--json]` — read an archive and say what is in it.

Contract: docs/cli-json.md, `inspect`. With `--json`, exactly one JSON
object on stdout (unchanged by the language). Without it, the summary in the user's language
(archive/summary.py). Bad input raises ArchiveError; the dispatcher prints it and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from quittex_tui.archive import open_archive
from quittex_tui.archive.summary import summary_json, summary_text
from quittex_tui.cli._common import terminal_progress
from quittex_tui.cli._i18n import t
from quittex_tui.cli._json import versioned
from quittex_tui.textsafe import json_inert


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("inspect", help=t("inspect.help"), description=t("inspect.description"))
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar=t("common.path_metavar"), help=t("inspect.path_help")
    )
    parser.add_argument("--json", action="store_true", help=t("inspect.json_help"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths
    progress = terminal_progress()
    with open_archive(paths[0] if len(paths) == 1 else paths, progress=progress) as archive:
        if progress is not None:
            progress.clear()
        if args.json:
            # json_inert: the same JSON, with C1 and bidi controls as \uXXXX (orjson writes them raw).
            sys.stdout.buffer.write(json_inert(orjson.dumps(versioned(summary_json(archive)))) + b"\n")
            sys.stdout.flush()
        else:
            print(summary_text(archive))
    return 0
