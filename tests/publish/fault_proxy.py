"""A loopback HTTP proxy in front of the REAL local servers, for the exactly-once tests
(ARCHITECTURE.md#the-journal-how-never-twice-holds).

It forwards every request to the real PDS or mastodon-mock and, as a rule callback decides per request
(actions: "pass", "<status>", "drop_after", "rate:<s>", "trickle:<s per byte>", "slow:<s>", "echo:<status>"):
answers an error instead (503, 422…), lets the server write and then cuts the connection (the answer is
lost), answers 429 with rate-limit headers, trickles the real answer one byte at a time, forwards late,
or answers an error whose body echoes the request's headers (as careless servers and proxies do —
Authorization included). Two switches model time: `strip_idempotency` drops the `Idempotency-Key`
header (what a real Mastodon does once its 1 h window is over; the mock remembers keys forever) and
`date_shift` moves the `Date` header the proxy sends (the server's clock, as a resumed process sees it
hours later).
No fake server: every write that goes through lands on the real one.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "host",
    "proxy-connection",
    "upgrade",
    "te",
    "trailer",
    "date",
    "server",
}


@dataclass
class ProxyRequest:
    method: str
    path: str  # without the query string
    headers: dict[str, str]
    body: bytes
    n: int  # how many requests with this method and path so far, this one included (1-based)


@dataclass
class Hit:
    at: float
    method: str
    path: str
    action: str


@dataclass
class FaultProxy:
    upstream: str
    rule: Callable[[ProxyRequest], str] = lambda r: "pass"
    network: str = "mastodon"  # the style of rate-limit headers for "429:<s>"
    strip_idempotency: bool = False
    date_shift: timedelta = timedelta(0)
    hits: list[Hit] = field(default_factory=list)
    _counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                now = time.time() + proxy.date_shift.total_seconds()
                return email.utils.formatdate(now, usegmt=True)

            def do_GET(self) -> None:
                proxy.handle(self)

            do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.client = httpx.Client(trust_env=False, timeout=120)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()

    def count(self, method: str, path_part: str) -> int:
        return sum(1 for h in self.hits if h.method == method and path_part in h.path)

    # --- one request ------------------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        path = h.path.split("?")[0]
        headers = {k: v for k, v in h.headers.items()}
        with self._lock:
            self._counts[(h.command, path)] += 1
            request = ProxyRequest(h.command, path, headers, body, self._counts[(h.command, path)])
            action = self.rule(request)
            self.hits.append(Hit(time.time(), h.command, path, action))
        kind, _, arg = action.partition(":")
        if kind.isdigit():
            return self.reply(h, int(kind), b'{"error":"InternalServerError","message":"injected fault"}')
        if kind == "echo":
            # A careless server: its error repeats what it received, secrets included.
            echoed = "; ".join(f"{k}: {v}" for k, v in headers.items())
            payload = {"error": f"InvalidRequest (you sent {echoed})", "message": f"rejected: {echoed}"}
            return self.reply(h, int(arg or 400), json.dumps(payload).encode())
        if kind == "rate":
            reset = time.time() + float(arg or 3600)
            return self.reply(h, 429, b'{"error":"Too many requests"}', self.rate_headers(reset))
        if kind == "slow":
            time.sleep(float(arg or 1.0))
        response = self.forward(h, body)
        if kind == "drop_after":  # the server wrote it; the client never hears back
            return self.reset(h)
        # Links (pagination) and documents name the upstream: keep the client on the proxy.
        out_headers = {
            k: v.replace(self.upstream, self.url) for k, v in response.headers.items() if k.lower() not in HOP
        }
        content = response.content.replace(self.upstream.encode(), self.url.encode())
        if kind == "trickle":
            return self.trickle(h, response.status_code, content, out_headers, float(arg or 1.0))
        self.reply(h, response.status_code, content, out_headers)

    def forward(self, h: BaseHTTPRequestHandler, body: bytes) -> httpx.Response:
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP}
        if self.strip_idempotency:
            headers = {k: v for k, v in headers.items() if k.lower() != "idempotency-key"}
        return self.client.request(h.command, self.upstream + h.path, headers=headers, content=body)

    def rate_headers(self, reset: float) -> dict[str, str]:
        if self.network == "bluesky":
            return {
                "RateLimit-Limit": "30",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(math.ceil(reset)),
            }
        iso = datetime.fromtimestamp(math.ceil(reset), UTC).isoformat().replace("+00:00", "Z")
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso}

    @staticmethod
    def reply(
        h: BaseHTTPRequestHandler, status: int, content: bytes, headers: dict[str, str] | None = None
    ) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if not any(k.lower() == "content-type" for k in headers or {}):
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(content)))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(content)
        h.close_connection = True

    @staticmethod
    def trickle(
        h: BaseHTTPRequestHandler, status: int, content: bytes, headers: dict[str, str], delay: float
    ) -> None:
        """The real answer, one byte every `delay` seconds: every single read succeeds in time."""
        with contextlib.suppress(OSError):
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(content)))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.flush()
            for byte in content:
                time.sleep(delay)
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
        h.close_connection = True

    @staticmethod
    def reset(h: BaseHTTPRequestHandler) -> None:
        with contextlib.suppress(OSError):  # SO_LINGER 0: close with a TCP RST, like a dropped link
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
        h.close_connection = True
        h.wfile = _Sink()  # type: ignore[assignment]


class _Sink:
    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def fault_proxy(
    upstream: str, rule: Callable[[ProxyRequest], str] = lambda r: "pass", network: str = "mastodon"
) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream, rule, network)
    try:
        yield proxy
    finally:
        proxy.close()


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
