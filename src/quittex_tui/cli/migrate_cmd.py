"""`quittex-tui migrate PATH --to bluesky|mastodon …`: publish the plan, resumably.

Contract (issue "Publishing engine", CLI):
    migrate PATH --to bluesky --handle H [--service URL] [--state FILE] [--limit N] [--yes] [--json]
    migrate PATH --to mastodon --instance URL [--state FILE] [--limit N] [--yes] [--json]
    migrate PATH --dry-run [--to bluesky|mastodon] …     (simulated target: no account, no network)

Re-running the same command resumes (the journal beside the state says what was sent). One writer per
migration and per account: a second `migrate` on a migration (or an account) that is being sent elsewhere
says so at once — which process, on which host, since when — and exits 2 (publish/lock.py). Without --yes
the user confirms on a terminal, seeing the count and the time it takes at the network's rate limits;
with no terminal to ask on, it refuses (exit 2). Progress with ETA on stderr; with --json one object on
stdout at the end. Exit 0 = all that could be sent was sent, 1 = items failed, 2 = bad input / auth /
server down, 130 = stopped by Ctrl+C (everything confirmed is kept; run the same command to resume).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from quittex_tui.cli._json import versioned
from quittex_tui.errors import InputError

NETWORKS = ("bluesky", "mastodon")
NETWORK_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon"}
VISIBILITIES = ("public", "unlisted", "private", "direct")
DRY_RUN_LATENCY_ENV = "QUITTEX_DRY_RUN_LATENCY"  # seconds per simulated post (tests make it short)
PROGRESS_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="publish the archive's posts to Bluesky or Mastodon (resumable; --dry-run to simulate)",
        description="Publish the plan to one account. Re-run the same command to resume after any stop.",
    )
    parser.add_argument("path", metavar="PATH", nargs="+",
                        help="the X archive: a .zip, its split .zip parts, or an extracted folder")
    parser.add_argument("--to", dest="to", choices=NETWORKS, help="where to publish")
    parser.add_argument("--handle", help="Bluesky handle, e.g. alice.bsky.social")
    parser.add_argument("--service", metavar="URL", help="Bluesky: your PDS, if not found from the handle")
    parser.add_argument("--instance", metavar="URL", help="Mastodon: your instance, e.g. https://mastodon.social")
    parser.add_argument("--state", type=Path, metavar="FILE",
                        help="the migration state file (default: one per archive in the app's state folder)")
    parser.add_argument("--limit", type=int, metavar="N", help="publish at most N more items in this run")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--json", action="store_true", help="print one JSON report on stdout at the end")
    parser.add_argument("--dry-run", action="store_true",
                        help="simulate the whole run (pacing, journal, resume): no account, no network")
    parser.add_argument("--visibility", choices=VISIBILITIES, default="unlisted",
                        help="Mastodon: visibility of the statuses (default unlisted: no flood of followers)")
    parser.add_argument("--include-replies", action="store_true", default=None,
                        help="also publish replies to others, as standalone posts")
    parser.add_argument("--date-footer", action="store_true", default=None,
                        help='Mastodon: end each item\'s first post with "Posted on X on <date>"')
    parser.add_argument("--number-parts", action="store_true", default=None,
                        help='mark the posts of a split text "(1/3)", "(2/3)"…')
    parser.add_argument("--link-cards", action=argparse.BooleanOptionalAction, default=None,
                        help="Bluesky: a card (title, description, picture) for each post's link, fetched "
                             "from the page when the post is sent (default: on; saved in the state)")
    parser.add_argument("--retry-failed", action="store_true", help="try the items that failed before again")
    parser.add_argument("--resend-unsure", action="store_true",
                        help="with --retry-failed: send the posts quittex-tui could not tell were already "
                             "on the account (after you looked and they are not there)")
    parser.set_defaults(func=run)


def _check_args(args: argparse.Namespace) -> str:
    """The network the plan is built for; InputError for a command that cannot work."""
    if args.limit is not None and args.limit < 0:
        raise InputError(f"--limit {args.limit} is negative",
                         "give the number of items to publish, e.g. --limit 50")
    if args.dry_run:
        return args.to or "bluesky"
    if args.to is None:
        raise InputError("say where to publish with --to bluesky or --to mastodon",
                         "or add --dry-run to simulate the migration without any account")
    if args.to == "bluesky" and not args.handle:
        raise InputError("--to bluesky needs your handle: --handle alice.bsky.social",
                         "log in first with: quittex-tui login bluesky HANDLE")
    if args.to == "mastodon" and not args.instance:
        raise InputError("--to mastodon needs your instance: --instance https://mastodon.social",
                         "log in first with: quittex-tui login mastodon URL")
    return str(args.to)


def human_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{max(seconds, 1)} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h"


def run(args: argparse.Namespace) -> int:
    network = _check_args(args)
    if not args.yes and not args.dry_run and not _can_ask():
        # Refuse before logging in or touching any state: a script must say --yes explicitly.
        raise InputError(
            f"refusing to publish to {network} without confirmation: there is no terminal to ask on",
            "add --yes to publish without asking (or --dry-run to simulate)",
        )
    from quittex_tui.archive import open_archive
    from quittex_tui.errors import StateError
    from quittex_tui.publish.journal import Journal, journal_path
    from quittex_tui.publish.lock import account_lock_for
    from quittex_tui.state import open_or_create_state, save_state

    source = args.path if len(args.path) > 1 else args.path[0]
    err = sys.stderr
    tidy_failure: StateError | None = None
    stop = threading.Event()
    with open_archive(source) as archive:
        state_path, state = open_or_create_state(archive, args.state)
        command = _command_label(args, network)
        # The migration's writer lock first (taken by the journal): a second writer is told at once, before
        # any login; then the destination account's lock (another state file may send to it).
        journal = Journal(journal_path(state_path, "dry-run" if args.dry_run else network), command=command)
        try:
            for warning in journal.warnings:
                print(f"quittex-tui: {warning}", file=err)
            target, _ = _connect(args, network, state_path)
            with account_lock_for(target, command=command):
                outcome = _publish(args, archive, state, state_path, target, journal, network, stop, err)
            if outcome is None:
                return 0 if not stop.is_set() else 130
            report, tidy_failure = outcome
        finally:
            journal.close()
        if not args.dry_run:
            from quittex_tui.state import Step

            step = Step.REPORT if report.remaining == 0 else Step.MIGRATE
            if state.step != step:
                state.step = step
                try:
                    save_state(state, state_path)
                except StateError as exc:
                    tidy_failure = tidy_failure or exc

    _print_report(report.model_dump(), args.json, err, network=network, dry_run=args.dry_run)
    if tidy_failure is not None:
        raise tidy_failure  # exit 2 with the message, after the report of what was sent
    if stop.is_set():
        print("quittex-tui: stopped — everything confirmed is saved; run the same command to resume.",
              file=err)
        return 130
    return 1 if report.failed else 0


def _publish(args: argparse.Namespace, archive: Any, state: Any, state_path: Path, target: Any,
             journal: Any, network: str, stop: threading.Event, err: TextIO) -> tuple[Any, Any] | None:
    """Plan, settle, confirm, send. (report, a failure of the final tidy-up or None), or None when the
    user said no (or stopped before anything was sent)."""
    from quittex_tui.convert.plan import build_plan
    from quittex_tui.errors import StateError
    from quittex_tui.publish.engine import Engine, estimate_duration
    from quittex_tui.state import apply_user_changes, save_state

    info = target.info()
    if not args.dry_run:
        _check_account(state, state_path, network, target)
    options = _plan_options(args, state.options.get(network, {}), network, info)
    plan = build_plan(archive, options)  # the one media cache of the TUI and the CLI
    plan = apply_user_changes(plan, state, include_all_replies=options.include_replies)
    if not args.dry_run:
        before = state.model_dump(exclude={"updated_at"})
        _remember(state, network, target, options)
        if state.model_dump(exclude={"updated_at"}) != before:  # no write when nothing changed
            save_state(state, state_path)

    printer = ProgressPrinter(err, tty=err.isatty())
    from quittex_tui.audience.mentions import link_options

    engine = Engine(plan, target, journal, on_event=printer,
                    resend_unsure=args.resend_unsure and args.retry_failed,
                    links=link_options(state, archive))  # matched people as mentions; link cards
    with _ctrl_c_stops(stop, err):
        # Settle unconfirmed posts (every post, if the journal was lost) before counting what is left.
        engine.prepare(stop=stop, retry_failed=args.retry_failed)
    if stop.is_set():
        print("quittex-tui: stopped before sending anything; run the same command to resume.", file=err)
        return None
    items, posts = engine.pending_posts(retry_failed=args.retry_failed)
    pending = items
    if args.limit is not None and items > args.limit:
        posts = round(posts * args.limit / items)
        items = args.limit
    # What the user must see first: the time at the NETWORK's rate limits (a dry run simulates it).
    estimate = estimate_duration(posts, network)
    if items and not args.yes and not args.dry_run and not _confirm(items, posts, network, info.handle,
                                                                    estimate):
        print("quittex-tui: nothing was sent.", file=err)
        return None
    name = NETWORK_NAMES[network]
    if items and args.dry_run:
        print(f"quittex-tui: dry run — simulating {count(items, 'item')} ({count(posts, 'post')}) for "
              f"{name}; nothing is sent. For real, {name}'s rate limits make this take about "
              f"{human_duration(estimate)}.", file=err)
    elif items:
        print(f"quittex-tui: publishing {count(items, 'item')} ({count(posts, 'post')}) to {name} as "
              f"{info.handle}: about {human_duration(estimate)} at {name}'s rate limits.", file=err)
    elif pending:  # --limit 0: a run that only reports where the migration stands
        print(f"quittex-tui: --limit 0: nothing sent in this run; {count(pending, 'item')} still to send.",
              file=err)
    else:
        print("quittex-tui: nothing left to send.", file=err)
    if engine.adopted:
        print(f"quittex-tui: {count(engine.adopted, 'post')} found already on the account (recorded, not "
              "sent again).", file=err)
    with _ctrl_c_stops(stop, err):
        report = engine.run(limit=args.limit, stop=stop, retry_failed=args.retry_failed)
    printer.finish()
    try:
        journal.compact()  # clean exit: one record per post
    except StateError as exc:  # everything is recorded; only the tidy-up failed: report first, then say so
        return report, exc
    return report, None


def _command_label(args: argparse.Namespace, network: str) -> str:
    """What the lock file says this process is doing (shown to a second writer): no secret in it."""
    if args.dry_run:
        return "migrate --dry-run"
    where = args.handle if network == "bluesky" else args.instance
    return f"migrate --to {network} {where}".strip()


def _connect(args: argparse.Namespace, network: str, state_path: Path) -> tuple[Any, str]:
    if args.dry_run:
        from quittex_tui.publish.dryrun import DryRunTarget

        # The simulated server keeps its posts beside the journal: a killed dry run resumes like a real one.
        store = state_path.with_name(f"{state_path.stem}.dry-run.server.jsonl")
        latency = float(os.environ.get(DRY_RUN_LATENCY_ENV) or DryRunTarget.DEFAULT_LATENCY)
        # idempotent=False: like Mastodon after its 1 h window, a re-sent key would be a second post — the
        # dry run then proves the journal alone prevents duplicates (tests/publish/test_crash.py).
        return DryRunTarget(latency, plan_target=network, store=store, idempotent=False), "dry-run"
    from quittex_tui.publish import connect

    if network == "bluesky":
        return connect.connect_bluesky(args.handle, service=args.service), "bluesky"
    return connect.connect_mastodon(args.instance, visibility=args.visibility), "mastodon"


def _check_account(state: Any, state_path: Path, network: str, target: Any) -> None:
    """One migration state per account: never read another account's journal as "already published"."""
    from quittex_tui.state import check_same_account

    info = target.info()
    if network == "bluesky":
        check_same_account(state, state_path, network, handle=info.handle, did=getattr(target, "did", None))
    else:
        check_same_account(state, state_path, network, instance=info.server,
                           acct=getattr(target, "acct", None) or None)


def _plan_options(args: argparse.Namespace, saved: dict[str, Any], network: str, info: Any) -> Any:
    """PlanOptions: the state's saved choices, overridden by flags given now, limits read from the server."""
    from quittex_tui.cli.plan_cmd import _default_locale
    from quittex_tui.convert.models import PlanOptions

    fields = set(PlanOptions.model_fields) - {"target"}
    chosen = {k: v for k, v in saved.items() if k in fields}
    for flag in ("include_replies", "date_footer", "number_parts", "link_cards"):
        if getattr(args, flag) is not None:
            chosen[flag] = getattr(args, flag)
    chosen.setdefault("locale", _default_locale())
    if network == "mastodon":
        from_server = info.network == "mastodon"
        chosen["max_chars"] = int(info.max_chars) if from_server else chosen.get("max_chars", 500)
    if info.network == network:
        chosen["image_max_bytes"] = int(info.image_max_bytes)
    return PlanOptions(target=network, **chosen)


def _remember(state: Any, network: str, target: Any, options: Any) -> None:
    """What the state keeps of this run: the target, the account (no secret), the options chosen."""
    from quittex_tui.state import BlueskyAccount, MastodonAccount, Step

    if network not in state.targets:
        state.targets.append(network)
    if network == "bluesky":
        info = target.info()
        did = getattr(target, "did", None)
        state.bluesky = BlueskyAccount(handle=info.handle, service=info.server, did=did)
    else:
        acct = getattr(target, "acct", None) or None
        state.mastodon = MastodonAccount(instance=target.info().server, acct=acct)
    state.options[network] = options.model_dump(exclude={"target"})
    state.step = Step.MIGRATE


def _can_ask() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _confirm(items: int, posts: int, network: str, handle: str, estimate: timedelta) -> bool:
    name = NETWORK_NAMES.get(network, network)
    question = (f"Publish {count(items, 'item')} ({count(posts, 'post')}) to {name} as {handle}? "
                f"At {name}'s rate limits this takes about {human_duration(estimate)}.")
    print(question, file=sys.stderr)
    try:
        answer = input("Type y to start, anything else to cancel: ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "o", "oui")


@contextmanager
def _ctrl_c_stops(stop: threading.Event, err: TextIO) -> Any:
    """First Ctrl+C: stop cleanly after the current post. Second: interrupt at once (still safe: the
    write-ahead intent covers a write cut in the middle)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nquittex-tui: stopping after the current post (Ctrl+C again to quit at once)…", file=err)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _print_report(report: dict[str, Any], as_json: bool, err: TextIO, *, network: str = "",
                  dry_run: bool = False) -> None:
    if as_json:
        sys.stdout.write(json.dumps(versioned(report), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    name = NETWORK_NAMES.get(network, report["target"])
    published, already = report["published"], report["already_published"]
    if published and dry_run:
        print(f"Dry run: {count(published, 'item')} published to a simulated {name} "
              "(nothing was really sent).")
    elif published:
        print(f"Published {count(published, 'item')} to {name}.")
    elif not already and not report["failed"]:
        print("Nothing was published.")
    if already:
        print(f"{count(already, 'item')} {'was' if already == 1 else 'were'} already published "
              "by an earlier run (not sent again).")
    if report["skipped"]:
        print(f"{count(report['skipped'], 'tweet')} left out (retweets, replies to others, deleted or "
              "empty tweets…): `quittex-tui plan` lists them with the reason.")
    if report["remaining"]:
        print(f"{count(report['remaining'], 'item')} still to send: run the same command again to continue.")
    for failed in report["failed"]:
        print(f"  failed: item {failed['item_id']}: {failed['reason']}")
    _print_card_notes(report.get("link_cards_missing") or [])
    if report["failed"]:
        print("Fix what the reasons say, then run the same command with --retry-failed.")


def _print_card_notes(notes: list[dict[str, Any]]) -> None:
    """Posts sent without their link card (issue 13): the post went; the link simply has no card."""
    from quittex_tui.cli._i18n import t
    from quittex_tui.textsafe import for_display

    if not notes:
        return
    print(t("migrate.cards_missing", n=len(notes)))
    for note in notes:
        reason = t(f"linkcard.reason.{note.get('reason')}", detail=note.get("detail") or "")
        line = t("migrate.card_missing", item=note.get("item_id"), post=int(note.get("post", 0)) + 1,
                 url=note.get("url"), reason=reason)
        print("  " + for_display(line, one_line=True))


class ProgressPrinter:
    """Engine events → stderr: a redrawn bar on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO, *, tty: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.tty = tty
        self.clock = clock
        self._last_line = 0.0
        self._drawn = False

    def __call__(self, event: Any) -> None:
        p = event.progress
        done = p.sent + p.already
        if event.kind == "done":
            eta = "done" if not p.remaining else f"{p.remaining} left for the next run"
        elif not p.remaining:
            eta = "finishing"
        elif p.eta_seconds:
            eta = f"about {human_duration(timedelta(seconds=p.eta_seconds))} left"
        else:
            eta = "estimating time left…"
        status = f"{done}/{p.total} items sent · {p.failed} failed · {eta}"
        if event.kind in ("waiting", "retrying", "item_failed", "checking"):
            self._line(f"quittex-tui: {event.message}")
        if self.tty:
            width = 24
            filled = int(width * done / p.total) if p.total else width
            self.stream.write(f"\r\x1b[K[{'#' * filled}{'-' * (width - filled)}] {status}")
            self.stream.flush()
            self._drawn = True
        elif event.kind == "done" or self.clock() - self._last_line >= PROGRESS_EVERY:
            self._last_line = self.clock()
            self._line(f"quittex-tui: {status}")

    def _line(self, text: str) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
