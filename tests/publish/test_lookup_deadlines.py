"""Anonymous lookups (handle → DID → PDS, the PDS probe, the AppView search) have a TOTAL deadline, not only
per-read timeouts: a server that accepts and then stalls or trickles its answer cannot hang a command
(publish/deadline.py, docs/bluesky.md#identity-handles-dids-and-the-pds).

The servers here are network faults, not fakes of a protocol: a loopback socket that accepts and never
answers, and one that sends a status line and headers and then one byte of body every 0.2 s — every
single read succeeds well within any per-read timeout, only a total deadline ends the exchange."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from quittex_tui.errors import ServiceError
from quittex_tui.publish import deadline, identity


class _StallingServer:
    def __init__(self, *, trickle: bool) -> None:
        self.trickle = trickle
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if not self.trickle:
                self.stop.wait()  # accepted, never answered
                return
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            while not self.stop.is_set():
                conn.sendall(b" ")
                self.stop.wait(0.2)
        except OSError:
            return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture(params=["silent", "trickle"])
def stalling(request: pytest.FixtureRequest) -> Iterator[_StallingServer]:
    server = _StallingServer(trickle=request.param == "trickle")
    yield server
    server.close()


def test_handle_resolution_gives_up_at_its_deadline(
    stalling: _StallingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "IDENTITY_DEADLINE", 1.5)
    monkeypatch.setattr(identity, "RESOLVE_TIMEOUT", 30.0)  # per read: longer than the whole test
    monkeypatch.setenv(identity.HANDLE_RESOLVER_ENV, stalling.url)
    start = time.monotonic()
    with pytest.raises(ServiceError) as caught:
        identity.resolve_handle("camille.test")
    assert time.monotonic() - start < 6  # asked twice at most (override, then the verdict), 1.5 s each
    assert caught.value.key == "error.handle.unreachable"  # "retry later", never "no such handle"


def test_pds_probe_gives_up_at_its_deadline(
    stalling: _StallingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "IDENTITY_DEADLINE", 1.5)
    monkeypatch.setattr(identity, "RESOLVE_TIMEOUT", 30.0)
    start = time.monotonic()
    with pytest.raises(ServiceError) as caught:
        identity.probe_pds(stalling.url)
    assert time.monotonic() - start < 4
    assert caught.value.key == "error.server.unreachable"


def test_did_document_gives_up_at_its_deadline(
    stalling: _StallingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "IDENTITY_DEADLINE", 1.5)
    monkeypatch.setattr(identity, "RESOLVE_TIMEOUT", 30.0)
    monkeypatch.setenv(identity.PLC_URL_ENV, stalling.url)
    start = time.monotonic()
    with pytest.raises(ServiceError) as caught:
        identity.did_document("did:plc:abcdefghijklmnopqrstuvwx")
    assert time.monotonic() - start < 4
    assert caught.value.key == "error.did.unreachable"


def test_anonymous_appview_search_gives_up_at_its_deadline(
    stalling: _StallingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atproto_client.exceptions import NetworkError

    from quittex_tui.audience.run import appview_client

    monkeypatch.setattr(deadline, "REQUEST_DEADLINE", 1.5)  # the per-read timeout stays 30 s
    client = appview_client(stalling.url)
    start = time.monotonic()
    with pytest.raises(NetworkError):  # InvokeTimeoutError: the SDK's own timeout, retried as transient
        client.app.bsky.actor.search_actors({"q": "camille", "limit": 5})
    assert time.monotonic() - start < 4
