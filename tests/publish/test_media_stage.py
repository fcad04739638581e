"""Media prepared at send time (ARCHITECTURE.md#the-engine, issue 16; publish/media_stage.py): through the
real engine against the real local PDS and mastodon-mock, a photo that does not decode and a file gone from
the archive fail only their own item, with the file named, and the other items go out with prepared files
(read back from each server); a background thread prepares a few items ahead of the sender."""

from __future__ import annotations

import io
import random
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from quittex_tui.archive import open_archive
from quittex_tui.convert.models import PlanOptions
from quittex_tui.convert.plan import build_plan
from quittex_tui.publish import connect
from quittex_tui.publish.engine import Engine
from quittex_tui.publish.journal import Journal
from quittex_tui.publish.media_stage import AHEAD, MediaStage
from tests.archive.builder import ArchiveBuilder, Photo, dt
from tests.publish.target_helpers import get_post, new_mastodon_user, new_pds_account


def _noisy_jpeg(width: int, height: int, seed: int) -> bytes:
    """A photo that does not compress well: over Bluesky's 1,000,000 bytes as the archive has it."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _archive(folder: Path) -> tuple[Path, dict[str, str]]:
    b = ArchiveBuilder(generation="2023")
    ids = {
        "good": b.tweet(
            "une belle photo 📷",
            at=dt(2024, 1, 1, 9),
            media=[Photo(base="Bonne-photo.jpg", width=1800, height=1200, data=_noisy_jpeg(1800, 1200, 1))],
        ),
        "broken": b.tweet(
            "une photo abîmée",
            at=dt(2024, 1, 2, 9),
            media=[Photo(base="Abimee.jpg", data=b"\xff\xd8 ceci n'est pas un JPEG" * 50)],
        ),
        "gone": b.tweet(
            "une photo qui va disparaître", at=dt(2024, 1, 3, 9), media=[Photo(base="Partie.jpg")]
        ),
        "text": b.tweet("juste du texte, été 🌞", at=dt(2024, 1, 4, 9)),
    }
    return b.write_dir(folder), ids


def _plan_then_lose_a_file(tmp_path: Path, target: str, image_max_bytes: int):
    root, ids = _archive(tmp_path / "extracted")
    archive = open_archive(root)
    plan = build_plan(archive, PlanOptions(target=target, image_max_bytes=image_max_bytes))
    # Planned while present; gone by the time it is sent (a folder cleaned up, a split part unplugged).
    [gone] = (root / "data" / "tweets_media").glob(f"{ids['gone']}-*")
    gone.unlink()
    return archive, plan, ids


def _check_failures(report, ids: dict[str, str]) -> None:
    failed = {f["item_id"]: f["reason"] for f in report.failed}
    assert set(failed) == {ids["broken"], ids["gone"]}
    assert "Abimee.jpg" in failed[ids["broken"]] and "not an image file" in failed[ids["broken"]]
    assert "Partie.jpg" in failed[ids["gone"]] and "could not be read" in failed[ids["gone"]]
    assert report.published == 2 and report.remaining == 0


@pytest.mark.servers
def test_bluesky_media_problems_fail_only_their_item(test_servers: dict[str, str], tmp_path: Path) -> None:
    handle, password, did, _ = new_pds_account(test_servers)
    target = connect.connect_bluesky(handle, service=test_servers["QTX_PDS_URL"], password=password)
    archive, plan, ids = _plan_then_lose_a_file(tmp_path, "bluesky", 1_000_000)
    good_source = next(m for it in plan.items if it.id == ids["good"] for p in it.posts for m in p.media)
    assert good_source.bytes > 1_000_000 and not good_source.prepared  # the plan read no file
    with archive, Journal(tmp_path / "s.bluesky.journal.toml") as journal:
        engine = Engine(plan, target, journal)
        report = engine.run()
        _check_failures(report, ids)
        # read back what the server has: the photo went as the prepared file, within Bluesky's limits
        [ref] = engine.refs(ids["good"])
        value = get_post(test_servers, did, ref.uri.rsplit("/", 1)[1])["value"]
        [image] = value["embed"]["images"]
        assert image["image"]["mimeType"] == "image/jpeg" and image["image"]["size"] <= 1_000_000
        blob = httpx.get(
            f"{test_servers['QTX_PDS_URL']}/xrpc/com.atproto.sync.getBlob",
            params={"did": did, "cid": image["image"]["ref"]["$link"]},
            timeout=30,
        )
        with Image.open(io.BytesIO(blob.content)) as sent:
            assert image["aspectRatio"] == {"width": sent.width, "height": sent.height}
        assert Path(good_source.path).read_bytes() == blob.content  # the plan's path holds what was sent
        [text_ref] = engine.refs(ids["text"])
        text_value = get_post(test_servers, did, text_ref.uri.rsplit("/", 1)[1])["value"]
        assert text_value["text"].startswith("juste") and "embed" not in text_value
        for item_id in (ids["broken"], ids["gone"]):
            assert engine.refs(item_id) == []


@pytest.mark.servers
def test_mastodon_media_problems_fail_only_their_item(test_servers: dict[str, str], tmp_path: Path) -> None:
    _, token = new_mastodon_user(test_servers)
    target = connect.connect_mastodon(test_servers["QTX_MASTODON_URL"], token=token)
    info = target.info()
    archive, plan, ids = _plan_then_lose_a_file(tmp_path, "mastodon", info.image_max_bytes)
    with archive, Journal(tmp_path / "s.mastodon.journal.toml") as journal:
        engine = Engine(plan, target, journal)
        report = engine.run()
        _check_failures(report, ids)
        statuses = httpx.get(
            f"{test_servers['QTX_MASTODON_URL']}/api/v1/accounts/{target.account['id']}/statuses",
            params={"limit": 40},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        by_id = {s["id"]: s for s in statuses}
        assert len(statuses) == 2
        [good] = engine.refs(ids["good"])
        assert [m["type"] for m in by_id[good.uri]["media_attachments"]] == ["image"]
        [text] = engine.refs(ids["text"])
        assert by_id[text.uri]["media_attachments"] == []


def test_the_stage_prepares_a_few_items_ahead_in_the_background(tmp_path: Path) -> None:
    b = ArchiveBuilder(generation="2023")
    ids = [
        b.tweet(f"photo {n}", at=dt(2024, 2, 1, 9, n), media=[Photo(width=300 + n, height=200)])
        for n in range(AHEAD + 4)
    ]
    with open_archive(b.write_zip(tmp_path / "a.zip")) as archive:
        plan = build_plan(archive, PlanOptions(target="bluesky"))
    stage = MediaStage.for_plan(plan)
    assert stage is not None
    items = {item.id: item for item in plan.items}
    declared = [Path(items[i].posts[0].media[0].path) for i in ids]
    assert not any(p.exists() for p in declared)
    stage.start([items[i] for i in ids])
    try:
        _wait(lambda: sum(p.exists() for p in declared) >= AHEAD)
        time.sleep(0.3)
        assert [p.exists() for p in declared] == [True] * AHEAD + [False] * 4  # a few ahead, no more
        first = stage.ready(items[ids[0]], 0, items[ids[0]].posts[0])  # the sender takes the first
        assert first.media[0].prepared and Path(first.media[0].path).is_file()
        _wait(lambda: declared[AHEAD].exists())  # … and the stage moves one further
    finally:
        stage.stop()
    # What the sender gets is the prepared file, with the plan's alt text and media id kept.
    ready = stage.ready(items[ids[-1]], 0, items[ids[-1]].posts[0])  # not prefetched: prepared now
    media = ready.media[0]
    assert media.prepared and media.media_id == items[ids[-1]].posts[0].media[0].media_id
    assert (media.width, media.height) == (300 + AHEAD + 3, 200) and media.mime == "image/jpeg"


def _wait(condition, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)
