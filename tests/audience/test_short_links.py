"""Profile links: the t.co links the archive can't expand are resolved from the shortener's redirect
(audience/profile.py `follow_short_link`), here against a real HTTP server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from quittex_tui.audience.profile import ProfileDraft, follow_short_link, resolve_short_links

TARGETS = {"/abc": "https://camille-depeche.example/a-propos", "/web": "https://exemple.fr/"}


class Shortener(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path in TARGETS:
            self.send_response(301)
            self.send_header("Location", TARGETS[self.path])
        else:
            self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # keep the test output clean
        return


@pytest.fixture
def shortener(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv("QUITTEX_OFFLINE", raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shortener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_follow_short_link_reads_the_redirect_without_following_it(shortener: str) -> None:
    assert follow_short_link(f"{shortener}/abc") == TARGETS["/abc"]
    assert follow_short_link(f"{shortener}/gone") is None


def test_unreachable_shortener_gives_none(shortener: str) -> None:
    # a closed port on loopback: connection refused at once
    assert follow_short_link("http://127.0.0.1:9/abc", timeout=2) is None


def test_offline_mode_never_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUITTEX_OFFLINE", "1")
    assert follow_short_link("http://127.0.0.1:9/abc") is None


def test_resolve_short_links_expands_bio_and_website_and_notes_the_rest(shortener: str) -> None:
    asked: list[str] = []

    def resolve(url: str) -> str | None:
        asked.append(url)
        return follow_short_link(url.replace("https://t.co", shortener))

    draft = ProfileDraft(
        display_name="Camille Dupré",
        bio="Journaliste. À propos : https://t.co/abc — archives https://t.co/zzz https://t.co/abc",
        website="https://t.co/web",
    )
    out = resolve_short_links(draft, resolve)
    assert out.bio == (
        "Journaliste. À propos : https://camille-depeche.example/a-propos — archives https://t.co/zzz "
        "https://camille-depeche.example/a-propos"
    )
    assert out.website == "https://exemple.fr/"
    assert out.notes == ["https://t.co/zzz could not be expanded: kept as is"]
    assert sorted(asked) == ["https://t.co/abc", "https://t.co/web", "https://t.co/zzz"]  # each asked once
