"""Under a French locale the Review preview says the plan's media notes and the media the user left out in
French (issue 14): the notes keep their catalogue key through the plan's models (validation, the user's
changes), and the damaged-MP4 detail is a catalogue word too. The English record (plan JSON) is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quittex_tui import i18n
from quittex_tui.convert.models import PlannedPost
from quittex_tui.convert.mp4 import mp4_problem
from quittex_tui.demo import demo_archive_path
from quittex_tui.notice import Notice, notice

MISSING_PHOTO_ITEM = "1274819383159090075"  # the demo tweet whose photo is not in the archive


def test_a_note_keeps_its_words_through_validation_and_stays_english_in_json() -> None:
    note = notice("warn.too_long")
    post = PlannedPost.model_validate({"source_id": "1", "text": "x", "warnings": [note], "left_out": [note]})
    assert isinstance(post.warnings[0], Notice) and isinstance(post.left_out[0], Notice)
    copied = post.model_copy(update={"text": "y"})
    assert i18n.say(copied.warnings[0], "tui", "fr") == i18n.say(note, "tui", "fr") != str(note)
    assert json.loads(post.model_dump_json())["warnings"] == [str(note)]
    with pytest.raises(ValueError):
        PlannedPost.model_validate({"source_id": "1", "text": "x", "warnings": [3]})


def test_each_mp4_problem_is_a_catalogue_word_in_french() -> None:
    problem = mp4_problem(b"x" * 5)
    assert problem == "only 5 bytes: not a video"  # the record, as before
    assert i18n.say(problem, "cli", "fr") == "5 octets seulement\u00a0: pas une vidéo"
    garbage = mp4_problem(b"\x00\x00\x00\x10ftypisom" + b"\x00" * 64)
    assert isinstance(garbage, Notice) and garbage.key.startswith("mp4.")
    detail = notice("fail.video_damaged.video", name="v.mp4", detail=garbage)
    said = i18n.say(detail, "tui", "fr")
    assert i18n.say(garbage, "tui", "fr") in said and str(garbage) not in said


def test_the_review_preview_says_media_notes_and_left_out_media_in_french(tmp_path: Path) -> None:
    from quittex_tui.archive import open_archive
    from quittex_tui.state import apply_user_changes, open_or_create_state
    from quittex_tui.tui.session import Session
    from quittex_tui.tui.widgets.preview import item_preview

    with open_archive(demo_archive_path()) as arch:
        path, st = open_or_create_state(arch, tmp_path / "state.toml")
        s = Session(arch, path, st, demo=True)
        s.build_plans()
        i18n.set_language("fr")
        try:
            shown = item_preview(s, MISSING_PHOTO_ITEM).plain
        finally:
            i18n.set_language("en")
    assert "manque dans l'archive" in shown and "is missing" not in shown, shown
    # a media left out by the user: its note on the post is a Notice, said in French
    plan = s.effective_plan("dry-run")
    with_media = next(i for i in plan.items if any(p.media for p in i.posts))
    media = next(m for p in with_media.posts for m in p.media)
    s.state.without_media[media.media_id] = notice("mp4.no_video_track")
    changed = apply_user_changes(plan, s.state)
    note = next(n for i in changed.items if i.id == with_media.id for p in i.posts for n in p.left_out)
    assert isinstance(note, Notice) and "left out: no video track" in note
    assert "laissée de côté\u00a0: pas de piste vidéo" in i18n.say(note, "cli", "fr")
