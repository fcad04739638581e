"""One scrubber for every server text we show, log or store: the session's secrets never leave memory.

Why: servers (and the proxies in front of them) sometimes echo the request in an error body — headers
included — so an `Authorization: Bearer <access JWT>` or a Mastodon token could otherwise reach stderr,
the TUI, a log or a `failed` record of the journal (issue 11, "Secrets echoed by a server").

How: `connect.py` and `secrets.py` feed `SCRUBBER` with every secret this process holds (app password,
access and refresh JWTs — also the refreshed ones —, Mastodon token, OAuth client secret); `scrub(text)`
replaces each of them (also in their URL-encoded and JSON-escaped spellings) with `[redacted]`. On top of
the known values, anything shaped like a JWT or following `Bearer ` is removed too, so a secret we were
never told about (another account's token in a shared proxy's echo) does not slip through.

Every place that turns a server's words into a message goes through `scrub`: the targets' error mapping
(bluesky.py, mastodon.py), the engine's events and failure reasons, the journal's `failed` records and the
audience calls (audience/net.py).
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import quote

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words; real secrets are far longer
# header.payload.signature, each base64url; atproto JWTs start with eyJ ('{"').
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer|dpop)(\s+|%20)[A-Za-z0-9._~+/=-]{8,}")
_TOKEN_PARAM = re.compile(
    r"(?i)((?:access|refresh)_?(?:token|jwt)[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}")


class Scrubber:
    """Known secrets and secret-shaped strings → `[redacted]`. Thread-safe; values are only added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()

    def add(self, *secrets: str | None) -> None:
        """Remember secrets (None and very short values are ignored)."""
        fresh: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < MIN_SECRET_LENGTH:
                continue
            fresh.add(secret)
            fresh.add(quote(secret, safe=""))
            fresh.add(json.dumps(secret)[1:-1])
        with self._lock:
            merged = set(self._values) | {v for v in fresh if len(v) >= MIN_SECRET_LENGTH}
            # Longest first: a secret that contains another is replaced whole.
            self._values = tuple(sorted(merged, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        if not text:
            return text
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        text = _JWT.sub(REDACTED, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        return _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}{REDACTED}", text)

    __call__ = scrub


SCRUBBER = Scrubber()  # the process's one scrubber


def scrub(text: str) -> str:
    """`text` without any secret this process knows (or that looks like one)."""
    return SCRUBBER.scrub(text)


def remember_secrets(*secrets: str | None) -> None:
    """Feed the process's scrubber (connect.py / secrets.py call this whenever they hold a secret)."""
    SCRUBBER.add(*secrets)


def remember_session_string(session_string: str | None) -> None:
    """An atproto SDK session string ("handle:::did:::access:::refresh:::pds"): its two JWTs are secrets."""
    if not session_string:
        return
    parts = session_string.split(":::")
    remember_secrets(session_string, *(p for p in parts if p.startswith("eyJ")))
