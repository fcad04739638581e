"""Mastodon: is this a Mastodon server, the OAuth login behind `quittex-tui login mastodon`, and what a
failure means in words.

Spec: docs.joinmastodon.org/methods/instance (GET /api/v2/instance, /api/v1/instance before 4.0),
docs.joinmastodon.org/methods/apps (POST /api/v1/apps, registered once per instance and kept with the
secrets), docs.joinmastodon.org/methods/oauth (GET /oauth/authorize with `lang` for the page's
language; the out-of-band redirect `urn:ietf:wg:oauth:2.0:oob` shows the code on the page, which works
over SSH; POST /oauth/token). The password grant is gone since Mastodon 4.4.

`probe_mastodon` tells apart the three things a person can mean by "it doesn't work": the server cannot
be reached (ServiceError, retry later — exit 75), it answers but is not Mastodon (InputError: check
the address), it is Mastodon but failing (ServiceError).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from quittex_tui import i18n
from quittex_tui.errors import AuthError, InputError, ServiceError, Term, todo
from quittex_tui.publish import secrets
from quittex_tui.publish.addresses import is_loopback_url, mastodon_instance

if TYPE_CHECKING:
    from mastodon import Mastodon

OOB = "urn:ietf:wg:oauth:2.0:oob"
MASTODON_SCOPES = ["read", "write:statuses", "write:media", "write:follows", "write:accounts"]
APP_NAME = "quittex-tui"
APP_WEBSITE = "https://github.com/quittex/quittex-tui"
PROBE_TIMEOUT = 10.0
HTTP_TIMEOUT = 30.0
log = logging.getLogger(__name__)


def _api(url: str, token: str | None, **kwargs: Any) -> Mastodon:
    # The SDK client is built in one place (connect.py); imported here, not at the top, because
    # connect.py re-exports this module's functions.
    from quittex_tui.publish.connect import _mastodon_api

    return _mastodon_api(url, token, **kwargs)


def probe_mastodon(instance: str) -> dict[str, Any]:
    """The instance's description if `instance` is a reachable Mastodon (or Mastodon-API) server."""
    import httpx

    from quittex_tui.publish.identity import _transport_detail

    url = mastodon_instance(instance)
    last_status = 0
    for path in ("/api/v2/instance", "/api/v1/instance"):  # v1 for servers older than Mastodon 4.0
        try:
            res = httpx.get(url + path, timeout=PROBE_TIMEOUT, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ServiceError(
                key="error.server.unreachable",
                params={
                    "server": url,
                    "what": Term("what.mastodon_server"),
                    "detail": _transport_detail(exc),
                },
                todo=[todo("check_instance", instance=url), todo("check_network"), todo("retry_later")],
            ) from None
        last_status = res.status_code
        if res.status_code >= 500 or res.status_code == 429:
            raise ServiceError(
                key="error.server.failing",
                params={"server": url, "detail": f"HTTP {res.status_code}"},
                todo=[todo("retry_later")],
            )
        if res.status_code in (401, 403):
            return {}  # a Mastodon in limited-federation mode hides its description: still Mastodon
        try:
            body = res.json()
        except ValueError:
            body = None
        if res.status_code == 200 and isinstance(body, dict) and ("uri" in body or "domain" in body):
            log.info("%s is a Mastodon-API server (%s, version %s)", url, path, body.get("version"))
            return body
    log.info("%s answers but is not a Mastodon server (HTTP %s)", url, last_status)
    raise InputError(
        key="error.mastodon.alien",
        params={"server": url, "detail": f"HTTP {last_status}"},
        todo=[todo("check_instance", instance=url)],
    )


def mastodon_error(exc: Exception, instance: str, token_source: str = "saved") -> Exception:
    """A Mastodon.py error in words. `token_source`: "saved" (keyring/file), "env"
    (QUITTEX_MASTODON_TOKEN) or "given" (being stored)."""
    from mastodon import (
        MastodonAPIError,
        MastodonNetworkError,
        MastodonNotFoundError,
        MastodonUnauthorizedError,
    )

    if isinstance(exc, MastodonNetworkError):
        return ServiceError(
            key="error.server.unreachable",
            params={"server": instance, "what": Term("what.mastodon_server"), "detail": type(exc).__name__},
            todo=[todo("check_instance", instance=instance), todo("check_network"), todo("retry_later")],
        )
    if isinstance(exc, MastodonUnauthorizedError):
        if token_source == "env":
            # "log in again" would not help: the environment variable wins over any stored token.
            return AuthError(
                key="error.mastodon.env_token_refused",
                params={"server": instance, "env": secrets.MASTODON_TOKEN_ENV},
                todo=[todo("unset_token_env", instance=instance, env=secrets.MASTODON_TOKEN_ENV)],
            )
        if token_source == "given":
            return AuthError(
                key="error.mastodon.token_refused",
                params={"server": instance},
                todo=[todo("check_token", instance=instance)],
            )
        return AuthError(
            key="error.mastodon.saved_token_refused",
            params={"server": instance},
            todo=[todo("login_mastodon", instance=instance)],
        )
    if isinstance(exc, MastodonNotFoundError):
        return InputError(
            key="error.mastodon.alien",
            params={"server": instance, "detail": "HTTP 404"},
            todo=[todo("check_instance", instance=instance)],
        )
    if isinstance(exc, MastodonAPIError) and len(exc.args) > 1 and isinstance(exc.args[1], int):
        status = exc.args[1]
        if status == 403:
            return AuthError(
                key="error.mastodon.forbidden",
                params={"server": instance},
                todo=[todo("login_mastodon", instance=instance)],
            )
        if status >= 500 or status == 429:
            return ServiceError(
                key="error.server.failing",
                params={"server": instance, "detail": f"HTTP {status}"},
                todo=[todo("retry_later")],
            )
        return InputError(
            key="error.mastodon.refused",
            params={"server": instance, "detail": f"HTTP {status}"},
            todo=[todo("check_instance", instance=instance)],
        )
    return ServiceError(
        key="error.server.failing",
        params={"server": instance, "detail": type(exc).__name__},
        todo=[todo("retry_later")],
    )


def _app(url: str) -> tuple[str, str]:
    """The OAuth app registered for quittex-tui on `url` (registered once, then read from the secrets)."""
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
        raise mastodon_error(exc, url) from None
    secrets.update_secrets(key, client_id=client_id, client_secret=client_secret)
    return client_id, client_secret


def _drop_empty_params(url: str) -> str:
    """Mastodon.py writes unset parameters as the text "None" (`state=None`): leave them out."""
    parts = urlparse(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if v not in ("None", "")]
    return urlunparse(parts._replace(query=urlencode(query)))


def login_mastodon_start(instance: str, *, lang: str | None = None) -> str:
    """Register the app once per instance; the URL the user opens to get an authorization code, asking
    the authorize page for the user's language (`lang`, default: the interface language)."""
    from mastodon import MastodonError

    url = mastodon_instance(instance)
    probe_mastodon(url)  # unreachable / not Mastodon / failing: said before anything is registered
    client_id, client_secret = _app(url)
    api = _api(url, None, client_id=client_id, client_secret=client_secret)
    try:
        # allow_http: Mastodon.py refuses http OAuth endpoints; check_url already limited http to loopback.
        link = api.auth_request_url(
            redirect_uris=OOB,
            scopes=MASTODON_SCOPES,
            allow_http=is_loopback_url(url),
            lang=lang or i18n.language(),
        )
    except MastodonError as exc:
        raise mastodon_error(exc, url) from None
    return _drop_empty_params(link)


def login_mastodon_finish(instance: str, code: str) -> str:
    """Trade the authorization code for a token, verify it, store it; returns the account `user@domain`."""
    from mastodon import MastodonError, MastodonIllegalArgumentError

    url = mastodon_instance(instance)
    code = code.strip()
    if not code:
        raise InputError(key="error.mastodon.empty_code", todo=[todo("new_code", instance=url)])
    client_id, client_secret = _app(url)
    api = _api(url, None, client_id=client_id, client_secret=client_secret)
    try:
        token = api.log_in(
            code=code, redirect_uri=OOB, scopes=MASTODON_SCOPES, allow_http=is_loopback_url(url)
        )
    except MastodonIllegalArgumentError:
        # Mastodon.py wraps the server's refusal; its text is not shown (it could echo request details).
        raise AuthError(
            key="error.mastodon.code_refused", params={"server": url}, todo=[todo("new_code", instance=url)]
        ) from None
    except MastodonError as exc:
        raise mastodon_error(exc, url) from None
    return store_mastodon_token(url, token)


def store_mastodon_token(instance: str, token: str, *, token_source: str = "given") -> str:
    """Verify `token` against the instance and store it; returns the account `user@domain`."""
    from mastodon import MastodonError

    url = mastodon_instance(instance)
    api = _api(url, token)
    try:
        me = api.account_verify_credentials()
        domain = _instance_domain(api, url)
    except MastodonError as exc:
        raise mastodon_error(exc, url, token_source) from None
    acct = f"{me['acct']}@{domain}" if "@" not in str(me["acct"]) else str(me["acct"])
    where = secrets.update_secrets(secrets.mastodon_key(url), token=token, acct=acct)
    log.info("logged in to Mastodon %s as %s (secrets in %s)", url, acct, where)
    return acct


def _instance_domain(api: Mastodon, url: str) -> str:
    from mastodon import MastodonError

    try:
        domain = api.instance_v2().get("domain")
    except MastodonError:
        domain = None
    return str(domain) if domain else (urlparse(url).netloc or url)
