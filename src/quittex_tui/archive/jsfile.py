"""Parse the archive's `.js` data files: `window.YTD.<type>.part<N> = [ … ]`
(docs/x-archive-format.md#the-js-data-files).

Strip everything up to the first `=`, parse the rest as JSON. Never rely on whitespace or layout; a
trailing `;` and any whitespace are accepted; an empty or blank file is an empty list. The JSON is parsed
from a memoryview of the member's bytes, so no second copy of the text is made.

Three ways in:
- `parse_js` / `parse_rows`: the whole value as Python objects (orjson), for the small files (account,
  manifest, notes, deleted tweets);
- `split_rows`: a row file's bytes cut into one `msgspec.Raw` slice per row, without decoding them: the
  reader then decodes each row straight into typed structs (archive/rows.py), so no dict of a row ever
  exists and each row's failure stays that row's;
- `iter_rows`: the same, from a stream, a piece at a time, so a 700 MB tweets.js (500k tweets) is never
  in memory whole (ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16: 300k tweets within 1 GiB).
  It cuts the text between two rows only: a raw newline never occurs inside a JSON string (RFC 8259 §7:
  control characters are escaped), so a newline, the rows' own indentation and `},` … `{` can only be
  whitespace and punctuation between values. The indentation is learnt from the first row; each piece is then
  checked by decoding it as a JSON array, and anything unexpected (a layout with no newlines between rows,
  damage) falls back to reading the rest of the file whole, exactly as `split_rows` does — so the result and
  the errors are the same.

Broken characters (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 11): a lone UTF-16
surrogate escape (`\\ud800` without its pair) or bytes that are not UTF-8 make every strict JSON parser refuse
the whole file, and downloading the archive again gives the same bytes. Such a file is repaired — each bad
character becomes U+FFFD — and read; the caller warns, naming the tweet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

import msgspec
import orjson

from quittex_tui.errors import ArchiveError, todo

_TRAILING = b" \t\r\n;\x00"
_HINT = todo("damaged_file")
# A \uXXXX escape in the surrogate range whose backslash is not itself escaped (an even run of
# backslashes before it): a high+low pair is kept, anything else is a lone surrogate (RFC 8259 §7 allows
# the escape syntactically, but it encodes no character: Python's str can hold it, UTF-8 cannot).
_SURROGATE = re.compile(
    rb"(?<!\\)((?:\\\\)*)(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2})"
)
REPLACEMENT_ESCAPE = b"\\ufffd"
REPLACEMENT_UTF8 = "\ufffd".encode()
_RAW_ROWS = msgspec.json.Decoder(list[msgspec.Raw])


def _body(data: bytes, name: str) -> memoryview | None:
    """The JSON text after the first `=` (None: a blank file)."""
    eq = data.find(b"=")
    if eq < 0:
        if not data.strip():
            return None  # blank files exist (ageinfo.js in 2025 archives)
        start = len(data) - len(data.lstrip())
        if data[start : start + 1] not in (b"[", b"{"):
            raise ArchiveError(key="error.archive.no_header", params={"name": name}, todo=[_HINT])
        eq = start - 1  # bare JSON (a re-saved file): accept it
    end = len(data)
    while end > eq + 1 and data[end - 1] in _TRAILING:
        end -= 1
    return memoryview(data)[eq + 1 : end]


def _fix_surrogate(match: re.Match[bytes]) -> bytes:
    escapes = match.group(2)
    return match.group(1) + (escapes if len(escapes) == 12 else REPLACEMENT_ESCAPE)


def repair(text: bytes | memoryview) -> bytes | None:
    """`text` with each lone surrogate escape and each invalid UTF-8 sequence replaced by U+FFFD, or None
    when there is nothing of the kind to repair (the damage is something else)."""
    raw = bytes(text)
    fixed = _SURROGATE.sub(_fix_surrogate, raw)
    try:
        fixed.decode("utf-8")
    except UnicodeDecodeError:
        fixed = fixed.decode("utf-8", "replace").encode("utf-8")
    return fixed if fixed != raw else None


def parse_js(data: bytes, name: str, repaired: list[str] | None = None) -> Any:
    """The JSON value after the first `=` of an archive `.js` file; `[]` for a blank file.

    A file with broken characters is repaired (see the module doc) and `name` appended to `repaired`."""
    body = _body(data, name)
    if body is None:
        return []
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        fixed = repair(body)
        if fixed is not None:
            try:
                value = orjson.loads(fixed)
            except orjson.JSONDecodeError:
                pass
            else:
                if repaired is not None:
                    repaired.append(name)
                return value
        raise ArchiveError(
            key="error.archive.bad_json", params={"name": name, "detail": exc}, todo=[_HINT]
        ) from None
    finally:
        body.release()


def parse_rows(data: bytes, name: str, repaired: list[str] | None = None) -> list[Any]:
    """A data file that must hold a list of rows (every YTD file does)."""
    value = parse_js(data, name, repaired)
    if not isinstance(value, list):
        raise ArchiveError(key="error.archive.not_rows", params={"name": name}, todo=[_HINT])
    return value


def split_rows(data: bytes, name: str) -> tuple[list[msgspec.Raw], bool]:
    """Each row of a row file as an undecoded JSON slice, and whether the file had to be repaired.

    The slices point into `data` (or into its repaired copy), so no text is copied. The JSON's syntax is
    checked here for the whole file (a truncated file is refused, naming it); rows are decoded later.
    """
    body = _body(data, name)
    if body is None:
        return [], False
    try:
        return _RAW_ROWS.decode(body), False
    except msgspec.ValidationError:
        raise ArchiveError(key="error.archive.not_rows", params={"name": name}, todo=[_HINT]) from None
    except msgspec.DecodeError as exc:
        fixed = repair(body)
        if fixed is not None:
            try:
                return _RAW_ROWS.decode(fixed), True
            except msgspec.DecodeError:
                pass
        raise ArchiveError(
            key="error.archive.bad_json", params={"name": name, "detail": exc}, todo=[_HINT]
        ) from None


CHUNK = 16 * 1024 * 1024
_HEAD_MAX = 1024 * 1024  # past this without a row's start, the file is read whole
_ROW_START = re.compile(rb"\[(?P<ws>\s*?)(?:\r?\n(?P<indent>[ \t]*))?\{")


class Readable(Protocol):
    """What `iter_rows` reads from: a binary file, or a wrapper that counts what was read."""

    def read(self, size: int = -1, /) -> bytes: ...


def iter_rows(
    stream: Readable, name: str, chunk: int | None = None
) -> Iterator[tuple[list[msgspec.Raw], bool]]:
    """Each row of a row file read from `stream`, a piece at a time: yields (rows, repaired) per piece.

    See the module doc. The rows of one piece point into that piece only; `repaired` says a broken
    character was replaced in it (jsfile.repair)."""
    chunk = chunk or CHUNK
    head = stream.read(chunk)
    while True:  # the header and the first row's start (a few hundred bytes in)
        eq = head.find(b"=")
        start = _ROW_START.search(head, eq + 1) if eq >= 0 else None
        more = b"" if start is not None or len(head) > _HEAD_MAX else stream.read(chunk)
        if not more:
            break
        head += more
    if start is None or start.group("indent") is None:  # blank, bare, one-line or odd: whole, as before
        yield split_rows(head + stream.read(), name)
        return
    separator = b"\n" + start.group("indent") + b"}"  # a row's closing brace, on its own line
    buffer = head[start.start() + 1 :]  # from the first row's `{`, the `[` dropped
    while True:
        more = stream.read(chunk)
        if not more:
            break
        buffer += more
        cut = _last_row_end(buffer, separator)
        if cut is None:
            continue  # one row longer than a chunk: read on
        piece = b"[" + buffer[:cut] + b"]"
        try:
            rows = _RAW_ROWS.decode(piece)
        except msgspec.DecodeError:
            fixed = repair(piece)
            fixed_rows: list[msgspec.Raw] | None
            try:
                fixed_rows = _RAW_ROWS.decode(fixed) if fixed is not None else None
            except msgspec.DecodeError:
                fixed_rows = None
            if fixed_rows is None:  # not cut where a row ends after all, or damage: the rest whole, as before
                yield split_rows(b"=[" + buffer + stream.read(), name)
                return
            yield fixed_rows, True
        else:
            yield rows, False
        del piece
        rest = buffer[cut:].lstrip()
        if not rest.startswith(b","):  # no comma between two rows: not what it seemed; the rest whole
            yield split_rows(b"=[" + rest + stream.read(), name)
            return
        buffer = rest[1:].lstrip()
    yield split_rows(b"=[" + buffer, name)


def _last_row_end(buffer: bytes, separator: bytes) -> int | None:
    """The offset just after the last row that ends (at the row indentation) and is followed by a comma
    and the next row's `{`, or None."""
    end = len(buffer)
    while True:
        pos = buffer.rfind(separator, 0, end)
        if pos < 0:
            return None
        after = pos + len(separator)
        tail = buffer[after : after + 64].lstrip()
        if tail.startswith(b",") and tail[1:].lstrip()[:1] == b"{":
            return after
        end = pos
