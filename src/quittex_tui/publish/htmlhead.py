"""What a web page says about itself in its `<head>`: title, description and image, for a link card.

Order of preference (what Bluesky's own card service and most readers use): OpenGraph (`og:title`,
`og:description`, `og:image`, <https://ogp.me/>), then Twitter cards (`twitter:title`,
`twitter:description`, `twitter:image`, <https://developer.x.com/en/docs/x-for-websites/cards>), then
`<title>` and `<meta name="description">`. Both `property=` and `name=` are accepted for either family:
pages mix them.

Parsed with the standard library's HTML parser (html.parser): a real tokenizer, tolerant of broken markup,
that decodes entities in attribute values and text (`&eacute;`, `&#233;`, `&amp;`). The page is data: its
text is never interpreted as anything but text, and controls are removed before it is posted
(textsafe.for_posting). Parsing stops at `</head>` or the first `<body>` element.

Bytes → text (the WHATWG "encoding sniffing" order, https://html.spec.whatwg.org/#determining-the-character-encoding):
a byte order mark, else the `charset` of the HTTP Content-Type, else a `<meta charset>` or
`<meta http-equiv="Content-Type" content="…; charset=…">` in the first 4 KB, else UTF-8 when the bytes
are valid UTF-8, else windows-1252. Labels are mapped as browsers map them: `iso-8859-1`, `latin1` and
`us-ascii` mean windows-1252 (French pages served as "ISO-8859-1" use its `œ`, `€`, `’`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import grapheme

from quittex_tui.textsafe import for_posting

TITLE_MAX = 300  # characters kept of a title (clients show one or two lines)
DESCRIPTION_MAX = 1000  # characters kept of a description (clients show three lines or so)
PRESCAN_BYTES = 4096
_WINDOWS_1252_LABELS = {
    "iso-8859-1",
    "iso8859-1",
    "latin1",
    "latin-1",
    "l1",
    "us-ascii",
    "ascii",
    "iso_8859-1",
    "cp819",
    "windows-1252",
    "cp1252",
    "x-cp1252",
}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageHead:
    title: str = ""
    description: str = ""
    image: str = ""  # absolute URL ("" when the page names none)


def charset_label(label: str) -> str:
    """A Python codec name for a charset label, with browsers' mapping of Latin-1 to windows-1252."""
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def decode_page(data: bytes, content_type: str = "") -> str:
    """The page's text, by the sniffing order above."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    found = _HEADER_CHARSET.search(content_type or "")
    codec = charset_label(found.group(1)) if found else ""
    if not codec:
        meta = _META_CHARSET.search(data[:PRESCAN_BYTES])
        codec = charset_label(meta.group(1).decode("ascii", "replace")) if meta else ""
        if codec.startswith("utf-16"):  # a meta tag read as ASCII cannot be UTF-16 (the spec's rule)
            codec = "utf-8"
    if codec:
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            content = values.get("content")
            if key and content is not None and key not in self.meta:
                self.meta[key] = content

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.done:
            self.title_parts.append(data)


def parse_head(html_text: str, base_url: str) -> PageHead:
    """Title, description and image URL of a page (see the module's order of preference)."""
    parser = _HeadParser()
    try:
        parser.feed(html_text)
        parser.close()
    except (AssertionError, ValueError):  # html.parser's failures on very broken markup: keep what was read
        pass
    meta = parser.meta

    def first(*keys: str) -> str:
        for key in keys:
            value = _clean(meta.get(key, ""))
            if value:
                return value
        return ""

    title = first("og:title", "twitter:title") or _clean("".join(parser.title_parts))
    description = first("og:description", "twitter:description", "description")
    image = first("og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src")
    if image:
        image = urljoin(base_url, image)
        if not image.lower().startswith(("https://", "http://")):
            image = ""
    return PageHead(_cut(title, TITLE_MAX), _cut(description, DESCRIPTION_MAX), image)


def _clean(text: str) -> str:
    """One line of text as a page means it: whitespace runs as one space, controls removed."""
    return _SPACE.sub(" ", for_posting(text)).strip()


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: grapheme.safe_split_index(text, limit - 1)]  # never inside an emoji or an accent
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
