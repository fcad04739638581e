"""A real headless Chromium driven through the DevTools protocol (chromedevtools.github.io/devtools-protocol),
for the `quittex-tui serve` tests. No browser-automation package: Debian's `chromium` and the `websockets`
client the atproto SDK already brings are enough, and nothing is downloaded at test time.

The page draws the terminal on a canvas (xterm.js with its WebGL/canvas renderer), so what the app shows is
read from the terminal stream itself: the WebSocket frames textual-serve sends to the page, captured with
the Network domain and stripped of their escape sequences. `window.open` (how textual-serve opens links and
starts downloads) is recorded by a script added before the page loads.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# What the brief for this test asks of a root, headless, offline Chromium.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--mute-audio",
    "--window-size=1280,860",
    "--remote-debugging-port=0",
]
ANSI = re.compile(  # CSI, OSC, DCS/PM/APC strings, and two-byte escapes (ECMA-48)
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]"
)
RECORD_OPEN = (
    "window.__opened = [];"
    " window.open = (url, target) => { window.__opened.push(String(url)); return null; };"
)


def chromium_executable() -> str | None:
    explicit = os.environ.get("QUITTEX_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One page target: send commands, wait for events, read the terminal text the app drew."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(ws_url, max_size=None, open_timeout=30))
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.frames: list[str] = []

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()

    def _handle(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Network.webSocketFrameReceived":
            response = message["params"]["response"]
            data = response.get("payloadData", "")
            if response.get("opcode") == 2:
                data = base64.b64decode(data).decode("utf-8", errors="replace")
            self.frames.append(data)
        elif "method" in message:
            self.events.append(message)

    def send(self, method: str, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            raw = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            message = json.loads(raw)
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._handle(message)

    def pump(self, seconds: float) -> None:
        """Receive events for `seconds` (terminal frames keep arriving while the app draws)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._handle(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def screen_text(self) -> str:
        """Everything the app has drawn so far, without escape sequences."""
        return ANSI.sub("", "".join(self.frames))

    def mark(self) -> int:
        """A point in the stream: `wait_for_text(since=…)` looks only at what was drawn after it."""
        return len(self.frames)

    def wait_for_text(
        self, predicate: Callable[[str], bool], timeout: float = 60.0, since: int | None = None
    ) -> str:
        deadline = time.monotonic() + timeout
        mark = self.mark() if since is None else since
        while time.monotonic() < deadline:
            if predicate(ANSI.sub("", "".join(self.frames[mark:]))):
                return self.screen_text()
            self.pump(0.3)
        last = self.screen_text()[-3000:]
        raise AssertionError(f"the page never showed what was expected; last text: {last!r}")

    def key(self, key: str, *, ctrl: bool = False) -> None:
        """One key press as a person makes it (keyDown with its text, keyUp) into the focused terminal."""
        if len(key) == 1 and key.isalpha():
            code = f"Key{key.upper()}"
        else:
            code = f"Digit{key}" if key.isdigit() else key
        vk = ord(key.upper()) if len(key) == 1 else {"Enter": 13, "Escape": 27, "Tab": 9}.get(key, 0)
        down: dict[str, Any] = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk}
        if ctrl:
            down["modifiers"] = 2
        elif len(key) == 1:
            down["text"] = key
        elif key == "Enter":
            down["text"] = "\r"
        self.send("Input.dispatchKeyEvent", **down)
        self.send(
            "Input.dispatchKeyEvent",
            type="keyUp",
            key=key,
            code=code,
            windowsVirtualKeyCode=vk,
            **({"modifiers": 2} if ctrl else {}),
        )

    def type_text(self, text: str) -> None:
        self.send("Input.insertText", text=text)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[str]:
    """A headless Chromium with a fresh profile; yields its DevTools HTTP endpoint."""
    exe = chromium_executable()
    assert exe, "Chromium is missing: install Debian's `chromium` (apt-get install -y chromium; .ci/run does)"
    profile.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None:
                raise AssertionError(f"Chromium exited at start: {proc.stderr.read().decode()[-2000:]}")
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port in 60 s"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def open_page(endpoint: str) -> Page:
    """A new tab, with window.open recorded and the terminal's WebSocket frames captured."""
    target = httpx.put(f"{endpoint}/json/new?about:blank", timeout=30).json()
    page = Page(target["webSocketDebuggerUrl"])
    page.send("Page.enable")
    page.send("Network.enable")
    page.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_OPEN)
    return page


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"quittex-tui serve exited with {proc.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"quittex-tui serve did not answer on port {port}")
