"""The addresses people type, made canonical before anything touches the network (no I/O here).

- Server URLs (`check_url`): a scheme is added when missing, the trailing slash dropped; plain `http://`
  is refused except on loopback (127.0.0.0/8, localhost, ::1), which the tests' local servers use — an
  app password or token must never cross a network unencrypted.
- Mastodon (`mastodon_instance`): every usual way of writing where an account lives — `@camille@piaille.fr`,
  `camille@piaille.fr`, `piaille.fr`, `https://piaille.fr`, `https://piaille.fr/@camille`, with trailing
  slashes or capitals — gives `https://piaille.fr`. Mastodon is always served at the root of its domain
  (docs.joinmastodon.org/admin/config, LOCAL_DOMAIN / WEB_DOMAIN), so a path is never part of the instance.
- Bluesky (`bluesky_handle`): `alice.bsky.social`, `@alice.bsky.social`, `https://bsky.app/profile/
  alice.bsky.social`, `at://alice.bsky.social`, or a DID — lower-cased, checked against the atproto
  handle syntax (atproto.com/specs/handle: at least two dot-separated labels of letters, digits and
  hyphens, at most 253 characters, the last label not starting with a digit).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlparse

from quittex_tui.errors import InputError, Term, todo

_HOST_RE = re.compile(r"[\w.\-:%]+")
_HANDLE_RE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_DID_RE = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]+$")
# An app password (xxxx-xxxx-xxxx-xxxx, 16 random letters and digits) typed or pasted where the handle
# goes: glued to a handle it still looks like a domain name, so it would be sent as a handle, shown in
# the error and saved in the state. A real label like "news-live-info-feed" has the same shape but no
# digit, which 99.4 % of app passwords have ((26/36)^16 = 0.55 % have none).
_APP_PASSWORD_IN = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", re.IGNORECASE)


def _holds_a_password(raw: str, handle_shaped: bool) -> bool:
    return any(
        any(ch.isdigit() for ch in m.group(0)) or not handle_shaped for m in _APP_PASSWORD_IN.finditer(raw)
    )


# Hosts whose /profile/<handle> pages name a Bluesky account (the official app and its mirrors).
_BLUESKY_WEB_HOSTS = {"bsky.app", "staging.bsky.app", "main.bsky.dev"}

# What a URL is for, as the catalogue names it (`what.<code>` in quittex_tui/locales).
WHAT_CODES = {
    "Bluesky server": "bluesky_server",
    "Mastodon server": "mastodon_server",
    "PDS": "pds",
    "handle resolver": "handle_resolver",
    "PLC directory": "plc_directory",
    "AppView": "appview",
    "server": "server",
}


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlparse(url).hostname or "")


def _what(what: str) -> Term:
    return Term("what." + WHAT_CODES.get(what, "server"))


def check_url(url: str, what: str, *, keep_path: bool = True) -> str:
    """`url` normalised (scheme added, host lower-cased, no trailing slash); `http://` only for loopback.

    `what` names the server in messages ("Bluesky server", "Mastodon server", "PDS", …: WHAT_CODES).
    `keep_path=False` drops any path (a Mastodon instance is always at the root of its domain)."""
    raw = url.strip()
    if not raw:
        raise InputError(
            key="error.url.empty", params={"what": _what(what)}, todo=[todo("give_url", what=_what(what))]
        )
    if "://" not in raw:
        raw = "https://" + raw
    parsed = urlparse(raw)
    # A host name is letters/digits (IDN letters too), dots and dashes, or an IP literal; "not a url" or
    # "host/with space" must fail here, not later as a misleading "no token saved for https://not a url".
    try:
        host = parsed.hostname
        port = parsed.port
    except ValueError:  # a port that is not a number
        host, port = None, None
    if (
        parsed.scheme not in ("http", "https")
        or not host
        or any(ch.isspace() for ch in raw)
        or not _HOST_RE.fullmatch(host)
        or parsed.username is not None
    ):
        raise InputError(
            key="error.url.bad",
            params={"url": url, "what": _what(what)},
            todo=[todo("give_url", what=_what(what))],
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parsed.path.rstrip("/") if keep_path else ""
    if parsed.scheme == "http" and not is_loopback_host(host):
        raise InputError(
            key="error.url.plain_http",
            params={"host": host, "what": _what(what)},
            todo=[todo("use_https", url=f"https://{netloc}{path}")],
        )
    return f"{parsed.scheme}://{netloc}{path}"


def mastodon_instance(value: str) -> str:
    """The instance URL of any usual way of writing a Mastodon account or server (see the module doc)."""
    raw = value.strip()
    if "://" not in raw:
        raw = raw.lstrip("@")
        if "@" in raw:  # camille@piaille.fr (a mention or an address): the domain is the instance
            raw = raw.rsplit("@", 1)[1]
    return check_url(raw, "Mastodon server", keep_path=False)


def mastodon_account(value: str) -> str | None:
    """`camille` from `@camille@piaille.fr`, `camille@piaille.fr` or `https://piaille.fr/@camille`;
    else None."""
    raw = value.strip()
    if "://" in raw:
        path = urlparse(raw).path.strip("/")
        return path[1:] if path.startswith("@") and "/" not in path and len(path) > 1 else None
    raw = raw.lstrip("@")
    if "@" not in raw:
        return None
    return raw.split("@", 1)[0] or None


def bluesky_handle(value: str) -> str:
    """A canonical handle (or DID) from any usual way of writing a Bluesky account (see the module doc)."""
    raw = value.strip()
    candidate = raw
    if "://" in raw:
        parsed = urlparse(raw)
        if parsed.scheme == "at":
            candidate = parsed.netloc
        else:
            parts = [p for p in parsed.path.split("/") if p]
            host = (parsed.hostname or "").lower()
            if len(parts) >= 2 and parts[0] == "profile":
                candidate = parts[1]
            elif host and host not in _BLUESKY_WEB_HOSTS and not parts:
                candidate = host  # https://alice.example.com — a domain handle written as a site
            else:
                candidate = ""
    candidate = candidate.strip().lstrip("@").rstrip("/.")
    if _DID_RE.match(candidate):
        return candidate
    candidate = candidate.lower()
    valid = bool(candidate) and len(candidate) <= 253 and bool(_HANDLE_RE.match(candidate))
    if _holds_a_password(raw, valid):  # never echoed: it is a secret
        raise InputError(key="error.handle.looks_like_password")
    if not valid:
        raise InputError(
            key="error.handle.invalid",
            params={"handle": value.strip()},
            todo=[todo("check_handle", handle=value.strip())],
        )
    return candidate
