"""The write-ahead journal: O(1) appends, torn-record tolerance, compaction, valid TOML throughout."""

from __future__ import annotations

import errno
import json
import os
import tomllib
from pathlib import Path

import pytest

from quittex_tui.errors import StateError
from quittex_tui.fileio import fsync_dir
from quittex_tui.publish.journal import Journal, JournalView, journal_path
from quittex_tui.publish.lock import MigrationBusy
from quittex_tui.publish.target import PostRef


def ref(n: int) -> PostRef:
    return PostRef(uri=f"at://did:plc:abc/app.bsky.feed.post/{n:013d}", cid=f"bafy{n}", url=f"https://x/{n}")


def test_journal_path_is_beside_the_state(tmp_path: Path) -> None:
    assert journal_path(tmp_path / "0123abcd.toml", "bluesky") == tmp_path / "0123abcd.bluesky.journal.toml"


def test_records_round_trip_and_merge_to_latest_status(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    with Journal(path) as j:
        j.intent("k1", item_id="i1", index=0)
        j.done("k1", ref(1))
        j.intent("k2", item_id="i1", index=1)
        j.intent("k3", item_id="i2", index=0)
        j.failed("k3", "text too long: 320 graphemes", retryable=False)
    j2 = Journal(path)
    e1, e2, e3 = j2.get("k1"), j2.get("k2"), j2.get("k3")
    assert e1 is not None and (e1.status, e1.uri, e1.cid, e1.url, e1.item_id) == (
        "done",
        ref(1).uri,
        "bafy1",
        "https://x/1",
        "i1",
    )
    assert e1.ref() == ref(1)
    assert e2 is not None and (e2.status, e2.index, e2.at is not None) == ("intent", 1, True)
    assert e3 is not None and (e3.status, e3.reason) == ("failed", "text too long: 320 graphemes")
    assert j2.get("nope") is None
    assert sorted(e.key for e in j2.entries()) == ["k1", "k2", "k3"]
    j2.close()


def test_file_is_valid_toml_with_the_documented_tables(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    j = Journal(path)
    tricky = 'quote " backslash \\ newline \n tab \t DEL \x7f émoji 👩🏽‍💻 bell \x07'
    j.intent("k1", item_id="i1")
    j.failed("k1", tricky)
    j.intent("k2", item_id="i2")
    j.done("k2", ref(2))
    data = tomllib.loads(path.read_text("utf-8"))  # plain TOML, also before compaction
    assert [t["key"] for t in data["intent"]] == ["k1", "k2"]
    assert data["failed"][0]["reason"] == tricky
    assert data["done"][0]["uri"] == ref(2).uri
    j.close()
    assert Journal(path).get("k1").reason == tricky  # type: ignore[union-attr]


def test_append_is_one_record_per_write_never_a_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    j = Journal(path)
    for n in range(50):  # a journal with history already
        j.intent(f"old{n}", item_id=f"o{n}")
        j.done(f"old{n}", ref(n))
    inode = os.stat(path).st_ino
    previous = path.read_bytes()
    for n in range(20):
        if n % 2:
            j.done(f"k{n // 2}", ref(n))
        else:
            j.intent(f"k{n // 2}", item_id=f"i{n}")
        now = path.read_bytes()
        assert os.stat(path).st_ino == inode  # same file, never replaced mid-run
        assert now.startswith(previous)  # nothing before the end ever changes
        added = now[len(previous) :].decode()
        assert added.count("[[") == 1  # exactly one record appended per call
        assert tomllib.loads(added)  # and it is a whole TOML table on its own
        previous = now
    j.close()


def test_a_torn_partial_line_is_ignored_and_cut_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    with Journal(path) as j:
        j.intent("k1", item_id="i1")
        j.done("k1", ref(1))
    whole = path.read_bytes()
    with open(path, "ab") as fh:  # a kill in the middle of the next write
        fh.write(b'[[intent]]\nkey = "k2"\nitem_id = "i2"\nindex = 0\nkind = "po')
    j = Journal(path)
    assert j.get("k2") is None and j.get("k1").status == "done"  # type: ignore[union-attr]
    assert path.read_bytes() == whole  # the torn tail is gone
    j.intent("k3", item_id="i3")
    j.close()
    data = tomllib.loads(path.read_text("utf-8"))
    assert [t["key"] for t in data["done"]] == ["k1"]  # compacted on the first clean exit
    assert [t["key"] for t in data["intent"]] == ["k3"]


def test_a_torn_record_with_whole_lines_but_missing_fields_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    j = Journal(path)
    j.intent("k1", item_id="i1")
    j.close()
    with open(path, "ab") as fh:  # the done record lost its last lines (uri/cid present, time missing)
        fh.write(b'[[done]]\nkey = "k1"\nuri = "at://x"\ncid = "bafy"\n')
    j = Journal(path)
    assert j.get("k1").status == "intent"  # type: ignore[union-attr]  (to reconcile, never trusted)
    j.done("k1", ref(1))
    j.close()
    assert Journal(path).get("k1").status == "done"  # type: ignore[union-attr]
    tomllib.loads(path.read_text("utf-8"))


def test_a_torn_multibyte_character_does_not_break_loading(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    j = Journal(path)
    j.intent("k1", item_id="i1")
    j.close()
    with open(path, "ab") as fh:
        fh.write('[[failed]]\nkey = "k1"\nreason = "trop long 🎉'.encode()[:-2])
    assert Journal(path).get("k1").status == "intent"  # type: ignore[union-attr]


def test_done_is_never_downgraded(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    j = Journal(path)
    j.intent("k1", item_id="i1")
    j.done("k1", ref(1))
    j.intent("k1", item_id="i1")  # e.g. a confused caller
    assert j.get("k1").status == "done"  # type: ignore[union-attr]
    j.close()
    assert Journal(path).get("k1").status == "done"  # type: ignore[union-attr]


def test_compaction_keeps_one_record_per_key_atomically(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    j = Journal(path)
    for n in range(10):
        j.intent(f"k{n}", item_id=f"i{n}", index=n)
        if n < 7:
            j.done(f"k{n}", ref(n))
    j.failed("k8", "media rejected")
    before = {e.key: (e.status, e.uri, e.reason, e.index) for e in j.entries()}
    j.compact()
    data = tomllib.loads(path.read_text("utf-8"))
    assert len(data["done"]) == 7 and len(data["intent"]) == 2 and len(data["failed"]) == 1
    assert not list(tmp_path.glob(".*.tmp"))  # the temp file was renamed over, not left behind
    j.intent("k10", item_id="i10")  # appends still work after compaction
    j.close()
    after = Journal(path)
    assert {e.key: (e.status, e.uri, e.reason, e.index) for e in after.entries() if e.key != "k10"} == before
    assert after.get("k10").status == "intent"  # type: ignore[union-attr]


def test_compaction_is_skipped_when_nothing_changed(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    with Journal(path) as j:
        j.intent("k1", item_id="i1")
    inode = os.stat(path).st_ino
    with Journal(path):
        pass
    assert os.stat(path).st_ino == inode


def test_a_hand_edited_but_valid_toml_journal_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text(
        "# edited by hand\n"
        "[[intent]]\nkey='k1'\nitem_id='i1'\nindex=0\nkind='post'\nat=2025-01-01T10:00:00Z\n"
        "[[done]]\nkey='k1'\nuri='at://u'\ncid='c'\nat=2025-01-01T10:00:01Z\n",
        "utf-8",
    )
    j = Journal(path)
    assert j.get("k1").status == "done" and j.get("k1").uri == "at://u"  # type: ignore[union-attr]
    j.close()


def test_a_damaged_journal_is_a_clear_state_error(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text("[[intent]]\nkey = 'k1\nthis is not toml\n", "utf-8")
    with pytest.raises(StateError) as err:
        Journal(path)
    assert str(path) in err.value.message and "compares your plan" in err.value.hint
    path.unlink()  # moved away, as the hint says: the lock was released by the failed open
    Journal(path).close()


# --- checksums (ARCHITECTURE.md#the-journal-how-never-twice-holds, issue 15): a torn or edited record is
# detected, never parsed as truth ------------------


def test_every_record_carries_a_checksum_and_an_edited_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    with Journal(path) as j:
        for n in range(3):
            j.intent(f"k{n}", item_id=f"i{n}")
            j.done(f"k{n}", ref(n))
    text = path.read_text("utf-8")
    assert "journal v2" in text and text.count('sum = "') == 3  # compacted: one record per key
    edited = text.replace(ref(1).uri, ref(7).uri)  # someone "fixes" a uri by hand
    path.write_text(edited, "utf-8")
    with pytest.raises(StateError) as err:
        Journal(path)
    assert "does not match its checksum" in err.value.message and "line" in err.value.message
    assert "compares your plan" in err.value.hint
    view = JournalView(path)  # a watcher does not trust it either, and does not fail
    assert view.get("k1") is None and view.damaged == 1 and view.get("k2") is not None


def test_a_torn_last_record_with_a_bad_checksum_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    with Journal(path) as j:
        j.intent("k1", item_id="i1")
    with open(path, "ab") as fh:  # whole lines, every field, but a checksum that does not match
        fh.write(
            b'[[done]]\nkey = "k1"\nuri = "at://x"\ncid = "c"\nat = 2025-01-01T00:00:00Z\n'
            b'sum = "00000000"\n\n'
        )
    j = Journal(path)
    assert j.get("k1").status == "intent" and j.warnings  # type: ignore[union-attr]
    j.close()
    assert b"00000000" not in path.read_bytes()  # cut off before the next append


def test_a_journal_of_an_earlier_version_without_checksums_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text(
        "# quittex-tui journal: what was sent (append-only; compacted on clean exit).\n"
        '[[intent]]\nkey = "k1"\nitem_id = "i1"\nindex = 0\nkind = "post"\nat = 2025-01-01T10:00:00Z\n\n'
        '[[done]]\nkey = "k1"\nitem_id = "i1"\nindex = 0\nkind = "post"\nuri = "at://u"\ncid = "c"\n'
        "at = 2025-01-01T10:00:01Z\n\n",
        "utf-8",
    )
    with Journal(path) as j:
        assert j.get("k1").status == "done"  # type: ignore[union-attr]
        j.intent("k2", item_id="i2")  # new records get their checksum at once
    assert "journal v2" in path.read_text("utf-8")  # compacted to the new form on a clean exit
    assert Journal(path).get("k2").status == "intent"  # type: ignore[union-attr]


def test_one_writer_per_journal_and_watchers_need_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "m.mastodon.journal.toml"
    writer = Journal(path, command="migrate --to mastodon")
    writer.intent("k1", item_id="i1")
    with pytest.raises(MigrationBusy) as busy:
        Journal(path)
    assert busy.value.holder is not None and busy.value.holder.pid == os.getpid()
    assert "migrate --to mastodon" in busy.value.message and "already running" in busy.value.message
    view = JournalView(path)  # the TUI watching: no lock, sees the intent
    assert view.get("k1").status == "intent"  # type: ignore[union-attr]
    writer.close()
    Journal(path).close()  # released on close


def test_fsync_of_the_folder_raises_eio_but_not_not_supported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fsync

    def failing(code: int) -> object:
        def fsync(fd: int) -> None:
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                raise OSError(code, os.strerror(code))
            real(fd)

        return fsync

    monkeypatch.setattr(os, "fsync", failing(errno.EINVAL))
    fsync_dir(tmp_path)  # "not supported here": nothing more to do
    monkeypatch.setattr(os, "fsync", failing(errno.EIO))
    with pytest.raises(OSError) as err:
        fsync_dir(tmp_path)
    assert err.value.errno == errno.EIO
    with pytest.raises(StateError) as failed:  # and a journal creation says it in words
        Journal(tmp_path / "new.toml")
    assert "input/output error" in failed.value.message


def test_a_failure_reason_keeps_its_catalogue_words_for_a_later_run_in_french(tmp_path: Path) -> None:
    """issue 14: a `failed` record keeps the reason's key and parameters beside its English text, so a
    later run (resume, the TUI's Report, `migrate`'s summary) says it in French; `reason` is unchanged."""
    from quittex_tui import i18n
    from quittex_tui.errors import todo
    from quittex_tui.notice import Notice, notice

    path = tmp_path / "j.toml"
    reason = notice("fail.unsure", n=2, item="i1", reason=notice("fail.look_alike"), todo=todo("retry_later"))
    english, french = str(reason), i18n.say(reason, "cli", "fr")
    assert french != english
    with Journal(path) as j:
        j.intent("k1", item_id="i1")
        j.failed("k1", reason)
    text = path.read_text("utf-8")
    assert (
        'reason_key = "fail.unsure"' in text and f"reason = {json.dumps(english, ensure_ascii=False)}" in text
    )
    for _ in range(2):  # as appended, then compacted
        with Journal(path) as j:
            got = j.get("k1").reason  # type: ignore[union-attr]
            assert isinstance(got, Notice) and got.key == "fail.unsure"
            assert got == english  # the record's text, as `migrate --json` gives it
            assert i18n.say(got, "cli", "fr") == french
            j.intent("k2", item_id="i2")  # something to compact
    assert "fail.unsure" in path.read_text("utf-8")
    # the TOML reader (hand-edited files) keeps the words as well
    assert tomllib.loads(path.read_text("utf-8"))["failed"][0]["reason_key"] == "fail.unsure"


def test_a_failure_reason_of_an_older_journal_is_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text(
        "# quittex-tui journal: what was sent (append-only; compacted on clean exit).\n"
        '[[intent]]\nkey = "k1"\nitem_id = "i1"\nindex = 0\nkind = "post"\nat = 2025-01-01T10:00:00Z\n\n'
        '[[failed]]\nkey = "k1"\nitem_id = "i1"\nindex = 0\nkind = "post"\nreason = "HTTP 500"\n'
        "at = 2025-01-01T10:00:01Z\n\n",
        "utf-8",
    )
    with Journal(path) as j:
        reason = j.get("k1").reason  # type: ignore[union-attr]
        assert reason == "HTTP 500" and not hasattr(reason, "catalogue_key")
    # damaged words (a hand edit) fall back to the English text, never an error
    body = '[[failed]]\nkey = "k1"\nreason = "boom"\nreason_key = "fail.unknown"\nreason_params = "{oops"\n'
    path.write_text(body + "at = 2025-01-01T10:00:01Z\n\n", "utf-8")
    assert Journal(path).get("k1").reason == "boom"  # type: ignore[union-attr]
