"""The TOML migration state (state.py): round trip, atomic save, clear errors, no secrets, user changes."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import ValidationError

from quittex_tui.convert.models import ItemKind, PlannedMedia
from quittex_tui.errors import StateError
from quittex_tui.state import (
    AudienceDecision,
    BlueskyAccount,
    MigrationState,
    Step,
    apply_user_changes,
    list_states,
    load_state,
    open_or_create_state,
    save_state,
    state_path_for,
)
from tests.publish.engine_helpers import make_plan


@dataclass
class FakeArchive:
    fingerprint: str
    source: list[Path] = field(default_factory=list)


def full_state() -> MigrationState:
    return MigrationState(
        archive_paths=["/data/twitter-2024.zip"],
        archive_fingerprint="ab" * 32,
        step=Step.REVIEW,
        targets=["bluesky", "mastodon"],
        bluesky=BlueskyAccount(handle="anne.bsky.social"),
        options={"mastodon": {"max_chars": 500, "date_footer": True, "locale": "fr"}},
        excluded=["12", "13"],
        included=["99"],
        edits={"bluesky": {"12": {"0": "Texte modifié — « été » 🎉\nligne 2", "1": 'avec "guillemets"'}}},
        alts={"m1": "Une photo du port"},
        cursor={"item": "12", "pane": "queue"},
        audience={"42": AudienceDecision(decision="accepted", network="bluesky", handle="bob.test")},
    )


def test_state_round_trips_through_readable_toml(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    state = full_state()
    save_state(state, path)
    text = path.read_text("utf-8")
    assert 'step = "review"' in text and "Texte modifié" in text  # readable, UTF-8 kept as written
    assert tomllib.loads(text)["bluesky"] == {"handle": "anne.bsky.social"}  # None fields simply omitted
    loaded = load_state(path)
    assert loaded == state and loaded.updated_at is not None


def test_save_is_atomic_and_leaves_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.toml"
    save_state(full_state(), path)
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    changed = full_state()
    changed.step = Step.MIGRATE
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StateError):  # said in words (exit 2), never a traceback
        save_state(changed, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]  # no temp file left behind


def test_save_fsyncs_the_file_before_replacing_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    save_state(full_state(), tmp_path / "s.toml")
    assert calls[:2] == ["fsync", "replace"] and calls[-1] == "fsync"  # file, rename, then the directory


def test_the_state_refuses_secret_fields(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        MigrationState(archive_paths=[], archive_fingerprint="x", app_password="abcd-efgh-ijkl-mnop")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        BlueskyAccount(handle="a.test", password="hunter2")  # type: ignore[call-arg]
    path = tmp_path / "s.toml"
    path.write_text('archive_paths = []\narchive_fingerprint = "x"\n[bluesky]\nhandle = "a"\ntoken = "t0k"\n')
    with pytest.raises(StateError) as err:
        load_state(path)
    assert "bluesky.token" in err.value.message and "t0k" not in str(err.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("step = [unclosed", "not valid TOML"),
        ('archive_paths = []\narchive_fingerprint = "x"\nstep = "flying"\n', "'step'"),
        ("schema_version = 99\narchive_paths = []\narchive_fingerprint = 'x'\n", "newer quittex-tui"),
        (b"\xff\xfe not utf-8", "not valid TOML"),
    ],
)
def test_bad_state_files_give_clear_errors(tmp_path: Path, content: str | bytes, words: str) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(StateError) as err:
        load_state(path)
    assert words in err.value.message and str(path) in err.value.message and err.value.hint


def test_a_missing_state_file_is_a_state_error(tmp_path: Path) -> None:
    with pytest.raises(StateError):
        load_state(tmp_path / "nope.toml")


def test_open_or_create_makes_one_state_per_archive_and_checks_it(tmp_path: Path) -> None:
    archive = FakeArchive("f" * 64, [tmp_path / "a.zip"])
    path, state = open_or_create_state(archive)
    assert path == state_path_for(archive.fingerprint) and path.exists()
    assert state.archive_paths == [str((tmp_path / "a.zip").resolve())] and state.step == Step.ARCHIVE
    state.step = Step.SELECT
    save_state(state, path)
    moved = FakeArchive("f" * 64, [tmp_path / "moved.zip"])  # same content, elsewhere
    path2, again = open_or_create_state(moved)
    assert path2 == path and again.step == Step.SELECT and again.archive_paths[0].endswith("moved.zip")
    with pytest.raises(StateError) as err:
        open_or_create_state(FakeArchive("0" * 64, [tmp_path / "other.zip"]), path)
    assert "another archive" in err.value.message and "--state" in err.value.hint


def test_list_states_skips_journals_and_broken_files(tmp_path: Path) -> None:
    a, _ = open_or_create_state(FakeArchive("a" * 64, [tmp_path / "a.zip"]))
    b, sb = open_or_create_state(FakeArchive("b" * 64, [tmp_path / "b.zip"]))
    sb.step = Step.MIGRATE
    save_state(sb, b)  # most recent
    (a.parent / f"{a.stem}.bluesky.journal.toml").write_text("[[done]]\n")
    (a.parent / "garbage.toml").write_text("= nope")
    found = list_states()
    assert [p for p, _ in found] == [b, a]


def test_apply_user_changes_filters_edits_and_sets_alts() -> None:
    plan = make_plan([1, 2, 1, 1])
    reply = plan.items[3].model_copy(update={"kind": ItemKind.REPLY})
    photo = PlannedMedia(path="/cache/ab12.jpg", kind="image", bytes=10, width=4, height=3)
    with_media = plan.items[2].model_copy(
        update={"posts": [plan.items[2].posts[0].model_copy(update={"media": [photo]})]}
    )
    plan = plan.model_copy(update={"items": [plan.items[0], plan.items[1], with_media, reply]})
    state = MigrationState(
        archive_paths=[],
        archive_fingerprint="x",
        excluded=[plan.items[0].id],
        edits={
            "bluesky": {plan.items[1].id: {"1": "Nouveau texte #été https://example.org/a"}},
            "mastodon": {plan.items[1].id: {"0": "not for bluesky"}},
        },
        alts={"/cache/ab12.jpg": "Le port au matin"},
    )
    out = apply_user_changes(plan, state)
    assert [i.id for i in out.items] == [plan.items[1].id, plan.items[2].id]  # excluded + reply not opted in
    thread = out.items[0]
    assert thread.posts[0].text == plan.items[1].posts[0].text  # only the edited post changes
    edited = thread.posts[1]
    assert edited.text == "Nouveau texte #été https://example.org/a"
    features = {f["features"][0]["$type"].split("#")[1]: f["index"] for f in edited.facets}
    raw = edited.text.encode()
    assert raw[features["tag"]["byteStart"] : features["tag"]["byteEnd"]].decode() == "#été"
    assert (
        raw[features["link"]["byteStart"] : features["link"]["byteEnd"]].decode() == "https://example.org/a"
    )
    assert out.items[1].posts[0].media[0].alt == "Le port au matin"
    assert plan.items[1].posts[1].text != edited.text  # the input plan is not mutated

    state.included = [reply.id]
    assert [i.id for i in apply_user_changes(plan, state).items][-1] == reply.id
    state.included = []
    assert apply_user_changes(plan, state, include_all_replies=True).items[-1].id == reply.id


def test_apply_user_changes_keeps_mastodon_texts_without_facets() -> None:
    plan = make_plan([1], target="mastodon")
    item = plan.items[0]
    state = MigrationState(
        archive_paths=[],
        archive_fingerprint="x",
        edits={"mastodon": {item.id: {"0": "Bonjour https://example.org"}}},
    )
    post = apply_user_changes(plan, state).items[0].posts[0]
    assert post.text == "Bonjour https://example.org" and post.facets == []


def test_alt_texts_are_keyed_on_the_archive_media_id() -> None:
    plan = make_plan([1, 1])
    # Two conversions of the same photo may land at different cache paths: the media id is what is stable.
    first = PlannedMedia(path="/cache/v1.jpg", kind="image", bytes=10, width=4, height=3, media_id="m77")
    other = PlannedMedia(path="/cache/v2.jpg", kind="image", bytes=10, width=4, height=3, media_id="m78")
    items = [
        item.model_copy(update={"posts": [item.posts[0].model_copy(update={"media": [m]})]})
        for item, m in zip(plan.items, (first, other), strict=True)
    ]
    plan = plan.model_copy(update={"items": items})
    state = MigrationState(
        archive_paths=[],
        archive_fingerprint="x",
        alts={"m77": "Le port au matin", "/cache/v2.jpg": "by path (older states)", "m78": "la baie le soir"},
    )
    out = apply_user_changes(plan, state)
    assert out.items[0].posts[0].media[0].alt == "Le port au matin"
    assert out.items[1].posts[0].media[0].alt == "la baie le soir"  # the media id wins over the path
    assert plan.items[0].posts[0].media[0].alt == ""  # the input plan is untouched


def test_a_left_out_media_reason_keeps_its_words_across_a_reopen(tmp_path: Path) -> None:
    """issue 14: the reason a media is left out (state.without_media) is said in the user's language
    after a reopen; the text in the file stays the English record, and older states load as they were."""
    from quittex_tui import i18n
    from quittex_tui.notice import Notice, notice

    path = tmp_path / "s.toml"
    state = full_state()
    reason = notice("mp4.no_video_track")
    state.without_media = {"m1": reason, "m2": "an older reason"}
    save_state(state, path)
    assert tomllib.loads(path.read_text("utf-8"))["without_media"]["m1"] == "no video track"
    loaded = load_state(path)
    got = loaded.without_media["m1"]
    assert isinstance(got, Notice) and got == "no video track"
    assert i18n.say(got, "tui", "fr") == "pas de piste vidéo"
    assert loaded.without_media["m2"] == "an older reason" and not isinstance(
        loaded.without_media["m2"], Notice
    )
