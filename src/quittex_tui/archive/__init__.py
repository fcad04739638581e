"""Read an X (Twitter) data archive into typed models — no Textual here (tests/test_architecture.py).

    from quittex_tui.archive import open_archive
    with open_archive("twitter-2024.zip") as archive:
        print(archive.counts.tweets, archive.threads[:1])

Spec: docs/x-archive-format.md. Modules: container (zip / split zips / folder, safety), jsfile (`.js` files,
read a piece at a time, broken characters repaired), manifest (which files), rows (raw rows → models, by a
typed msgspec decoder), models (the compact Structs), notes (note tweets), derive (kinds, threads, edits,
media, handles), reader (`open_archive`, `Archive`), index (the cached index a reopen loads instead of
parsing), summary (`inspect` output).
"""

from quittex_tui.archive.reader import Archive, Progress, open_archive

__all__ = ["Archive", "Progress", "open_archive"]
