"""`quittex-tui inspect PATH [--json]` — read an archive and say what is in it.

Contract: issue "Foundation and the X archive reader" § CLI contract. With `--json`, exactly one JSON
object on stdout. Bad input raises ArchiveError; the dispatcher prints it and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from quittex_tui.archive import open_archive
from quittex_tui.archive.summary import summary_json, summary_text
from quittex_tui.cli._json import versioned
from quittex_tui.textsafe import for_display, json_inert


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="summarise an X archive (zip, split zip parts, or extracted folder)",
        description="Read an X archive and summarise it. Nothing is written, nothing is sent.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="the archive .zip, its extracted folder, or every part of a split archive",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    parser.set_defaults(func=run)


def _progress_to_terminal(message: str, fraction: float) -> None:
    sys.stderr.write(f"\r\x1b[K{fraction:4.0%} {for_display(message, one_line=True)}")
    if fraction >= 1.0:
        sys.stderr.write("\r\x1b[K")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths
    progress = _progress_to_terminal if sys.stderr.isatty() else None
    with open_archive(paths[0] if len(paths) == 1 else paths, progress=progress) as archive:
        if args.json:
            # json_inert: the same JSON, with C1 and bidi controls as \uXXXX (orjson writes them raw).
            sys.stdout.buffer.write(json_inert(orjson.dumps(versioned(summary_json(archive)))) + b"\n")
            sys.stdout.flush()
        else:
            print(summary_text(archive))
    return 0
