"""The archive's container: one `.zip`, several split `.zip` parts, or the extracted folder.

Spec: docs/x-archive-format.md#container. Members are named relative to the archive root
(`data/tweets.js`, `data/tweets_media/123-abc.jpg`) whatever the container, so the rest of the reader
never knows which shape it got. Nothing is ever extracted to disk: zip members are read into memory.

Hostile input is refused here, before any byte is parsed: entry names that escape the archive
(`../`, absolute, drive letters), zip bombs (declared sizes far beyond the compressed data or beyond a
hard cap; and a cap while reading, since headers can lie), corrupt or truncated zips.
`__MACOSX/` and AppleDouble `._*` entries from re-zipped archives are ignored.
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from quittex_tui.errors import ArchiveError, todo
from quittex_tui.notice import Notice, notice

# A real data file compresses about 5-15x (JSON); media barely compresses. Deflate cannot exceed ~1032x,
# so a member above this ratio and above BOMB_MIN_BYTES is a bomb, not an archive.
BOMB_RATIO = 200
BOMB_MIN_BYTES = 8 * 1024 * 1024
# Hard cap per member (the biggest real tweets.js measured is well under 1 GB) and for all members.
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 64 * 1024**3
_CHUNK = 4 * 1024 * 1024

_HINT_REDOWNLOAD = todo("redownload")  # what to do about a damaged or foreign archive
_DRIVE = re.compile(r"^[A-Za-z]:")
_PART_ZIP = re.compile(r"^(?P<stem>.+)-part(?P<n>\d+)\.zip$", re.IGNORECASE)


def _ignored(name: str) -> bool:
    """`__MACOSX/` trees and AppleDouble `._x` files come from re-zipping on a Mac
    (docs/x-archive-format.md#container)."""
    parts = name.split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] in (".DS_Store", "")


def check_entry_name(name: str, where: Path) -> str:
    """Return the entry name in `/` form, or raise if it would land outside the archive root."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or _DRIVE.match(clean) or ".." in clean.split("/"):
        raise ArchiveError(
            key="error.archive.escapes", params={"path": where, "name": repr(name)}, todo=[_HINT_REDOWNLOAD]
        )
    return clean


def _root_prefix(names: Iterable[str]) -> str | None:
    """The folder holding `data/` (archives zipped by hand often add a top folder)."""
    counts: dict[str, int] = {}
    for name in names:
        if name.startswith("data/"):
            counts[""] = counts.get("", 0) + 1
            continue
        idx = name.find("/data/")
        if idx >= 0:
            prefix = name[: idx + 1]
            counts[prefix] = counts.get(prefix, 0) + 1
    if not counts:
        return None
    # the shortest prefix wins (a `data/` nested deeper is just a folder named data inside data/)
    return min(counts, key=lambda p: (p.count("/"), -counts[p]))


class Container:
    """Read-only access to the members of an archive, by root-relative name."""

    source: list[Path]

    def names(self) -> list[str]:
        raise NotImplementedError

    def has(self, name: str) -> bool:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def read(self, name: str) -> bytes:
        raise NotImplementedError

    def stream(self, name: str) -> contextlib.AbstractContextManager[IO[bytes]]:
        """The member as a stream, read a piece at a time (jsfile.iter_rows: a 700 MB tweets.js never
        whole in memory). Damage shows as ArchiveError from `read`, as with `read(name)`."""
        raise NotImplementedError

    def crc(self, name: str) -> int:
        """CRC-32 of a member (free from a zip's directory; computed on the bytes for a folder)."""
        raise NotImplementedError

    def identity(self, name: str) -> str:
        """What tells this member's content apart without reading it (archive/index.py keys on it): the
        CRC-32 of a zip's directory; a folder's file has no such thing, so its modification time, change
        time and inode (any rewrite of the file changes one of them)."""
        raise NotImplementedError

    def close(self) -> None:
        return None

    def where(self, name: str) -> str:
        """How to name a member in a message: the member and the archive it is in."""
        return f"{name} in {self.label}"

    def _missing(self, name: str) -> ArchiveError:
        return ArchiveError(
            key="error.archive.no_member",
            params={"name": name, "archive": self.label},
            todo=[todo("give_whole_archive")],
        )

    @property
    def label(self) -> str:
        return ", ".join(str(p) for p in self.source)


class ZipContainer(Container):
    """One or several zips; each part holds part of `data/` (docs/x-archive-format.md#container)."""

    def __init__(self, paths: list[Path]) -> None:
        self.source = paths
        self._zips: list[zipfile.ZipFile] = []
        self._members: dict[str, tuple[zipfile.ZipFile, zipfile.ZipInfo, Path]] = {}
        try:
            for path in paths:
                self._add(path)
        except BaseException:
            self.close()
            raise

    def _add(self, path: Path) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ArchiveError(
                key="error.archive.missing", params={"path": path}, todo=[todo("check_archive_path")]
            ) from None
        except IsADirectoryError:
            raise ArchiveError(key="error.archive.folder_not_zip", params={"path": path}) from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            with open(path, "rb") as fh:
                head = fh.read(4)
            if head[:2] == b"PK":
                raise ArchiveError(
                    key="error.archive.corrupt_zip",
                    params={"path": path, "detail": exc},
                    todo=[_HINT_REDOWNLOAD],
                ) from None
            raise ArchiveError(
                key="error.archive.not_zip", params={"path": path}, todo=[_HINT_REDOWNLOAD]
            ) from None
        self._zips.append(zf)
        infos = [i for i in zf.infolist() if not i.is_dir()]
        names = []
        for info in infos:
            names.append(check_entry_name(info.filename, path))
        prefix = _root_prefix(n for n in names if not _ignored(n))
        archive_bytes = max(path.stat().st_size, 1)
        declared_total = 0
        for info, name in zip(infos, names, strict=True):
            if _ignored(name):
                continue
            if prefix is None or not name.startswith(prefix):
                continue
            rel = name[len(prefix) :]
            self._check_bomb(path, rel, info, archive_bytes)
            declared_total += info.file_size
            if declared_total > MAX_TOTAL_BYTES:
                raise _bomb(path, rel, notice("error.archive.bomb_total", n=MAX_TOTAL_BYTES // 1024**3))
            # split parts may repeat shared files (manifest, viewer): first one wins
            self._members.setdefault(rel, (zf, info, path))

    @staticmethod
    def _check_bomb(path: Path, rel: str, info: zipfile.ZipInfo, archive_bytes: int) -> None:
        if info.file_size > MAX_MEMBER_BYTES:
            raise _bomb(path, rel, notice("error.archive.bomb_declares", n=info.file_size))
        if info.compress_size > archive_bytes:
            raise ArchiveError(
                key="error.archive.short_entry", params={"path": path, "name": rel}, todo=[_HINT_REDOWNLOAD]
            )
        if info.file_size > BOMB_MIN_BYTES and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
            raise _bomb(
                path, rel, notice("error.archive.bomb_ratio", n=info.file_size, packed=info.compress_size)
            )

    def names(self) -> list[str]:
        return list(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        try:
            return self._members[name][1].file_size
        except KeyError:
            raise self._missing(name) from None

    def crc(self, name: str) -> int:
        try:
            return self._members[name][1].CRC
        except KeyError:
            raise self._missing(name) from None

    def identity(self, name: str) -> str:
        return f"crc:{self.crc(name):08x}"

    def read(self, name: str) -> bytes:
        try:
            zf, info, path = self._members[name]
        except KeyError:
            raise self._missing(name) from None
        cap = min(info.file_size, MAX_MEMBER_BYTES)
        try:
            with zf.open(info) as fh:
                # one read of the declared size: no chunk list, no second copy. zipfile stops at the declared
                # size and checks the CRC, so a header that lies low ends as a CRC error below.
                data = fh.read(cap)
                if fh.read(1):
                    raise _bomb(path, name, notice("error.archive.bomb_inflates"))
        except ArchiveError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise _unreadable(path, name, exc) from None
        return data

    @contextlib.contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        try:
            zf, info, path = self._members[name]
        except KeyError:
            raise self._missing(name) from None
        try:
            fh = zf.open(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise _unreadable(path, name, exc) from None
        with fh:
            yield _CheckedReader(fh, path, name)  # type: ignore[misc]

    def close(self) -> None:
        for zf in self._zips:
            zf.close()
        self._zips.clear()


class _CheckedReader:
    """A zip member's stream whose damage is an ArchiveError. zipfile itself stops at the declared size
    (bomb-checked when the zip was opened) and checks the CRC at the end."""

    def __init__(self, fh: IO[bytes], path: Path, name: str) -> None:
        self._fh, self._path, self._name = fh, path, name

    def read(self, size: int = -1) -> bytes:
        try:
            return self._fh.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise _unreadable(self._path, self._name, exc) from None


def _unreadable(path: Path, name: str, exc: BaseException) -> ArchiveError:
    return ArchiveError(
        key="error.archive.unreadable_entry",
        params={"path": path, "name": name, "detail": exc},
        todo=[_HINT_REDOWNLOAD],
    )


def _bomb(path: Path, name: str, why: Notice) -> ArchiveError:
    return ArchiveError(
        key="error.archive.bomb", params={"path": path, "name": name, "why": why}, todo=[_HINT_REDOWNLOAD]
    )


class DirContainer(Container):
    """The archive already extracted (the folder holding `data/`)."""

    def __init__(self, root: Path, given: Path) -> None:
        self.source = [given]
        self._root = root.resolve()
        self._sizes: dict[str, int] = {}
        self._stamps: dict[str, str] = {}
        self._crcs: dict[str, int] = {}
        data = self._root / "data"
        for path, stat in _walk(data):
            rel = path.relative_to(self._root).as_posix()
            if not _ignored(rel):
                self._sizes[rel] = stat.st_size
                self._stamps[rel] = f"stat:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"

    def names(self) -> list[str]:
        return list(self._sizes)

    def has(self, name: str) -> bool:
        return name in self._sizes

    def size(self, name: str) -> int:
        try:
            return self._sizes[name]
        except KeyError:
            raise self._missing(name) from None

    def _path(self, name: str) -> Path:
        if name not in self._sizes:
            raise self._missing(name)
        path = (self._root / PurePosixPath(name)).resolve()
        # a symlink inside the folder must not lead outside it
        if not path.is_relative_to(self._root):
            raise ArchiveError(
                key="error.archive.link_outside",
                params={"path": self._root / name},
                todo=[todo("remove_link")],
            )
        return path

    def read(self, name: str) -> bytes:
        path = self._path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ArchiveError(
                key="error.archive.unreadable",
                params={"path": path, "detail": exc.strerror},
                todo=[todo("check_permissions")],
            ) from None
        self._crcs[name] = zlib.crc32(data)
        return data

    @contextlib.contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        path = self._path(name)
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise ArchiveError(
                key="error.archive.unreadable",
                params={"path": path, "detail": exc.strerror},
                todo=[todo("check_permissions")],
            ) from None
        with fh:
            reader = _CrcReader(fh)
            yield reader  # type: ignore[misc]
            if reader.complete:
                self._crcs[name] = reader.crc  # the fingerprint needs it: no second read of the file

    def crc(self, name: str) -> int:
        if name not in self._crcs:
            self.read(name)
        return self._crcs[name]

    def identity(self, name: str) -> str:
        try:
            return self._stamps[name]
        except KeyError:
            raise self._missing(name) from None


class _CrcReader:
    """A file read a piece at a time, its CRC-32 computed on the way (DirContainer.crc)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.crc = 0
        self.complete = False

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self.crc = zlib.crc32(data, self.crc)
        if not data or size < 0:
            self.complete = True
        return data


def _walk(top: Path) -> Iterator[tuple[Path, os.stat_result]]:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path), entry.stat()


def _looks_like_data_dir(path: Path) -> bool:
    return path.name == "data" and any(
        (path / n).is_file() for n in ("manifest.js", "tweets.js", "tweet.js", "account.js")
    )


def _split_siblings(path: Path) -> list[Path]:
    """`…-part1.zip` given alone: its sibling parts belong to the same archive
    (docs/x-archive-format.md#container)."""
    m = _PART_ZIP.match(path.name)
    if not m:
        return [path]
    stem = m.group("stem")
    found = []
    for sib in path.parent.iterdir():
        sm = _PART_ZIP.match(sib.name)
        if sm and sm.group("stem") == stem and sib.is_file():
            found.append((int(sm.group("n")), sib))
    return [p for _, p in sorted(found)] or [path]


def open_container(paths: list[Path]) -> Container:
    """Pick the container shape for what the user gave."""
    if not paths:
        raise ArchiveError(key="error.archive.none_given", todo=[todo("check_archive_path")])
    if len(paths) > 1:
        for p in paths:
            if p.is_dir():
                raise ArchiveError(key="error.archive.folder_among_parts", params={"path": p})
        return ZipContainer(sorted(set(paths), key=_part_key))
    path = paths[0]
    if not path.exists():
        raise ArchiveError(
            key="error.archive.missing", params={"path": path}, todo=[todo("check_archive_path")]
        )
    if path.is_file():
        if path.suffix.lower() == ".js":
            raise ArchiveError(
                key="error.archive.single_file", params={"path": path}, todo=[todo("give_archive")]
            )
        return ZipContainer(_split_siblings(path))
    # a folder: the extracted archive, its data/ folder, a folder holding one extracted archive,
    # or a folder holding the split .zip parts
    if (path / "data").is_dir():
        return DirContainer(path, path)
    if _looks_like_data_dir(path):
        return DirContainer(path.parent, path)
    subdirs = [p for p in path.iterdir() if p.is_dir() and (p / "data").is_dir()]
    if len(subdirs) == 1:
        return DirContainer(subdirs[0], path)
    zips = sorted((p for p in path.iterdir() if p.suffix.lower() == ".zip" and p.is_file()), key=_part_key)
    if zips:
        return ZipContainer(zips)
    raise ArchiveError(key="error.archive.no_data_folder", params={"path": path}, todo=[todo("give_archive")])


def _part_key(p: Path) -> tuple[int, str]:
    m = _PART_ZIP.match(p.name)
    return (int(m.group("n")) if m else 0, p.name)
