"""JournalView: a watcher's read-only, incremental view of a journal another process writes."""

from __future__ import annotations

from pathlib import Path

from quittex_tui.publish.journal import Journal, JournalView
from quittex_tui.publish.target import PostRef


def test_view_follows_appends_and_compaction(tmp_path: Path) -> None:
    path = tmp_path / "m.bluesky.journal.toml"
    view = JournalView(path)  # nothing on disk yet: empty, and creates nothing
    assert len(view) == 0 and not path.exists()

    writer = Journal(path)
    writer.intent("k1", item_id="i1")
    assert view.refresh() is True
    assert view.get("k1") is not None and view.get("k1").status == "intent"

    writer.done("k1", PostRef("at://did:x/app.bsky.feed.post/k1", "cid1"))
    writer.intent("k2", item_id="i2", index=0)
    assert view.refresh() is True
    assert view.get("k1").status == "done" and view.find("i2").status == "intent"
    assert view.refresh() is False  # nothing new

    # a record being written (no closing blank line yet) waits for the next refresh
    with open(path, "ab") as fh:
        fh.write(b'[[failed]]\nkey = "k2"\nreason = "boom"\n')
    assert view.refresh() is False and view.get("k2").status == "intent"

    writer.compact()  # atomic replace: a new inode (the torn tail above is gone with it)
    assert view.refresh() is True
    assert {e.key: e.status for e in view.entries()} == {"k1": "done", "k2": "intent"}
    writer.close()


def test_view_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "m.mastodon.journal.toml"
    with Journal(path) as journal:
        journal.intent("k", item_id="i")
    with open(path, "ab") as fh:  # a torn tail, as a writer killed mid-write leaves it
        fh.write(b"[[done]]\nkey = ")
    before = path.read_bytes()
    view = JournalView(path)
    view.compact()
    view.close()
    assert path.read_bytes() == before  # not truncated, not compacted
    assert view.get("k").status == "intent"
