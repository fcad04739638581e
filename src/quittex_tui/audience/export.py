"""The Mastodon follows CSV, for Preferences → Import and export → Import ("Following list").

Format (what Mastodon itself exports and imports, docs/mastodon.md#follows): a header
`Account address,Show boosts,Notify on new posts,Languages`, then one row per account:
`alice@example.social,true,false,` — the full address without a leading `@` (an address without its
domain is skipped by the importer), boosts shown, no notifications, no language filter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from quittex_tui.audience.handles import MASTODON_RE
from quittex_tui.errors import InputError, todo
from quittex_tui.fileio import atomic_write

HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]


def normalize_address(address: str) -> str | None:
    m = MASTODON_RE.match(address.strip())
    return f"{m.group(1)}@{m.group(2).lower()}" if m else None


def follows_csv(addresses: Iterable[str], *, show_boosts: bool = True, notify: bool = False) -> str:
    """The CSV text (LF line ends, as Mastodon's own export). Duplicate addresses are written once."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    seen: set[str] = set()
    for address in addresses:
        norm = normalize_address(address)
        if norm is None:
            raise InputError(
                key="error.export.not_full_address",
                params={"address": address},
                todo=[todo("search_mastodon_again")],
            )
        if norm.lower() in seen:
            continue
        seen.add(norm.lower())
        writer.writerow([norm, "true" if show_boosts else "false", "true" if notify else "false", ""])
    return buf.getvalue()


def write_follows_csv(path: Path, addresses: Iterable[str]) -> int:
    """Write the CSV atomically; returns the number of accounts in it."""
    text = follows_csv(addresses)
    try:
        atomic_write(Path(path), text.encode("utf-8"))
    except OSError as exc:
        raise InputError(
            key="error.export.cannot_write",
            params={"path": path, "detail": exc.strerror or exc},
            todo=[todo("other_csv_path")],
        ) from exc
    return len(text.splitlines()) - 1


def validate_follows_csv(text: str) -> list[str]:
    """Check a follows CSV against Mastodon's import format; returns the addresses (InputError if not)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != HEADER:
        raise InputError(key="error.export.bad_header", params={"header": ",".join(HEADER)})
    out: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        if (
            len(row) != 4
            or normalize_address(row[0]) != row[0]
            or row[1] not in ("true", "false")
            or row[2] not in ("true", "false")
        ):
            raise InputError(key="error.export.bad_line", params={"n": n, "row": repr(row)})
        out.append(row[0])
    return out
