"""Helpers for the archive tests: build an archive and read it back in one call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from quittex_tui.archive import Archive, open_archive
from tests.archive.builder import ArchiveBuilder


@pytest.fixture
def read_back(tmp_path: Path) -> Callable[..., Archive]:
    """read_back(builder, shape="zip"|"dir"|"split") -> the Archive as the reader sees it."""
    opened: list[Archive] = []
    counter = iter(range(1000))

    def _read(builder: ArchiveBuilder, shape: str = "zip", parts: int = 2) -> Archive:
        where = tmp_path / f"a{next(counter)}"
        if shape == "zip":
            archive = open_archive(builder.write_zip(where / "archive.zip"))
        elif shape == "dir":
            archive = open_archive(builder.write_dir(where / "extracted"))
        elif shape == "split":
            archive = open_archive(builder.write_split_zips(where, parts))
        else:
            raise ValueError(shape)
        opened.append(archive)
        return archive

    yield _read
    for archive in opened:
        archive.close()
