"""X's `possibly_sensitive` from the archive to the plan and the user's choices
(docs/bluesky.md#languages-and-self-labels, issue 12): the shapes real and odd rows give it, the default
self-label the plan proposes on the posts that carry media, and the choices saved in the state (per item, for
all, media left out) — refused when a hand edit makes them nonsense."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quittex_tui.archive import open_archive
from quittex_tui.archive.rows import TWEET_ROW, Shared, tweet_from_row, tweet_from_typed
from quittex_tui.convert.models import PlanOptions
from quittex_tui.convert.plan import build_plan, plan_json_obj
from quittex_tui.errors import StateError
from quittex_tui.state import MigrationState, apply_user_changes, load_state, save_state
from tests.archive.builder import ArchiveBuilder, Photo, dt


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("false", False),
        ('"true"', True),
        ('"false"', False),
        ('"True"', True),
        ("1", True),
        ("0", False),
        ("null", False),
        (None, False),
    ],
)
def test_possibly_sensitive_in_every_shape(raw: str | None, expected: bool) -> None:
    field = f',"possibly_sensitive":{raw}' if raw is not None else ""
    row = (
        '{"tweet":{"id_str":"1234567890123","created_at":"Sat Dec 21 09:00:05 +0000 2024",'
        f'"full_text":"x"{field}}}}}'
    )
    typed = tweet_from_typed(TWEET_ROW.decode(row.encode()), Shared())
    loose = tweet_from_row(json.loads(row))
    assert typed is not None and loose is not None
    assert typed.possibly_sensitive is expected and loose.possibly_sensitive is expected


def archive(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    b = ArchiveBuilder(generation="2019")  # bare tweet.js rows
    ids = {
        "flagged": b.tweet(
            "Images dures", at=dt(2019, 1, 1), media=[Photo()] * 5, extra={"possibly_sensitive": True}
        ),
        "text_only": b.tweet(
            "Lien vers un article dur", at=dt(2019, 1, 2), extra={"possibly_sensitive": True}
        ),
        "plain": b.tweet("Photo", at=dt(2019, 1, 3), media=[Photo()]),
    }
    return b.write_zip(tmp_path / "a.zip"), ids


def test_the_plan_proposes_a_label_on_flagged_media_and_the_state_decides(tmp_path: Path) -> None:
    path, ids = archive(tmp_path)
    with open_archive(path) as arch:
        plan = build_plan(arch, PlanOptions(target="bluesky"), cache_dir=tmp_path / "cache")
    items = {i.id: i for i in plan.items}
    flagged = items[ids["flagged"]]
    # 5 photos: 4 on the first post, 1 on a media-only continuation — both carry the label
    labels = [(len(p.media), p.self_label) for p in flagged.posts]
    assert labels == [(4, "graphic-media"), (1, "graphic-media")]
    assert items[ids["text_only"]].posts[0].self_label == ""  # a label is about media: none to label
    assert items[ids["plain"]].posts[0].self_label == ""
    assert plan_json_obj(plan)["items"][0]["posts"][0]["self_label"] == "graphic-media"  # `plan --json`

    state = MigrationState(archive_paths=[str(path)], archive_fingerprint="-")
    state.sensitive_label = ""  # "for all": no label on what X flagged
    state.labels[ids["plain"]] = "porn"  # one item X did not flag
    shaped = {i.id: i for i in apply_user_changes(plan, state).items}
    assert [p.self_label for p in shaped[ids["flagged"]].posts] == ["", ""]
    assert shaped[ids["plain"]].posts[0].self_label == "porn"

    save_state(state, tmp_path / "s.toml")
    again = load_state(tmp_path / "s.toml")
    assert again.labels == {ids["plain"]: "porn"} and again.sensitive_label == ""
    text = (tmp_path / "s.toml").read_text("utf-8").replace('"porn"', '"spicy"')
    (tmp_path / "s.toml").write_text(text, "utf-8")
    with pytest.raises(StateError, match="labels"):
        load_state(tmp_path / "s.toml")
