"""One scrubber for every server text we show, log or store: the session's secrets never leave memory.

Why: servers (and the proxies in front of them) sometimes echo the request in an error body — headers
included — so an `Authorization: Bearer <access JWT>` or a Mastodon token could otherwise reach stderr,
the TUI, a log or a `failed` record of the journal (ARCHITECTURE.md#errors-and-exit-codes, issue 11, "Secrets
echoed by a server").

How: `connect.py` and `secrets.py` feed `SCRUBBER` with every secret this process holds (app password,
access and refresh JWTs — also the refreshed ones —, Mastodon token, OAuth client secret); `scrub(text)`
replaces each of them (also in their URL-encoded and JSON-escaped spellings) with `[redacted]`. On top of
the known values, anything shaped like a JWT or following `Bearer ` is removed too, so a secret we were
never told about (another account's token in a shared proxy's echo) does not slip through.

Every place that turns a server's words into a message goes through `scrub`: the targets' error mapping
(bluesky.py, mastodon.py), the engine's events and failure reasons, the journal's `failed` records and the
audience calls (audience/net.py); and every log record and crash report (logs.py, crash.py). It sits below
every layer (no import of the project) for that reason.

Shapes removed even when nobody told us the value: JWTs, `Bearer …`/`DPoP …`, atproto app passwords
(xxxx-xxxx-xxxx-xxxx, also glued to other text: a password pasted after a handle), and the values of
`password` / `token` / `secret` / OAuth `code` keys in query strings, JSON and TOML; plus the secrets the
environment holds (QUITTEX_BLUESKY_APP_PASSWORD, QUITTEX_MASTODON_TOKEN).
"""

from __future__ import annotations

import json
import os
import re
import threading
from urllib.parse import quote

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words; real secrets are far longer
# header.payload.signature, each base64url; atproto JWTs start with eyJ ('{"').
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer|dpop)(\s+|%20)[A-Za-z0-9._~+/=-]{8,}")
_TOKEN_PARAM = re.compile(
    r"(?i)((?:access|refresh)_?(?:token|jwt)[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}"
)
# atproto app passwords (the PDS's own format: four groups of four); a false positive only hides a harmless
# string in a message or a log.
_APP_PASSWORD = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", re.IGNORECASE)
# `password=x`, `"token": "x"`, `client_secret: x`, `?code=x` (an OAuth code in a logged URL) …
_KEYED = re.compile(
    r"(?i)(\b(?:app_?password|password|token|client_secret|secret)\b[\"']?\s*[:=]\s*[\"']?|[?&]code=)"
    r"([^\s\"'&,;}]+)"
)
SECRET_ENV = ("QUITTEX_BLUESKY_APP_PASSWORD", "QUITTEX_MASTODON_TOKEN")


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
        values = self._values
        env = [v for name in SECRET_ENV if (v := os.environ.get(name)) and len(v) >= MIN_SECRET_LENGTH]
        for value in (*values, *env):
            if value in text:
                text = text.replace(value, REDACTED)
        text = _JWT.sub(REDACTED, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
        text = _APP_PASSWORD.sub(REDACTED, text)
        return _KEYED.sub(lambda m: m.group(1) + REDACTED, text)

    __call__ = scrub


SCRUBBER = Scrubber()  # the process's one scrubber


def scrub(text: str) -> str:
    """`text` without any secret this process knows (or that looks like one). A notice.Notice (words
    with a catalogue key) stays one, its parameters scrubbed: a server's words are among them."""
    with_params = getattr(text, "with_params", None)
    if callable(with_params):
        scrubbed: str = with_params(SCRUBBER.scrub)
        return scrubbed
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
