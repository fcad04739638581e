"""`quittex-tui where [--json]`: where this machine keeps quittex-tui's files — for support, backups and
"start from scratch". Migration states and their journals, the demo's own state, converted media, this
run's log and the older ones, crash reports, the secrets (the OS keyring or the 0600 file) and the
environment variables that move them (docs/environment.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from quittex_tui import logs, paths
from quittex_tui.cli._i18n import t
from quittex_tui.cli._json import versioned

ENV_VARS = ("QUITTEX_HOME", "QUITTEX_NO_KEYRING", "QUITTEX_DEBUG")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("where", help=t("where.help"), description=t("where.description"))
    p.add_argument("--json", action="store_true", help=t("where.json_help"))
    p.set_defaults(func=run)


def locations() -> dict[str, str | None]:
    from quittex_tui.publish import secrets

    store = secrets.secret_store()
    log = logs.current_log_path()
    return {
        "state": str(paths.state_dir()),
        "journals": str(paths.state_dir()),
        "demo_state": str(paths.demo_state_dir()),
        "cache": str(paths.cache_dir()),
        "log": str(log) if log else None,
        "logs": str(paths.log_dir()),
        "crash_reports": str(paths.crash_dir()),
        "secrets": store.where,
        "secrets_file": str(secrets.FileSecretStore().path),
        "config": str(paths.config_dir()),
    }


def run(args: argparse.Namespace) -> int:
    where = locations()
    env = {name: os.environ[name] for name in ENV_VARS if os.environ.get(name)}
    if args.json:
        doc = versioned({**where, "environment": env})
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return 0
    rows = [(key, value) for key, value in where.items() if value]
    if where["secrets"] == where["secrets_file"]:  # no keyring: the file is where secrets go, say it once
        rows = [(key, value) for key, value in rows if key != "secrets_file"]
    width = max(len(t(f"where.label.{key}")) for key, _ in rows)
    for key, value in rows:
        print(f"{t(f'where.label.{key}'):<{width}}  {value}")
        print(f"{'':<{width}}  {t(f'where.note.{key}')}")
    if env:
        print(t("where.env", names=", ".join(f"{k}={v}" for k, v in env.items())))
    return 0
