"""`audience`, `follow`, `export-follows`, `profile`: find your people, follow them, carry your profile.

Contract (issue 8, CLI — fixed):
    quittex-tui audience PATH [--handles FILE.csv]
        [--to bluesky --handle H [--service URL] | --to mastodon --instance URL] [--json]
    quittex-tui follow PATH --to bluesky --handle H [--service URL] | --to mastodon --instance URL
        [--state FILE] [--yes] [--json]
    quittex-tui export-follows PATH --mastodon-csv OUT.csv [--state FILE]
    quittex-tui profile PATH --to bluesky --handle H [--service URL] | --to mastodon --instance URL [--yes]
Additions: `audience … --accept X_ID[=HANDLE] --reject X_ID[=NETWORK] --accept-strong --state FILE`
(decisions saved in the TOML state), `--appview URL` (anonymous AppView reads instead of the PDS),
`follow … --blocks --mutes --list [NAME] --limit N`,
`profile … --json --no-images --no-resolve-links --lang fr|en`.
Secrets as for `migrate`: keyring/secrets file from `quittex-tui login`, or QUITTEX_BLUESKY_APP_PASSWORD /
QUITTEX_MASTODON_TOKEN. Exit 0 when all went well, 1 when some follows failed, 2 on bad input or auth.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from quittex_tui.cli._json import versioned
from quittex_tui.errors import InputError


def _common(parser: argparse.ArgumentParser, *, target_required: bool) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        nargs="+",
        help="the X archive: a .zip, its split .zip parts, or an extracted folder",
    )
    parser.add_argument("--to", dest="target", choices=["bluesky", "mastodon"], required=target_required,
                        help="the network of your account (needs --handle or --instance)")
    parser.add_argument("--handle", help="your Bluesky handle (with --to bluesky)")
    parser.add_argument("--service", metavar="URL",
                        help="your Bluesky PDS URL (default: found from the handle)")
    parser.add_argument("--instance", metavar="URL", help="your Mastodon instance URL (with --to mastodon)")
    parser.add_argument("--state", type=Path, metavar="FILE",
                        help="the migration state file (default: this archive's own)")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "audience",
        help="find the people you follow on X on Bluesky or Mastodon",
        description="Pair the archive's X ids with handles, find candidate accounts "
        "on a new network, and record your accept/reject decisions.",
    )
    _common(p, target_required=False)
    p.add_argument(
        "--handles",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.csv",
        help="your pairing file: x_id,x_handle or x_handle,bluesky_handle|mastodon_address rows "
        "(or a fedifinder accounts.json/.csv); may be repeated",
    )
    p.add_argument("--appview", metavar="URL",
                   help="read Bluesky anonymously from this AppView URL instead of your PDS")
    p.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="X_ID[=HANDLE]",
        help="accept the suggested (or the named) account for this person; may be repeated",
    )
    p.add_argument(
        "--reject",
        action="append",
        default=[],
        metavar="X_ID[=NETWORK]",
        help="reject the match for this person; may be repeated",
    )
    p.add_argument(
        "--accept-strong", action="store_true", help="accept every strong, unambiguous match not decided yet"
    )
    p.add_argument("--json", action="store_true", help='print one JSON object: {"people": [...]}')
    p.set_defaults(func=run_audience)

    f = subparsers.add_parser("follow", help="follow the accepted accounts (resumable, paced, never twice)")
    _common(f, target_required=True)
    f.add_argument(
        "--handles", type=Path, action="append", default=[], metavar="FILE.csv", help=argparse.SUPPRESS
    )
    f.add_argument("--blocks", action="store_true", help="also block the matched people you blocked on X")
    f.add_argument("--mutes", action="store_true", help="also mute the matched people you muted on X")
    f.add_argument(
        "--list",
        nargs="?",
        const="From X",
        default=None,
        metavar="NAME",
        help='Bluesky: also put them in a list (default name "From X")',
    )
    f.add_argument("--limit", type=int, default=None, help="at most N more writes this run")
    f.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    f.add_argument("--json", action="store_true", help="print one JSON object at the end")
    f.set_defaults(func=run_follow)

    e = subparsers.add_parser("export-follows", help="write the Mastodon follows CSV (Settings → Import)")
    e.add_argument("path", metavar="PATH", nargs="+", help="the X archive")
    e.add_argument("--mastodon-csv", type=Path, required=True, metavar="OUT.csv")
    e.add_argument("--state", type=Path, metavar="FILE",
                   help="the migration state file (default: this archive's own)")
    e.set_defaults(func=run_export)

    r = subparsers.add_parser("profile", help="carry your X display name, bio, avatar and banner")
    _common(r, target_required=True)
    r.add_argument("--no-images", action="store_true", help="leave the avatar and banner as they are")
    r.add_argument(
        "--no-resolve-links",
        action="store_true",
        help="don't ask t.co where the bio's and website's short links point (they stay t.co links)",
    )
    r.add_argument("--lang", choices=["fr", "en"], default=None, help="language of the announcement text")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.add_argument("--json", action="store_true", help="print what was written as JSON")
    r.set_defaults(func=run_profile)


# ---- helpers -------------------------------------------------------------------------------------------


def _check_target(args: argparse.Namespace) -> None:
    if args.target == "bluesky" and not args.handle:
        raise InputError("--to bluesky needs --handle (your Bluesky handle).", "e.g. --handle me.bsky.social")
    if args.target == "mastodon" and not args.instance:
        raise InputError(
            "--to mastodon needs --instance (your instance URL).", "e.g. --instance https://piaille.fr"
        )
    if args.target is None and (args.handle or args.instance):
        raise InputError("--handle/--instance need --to bluesky|mastodon.", "Add --to.")


def _open(args: argparse.Namespace) -> Any:
    from quittex_tui.archive import open_archive

    # these commands read only the account, profile and people: an archive without tweets will do
    return open_archive(args.path if len(args.path) > 1 else args.path[0], tweets_required=False)


def _lang() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def _connect(args: argparse.Namespace) -> Any:
    from quittex_tui.publish.connect import connect_bluesky, connect_mastodon

    if args.target == "bluesky":
        return connect_bluesky(args.handle, service=args.service)
    return connect_mastodon(args.instance)


def _check_account(state: Any, state_path: Path, network: str, target: Any) -> None:
    """Follows share the posts' journal beside the state: never read another account's as done."""
    from quittex_tui.state import check_same_account

    if network == "bluesky":
        check_same_account(state, state_path, network, handle=getattr(target, "handle", None),
                           did=getattr(target, "did", None))
    else:
        check_same_account(state, state_path, network, instance=target.info().server,
                           acct=getattr(target, "acct", None) or None)


def _remember_account(state: Any, args: argparse.Namespace, target: Any) -> None:
    from quittex_tui.state import BlueskyAccount, MastodonAccount

    if args.target == "bluesky" and state.bluesky is None:
        state.bluesky = BlueskyAccount(
            handle=args.handle, service=args.service, did=getattr(target, "did", None)
        )
    elif args.target == "mastodon" and state.mastodon is None:
        state.mastodon = MastodonAccount(instance=args.instance)


NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon"}


def _refuse_without_terminal(args: argparse.Namespace, what: str) -> None:
    """No --yes and no terminal to ask on: refuse BEFORE logging in or reading anything from the network."""
    if not args.yes and not sys.stdin.isatty():
        raise InputError(
            f"refusing to {what} on {NAMES.get(args.target, args.target)} without confirmation: there is no "
            "terminal to ask on.",
            "Run it again with --yes.",
        )


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError(f"{question} — confirmation needed.", "Run it again with --yes.")
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes", "o", "oui"):
        raise InputError("Nothing was done.", "Answer y to go ahead, or pass --yes.")


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(versioned(obj), ensure_ascii=False, indent=2) + "\n")


# ---- audience ------------------------------------------------------------------------------------------


def run_audience(args: argparse.Namespace) -> int:
    from quittex_tui import audience
    from quittex_tui.state import open_or_create_state, save_state

    _check_target(args)
    if (args.accept or args.accept_strong) and args.target is None and any("=" not in a for a in args.accept):
        raise InputError(
            "--accept X_ID without an account needs --to (to search the candidates).",
            "Add --to …, or write --accept X_ID=HANDLE.",
        )
    if args.accept_strong and args.target is None:
        raise InputError("--accept-strong needs --to bluesky|mastodon.", "Add --to and the account options.")
    with _open(args) as archive:
        people = audience.load_people(archive, args.handles)
        state_path, state = open_or_create_state(archive, args.state)
    suggestions: dict[str, Any] = {}
    network = args.target
    if network == "bluesky":
        if args.appview:
            from atproto import Client

            from quittex_tui.publish.connect import check_url

            client = Client(base_url=check_url(args.appview, "AppView"))
            suggestions = audience.find_bluesky(people, client, progress=_progress(args))
        else:
            target = _connect(args)
            suggestions = audience.find_bluesky(
                people, target.client, self_did=target.did, progress=_progress(args)
            )
            _remember_account(state, args, target)
    elif network == "mastodon":
        target = _connect(args)
        suggestions = audience.find_mastodon(people, target, progress=_progress(args))
        _remember_account(state, args, target)
    _clear_progress(args)
    changed = audience.apply_cli_decisions(
        state, people, accept=args.accept, reject=args.reject, suggestions=suggestions, network=network
    )
    if args.accept_strong and network:
        changed += audience.accept_strong(state, suggestions, network)
    if changed or network:
        save_state(state, state_path)
    doc = audience.people_json(people, state, suggestions if network else None, network)
    if args.json:
        _print_json(doc)
        return 0
    _print_people(doc, network)
    print(f"\nState: {state_path}", file=sys.stderr)
    return 0


def _progress(args: argparse.Namespace) -> Any:
    if args.json or not sys.stderr.isatty():
        return None

    def show(message: str, fraction: float) -> None:
        sys.stderr.write(f"\r\x1b[K{fraction:4.0%} {message[:70]}")
        sys.stderr.flush()

    return show


def _clear_progress(args: argparse.Namespace) -> None:
    if not args.json and sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")


def _print_people(doc: dict[str, Any], network: str | None) -> None:
    rows = doc["people"]
    with_handle = sum(1 for r in rows if r["x_handle"])
    print(f"{len(rows)} people in the archive, {with_handle} with a known X handle.")
    for row in rows:
        handle = f"@{row['x_handle']}" if row["x_handle"] else "(handle unknown)"
        decision = f"  [{row['decision']}]" if row["decision"] else ""
        print(f"- {row['x_id']:>20}  {handle:<24} {','.join(row['relations'])}{decision}")
        if network:
            if row.get("ambiguous"):
                print("      ambiguous: several strong candidates — choose with --accept X_ID=HANDLE")
            for cand in row["candidates"][:3]:
                mark = "*" if row.get("suggested") == cand["handle"] else " "
                print(f"    {mark} {cand['handle']:<32} {cand['score']:>3}  {'; '.join(cand['reasons'])}")


# ---- follow --------------------------------------------------------------------------------------------


def run_follow(args: argparse.Namespace) -> int:
    from quittex_tui import audience
    from quittex_tui.state import open_or_create_state

    _check_target(args)
    if args.limit is not None and args.limit < 0:
        raise InputError("--limit must be 0 or more.", "e.g. --limit 100")
    if args.list and args.target != "bluesky":
        raise InputError(
            "--list is for Bluesky (Mastodon lists are not made by quittex-tui).", "Drop --list."
        )
    with _open(args) as archive:
        people = audience.load_people(archive, args.handles)
        state_path, state = open_or_create_state(archive, args.state)
    count = len(audience.accepted(state, args.target))
    if count == 0:
        raise InputError(
            f"No accepted {NAMES[args.target]} matches in {state_path}: nothing to follow.",
            f"Review them first: quittex-tui audience PATH --to {args.target} … --accept-strong",
        )
    _refuse_without_terminal(args, f"follow {count} accounts")
    target = _connect(args)
    _check_account(state, state_path, args.target, target)
    _confirm(f"Follow up to {count} accounts on {NAMES[args.target]}?", args.yes)

    def on_event(event: Any) -> None:
        if not args.json or event.kind in ("waiting", "failed"):
            print(event.message, file=sys.stderr, flush=True)

    if args.target == "bluesky":
        report = audience.follow_bluesky(
            target,
            state_path,
            state,
            people,
            blocks=args.blocks,
            mutes=args.mutes,
            list_name=args.list,
            on_event=on_event,
            limit=args.limit,
        )
    else:
        report = audience.follow_mastodon(
            target,
            state_path,
            state,
            people,
            blocks=args.blocks,
            mutes=args.mutes,
            on_event=on_event,
            limit=args.limit,
        )
    if args.json:
        _print_json(report.to_json())
    else:
        print(
            f"{args.target}: followed {report.followed}, already followed {report.already}, blocked "
            f"{report.blocked}, muted {report.muted}, listed {report.listed}, failed {len(report.failed)}, "
            f"remaining {report.remaining}"
        )
        for fail in report.failed:
            print(f"  failed {fail['handle']}: {fail['reason']}")
    return 1 if report.failed else 0


# ---- export-follows ------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    from quittex_tui import audience
    from quittex_tui.state import open_or_create_state

    with _open(args) as archive:
        state_path, state = open_or_create_state(archive, args.state)
    addresses = audience.mastodon_addresses(state)
    n = audience.write_follows_csv(args.mastodon_csv, addresses)
    print(
        f"{n} accounts written to {args.mastodon_csv} (Mastodon: Preferences → Import and export → Import, "
        "type Following list)."
    )
    if n == 0:
        print(
            f"No accepted Mastodon matches in {state_path}: run `quittex-tui audience PATH --to mastodon "
            "--instance URL` and accept some first.",
            file=sys.stderr,
        )
    return 0


# ---- profile -------------------------------------------------------------------------------------------


def run_profile(args: argparse.Namespace) -> int:
    from quittex_tui.audience import announce, profile

    _check_target(args)
    _refuse_without_terminal(args, "update your profile")
    with _open(args) as archive:
        draft = profile.draft_from_archive(archive)
        if not args.no_resolve_links:
            draft = profile.resolve_short_links(draft)
        for note in draft.notes:
            print(f"note: {note}", file=sys.stderr)
        if args.target == "bluesky":
            name, bio = profile.bluesky_fields(draft)
            limits = (profile.BSKY_NAME_MAX, profile.BSKY_BIO_MAX, "graphemes")
        else:
            name, bio = profile.mastodon_fields(draft)
            limits = (profile.MASTODON_NAME_MAX, profile.MASTODON_NOTE_MAX, "characters")
        from quittex_tui.convert.length import graphemes

        if not args.json:
            print(f"Display name ({graphemes(name)}/{limits[0]} {limits[2]}): {name}")
            print(f"Bio ({graphemes(bio)}/{limits[1]} {limits[2]}):\n  " + bio.replace("\n", "\n  "))
            if not args.no_images:
                print(f"Avatar: {draft.avatar_member or 'none'}   Banner: {draft.banner_member or 'none'}")
        target = _connect(args)
        _confirm(f"Update your {NAMES[args.target]} profile?", args.yes)
        if args.target == "bluesky":
            written = profile.apply_bluesky(target, draft, archive, images=not args.no_images)
            me_bsky, me_masto = target.handle, None
        else:
            written = profile.apply_mastodon(target.api, draft, archive, images=not args.no_images)
            acct = str((getattr(target, "account", None) or {}).get("acct", ""))
            me_bsky, me_masto = None, acct if "@" in acct else f"{acct}@{_host(args.instance)}"
        username = archive.account.username
    texts = announce.announcements(
        args.lang or _lang(), bluesky=me_bsky, mastodon=me_masto, x_handle=username
    )
    if args.json:
        _print_json({"target": args.target, "written": written, "announcement": texts})
    else:
        print(f"Profile updated on {NAMES[args.target]}.")
        print("Announcement for X:\n  " + texts["x"])
    return 0


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url
