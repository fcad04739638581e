"""What the commands share: the content language, asking for confirmation, progress on stderr, the
network options, printing JSON — so every command asks, shows progress and names networks the same way.

- `content_language(explicit)`: the language of what quittex-tui *writes for the user to publish* (the
  Mastodon date footer, the announcement text): `--locale` / `--lang` when given, else the interface's
  (LC_ALL / LC_MESSAGES / LANG, quittex_tui.i18n.detect_language).
- `can_ask()`, `ask(question)`: a yes/no on the terminal. Yes is y/yes, and in French o/oui too (both
  are accepted in every language: a French user on an English locale still types "o").
- `StderrProgress`: one redrawn stderr line per phase with an estimate of the time left, for the
  long reads (inspect, plan, audience searches); silent when stderr is not a terminal.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quittex_tui import i18n
from quittex_tui.cli._i18n import t
from quittex_tui.cli._json import versioned
from quittex_tui.errors import InputError
from quittex_tui.networks import NETWORKS
from quittex_tui.textsafe import for_display

YES_WORDS = frozenset({"y", "yes", "o", "oui"})


def content_language(explicit: str | None = None) -> str:
    """The language of texts written for publication (date footers, announcements)."""
    return explicit if explicit in i18n.LANGUAGES else i18n.detect_language()


# --- asking -----------------------------------------------------------------------------------------------
def can_ask() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask(question: str, *, prompt: str | None = None) -> bool:
    """Print `question` on stderr and read the answer; True only for a yes (see YES_WORDS)."""
    print(question, file=sys.stderr)
    try:
        answer = input(prompt if prompt is not None else t("common.confirm_prompt"))
    except EOFError:
        return False
    return answer.strip().lower() in YES_WORDS


# --- archive paths and network options --------------------------------------------------------------------
def add_path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar=t("common.path_metavar"), nargs="+", help=t("common.path_help"))


def archive_source(args: argparse.Namespace) -> Path | list[Path]:
    paths = [Path(p) for p in args.path]
    return paths if len(paths) > 1 else paths[0]


# --- output -------------------------------------------------------------------------------------------
def print_json(obj: dict[str, Any], *, indent: int | None = None) -> None:
    """One JSON object on stdout, with its `schema_version` (docs/cli-json.md)."""
    sys.stdout.write(json.dumps(versioned(obj), ensure_ascii=False, indent=indent) + "\n")
    sys.stdout.flush()


class StderrProgress:
    """`progress(message, fraction)` → one redrawn stderr line with an estimate for the current phase
    (reading the archive, then planning…), e.g. "Planning posts…  42%  about 6 s left". The message may be
    a notice.Notice (said in the user's language); archive file names in it are shown display-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._phase = ""
        self._started = 0.0
        self.drawn = False

    def __call__(self, message: str, fraction: float) -> None:
        now = self.clock()
        if message != self._phase:
            self._phase, self._started = message, now
        elapsed = now - self._started
        left = ""
        if 0.05 <= fraction < 1 and elapsed >= 0.5:  # too early, the estimate is noise
            seconds = max(1, round(elapsed * (1 - fraction) / fraction))
            left = "  " + t("common.time_left", duration=i18n.about(seconds))
        percent = f"{fraction:4.0%}".replace("%", "\u202f%" if i18n.language() == "fr" else "%")
        line = f"{for_display(i18n.say(message), one_line=True)}… {percent}{left}"
        width = shutil.get_terminal_size((100, 24)).columns - 1  # a wrapped line could not be redrawn
        if len(line) > width:
            line = line[: max(10, width - 1)] + "…"
        sys.stderr.write(f"\r\x1b[K{line}")
        sys.stderr.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.drawn = False


def terminal_progress(enabled: bool = True) -> StderrProgress | None:
    """A progress line when stderr is a terminal (and the command prints no JSON), else None."""
    return StderrProgress() if enabled and sys.stderr.isatty() else None


# --- the account a command works on (audience, follow, profile) ----------------------------------------
def add_target_arguments(parser: argparse.ArgumentParser, *, target_required: bool) -> None:
    """PATH…, --to, --handle, --service, --instance, --state: the options of every account command."""
    add_path_argument(parser)
    parser.add_argument(
        "--to", dest="target", choices=NETWORKS, required=target_required, help=t("common.to_help")
    )
    parser.add_argument("--handle", metavar=t("common.handle_metavar"), help=t("common.handle_help"))
    parser.add_argument("--service", metavar="URL", help=t("common.service_help"))
    parser.add_argument("--instance", metavar="URL", help=t("common.instance_help"))
    parser.add_argument("--state", type=Path, metavar=t("common.file_metavar"), help=t("common.state_help"))


def check_target(args: argparse.Namespace) -> None:
    """The account options make sense together (InputError before anything is read)."""
    if args.target == "bluesky" and not args.handle:
        raise InputError(t("common.needs_handle"), t("common.needs_handle_hint"))
    if args.target == "mastodon" and not args.instance:
        raise InputError(t("common.needs_instance"), t("common.needs_instance_hint"))
    if args.target is None and (args.handle or args.instance):
        raise InputError(t("common.needs_to"), t("common.needs_to_hint"))


def connect(args: argparse.Namespace) -> Any:
    """The logged-in target of `--to` (secrets as `quittex-tui login` stored them, or the environment)."""
    from quittex_tui.publish.connect import connect_bluesky, connect_mastodon

    if args.target == "bluesky":
        return connect_bluesky(args.handle, service=args.service)
    return connect_mastodon(args.instance)


def check_account(state: Any, state_path: Path, network: str, target: Any) -> None:
    """Follows share the posts' journal beside the state: never read another account's as done."""
    from quittex_tui.state import check_same_account

    if network == "bluesky":
        check_same_account(
            state,
            state_path,
            network,
            handle=getattr(target, "handle", None),
            did=getattr(target, "did", None),
        )
    else:
        check_same_account(
            state,
            state_path,
            network,
            instance=target.info().server,
            acct=getattr(target, "acct", None) or None,
        )


def remember_account(state: Any, args: argparse.Namespace, target: Any) -> None:
    """The state keeps which account a migration works on (never a secret)."""
    from quittex_tui.state import BlueskyAccount, MastodonAccount

    if args.target == "bluesky" and state.bluesky is None:
        state.bluesky = BlueskyAccount(
            handle=args.handle, service=args.service, did=getattr(target, "did", None)
        )
    elif args.target == "mastodon" and state.mastodon is None:
        state.mastodon = MastodonAccount(instance=args.instance)


def refuse_without_terminal(args: argparse.Namespace, what: str) -> None:
    """No --yes and no terminal to ask on: refuse BEFORE logging in or reading anything from the network.
    `what`: the action in words ("follow 12 accounts on Bluesky")."""
    if not args.yes and not can_ask():
        raise InputError(t("common.no_terminal", what=what), t("common.no_terminal_hint"))


def confirm_or_stop(question: str, yes: bool) -> None:
    """Ask `question` (unless --yes); anything but a yes ends the command with nothing done (exit 2)."""
    if yes:
        return
    if not can_ask():
        raise InputError(t("common.needs_confirmation", question=question), t("common.no_terminal_hint"))
    if not ask(question, prompt=t("common.yes_no_prompt")):
        raise InputError(t("common.nothing_done"), t("common.nothing_done_hint"))
