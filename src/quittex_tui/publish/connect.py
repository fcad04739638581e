"""Build logged-in publishing targets, and the Bluesky login behind `quittex-tui login bluesky`.

Secrets come from (in order) the explicit argument, the environment (`QUITTEX_BLUESKY_APP_PASSWORD` /
`QUITTEX_MASTODON_TOKEN`), the OS keyring, the 0600 file (secrets.py). Every failure a person can fix
becomes an `AuthError` / `ServiceError` / `InputError` whose message names the account or server —
never the secret — and whose `todo` says what to do (errors.py: each front end phrases it).

The other concerns live beside this module, and are re-exported here for callers:
- addresses.py: the URLs, handles and Mastodon addresses people type, made canonical (no I/O);
- identity.py: Bluesky handle → DID → PDS with the atproto SDK's resolvers, and the PDS probe;
- mastodon_login.py: is it Mastodon, the OAuth out-of-band login, Mastodon errors in words.

Bluesky: the PDS comes from the DID document unless `--service` forces one. The SDK session string is
stored and reused, so a resume costs no `createSession` (30 / 5 min, 300 / day); refreshed tokens are
persisted through `on_session_change`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from quittex_tui import scrub
from quittex_tui.errors import AuthError, InputError, ServiceError, Term, login_todo, todo
from quittex_tui.publish import secrets
from quittex_tui.publish.addresses import (
    bluesky_handle,
    check_url,
    is_loopback_host,
    mastodon_instance,
)
from quittex_tui.publish.identity import (
    DEFAULT_HANDLE_RESOLVER,
    DEFAULT_PLC_URL,
    HANDLE_RESOLVER_ENV,
    PLC_URL_ENV,
    did_document,
    pds_from_did_document,
    probe_pds,
    resolve_handle,
    resolve_pds,
)
from quittex_tui.publish.mastodon_login import (
    APP_NAME,
    MASTODON_SCOPES,
    OOB,
    login_mastodon_finish,
    login_mastodon_start,
    mastodon_error,
    probe_mastodon,
    store_mastodon_token,
)

# The network SDKs are imported inside the functions that use them: atproto alone takes about a second
# (several on a cold disk), and `migrate --dry-run`, `plan`, `--help` or a Mastodon-only run need none of it
# (tests/publish/test_lazy_imports.py checks that the CLI modules load without atproto and mastodon).
if TYPE_CHECKING:
    from atproto import Client, Session, SessionEvent
    from atproto_core.exceptions import AtProtocolError
    from mastodon import Mastodon

    from quittex_tui.publish.bluesky import BlueskyTarget, HeaderCapturingRequest
    from quittex_tui.publish.mastodon import MastodonTarget, RateHeaderLog

__all__ = [
    "APP_NAME",
    "DEFAULT_HANDLE_RESOLVER",
    "DEFAULT_PLC_URL",
    "HANDLE_RESOLVER_ENV",
    "MASTODON_SCOPES",
    "OOB",
    "PLC_URL_ENV",
    "check_url",
    "connect_bluesky",
    "connect_mastodon",
    "did_document",
    "is_loopback_host",
    "login_bluesky",
    "login_mastodon_finish",
    "login_mastodon_start",
    "normalize_handle",
    "pds_from_did_document",
    "probe_mastodon",
    "probe_pds",
    "resolve_handle",
    "resolve_pds",
    "store_mastodon_token",
    "stored_secret_location",
]

HTTP_TIMEOUT = 30.0
log = logging.getLogger(__name__)


def normalize_handle(handle: str) -> str:
    """A canonical Bluesky handle from any usual way of writing one (addresses.bluesky_handle)."""
    return bluesky_handle(handle)


# --- Bluesky -----------------------------------------------------------------------------------------
def _bluesky_auth_error(
    exc: AtProtocolError, handle: str, server: str, *, password: str | None = None, service: str | None = None
) -> Exception:
    """A failed createSession/getSession in words: unreachable, not a PDS, rate-limited, failing, refused."""
    from atproto_client.exceptions import RequestErrorBase

    log.info("Bluesky login for @%s on %s failed: %s", handle, server, type(exc).__name__)

    if isinstance(exc, RequestErrorBase) and exc.response is None:
        return ServiceError(
            key="error.server.unreachable",
            params={"server": server, "what": Term("what.pds"), "detail": type(exc).__name__},
            todo=[todo("check_pds", service=server), todo("check_network"), todo("retry_later")],
        )
    status = exc.response.status_code if isinstance(exc, RequestErrorBase) and exc.response else 0
    if status == 429:
        return ServiceError(
            key="error.bluesky.login_rate_limited", params={"handle": handle}, todo=[todo("wait_rate_limit")]
        )
    if status >= 500:
        return ServiceError(
            key="error.server.failing",
            params={"server": server, "detail": f"HTTP {status}"},
            todo=[todo("retry_later")],
        )
    if status not in (400, 401, 403):
        # 404/405/…: whatever answers is not an atproto PDS (a web site, a Mastodon server) — the address
        # is wrong, not the password.
        return InputError(
            key="error.pds.alien",
            params={"server": server, "detail": f"HTTP {status}"},
            todo=[todo("check_pds", service=server)],
        )
    if password and password == os.environ.get(secrets.BLUESKY_PASSWORD_ENV):
        # `login` reads the same variable first: "log in again" would fail the same way.
        return AuthError(
            key="error.bluesky.env_password_refused",
            params={
                "handle": handle,
                "server": server,
                "env": secrets.BLUESKY_PASSWORD_ENV,
                "status": status,
            },
            todo=[
                todo("check_handle", handle=handle),
                todo("unset_password_env", env=secrets.BLUESKY_PASSWORD_ENV),
            ],
        )
    return AuthError(
        key="error.bluesky.login_refused",
        params={"handle": handle, "server": server, "status": status},
        todo=[
            todo("check_handle", handle=handle),
            todo("app_password"),
            login_todo(handle, service),
        ],
    )


def _bluesky_client(
    handle: str, service: str | None, request: HeaderCapturingRequest | None = None, *, probe: bool = False
) -> tuple[Client, HeaderCapturingRequest, str]:
    from atproto import Client

    from quittex_tui.publish.bluesky import HeaderCapturingRequest

    if service:
        base = check_url(service, "Bluesky server")
        if probe:  # a login: say "unreachable" or "not a PDS" before the password is sent there
            probe_pds(base)
    else:
        _, base = resolve_pds(handle)
    request = request or HeaderCapturingRequest(timeout=HTTP_TIMEOUT)
    return Client(base_url=base, request=request), request, base


def _current_session(client: Client) -> Session:
    """The client's session through the SDK's public export (not its private `_session`)."""
    from atproto import Session

    return Session.decode(client.export_session_string())


def _session_pds(client: Client, fallback: str) -> str:
    endpoint = _current_session(client).pds_endpoint or fallback
    return check_url(endpoint.removesuffix("/xrpc"), "PDS")


def _persist_session(key: str) -> Callable[[SessionEvent, Session], None]:
    from atproto import SessionEvent

    def _save(event: SessionEvent, session: Session) -> None:
        encoded = session.encode()
        scrub.remember_session_string(encoded)  # a server echoing these tokens never gets them printed
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            secrets.update_secrets(key, session=encoded)

    return _save


def connect_bluesky(
    handle: str,
    *,
    service: str | None = None,
    password: str | None = None,
    request: HeaderCapturingRequest | None = None,
) -> BlueskyTarget:
    """A logged-in BlueskyTarget. Reuses the stored session; creates one only when it is missing or dead."""
    from atproto_core.exceptions import AtProtocolError

    from quittex_tui.publish.bluesky import BlueskyTarget

    handle = normalize_handle(handle)
    key = secrets.bluesky_key(handle)
    stored = secrets.load_secrets(key)
    password = password or os.environ.get(secrets.BLUESKY_PASSWORD_ENV) or stored.get("password")
    scrub.remember_secrets(password)
    # `request`: tests inject the SDK request layer with their own httpx transport (fault injection).
    client, req, base = _bluesky_client(handle, service, request)
    client.on_session_change(_persist_session(key))

    session_string = stored.get("session")
    if session_string and _session_usable(client, session_string, handle):
        pass
    else:
        if not password:
            raise AuthError(
                key="error.bluesky.no_password",
                params={"handle": handle},
                todo=[login_todo(handle, service)],
            )
        try:
            client.login(handle, password, fetch_bsky_profile=False)
        except AtProtocolError as exc:
            raise _bluesky_auth_error(exc, handle, base, password=password, service=service) from None
    session = _current_session(client)
    target = BlueskyTarget(
        client,
        did=session.did,
        handle=session.handle or handle,
        pds=_session_pds(client, base),
        request=req,
        password=password,
    )
    target.on_session_refresh = lambda encoded: secrets.update_secrets(key, session=encoded)
    target.service = service  # "log in again" keeps the server the user named
    return target


def _session_usable(client: Client, session_string: str, handle: str) -> bool:
    """Import the stored session and check it with getSession (auto-refreshed by the SDK if expired)."""
    from atproto import Session
    from atproto_client.exceptions import RequestErrorBase
    from atproto_core.exceptions import AtProtocolError

    try:
        session = Session.decode(session_string)
    except ValueError:
        return False
    if session.handle.lower() != handle and session.did != handle:
        return False
    try:
        client.login(session_string=session_string, fetch_bsky_profile=False)
        client.com.atproto.server.get_session()
    except AtProtocolError as exc:
        if isinstance(exc, RequestErrorBase) and exc.response is None:
            raise _bluesky_auth_error(exc, handle, session.pds_endpoint or "the Bluesky server") from None
        return False  # expired / revoked: fall back to the app password
    except ValueError:
        return False
    return True


def login_bluesky(handle: str, password: str, service: str | None = None) -> str:
    """Verify `password` with a fresh createSession, store it with the session string; returns the DID."""
    from atproto_core.exceptions import AtProtocolError

    handle = normalize_handle(handle)
    if not password:
        raise InputError(key="error.bluesky.empty_password", todo=[todo("app_password")])
    scrub.remember_secrets(password)
    key = secrets.bluesky_key(handle)
    client, _, base = _bluesky_client(handle, service, probe=True)
    try:
        client.login(handle, password, fetch_bsky_profile=False)
    except AtProtocolError as exc:
        raise _bluesky_auth_error(exc, handle, base, password=password, service=service) from None
    session = _current_session(client)
    _session_pds(client, base)  # refuse a DID document that points at a plain-http remote PDS
    where = secrets.update_secrets(key, password=password, session=session.encode(), did=session.did)
    did: str = session.did
    log.info("logged in to Bluesky as @%s (%s) on %s (secrets in %s)", handle, did, base, where)
    return did


# --- Mastodon ----------------------------------------------------------------------------------------
def _mastodon_api(
    instance: str, token: str | None, log: RateHeaderLog | None = None, **kwargs: Any
) -> Mastodon:
    from mastodon import Mastodon

    from quittex_tui.publish.deadline import DeadlineSession

    scrub.remember_secrets(token, kwargs.get("client_secret"))
    session = DeadlineSession()  # a total deadline per request (deadline.py): Mastodon.py's public session=
    if log is not None:
        session.hooks["response"].append(log.hook)
    # ratelimit_method="throw": never let the library sleep on its own; the engine's Pacer owns waiting.
    return Mastodon(
        api_base_url=instance,
        access_token=token,
        ratelimit_method="throw",
        request_timeout=HTTP_TIMEOUT,
        session=session,
        version_check_mode="none",
        user_agent=APP_NAME,
        **kwargs,
    )


def connect_mastodon(
    instance: str, *, token: str | None = None, visibility: str = "unlisted"
) -> MastodonTarget:
    from mastodon import MastodonError

    from quittex_tui.publish.mastodon import MastodonTarget, RateHeaderLog

    url = mastodon_instance(instance)
    stored = secrets.load_secrets(secrets.mastodon_key(url))
    env_token = os.environ.get(secrets.MASTODON_TOKEN_ENV)
    source = "given" if token else "env" if env_token else "saved"
    token = token or env_token or stored.get("token")
    if not token:
        raise AuthError(
            key="error.mastodon.no_token", params={"server": url}, todo=[todo("login_mastodon", instance=url)]
        )
    log = RateHeaderLog()
    api = _mastodon_api(url, token, log)
    try:
        me = api.account_verify_credentials()
    except MastodonError as exc:
        raise mastodon_error(exc, url, source) from None
    return MastodonTarget(api, instance=url, account=dict(me), visibility=visibility, headers=log)


def stored_secret_location() -> str:
    """Where new secrets go on this machine (for messages): the OS keyring or the file path."""
    return secrets.secret_store().where
