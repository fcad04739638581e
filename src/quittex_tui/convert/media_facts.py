"""What the plan needs to know about media without touching a file (or importing Pillow): the networks'
media limits, the media cache, how a media is named in messages, and where a plan's media come from.

Spec: docs/bluesky.md#embeds, docs/bluesky.md#video, docs/mastodon.md#media-post-apiv2media (limits), issue
16 (media prepared at send time), ARCHITECTURE.md#where-things-live-on-disk, issue 14 (one media cache for the
TUI and the CLI). The conversion itself is convert/media.py.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quittex_tui import paths
from quittex_tui.archive.models import Media, MediaKind
from quittex_tui.notice import notice

# docs/bluesky.md#embeds: aim ≤ 1,000,000 bytes per image, ≤ 2000 px long side.
BLUESKY_IMAGE_MAX_SIDE = 2000
# docs/bluesky.md#video, the video service: ≤ 100 MB and ≤ 3 min per video.
BLUESKY_VIDEO_MAX_BYTES = 100_000_000
BLUESKY_VIDEO_MAX_SECONDS = 180.0
# Mastodon 4.x advertises `configuration.media_attachments.image_matrix_limit` = 33,177,600 px (7680×4320)
# as the largest image it takes (it stores at most 3840×2160 anyway): downscale bigger photos to it.
MASTODON_IMAGE_MATRIX_LIMIT = 33_177_600

# Bump when the encoding choices of convert/media.py change: old cache entries then stop matching, and a
# plan's prepared paths change with it.
CONVERTER_VERSION = "1"


@dataclass(frozen=True)
class MediaSource:
    """Where a plan's media come from and how they are to be prepared: what the send-time stage
    (publish/media_stage.py) needs, attached by convert.plan.build_plan to the plan it makes."""

    archive: Any  # quittex_tui.archive.Archive (read_member; member_size, member_identity, source)
    target: str  # "bluesky" | "mastodon": the conversion rules
    image_max_bytes: int
    cache_dir: Path


def media_cache_dir() -> Path:
    """The one media cache of the TUI and the CLI (ARCHITECTURE.md#where-things-live-on-disk, issue 14: photos
    were stored twice)."""
    return (paths.cache_dir() / "media").absolute()  # a plan's paths are absolute, whatever QUITTEX_HOME says


def media_name(media: Media) -> str:
    """The file name a media is known by (its archive member, else its URL's), else its media id."""
    return posixpath.basename(media.member or media.video_url or media.media_url or "") or media.media_id


def media_label(media: Media) -> str:
    """How a media is named in a warning or a failure: kind, file name, media id (a notice.Notice: said in
    the user's language wherever it is a parameter of another notice)."""
    kind = media.kind.value if isinstance(media.kind, MediaKind) else "media"
    return notice(f"media.label.{kind}", name=media_name(media), id=str(media.media_id))
