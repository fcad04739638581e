"""`quittex-tui serve [ARCHIVE|demo] [--port 8000]`: the same app in a browser tab, for people who don't
use terminals.

textual-serve (github.com/Textualize/textual-serve) runs a small web server; each browser tab that
connects starts one child process — here `python -m quittex_tui open|demo … --served` — whose Textual
screen is drawn by xterm.js in the page. The server listens on 127.0.0.1 only: the app holds the user's
archive and logged-in accounts, so it must never be reachable from the network (textual-serve has no
authentication). In the tab, links open in a new browser tab (App.open_url) and exports arrive as
downloads (App.deliver_binary) — see tui/app.py `served`.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
from pathlib import Path

from quittex_tui.cli._i18n import t
from quittex_tui.errors import InputError

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("serve", help=t("serve.help"), description=t("serve.description"))
    p.add_argument("what", nargs="*", metavar=t("serve.what_metavar"), help=t("serve.what_help"))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=t("serve.port_help"))
    p.add_argument("--lang", choices=("en", "fr"), help=t("app.lang_help"))
    p.set_defaults(func=run)


def child_command(what: list[str], lang: str | None) -> str:
    """The shell command textual-serve starts for each tab (it runs it with create_subprocess_shell)."""
    if what == ["demo"]:
        argv = ["demo"]
    else:
        paths = [str(Path(p).expanduser().resolve()) for p in what]
        for p in paths:
            if not Path(p).exists():
                raise InputError(t("app.no_such_archive", path=p), t("app.no_such_archive_hint"))
        argv = ["open", *paths]
    from quittex_tui import i18n

    argv += ["--served", "--lang", lang or i18n.language()]
    return shlex.join([sys.executable, "-m", "quittex_tui", *argv])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise InputError(t("serve.bad_port", port=args.port))
    command = child_command(list(args.what), args.lang)
    if not _port_free(args.port):
        raise InputError(t("serve.port_busy", port=args.port), t("serve.port_busy_hint", port=args.port + 1))
    from textual_serve.server import Server

    url = f"http://{HOST}:{args.port}"
    print(t("serve.open_this", url=url), file=sys.stderr, flush=True)
    server = Server(command, host=HOST, port=args.port, title="quittex-tui")
    server.serve(debug=False)
    return 0
