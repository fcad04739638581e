"""`quittex-tui profile PATH --to bluesky --handle H | --to mastodon --instance URL`: carry your X display
name, bio, avatar and banner; then the announcement to post on X.

Contract (docs/cli-json.md, fixed): `profile PATH --to … [--yes]`; additions `--json --no-images
--no-resolve-links --lang fr|en` (`--lang`: the language of the announcement, default the interface's).
Shows the name and bio with their lengths as the network counts them before asking. Exit 0 / 2.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

from quittex_tui.cli._common import (
    add_target_arguments,
    archive_source,
    check_target,
    confirm_or_stop,
    connect,
    content_language,
    print_json,
    refuse_without_terminal,
)
from quittex_tui.cli._i18n import t
from quittex_tui.i18n import say
from quittex_tui.networks import display_name
from quittex_tui.textsafe import for_display


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    r = subparsers.add_parser("profile", help=t("profile.help"), description=t("profile.description"))
    add_target_arguments(r, target_required=True)
    r.add_argument("--no-images", action="store_true", help=t("profile.no_images_help"))
    r.add_argument("--no-resolve-links", action="store_true", help=t("profile.no_resolve_links_help"))
    r.add_argument("--lang", choices=["fr", "en"], default=None, help=t("profile.lang_help"))
    r.add_argument("--yes", action="store_true", help=t("common.yes_help"))
    r.add_argument("--json", action="store_true", help=t("profile.json_help"))
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quittex_tui.archive import open_archive
    from quittex_tui.audience import announce, profile
    from quittex_tui.convert.length import graphemes

    check_target(args)
    network = display_name(args.target)
    refuse_without_terminal(args, t("profile.what", network=network))
    # reads only the account, profile and people: an archive without its tweets file will do
    # (docs/x-archive-format.md#quirks-that-broke-other-importers, issue 13)
    with open_archive(archive_source(args), tweets_required=False) as archive:
        draft = profile.draft_from_archive(archive)
        if not args.no_resolve_links:
            draft = profile.resolve_short_links(draft)
        for note in draft.notes:
            print(for_display(t("profile.note", note=say(note))), file=sys.stderr)
        if args.target == "bluesky":
            name, bio = profile.bluesky_fields(draft)
            name_max, bio_max, unit = profile.BSKY_NAME_MAX, profile.BSKY_BIO_MAX, "graphemes"
        else:
            name, bio = profile.mastodon_fields(draft)
            name_max, bio_max, unit = profile.MASTODON_NAME_MAX, profile.MASTODON_NOTE_MAX, "characters"
        if not args.json:
            print(for_display(t(f"profile.name_{unit}", n=graphemes(name), max=name_max, name=name)))
            print(
                for_display(
                    t(f"profile.bio_{unit}", n=graphemes(bio), max=bio_max)
                    + "\n  "
                    + bio.replace("\n", "\n  ")
                )
            )
            if not args.no_images:
                none = t("profile.none")
                print(
                    for_display(
                        t(
                            "profile.pictures",
                            avatar=draft.avatar_member or none,
                            banner=draft.banner_member or none,
                        )
                    )
                )
        target = connect(args)
        confirm_or_stop(t("profile.confirm", network=network), args.yes)
        if args.target == "bluesky":
            written = profile.apply_bluesky(target, draft, archive, images=not args.no_images)
            me_bsky, me_masto = target.handle, None
        else:
            written = profile.apply_mastodon(target.api, draft, archive, images=not args.no_images)
            acct = str((getattr(target, "account", None) or {}).get("acct", ""))
            me_bsky, me_masto = None, acct if "@" in acct else f"{acct}@{_host(args.instance)}"
        username = archive.account.username
    texts = announce.announcements(
        content_language(args.lang), bluesky=me_bsky, mastodon=me_masto, x_handle=username
    )
    if args.json:
        print_json({"target": args.target, "written": written, "announcement": texts}, indent=2)
    else:
        print(t("profile.done", network=network))
        print(for_display(t("profile.announcement") + "\n  " + texts["x"]))
    return 0


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
