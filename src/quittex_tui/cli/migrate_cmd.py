"""`quittex-tui migrate PATH --to bluesky|mastodon …`: publish the plan, resumably.

Contract (docs/cli-json.md, `migrate`):
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
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from quittex_tui.cli._common import (
    add_path_argument,
    archive_source,
    ask,
    can_ask,
    content_language,
    print_json,
)
from quittex_tui.cli._i18n import t
from quittex_tui.errors import InputError
from quittex_tui.i18n import about, number, say
from quittex_tui.networks import DRY_RUN, NETWORKS, display_name
from quittex_tui.publish.events import EventKind
from quittex_tui.textsafe import for_display

VISIBILITIES = ("public", "unlisted", "private", "direct")
DRY_RUN_LATENCY_ENV = "QUITTEX_DRY_RUN_LATENCY"  # seconds per simulated post (tests make it short)
PROGRESS_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("migrate", help=t("migrate.help"), description=t("migrate.description"))
    add_path_argument(parser)
    parser.add_argument("--to", dest="to", choices=NETWORKS, help=t("migrate.to_help"))
    parser.add_argument("--handle", metavar=t("common.handle_metavar"), help=t("common.handle_help"))
    parser.add_argument("--service", metavar="URL", help=t("common.service_help"))
    parser.add_argument("--instance", metavar="URL", help=t("common.instance_help"))
    parser.add_argument("--state", type=Path, metavar=t("common.file_metavar"), help=t("common.state_help"))
    parser.add_argument("--limit", type=int, metavar="N", help=t("migrate.limit_help"))
    parser.add_argument("--yes", action="store_true", help=t("common.yes_help"))
    parser.add_argument("--json", action="store_true", help=t("migrate.json_help"))
    parser.add_argument("--dry-run", action="store_true", help=t("migrate.dry_run_help"))
    parser.add_argument(
        "--visibility", choices=VISIBILITIES, default="unlisted", help=t("migrate.visibility_help")
    )
    parser.add_argument(
        "--include-replies", action="store_true", default=None, help=t("migrate.include_replies_help")
    )
    parser.add_argument("--date-footer", action="store_true", default=None, help=t("plan.date_footer_help"))
    parser.add_argument("--number-parts", action="store_true", default=None, help=t("plan.number_parts_help"))
    parser.add_argument(
        "--link-cards", action=argparse.BooleanOptionalAction, default=None, help=t("migrate.link_cards_help")
    )
    parser.add_argument("--retry-failed", action="store_true", help=t("migrate.retry_failed_help"))
    parser.add_argument("--resend-unsure", action="store_true", help=t("migrate.resend_unsure_help"))
    parser.set_defaults(func=run)


def _check_args(args: argparse.Namespace) -> str:
    """The network the plan is built for; InputError for a command that cannot work."""
    if args.limit is not None and args.limit < 0:
        raise InputError(t("migrate.negative_limit", n=args.limit), t("migrate.negative_limit_hint"))
    if args.dry_run:
        return args.to or "bluesky"
    if args.to is None:
        raise InputError(t("migrate.no_target"), t("migrate.no_target_hint"))
    if args.to == "bluesky" and not args.handle:
        raise InputError(t("common.needs_handle"), t("common.needs_handle_hint"))
    if args.to == "mastodon" and not args.instance:
        raise InputError(t("common.needs_instance"), t("common.needs_instance_hint"))
    return str(args.to)


def run(args: argparse.Namespace) -> int:
    network = _check_args(args)
    if not args.yes and not args.dry_run and not can_ask():
        # Refuse before logging in or touching any state: a script must say --yes explicitly.
        raise InputError(
            t("migrate.no_terminal", network=display_name(network)), t("migrate.no_terminal_hint")
        )
    from quittex_tui.archive import open_archive
    from quittex_tui.errors import StateError
    from quittex_tui.publish.journal import Journal, journal_path
    from quittex_tui.publish.lock import account_lock_for
    from quittex_tui.state import open_or_create_state, save_state

    err = sys.stderr
    tidy_failure: StateError | None = None
    stop = threading.Event()
    with open_archive(archive_source(args)) as archive:
        state_path, state = open_or_create_state(archive, args.state)
        command = _command_label(args, network)
        # The migration's writer lock first (taken by the journal): a second writer is told at once, before
        # any login; then the destination account's lock (another state file may send to it).
        journal = Journal(journal_path(state_path, DRY_RUN if args.dry_run else network), command=command)
        try:
            for warning in journal.warnings:
                print(t("main.prefix") + for_display(say(warning)), file=err)
            target, _ = _connect(args, network, state_path)
            with account_lock_for(target, command=command):
                outcome = _publish(args, archive, state, state_path, target, journal, network, stop, err)
            if outcome is None:
                return 0 if not stop.is_set() else 130
            report, tidy_failure, reasons = outcome
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

    if args.json:
        print_json(report.model_dump())
    else:
        _print_report(report.model_dump(), reasons, network=network, dry_run=args.dry_run)
    if tidy_failure is not None:
        raise tidy_failure  # exit 2 with the message, after the report of what was sent
    if stop.is_set():
        print(t("migrate.stopped"), file=err)
        return 130
    return 1 if report.failed else 0


def _publish(
    args: argparse.Namespace,
    archive: Any,
    state: Any,
    state_path: Path,
    target: Any,
    journal: Any,
    network: str,
    stop: threading.Event,
    err: TextIO,
) -> tuple[Any, Any, dict[str, str]] | None:
    """Plan, settle, confirm, send. (report, a failure of the final tidy-up or None, item id -> failure
    reason in words), or None when the user said no (or stopped before anything was sent)."""
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

    engine = Engine(
        plan,
        target,
        journal,
        on_event=printer,
        resend_unsure=args.resend_unsure and args.retry_failed,
        links=link_options(state, archive),
    )  # matched people as mentions; link cards
    with _ctrl_c_stops(stop, err):
        # Settle unconfirmed posts (every post, if the journal was lost) before counting what is left.
        engine.prepare(stop=stop, retry_failed=args.retry_failed)
    if stop.is_set():
        print(t("migrate.stopped_before"), file=err)
        return None
    items, posts = engine.pending_posts(retry_failed=args.retry_failed)
    pending = items
    if args.limit is not None and items > args.limit:
        posts = round(posts * args.limit / items)
        items = args.limit
    # What the user must see first: the time at the NETWORK's rate limits (a dry run simulates it).
    estimate = estimate_duration(posts, network)
    if items:
        # docs/bluesky.md#video, issue 12: counted apart, before asking
        _print_video_days(engine, target, network, args, err)
    counts = {
        "items": number(items),
        "posts": number(posts),
        "network": display_name(network),
        "about": about(estimate),
    }
    if (
        items
        and not args.yes
        and not args.dry_run
        and not ask(t("migrate.confirm", handle=info.handle, **counts))
    ):
        print(t("migrate.nothing_sent"), file=err)
        return None
    if items and args.dry_run:
        print(t("migrate.dry_run_start", **counts), file=err)
    elif items:
        print(t("migrate.start", handle=info.handle, **counts), file=err)
    elif pending:  # --limit 0: a run that only reports where the migration stands
        print(t("migrate.limit_zero", n=number(pending)), file=err)
    else:
        print(t("migrate.nothing_left"), file=err)
    if engine.adopted:
        print(t("migrate.adopted", n=number(engine.adopted)), file=err)
    with _ctrl_c_stops(stop, err):
        report = engine.run(limit=args.limit, stop=stop, retry_failed=args.retry_failed)
    printer.finish()
    reasons = {f["item_id"]: engine.failure_reason(f["item_id"]) or f["reason"] for f in report.failed}
    try:
        journal.compact()  # clean exit: one record per post
    except StateError as exc:  # everything is recorded; only the tidy-up failed: report first, then say so
        return report, exc, reasons
    return report, None, reasons


def _print_video_days(engine: Any, target: Any, network: str, args: argparse.Namespace, err: TextIO) -> None:
    """ "312 videos: about 13 days at Bluesky's daily video limit" — videos wait for it, the rest does not."""
    from quittex_tui.cli._i18n import t
    from quittex_tui.publish.video_quota import daily_video_estimate

    videos = engine.pending_videos(retry_failed=args.retry_failed)
    quota = target.video_quota() if videos and callable(getattr(target, "video_quota", None)) else None
    if quota is not None and quota.checked_at is None:
        quota.refresh()  # the server's own daily number for the estimate (getUploadLimits)
    found = daily_video_estimate(target, videos, network)
    if found is not None:
        days, per_day = found
        print(t("video.days", n=videos, days=days, per_day=per_day), file=err)


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
        return DryRunTarget(latency, plan_target=network, store=store, idempotent=False), DRY_RUN
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
        check_same_account(
            state, state_path, network, instance=info.server, acct=getattr(target, "acct", None) or None
        )


def _plan_options(args: argparse.Namespace, saved: dict[str, Any], network: str, info: Any) -> Any:
    """PlanOptions: the state's saved choices, overridden by flags given now, limits read from the server."""
    from quittex_tui.convert.models import PlanOptions

    fields = set(PlanOptions.model_fields) - {"target"}
    chosen = {k: v for k, v in saved.items() if k in fields}
    for flag in ("include_replies", "date_footer", "number_parts", "link_cards"):
        if getattr(args, flag) is not None:
            chosen[flag] = getattr(args, flag)
    chosen.setdefault("locale", content_language())
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
        print("\n" + t("migrate.stopping"), file=err)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_report(
    report: dict[str, Any], reasons: dict[str, str], *, network: str = "", dry_run: bool = False
) -> None:
    """The end of a run, in words (stdout): what was published, what is left, what failed and why."""
    name = display_name(network or report["target"])
    published, already = report["published"], report["already_published"]
    if published and dry_run:
        print(t("migrate.report.dry_run", n=number(published), network=name))
    elif published:
        print(t("migrate.report.published", n=number(published), network=name))
    elif not already and not report["failed"]:
        print(t("migrate.report.nothing"))
    if already:
        print(t("migrate.report.already", n=number(already)))
    if report["skipped"]:
        print(t("migrate.report.skipped", n=number(report["skipped"])))
    if report["remaining"]:
        print(t("migrate.report.remaining", n=number(report["remaining"])))
    for failed in report["failed"]:
        reason = reasons.get(failed["item_id"]) or failed["reason"]
        print(for_display(t("migrate.report.failed", item=failed["item_id"], reason=say(reason))))
    _print_card_notes(report.get("link_cards_missing") or [])
    if report["failed"]:
        print(t("migrate.report.retry_failed"))


def event_line(event: Any) -> str:
    """An engine event as one line in the user's language (the server's words in it shown inert)."""
    return t("main.prefix") + for_display(say(event.message), one_line=True)


def _print_card_notes(notes: list[dict[str, Any]]) -> None:
    """Posts sent without their link card (docs/bluesky.md#link-cards-appbskyembedexternal, issue 13): the
    post went; the link simply has no card."""
    if not notes:
        return
    print(t("migrate.cards_missing", n=len(notes)))
    for note in notes:
        reason = t(f"linkcard.reason.{note.get('reason')}", detail=note.get("detail") or "")
        line = t(
            "migrate.card_missing",
            item=note.get("item_id"),
            post=int(note.get("post", 0)) + 1,
            url=note.get("url"),
            reason=reason,
        )
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
        if event.kind == EventKind.DONE:
            eta = t("progress.left_for_next", n=number(p.remaining)) if p.remaining else t("progress.done")
        elif not p.remaining:
            eta = t("progress.finishing")
        elif p.eta_seconds:
            eta = t("progress.eta", duration=about(p.eta_seconds))
        else:
            eta = t("progress.estimating")
        status = t(
            "progress.status", done=number(done), total=number(p.total), failed=number(p.failed), eta=eta
        )
        if event.kind in (EventKind.WAITING, EventKind.RETRYING, EventKind.ITEM_FAILED, EventKind.CHECKING):
            self._line(event_line(event))
        if self.tty:
            width = 24
            filled = int(width * done / p.total) if p.total else width
            self.stream.write(f"\r\x1b[K[{'#' * filled}{'-' * (width - filled)}] {status}")
            self.stream.flush()
            self._drawn = True
        elif event.kind == EventKind.DONE or self.clock() - self._last_line >= PROGRESS_EVERY:
            self._last_line = self.clock()
            self._line(t("main.prefix") + status)

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
