"""Hostile archive text (docs/x-archive-format.md#text-is-data-control-and-bidi-characters, issue 11): nothing
a terminal acts on is posted, facets stay exact, and `inspect` / `plan` print it inert (human output: visible
`\\x1b`; JSON: the same value, escaped)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.archive.summary import summary_json
from quittex_tui.audience.announce import announcements
from quittex_tui.audience.profile import bluesky_fields, draft_from_archive, mastodon_fields
from quittex_tui.convert.bluesky import LINK_TYPE, TAG_TYPE
from quittex_tui.convert.models import PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.state import MigrationState, apply_user_changes
from quittex_tui.textsafe import BIDI_CONTROLS, is_terminal_safe
from tests.archive.hostile import OSC52, RAW, TITLE, write_hostile_zip


def clean(text: str) -> bool:
    return is_terminal_safe(text) and not set(text) & BIDI_CONTROLS and "\r" not in text


@pytest.fixture(scope="module")
def hostile_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_zip(tmp_path_factory.mktemp("hostile"))


def test_posts_carry_no_controls_and_facets_point_at_their_text(hostile_zip: Path, tmp_path: Path) -> None:
    with open_archive(hostile_zip) as archive:
        blue = build_plan(archive, PlanOptions(target="bluesky", include_replies=True), cache_dir=tmp_path)
        masto = build_plan(archive, PlanOptions(target="mastodon", include_replies=True), cache_dir=tmp_path)
    posts = [p for item in blue.items for p in item.posts]
    assert len(posts) >= 8
    for post in posts:
        assert clean(post.text), repr(post.text)
        data = post.text.encode("utf-8")
        for facet in post.facets:
            shown = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
            feature = facet["features"][0]
            if feature["$type"] == LINK_TYPE:
                assert clean(feature["uri"])
                assert shown.rstrip("…") in feature["uri"]
            else:
                assert feature["$type"] == TAG_TYPE and shown == "#" + feature["tag"]
        for cand in post.mention_candidates:
            assert data[cand.byte_start : cand.byte_end].decode("utf-8") == "@" + cand.handle
    first = posts[0]
    # The controls went, the words around them stayed, and the link and the tag are still facets.
    assert first.text.startswith("[@click=app.quit]clic[/] [bold]gras[/bold]")
    assert "avant https://exemple.fr/a" in first.text and "après #été" in first.text
    kinds = sorted(f["features"][0]["$type"] for f in first.facets)
    assert kinds == [LINK_TYPE, TAG_TYPE]
    thread = next(item for item in blue.items if item.kind == "thread")
    assert thread.posts[0].text == "fil ohcé"  # the override is gone: the letters read in their real order
    assert thread.posts[1].text.startswith("عربي ]0;pwnedsuite")
    for item in masto.items:
        for post in item.posts:
            assert clean(post.text), repr(post.text)


def test_user_edits_and_alt_texts_are_cleaned_before_posting(hostile_zip: Path, tmp_path: Path) -> None:
    with open_archive(hostile_zip) as archive:
        plan = build_plan(archive, PlanOptions(target="bluesky"), cache_dir=tmp_path)
        fingerprint = archive.fingerprint
    photo = next(item for item in plan.items if item.posts[0].media)
    media = photo.posts[0].media[0]
    state = MigrationState(
        archive_paths=[str(hostile_zip)],
        archive_fingerprint=fingerprint,
        edits={"bluesky": {photo.id: {"0": f"édité {OSC52}#tag https://ex.fr/x"}}},
        alts={media.media_id or media.path: f"alt {TITLE}\u202e"},
    )
    post = apply_user_changes(plan, state).items[[i.id for i in plan.items].index(photo.id)].posts[0]
    assert post.text == "édité ]52;c;SGFja2Vk#tag https://ex.fr/x"
    assert post.media[0].alt == "alt ]0;pwned"
    data = post.text.encode("utf-8")
    shown = {data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in post.facets}
    assert shown == {"https://ex.fr/x"}  # "…SGFja2Vk#tag" is no tag (no space before '#'), as on Bluesky


def test_profile_and_announcement_carry_no_controls(hostile_zip: Path) -> None:
    with open_archive(hostile_zip) as archive:
        draft = draft_from_archive(archive)
    for text in (draft.display_name, draft.bio, *bluesky_fields(draft), *mastodon_fields(draft)):
        assert clean(text), repr(text)
    assert draft.display_name == "Jeanne [b]Dupont[/b]]0;pwned"
    assert "moc.live //:sptth" in draft.bio
    texts = announcements(
        "fr", bluesky=f"me.bsky.social{TITLE}", mastodon="me@ex.social\u202e", x_handle=f"jeanne{OSC52}"
    )
    assert all(clean(t) for t in texts.values())


def _cli(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "quittex_tui", *map(str, args)], capture_output=True, timeout=120
    )


def test_inspect_and_plan_print_hostile_text_inert(hostile_zip: Path) -> None:
    human = _cli("inspect", hostile_zip)
    assert human.returncode == 0, human.stderr
    out = human.stdout.decode("utf-8")
    assert not any(raw in out for raw in RAW)
    assert "\\x1b]0;pwned\\x07" in out and "\\u202emoc.live" in out  # shown, visibly
    as_json = _cli("inspect", hostile_zip, "--json")
    raw_json = as_json.stdout.decode("utf-8")
    assert not any(raw in raw_json for raw in RAW)
    with open_archive(hostile_zip) as archive:
        # the same data (plus the CLI's schema_version)
        assert json.loads(raw_json) == {"schema_version": 1, **json.loads(json.dumps(summary_json(archive)))}
    assert json.loads(raw_json)["account"]["bio"].startswith(f"Bio {OSC52}")
    for args in (("--to", "bluesky"), ("--to", "mastodon", "--json")):
        plan = _cli("plan", hostile_zip, *args)
        assert plan.returncode == 0, plan.stderr
        text = plan.stdout.decode("utf-8")
        assert not any(raw in text for raw in RAW)
    preview = _cli("plan", hostile_zip, "--to", "bluesky").stdout.decode()
    assert "b]gone\\x1b[2J\\x1b[H.jpg is missing" in preview


def test_error_messages_naming_hostile_files_are_inert(tmp_path: Path) -> None:
    bad = tmp_path / f"nope{TITLE}\u202e.zip"
    proc = _cli("inspect", bad)
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert "nope" in err and "\\x1b]0;pwned" in err
    assert not any(raw in err for raw in RAW)
