"""A tweet's text as it should read on the new networks, plus where its links and hashtags are.

Rules (docs/x-archive-format.md#text-escaping-and-entity-indices):
- A reply's leading run of `@handle` words goes (X prefixes them; they mean nothing elsewhere) — only for
  a reply to a status: an @-post that answers no tweet keeps its addressee (it is what it says). Found by a
  regex: a leading handle can have no `user_mentions` entity (renamed or suspended account), and
  `display_text_range` covers the whole text in real archives — honoured only where it is narrower.
- Each media t.co is removed; every other t.co becomes its `expanded_url` (never `display_url`, which X
  truncates with `…`).
- Entity indices count code points of the still-escaped `full_text`: all entity surgery happens on the
  escaped text (each index checked against the entity's own url; when off, the t.co is searched for), and
  HTML entities are unescaped once, afterwards. Note tweets' `core.text` is stored unescaped; it is
  unescaped only when it visibly carries escapes and no raw `<`, `>` or stray `&`.
- Whitespace, line breaks, accents and emoji stay exactly as written (only the ends are trimmed).
- Terminal controls and bidi overrides are removed (textsafe.for_posting: ECMA-48 C0/C1, UAX #9 explicit
  embeddings/overrides/isolates) after the entity surgery, which needs the archive's own offsets; the link
  spans found so far are moved to the cleaned text, and hashtags are found on it, so facets stay exact.

Spans are code-point ranges into the clean text; link spans keep the full URI (Bluesky facets, splitting
never cuts through them). Hashtags are found the way Bluesky's own clients find them, so the plan and a
text edited later in the TUI get the same facets.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from quittex_tui.archive.models import Tweet, TweetKind, UrlEntity
from quittex_tui.textsafe import for_posting, for_posting_mapped

SpanKind = Literal["link", "tag"]


@dataclass(frozen=True, slots=True)
class Span:
    kind: SpanKind
    start: int  # code points into the text
    end: int
    value: str  # link: the full URI; tag: the tag without '#'


@dataclass(slots=True)
class CleanText:
    text: str
    spans: list[Span]  # sorted, non-overlapping


# A reply's leading handles: "@alice @bob_2 text" -> "text". X handles are [A-Za-z0-9_], ≤ 15 today
# (older ones up to 20; 50 keeps odd data harmless). The full-width ＠ is accepted by X too.
_LEADING_HANDLES = re.compile(r"[ \t\u00a0\u3000]*(?:[@＠][A-Za-z0-9_]{1,50}(?:\s+|$))+")

# Raw http(s) URLs left in the text (no entity: note text, X not wrapping one). Conservative on purpose:
# only explicit schemes, like Mastodon's counter and Bluesky's link detector for `https?://`.
_URL = re.compile(r"(?<![\w@/])https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"»…’”"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Bluesky's tag detector (social-app / @atproto/api rich-text detection): '#' or '＃' at the start or after
# whitespace, then characters that are not spaces or invisible joiners; trailing punctuation stripped;
# must hold one character that is neither a digit nor punctuation; at most 64 characters (lexicon
# app.bsky.richtext.facet#tag: maxGraphemes 64, maxLength 640).
_TAG = re.compile(r"(?:^|(?<=\s))[#＃]([^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+)")
_TAG_MAX = 64
# An @handle left in a post (Bluesky: a mention candidate; Mastodon: see mastodon.py). Not after a word
# character, '/', '.' or '@' (emails, URLs), not followed by '@' (a Fediverse address). Two forms:
# - an atproto handle (atproto.com/specs/handle: dot-separated segments of letters, digits and '-', not
#   starting or ending with '-', at most 63 each, the last not starting with a digit; ≤ 253 in all), e.g.
#   `@alice-b.bsky.social` — not followed by more handle characters, nor by '.' + a letter or digit (a
#   sentence's final '.' is not part of it);
# - an X screen name (`[A-Za-z0-9_]`, ≤ 15 today, up to 20 for old accounts), e.g. `@alice_b`, with the
#   same end rule (`@alice_b.bsky.social` is neither: no mention).
_SEGMENT = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
MENTION = re.compile(
    rf"(?<![\w@/.＠])[@＠](?:((?:{_SEGMENT}\.)+{_TLD})(?![A-Za-z0-9_@＠-]|\.[A-Za-z0-9])"
    r"|([A-Za-z0-9_]{1,20})(?![A-Za-z0-9_@＠]|\.[A-Za-z0-9]))"
)
HANDLE_MAX = 253
_SPACE = re.compile(r"\s")
# What a narrower display_text_range may leave out (API-shaped rows): leading handles, trailing links.
_HIDDEN_HEAD = re.compile(r"\s*(?:[@＠][A-Za-z0-9_]{1,50}\s*)*")
_HIDDEN_TAIL = re.compile(r"(?:\s*https?://\S+)*\s*", re.IGNORECASE)
_ESCAPES = re.compile(r"&(?:amp|lt|gt|quot|#39|#x27|apos);")


def clean_tweet(tweet: Tweet) -> CleanText:
    """The text to publish for one tweet (note tweets: their complete text), with link and tag spans."""
    # Only a reply IN A CHAIN (it answers a status) starts with handles X added; an "@-post" (addressed to
    # someone, `in_reply_to_user_id` without a status id: "@corkket now in open beta!") was typed that way,
    # its addressee is part of what it says (docs/x-archive-format.md#replies-and-self-threads).
    is_reply = bool(tweet.in_reply_to_status_id)
    if tweet.note_text:
        raw = tweet.note_text
        escaped = _looks_escaped(raw)
        urls = tweet.note_urls or tweet.urls
        lo, hi = 0, len(raw)
    else:
        raw = tweet.full_text
        escaped = True
        urls = tweet.urls
        lo, hi = _display_range(raw, tweet.display_start, tweet.display_end)
    if is_reply:
        m = _LEADING_HANDLES.match(raw, lo, hi)
        if m:
            lo = m.end()

    edits: list[tuple[int, int, str | None]] = []  # (start, end, replacement URL | None = drop)
    taken: list[tuple[int, int]] = []
    for media_url in sorted({m.url for m in tweet.media if m.url}):
        pos = raw.find(media_url, lo, hi)
        while pos >= 0:
            end = pos + len(media_url)
            if not _overlaps(taken, pos, end):
                start = pos
                while start > lo and raw[start - 1] in " \t":  # the space that introduced it
                    start -= 1
                taken.append((start, end))
                edits.append((start, end, None))
            pos = raw.find(media_url, end, hi)
    for entity in urls:
        _apply_url(raw, entity, lo, hi, taken, edits)

    out: list[str] = []
    links: list[Span] = []
    cursor = lo
    length = 0
    for start, end, replacement in sorted(edits):
        segment = raw[cursor:start]
        if escaped and "&" in segment:
            segment = html.unescape(segment)
        out.append(segment)
        length += len(segment)
        if replacement is not None:
            out.append(replacement)
            links.append(Span("link", length, length + len(replacement), replacement))
            length += len(replacement)
        cursor = end
    segment = raw[cursor:hi]
    if escaped and "&" in segment:
        segment = html.unescape(segment)
    out.append(segment)
    text, links = _without_controls("".join(out), links)

    stripped = text.strip()
    if stripped != text:
        lead = len(text) - len(text.lstrip())
        text = stripped
        links = [
            Span("link", s.start - lead, s.end - lead, s.value)
            for s in links
            if s.start >= lead and s.end - lead <= len(text)
        ]

    quoted = for_posting(tweet.quoted_url).strip() if tweet.quoted_url else ""
    if tweet.kind == TweetKind.QUOTE and quoted and not _has_link(links, quoted):
        # Quotes: no embed of an X post is possible elsewhere, so the quoted URL must stay as a link.
        sep = "\n\n" if text else ""
        start = len(text) + len(sep)
        text = f"{text}{sep}{quoted}"
        links.append(Span("link", start, start + len(quoted), quoted))
    return CleanText(text, find_spans(text, links))


def _without_controls(text: str, links: list[Span]) -> tuple[str, list[Span]]:
    """`text` with controls removed (textsafe.for_posting) and the link spans moved to match; a link left
    empty (it was only controls) is dropped."""
    clean, mapped = for_posting_mapped(text)
    if clean is text:
        return text, links
    moved = [Span(s.kind, mapped(s.start), mapped(s.end), s.value) for s in links]
    return clean, [s for s in moved if s.end > s.start]


def find_spans(text: str, links: list[Span] | None = None) -> list[Span]:
    """Known link spans plus raw URLs and hashtags found in the rest of `text`, sorted."""
    spans = sorted(links or [], key=lambda s: s.start)
    # Raw URLs: only when the text holds more "://" than the links already known (the usual case: none).
    if text.count("://") > len(spans):
        for m in _URL.finditer(text):
            start, end = m.start(), _trim_url_end(text, m.start(), m.end())
            if end - start > len("https://") and not _overlaps_spans(spans, start, end):
                spans.append(Span("link", start, end, text[start:end]))
        spans.sort(key=lambda s: s.start)
    if "#" in text or "＃" in text:
        tags = []
        for m in _TAG.finditer(text):
            tag = _trim_tag(m.group(1))
            if tag is None:
                continue
            start = m.start()
            end = m.start(1) + len(tag)
            if not _overlaps_spans(spans, start, end):
                tags.append(Span("tag", start, end, tag))
        if tags:
            spans = sorted(spans + tags, key=lambda s: s.start)
    return spans


def mentions(text: str, spans: list[Span]) -> list[tuple[int, int, str]]:
    """`(start, end, handle)` of each @handle outside links, in code points (handle without '@'): an X
    screen name, or an atproto handle (it has a dot: `is_domain_handle`)."""
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for m in MENTION.finditer(text):
        handle = m.group(1) or m.group(2)
        if len(handle) > HANDLE_MAX or _overlaps_spans(spans, m.start(), m.end()):
            continue
        found.append((m.start(), m.end(), handle))
    return found


def is_domain_handle(handle: str) -> bool:
    """An atproto (domain name) handle, not an X screen name (which never holds a dot)."""
    return "." in handle


def _display_range(raw: str, start: int, end: int) -> tuple[int, int]:
    """`display_text_range`, honoured only where it is narrower AND cuts off nothing but what X itself
    leaves out of the shown text: leading @handles before it, links (the media t.co) after it. A range
    measured some other way (e.g. on the unescaped text, 4 shorter per `&amp;`) must never eat words."""
    n = len(raw)
    lo, hi = 0, n
    if not (0 <= start < end <= n):
        return lo, hi
    if start > 0 and _HIDDEN_HEAD.fullmatch(raw, 0, start):
        lo = start
    if end < n and _HIDDEN_TAIL.fullmatch(raw, end, n):
        hi = end
    return lo, hi


def _apply_url(
    raw: str,
    entity: UrlEntity,
    lo: int,
    hi: int,
    taken: list[tuple[int, int]],
    edits: list[tuple[int, int, str | None]],
) -> None:
    target = _clean_uri(entity.expanded_url) or for_posting(entity.url)
    # note-tweet.js text may hold a link as typed (its display form, no scheme) rather than as the t.co
    shown = entity.display_url if "…" not in entity.display_url else ""
    for needle in (entity.url, entity.expanded_url, shown):
        if not needle:
            continue
        loc = _locate(raw, needle, entity.start, entity.end, lo, hi, taken)
        if loc is not None:
            taken.append(loc)
            edits.append((loc[0], loc[1], target))
            return


def _locate(
    raw: str, needle: str, start: int, end: int, lo: int, hi: int, taken: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """Where `needle` is: at the entity's own indices when they are right, else its first free copy."""
    if lo <= start and end <= hi and raw[start:end] == needle and not _overlaps(taken, start, end):
        return start, end
    pos = raw.find(needle, lo, hi)
    while pos >= 0:
        if not _overlaps(taken, pos, pos + len(needle)):
            return pos, pos + len(needle)
        pos = raw.find(needle, pos + 1, hi)
    return None


def _clean_uri(url: str) -> str:
    url = for_posting(url).strip()
    if not url or "://" not in url:
        return ""
    if _SPACE.search(url):  # a URI holds no space (RFC 3986): encode ASCII ones, drop the others
        url = _SPACE.sub(lambda m: f"%{ord(m.group()):02X}" if ord(m.group()) < 128 else "", url)
    return url


def _looks_escaped(text: str) -> bool:
    """note-tweet.js text is plain; treat it as escaped only if it obviously is (and nothing contradicts)."""
    if "&" not in text or not _ESCAPES.search(text) or "<" in text or ">" in text:
        return False
    return text.count("&") == len(_ESCAPES.findall(text))


def _trim_url_end(text: str, start: int, end: int) -> int:
    while end > start:
        c = text[end - 1]
        if c in _URL_TRAILING:
            end -= 1
        elif c in _CLOSERS and text.count(_CLOSERS[c], start, end) < text.count(c, start, end):
            end -= 1  # "(see https://x.org/a)" — but keep "https://en.wikipedia.org/wiki/A_(b)"
        else:
            break
    return end


def _trim_tag(tag: str) -> str | None:
    while tag and unicodedata.category(tag[-1]).startswith("P"):
        tag = tag[:-1]
    if not tag or tag[0] == "\ufe0f" or len(tag) > _TAG_MAX:
        return None
    if not any(not (c.isdigit() or unicodedata.category(c).startswith("P")) for c in tag):
        return None
    return tag


def _has_link(links: list[Span], url: str) -> bool:
    want = _status_key(url)
    return any(_status_key(s.value) == want for s in links)


def _status_key(url: str) -> str:
    m = re.search(r"/status(?:es)?/(\d+)", url)
    return m.group(1) if m else url.rstrip("/")


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


def _overlaps_spans(spans: list[Span], start: int, end: int) -> bool:
    return any(start < s.end and s.start < end for s in spans)
