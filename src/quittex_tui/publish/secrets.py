"""Where app passwords, tokens and session strings live — never in the TOML state.

Order of use (where they live: ARCHITECTURE.md#where-things-live-on-disk): an explicit argument, then the
environment (`QUITTEX_BLUESKY_APP_PASSWORD`, `QUITTEX_MASTODON_TOKEN` — what CI and scripts use), then the OS
keyring when one is usable and `QUITTEX_NO_KEYRING` is unset, else a file `paths.config_dir()/secrets.toml`
readable only by the user (mode 0600, written atomically).

Each account has one entry (a small dict of strings): key `bluesky:<handle>` holds `password` and the
SDK `session` string (reused across runs so a resume does not spend `createSession` quota: 30 / 5 min,
300 / day); key `mastodon:<instance url>` holds the OAuth app's `client_id` / `client_secret`, the
`token` and the `acct`. Nothing here logs or formats a value into a message; every value read or
written is handed to the log scrubber (logs.remember_secret) so it cannot reach a log or crash report.

The keyring cannot list its entries, so the names of the accounts stored there (never their secrets) are
kept in `paths.config_dir()/accounts.toml` for `quittex-tui accounts` and `logout`; accounts saved
before that index existed are found through the migration states that name them.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import tomli_w

from quittex_tui import paths
from quittex_tui.errors import StateError, todo
from quittex_tui.fileio import atomic_write
from quittex_tui.scrub import remember_secrets, remember_session_string

NO_KEYRING_ENV = "QUITTEX_NO_KEYRING"
BLUESKY_PASSWORD_ENV = "QUITTEX_BLUESKY_APP_PASSWORD"
MASTODON_TOKEN_ENV = "QUITTEX_MASTODON_TOKEN"
KEYRING_SERVICE = "quittex-tui"
FILE_NAME = "secrets.toml"
INDEX_NAME = "accounts.toml"
# Field names that hold secrets (the others — `acct`, `did` — are names, shown by `accounts`).
SECRET_FIELDS = ("password", "session", "token", "client_secret")


def bluesky_key(handle: str) -> str:
    return "bluesky:" + handle.strip().lstrip("@").lower()


def mastodon_key(instance_url: str) -> str:
    return "mastodon:" + instance_url.rstrip("/").lower()


class SecretStore(Protocol):
    @property
    def where(self) -> str: ...

    def load(self, key: str) -> dict[str, str]: ...

    def save(self, key: str, values: dict[str, str]) -> None: ...

    def delete(self, key: str) -> None: ...


class FileSecretStore:
    """TOML file, mode 0600, replaced atomically (temp file + fsync + os.replace + dir fsync)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.config_dir() / FILE_NAME

    @property
    def where(self) -> str:
        return str(self.path)

    def _read_all(self) -> dict[str, dict[str, str]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StateError(
                key="error.secrets.unreadable",
                params={"path": self.path, "detail": exc.strerror},
                todo=[todo("check_permissions")],
            ) from None
        # Someone loosened the mode: tighten it back before anything else reads it.
        with contextlib.suppress(OSError):
            if stat.S_IMODE(self.path.stat().st_mode) & 0o077:
                self.path.chmod(0o600)
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            # Never echo the content (it holds secrets); say what to do instead.
            raise StateError(
                key="error.secrets.bad_file",
                params={"path": self.path},
                todo=[todo("replace_secrets_file", path=self.path)],
            ) from None
        return {
            k: {f: str(v) for f, v in table.items()} for k, table in data.items() if isinstance(table, dict)
        }

    def _write_all(self, data: dict[str, dict[str, str]]) -> None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            directory.chmod(0o700)
        atomic_write(self.path, tomli_w.dumps(data).encode("utf-8"), mode=0o600)

    def load(self, key: str) -> dict[str, str]:
        return dict(self._read_all().get(key, {}))

    def save(self, key: str, values: dict[str, str]) -> None:
        data = self._read_all()
        data[key] = dict(values)
        self._write_all(data)

    def delete(self, key: str) -> None:
        data = self._read_all()
        if data.pop(key, None) is not None:
            self._write_all(data)


class KeyringSecretStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker): one JSON blob per key."""

    @property
    def where(self) -> str:
        """ "the OS keyring" (a notice.Notice: said in the user's language, the same string in JSON)."""
        from quittex_tui.notice import notice

        return notice("what.os_keyring")

    def load(self, key: str) -> dict[str, str]:
        import keyring

        raw = keyring.get_password(KEYRING_SERVICE, key)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save(self, key: str, values: dict[str, str]) -> None:
        import keyring

        keyring.set_password(KEYRING_SERVICE, key, json.dumps(values))

    def delete(self, key: str) -> None:
        import keyring
        import keyring.errors

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(KEYRING_SERVICE, key)


def keyring_usable() -> bool:
    """A real keyring backend is there (not the `fail`/`null` ones a headless SSH box usually has)."""
    if os.environ.get(NO_KEYRING_ENV):
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # keyring's backend discovery can fail in many platform-specific ways
        return False
    if isinstance(backend, fail.Keyring):
        return False
    name = type(backend).__module__ + "." + type(backend).__name__
    if "null" in name.lower() or ("chainer" in name.lower() and not getattr(backend, "backends", None)):
        return False
    try:
        return float(getattr(backend, "priority", 0)) > 0
    except Exception:
        return False


def secret_store() -> SecretStore:
    return KeyringSecretStore() if keyring_usable() else FileSecretStore()


def load_secrets(key: str) -> dict[str, str]:
    """The stored fields of `key` (keyring first, the file as a fallback); {} when none."""
    store = secret_store()
    try:
        values = store.load(key)
    except StateError:
        raise
    except Exception:  # a locked/broken keyring: fall back to the file rather than failing the run
        values = {}
    if not values and not isinstance(store, FileSecretStore):
        values = FileSecretStore().load(key)
    _remember(values)
    return values


def update_secrets(key: str, **fields: str | None) -> str:
    """Merge `fields` into the entry `key` (None removes a field). Returns where they were stored."""
    _remember(fields)
    store = secret_store()
    try:
        values = store.load(key)
        _merge(values, fields)
        store.save(key, values)
        if not isinstance(store, FileSecretStore):
            _index_add(key)
        return store.where
    except StateError:
        raise
    except Exception:
        if isinstance(store, FileSecretStore):
            raise
    fallback = FileSecretStore()  # keyring refused the write: keep the secret usable, still 0600
    values = fallback.load(key)
    _merge(values, fields)
    fallback.save(key, values)
    return fallback.where


def delete_secrets(key: str) -> list[str]:
    """Remove every stored field of `key`, from the keyring and the file; returns where it was found."""
    found: list[str] = []
    store = secret_store()
    if not isinstance(store, FileSecretStore):
        with contextlib.suppress(Exception):
            if store.load(key):
                store.delete(key)
                found.append(store.where)
        _index_remove(key)
    file_store = FileSecretStore()
    if file_store.load(key):
        file_store.delete(key)
        found.append(file_store.where)
    return found


# --- which accounts are stored (names only) ------------------------------------------------------------
def _index_path() -> Path:
    return paths.config_dir() / INDEX_NAME


def _index_read() -> list[str]:
    try:
        data = tomllib.loads(_index_path().read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    keys = data.get("keyring", [])
    return [str(k) for k in keys] if isinstance(keys, list) else []


def _index_write(keys: list[str]) -> None:
    atomic_write(_index_path(), tomli_w.dumps({"keyring": sorted(set(keys))}).encode("utf-8"), mode=0o600)


def _index_add(key: str) -> None:
    keys = _index_read()
    if key not in keys:
        with contextlib.suppress(OSError):
            _index_write([*keys, key])


def _index_remove(key: str) -> None:
    keys = _index_read()
    if key in keys:
        with contextlib.suppress(OSError):
            _index_write([k for k in keys if k != key])


def _keys_named_by_states() -> list[str]:
    """Accounts the migration states name (keyring entries saved before the index existed)."""
    from quittex_tui.state import list_states

    keys: list[str] = []
    try:
        states = list_states()
    except Exception:  # listing is a courtesy: a broken state folder must not break `accounts`
        return keys
    for _path, state in states:
        if state.bluesky is not None:
            keys.append(bluesky_key(state.bluesky.handle))
        if state.mastodon is not None:
            keys.append(mastodon_key(state.mastodon.instance))
    return keys


def stored_accounts() -> list[dict[str, str | list[str]]]:
    """Every account with secrets stored: network, account, where, the names (never the values) of the
    stored fields, and `acct` / `did` when known. Sorted by network then account."""
    found: dict[str, dict[str, str | list[str]]] = {}

    def add(key: str, values: dict[str, str], where: str) -> None:
        if not values or ":" not in key:
            return
        network, account = key.split(":", 1)
        entry = found.setdefault(key, {"network": network, "account": account, "stored_in": [], "fields": []})
        entry["stored_in"] = sorted({*entry["stored_in"], where})
        entry["fields"] = sorted({*entry["fields"], *(f for f in values if values[f])})
        for name in ("acct", "did"):
            if values.get(name):
                entry[name] = values[name]

    file_store = FileSecretStore()
    for key, values in file_store._read_all().items():
        add(key, values, file_store.where)
    store = secret_store()
    if not isinstance(store, FileSecretStore):
        for key in sorted({*_index_read(), *_keys_named_by_states()}):
            try:
                values = store.load(key)
            except Exception:
                continue
            add(key, values, store.where)
    return [found[k] for k in sorted(found)]


def _remember(values: Mapping[str, str | None]) -> None:
    """Every secret this process loads or stores is known to the scrubber (scrub.py) from then on, so a
    server echoing it back never gets it printed or journaled."""
    for name, value in values.items():
        if name == "session":
            remember_session_string(value)
        elif name in SECRET_FIELDS:
            remember_secrets(value)


def _merge(values: dict[str, str], fields: dict[str, str | None]) -> None:
    for name, value in fields.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
