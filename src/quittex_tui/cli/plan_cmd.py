"""`quittex-tui plan PATH --to bluesky|mastodon [...] [--json]`: the exact posts, before anything is sent.

Contract (issue "Conversion", CLI): with `--json`, exactly one JSON object on stdout (`Plan.to_json_obj`);
without it, a readable preview — one block per item, each post with its length as the network counts it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any, BinaryIO, cast

from quittex_tui.cli._json import versioned
from quittex_tui.errors import InputError
from quittex_tui.textsafe import for_display, json_inert

_MIN_MAX_CHARS = 60  # room for a URL (23), a date footer (~27) and a part number


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="show exactly what will be published on Bluesky or Mastodon (nothing is sent)",
        description="Turn an X archive into the exact posts that would be published on one network.",
    )
    parser.add_argument("path", metavar="PATH", nargs="+",
                        help="the X archive: a .zip, its split .zip parts, or an extracted folder")
    parser.add_argument("--to", dest="target", required=True, choices=["bluesky", "mastodon"])
    parser.add_argument("--max-chars", type=int, default=500,
                        help="Mastodon: the instance's max_characters (default 500)")
    parser.add_argument("--include-replies", action="store_true",
                        help="publish replies to others as standalone posts (skipped by default)")
    parser.add_argument("--date-footer", action="store_true",
                        help='Mastodon: end each item\'s first post with "Posted on X on <date>"')
    parser.add_argument("--number-parts", action="store_true",
                        help='mark the posts of a split text "(1/3)", "(2/3)"…')
    parser.add_argument("--locale", choices=["en", "fr"], default=None,
                        help="language of the date footer (default: from LANG)")
    parser.add_argument("--image-max-bytes", type=int, default=1_000_000,
                        help="largest image file to upload (default 1,000,000: Bluesky's limit)")
    parser.add_argument("--no-link-cards", dest="link_cards", action="store_false",
                        help="Bluesky: no link card for the posts' links (by default a card is fetched when "
                             "the post is sent; `link_card` names the link)")
    parser.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    parser.set_defaults(func=run)


def _default_locale() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def run(args: argparse.Namespace) -> int:
    from quittex_tui.archive import open_archive
    from quittex_tui.convert.models import PlanOptions
    from quittex_tui.convert.plan import build_plan, write_plan_json

    if args.max_chars < _MIN_MAX_CHARS:
        raise InputError(f"--max-chars {args.max_chars} is too small to hold a post.",
                         f"Give the instance's limit (500 on most Mastodon servers; at least "
                         f"{_MIN_MAX_CHARS}).")
    if args.image_max_bytes < 10_000:
        raise InputError(f"--image-max-bytes {args.image_max_bytes} is too small for any photo.",
                         "Use 1000000 for Bluesky, or your Mastodon instance's image limit.")
    options = PlanOptions(
        target=args.target,
        max_chars=args.max_chars,
        include_replies=args.include_replies,
        date_footer=args.date_footer,
        number_parts=args.number_parts,
        locale=args.locale or _default_locale(),
        image_max_bytes=args.image_max_bytes,
        link_cards=args.link_cards,
    )
    paths = args.path if len(args.path) > 1 else args.path[0]
    progress = StderrProgress() if sys.stderr.isatty() and not args.json else None
    if args.json:  # written item by item: the whole plan is never in memory (issue 16)
        with open_archive(paths) as archive:
            # json_inert: the same JSON, with C1 and bidi controls as \uXXXX (orjson writes them raw); each
            # chunk is whole JSON tokens, so escaping chunk by chunk is escaping the whole.
            write_plan_json(archive, options, cast(BinaryIO, _InertWriter(sys.stdout.buffer)),
                            lead=versioned({}))
        sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return 0
    with open_archive(paths, progress=progress) as archive:
        plan = build_plan(archive, options, progress=progress)
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    from quittex_tui.convert.preview import render_preview
    from quittex_tui.publish.engine import estimate_duration

    posts = [p for item in plan.items for p in item.posts]
    duration = estimate_duration(len(posts), plan.target, n_media=sum(len(p.media) for p in posts))
    for line in render_preview(plan, options, duration=duration):
        print(for_display(line))  # post texts are clean already; warnings may name archive files
    return 0


class _InertWriter:
    """A binary stream whose every write goes through `json_inert` first."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        return self.raw.write(json_inert(data))


class StderrProgress:
    """`progress(message, fraction)` → one redrawn stderr line with an ETA for the current phase (reading
    the archive, then planning), e.g. "Planning posts…  42%  about 6 s left"."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._phase = ""
        self._started = 0.0

    def __call__(self, message: str, fraction: float) -> None:
        now = self.clock()
        if message != self._phase:
            self._phase, self._started = message, now
        elapsed = now - self._started
        left = ""
        if 0.05 <= fraction < 1 and elapsed >= 0.5:  # too early, the estimate is noise
            left = f"  about {max(1, round(elapsed * (1 - fraction) / fraction))} s left"
        sys.stderr.write(f"\r\x1b[K{for_display(message, one_line=True)}… {fraction:4.0%}{left}")
        sys.stderr.flush()
