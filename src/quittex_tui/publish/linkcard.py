"""Link cards for Bluesky posts: a page's title, description and thumbnail, fetched at send time, cached.

Issue 13, docs/bluesky.md ("Embeds": `app.bsky.embed.external`). Bluesky clients build a link's card
themselves when a person writes a post; a post written through the API has a card only if the record holds
one. So right before a post with a link is sent (never in `plan`, which stays offline and deterministic),
the page is fetched and its `<head>` read (publish/htmlhead.py: OpenGraph, then Twitter tags, then
`<title>` / `<meta name=description>`); its image becomes the card's thumbnail through the photo pipeline
(convert/media.py: ≤ 1,000,000 bytes, metadata stripped).

The fetch is a polite, bounded client (httpx over a guarded connection layer):
- http and https only; at most `MAX_REDIRECTS` redirects, each target checked again like the first URL;
- connect and read timeouts, and a total deadline for the whole fetch (all redirects, the body);
- a body cap: reading stops at `</head>` (or `<body>`), and after `HTML_MAX_BYTES` in any case; an image
  over `IMAGE_MAX_BYTES` is not used;
- a User-Agent naming the tool and where it comes from; no cookies, no proxies from the environment;
- only public addresses. A tweet's link to `http://192.168.1.1/` or `http://localhost:8080/` is the user's
  own data, but a card fetch must not probe their local network or their machine (server-side request
  forgery): the host's addresses are resolved here, every one checked (`ipaddress.is_global`), and the
  connection is made to a checked address — a DNS answer cannot change between the check and the
  connection. `QUITTEX_LINK_CARDS_ALLOW_PRIVATE=1` lifts this (the tests' pages are on loopback).
  `QUITTEX_OFFLINE=1` (the test suite) never resolves a name: only `localhost` and literal addresses.
- `QUITTEX_LINK_CARDS_MIRROR=http://127.0.0.1:PORT` fetches every page from that local server instead
  (`https://host/path` → `MIRROR/host/path`; the card keeps the real URL): the demo archive's invented
  pages are served that way on the local test network (scripts/demo_pages.py).

Cache: one JSON file per URL in the app's cache folder (`<cache>/linkcards/`), written atomically, so a
resume or a second network does not fetch again — a card once fetched is reused as it is (a re-sent
Bluesky record stays identical). Failures are cached too, for `FAILURE_TTL`: a dead link is not asked
again on every resume, but is tried again a few hours later.
A failure never stops a post: it goes without a card, and the reason is noted for the report
(`CardFailure.code`, phrased by the catalogues' `linkcard.reason.*`).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from quittex_tui import __version__, paths
from quittex_tui.convert.models import CardPreview
from quittex_tui.fileio import atomic_write
from quittex_tui.publish.deadline import httpcore_request
from quittex_tui.publish.htmlhead import decode_page, parse_head

USER_AGENT = (
    f"quittex-tui/{__version__} (link card for a post moved from X; +https://github.com/quittex/quittex-tui)"
)
ALLOW_PRIVATE_ENV = "QUITTEX_LINK_CARDS_ALLOW_PRIVATE"
MIRROR_ENV = "QUITTEX_LINK_CARDS_MIRROR"
OFFLINE_ENV = "QUITTEX_OFFLINE"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
DEADLINE = 10.0  # seconds for a whole page fetch (redirects included); the image gets as much again
MAX_REDIRECTS = 5
HTML_MAX_BYTES = 1_000_000
IMAGE_MAX_BYTES = 5_000_000  # downloaded at most; the thumbnail itself is made ≤ THUMB_MAX_BYTES
THUMB_MAX_BYTES = 1_000_000  # app.bsky.embed.external#external: thumb blob maxSize 1,000,000
THUMB_MAX_SIDE = 2000
CACHE_VERSION = 1
FAILURE_TTL = timedelta(hours=6)
SUCCESS_TTL = timedelta(days=60)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)


class CardFailure(Exception):
    """Why a link gets no card: `code` (catalogue key `linkcard.reason.<code>`) and a short `detail`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL (after redirects), in its real form (not the mirror's)
    content_type: str
    body: bytes


# --- addresses -------------------------------------------------------------------------------------------
def public_address(ip: str) -> bool:
    """A globally routable unicast address (no loopback, private, link-local, shared, reserved…)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


class _Guard:
    """Which addresses one fetcher may connect to, and the deadline of the fetch in progress."""

    def __init__(self, *, allow_private: bool, offline: bool, always: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.offline = offline
        self.always = {h.lower() for h in always}  # the mirror: explicitly configured
        self.end = 0.0
        self.stopping: Callable[[], bool] = lambda: False

    def left(self, timeout: float | None) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0 or self.stopping():
            raise httpcore.ReadTimeout("the card's total deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def addresses(self, host: str, port: int) -> list[str]:
        host = host.strip("[]").lower()
        explicit = host in self.always
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
            literal = True
        except ValueError:
            literal = False
        if self.offline and not (literal or host == "localhost" or explicit):
            raise _Refused("offline", host)  # never a DNS query beyond loopback
        if literal:
            found = [host]
        else:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError, OSError) as exc:
                raise _Refused("unreachable", f"{host}: no such host ({exc.__class__.__name__})") from None
            found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = [ip for ip in found if explicit or self.allow_private or public_address(ip)]
        if self.offline and not explicit:
            allowed = [ip for ip in allowed if ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback]
        if not allowed:
            private = any(not public_address(ip) for ip in found)
            raise _Refused("private_address" if private else "offline", host)
        return allowed


class _Refused(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class _Stream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the fetch's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream, guard: _Guard) -> None:
        self._inner = inner
        self._guard = guard

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._guard.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._guard.left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.start_tls(ssl_context, server_hostname, self._guard.left(timeout)), self._guard
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Connects only to checked addresses: the name is resolved HERE and the socket opened to the address
    that passed (TLS still verifies the certificate for the name: httpcore passes it as the SNI)."""

    def __init__(self, guard: _Guard) -> None:
        self._inner = httpcore.SyncBackend()
        self._guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for ip in self._guard.addresses(host, port):
            try:
                stream = self._inner.connect_tcp(
                    ip, port, self._guard.left(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _Stream(stream, self._guard)
        raise last or httpcore.ConnectError(f"could not connect to {host}")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for link cards")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Body(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _Transport(httpx.BaseTransport):
    """httpx's requests over httpcore's pool with the guarded backend (HTTP/1.1, certificates verified)."""

    def __init__(self, guard: _Guard) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=4,
            max_keepalive_connections=2,
            network_backend=_Backend(guard),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore_request(request)
        resp = self._pool.handle_request(core)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),  # type: ignore[arg-type]
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()


# --- fetching --------------------------------------------------------------------------------------------
class Fetcher:
    """Fetches pages and images for cards within the limits above. One per run (thread-safe: one guard
    and client per thread)."""

    def __init__(
        self,
        *,
        allow_private: bool | None = None,
        offline: bool | None = None,
        mirror: str | None = None,
        deadline: float = DEADLINE,
        stopping: Callable[[], bool] | None = None,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        env = os.environ
        self.allow_private = bool(env.get(ALLOW_PRIVATE_ENV)) if allow_private is None else allow_private
        self.offline = bool(env.get(OFFLINE_ENV)) if offline is None else offline
        mirror = env.get(MIRROR_ENV) if mirror is None else mirror
        self.mirror = mirror.rstrip("/") if mirror else None
        self.deadline = deadline
        self.stopping = stopping or (lambda: False)
        # hosts fetched whatever their address: the mirror (an explicit setting), and what a test names
        mirror_host = [urlsplit(self.mirror).hostname or ""] if self.mirror else []
        self.allowed_hosts = [*allowed_hosts, *mirror_host]
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._clients_lock = threading.Lock()

    def _client(self) -> tuple[httpx.Client, _Guard]:
        client = getattr(self._local, "client", None)
        if client is None:
            guard = _Guard(allow_private=self.allow_private, offline=self.offline, always=self.allowed_hosts)
            guard.stopping = self.stopping
            client = httpx.Client(
                transport=_Transport(guard),
                follow_redirects=False,
                trust_env=False,
                timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
                headers={"User-Agent": USER_AGENT, "Accept-Language": "fr, en;q=0.8, *;q=0.5"},
            )
            self._local.client, self._local.guard = client, guard
            with self._clients_lock:
                self._clients.append(client)
        return client, self._local.guard

    def close(self) -> None:
        """Close every thread's connections (a thread that fetches again gets a new client)."""
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
        self._local = threading.local()

    def _where(self, url: str) -> str:
        """The URL actually asked: the page itself, or its copy on the mirror (see the module doc)."""
        if not self.mirror:
            return url
        parts = urlsplit(url)
        return f"{self.mirror}/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    def get(self, url: str, *, want: str) -> Fetched:
        """GET `url` ("html": a page, read up to its `</head>`; "image": a picture). CardFailure if not."""
        client, guard = self._client()
        guard.end = time.monotonic() + self.deadline
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            if self.stopping():
                raise CardFailure("stopped")
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https") or not urlsplit(current).hostname:
                raise CardFailure("bad_url", current[:200])
            try:
                with client.stream("GET", self._where(current), headers={"Accept": _accept(want)}) as res:
                    if res.status_code in _REDIRECTS:
                        location = res.headers.get("location", "").strip()
                        if not location:
                            raise CardFailure("http_status", str(res.status_code))
                        current = urljoin(current, location)
                        continue
                    if not 200 <= res.status_code < 300:
                        raise CardFailure("http_status", str(res.status_code))
                    ctype = res.headers.get("content-type", "")
                    kind = ctype.split(";", 1)[0].strip().lower()
                    if want == "html" and kind not in _HTML_TYPES:
                        raise CardFailure("not_html", kind or "?")
                    if want == "image" and not kind.startswith("image/"):
                        raise CardFailure("not_image", kind or "?")
                    body = _read(res, want)
                    return Fetched(current, ctype, body)
            except _Refused as exc:
                raise CardFailure(exc.code, exc.detail) from None
            except (httpx.TimeoutException, httpcore.TimeoutException):
                raise CardFailure("stopped" if self.stopping() else "timeout") from None
            except (
                httpx.HTTPError,
                httpcore.NetworkError,
                httpcore.ProtocolError,
                httpcore.UnsupportedProtocol,
                OSError,
                ValueError,
            ) as exc:
                raise CardFailure("unreachable", _short(exc)) from None
        raise CardFailure("redirects", str(MAX_REDIRECTS))


def _accept(want: str) -> str:
    return "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1" if want == "html" else "image/*"


def _read(res: httpx.Response, want: str) -> bytes:
    """The body, within its cap: a page up to the end of its head; an image whole (or refused)."""
    cap = HTML_MAX_BYTES if want == "html" else IMAGE_MAX_BYTES
    declared = res.headers.get("content-length", "")
    if want == "image" and declared.isdigit() and int(declared) > cap:
        raise CardFailure("too_large", declared)
    chunks: list[bytes] = []
    size = 0
    for chunk in res.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if want == "html":
            tail = b"".join(chunks[-2:]).lower()  # a marker may straddle two chunks
            if b"</head" in tail or b"<body" in tail:
                break
        if size > cap:
            if want == "image":
                raise CardFailure("too_large", str(size))
            break  # <head> is all a card needs: parse what the cap holds
    return b"".join(chunks)[: cap if want == "html" else None]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


# --- cards, cached ---------------------------------------------------------------------------------------
def cards_dir() -> Path:
    return paths.cache_dir() / "linkcards"


class CardCache:
    """Cards by URL on disk (see the module doc). `card(url)` → CardPreview, or CardFailure."""

    def __init__(
        self,
        fetcher: Fetcher | None = None,
        *,
        folder: Path | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.fetcher = fetcher or Fetcher()
        self.folder = folder or cards_dir()
        self.now = now
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _path(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:40]}.json"

    def cached(self, url: str) -> CardPreview | CardFailure | None:
        """What the cache knows of `url` (None: nothing, or an expired entry)."""
        try:
            entry = json.loads(self._path(url).read_text("utf-8"))
            if entry.get("v") != CACHE_VERSION or entry.get("url") != url:
                return None
            at = datetime.fromisoformat(entry["at"])
            ttl = SUCCESS_TTL if entry.get("ok") else FAILURE_TTL
            if self.now() - at > ttl:
                return None
            if not entry.get("ok"):
                return CardFailure(str(entry.get("code") or "unreachable"), str(entry.get("detail") or ""))
            thumb = entry.get("thumb")
            thumb_path = str(self.folder / "thumbs" / thumb["file"]) if thumb else None
            if thumb_path is not None and not Path(thumb_path).is_file():
                return None  # the thumbnail was cleaned away: fetch again
            return CardPreview(
                uri=url,
                title=entry["title"],
                description=entry["description"],
                thumb_path=thumb_path,
                thumb_mime=thumb["mime"] if thumb else "",
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def card(self, url: str) -> CardPreview:
        """The card of `url`, from the cache or fetched now (then cached). Raises CardFailure."""
        with self._lock:
            lock = self._locks.setdefault(url, threading.Lock())
        with lock:  # two threads asking for one URL: one fetch
            known = self.cached(url)
            if isinstance(known, CardPreview):
                return known
            if isinstance(known, CardFailure):
                raise known
            try:
                found = self._fetch(url)
            except CardFailure as exc:
                if exc.code != "stopped":  # a stop says nothing about the link
                    self._store(url, {"ok": False, "code": exc.code, "detail": exc.detail})
                raise
            thumb = None
            if found.thumb_path:
                thumb = {"file": Path(found.thumb_path).name, "mime": found.thumb_mime}
            self._store(
                url, {"ok": True, "title": found.title, "description": found.description, "thumb": thumb}
            )
            return found

    def _store(self, url: str, fields: dict[str, Any]) -> None:
        entry = {"v": CACHE_VERSION, "url": url, "at": self.now().isoformat(), **fields}
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs a fetch next time
            atomic_write(self._path(url), json.dumps(entry, ensure_ascii=False, sort_keys=True).encode())

    def _fetch(self, url: str) -> CardPreview:
        page = self.fetcher.get(url, want="html")
        head = parse_head(decode_page(page.body, page.content_type), page.url)
        if not head.title and not head.description:
            raise CardFailure("no_title")
        thumb_path, mime = None, ""
        if head.image:
            try:
                image = self.fetcher.get(head.image, want="image")
                thumb_path, mime = self._thumbnail(image.body)
            except CardFailure as exc:
                if exc.code == "stopped":
                    raise
                # no thumbnail: the card still has its title and description
        return CardPreview(
            uri=url, title=head.title, description=head.description, thumb_path=thumb_path, thumb_mime=mime
        )

    def _thumbnail(self, data: bytes) -> tuple[str | None, str]:
        """The page's image as a thumbnail: the photo pipeline (convert/media.py), EXIF/GPS stripped."""
        from quittex_tui.convert.media import prepare_profile_image  # Pillow only when a card has an image
        from quittex_tui.errors import QuittexError

        try:
            path, _w, _h = prepare_profile_image(
                data, max_bytes=THUMB_MAX_BYTES, max_side=THUMB_MAX_SIDE, cache_dir=self.folder / "thumbs"
            )
        except (QuittexError, OSError, ValueError):
            return None, ""
        return str(path), "image/png" if path.suffix == ".png" else "image/jpeg"
