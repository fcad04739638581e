"""Videos and GIFs to Bluesky on a PDS that has no video service (the local reference PDS): the simple
method of Bluesky's "Uploading Video" — `uploadBlob` the mp4, reference it in `app.bsky.embed.video`.

Archives shaped unlike the demo (tests/archive/builder.py): 2019's bare `tweet.js` rows and `tweet_media/`
split over two zips, a 2023 extracted folder; videos named after the highest-bitrate mp4 variant, GIFs with
bitrate "0"; real MP4s (tests/publish/video_files.py), a rotated phone video, a truncated copy and an
`ftyp` box followed by garbage; X's `possibly_sensitive` as a boolean and as a string. Read back from the
PDS itself: the records (`listRecords`) and the blobs (`com.atproto.sync.listBlobs` / `getBlob`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from quittex_tui.archive import open_archive
from quittex_tui.convert.models import PlannedMedia, PlannedPost, PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.publish import connect
from quittex_tui.publish.bluesky import BlueskyTarget
from quittex_tui.publish.engine import Engine, RunReport
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.target import PermanentError
from quittex_tui.state import MigrationState, apply_user_changes
from tests.archive.builder import ArchiveBuilder, Photo, Video, dt
from tests.publish.target_helpers import list_posts, new_pds_account
from tests.publish.video_files import ftyp_and_garbage, gif_mp4, mp4, rotated, truncated


@dataclass
class Account:
    did: str
    target: BlueskyTarget


@pytest.fixture
def account(test_servers: dict[str, str]) -> Iterator[Account]:
    handle, password, did, _ = new_pds_account(test_servers)
    target = connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"], password=password)
    assert target.video.service is None  # a PDS not hosted by Bluesky: uploadBlob only
    yield Account(did, target)


def blobs(env: dict[str, str], did: str) -> list[str]:
    res = httpx.get(f"{env['QTX_PDS_URL']}/xrpc/com.atproto.sync.listBlobs", params={"did": did}, timeout=30)
    assert res.status_code == 200, res.text
    return list(res.json()["cids"])


def blob_bytes(env: dict[str, str], did: str, cid: str) -> bytes:
    res = httpx.get(
        f"{env['QTX_PDS_URL']}/xrpc/com.atproto.sync.getBlob", params={"did": did, "cid": cid}, timeout=30
    )
    assert res.status_code == 200, res.text
    return res.content


@dataclass
class Built:
    paths: list[Path]
    ids: dict[str, str]  # name -> tweet id
    files: dict[str, bytes]  # name -> the video file in the archive


def shaped_archive(tmp_path: Path, shape: str) -> Built:
    generation, parts = {"2019-split": ("2019", 2), "2023-folder": ("2023", 0)}[shape]
    b = ArchiveBuilder(generation=generation, tweet_parts=2 if parts else 1)
    files = {
        "video": mp4(320, 240),
        "gif": gif_mp4(),
        "phone": rotated(mp4(320, 240, shade=50)),
        "cut": truncated(mp4(320, 240, shade=90)),
        "garbage": ftyp_and_garbage(),
    }
    ids = {
        "video": b.tweet(
            "Une vidéo du débat",
            at=dt(2019, 3, 1, 9),
            media=[Video(base="wZwdl2psWVDiB7ej.mp4", data=files["video"])],
        ),
        "gif": b.tweet(
            "Quand le direct commence",
            at=dt(2019, 3, 1, 10),
            media=[Video(gif=True, base="D1nQy3-WsAAZ0mC.mp4", data=files["gif"])],
        ),
        "phone": b.tweet(
            "Filmé au téléphone",
            at=dt(2019, 3, 1, 11),
            media=[Video(data=files["phone"])],
            extra={"possibly_sensitive": True},
        ),
        "photo": b.tweet(
            "Image dure",
            at=dt(2019, 3, 1, 12),
            media=[Photo(width=300, height=200)],
            extra={"possibly_sensitive": "true"},
        ),
        "cut": b.tweet("Vidéo coupée à la copie", at=dt(2019, 3, 1, 13), media=[Video(data=files["cut"])]),
        "garbage": b.tweet(at=dt(2019, 3, 1, 14), media=[Video(data=files["garbage"])]),
        "text": b.tweet("Juste du texte", at=dt(2019, 3, 1, 15), extra={"possibly_sensitive": False}),
    }
    paths = b.write_split_zips(tmp_path / "zips", parts) if parts else [b.write_dir(tmp_path / "folder")]
    return Built(paths, ids, files)


def run(plan: Any, target: BlueskyTarget, journal_path: Path, *, retry_failed: bool = False) -> RunReport:
    with Journal(journal_path) as journal:
        return Engine(plan, target, journal).run(retry_failed=retry_failed)


def embed_of(records: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    record = next(r["value"] for r in records if r["value"]["text"] == text)
    return record.get("embed")


@pytest.mark.parametrize("shape", ["2019-split", "2023-folder"])
def test_videos_and_gifs_on_a_pds_without_video_service(
    account: Account, test_servers: dict[str, str], tmp_path: Path, shape: str
) -> None:
    built = shaped_archive(tmp_path, shape)
    state = MigrationState(archive_paths=[str(p) for p in built.paths], archive_fingerprint="-")
    with open_archive(built.paths if len(built.paths) > 1 else built.paths[0]) as archive:
        plan = apply_user_changes(
            build_plan(archive, PlanOptions(target="bluesky"), cache_dir=tmp_path / "cache"), state
        )
        report = run(plan, account.target, tmp_path / "journal.toml")

        # Only the two damaged files fail — each naming its file — and nothing of them was uploaded.
        failed = {f["item_id"]: f["reason"] for f in report.failed}
        assert set(failed) == {built.ids["cut"], built.ids["garbage"]}
        assert "not a valid MP4" in failed[built.ids["cut"]] and "truncated" in failed[built.ids["cut"]]
        assert f"{built.ids['garbage']}-" in failed[built.ids["garbage"]]
        assert report.published == 5
        records = list_posts(test_servers, account.did)
        video = embed_of(records, "Une vidéo du débat")
        gif = embed_of(records, "Quand le direct commence")
        phone = embed_of(records, "Filmé au téléphone")
        assert video is not None and gif is not None and phone is not None
        assert video["$type"] == gif["$type"] == "app.bsky.embed.video"
        # The aspect ratio is the file's own (the tweet said 1200×900), turned by the phone's matrix.
        assert video["aspectRatio"] == {"width": 320, "height": 240}
        assert phone["aspectRatio"] == {"width": 240, "height": 320}
        assert gif["presentation"] == "gif" and gif["aspectRatio"] == {"width": 64, "height": 64}
        assert "presentation" not in video
        # The blobs on the PDS are exactly the three videos and the photo, byte for byte.
        on_pds = set(blobs(test_servers, account.did))
        photo = embed_of(records, "Image dure")
        assert photo is not None and photo["$type"] == "app.bsky.embed.images"
        referenced = {e["video"]["ref"]["$link"] for e in (video, gif, phone)} | {
            photo["images"][0]["image"]["ref"]["$link"]
        }
        assert on_pds == referenced
        for name, embed in (("video", video), ("gif", gif), ("phone", phone)):
            assert embed["video"]["mimeType"] == "video/mp4"
            assert embed["video"]["size"] == len(built.files[name])
            got = blob_bytes(test_servers, account.did, embed["video"]["ref"]["$link"])
            assert hashlib.sha256(got).digest() == hashlib.sha256(built.files[name]).digest()
        # X's possibly_sensitive (true, "true") → a self-label on the post; none elsewhere.
        labels = {r["value"]["text"]: r["value"].get("labels") for r in records}
        expected = {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "graphic-media"}]}
        assert labels["Filmé au téléphone"] == labels["Image dure"] == expected
        assert labels["Une vidéo du débat"] is None and labels["Juste du texte"] is None

        # The user chooses, in Review, to send the damaged ones without their video: they go, noted.
        for item in plan.items:
            if item.id in failed:
                media = item.posts[-1].media[0]
                state.without_media[media.media_id] = "the file is damaged"
        state.labels[built.ids["phone"]] = "nudity"  # changed per item: already sent, so not re-sent
        plan = apply_user_changes(
            build_plan(archive, PlanOptions(target="bluesky"), cache_dir=tmp_path / "cache"), state
        )
        again = run(plan, account.target, tmp_path / "journal.toml", retry_failed=True)
    assert again.failed == [] and again.published == 1  # the garbage "video" was its tweet's only content
    assert [n["item_id"] for n in again.left_out] == [built.ids["cut"]]
    assert "left out: the file is damaged" in again.left_out[0]["note"]
    records = list_posts(test_servers, account.did)
    assert embed_of(records, "Vidéo coupée à la copie") is None
    assert len(blobs(test_servers, account.did)) == 4  # still nothing of the damaged files


def test_a_video_over_the_pds_blob_limit_fails_alone_naming_the_file(
    account: Account, test_servers: dict[str, str], tmp_path: Path
) -> None:
    big = mp4(320, 240, frames=50)  # ~5.8 MB: over the reference PDS's default 5 MiB blob limit
    assert len(big) > 5 * 1024 * 1024
    clip = tmp_path / "1234-BigClip.mp4"
    clip.write_bytes(big)
    media = PlannedMedia(
        path=str(clip),
        kind="video",
        bytes=len(big),
        width=320,
        height=240,
        mime="video/mp4",
        source="data/tweets_media/1234-BigClip.mp4",
    )
    post = PlannedPost(source_id="1234", text="une longue vidéo", media=[media])
    target = account.target
    # The PDS says its limit (describeServer blobUploadLimit): refused before 5.8 MB are sent for nothing.
    with pytest.raises(PermanentError) as said:
        target.publish(
            post,
            key=target.post_key("i1", 0, "1234", dt(2020, 1, 1)),
            created_at=dt(2020, 1, 1),
            reply_to=None,
        )
    assert "1234-BigClip.mp4" in said.value.reason and "5.8 MB" in said.value.reason
    assert "larger than your server" in said.value.reason
    # A PDS that does not say it: its refusal (HTTP 413 PayloadTooLarge) is the same clear failure.
    target.video.pds_blob_limit = lambda: None  # type: ignore[method-assign]
    with pytest.raises(PermanentError) as refused:
        target.publish(
            post,
            key=target.post_key("i2", 0, "1234", dt(2020, 1, 1)),
            created_at=dt(2020, 1, 1),
            reply_to=None,
        )
    assert "1234-BigClip.mp4" in refused.value.reason and "413" in refused.value.reason
    assert blobs(test_servers, account.did) == [] and list_posts(test_servers, account.did) == []
