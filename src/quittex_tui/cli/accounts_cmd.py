"""`quittex-tui accounts [--json]` lists the accounts whose secrets are stored (never the secrets);
`quittex-tui logout bluesky|mastodon [ACCOUNT]` removes them (keyring and 0600 file, publish/secrets.py).

ACCOUNT is written as for `login`: a Bluesky handle in any usual form, a Mastodon address in any usual
form. Without it, the only stored account of that network is meant; with several, the command lists them
and asks which (exit 2). Logging out is local: the app password stays valid on Bluesky and the token on
Mastodon until revoked there, which the message says how to do.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from quittex_tui.cli._i18n import t
from quittex_tui.cli._json import versioned
from quittex_tui.errors import InputError
from quittex_tui.networks import NETWORKS, display_name
from quittex_tui.publish import secrets


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    acc = subparsers.add_parser("accounts", help=t("accounts.help"), description=t("accounts.description"))
    acc.add_argument("--json", action="store_true", help=t("accounts.json_help"))
    acc.set_defaults(func=run_accounts)

    out = subparsers.add_parser("logout", help=t("logout.help"), description=t("logout.description"))
    out.add_argument(
        "network", choices=NETWORKS, metavar=t("logout.network_metavar"), help=t("logout.network_help")
    )
    out.add_argument("account", nargs="?", metavar=t("logout.account_metavar"), help=t("logout.account_help"))
    out.add_argument("--json", action="store_true", help=t("logout.json_help"))
    out.set_defaults(func=run_logout)


def _label(entry: dict[str, Any]) -> str:
    if entry["network"] == "bluesky":
        return "@" + str(entry["account"])
    return f"@{entry['acct']} ({entry['account']})" if entry.get("acct") else str(entry["account"])


def run_accounts(args: argparse.Namespace) -> int:
    entries = secrets.stored_accounts()
    if args.json:
        doc = versioned({"accounts": entries})
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return 0
    if not entries:
        print(t("accounts.none"))
        return 0
    print(t("accounts.header", n=len(entries)))
    for entry in entries:
        fields = ", ".join(t(f"accounts.field.{f}") for f in entry["fields"] if f in _KNOWN_FIELDS)
        print(f"  {display_name(str(entry['network'])):<9} {_label(entry)}")
        print(f"  {'':<9} {t('accounts.stored', fields=fields, where=', '.join(entry['stored_in']))}")
    return 0


_KNOWN_FIELDS = ("password", "session", "token", "client_id", "client_secret")  # acct/did: in the label


def _key_for(network: str, account: str) -> str:
    from quittex_tui.publish.addresses import bluesky_handle, mastodon_instance

    if network == "bluesky":
        return secrets.bluesky_key(bluesky_handle(account))
    return secrets.mastodon_key(mastodon_instance(account))


def run_logout(args: argparse.Namespace) -> int:
    network = args.network
    stored = [e for e in secrets.stored_accounts() if e["network"] == network]
    if args.account:
        key = _key_for(network, args.account)
    elif len(stored) == 1:
        key = f"{network}:{stored[0]['account']}"
    elif not stored:
        print(t("logout.nothing", network=display_name(network)), file=sys.stderr)
        _print_json(args, network, None, [])
        return 0
    else:
        names = " ".join(str(e["account"]) for e in stored)
        raise InputError(
            t("logout.which", network=display_name(network), n=len(stored)),
            t("logout.which_hint", network=network, accounts=names),
        )
    account = key.split(":", 1)[1]
    found = secrets.delete_secrets(key)
    if not found:
        names = ", ".join(str(e["account"]) for e in stored) or "-"
        raise InputError(
            t("logout.not_stored", network=display_name(network), account=account),
            t("logout.not_stored_hint", accounts=names),
        )
    _print_json(args, network, account, found)
    if not args.json:
        print(t("logout.done", network=display_name(network), account=account, where=", ".join(found)))
        print(t(f"logout.revoke_{network}"))
    return 0


def _print_json(args: argparse.Namespace, network: str, account: str | None, found: list[str]) -> None:
    if args.json:
        doc = versioned({"network": network, "account": account, "removed_from": found})
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
