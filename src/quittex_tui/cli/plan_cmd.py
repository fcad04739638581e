"""`quittex-tui plan PATH --to bluesky|mastodon [...] [--json]`: the exact posts, before anything is sent.

Contract (docs/cli-json.md, `plan`): with `--json`, exactly one JSON object on stdout (`Plan.to_json_obj`);
without it, a readable preview — one block per item, each post with its length as the network counts it.
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO, cast

from quittex_tui.cli._common import (
    add_path_argument,
    archive_source,
    content_language,
    terminal_progress,
)
from quittex_tui.cli._i18n import t
from quittex_tui.cli._json import versioned
from quittex_tui.errors import InputError
from quittex_tui.networks import NETWORKS
from quittex_tui.textsafe import for_display, json_inert

_MIN_MAX_CHARS = 60  # room for a URL (23), a date footer (~27) and a part number


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("plan", help=t("plan.help"), description=t("plan.description"))
    add_path_argument(parser)
    parser.add_argument("--to", dest="target", required=True, choices=NETWORKS, help=t("plan.to_help"))
    parser.add_argument("--max-chars", type=int, default=500, metavar="N", help=t("plan.max_chars_help"))
    parser.add_argument("--include-replies", action="store_true", help=t("plan.include_replies_help"))
    parser.add_argument("--date-footer", action="store_true", help=t("plan.date_footer_help"))
    parser.add_argument("--number-parts", action="store_true", help=t("plan.number_parts_help"))
    parser.add_argument("--locale", choices=["en", "fr"], default=None, help=t("plan.locale_help"))
    parser.add_argument(
        "--image-max-bytes", type=int, default=1_000_000, metavar="N", help=t("plan.image_max_bytes_help")
    )
    parser.add_argument(
        "--no-link-cards", dest="link_cards", action="store_false", help=t("plan.no_link_cards_help")
    )
    parser.add_argument("--json", action="store_true", help=t("plan.json_help"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quittex_tui.archive import open_archive
    from quittex_tui.convert.models import PlanOptions
    from quittex_tui.convert.plan import build_plan, write_plan_json

    if args.max_chars < _MIN_MAX_CHARS:
        raise InputError(
            t("plan.max_chars_small", n=args.max_chars), t("plan.max_chars_small_hint", min=_MIN_MAX_CHARS)
        )
    if args.image_max_bytes < 10_000:
        raise InputError(t("plan.image_small", n=args.image_max_bytes), t("plan.image_small_hint"))
    options = PlanOptions(
        target=args.target,
        max_chars=args.max_chars,
        include_replies=args.include_replies,
        date_footer=args.date_footer,
        number_parts=args.number_parts,
        locale=content_language(args.locale),
        image_max_bytes=args.image_max_bytes,
        link_cards=args.link_cards,
    )
    paths = archive_source(args)
    # written item by item: the whole plan is never in memory
    # (ARCHITECTURE.md#the-data-models-and-who-builds-them, issue 16)
    if args.json:
        with open_archive(paths) as archive:
            # json_inert: the same JSON, with C1 and bidi controls as \uXXXX (orjson writes them raw); each
            # chunk is whole JSON tokens, so escaping chunk by chunk is escaping the whole.
            write_plan_json(
                archive, options, cast(BinaryIO, _InertWriter(sys.stdout.buffer)), lead=versioned({})
            )
        sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return 0
    progress = terminal_progress()
    with open_archive(paths, progress=progress) as archive:
        plan = build_plan(archive, options, progress=progress)
    if progress is not None:
        progress.clear()
    from quittex_tui.convert.preview import render_preview
    from quittex_tui.publish.engine import estimate_duration

    posts = [p for item in plan.items for p in item.posts]
    duration = estimate_duration(len(posts), plan.target, n_media=sum(len(p.media) for p in posts))
    for line in render_preview(plan, options, duration=duration, replies_hint=t("plan.include_replies_hint")):
        print(for_display(line))  # post texts are clean already; warnings may name archive files
    return 0


class _InertWriter:
    """A binary stream whose every write goes through `json_inert` first."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        return self.raw.write(json_inert(data))
