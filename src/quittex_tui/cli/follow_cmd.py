"""`quittex-tui follow PATH --to bluesky --handle H | --to mastodon --instance URL`: follow the accepted
accounts (resumable, paced, never twice).

Contract (docs/cli-json.md, fixed): `follow PATH --to … [--state FILE] [--yes] [--json]`;
additions `--blocks --mutes --list [NAME] --limit N`. Progress and the follow run's events on stderr in the
user's language; with `--json` one object at the end (audience.follows.FollowReport.to_json). Exit 0 when all
went well, 1 when some follows failed, 2 on bad input or auth, 75 when the server is down.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from quittex_tui.cli._common import (
    add_target_arguments,
    archive_source,
    check_account,
    check_target,
    confirm_or_stop,
    connect,
    print_json,
    refuse_without_terminal,
)
from quittex_tui.cli._i18n import t
from quittex_tui.errors import InputError
from quittex_tui.i18n import number, say
from quittex_tui.networks import display_name
from quittex_tui.publish.events import FollowEventKind
from quittex_tui.textsafe import for_display


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    f = subparsers.add_parser("follow", help=t("follow.help"), description=t("follow.description"))
    add_target_arguments(f, target_required=True)
    f.add_argument("--handles", type=Path, action="append", default=[], help=argparse.SUPPRESS)
    f.add_argument("--blocks", action="store_true", help=t("follow.blocks_help"))
    f.add_argument("--mutes", action="store_true", help=t("follow.mutes_help"))
    # `--list` alone: the default name (audience.follows.DEFAULT_LIST_NAME, resolved in run(): importing the
    # audience package here would slow every `--help`)
    f.add_argument(
        "--list",
        nargs="?",
        const="",
        default=None,
        metavar=t("follow.name_metavar"),
        help=t("follow.list_help"),
    )
    f.add_argument("--limit", type=int, default=None, metavar="N", help=t("follow.limit_help"))
    f.add_argument("--yes", action="store_true", help=t("common.yes_help"))
    f.add_argument("--json", action="store_true", help=t("follow.json_help"))
    f.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quittex_tui import audience
    from quittex_tui.archive import open_archive
    from quittex_tui.audience.follows import DEFAULT_LIST_NAME
    from quittex_tui.state import open_or_create_state

    check_target(args)
    if args.list == "":
        args.list = DEFAULT_LIST_NAME
    if args.limit is not None and args.limit < 0:
        raise InputError(t("follow.negative_limit"), t("follow.negative_limit_hint"))
    if args.list is not None and args.target != "bluesky":
        raise InputError(t("follow.list_bluesky_only"), t("follow.list_bluesky_only_hint"))
    # reads only the account, profile and people: an archive without its tweets file will do
    # (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13)
    with open_archive(archive_source(args), tweets_required=False) as archive:
        people = audience.load_people(archive, args.handles)
        state_path, state = open_or_create_state(archive, args.state)
    network = display_name(args.target)
    count = len(audience.accepted(state, args.target))
    if count == 0:
        raise InputError(
            t("follow.nothing", network=network, path=str(state_path)),
            t("follow.nothing_hint", target=args.target),
        )
    refuse_without_terminal(args, t("follow.what", n=number(count), network=network))
    target = connect(args)
    check_account(state, state_path, args.target, target)
    confirm_or_stop(t("follow.confirm", n=number(count), network=network), args.yes)

    def on_event(event: Any) -> None:
        if not args.json or event.kind in (FollowEventKind.WAITING, FollowEventKind.FAILED):
            print(for_display(say(event.message), one_line=True), file=sys.stderr, flush=True)

    common = {"blocks": args.blocks, "mutes": args.mutes, "on_event": on_event, "limit": args.limit}
    if args.target == "bluesky":
        report = audience.follow_bluesky(target, state_path, state, people, list_name=args.list, **common)
    else:
        report = audience.follow_mastodon(target, state_path, state, people, **common)
    if args.json:
        print_json(report.to_json(), indent=2)
    else:
        print(
            t(
                "follow.report",
                network=network,
                followed=number(report.followed),
                already=number(report.already),
                blocked=number(report.blocked),
                muted=number(report.muted),
                listed=number(report.listed),
                failed=number(len(report.failed)),
                remaining=number(report.remaining),
            )
        )
        for fail in report.failed:
            print(for_display(t("follow.failed", handle=fail["handle"], reason=say(fail["reason"]))))
    return 1 if report.failed else 0
