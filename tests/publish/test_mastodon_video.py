"""Videos, GIFs and sensitive media to Mastodon (the real mastodon-mock, tests/servers.py), read back
through its API: videos and GIFs attached, X's `possibly_sensitive` as `sensitive: true`, and the
instance's advertised video limits (`configuration.media_attachments`: size, `video_frame_rate_limit`,
`video_matrix_limit`) applied before the upload, each a clear failure of its item naming the file."""

from __future__ import annotations

from pathlib import Path

import httpx

from quittex_tui import i18n
from quittex_tui.archive import open_archive
from quittex_tui.convert.models import PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.publish import connect
from quittex_tui.publish.engine import Engine
from quittex_tui.publish.journal import Journal
from quittex_tui.state import MigrationState, apply_user_changes
from tests.archive.builder import ArchiveBuilder, Photo, Video, dt
from tests.publish.target_helpers import new_mastodon_user
from tests.publish.video_files import gif_mp4, mp4


def test_videos_gifs_sensitive_media_and_the_instance_video_limits(
    test_servers: dict[str, str], tmp_path: Path
) -> None:
    _, token = new_mastodon_user(test_servers)
    target = connect.connect_mastodon(test_servers["QTX_MASTODON_URL"], token=token)
    info = target.info()
    assert info.extra["video_frame_rate_limit"] == "60" and info.extra["video_matrix_limit"] == "2304000"

    b = ArchiveBuilder(generation="2022", tweet_parts=2)
    ids = {
        "video": b.tweet("Une vidéo", at=dt(2022, 3, 1, 9), media=[Video(data=mp4(320, 240))]),
        "gif": b.tweet("Un GIF", at=dt(2022, 3, 1, 10), media=[Video(gif=True, data=gif_mp4())]),
        "flagged": b.tweet(
            "Attention, images dures",
            at=dt(2022, 3, 1, 11),
            media=[Photo()],
            extra={"possibly_sensitive": "true"},
        ),
        "fast": b.tweet(
            "Ralenti à 120 images par seconde",
            at=dt(2022, 3, 1, 12),
            media=[Video(base="Fast120fps.mp4", data=mp4(32, 32, fps=120, frames=12))],
        ),
        "huge": b.tweet(
            "Tournée en 1920×1280",
            at=dt(2022, 3, 1, 13),
            media=[Video(base="Wide1920.mp4", data=mp4(1920, 1280, frames=1))],
        ),
    }
    path = b.write_split_zips(tmp_path / "zips", 2)
    with open_archive(path) as archive:
        plan = build_plan(archive, PlanOptions(target="mastodon"), cache_dir=tmp_path / "cache")
        plan = apply_user_changes(plan, MigrationState(archive_paths=[], archive_fingerprint="-"))
        with Journal(tmp_path / "journal.toml") as journal:
            engine = Engine(plan, target, journal)
            report = engine.run()

    failed = {f["item_id"]: f["reason"] for f in report.failed}
    assert set(failed) == {ids["fast"], ids["huge"]}
    assert "Fast120fps.mp4" in failed[ids["fast"]] and "120 frames a second" in failed[ids["fast"]]
    assert "at most 60" in failed[ids["fast"]]
    assert "Wide1920.mp4" in failed[ids["huge"]] and "1920×1280" in failed[ids["huge"]]
    assert "2,304,000" in failed[ids["huge"]]
    # Said to a French user: French words, French number grouping (the report keeps the catalogue key).
    fast_fr, huge_fr = (i18n.say(engine.failure_reason(ids[k]), lang="fr") for k in ("fast", "huge"))
    assert "Fast120fps.mp4 a 120 images par seconde" in fast_fr and fast_fr.startswith("la vidéo ")
    assert "au plus 60" in fast_fr
    assert "1920×1280 pixels" in huge_fr and "2\u202f304\u202f000 pixels par image" in huge_fr, huge_fr

    res = httpx.get(
        f"{test_servers['QTX_MASTODON_URL']}/api/v1/accounts/{target.account['id']}/statuses",
        params={"limit": 40},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    statuses = res.json()
    assert len(statuses) == 3  # nothing of the two refused items reached the server

    def status(text: str) -> dict:
        return next(s for s in statuses if text in s["content"])

    video, gif, flagged = (status(t) for t in ("Une vidéo", "Un GIF", "Attention, images dures"))
    # the mock calls an uploaded mp4 "video" (real Mastodon makes a short silent one "gifv")
    assert [m["type"] for m in video["media_attachments"]] == ["video"]
    assert [m["type"] for m in gif["media_attachments"]] in (["video"], ["gifv"])
    assert flagged["sensitive"] is True and video["sensitive"] is False and gif["sensitive"] is False
