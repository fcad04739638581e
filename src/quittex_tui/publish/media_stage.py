"""Send-time media preparation: each post's media made ready right before it is sent, a few items ahead.

ARCHITECTURE.md#the-engine (issue 16: no per-photo work in the plan). A plan names its media by their source
in the archive (convert/models.py); this stage, driven by the engine, reads, checks and converts them into the
one media cache (convert/media.py `prepare_for_upload`, cached per file: a rerun converts nothing) and gives
the targets a copy of the post whose media are real, upload-ready files. A background thread prepares the next
`AHEAD` items with media while the current one is being sent, so the sender never waits for Pillow (a
photo takes ~70 ms to convert; a post takes seconds at the networks' rate limits).

A media problem found here — a file gone from the archive, a photo that does not decode, a video that is
not an MP4 or is over the network's limit — raises `PermanentError` naming the file: the engine fails that
item with this reason and the run goes on.

The engine's hook (publish/engine.py), in full:

    self.media = MediaStage.for_plan(plan, target)          # Engine.__init__: None when nothing to prepare
    if self.media is not None: self.media.start(todo)       # Engine.run, before the loop (prefetch)
    if self.media is not None: self.media.stop()            # Engine.run, `finally`
    if self.media is not None: post = self.media.ready(item, index, post)  # Engine._send_item, per post

`ready` is also how anything else prepares one post now (the TUI's preview of an item on demand:
`MediaStage.for_plan(plan).prepare_post(post)`).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quittex_tui.archive.models import Media, MediaKind
from quittex_tui.convert.media_facts import MediaSource
from quittex_tui.convert.models import Plan, PlanItem, PlannedMedia, PlannedPost
from quittex_tui.notice import notice
from quittex_tui.publish.target import PermanentError, PublishTarget

AHEAD = 4  # items with media prepared ahead of the one being sent
_KINDS = {"image": MediaKind.PHOTO, "video": MediaKind.VIDEO, "gif": MediaKind.GIF}
_Result = tuple[PlannedMedia, ...] | PermanentError


def _needs_preparing(post: PlannedPost) -> bool:
    return any(not m.prepared and m.source for m in post.media)


class MediaStage:
    """Prepares the media of a plan's posts for one target, on demand and ahead of the sender."""

    def __init__(
        self, source: MediaSource, target: PublishTarget | None = None, *, ahead: int = AHEAD
    ) -> None:
        self.source = source
        self.target = target
        self.ahead = ahead
        self._video_max_bytes: int | None = None
        self._limits_known = False
        self._lock = threading.Condition()
        self._done: dict[tuple[str, int], _Result] = {}  # (item id, post index) -> prepared media or problem
        self._order: dict[str, int] = {}  # item id -> position in the run's order
        self._position = -1  # the item being sent
        self._working_on: str | None = None  # the item the prefetch thread is preparing
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._container: Any = None  # the stage's own view of the archive (archive/container.py)
        self._container_lock = threading.Lock()

    @classmethod
    def for_plan(cls, plan: Plan, target: PublishTarget | None = None) -> MediaStage | None:
        """The stage for a plan made by convert.plan.build_plan, or None when it has nothing to prepare
        (no media, or a plan read back from JSON / made by hand whose media are already files)."""
        source = (plan.__pydantic_private__ or {}).get("_media_source")
        if not isinstance(source, MediaSource):
            return None
        if not any(_needs_preparing(post) for item in plan.items for post in item.posts):
            return None
        return cls(source, target)

    # --- one post, now -------------------------------------------------------------------------------
    def prepare_post(self, post: PlannedPost) -> PlannedPost:
        """`post` with its media replaced by upload-ready files; raises PermanentError on a media problem."""
        if not _needs_preparing(post):
            return post
        result = self._prepare_media(post)
        if isinstance(result, PermanentError):
            raise result
        return post.model_copy(update={"media": list(result)})

    def _prepare_media(self, post: PlannedPost) -> _Result:
        from quittex_tui.convert.media import MediaProblem, prepare_for_upload  # Pillow only when needed

        out: list[PlannedMedia] = []
        for media in post.media:
            if media.prepared or not media.source:
                out.append(media)
                continue
            try:
                ready = prepare_for_upload(
                    self._reader(media),
                    _archive_media(media),
                    target=self.source.target,
                    image_max_bytes=self.source.image_max_bytes,
                    cache_dir=self.source.cache_dir,
                    video_max_bytes=self._video_limit() if media.kind != "image" else None,
                )
            except MediaProblem as exc:
                return PermanentError(exc.reason)
            except Exception as exc:  # a bug or a strange file: this item fails, in words; the run goes on
                why = f"{type(exc).__name__}: {exc}"
                return PermanentError(
                    notice(f"fail.not_prepared.{media.kind}", name=Path(media.source).name, detail=why)
                )
            _link(Path(ready.path), Path(media.path))
            out.append(
                ready.model_copy(
                    update={
                        "alt": media.alt,
                        "media_id": media.media_id,
                        "source": media.source,
                        "prepared": True,
                    }
                )
            )
        return tuple(out)

    def _reader(self, media: PlannedMedia) -> Any:
        """What reads the source file: the stage's own container of the archive (opened from its paths, so
        it outlives the `with open_archive(...)` that made the plan and is safe to use from the prefetch
        thread), or the archive object itself when it has no paths (a stand-in)."""
        from quittex_tui.convert.media import MediaProblem

        paths = getattr(self.source.archive, "source", None)
        if not paths:
            return self.source.archive
        with self._container_lock:
            if self._container is None:
                from quittex_tui.archive.container import open_container
                from quittex_tui.errors import QuittexError

                try:
                    self._container = open_container(list(paths))
                except QuittexError as exc:
                    kind = media.kind if media.kind in ("video", "gif") else "photo"
                    raise MediaProblem(
                        notice(
                            f"media.archive_gone.{kind}",
                            name=Path(media.source).name,
                            detail=notice(exc.key, **exc.params) if exc.key else exc.message,
                        )
                    ) from None
            container = self._container
        if media.bytes and container.has(media.source) and container.size(media.source) != media.bytes:
            size, name = container.size(media.source), Path(media.source).name
            raise MediaProblem(
                f"{media.kind} {name} changed in the archive since the plan was made "
                f"({size:,} bytes, not {media.bytes:,})"
            )
        return _ContainerReader(container)

    def close(self) -> None:
        """Release the stage's view of the archive (reopened if it is used again)."""
        with self._container_lock:
            container, self._container = self._container, None
        if container is not None:
            container.close()

    def _video_limit(self) -> int | None:
        """The target's video size limit (Mastodon: the instance's; Bluesky: its video service's)."""
        if not self._limits_known:
            self._limits_known = True
            if self.target is not None:
                with contextlib.suppress(Exception):  # the limit is a check; the target checks again
                    self._video_max_bytes = self.target.info().video_max_bytes
        return self._video_max_bytes

    # --- a run: prefetch ahead of the sender ----------------------------------------------------------
    def start(self, items: Sequence[PlanItem]) -> None:
        """Prepare the media of `items` (the run's order) in a background thread, `ahead` items ahead."""
        self.stop()
        with self._lock:
            self._stopped = False
            self._done.clear()
            self._order = {item.id: n for n, item in enumerate(items)}
            self._position = -1
        todo = [item for item in items if any(_needs_preparing(p) for p in item.posts)]
        if not todo:
            return
        self._thread = threading.Thread(
            target=self._prefetch, args=(todo,), name="media-prefetch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=30)
        self.close()

    def ready(self, item: PlanItem, index: int, post: PlannedPost) -> PlannedPost:
        """Post `index` of `item` with upload-ready media: prefetched, or prepared now. Raises
        PermanentError (naming the file) when a media cannot be sent."""
        if not _needs_preparing(post):
            return post
        key = (item.id, index)
        with self._lock:
            position = self._order.get(item.id)
            if position is not None and position > self._position:
                self._position = position
                # items before this one will not be asked for again: let the prefetch go on past them
                for stale in [k for k in self._done if self._order.get(k[0], -1) < position]:
                    del self._done[stale]
                self._lock.notify_all()
            while key not in self._done and self._working_on == item.id and not self._stopped:
                self._lock.wait()
            result = self._done.pop(key, None)
            self._lock.notify_all()
        if result is None:  # not prefetched (yet): now
            result = self._prepare_media(post)
        if isinstance(result, PermanentError):
            raise result
        return post.model_copy(update={"media": list(result)})

    def _ahead_count(self) -> int:
        return len({item_id for item_id, _ in self._done})

    def _prefetch(self, items: list[PlanItem]) -> None:
        for item in items:
            with self._lock:
                while not self._stopped and self._ahead_count() >= self.ahead:
                    self._lock.wait()
                if self._stopped:
                    return
                if self._order.get(item.id, -1) <= self._position:
                    continue  # the sender got there first (or passed it)
                self._working_on = item.id
            results = {
                (item.id, i): self._prepare_media(post)
                for i, post in enumerate(item.posts)
                if _needs_preparing(post)
            }
            with self._lock:
                self._working_on = None
                if self._order.get(item.id, -1) >= self._position:  # the sender may be waiting for it
                    self._done.update(results)
                self._lock.notify_all()


class _ContainerReader:
    def __init__(self, container: Any) -> None:
        self._container = container

    def read_member(self, member: str) -> bytes:
        return bytes(self._container.read(member))


def _archive_media(media: PlannedMedia) -> Media:
    """The archive's view of a planned media, for convert.media (its messages name the file)."""
    duration_ms = round(media.duration_s * 1000) if media.duration_s else None
    return Media(
        media_id=media.media_id,
        kind=_KINDS[media.kind],
        url="",
        media_url=media.source,
        member=media.source,
        duration_ms=duration_ms,
        width=media.width or None,
        height=media.height or None,
    )


def _link(ready: Path, declared: Path) -> None:
    """Make the plan's declared `path` hold the prepared file too (a hard link; a copy where links cannot
    be made), so a script reading `plan --json` finds it there once the post was prepared."""
    if declared == ready:
        return
    try:
        if declared.exists() and os.path.samefile(declared, ready):
            return
    except OSError:
        pass
    declared.parent.mkdir(parents=True, exist_ok=True)
    tmp = declared.with_name(f".{declared.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.link(ready, tmp)
        except OSError:
            import shutil

            shutil.copyfile(ready, tmp)
        os.replace(tmp, declared)  # atomic: a reader never sees half a file
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
