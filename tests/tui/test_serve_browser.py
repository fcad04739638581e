"""`quittex-tui serve` in a real headless Chromium (Debian's `chromium`; tests/tui/browser.py drives it
through the DevTools protocol): the page loads the app from 127.0.0.1 only, the demo is driven to the
Review step with keys, a screenshot is taken into the test's output, exports arrive as downloads and
links open in a new tab. Without Chromium these tests fail (they never skip): .ci/run installs it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.tui.browser import chromium, open_page, wait_for_port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve(isolated_home: Path) -> Iterator[Callable[..., int]]:
    """Start `quittex-tui serve …` on a free port; stops it and every app process it started."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> int:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "quittex_tui", "serve", *args, "--port", str(port)],
            env={**os.environ, "QUITTEX_HOME": str(isolated_home)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the app processes it spawns go with it
        )
        started.append(proc)
        wait_for_port(port, proc)
        return port

    yield start
    for proc in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def test_without_chromium_the_browser_tests_fail_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("QUITTEX_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AssertionError, match="Chromium is missing"), chromium(tmp_path / "profile"):
        pass


def listening_addresses(port: int) -> list[str]:
    """The local addresses listening on `port` (Linux /proc/net/tcp{,6}: state 0A is LISTEN)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                if len(address) == 8:
                    found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    found.append(address)  # an IPv6 listener: would show up as a failure below
    return found


def test_serve_listens_on_loopback_only(serve) -> None:
    port = serve("demo")
    assert listening_addresses(port) == ["127.0.0.1"]


def test_the_served_demo_reaches_review_by_keys_in_a_real_browser(serve, tmp_path: Path) -> None:
    port = serve("demo", "--lang", "en")
    with chromium(tmp_path / "chromium-profile") as endpoint:
        page = open_page(endpoint)
        try:
            page.send("Page.navigate", url=f"http://127.0.0.1:{port}/")
            page.wait_for_text(lambda s: "DEMO" in s and "Archive" in s)
            page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            mark = page.mark()
            for _ in range(3):  # Archive -> Accounts -> Select -> Review, with the Next-step key
                page.key("n")
                page.pump(0.4)
            # the Review step's own keys in the footer, and its search field
            page.wait_for_text(
                lambda s: "e Edit" in s and "f Kind" in s and "Search the text" in s, since=mark
            )
            shot = page.screenshot(tmp_path / "serve-review.png")
            with Image.open(shot) as img:
                colors = img.convert("RGB").getcolors(maxcolors=1 << 22) or []
                assert img.size[0] >= 1000 and len(colors) > 16  # drawn, not a blank page
            # the Report step's export arrives in the browser as a download (App.deliver_binary)
            page.key("n")
            page.key("n")
            page.pump(0.5)
            page.key("w")
            deadline = time.monotonic() + 30
            downloads: list[str] = []
            while time.monotonic() < deadline and len(downloads) < 2:
                page.pump(0.5)
                downloads = [u for u in page.evaluate("window.__opened") or [] if "/download/" in u]
            assert len(downloads) == 2, page.evaluate("window.__opened")
            bodies = [httpx.get(url, timeout=30).text for url in downloads]
            assert any(body.startswith("# quittex-tui report") for body in bodies)
            assert any(body.startswith("target,item_id,status,url,reason") for body in bodies)
        finally:
            page.close()
    print(f"screenshot: {shot}")


@pytest.mark.servers
def test_a_link_opens_in_a_new_browser_tab_in_french(
    serve, tmp_path: Path, test_servers: dict[str, str]
) -> None:
    port = serve("demo", "--lang", "fr")
    with chromium(tmp_path / "chromium-profile") as endpoint:
        page = open_page(endpoint)
        try:
            page.send("Page.navigate", url=f"http://127.0.0.1:{port}/")
            page.wait_for_text(lambda s: "DÉMO" in s or "DEMO" in s)
            page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            page.key("2")  # Accounts
            page.pump(0.5)
            page.key("j")  # Bluesky -> Mastodon
            page.key("Enter")
            page.wait_for_text(lambda s: "Votre instance" in s)
            page.type_text(f"{test_servers['QTX_MASTODON_URL']}/@testuser")
            page.key("Enter")
            page.wait_for_text(lambda s: "nouvel onglet" in s)  # "Ctrl+O opens the link in a new tab"
            page.key("o", ctrl=True)
            deadline = time.monotonic() + 30
            opened: list[str] = []
            while time.monotonic() < deadline and not opened:
                page.pump(0.3)
                opened = [u for u in page.evaluate("window.__opened") or [] if "/oauth/authorize" in u]
            assert opened and "lang=fr" in opened[0] and "None" not in opened[0]
            page.screenshot(tmp_path / "serve-mastodon-fr.png")
        finally:
            page.close()
