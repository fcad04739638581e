"""Videos, GIFs and sensitive media as other people see them: read back through the reference AppView
(tests/servers.py `appview_servers`), after a migration by the engine.

- The simple method (uploadBlob, any PDS): `app.bsky.embed.video#view` for a video, `presentation: "gif"`
  for X's GIFs, the aspect ratio of the file itself (a rotated phone video turned), the self-label in the
  post view's `labels`.
- The video-service method, against a stand-in of the service (tests/publish/video_service.py) that stores
  the video on the real PDS with the user's service-auth token: a quota of 2 videos a "day" (3 s here) —
  items with a video wait while text and photo items go on, a thread with a video waits whole, nothing is
  refused; a job the service fails fails its item, naming the file; a video already processed is not
  uploaded again; an unreachable service falls back to uploadBlob.
The AppView network's PDS refuses blobs over 5 MB: the videos here are tens of KB to ~1 MB.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from quittex_tui.archive import open_archive
from quittex_tui.convert.models import Plan, PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.publish import connect
from quittex_tui.publish.bluesky import BlueskyTarget
from quittex_tui.publish.engine import Engine, EngineEvent, RunReport
from quittex_tui.publish.journal import Journal
from quittex_tui.state import MigrationState, apply_user_changes
from tests.archive.builder import ArchiveBuilder, Photo, Video, dt
from tests.publish.video_files import gif_mp4, mp4, rotated
from tests.publish.video_service import StandInVideoService

PASSWORD = "video-test-password"


@dataclass
class Net:
    pds: str
    appview: str
    plc: str


@pytest.fixture(scope="module")
def net(appview_servers: dict[str, str]) -> Net:
    return Net(
        appview_servers["QTX_APPVIEW_PDS_URL"],
        appview_servers["QTX_APPVIEW_URL"],
        appview_servers["QTX_APPVIEW_PLC_URL"],
    )


def new_target(net: Net) -> tuple[BlueskyTarget, str]:
    handle = f"v{uuid.uuid4().hex[:8]}.test"
    res = httpx.post(
        f"{net.pds}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": PASSWORD},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    return connect.connect_bluesky(handle, service=net.pds, password=PASSWORD), res.json()["did"]


def plan_of(builder: ArchiveBuilder, tmp_path: Path) -> Plan:
    path = builder.write_zip(tmp_path / "archive.zip")
    with open_archive(path) as archive:
        plan = build_plan(archive, PlanOptions(target="bluesky"), cache_dir=tmp_path / "cache")
        # the stage reads the archive by its path, so the plan outlives the `with`
        return apply_user_changes(plan, MigrationState(archive_paths=[str(path)], archive_fingerprint="-"))


def run(
    plan: Plan, target: BlueskyTarget, tmp_path: Path, events: list[EngineEvent] | None = None
) -> RunReport:
    with Journal(tmp_path / "journal.toml") as journal:
        engine = Engine(plan, target, journal, on_event=events.append if events is not None else None)
        return engine.run()


def post_views(net: Net, did: str, count: int) -> dict[str, dict[str, Any]]:
    """Every post of `did` as the AppView shows it (text -> post view), once all `count` are indexed."""
    end = time.monotonic() + 30
    while True:
        feed = httpx.get(
            f"{net.appview}/xrpc/app.bsky.feed.getAuthorFeed", params={"actor": did, "limit": 100}, timeout=30
        )
        posts = [item["post"] for item in feed.json().get("feed", [])] if feed.status_code == 200 else []
        if len(posts) >= count:
            uris = [p["uri"] for p in posts]
            views = httpx.get(
                f"{net.appview}/xrpc/app.bsky.feed.getPosts", params={"uris": uris[:25]}, timeout=30
            ).json()["posts"]
            return {v["record"]["text"]: v for v in views}
        assert time.monotonic() < end, f"the AppView showed {len(posts)} of {count} posts"
        time.sleep(0.1)


def test_video_gif_rotation_and_labels_through_the_appview(net: Net, tmp_path: Path) -> None:
    target, did = new_target(net)
    b = ArchiveBuilder(generation="2022")
    b.tweet("La vidéo du jour", at=dt(2022, 5, 1, 9), media=[Video(data=mp4(320, 240))])
    b.tweet("Le GIF", at=dt(2022, 5, 1, 10), media=[Video(gif=True, data=gif_mp4())])
    b.tweet(
        "Au téléphone",
        at=dt(2022, 5, 1, 11),
        media=[Video(data=rotated(mp4(320, 240, shade=40)))],
        extra={"possibly_sensitive": True},
    )
    b.tweet(
        "Photo choquante",
        at=dt(2022, 5, 1, 12),
        media=[Photo(width=200, height=100)],
        extra={"possibly_sensitive": "true"},
    )
    report = run(plan_of(b, tmp_path), target, tmp_path)
    assert report.failed == [] and report.published == 4
    assert target.video.last_way == "uploadBlob"

    views = post_views(net, did, 4)
    video, gif, phone = (views[t]["embed"] for t in ("La vidéo du jour", "Le GIF", "Au téléphone"))
    for embed in (video, gif, phone):
        assert embed["$type"] == "app.bsky.embed.video#view"
        assert embed["playlist"].startswith("http") and embed["cid"].startswith("bafk")
    assert video["aspectRatio"] == {"width": 320, "height": 240}
    assert phone["aspectRatio"] == {"width": 240, "height": 320}  # the phone's 90° matrix, applied
    assert gif["presentation"] == "gif" and gif["aspectRatio"] == {"width": 64, "height": 64}
    assert video.get("presentation") in (None, "default")
    for text in ("Au téléphone", "Photo choquante"):
        labels = views[text].get("labels") or []
        assert [(lab["val"], lab["src"]) for lab in labels] == [("graphic-media", did)], text
    assert not views["La vidéo du jour"].get("labels")


@pytest.fixture
def service(net: Net, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInVideoService]:
    with StandInVideoService(net.plc, per_day=2, day=3.0) as standin:
        monkeypatch.setenv("QUITTEX_VIDEO_SERVICE", standin.url)
        yield standin


def short_day(target: BlueskyTarget, standin: StandInVideoService) -> None:
    """The client's idea of the "day" matches the stand-in's, and it asks again often (real: a day, 1 h)."""
    quota = target.video.quota
    assert quota is not None
    quota.day, quota.recheck, quota.fresh = (
        timedelta(seconds=standin.day),
        timedelta(seconds=0.5),
        timedelta(seconds=0.5),
    )


def test_the_daily_video_quota_paces_videos_while_the_rest_goes_on(
    net: Net, service: StandInVideoService, tmp_path: Path
) -> None:
    target, did = new_target(net)
    assert target.video.service == service.url
    short_day(target, service)
    b = ArchiveBuilder(generation="2023")
    ids = {
        "v1": b.tweet("vidéo 1", at=dt(2023, 1, 1, 9), media=[Video(data=mp4(160, 96, shade=1))]),
        "t1": b.tweet("texte 1", at=dt(2023, 1, 1, 10)),
        "v2": b.tweet("vidéo 2", at=dt(2023, 1, 1, 11), media=[Video(gif=True, data=gif_mp4(shade=2))]),
        "p1": b.tweet("photo 1", at=dt(2023, 1, 1, 12), media=[Photo()]),
        "v3": b.tweet("vidéo 3", at=dt(2023, 1, 1, 13), media=[Video(data=mp4(160, 96, shade=3))]),
    }
    root = b.tweet("un fil", at=dt(2023, 1, 1, 14))
    middle = b.tweet(
        "le fil, sa vidéo", at=dt(2023, 1, 1, 14, 1), reply_to=root, media=[Video(data=mp4(160, 96, shade=4))]
    )
    b.tweet("le fil, la fin", at=dt(2023, 1, 1, 14, 2), reply_to=middle)
    ids["thread"] = root
    ids["t2"] = b.tweet("texte 2", at=dt(2023, 1, 1, 15))
    plan = plan_of(b, tmp_path)
    assert next(i for i in plan.items if i.id == root).kind == "thread"

    events: list[EngineEvent] = []
    report = run(plan, target, tmp_path, events)

    assert report.failed == [] and report.remaining == 0 and report.published == 7
    sent = [e.item_id for e in events if e.kind == "item_sent"]
    # Two videos a "day": video 3 and the thread wait; text and photo items do not wait for them.
    assert sent == [ids[k] for k in ("v1", "t1", "v2", "p1", "t2", "v3", "thread")]
    waits = [e for e in events if e.kind == "waiting" and e.progress.next_video_at is not None]
    assert waits and max(e.progress.videos_waiting for e in waits) == 2
    assert service.refused == 0  # the client waited for the allowance: the service never had to say no
    assert len(service.uploads) == 4 and service.limit_checks >= 2
    assert target.video.last_way == "service"

    views = post_views(net, did, 9)
    stored = {u.job_id: service.jobs[u.job_id]["blob"]["ref"]["$link"] for u in service.uploads}
    for text in ("vidéo 1", "vidéo 2", "vidéo 3", "le fil, sa vidéo"):
        embed = views[text]["embed"]
        assert embed["$type"] == "app.bsky.embed.video#view" and embed["cid"] in stored.values(), text
    assert views["vidéo 2"]["embed"]["presentation"] == "gif"
    # The thread stayed one chain, in order.
    middle_view, end_view = views["le fil, sa vidéo"], views["le fil, la fin"]
    assert middle_view["record"]["reply"]["parent"]["uri"] == views["un fil"]["uri"]
    assert end_view["record"]["reply"]["parent"]["uri"] == middle_view["uri"]


def test_service_failures_duplicates_and_fallback(
    net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = mp4(160, 96, shade=7)
    with StandInVideoService(net.plc, per_day=10, fail_with="encoding_failure") as failing:
        monkeypatch.setenv("QUITTEX_VIDEO_SERVICE", failing.url)
        target, _ = new_target(net)
        b = ArchiveBuilder(generation="2023")
        bad = b.tweet("illisible", at=dt(2023, 2, 1, 9), media=[Video(base="Enc0d3Fail.mp4", data=clip)])
        report = run(plan_of(b, tmp_path / "a"), target, tmp_path / "a")
    assert [f["item_id"] for f in report.failed] == [bad]
    assert "Enc0d3Fail.mp4" in report.failed[0]["reason"] and "encoding_failure" in report.failed[0]["reason"]

    with StandInVideoService(net.plc, per_day=10) as standin:
        monkeypatch.setenv("QUITTEX_VIDEO_SERVICE", standin.url)
        target, did = new_target(net)
        b = ArchiveBuilder(generation="2023")
        b.tweet("une fois", at=dt(2023, 2, 2, 9), media=[Video(data=clip)])
        b.tweet("deux fois", at=dt(2023, 2, 2, 10), media=[Video(data=clip)])  # the same file again
        report = run(plan_of(b, tmp_path / "b"), target, tmp_path / "b")
        assert report.failed == [] and len(standin.uploads) == 1  # already_exists: its blob reused
        views = post_views(net, did, 2)
        assert views["une fois"]["embed"]["cid"] == views["deux fois"]["embed"]["cid"]

    # The service cannot be reached: the video goes up the simple way, to the PDS.
    with httpx.Client() as probe, StandInVideoService(net.plc) as gone:
        dead = gone.url
    del probe
    monkeypatch.setenv("QUITTEX_VIDEO_SERVICE", dead)
    target, did = new_target(net)
    b = ArchiveBuilder(generation="2023")
    b.tweet("sans service", at=dt(2023, 2, 3, 9), media=[Video(data=mp4(160, 96, shade=9))])
    report = run(plan_of(b, tmp_path / "c"), target, tmp_path / "c")
    assert report.failed == [] and target.video.last_way == "uploadBlob"
    assert post_views(net, did, 1)["sans service"]["embed"]["$type"] == "app.bsky.embed.video#view"
