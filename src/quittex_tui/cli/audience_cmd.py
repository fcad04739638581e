"""`quittex-tui audience PATH …`: find the people you follow on X on Bluesky or Mastodon, review matches.

Contract (docs/cli-json.md, fixed):
    quittex-tui audience PATH [--handles FILE.csv]
        [--to bluesky --handle H [--service URL] | --to mastodon --instance URL] [--json]
Additions: `--accept X_ID[=HANDLE] --reject X_ID[=NETWORK] --accept-strong --state FILE` (decisions saved in
the TOML state), `--appview URL` (anonymous AppView reads instead of the PDS). The `--json` object
(`{"people": [...]}`, audience/review.py) is the same in every language; the text list is in the user's.
Secrets as for `migrate`: keyring/secrets file from `quittex-tui login`, or QUITTEX_BLUESKY_APP_PASSWORD /
QUITTEX_MASTODON_TOKEN. Exit 0 when all went well, 2 on bad input or auth, 75 when a server is down.
`follow`, `export-follows` and `profile` are their own modules (follow_cmd.py, export_follows_cmd.py,
profile_cmd.py); what they share with this one is in _common.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from quittex_tui.cli._common import (
    add_target_arguments,
    archive_source,
    check_target,
    connect,
    print_json,
    remember_account,
    terminal_progress,
)
from quittex_tui.cli._i18n import t
from quittex_tui.errors import InputError
from quittex_tui.i18n import number, say
from quittex_tui.textsafe import for_display


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("audience", help=t("audience.help"), description=t("audience.description"))
    add_target_arguments(p, target_required=False)
    p.add_argument(
        "--handles",
        type=Path,
        action="append",
        default=[],
        metavar=t("audience.csv_metavar"),
        help=t("audience.handles_help"),
    )
    p.add_argument("--appview", metavar="URL", help=t("audience.appview_help"))
    p.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar=t("audience.accept_metavar"),
        help=t("audience.accept_help"),
    )
    p.add_argument(
        "--reject",
        action="append",
        default=[],
        metavar=t("audience.reject_metavar"),
        help=t("audience.reject_help"),
    )
    p.add_argument("--accept-strong", action="store_true", help=t("audience.accept_strong_help"))
    p.add_argument("--json", action="store_true", help=t("audience.json_help"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quittex_tui import audience
    from quittex_tui.archive import open_archive
    from quittex_tui.state import open_or_create_state, save_state

    check_target(args)
    if (args.accept or args.accept_strong) and args.target is None and any("=" not in a for a in args.accept):
        raise InputError(t("audience.accept_needs_to"), t("audience.accept_needs_to_hint"))
    if args.accept_strong and args.target is None:
        raise InputError(t("audience.strong_needs_to"), t("audience.strong_needs_to_hint"))
    # reads only the account, profile and people: an archive without its tweets file will do
    # (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13)
    with open_archive(archive_source(args), tweets_required=False) as archive:
        people = audience.load_people(archive, args.handles)
        state_path, state = open_or_create_state(archive, args.state)
    suggestions: dict[str, Any] = {}
    network = args.target
    progress = terminal_progress(not args.json)
    if network == "bluesky":
        if args.appview:
            suggestions = audience.find_bluesky_appview(people, args.appview, progress=progress)
        else:
            target = connect(args)
            suggestions = audience.find_bluesky(people, target.client, self_did=target.did, progress=progress)
            remember_account(state, args, target)
    elif network == "mastodon":
        target = connect(args)
        suggestions = audience.find_mastodon(people, target, progress=progress)
        remember_account(state, args, target)
    if progress is not None:
        progress.clear()
    changed = audience.apply_cli_decisions(
        state, people, accept=args.accept, reject=args.reject, suggestions=suggestions, network=network
    )
    if args.accept_strong and network:
        changed += audience.accept_strong(state, suggestions, network)
    if changed or network:
        save_state(state, state_path)
    doc = audience.people_json(people, state, suggestions if network else None, network)
    if args.json:
        print_json(doc, indent=2)
        return 0
    for line in people_lines(doc, network, suggestions):
        print(for_display(line))
    print("\n" + t("common.state_at", path=str(state_path)), file=sys.stderr)
    return 0


def people_lines(doc: dict[str, Any], network: str | None, suggestions: dict[str, Any]) -> list[str]:
    """The people of `audience --json`, as lines in the user's language. The reasons are said from the
    scored candidates themselves (audience.scoring.Reason), not from their JSON words."""
    rows = doc["people"]
    with_handle = sum(1 for r in rows if r["x_handle"])
    lines = [t("audience.header", n=number(len(rows)), handles=number(with_handle))]
    for row in rows:
        handle = f"@{row['x_handle']}" if row["x_handle"] else t("audience.handle_unknown")
        relations = ", ".join(t(f"audience.relation.{r}") for r in row["relations"])
        decision = f"  [{t('audience.decision.' + row['decision'])}]" if row["decision"] else ""
        lines.append(f"- {row['x_id']:>20}  {handle:<24} {relations}{decision}")
        if not network:
            continue
        if row.get("ambiguous"):
            lines.append("      " + t("audience.ambiguous"))
        scored = {c.handle: c for c in getattr(suggestions.get(row["x_id"]), "candidates", [])}
        for cand in row["candidates"][:3]:
            mark = "*" if row.get("suggested") == cand["handle"] else " "
            found = scored.get(cand["handle"])
            reasons = found.reasons if found is not None else cand["reasons"]
            why = "; ".join(say(r) for r in reasons)
            lines.append(f"    {mark} {cand['handle']:<32} {cand['score']:>3}  {why}")
    return lines
