"""Bluesky identity: handle → DID → PDS, with the atproto SDK's resolvers (`atproto_identity`).

Spec: atproto.com/specs/handle (resolution: DNS TXT `_atproto.<handle>`, then HTTPS
`https://<handle>/.well-known/atproto-did`) and atproto.com/specs/did (did:plc documents from the PLC
directory, did:web from `/.well-known/did.json`; the PDS is the service `#atproto_pds` of type
`AtprotoPersonalDataServer`). The SDK's `IdResolver` does both; a `com.atproto.identity.resolveHandle`
service (the public AppView by default) answers when DNS and HTTPS say nothing.

The SDK's handle resolver returns None for "not found" and "no network" alike, so when it finds nothing
the verdict comes from the resolveHandle service, whose answer tells the three cases apart:
- it answered "unable to resolve" (HTTP 400)       → AuthError "no Bluesky account has this handle";
- it could not be reached (DNS, refused, timeout)  → ServiceError "cannot check: unreachable" (exit 75);
- it answered something that is not XRPC (404, HTML) → ServiceError "… is not an atproto service".
The same three cases are told apart for the DID document and for the PDS probe (`describeServer`).

Every lookup has a total deadline (`IDENTITY_DEADLINE`, publish/deadline.py `within`), not only the
SDK's per-read timeouts: a server that accepts and then trickles or never finishes its answer cannot hang
a login or a command; past the deadline it counts as unreachable.

Overrides for self-hosted networks and the tests' local PLC: QUITTEX_PLC_URL (where did:plc documents
live) and QUITTEX_HANDLE_RESOLVER (the resolveHandle service, asked first when set).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quittex_tui.errors import AuthError, InputError, ServiceError, Term, todo
from quittex_tui.publish.addresses import check_url
from quittex_tui.publish.deadline import DeadlinePassed, within

if TYPE_CHECKING:
    import httpx
    from atproto_identity.resolver import IdResolver

PLC_URL_ENV = "QUITTEX_PLC_URL"
HANDLE_RESOLVER_ENV = "QUITTEX_HANDLE_RESOLVER"
OFFLINE_ENV = "QUITTEX_OFFLINE"  # tests: never reach beyond loopback (no DNS / HTTPS lookups of handles)
DEFAULT_PLC_URL = "https://plc.directory"
DEFAULT_HANDLE_RESOLVER = "https://public.api.bsky.app"
RESOLVE_TIMEOUT = 5.0
HTTP_TIMEOUT = 30.0
IDENTITY_DEADLINE = 15.0  # seconds for one whole lookup (DNS + HTTPS well-known, a DID document, a probe)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """What asking one server gave: `found` (with the value) or why not: `missing` (it says there is no
    such thing), `unreachable` (no answer), `failing` (5xx, 429) or `alien` (not the kind of server)."""

    outcome: str
    value: str | None = None
    detail: str = ""


def _id_resolver() -> IdResolver:
    from atproto_identity.resolver import IdResolver

    plc = check_url(os.environ.get(PLC_URL_ENV) or DEFAULT_PLC_URL, "PLC directory")
    return IdResolver(plc_url=plc, timeout=RESOLVE_TIMEOUT)


def _transport_detail(exc: BaseException) -> str:
    """A short, secret-free reason for a failed connection ("ConnectError: connection refused")."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def xrpc_resolve_handle(service: str, handle: str) -> Answer:
    """Ask `service` (com.atproto.identity.resolveHandle) for the DID of `handle`."""
    import httpx

    try:
        res = within(
            IDENTITY_DEADLINE,
            lambda: httpx.get(
                f"{service}/xrpc/com.atproto.identity.resolveHandle",
                params={"handle": handle},
                timeout=RESOLVE_TIMEOUT,
            ),
        )
    except (httpx.HTTPError, DeadlinePassed) as exc:
        return Answer("unreachable", detail=_transport_detail(exc))
    body = _json(res)
    if res.status_code == 200 and isinstance(body, dict) and str(body.get("did", "")).startswith("did:"):
        return Answer("found", str(body["did"]))
    if res.status_code == 400 and isinstance(body, dict) and "error" in body:
        return Answer("missing", detail=str(body.get("message") or body.get("error")))
    if res.status_code >= 500 or res.status_code == 429:
        return Answer("failing", detail=f"HTTP {res.status_code}")
    return Answer("alien", detail=f"HTTP {res.status_code}")


def _json(res: httpx.Response) -> Any:
    try:
        return res.json()
    except ValueError:
        return None


def resolve_handle(handle: str) -> str:
    """The DID of `handle`; raises AuthError (no such handle) or ServiceError (could not ask)."""
    override = os.environ.get(HANDLE_RESOLVER_ENV)
    service = check_url(override, "handle resolver") if override else DEFAULT_HANDLE_RESOLVER
    verdict: Answer | None = None
    if override:
        verdict = xrpc_resolve_handle(service, handle)
        if verdict.outcome == "found" and verdict.value:
            return verdict.value
    offline = bool(os.environ.get(OFFLINE_ENV))
    if not offline:
        resolver = _id_resolver()
        did: str | None
        try:  # DNS TXT, then HTTPS well-known (errors → None)
            did = within(IDENTITY_DEADLINE, lambda: resolver.handle.resolve(handle))
        except DeadlinePassed:
            did = None  # the resolveHandle service below gives the verdict
        if did:
            return did
    if verdict is None:
        verdict = (
            Answer("unreachable", detail=f"{OFFLINE_ENV} is set")
            if offline
            else xrpc_resolve_handle(service, handle)
        )
        if verdict.outcome == "found" and verdict.value:
            return verdict.value
    log.info("handle @%s not resolved: %s from %s (%s)", handle, verdict.outcome, service, verdict.detail)
    if verdict.outcome == "missing":
        raise AuthError(
            key="error.handle.not_found",
            params={"handle": handle},
            todo=[todo("check_handle", handle=handle), todo("give_pds", handle=handle)],
        )
    if verdict.outcome == "unreachable":
        raise ServiceError(
            key="error.handle.unreachable",
            params={"handle": handle, "server": service, "detail": verdict.detail},
            todo=[todo("check_network"), todo("retry_later")],
        )
    if verdict.outcome == "failing":
        raise ServiceError(
            key="error.server.failing",
            params={"server": service, "detail": verdict.detail},
            todo=[todo("retry_later")],
        )
    raise ServiceError(
        key="error.handle.alien_resolver",
        params={"server": service, "detail": verdict.detail},
        todo=[todo("give_pds", handle=handle)],
    )


def did_document(did: str) -> dict[str, Any]:
    """The DID document of `did` (did:plc from the PLC directory, did:web from its domain), as a dict."""
    import httpx
    from atproto_identity.exceptions import (
        DidPlcResolverError,
        DidWebResolverError,
        PoorlyFormattedDidError,
        UnsupportedDidMethodError,
        UnsupportedDidWebPathError,
    )

    resolver = _id_resolver()
    try:
        doc = within(IDENTITY_DEADLINE, lambda: resolver.did.resolve_without_validation(did))
    except DeadlinePassed as exc:
        raise ServiceError(
            key="error.did.unreachable",
            params={"did": did, "server": _did_host(did), "detail": _transport_detail(exc)},
            todo=[todo("check_network"), todo("retry_later")],
        ) from None
    except (PoorlyFormattedDidError, UnsupportedDidMethodError, UnsupportedDidWebPathError):
        raise AuthError(key="error.did.unsupported", params={"did": did}) from None
    except (DidPlcResolverError, DidWebResolverError) as exc:
        cause = exc.__cause__
        where = _did_host(did)
        if isinstance(cause, httpx.HTTPStatusError):
            status = cause.response.status_code
            if status in (404, 410):
                raise AuthError(key="error.did.not_found", params={"did": did, "server": where}) from None
            if status >= 500 or status == 429:
                raise ServiceError(
                    key="error.server.failing",
                    params={"server": where, "detail": f"HTTP {status}"},
                    todo=[todo("retry_later")],
                ) from None
            raise ServiceError(
                key="error.did.alien",
                params={"did": did, "server": where, "detail": f"HTTP {status}"},
                todo=[todo("retry_later")],
            ) from None
        if isinstance(cause, httpx.HTTPError):
            raise ServiceError(
                key="error.did.unreachable",
                params={"did": did, "server": where, "detail": _transport_detail(cause)},
                todo=[todo("check_network"), todo("retry_later")],
            ) from None
        # the body was not JSON: whatever answered is not a DID directory
        raise ServiceError(
            key="error.did.alien",
            params={"did": did, "server": where, "detail": "not JSON"},
            todo=[todo("retry_later")],
        ) from None
    except ValueError:  # pydantic_core.from_json on a non-JSON body (did:plc 200 with HTML)
        raise ServiceError(
            key="error.did.alien",
            params={"did": did, "server": _did_host(did), "detail": "not JSON"},
            todo=[todo("retry_later")],
        ) from None
    if doc is None:  # the PLC directory answered 404
        raise AuthError(key="error.did.not_found", params={"did": did, "server": _did_host(did)})
    return doc if isinstance(doc, dict) else {}


def _did_host(did: str) -> str:
    if did.startswith("did:web:"):
        return did.removeprefix("did:web:").replace("%3A", ":")
    return os.environ.get(PLC_URL_ENV) or DEFAULT_PLC_URL


def pds_from_did_document(doc: dict[str, Any]) -> str | None:
    """The `#atproto_pds` endpoint (atproto.com/specs/did), through the SDK's DidDocument model."""
    from atproto_core.did_doc import DidDocument
    from pydantic import ValidationError

    try:
        parsed = DidDocument.from_dict(doc)
    except ValidationError:
        return None
    endpoint: str | None = parsed.get_pds_endpoint()
    return endpoint


def resolve_pds(handle: str) -> tuple[str, str]:
    """(did, pds url) for `handle` from its DID document."""
    did = handle if handle.startswith("did:") else resolve_handle(handle)
    pds = pds_from_did_document(did_document(did))
    log.info("@%s is %s on %s", handle, did, pds)
    if not pds:
        raise AuthError(
            key="error.did.no_pds",
            params={"handle": handle, "did": did},
            todo=[todo("give_pds", handle=handle)],
        )
    return did, check_url(pds, "PDS")


def probe_pds(url: str) -> dict[str, Any]:
    """Check `url` is a reachable atproto PDS (com.atproto.server.describeServer) before logging in.

    Raises ServiceError when it cannot be reached or is failing, InputError when what answers is not a
    PDS (a web site, a Mastodon server): "retry later" and "check the address" are different advice."""
    import httpx

    base = check_url(url, "PDS")
    try:
        res = within(
            IDENTITY_DEADLINE,
            lambda: httpx.get(f"{base}/xrpc/com.atproto.server.describeServer", timeout=RESOLVE_TIMEOUT * 2),
        )
    except (httpx.HTTPError, DeadlinePassed) as exc:
        raise ServiceError(
            key="error.server.unreachable",
            params={"server": base, "what": Term("what.pds"), "detail": _transport_detail(exc)},
            todo=[todo("check_pds", service=base), todo("check_network"), todo("retry_later")],
        ) from None
    body = _json(res)
    if res.status_code == 200 and isinstance(body, dict) and str(body.get("did", "")).startswith("did:"):
        return body
    if res.status_code >= 500 or res.status_code == 429:
        raise ServiceError(
            key="error.server.failing",
            params={"server": base, "detail": f"HTTP {res.status_code}"},
            todo=[todo("retry_later")],
        )
    raise InputError(
        key="error.pds.alien",
        params={"server": base, "detail": f"HTTP {res.status_code}"},
        todo=[todo("check_pds", service=base)],
    )
