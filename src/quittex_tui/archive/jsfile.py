"""Parse the archive's `.js` data files: `window.YTD.<type>.part<N> = [ … ]` (spec § The .js data files).

Strip everything up to the first `=`, parse the rest as JSON (orjson: files reach hundreds of MB). Never
rely on whitespace or layout; a trailing `;` and any whitespace are accepted; an empty or blank file is an
empty list. The JSON is parsed from a memoryview of the member's bytes, so no second copy of the text is
made.
"""

from __future__ import annotations

from typing import Any

import orjson

from quittex_tui.errors import ArchiveError

_TRAILING = b" \t\r\n;\x00"
_HINT = (
    "The file is damaged (an interrupted download or a bad unzip). Download the archive again from X, "
    "or extract it again from the .zip."
)


def parse_js(data: bytes, name: str) -> Any:
    """The JSON value after the first `=` of an archive `.js` file; `[]` for a blank file."""
    eq = data.find(b"=")
    if eq < 0:
        if not data.strip():
            return []  # blank files exist (ageinfo.js in 2025 archives)
        start = len(data) - len(data.lstrip())
        if data[start : start + 1] not in (b"[", b"{"):
            raise ArchiveError(f"{name} is not an X archive data file (no `window.YTD… =` header).", _HINT)
        eq = start - 1  # bare JSON (a re-saved file): accept it
    end = len(data)
    while end > eq + 1 and data[end - 1] in _TRAILING:
        end -= 1
    body = memoryview(data)[eq + 1 : end]
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ArchiveError(f"{name} is truncated or not valid JSON ({exc}).", _HINT) from None
    finally:
        body.release()


def parse_rows(data: bytes, name: str) -> list[Any]:
    """A data file that must hold a list of rows (every YTD file does)."""
    value = parse_js(data, name)
    if not isinstance(value, list):
        raise ArchiveError(f"{name} does not hold a list of rows as X archive files do.", _HINT)
    return value
