"""Media in the Review step: alt texts for every media (videos and GIFs too) with each destination's
limit shown live and enforced, the sensitive-media label per item or for all the items X flagged, a damaged
video left out by choice (noted in the plan, the run's report and the exported report), and the time the
selection's videos take at Bluesky's daily video limit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from quittex_tui.state import load_state
from quittex_tui.tui.app import make_app
from quittex_tui.tui.screens.edit import AltScreen, alt_counter
from quittex_tui.tui.screens.main import MainScreen
from quittex_tui.tui.session import open_session
from quittex_tui.tui.widgets.item_list import ItemList
from tests.archive.builder import ArchiveBuilder, Photo, Video, dt
from tests.publish.video_files import ftyp_and_garbage, mp4
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio


async def test_alt_text_and_label_of_a_video_by_keyboard() -> None:
    app = make_app(None, demo=True, lang="en", dry_run_latency=0)
    async with app.run_test(size=(80, 24)) as pilot:
        main: MainScreen = await wait_main(pilot)
        s = main.session
        await pilot.press("4")
        lst = app.screen.query_one("#items", ItemList)
        video = next(r for r in s.rows if r.videos and r.kind == "post")
        for _ in range(len(s.rows)):
            if lst.current is not None and lst.current.id == video.id:
                break
            await pilot.press("j")
        assert lst.current is not None and lst.current.id == video.id
        assert "V" in main.query_one("ReviewView").line(video, 80)[20:32]

        await pilot.press("l")  # the alt-text editor lists the item's video
        await wait_for(pilot, lambda: isinstance(app.screen, AltScreen))
        alt = app.screen
        assert [m.kind for m in alt.media] == ["video"]
        field = alt.query_one("#alt-0")
        field.value = "é" * 1001  # the dry run simulates Bluesky: 1,000 graphemes at most
        await pilot.pause(0.1)
        counter = str(alt.query_one("#alt-count-0").render())
        assert "Bluesky 1,001/1,000 graphemes" in counter and "too long" in counter
        await pilot.press("ctrl+s")
        assert app.screen is alt  # refused: nothing saved
        field.value = "Débat filmé à l'Assemblée 🎥, sous-titres en direct"
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is main)
        media_id = alt.media[0].media_id
        assert s.state.alts[media_id].startswith("Débat filmé")

        await pilot.press("L")  # the sensitive label: none → graphic-media → sexual
        assert s.label_of(video.id) == "graphic-media"
        await pilot.press("L")
        assert s.label_of(video.id) == "sexual"
        preview = str(main.query_one("#item-preview").render())
        assert "Sensitive media: sexual" in preview and "l: alt texts" in preview
        await pilot.press("w")  # its file is fine: nothing to leave out
        await wait_for(
            pilot, lambda: any("nothing to leave out" in str(n.message) for n in app._notifications)
        )
        await pilot.pause(0.3)
        saved = load_state(s.state_path)
        assert saved.labels == {video.id: "sexual"} and saved.alts[media_id].startswith("Débat filmé")
        assert saved.without_media == {}

        plan = s.effective_plan("dry-run")
        post = next(p for i in plan.items if i.id == video.id for p in i.posts if p.media)
        assert post.self_label == "sexual" and post.media[0].alt.startswith("Débat filmé")


def test_alt_counter_shows_each_destination_limit() -> None:
    text = "👩🏽‍💻" * 400  # 400 graphemes, 1,600 code points
    line, ok = alt_counter(["bluesky", "mastodon"], text)
    assert "Bluesky 400/1,000 graphemes" in line and "Mastodon 1,600/1,500 characters" in line and not ok
    assert alt_counter(["bluesky"], text)[1]  # Bluesky alone takes it
    assert not alt_counter(["bluesky"], "a" * 1001)[1]


def test_damaged_video_left_out_flagged_media_labelled_for_all(tmp_path: Path) -> None:
    b = ArchiveBuilder(generation="2020")
    broken = b.tweet("Le discours, filmé", at=dt(2020, 9, 1, 9), media=[Video(data=ftyp_and_garbage())])
    flagged = b.tweet(
        "Photo dure", at=dt(2020, 9, 1, 10), media=[Photo()], extra={"possibly_sensitive": True}
    )
    other = b.tweet(
        "Autre photo dure", at=dt(2020, 9, 1, 11), media=[Photo()], extra={"possibly_sensitive": "true"}
    )
    many = [
        b.tweet(f"vidéo {n}", at=dt(2020, 10, 1 + n), media=[Video(data=mp4(32, 32, frames=2, shade=n))])
        for n in range(26)
    ]
    s = open_session(b.write_zip(tmp_path / "a.zip"), demo=True, state_path=tmp_path / "s.toml")

    # X flagged two items: they carry the default label; the "for all" choice changes both at once.
    assert s.label_of(flagged) == s.label_of(other) == "graphic-media" and s.label_of(broken) == ""
    assert s.cycle_all_labels() == ("sexual", 2)
    assert s.label_of(flagged) == s.label_of(other) == "sexual"
    assert s.cycle_label(other) == "nudity" and s.label_of(flagged) == "sexual"

    # 27 videos: more than a day of Bluesky's allowance (about 25): counted apart.
    assert s.video_estimate() == (27, 2, 25)

    problems = s.unusable_media(broken)
    assert len(problems) == 1 and "not a valid MP4" in next(iter(problems.values()))
    s.set_left_out(broken, problems)
    plan = s.effective_plan("dry-run")
    post = next(p for i in plan.items if i.id == broken for p in i.posts)
    assert post.media == [] and post.text == "Le discours, filmé" and "left out" in post.left_out[0]
    assert next(i for i in plan.items if i.id == other).posts[0].self_label == "nudity"

    for row in s.rows:  # send only these three (the many videos would only slow the dry run down)
        s.set_included([row], row.id in (broken, flagged, other))
    s.save_now()
    report = s.run("dry-run", lambda _event: None)
    assert report.failed == [] and [n["item_id"] for n in report.left_out] == [broken]
    s.collect_report("dry-run")
    _md, csv_path = s.export_report(tmp_path)
    rows = {r["item_id"]: r for r in csv.DictReader(csv_path.open(encoding="utf-8"))}
    assert "left out" in rows[broken]["note"] and rows[flagged]["note"] == ""
    assert many  # (the 26 videos were planned and counted above)
