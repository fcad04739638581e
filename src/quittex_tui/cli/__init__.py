"""The `quittex-tui` command line: thin edges over the core.

Each command lives in its own module exposing `register(subparsers)`; modules are imported lazily so
`inspect` and `plan` never load Textual. `quittex-tui` alone or `quittex-tui PATH` opens the TUI.
Every `QuittexError` becomes a one-paragraph message on stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from quittex_tui import __version__
from quittex_tui.errors import QuittexError

# command name -> module under quittex_tui.cli that registers it
COMMANDS: dict[str, str] = {
    "inspect": "inspect_cmd",
    "plan": "plan_cmd",
    "migrate": "migrate_cmd",
    "login": "login_cmd",
    "audience": "audience_cmd",
    "follow": "audience_cmd",
    "export-follows": "audience_cmd",
    "profile": "audience_cmd",
    "demo": "app_cmd",
    "open": "app_cmd",
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quittex-tui",
        description="Move your X (Twitter) archive to Bluesky and Mastodon — resumably, from the keyboard.",
        epilog="Run `quittex-tui demo` to try the whole flow on a bundled demo archive (no account needed).",
    )
    parser.add_argument("--version", action="version", version=f"quittex-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `quittex-tui` alone and `quittex-tui PATH` open the TUI.
    if not args_list or (args_list[0] not in COMMANDS and not args_list[0].startswith("-")):
        args_list = ["open", *args_list]
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except QuittexError as exc:
        from quittex_tui.textsafe import for_display  # messages name archive files, quote servers

        print(f"quittex-tui: {for_display(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(for_display(exc.hint), file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        # Safety net: a core error that escaped without being turned into a QuittexError (a server's
        # refusal, a fault after retries) is still one paragraph, exit 2 — never a traceback.
        from quittex_tui.publish.target import PermanentError, PublishError

        if not isinstance(exc, PublishError):
            raise
        from quittex_tui.textsafe import for_display

        reason = exc.reason if isinstance(exc, PermanentError) else str(exc)
        print(f"quittex-tui: {for_display(reason)}", file=sys.stderr)
        print("nothing more was done; fix what the message says (or retry later if the server is "
              "failing) and run the same command again", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "quittex-tui: interrupted — everything confirmed so far is saved; "
            "run the same command to resume.",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        return 0
