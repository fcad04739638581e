"""A real HTTP server on loopback serving real-world-shaped pages for the link card tests
(docs/bluesky.md#link-cards-appbskyembedexternal, issue 13).

Pages as sites really send them: OpenGraph tags (a French news article, entities and all), Twitter tags
only, a bare `<title>` + `<meta name=description>`, a page in windows-1252 declared by its header, one
declared only by `<meta charset>`, redirects (one, a chain too long, one to another address), a 404, a page
that trickles (slower than any deadline), a huge page (50 MB after its head), a PDF, and pictures (one with
EXIF/GPS, one of several MB). `hits` counts the requests per path (the cache tests use it), and
`sent[path]` how many body bytes the server managed to write before the client hung up.
"""

from __future__ import annotations

import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import ExifTags, Image

OG = """<!doctype html>
<html lang="fr"><head>
<meta charset="utf-8">
<title>Déserts médiatiques : l'enquête | Le Quotidien</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Déserts médiatiques : 31 départements sans quotidien local">
<meta property="og:description"
 content="Un an d&#8217;enquête, département par département &amp; les chiffres. L&rsquo;été des fermetures.">
<meta property="og:image" content="/img/photo.jpg">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="(twitter title: not used when og:title exists)">
<script>var x = "</head>";</script>
</head><body><h1>Déserts médiatiques</h1><p>…</p></body></html>"""

TWITTER_ONLY = """<html><head>
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="Élections : les résultats en direct">
<meta name="twitter:description" content="Carte interactive, commune par commune.">
<meta name="twitter:image" content="http://{host}/img/chart.png">
<title>Résultats — Le Site</title>
</head><body></body></html>"""

TITLE_ONLY = """<html><head><TITLE>
   Rapport final  2024
</TITLE>
<meta name="Description" content="Le document complet, 212 pages.">
</head><body>x</body></html>"""

META_CHARSET = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Œuvres d’été à 5 € — « l’expo »</title></head><body></body></html>"""

HEADER_CHARSET = """<html><head><title>Cœur de ville : l’été à Noël</title>
<meta name="description" content="Déjà 3 € de réduction.">
</head><body></body></html>"""


def jpeg_with_gps(width: int = 1600, height: int = 900) -> bytes:
    img = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 45.0, 28.0),
    }
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


class PageServer:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.photo = jpeg_with_gps()
        self.big_photo = jpeg_with_gps(2200, 1400)  # ~3 MB: made small enough for a thumbnail
        self.huge_photo = jpeg_with_gps(4000, 3000)  # ~11 MB: over the download cap, not used
        self.chart = png(800, 400)
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.base = f"http://{self.host}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> PageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _send(
                self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                    server.sent[self.path] += len(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _redirect(self, where: str, status: int = 301) -> None:
                self._send(status, b"", "text/html", {"Location": where})

            def do_GET(self) -> None:
                path = self.path
                server.hits[path] += 1
                self.headers_seen = dict(self.headers)
                html = "text/html; charset=utf-8"
                if path == "/og":
                    self._send(200, OG.encode(), html)
                elif path == "/twitter":
                    self._send(200, TWITTER_ONLY.format(host=server.host).encode(), "text/html")
                elif path == "/title":
                    self._send(200, TITLE_ONLY.encode(), "text/html; charset=UTF-8")
                elif path == "/meta-charset":
                    self._send(200, META_CHARSET.encode("cp1252"), "text/html")
                elif path == "/header-charset":
                    self._send(200, HEADER_CHARSET.encode("cp1252"), "text/html; charset=ISO-8859-1")
                elif path == "/redirect":
                    self._redirect("/og")
                elif path.startswith("/chain/"):
                    n = int(path.rsplit("/", 1)[1])
                    self._redirect(f"/chain/{n + 1}" if n < 10 else "/og", 302)
                elif path == "/to-other-address":
                    # another loopback address than the one asked: a different host for the checks
                    self._redirect(f"http://127.0.0.2:{server.server.server_address[1]}/og")
                elif path == "/missing":
                    self._send(404, b"<html><head><title>Not found</title></head></html>", html)
                elif path == "/slow":
                    self._trickle()
                elif path == "/huge":
                    self._huge()
                elif path == "/pdf":
                    self._send(200, b"%PDF-1.4 ...", "application/pdf")
                elif path == "/big-image":
                    page = OG.replace("/img/photo.jpg", "/img/big.jpg").encode()
                    self._send(200, page, html)
                elif path == "/img/photo.jpg":
                    self._send(200, server.photo, "image/jpeg")
                elif path == "/huge-image":
                    page = OG.replace("/img/photo.jpg", "/img/huge.jpg").encode()
                    self._send(200, page, html)
                elif path == "/img/big.jpg":
                    self._send(200, server.big_photo, "image/jpeg")
                elif path == "/img/huge.jpg":
                    self._send(200, server.huge_photo, "image/jpeg")
                elif path == "/img/chart.png":
                    self._send(200, server.chart, "image/png")
                elif path == "/ua":
                    agent = self.headers.get("User-Agent", "")
                    self._send(200, f"<title>{agent}</title>".encode(), html)
                else:
                    self._send(404, b"not here", "text/plain")

            def _trickle(self) -> None:
                """Headers at once, then one byte a second: each read is quick, the whole is endless."""
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    for _ in range(120):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        server.sent[self.path] += 1
                        time.sleep(1.0)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _huge(self) -> None:
                """A proper head, then 50 MB of body."""
                head = b"<html><head><title>Une tr\xc3\xa8s longue page</title></head><body>"
                chunk = b"<p>" + b"x" * 65_536 + b"</p>\n"
                total = len(head) + 800 * len(chunk)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(total))
                self.end_headers()
                try:
                    self.wfile.write(head)
                    server.sent[self.path] += len(head)
                    for _ in range(800):
                        self.wfile.write(chunk)
                        server.sent[self.path] += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def serve() -> Iterator[PageServer]:
    pages = PageServer().start()
    try:
        yield pages
    finally:
        pages.stop()
