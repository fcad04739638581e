"""`quittex-tui login bluesky HANDLE [--service URL]` and `quittex-tui login mastodon URL`.

Bluesky: reads the app password (QUITTEX_BLUESKY_APP_PASSWORD, else a hidden prompt on a terminal, else
one line of stdin for scripts), verifies it with the server, stores it with the session string.
Mastodon: prints the authorization URL (out-of-band flow: works over SSH), reads the code the server shows,
stores the token. With QUITTEX_MASTODON_TOKEN set, that token is verified and stored instead.
Secrets are never echoed or printed; the output says where they were stored.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys

from quittex_tui.errors import InputError
from quittex_tui.publish import secrets

APP_PASSWORD_RE = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "login",
        help="connect a Bluesky or Mastodon account (stores the secret in the OS keyring or a 0600 file)",
        description="Connect an account once; `migrate` and the TUI reuse it.",
    )
    networks = parser.add_subparsers(dest="network", metavar="NETWORK", required=True)
    bsky = networks.add_parser("bluesky", help="log in with a handle and an app password")
    bsky.add_argument("handle", metavar="HANDLE", help="e.g. alice.bsky.social")
    bsky.add_argument("--service", metavar="URL", help="your PDS, if it can't be found from the handle")
    bsky.set_defaults(func=run_bluesky)
    masto = networks.add_parser("mastodon", help="authorize quittex-tui on your Mastodon instance")
    masto.add_argument("instance", metavar="URL", help="e.g. https://mastodon.social")
    masto.set_defaults(func=run_mastodon)


def _read_secret(prompt: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    # Not a terminal (a script, a pipe): read one line, print nothing of it.
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    print(file=sys.stderr)
    return line.rstrip("\r\n")


def run_bluesky(args: argparse.Namespace) -> int:
    from quittex_tui.publish import connect  # lazy: atproto is slow to import, `--help` should not be

    handle = connect.normalize_handle(args.handle)
    if args.service:  # refuse a bad or plain-http --service BEFORE the user types the password
        connect.check_url(args.service, "Bluesky server")
    password = os.environ.get(secrets.BLUESKY_PASSWORD_ENV) or _read_secret(
        f"App password for @{handle} (Settings → Privacy and security → App passwords): "
    )
    password = password.strip()
    if not password:
        raise InputError("no app password given", f"run it again and type the app password for @{handle}")
    if not APP_PASSWORD_RE.match(password):
        print(
            "note: this does not look like an app password (xxxx-xxxx-xxxx-xxxx); prefer one over your main "
            "password — you can revoke it any time.",
            file=sys.stderr,
        )
    did = connect.login_bluesky(handle, password, service=args.service)
    print(f"Logged in to Bluesky as @{handle} ({did}). Saved in {connect.stored_secret_location()}.")
    return 0


def run_mastodon(args: argparse.Namespace) -> int:
    from quittex_tui.publish import connect

    instance = connect.check_url(args.instance, "Mastodon server")
    token = os.environ.get(secrets.MASTODON_TOKEN_ENV)
    if token:
        acct = connect.store_mastodon_token(instance, token, token_source="env")
    else:
        url = connect.login_mastodon_start(instance)
        print("Open this address in a browser, log in and authorize quittex-tui:", file=sys.stderr)
        print(f"  {url}", flush=True)
        print("Then paste the authorization code shown by the server: ", end="", file=sys.stderr, flush=True)
        code = sys.stdin.readline() if sys.stdin is not None else ""
        if not code.strip():
            raise InputError(
                "no authorization code given", f"run `quittex-tui login mastodon {instance}` again"
            )
        acct = connect.login_mastodon_finish(instance, code)
    print(f"Logged in to Mastodon as @{acct}. Saved in {connect.stored_secret_location()}.")
    return 0
