#!/usr/bin/env python3
"""The web pages the demo archive links to, served on loopback so its link cards show on a local network.

The demo archive (scripts/make_demo_archive.py) is invented, and so are the sites it links to
(exemple.org, data.exemple.fr). A real run fetches each link's page when its post is sent (issue 13,
publish/linkcard.py); to see the demo's cards on the local test network, run this server and point the
link cards at it:

    python scripts/demo_pages.py              # prints QUITTEX_LINK_CARDS_MIRROR=http://127.0.0.1:PORT
    QUITTEX_LINK_CARDS_MIRROR=http://127.0.0.1:PORT quittex-tui migrate … --to bluesky …

With that setting every page is asked from this server (`https://exemple.org/a?b` → `MIRROR/exemple.org/a?b`)
while the cards keep the real URLs. The pages are shaped like real ones: OpenGraph tags with a picture,
Twitter tags only, a bare `<title>`, a page gone (404: that post goes without a card, and the report says
so), a PDF (not a web page). Deterministic: pictures are drawn from fixed numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import io
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Page:
    title: str
    description: str = ""
    image: str = ""  # a picture name below (served at /img/<name>.png)
    style: str = "og"  # og | twitter | title | gone | pdf


PAGES: dict[str, Page] = {
    "https://data.exemple.fr/presse-locale-2019": Page(
        "Presse locale 2019 : fermetures et rachats — jeu de données",
        "Douze titres fermés, quatre rachetés : les données ouvertes, département par département.",
        "map",
        style="twitter",
    ),
    "https://exemple.org/live/us-2020?ref=tw&lang=en": Page("Live: US election night", style="gone"),
    "https://exemple.org/classement-2022?pays=fr&an=2022": Page(
        "Classement mondial de la liberté de la presse 2022 : la France 26e",
        "La France gagne huit places. Ce que le classement mesure, et ce qu’il ne dit pas.",
        "chart",
    ),
    "https://exemple.org/enquete-cantines": Page(
        "Cantines scolaires : notre enquête dans 120 communes",
        "Bio, local, prix du repas : ce que mangent vraiment les enfants, commune par commune.",
        "plate",
    ),
    "https://exemple.org/etudes/participation?source=quittex&p=2": Page(
        "Quand le journal ferme, la participation baisse", style="title"
    ),
    "https://exemple.org/deserts-mediatiques": Page(
        "Déserts médiatiques : un an d’enquête en France",
        "31 départements n’ont plus de quotidien local indépendant. Notre enquête, carte à l’appui.",
        "map",
    ),
    "https://exemple.org/blog/quitter-x-mode-d-emploi": Page(
        "Quitter X : mode d’emploi pour journalistes",
        "Archives, abonnés, liens : tout transférer sur Bluesky et Mastodon sans rien perdre.",
        "bird",
    ),
    "https://exemple.org/methodo?annee=2019&format=pdf": Page("Méthodologie", style="pdf"),
    "https://exemple.org/docs/rapport-final.pdf": Page("Rapport final", style="pdf"),
}


def picture(name: str) -> bytes:
    """A small drawn picture (1200×630, the usual card ratio), the same bytes on every run."""
    from PIL import Image, ImageDraw

    colours = {
        "map": ((30, 80, 140), (240, 200, 60)),
        "chart": ((250, 250, 250), (30, 90, 200)),
        "plate": ((245, 235, 220), (200, 80, 40)),
        "bird": ((20, 120, 230), (255, 255, 255)),
    }
    back, front = colours.get(name, ((90, 90, 90), (200, 200, 200)))
    img = Image.new("RGB", (1200, 630), back)
    draw = ImageDraw.Draw(img)
    for n in range(9):  # a few shapes: bars, a map-ish blob, a bird-ish arc
        x = 120 + n * 110
        draw.rectangle((x, 560 - 40 * ((n * 7) % 11), x + 70, 560), fill=front)
    draw.ellipse((420, 120, 780, 420), outline=front, width=12)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


def render(url: str, page: Page) -> tuple[int, str, bytes]:
    """(status, content type, body) as the site would answer."""
    if page.style == "gone":
        return 404, "text/html; charset=utf-8", b"<html><head><title>Page introuvable</title></head></html>"
    if page.style == "pdf":
        return 200, "application/pdf", b"%PDF-1.4\n% demo\n"
    title, desc = html.escape(page.title), html.escape(page.description)
    host = urlsplit(url).netloc
    image = f"https://{host}/img/{page.image}.png" if page.image else ""
    tags = [f"<title>{title} | {host}</title>"]
    if page.style == "og":
        tags += [
            f'<meta property="og:title" content="{title}">',
            f'<meta property="og:description" content="{desc}">',
        ]
        if image:
            tags.append(f'<meta property="og:image" content="{image}">')
    elif page.style == "twitter":
        tags += [
            f'<meta name="twitter:title" content="{title}">',
            f'<meta name="twitter:description" content="{desc}">',
        ]
        if image:
            tags.append(f'<meta name="twitter:image" content="{image}">')
    elif desc:
        tags.append(f'<meta name="description" content="{desc}">')
    body = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        + "".join(tags)
        + f"</head><body><h1>{title}</h1></body></html>"
    )
    return 200, "text/html; charset=utf-8", body.encode()


class DemoPages:
    """The mirror: `GET /<host>/<path>?<query>` answers as `https://<host>/<path>?<query>` would."""

    def __init__(self, port: int = 0) -> None:
        pages = PAGES

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                target = "https://" + self.path.lstrip("/")
                parts = urlsplit(target)
                if parts.path.startswith("/img/") and parts.path.endswith(".png"):
                    status, ctype, body = 200, "image/png", picture(parts.path[5:-4])
                else:
                    page = pages.get(target) or pages.get(target.replace("https://", "http://", 1))
                    if page is None:
                        status, ctype, body = 404, "text/plain", b"not part of the demo"
                    else:
                        status, ctype, body = render(target, page)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> DemoPages:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    pages = DemoPages(args.port)
    print(f"QUITTEX_LINK_CARDS_MIRROR={pages.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        pages.server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
