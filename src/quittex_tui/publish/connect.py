"""Build logged-in publishing targets, and the login flows behind `quittex-tui login`.

Contract: /work/team/ENGINE_API.md ("connect.py"). Secrets come from (in order) the explicit argument,
the environment (`QUITTEX_BLUESKY_APP_PASSWORD` / `QUITTEX_MASTODON_TOKEN`), the OS keyring, the 0600
file (secrets.py). Every failure a person can fix becomes an `AuthError` / `ServiceError` / `InputError`
whose message names the account or server — never the secret.

Bluesky: handle → DID → PDS from the DID document (atproto "Identity" spec: DNS TXT `_atproto.<handle>`
or `https://<handle>/.well-known/atproto-did`, then the PLC directory / did:web document), unless
`--service` forces a PDS. The SDK session string is stored and reused, so a resume costs no
`createSession` (30 / 5 min, 300 / day); refreshed tokens are persisted through `on_session_change`.

Mastodon: OAuth app registered once per instance (`POST /api/v1/apps`), out-of-band authorization
code (`urn:ietf:wg:oauth:2.0:oob` — works over SSH), token stored. The password grant is gone since
Mastodon 4.4.

Plain `http://` is refused except on loopback (127.0.0.0/8, localhost, ::1), which the tests use.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from quittex_tui.errors import AuthError, InputError, ServiceError
from quittex_tui.publish import scrub, secrets

# The network SDKs are imported inside the functions that use them: atproto alone takes about a second
# (several on a cold disk), and `migrate --dry-run`, `plan`, `--help` or a Mastodon-only run need none of it
# (tests/test_imports.py checks that the CLI modules load without atproto and mastodon).
if TYPE_CHECKING:
    from atproto import Client, Session, SessionEvent
    from atproto_core.exceptions import AtProtocolError
    from mastodon import Mastodon

    from quittex_tui.publish.bluesky import BlueskyTarget, HeaderCapturingRequest
    from quittex_tui.publish.mastodon import MastodonTarget, RateHeaderLog

# Overridable for self-hosted networks (and the tests' local PLC): where did:plc documents live, and an
# XRPC service that answers com.atproto.identity.resolveHandle when DNS/HTTPS resolution finds nothing.
PLC_URL_ENV = "QUITTEX_PLC_URL"
HANDLE_RESOLVER_ENV = "QUITTEX_HANDLE_RESOLVER"
DEFAULT_PLC_URL = "https://plc.directory"
DEFAULT_HANDLE_RESOLVER = "https://public.api.bsky.app"
HTTP_TIMEOUT = 30.0
RESOLVE_TIMEOUT = 5.0

OOB = "urn:ietf:wg:oauth:2.0:oob"
MASTODON_SCOPES = ["read", "write:statuses", "write:media", "write:follows", "write:accounts"]
APP_NAME = "quittex-tui"
APP_WEBSITE = "https://github.com/quittex/quittex-tui"


_HOST_RE = re.compile(r"[\w.\-:%]+")

# --- URLs --------------------------------------------------------------------------------------------
def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str) -> str:
    """`url` normalised (scheme added, no trailing slash); `http://` only for loopback hosts."""
    raw = url.strip()
    if not raw:
        raise InputError(f"the {what} URL is empty")
    if "://" not in raw:
        raw = "https://" + raw
    parsed = urlparse(raw)
    # A host name is letters/digits (IDN letters too), dots and dashes, or an IP literal; "not a url" or
    # "host/with space" must fail here, not later as a misleading "no token saved for https://not a url".
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.hostname
        or any(ch.isspace() for ch in raw)
        or not _HOST_RE.fullmatch(parsed.hostname)
    ):
        raise InputError(f"{url!r} is not a usable {what} URL", "give it as https://host.example")
    if parsed.scheme == "http" and not is_loopback_host(parsed.hostname):
        raise InputError(
            f"refusing plain http:// for the {what} {parsed.hostname}: your password or token would cross "
            "the network unencrypted",
            f"use https://{parsed.netloc}{parsed.path}".rstrip("/"),
        )
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}".rstrip("/")


def _loopback(url: str) -> bool:
    return is_loopback_host(urlparse(url).hostname or "")


def normalize_handle(handle: str) -> str:
    value = handle.strip().lstrip("@").lower()
    if not value or " " in value:
        raise InputError(f"{handle!r} is not a Bluesky handle", "give it like alice.bsky.social")
    return value


# --- Bluesky identity --------------------------------------------------------------------------------
def resolve_handle(handle: str) -> str:
    """DID of `handle`: DNS TXT, then HTTPS well-known, then a resolveHandle service."""
    candidates: list[Callable[[], str | None]] = []
    override = os.environ.get(HANDLE_RESOLVER_ENV)
    if override:
        candidates.append(lambda: _xrpc_resolve(check_url(override, "handle resolver"), handle))
    candidates += [
        lambda: _dns_resolve(handle),
        lambda: _well_known_resolve(handle),
    ]
    if not override:
        candidates.append(lambda: _xrpc_resolve(DEFAULT_HANDLE_RESOLVER, handle))
    for attempt in candidates:
        did = attempt()
        if did and did.startswith("did:"):
            return did
    raise AuthError(
        f"the Bluesky handle @{handle} does not resolve to an account",
        "check the spelling (e.g. alice.bsky.social), or give your server with --service URL",
    )


def _dns_resolve(handle: str) -> str | None:
    try:
        import dns.resolver

        answers = dns.resolver.resolve(f"_atproto.{handle}", "TXT", lifetime=RESOLVE_TIMEOUT)
    except Exception:  # NXDOMAIN, no network, timeouts: try the next method
        return None
    for answer in answers:
        for item in answer.strings:
            value = item.decode("utf-8", errors="replace")
            if value.startswith("did="):
                return value[4:].strip()
    return None


def _well_known_resolve(handle: str) -> str | None:
    import httpx

    try:
        res = httpx.get(f"https://{handle}/.well-known/atproto-did", timeout=RESOLVE_TIMEOUT)
    except httpx.HTTPError:
        return None
    if res.status_code != 200:
        return None
    line = res.text.strip().splitlines()[0] if res.text.strip() else ""
    return line if line.startswith("did:") else None


def _xrpc_resolve(service: str, handle: str) -> str | None:
    import httpx

    try:
        res = httpx.get(
            f"{service}/xrpc/com.atproto.identity.resolveHandle",
            params={"handle": handle},
            timeout=RESOLVE_TIMEOUT,
        )
    except httpx.HTTPError:
        return None
    if res.status_code != 200:
        return None
    try:
        did = res.json().get("did")
    except ValueError:
        return None
    return did if isinstance(did, str) else None


def did_document(did: str) -> dict[str, Any]:
    import httpx

    if did.startswith("did:plc:"):
        base = check_url(os.environ.get(PLC_URL_ENV) or DEFAULT_PLC_URL, "PLC directory")
        url = f"{base}/{did}"
    elif did.startswith("did:web:"):
        host = did.removeprefix("did:web:").replace("%3A", ":")
        url = f"https://{host}/.well-known/did.json"
    else:
        raise AuthError(f"unsupported DID method in {did}")
    try:
        res = httpx.get(url, timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        raise ServiceError(
            f"cannot fetch the DID document of {did} ({type(exc).__name__})", "check your network and retry"
        ) from None
    if res.status_code != 200:
        raise AuthError(f"the DID document of {did} was not found (HTTP {res.status_code})")
    try:
        doc = res.json()
    except ValueError:
        raise ServiceError(f"the DID document of {did} is not JSON") from None
    return doc if isinstance(doc, dict) else {}


def pds_from_did_document(doc: dict[str, Any]) -> str | None:
    for service in doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        if (
            str(service.get("id", "")).endswith("#atproto_pds")
            and service.get("type") == "AtprotoPersonalDataServer"
        ):
            endpoint = service.get("serviceEndpoint")
            return endpoint if isinstance(endpoint, str) else None
    return None


def resolve_pds(handle: str) -> tuple[str, str]:
    """(did, pds url) for `handle` from the DID document."""
    did = resolve_handle(handle)
    pds = pds_from_did_document(did_document(did))
    if not pds:
        raise AuthError(f"the DID document of @{handle} names no PDS", "give your server with --service URL")
    return did, check_url(pds, "PDS")


# --- Bluesky -----------------------------------------------------------------------------------------
def _bluesky_auth_error(
    exc: AtProtocolError, handle: str, server: str, *, password: str | None = None
) -> Exception:
    from atproto_client.exceptions import RequestErrorBase

    if isinstance(exc, RequestErrorBase) and exc.response is None:
        return ServiceError(
            f"cannot reach the Bluesky server {server} ({type(exc).__name__})",
            "check the address and your network, then retry",
        )
    status = exc.response.status_code if isinstance(exc, RequestErrorBase) and exc.response else 0
    if status == 429:
        return ServiceError(
            f"Bluesky is rate-limiting logins for @{handle} (createSession: 30 per 5 min, 300 per day)",
            "wait a few minutes and retry",
        )
    if status >= 500:
        return ServiceError(f"the Bluesky server {server} failed (HTTP {status})", "retry later")
    if password and password == os.environ.get(secrets.BLUESKY_PASSWORD_ENV):
        # `login` reads the same variable first: "log in again" would fail the same way.
        return AuthError(
            f"Bluesky refused the login for @{handle} on {server}: wrong handle, or wrong app password in "
            f"{secrets.BLUESKY_PASSWORD_ENV} (HTTP {status})",
            f"check the handle; unset {secrets.BLUESKY_PASSWORD_ENV} or set it to a valid app password "
            "(Settings → Privacy and security → App passwords), then retry",
        )
    return AuthError(
        f"Bluesky refused the login for @{handle} on {server}: wrong handle or app password (HTTP {status})",
        f"check the handle, create an app password (Settings → Privacy and security → App passwords) and "
        f"run: quittex-tui login bluesky {handle}",
    )


def _bluesky_client(
    handle: str, service: str | None, request: HeaderCapturingRequest | None = None
) -> tuple[Client, HeaderCapturingRequest, str]:
    from atproto import Client

    from quittex_tui.publish.bluesky import HeaderCapturingRequest

    if service:
        base = check_url(service, "Bluesky server")
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
                f"no Bluesky app password saved for @{handle}",
                f"run: quittex-tui login bluesky {handle}   (or set {secrets.BLUESKY_PASSWORD_ENV})",
            )
        try:
            client.login(handle, password, fetch_bsky_profile=False)
        except AtProtocolError as exc:
            raise _bluesky_auth_error(exc, handle, base, password=password) from None
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
        raise InputError("the app password is empty")
    scrub.remember_secrets(password)
    key = secrets.bluesky_key(handle)
    client, _, base = _bluesky_client(handle, service)
    try:
        client.login(handle, password, fetch_bsky_profile=False)
    except AtProtocolError as exc:
        raise _bluesky_auth_error(exc, handle, base, password=password) from None
    session = _current_session(client)
    _session_pds(client, base)  # refuse a DID document that points at a plain-http remote PDS
    secrets.update_secrets(key, password=password, session=session.encode(), did=session.did)
    return session.did


# --- Mastodon ----------------------------------------------------------------------------------------
def _mastodon_service_error(exc: Exception, instance: str, token_source: str = "saved") -> Exception:
    """`token_source`: "saved" (keyring/file), "env" (QUITTEX_MASTODON_TOKEN) or "given" (being stored)."""
    from mastodon import MastodonAPIError, MastodonNetworkError, MastodonUnauthorizedError

    if isinstance(exc, MastodonNetworkError):
        return ServiceError(
            f"cannot reach the Mastodon server {instance}", "check the address and your network, then retry"
        )
    if isinstance(exc, MastodonUnauthorizedError):
        if token_source == "env":
            # "log in again" would not help: the environment variable wins over any stored token.
            return AuthError(
                f"the Mastodon server {instance} rejected the access token in {secrets.MASTODON_TOKEN_ENV} "
                "(wrong, revoked or for another server)",
                f"unset {secrets.MASTODON_TOKEN_ENV} (or set it to a valid token for {instance}), then "
                f"retry or log in: quittex-tui login mastodon {instance}",
            )
        if token_source == "given":
            return AuthError(
                f"the Mastodon server {instance} rejected this access token (wrong, revoked or for another "
                "server)",
                f"check the token, or log in without it: quittex-tui login mastodon {instance}",
            )
        return AuthError(
            f"the Mastodon server {instance} rejected the saved access token (revoked or expired)",
            f"log in again: quittex-tui login mastodon {instance}",
        )
    if isinstance(exc, MastodonAPIError) and len(exc.args) > 1 and isinstance(exc.args[1], int):
        status = exc.args[1]
        if status == 403:
            return AuthError(
                f"the Mastodon server {instance} refused access "
                "(HTTP 403: account disabled or missing scopes)",
                f"log in again: quittex-tui login mastodon {instance}",
            )
        return ServiceError(f"the Mastodon server {instance} answered HTTP {status}", "retry later")
    return ServiceError(f"talking to the Mastodon server {instance} failed ({type(exc).__name__})")


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

    url = check_url(instance, "Mastodon server")
    stored = secrets.load_secrets(secrets.mastodon_key(url))
    env_token = os.environ.get(secrets.MASTODON_TOKEN_ENV)
    source = "given" if token else "env" if env_token else "saved"
    token = token or env_token or stored.get("token")
    if not token:
        raise AuthError(
            f"no Mastodon access token saved for {url}",
            f"run: quittex-tui login mastodon {url}   (or set {secrets.MASTODON_TOKEN_ENV})",
        )
    log = RateHeaderLog()
    api = _mastodon_api(url, token, log)
    try:
        me = api.account_verify_credentials()
    except MastodonError as exc:
        raise _mastodon_service_error(exc, url, source) from None
    return MastodonTarget(api, instance=url, account=dict(me), visibility=visibility, headers=log)


def _mastodon_app(url: str) -> tuple[str, str]:
    from mastodon import Mastodon, MastodonError

    key = secrets.mastodon_key(url)
    stored = secrets.load_secrets(key)
    if stored.get("client_id") and stored.get("client_secret"):
        return stored["client_id"], stored["client_secret"]
    try:
        client_id, client_secret = Mastodon.create_app(
            APP_NAME,
            scopes=MASTODON_SCOPES,
            redirect_uris=OOB,
            website=APP_WEBSITE,
            api_base_url=url,
            request_timeout=HTTP_TIMEOUT,
        )
    except MastodonError as exc:
        raise _mastodon_service_error(exc, url) from None
    secrets.update_secrets(key, client_id=client_id, client_secret=client_secret)
    return client_id, client_secret


def login_mastodon_start(instance: str) -> str:
    """Register the app once per instance; the URL the user opens to get an authorization code."""
    from mastodon import MastodonError

    url = check_url(instance, "Mastodon server")
    client_id, client_secret = _mastodon_app(url)
    api = _mastodon_api(url, None, client_id=client_id, client_secret=client_secret)
    try:
        # allow_http: Mastodon.py refuses http OAuth endpoints; check_url already limited http to loopback.
        return api.auth_request_url(redirect_uris=OOB, scopes=MASTODON_SCOPES, allow_http=_loopback(url))
    except MastodonError as exc:
        raise _mastodon_service_error(exc, url) from None


def login_mastodon_finish(instance: str, code: str) -> str:
    """Trade the authorization code for a token, verify it, store it; returns the account `user@domain`."""
    from mastodon import MastodonError, MastodonIllegalArgumentError

    url = check_url(instance, "Mastodon server")
    code = code.strip()
    if not code:
        raise InputError("the authorization code is empty", f"run `quittex-tui login mastodon {url}` again")
    client_id, client_secret = _mastodon_app(url)
    api = _mastodon_api(url, None, client_id=client_id, client_secret=client_secret)
    try:
        token = api.log_in(code=code, redirect_uri=OOB, scopes=MASTODON_SCOPES, allow_http=_loopback(url))
    except MastodonIllegalArgumentError:
        # Mastodon.py wraps the server's refusal; its text is not shown (it could echo request details).
        raise AuthError(
            f"the Mastodon server {url} refused the authorization code",
            f"codes are single-use and expire: run `quittex-tui login mastodon {url}` again",
        ) from None
    except MastodonError as exc:
        raise _mastodon_service_error(exc, url) from None
    return store_mastodon_token(url, token)


def store_mastodon_token(instance: str, token: str, *, token_source: str = "given") -> str:
    """Verify `token` against the instance and store it; returns the account `user@domain`."""
    from mastodon import MastodonError

    url = check_url(instance, "Mastodon server")
    api = _mastodon_api(url, token)
    try:
        me = api.account_verify_credentials()
        domain = _instance_domain(api, url)
    except MastodonError as exc:
        raise _mastodon_service_error(exc, url, token_source) from None
    acct = f"{me['acct']}@{domain}" if "@" not in str(me["acct"]) else str(me["acct"])
    secrets.update_secrets(secrets.mastodon_key(url), token=token, acct=acct)
    return acct


def _instance_domain(api: Mastodon, url: str) -> str:
    from mastodon import MastodonError

    try:
        domain = api.instance_v2().get("domain")
    except MastodonError:
        domain = None
    return str(domain) if domain else (urlparse(url).netloc or url)


def stored_secret_location() -> str:
    """Where new secrets go on this machine (for messages): the OS keyring or the file path."""
    return secrets.secret_store().where
