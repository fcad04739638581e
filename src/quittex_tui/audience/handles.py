"""Who is who: pair the archive's numeric X ids with X handles, and read the user's own pairing files.

The archive lists follows, followers, blocks and mutes by id only (docs/x-archive-format.md#people,
"People"). Handles come from:

1. **The archive itself** — `archive.known_handles` (the reader pairs ids with screen names from
   `user_mentions` and `in_reply_to_screen_name`), completed here from the tweets' mentions (also those of
   note tweets) and reply fields, which also give the display names people had (`user_mentions[].name`).
2. **A CSV the user writes** (`--handles FILE.csv`). One row per person, header optional, `,` `;` or tab
   separated, UTF-8 with or without BOM (Windows-1252 accepted as a fallback: Excel in French saves so):
   - `x_id,x_handle` — e.g. `1234567890,alice_x` (a handle may carry a leading `@`);
   - `x_handle,account` — e.g. `alice_x,alice.bsky.social` or `alice_x,alice@piaille.fr`;
   - `x_id,x_handle,account` — all three.
   An account is a Bluesky handle (`alice.bsky.social`), a DID (`did:plc:…`), a Mastodon address
   (`alice@example.social`, `@alice@example.social`) or a profile URL (`https://bsky.app/profile/alice.bsky.social`,
   `https://example.social/@alice`); X handles may be given as `https://x.com/alice_x` too. With a header,
   columns are found by name (`x_id`/`id`/`twitter_id`, `x_handle`/`twitter`/`username`/`screen_name`,
   `bluesky`/`bluesky_handle`, `mastodon`/`mastodon_address`/`account`) in any order. A row that is
   none of these stops the run with an error naming the file and the line.
3. **Exports of matching services** — only formats whose content we could verify from the services' code:
   - *fedifinder* (fedifinder.glitch.me, lucahammer/fedifinder, `public/client.js`): its "all accounts"
     downloads `accounts.json` (`{"<twitter username>": {"name", "handles": ["@user@server", …], …}}`)
     and `accounts.csv` (the same objects through json2csv: quoted header row with `username` and
     `handles` columns, the handles cell holding a JSON array). Both pair X handles with fediverse
     addresses and are read here.
   - *fedifinder / Debirdify "Mastodon import" CSVs* (`Account address,Show boosts`, also what Mastodon
     exports): they list fediverse addresses **without the X account they belong to**, so they cannot
     pair anyone; given one, we stop with a message saying so (import it in Mastodon directly instead).
   - *HelloQuitteX*, *Sky Follower Bridge* and *Movetodon* keep their matches in their server or browser
     and offer no file export we could find in their code (FannyCaulfield/helloquittex,
     kawamataryo/sky-follower-bridge, tibor/movetodon), so there is nothing to read from them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from quittex_tui.audience.models import RELATION_ORDER, Network, Person, Relation
from quittex_tui.errors import InputError, todo
from quittex_tui.notice import notice

# X screen names: 1–15 of [A-Za-z0-9_] (older accounts may be longer; accept up to 50 to be lenient).
X_HANDLE_RE = re.compile(r"^@?([A-Za-z0-9_]{1,50})$")
X_ID_RE = re.compile(r"^\d{1,20}$")
# atproto handle syntax (atproto.com/specs/handle): dot-separated labels, the last one not numeric.
BSKY_HANDLE_RE = re.compile(
    r"^@?((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)$"
)
DID_RE = re.compile(r"^did:(?:plc|web):[A-Za-z0-9._:%-]+$")
# user@domain; a port is allowed because development instances run as LOCAL_DOMAIN=localhost:3000.
MASTODON_RE = re.compile(
    r"^@?([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
    r"@((?:(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+|localhost)(?::\d{1,5})?)$"
)
X_HOSTS = {"x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.twitter.com"}
BSKY_WEB_HOSTS = {"bsky.app", "www.bsky.app", "staging.bsky.app"}

HEADER_WORDS: dict[str, str] = {
    "xid": "x_id",
    "id": "x_id",
    "twitterid": "x_id",
    "userid": "x_id",
    "accountid": "x_id",
    "xhandle": "x_handle",
    "handle": "x_handle",
    "twitter": "x_handle",
    "twitterhandle": "x_handle",
    "username": "x_handle",
    "screenname": "x_handle",
    "x": "x_handle",
    "xusername": "x_handle",
    "bluesky": "account",
    "blueskyhandle": "account",
    "bsky": "account",
    "mastodon": "account",
    "mastodonaddress": "account",
    "mastodonhandle": "account",
    "fediverse": "account",
    "account": "account",
    "newaccount": "account",
    "compte": "account",
    "nouveaucompte": "account",
    "pseudo": "x_handle",
    "blueskyhandlemastodonaddress": "account",
}


@dataclass
class HandlesFile:
    """What one user-supplied file says: X ids → handles, and X ids/handles → new accounts."""

    source: str
    x_handles: dict[str, str] = field(default_factory=dict)  # x_id -> x_handle
    claims_by_id: dict[str, list[tuple[Network, str]]] = field(default_factory=dict)
    claims_by_handle: dict[str, list[tuple[Network, str]]] = field(default_factory=dict)  # lowercased

    @property
    def rows(self) -> int:
        return (
            len(self.x_handles)
            + sum(len(v) for v in self.claims_by_id.values())
            + sum(len(v) for v in self.claims_by_handle.values())
        )


# ---- classifying one cell ----------------------------------------------------------------------------


def parse_account(text: str) -> tuple[Network, str] | None:
    """A Bluesky handle/DID or a Mastodon address (or a profile URL of either) → (network, canonical)."""
    value = text.strip()
    if not value:
        return None
    if value.lower().startswith(("http://", "https://")):
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        segs = [s for s in parts.path.split("/") if s]
        if host in BSKY_WEB_HOSTS and len(segs) >= 2 and segs[0] == "profile":
            return parse_account(segs[1])
        if host and segs and segs[0].startswith("@") and len(segs[0]) > 1:
            user = segs[0][1:]
            # https://home.example/@alice@remote.example is how an instance shows a remote account
            return parse_account(user if "@" in user else f"{user}@{host}")
        return None
    if DID_RE.match(value):
        return ("bluesky", value)
    m = MASTODON_RE.match(value)
    if m:
        return ("mastodon", f"{m.group(1)}@{m.group(2).lower()}")
    m = BSKY_HANDLE_RE.match(value)
    if m:
        return ("bluesky", m.group(1).lower())
    return None


def parse_x_handle(text: str) -> str | None:
    value = text.strip()
    if value.lower().startswith(("http://", "https://")):
        parts = urlsplit(value)
        segs = [s for s in parts.path.split("/") if s]
        if (parts.hostname or "").lower() in X_HOSTS and len(segs) == 1:
            value = segs[0]
        else:
            return None
    m = X_HANDLE_RE.match(value)
    return m.group(1) if m else None


# ---- reading files -------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            key="error.handles.unreadable",
            params={"path": path, "detail": exc.strerror or exc},
            todo=[todo("check_handles_path")],
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel (French Windows) saves CSV as Windows-1252; every byte decodes, so no further fallback.
        return raw.decode("cp1252")


def _sniff_delimiter(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            counts = {d: line.count(d) for d in (",", ";", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _header_key(cell: str) -> str | None:
    word = re.sub(r"[^a-z]", "", cell.lower())
    return HEADER_WORDS.get(word)


def load_handles_file(path: Path | str) -> HandlesFile:
    """Read a user pairing file (CSV, or fedifinder accounts.json/.csv). InputError names the bad line."""
    path = Path(path)
    text = _read_text(path)
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _load_fedifinder_json(path, text)
    delimiter = _sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    first = next(
        (i for i, r in enumerate(rows) if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")),
        None,
    )
    if first is None:
        raise InputError(key="error.handles.empty", params={"path": path}, todo=[todo("handles_format")])
    header = [c.strip().lower() for c in rows[first]]
    if header and header[0] == "account address":
        raise InputError(
            key="error.handles.follows_list", params={"path": path}, todo=[todo("import_in_mastodon")]
        )
    if "username" in header and "handles" in header:
        return _load_fedifinder_csv(path, rows, first, header)
    result = HandlesFile(source=path.name)
    columns: list[str] | None = None
    keys = [_header_key(c) for c in rows[first]]
    if all(keys) and not any(X_ID_RE.match(c.strip()) for c in rows[first]):
        columns = [k for k in keys if k]
        start = first + 1
    else:
        start = first
    for index in range(start, len(rows)):
        cells = [c.strip() for c in rows[index]]
        line = index + 1
        if not any(cells) or cells[0].startswith("#"):
            continue
        _parse_row(result, path, line, cells, columns)
    return result


def _row_error(path: Path, line: int, detail: str) -> InputError:
    return InputError(
        key="error.handles.bad_line",
        params={"file": path.name, "line": line, "detail": detail},
        todo=[todo("handles_format")],
    )


def _parse_row(
    result: HandlesFile, path: Path, line: int, cells: list[str], columns: list[str] | None
) -> None:
    x_id: str | None = None
    x_handle: str | None = None
    accounts: list[tuple[Network, str]] = []
    cells = [c for c in cells if c] if columns is None else cells
    if columns is not None:
        for name, cell in zip(columns, cells, strict=False):
            if not cell:
                continue
            if name == "x_id":
                if not X_ID_RE.match(cell):
                    raise _row_error(path, line, notice("error.handles.not_an_id", value=repr(cell)))
                x_id = cell
            elif name == "x_handle":
                x_handle = parse_x_handle(cell)
                if x_handle is None:
                    raise _row_error(path, line, notice("error.handles.not_a_handle", value=repr(cell)))
            else:
                acc = parse_account(cell)
                if acc is None:
                    raise _row_error(path, line, notice("error.handles.not_an_account", value=repr(cell)))
                accounts.append(acc)
    else:
        # An X handle is [A-Za-z0-9_] only; a Bluesky handle always has a dot and a Mastodon address an
        # inner @, so each cell's kind is unambiguous.
        if len(cells) < 2 or len(cells) > 3:
            raise _row_error(path, line, notice("error.handles.values", n=len(cells)))
        rest = cells
        if X_ID_RE.match(cells[0]):
            x_id, rest = cells[0], cells[1:]
        if rest and (x_id is None or len(rest) == 2 or parse_x_handle(rest[0]) is not None):
            x_handle = parse_x_handle(rest[0])
            if x_handle is None:
                raise _row_error(path, line, notice("error.handles.not_id_or_handle", value=repr(rest[0])))
            rest = rest[1:]
        if len(rest) > 1:
            raise _row_error(path, line, notice("error.handles.values", n=len(cells)))
        for cell in rest:
            acc = parse_account(cell)
            if acc is None:
                raise _row_error(path, line, notice("error.handles.not_an_account", value=repr(cell)))
            accounts.append(acc)
    if x_id is None and x_handle is None:
        raise _row_error(path, line, notice("error.handles.nothing"))
    if x_id is None and not accounts:
        raise _row_error(path, line, notice("error.handles.handle_alone"))
    if x_id and x_handle:
        result.x_handles[x_id] = x_handle
    for acc in accounts:
        if x_id:
            result.claims_by_id.setdefault(x_id, []).append(acc)
        else:
            assert x_handle is not None
            result.claims_by_handle.setdefault(x_handle.lower(), []).append(acc)


def _handles_from_cell(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    text = str(value or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, list):
            return [str(v) for v in data if v]
    return [t for t in re.split(r"[\s,;]+", text) if t]


def _add_fedifinder(
    result: HandlesFile, path: Path, where: str, username: str, handles: Iterable[str]
) -> None:
    x_handle = parse_x_handle(username)
    if x_handle is None:
        raise InputError(
            key="error.handles.fedifinder_handle",
            params={"file": path.name, "where": where, "value": repr(username)},
            todo=[todo("redownload_fedifinder")],
        )
    for handle in handles:
        acc = parse_account(handle)
        if acc is not None:  # fedifinder also lists non-address guesses; those pair nothing
            result.claims_by_handle.setdefault(x_handle.lower(), []).append(acc)


def _load_fedifinder_json(path: Path, text: str) -> HandlesFile:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(
            key="error.handles.bad_json",
            params={"file": path.name, "detail": exc},
            todo=[todo("fedifinder_or_csv")],
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError(
            key="error.handles.not_fedifinder", params={"file": path.name}, todo=[todo("fedifinder_or_csv")]
        )
    result = HandlesFile(source=path.name)
    for username, info in data.items():
        _add_fedifinder(
            result,
            path,
            notice("error.handles.at_entry", value=repr(username)),
            username,
            _handles_from_cell(info.get("handles")),
        )
    return result


def _load_fedifinder_csv(path: Path, rows: list[list[str]], first: int, header: list[str]) -> HandlesFile:
    result = HandlesFile(source=path.name)
    u_col, h_col = header.index("username"), header.index("handles")
    for index in range(first + 1, len(rows)):
        row = rows[index]
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(u_col, h_col):
            raise InputError(
                key="error.handles.short_row",
                params={"file": path.name, "line": index + 1},
                todo=[todo("redownload_fedifinder")],
            )
        _add_fedifinder(
            result,
            path,
            notice("error.handles.at_line", line=index + 1),
            row[u_col],
            _handles_from_cell(row[h_col]),
        )
    return result


# ---- the people of an archive ---------------------------------------------------------------------------


def _archive_pairs(archive: Any) -> tuple[dict[str, str], dict[str, Counter[str]]]:
    """id → screen name and id → display names from the archive's tweets (mentions, replies)."""
    handles: dict[str, str] = {}
    names: dict[str, Counter[str]] = {}
    for tweet in getattr(archive, "tweets", []) or []:
        for mention in [*tweet.mentions, *tweet.note_mentions]:
            uid = mention.user_id
            if uid and uid != "-1" and X_ID_RE.match(uid) and mention.screen_name:
                handles[uid] = mention.screen_name  # tweets are oldest first: the last name seen wins
                if mention.name:
                    names.setdefault(uid, Counter())[mention.name] += 1
        uid = tweet.in_reply_to_user_id
        if uid and uid != "-1" and tweet.in_reply_to_screen_name:
            handles[uid] = tweet.in_reply_to_screen_name
    known = getattr(archive, "known_handles", None) or {}
    for uid, name in known.items():
        handles.setdefault(uid, name)
    return handles, names


def people_from_archive(archive: Any, files: Iterable[HandlesFile] = ()) -> list[Person]:
    """Everyone the archive relates to (following, then followers, blocks, mutes), with handles paired."""
    by_id: dict[str, Person] = {}
    lists: dict[Relation, list[str]] = {
        "following": list(archive.following),
        "follower": list(archive.followers),
        "block": list(archive.blocks),
        "mute": list(archive.mutes),
    }
    for relation in RELATION_ORDER:
        for x_id in lists[relation]:
            person = by_id.get(x_id)
            if person is None:
                person = by_id[x_id] = Person(x_id=x_id)
            if relation not in person.relations:
                person.relations.append(relation)
    handles, names = _archive_pairs(archive)
    for x_id, person in by_id.items():
        if x_id in handles:
            person.x_handle, person.handle_source = handles[x_id], "archive"
        if x_id in names:
            person.names = [n for n, _ in names[x_id].most_common()]
    for file in files:
        for x_id, x_handle in file.x_handles.items():
            if x_id in by_id:
                by_id[x_id].x_handle, by_id[x_id].handle_source = x_handle, file.source
        by_handle = {p.x_handle.lower(): p for p in by_id.values() if p.x_handle}
        for x_id, accounts in file.claims_by_id.items():
            if x_id in by_id:
                _claim(by_id[x_id], accounts)
        for handle, accounts in file.claims_by_handle.items():
            if handle in by_handle:
                _claim(by_handle[handle], accounts)
    return list(by_id.values())


def _claim(person: Person, accounts: list[tuple[Network, str]]) -> None:
    for acc in accounts:
        if acc not in person.claimed:
            person.claimed.append(acc)


def resolved_count(people: Iterable[Person]) -> int:
    return sum(1 for p in people if p.x_handle)
