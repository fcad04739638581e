"""`quittex-tui login bluesky HANDLE [--service URL]` and `quittex-tui login mastodon ADDRESS`.

Bluesky: reads the app password (QUITTEX_BLUESKY_APP_PASSWORD, else a hidden prompt on a terminal, else
one line of stdin for scripts), verifies it with the server, stores it with the session string. With
`--service`, the server is first checked to be a reachable PDS, so a wrong address is said before the
password is typed.
Mastodon: the address may be written any usual way (`@camille@piaille.fr`, `piaille.fr`,
`https://piaille.fr/@camille`); the server is checked to be Mastodon, then the authorization URL is
printed (out-of-band flow: works over SSH, the page in the user's language), and the code the server
shows is read back and traded for a token. With QUITTEX_MASTODON_TOKEN set, that token is verified and
stored instead. Secrets are never echoed or printed; the output says where they were stored.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys

from quittex_tui.cli._i18n import t
from quittex_tui.errors import InputError, todo
from quittex_tui.publish import secrets
from quittex_tui.publish.addresses import mastodon_account

APP_PASSWORD_RE = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("login", help=t("login.help"), description=t("login.description"))
    networks = parser.add_subparsers(dest="network", metavar=t("login.network_metavar"), required=True)
    bsky = networks.add_parser("bluesky", help=t("login.bluesky_help"), description=t("login.bluesky_help"))
    bsky.add_argument("handle", metavar=t("login.handle_metavar"), help=t("login.handle_help"))
    bsky.add_argument("--service", metavar="URL", help=t("login.service_help"))
    bsky.set_defaults(func=run_bluesky)
    masto = networks.add_parser(
        "mastodon", help=t("login.mastodon_help"), description=t("login.mastodon_help")
    )
    masto.add_argument("instance", metavar=t("login.address_metavar"), help=t("login.address_help"))
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
    service = None
    # Everything that can fail without the password fails BEFORE it is asked for: a bad, plain-http,
    # unreachable or non-PDS --service; a handle that does not exist or cannot be looked up.
    if args.service:
        service = connect.check_url(args.service, "Bluesky server")
        connect.probe_pds(service)
    elif not os.environ.get(secrets.BLUESKY_PASSWORD_ENV):
        connect.resolve_pds(handle)
    password = os.environ.get(secrets.BLUESKY_PASSWORD_ENV) or _read_secret(
        t("login.password_prompt", handle=handle)
    )
    password = password.strip()
    if not password:
        raise InputError(t("login.no_password"), t("login.no_password_hint", handle=handle))
    if not APP_PASSWORD_RE.match(password):
        print(t("login.not_app_password"), file=sys.stderr)
    did = connect.login_bluesky(handle, password, service=service)
    print(t("login.bluesky_done", handle=handle, did=did, where=connect.stored_secret_location()))
    return 0


def run_mastodon(args: argparse.Namespace) -> int:
    from quittex_tui.publish import connect
    from quittex_tui.publish.addresses import mastodon_instance

    instance = mastodon_instance(args.instance)
    token = os.environ.get(secrets.MASTODON_TOKEN_ENV)
    if token:
        acct = connect.store_mastodon_token(instance, token, token_source="env")
    else:
        url = connect.login_mastodon_start(instance)
        print(t("login.open_this"), file=sys.stderr)
        print(f"  {url}", flush=True)
        print(t("login.paste_code"), end="", file=sys.stderr, flush=True)
        code = sys.stdin.readline() if sys.stdin is not None else ""
        if not code.strip():
            raise InputError(key="error.mastodon.empty_code", todo=[todo("new_code", instance=instance)])
        acct = connect.login_mastodon_finish(instance, code)
    print(t("login.mastodon_done", acct=acct, where=connect.stored_secret_location()))
    asked = mastodon_account(args.instance)
    if asked and acct.split("@", 1)[0].lower() != asked.lower():  # authorized in another account's session
        print(t("login.other_account", asked=asked, acct=acct), file=sys.stderr)
    return 0
