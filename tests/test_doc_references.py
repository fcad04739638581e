"""Every spec the code cites is in the repository: each `docs/<page>.md#<section>`, `ARCHITECTURE.md#…` or
`CONTRIBUTING.md#…` named in a docstring or comment of src/ and tests/ is a file of the repository with that
heading, and nothing cites a note outside it (docs/README.md, "How the code cites these pages")."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_CITE = re.compile(r"((?:docs/)?[\w-]+\.md)#([\w-]+)")
_OUTSIDE = re.compile(r"\.\./team|ENGINE_API|platform-limits\.md|local-servers\.md|local-appview\.md|spec §")
# tests/servers.py runs the start scripts from ../shared/servers: the one place that path is real.
_SHARED_OK = {"tests/servers.py"}
# The TUI's references are rewritten by the change that owns tui/ and tests/tui/; this file names the
# patterns it looks for. Drop the TUI folders from here once that change is merged.
_NOT_SCANNED = ("tests/test_doc_references.py",)


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {
        _anchor(line.lstrip("#"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def _sources() -> list[Path]:
    return [p for root in ("src", "tests") for p in (REPO / root).rglob("*.py")]


def test_every_cited_section_exists() -> None:
    pages: dict[str, set[str]] = {}
    broken = []
    cited = 0
    for path in _sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for page, anchor in _CITE.findall(line):
                file = REPO / page if "/" in page or page[0].isupper() else REPO / "docs" / page
                if not file.exists():
                    broken.append(f"{path.relative_to(REPO)}:{n}: {page} does not exist")
                    continue
                cited += 1
                if anchor not in pages.setdefault(page, _anchors(file)):
                    broken.append(f"{path.relative_to(REPO)}:{n}: {page} has no section #{anchor}")
    assert cited > 100  # the scan really reads the citations
    assert broken == []


def test_nothing_cites_a_note_outside_the_repository() -> None:
    outside = []
    for path in _sources():
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith(_NOT_SCANNED):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _OUTSIDE.search(line) or ("../shared" in line and rel not in _SHARED_OK) or "/work/" in line:
                outside.append(f"{rel}:{n}: {line.strip()}")
    assert outside == []
