"""The `quittex-tui` command line: thin edges over the core.

Each command lives in its own module exposing `register(subparsers)`; modules are imported lazily so
`inspect` and `plan` never load Textual. `quittex-tui` alone or `quittex-tui PATH` opens the TUI; a
word that is neither a command nor an existing path but close to a command (`lgoin`) gets "did you
mean login?".

Exit codes (the epilog of `--help`, docs/cli-json.md), what a script can act on:
  0 done · 1 some items failed (the rest was done) · 2 bad input or refused login · 70 an internal error
  (a crash report was written) · 75 a server unreachable or down: retry later (sysexits EX_TEMPFAIL) ·
  130 interrupted (everything confirmed is saved; the same command resumes).

Every `QuittexError` becomes one paragraph on stderr in the user's language — never a traceback; an
unexpected error becomes a crash report file whose path is shown. Each run writes a log file
(logs.py); `--debug` (anywhere on the line) adds detail to it and copies it to stderr.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from quittex_tui import __version__, i18n, logs
from quittex_tui.cli._i18n import HelpFormatter, install_argparse_l10n, t
from quittex_tui.errors import EXIT_INTERRUPTED, EXIT_TEMPFAIL, InputError, QuittexError

# command name -> module under quittex_tui.cli that registers it
COMMANDS: dict[str, str] = {
    "inspect": "inspect_cmd",
    "plan": "plan_cmd",
    "migrate": "migrate_cmd",
    "login": "login_cmd",
    "logout": "accounts_cmd",
    "accounts": "accounts_cmd",
    "audience": "audience_cmd",
    "follow": "follow_cmd",
    "export-follows": "export_follows_cmd",
    "profile": "profile_cmd",
    "demo": "app_cmd",
    "open": "app_cmd",
    "serve": "serve_cmd",
    "where": "where_cmd",
}
# Commands whose run is the TUI: its screen owns stdout/stderr (no debug echo on stderr).
TUI_COMMANDS = {"demo", "open"}
# Commands that take `--lang` for the interface language (profile's `--lang` is the announcement's).
LANG_COMMANDS = {"demo", "open", "serve"}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quittex-tui",
        description=t("main.description"),
        epilog=t("main.epilog"),
        formatter_class=HelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help=t("main.help_help"))
    parser.add_argument(
        "--version", action="version", version=f"quittex-tui {__version__}", help=t("main.version_help")
    )
    parser.add_argument("--debug", action="store_true", help=t("main.debug_help"))
    sub = parser.add_subparsers(dest="command", metavar=t("main.command_metavar"), title=t("main.commands"))
    wanted = [argv[0]] if argv and argv[0] in COMMANDS else list(COMMANDS)
    loaded: set[str] = set()
    for name in wanted:
        module = COMMANDS[name]
        if module in loaded:
            continue
        loaded.add(module)
        try:
            mod = importlib.import_module(f"quittex_tui.cli.{module}")
        except ModuleNotFoundError as exc:  # a command not built yet must not break the others
            if exc.name != f"quittex_tui.cli.{module}":
                raise
            continue
        mod.register(sub)
    _translate_chrome(parser)
    return parser


def _translate_chrome(parser: argparse.ArgumentParser) -> None:
    """Every parser's "-h, --help" line in the user's language (argparse writes it when the parser is
    made, from a msgid the catalogue may not have been asked for yet)."""
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = t("main.help_help")
            elif isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())


def _take_flag(args: list[str], flag: str) -> tuple[bool, list[str]]:
    """`flag` anywhere before `--` (`quittex-tui migrate … --debug` as well as `quittex-tui --debug …`)."""
    end = args.index("--") if "--" in args else len(args)
    found = flag in args[:end]
    return found, [a for i, a in enumerate(args) if not (i < end and a == flag)]


def _lang_option(args: list[str]) -> str | None:
    """`--lang xx` of the commands where it means the interface language (before parsing: the help
    text itself must be in that language)."""
    if not args or args[0] not in LANG_COMMANDS:
        return None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _route(args: list[str]) -> list[str]:
    """`quittex-tui` alone and `quittex-tui PATH` open the TUI; a near-miss of a command is an error."""
    if not args:
        return ["open"]
    first = args[0]
    if first in COMMANDS or first.startswith("-"):
        return args
    if not Path(first).expanduser().exists():
        close = difflib.get_close_matches(first, list(COMMANDS), n=1, cutoff=0.6)
        if close:
            raise InputError(t("main.unknown_command", word=first), t("main.did_you_mean", command=close[0]))
    return ["open", *args]


def _say(exc: QuittexError) -> None:
    from quittex_tui.textsafe import for_display  # messages name archive files, quote servers

    message, hint = exc.render(front_end="cli")
    if sys.stderr.isatty():  # a progress line may be drawn: the message starts a line of its own
        sys.stderr.write("\r\x1b[K")
    print(t("main.prefix") + for_display(message), file=sys.stderr)
    if hint:
        print(for_display(hint), file=sys.stderr)


def _quiet_stdout() -> None:
    """After a broken pipe (`quittex-tui plan … | head`): send what is left to /dev/null, so Python's
    flush at exit does not print "Exception ignored … BrokenPipeError" (docs.python.org, "Note on
    SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug, args_list = _take_flag(args_list, "--debug")
    debug = debug or logs.debug_requested()
    i18n.set_language(i18n.detect_language(_lang_option(args_list)))
    i18n.set_front_end("cli")
    install_argparse_l10n()
    command = "-"
    try:
        args_list = _route(args_list)
        command = args_list[0]
        log_path = logs.setup_logging(
            debug=debug, command=" ".join(args_list[:1]), echo=command not in TUI_COMMANDS
        )
        log = logs.get_logger("cli")
        if debug and log_path is not None and command not in TUI_COMMANDS:
            print(t("main.log_at", path=str(log_path)), file=sys.stderr)
        parser = build_parser(args_list)
        args = parser.parse_args(args_list)
        args.debug = debug
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        code = int(args.func(args) or 0)
        log.info("exit %s", code)
        return code
    except QuittexError as exc:
        logs.get_logger("cli").info(
            "%s failed: %s (exit %s)", command, exc.render(lang="en")[0], exc.exit_code
        )
        _say(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print(t("main.interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except SystemExit:
        raise  # argparse: --help / --version (0), a usage error (2)
    except Exception as exc:
        from quittex_tui.publish.target import PermanentError, PublishError, RateLimited, TransientError

        if isinstance(exc, PublishError):
            # A core error that escaped without being turned into a QuittexError (a server's refusal, a
            # fault after retries) is still one paragraph — never a traceback.
            from quittex_tui.i18n import say
            from quittex_tui.textsafe import for_display

            reason = exc.reason if isinstance(exc, PermanentError) else exc.words
            print(t("main.prefix") + for_display(say(reason)), file=sys.stderr)
            temporary = isinstance(exc, TransientError | RateLimited)
            print(t("main.publish_error_temp" if temporary else "main.publish_error"), file=sys.stderr)
            return EXIT_TEMPFAIL if temporary else 2
        return _crash(exc)


def _crash(exc: BaseException) -> int:
    from quittex_tui.crash import EXIT_CRASH, write_crash_report

    path = write_crash_report(exc, where="cli")
    print(t("main.crash", error=type(exc).__name__), file=sys.stderr)
    if path is not None:
        print(t("main.crash_report", path=str(path)), file=sys.stderr)
    else:  # not even a file could be written: the traceback is all there is
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    return EXIT_CRASH
