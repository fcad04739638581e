"""A total deadline for every HTTP request of both SDKs: a server trickling its answer never hangs a run.

Why: both SDKs only have per-operation timeouts (connect, one socket read, one write). A server — or a
broken proxy — sending one byte every 10 s satisfies a 30 s read timeout forever: measured, a run hung for
hours (ARCHITECTURE.md#the-engine, issue 11, "Faults that are not stopped cleanly"). Each request here gets a
deadline for the WHOLE exchange (sending, waiting, reading the body): `REQUEST_DEADLINE` plus the time its
body needs at a slow uplink (`MIN_UPLOAD_RATE`, so a large video still has time to go up). Past it, the
request fails as a timeout: the engine retries it (a timeout may hide a success: the write is reconciled
before a retry).

Both are built on the SDKs' public extension points, not on their internals
(ARCHITECTURE.md#who-may-import-whom, issue 14):
- atproto: `atproto_client.request.Request(**kwargs)` hands its kwargs to `httpx.Client`, so we pass
  `transport=DeadlineTransport()`. That transport is httpcore's connection pool with a network backend
  whose every socket read and write waits at most until the request's deadline (httpcore's documented
  `network_backend=` parameter), so a trickle is cut exactly at the deadline.
- Mastodon.py: its public `session=` parameter takes our `DeadlineSession` (a `requests.Session`): each
  `send` arms a timer; at the deadline the timer shuts down the request's socket (registered by our
  urllib3 connection class when the request starts), which wakes the blocked read at once.
- Calls whose HTTP client cannot be handed either (the SDK's identity resolvers build their own
  `httpx.Client()`; DNS lookups): `within(seconds, fn)` runs the call in a daemon thread and gives up on
  it at the deadline (`DeadlinePassed`); the abandoned thread ends at its own per-read timeout, and being
  a daemon it never holds the program's exit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, cast

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

REQUEST_DEADLINE = 120.0  # seconds for a whole request with a small body
MIN_UPLOAD_RATE = 64 * 1024  # bytes/s: a body gets this much more time (a 100 MB video: ~26 min)


def deadline_for(body_bytes: int) -> float:
    """The total time allowed for a request whose body is `body_bytes` long."""
    return REQUEST_DEADLINE + max(0, body_bytes) / MIN_UPLOAD_RATE


# --- any call (a client we cannot configure) ------------------------------------------------------------

T = TypeVar("T")


class DeadlinePassed(Exception):
    """A call given to `within` had not returned when its total deadline passed."""


def within(seconds: float, fn: Callable[[], T]) -> T:
    """`fn()`, or DeadlinePassed once `seconds` have passed without it returning; its exception is raised
    here. For calls whose HTTP client takes no transport (see the module docstring)."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below, whatever it is
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="quittex-deadline", daemon=True).start()
    if not done.wait(seconds):
        raise DeadlinePassed(f"timed out: no complete answer within the {seconds:.0f} s allowed")
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


# --- atproto (httpx) ----------------------------------------------------------------------------------

_state = threading.local()  # .end: monotonic deadline of the request this thread is doing, .total: its size


def _clip(timeout: float | None, kind: type[Exception]) -> float | None:
    end: float | None = getattr(_state, "end", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise kind(
            f"timed out: no complete answer within the {getattr(_state, 'total', 0):.0f} s "
            "allowed for one request"
        )
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.start_tls(ssl_context, server_hostname, _clip(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.connect_tcp(
                host, port, _clip(timeout, httpcore.ConnectTimeout), local_address, socket_options
            )
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.connect_unix_socket(path, _clip(timeout, httpcore.ConnectTimeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# httpcore errors → the httpx ones the SDK understands (atproto maps httpx.TimeoutException to its
# InvokeTimeoutError and httpx.NetworkError to its NetworkError). Most specific first.
_ERRORS: tuple[tuple[type[Exception], type[Exception]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except (
        httpcore.TimeoutException,
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
        httpcore.ProxyError,
    ) as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    """The response body: read under the same deadline as the rest of the request."""

    def __init__(self, inner: Iterable[bytes], end: float, total: float) -> None:
        self._inner = inner
        self._end = end
        self._total = total

    def __iter__(self) -> Iterator[bytes]:
        previous = getattr(_state, "end", None), getattr(_state, "total", 0.0)
        _state.end, _state.total = self._end, self._total
        try:
            with _httpx_errors():
                yield from self._inner
        finally:
            _state.end, _state.total = previous

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            with _httpx_errors():
                close()


def httpcore_request(request: httpx.Request) -> httpcore.Request:
    """httpx's request as httpcore's, for a transport that sends through its own httpcore pool (this
    module's deadline transport, the link cards' guarded one)."""
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(
            scheme=request.url.raw_scheme,
            host=request.url.raw_host,
            port=request.url.port,
            target=request.url.raw_path,
        ),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport (HTTP/1.1, TLS verified, environment proxies honoured) where each request must
    complete within `deadline_for(its body size)` seconds."""

    def __init__(self, *, max_connections: int = 10, keepalive: int = 5) -> None:
        ssl_context = httpx.create_ssl_context()
        self._direct = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=keepalive,
            network_backend=_Backend(),
        )
        self._proxied: dict[str, httpcore.HTTPProxy] = {}
        self._ssl_context = ssl_context
        self._limits = (max_connections, keepalive)
        self._lock = threading.Lock()

    def _pool(self, url: httpx.URL) -> httpcore.ConnectionPool | httpcore.HTTPProxy:
        # The proxies the environment names (HTTPS_PROXY, NO_PROXY…), as httpx itself would use them.
        host = url.host
        proxy = urllib.request.getproxies().get(url.scheme)
        if not proxy or urllib.request.proxy_bypass(host) or host in ("localhost", "127.0.0.1", "::1"):
            return self._direct
        with self._lock:
            pool = self._proxied.get(proxy)
            if pool is None:
                proxy_url = httpx.URL(proxy)
                pool = self._proxied[proxy] = httpcore.HTTPProxy(
                    proxy_url=httpcore.URL(
                        scheme=proxy_url.raw_scheme,
                        host=proxy_url.raw_host,
                        port=proxy_url.port,
                        target=proxy_url.raw_path,
                    ),
                    ssl_context=self._ssl_context,
                    max_connections=self._limits[0],
                    max_keepalive_connections=self._limits[1],
                    network_backend=_Backend(),
                )
            return pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        size = int(request.headers.get("content-length") or 0)
        total = deadline_for(size)
        end = time.monotonic() + total
        core = httpcore_request(request)
        previous = getattr(_state, "end", None), getattr(_state, "total", 0.0)
        _state.end, _state.total = end, total
        try:
            with _httpx_errors():
                response = self._pool(request.url).handle_request(core)
        finally:
            _state.end, _state.total = previous
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream, end, total),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._direct.close()
        for pool in self._proxied.values():
            pool.close()


# --- Mastodon.py (requests / urllib3) ---------------------------------------------------------------------

_current = threading.local()  # .conns: the urllib3 connections the request of this thread is using


class _Tracked:
    """Registers what the request of this thread uses: the connection while it sends (its socket may be
    made then), its socket once sent — http.client drops the connection's reference to the socket when
    the answer says "Connection: close", while the body is still being read from it."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        conns = getattr(_current, "conns", None)
        if conns is not None:
            conns.append(self)
        result = super().request(*args, **kwargs)  # type: ignore[misc]
        sock = getattr(self, "sock", None)
        if conns is not None and sock is not None:
            conns.append(sock)
        return result


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # urllib3's documented way to choose the pool (and so the connection) classes.
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def _body_size(request: requests.PreparedRequest) -> int:
    body = request.body
    if body is None:
        return 0
    if isinstance(body, bytes | str):
        return len(body)
    try:
        return int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return 0


class DeadlineSession(requests.Session):
    """A `requests.Session` whose every request (body read included) completes within its deadline."""

    def __init__(self) -> None:
        super().__init__()
        adapter = _Adapter()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        total = deadline_for(_body_size(request))
        conns: list[Any] = []
        fired = threading.Event()

        def cut() -> None:
            fired.set()
            for used in list(conns):
                sock = used if isinstance(used, socket.socket) else getattr(used, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # wakes the blocked read now

        previous = getattr(_current, "conns", None)
        _current.conns = conns
        timer = threading.Timer(total, cut)
        timer.daemon = True
        timer.start()
        try:
            return super().send(request, **kwargs)  # stream=False (Mastodon.py's API calls): body included
        except requests.exceptions.RequestException as exc:
            if fired.is_set() and not isinstance(exc, requests.exceptions.Timeout):
                raise requests.exceptions.ReadTimeout(
                    f"timed out: no complete answer within the {total:.0f} s allowed for one request"
                ) from exc
            raise
        finally:
            timer.cancel()
            _current.conns = previous
