"""The TUI reads an earlier run's failure reasons from the journal (Report step, Queue): said in French
through their stored catalogue key, and "unsure" told by that key (issue 14); a journal written before
keys were kept still works through its English text."""

from __future__ import annotations

from pathlib import Path

from quittex_tui import i18n
from quittex_tui.errors import todo
from quittex_tui.notice import notice
from quittex_tui.publish.journal import Journal, JournalView
from quittex_tui.tui.session import is_unsure


def test_an_earlier_runs_unsure_reason_is_told_by_its_key_and_said_in_french(tmp_path: Path) -> None:
    path = tmp_path / "s.bluesky.journal.toml"
    unsure = notice("fail.unsure", n=1, item="i1", reason=notice("fail.look_alike"), todo=todo("retry_later"))
    other = notice("fail.unknown")
    with Journal(path) as j:
        for key, item, reason in (("k1", "i1", unsure), ("k2", "i2", other)):
            j.intent(key, item_id=item)
            j.failed(key, reason)
    with JournalView(path) as view:
        reasons = {e.item_id: e.reason for e in view.entries()}
    assert is_unsure(reasons["i1"]) and not is_unsure(reasons["i2"])
    said = i18n.say(reasons["i1"], "tui", "fr")
    assert said == i18n.say(unsure, "tui", "fr") and said != str(unsure)
    assert "quittex-tui" not in said  # the TUI phrases what to do with its own keys


def test_an_unsure_reason_of_an_older_journal_is_still_matched_by_its_text(tmp_path: Path) -> None:
    text = str(notice("fail.unsure", n=1, item="i1", reason="x", todo=""))
    path = tmp_path / "old.journal.toml"
    path.write_text(
        '[[failed]]\nkey = "k1"\nitem_id = "i1"\nindex = 0\nkind = "post"\n'
        f'reason = "{text}"\nat = 2025-01-01T10:00:01Z\n\n',
        "utf-8",
    )
    with JournalView(path) as view:
        (entry,) = view.entries()
    assert not hasattr(entry.reason, "catalogue_key") and is_unsure(entry.reason)
