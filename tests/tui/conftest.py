"""TUI test fixtures: a media cache converted once per session (the demo archive's photos and video take
seconds to re-encode; every test gets its own QUITTEX_HOME but shares the converted files), and helpers
to drive the app with Pilot until a condition holds."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def warm_media_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's media prepared once, as a run prepares them at send time (publish/media_stage.py)."""
    from quittex_tui.archive import open_archive
    from quittex_tui.convert.models import PlanOptions
    from quittex_tui.convert.plan import build_plan
    from quittex_tui.demo import demo_archive_path
    from quittex_tui.publish.media_stage import MediaStage
    from quittex_tui.publish.target import PermanentError

    cache = tmp_path_factory.mktemp("tui-media-cache")
    with open_archive(demo_archive_path()) as archive:
        for target in ("bluesky", "mastodon"):
            plan = build_plan(archive, PlanOptions(target=target), cache_dir=cache / "media")
            stage = MediaStage.for_plan(plan)
            assert stage is not None
            for item in plan.items:
                for post in item.posts:
                    with contextlib.suppress(PermanentError):  # a media the run will refuse: no file
                        stage.prepare_post(post)
    return cache


@pytest.fixture(autouse=True)
def shared_media_cache(isolated_home: Path, warm_media_cache: Path) -> None:
    cache = isolated_home / "cache"
    if not cache.exists():
        os.symlink(warm_media_cache, cache)


from quittex_tui.tui.drive import wait_for, wait_main  # noqa: E402,F401  (re-exported for tests)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio (the anyio pytest plugin drives the async tests)
