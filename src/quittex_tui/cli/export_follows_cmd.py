"""`quittex-tui export-follows PATH --mastodon-csv OUT.csv [--state FILE]`: the accepted Mastodon matches
as the follows CSV Mastodon imports (Preferences → Import and export → Import, type Following list).

Contract (docs/cli-json.md, fixed). Offline: reads the state's decisions only. Exit 0 (also
when there is nothing to write: the file then has the header only, and stderr says why), 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quittex_tui.cli._common import add_path_argument, archive_source
from quittex_tui.cli._i18n import t
from quittex_tui.i18n import number


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = subparsers.add_parser("export-follows", help=t("export.help"), description=t("export.description"))
    add_path_argument(e)
    e.add_argument("--mastodon-csv", type=Path, required=True, metavar="OUT.csv", help=t("export.csv_help"))
    e.add_argument("--state", type=Path, metavar=t("common.file_metavar"), help=t("common.state_help"))
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quittex_tui import audience
    from quittex_tui.archive import open_archive
    from quittex_tui.state import open_or_create_state

    # reads only the account, profile and people: an archive without its tweets file will do
    # (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13)
    with open_archive(archive_source(args), tweets_required=False) as archive:
        state_path, state = open_or_create_state(archive, args.state)
    addresses = audience.mastodon_addresses(state)
    n = audience.write_follows_csv(args.mastodon_csv, addresses)
    print(t("export.written", n=number(n), path=str(args.mastodon_csv)))
    if n == 0:
        print(t("export.nothing", path=str(state_path)), file=sys.stderr)
    return 0
