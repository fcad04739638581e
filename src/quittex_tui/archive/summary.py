"""What `quittex-tui inspect` prints: the fixed JSON object (docs/cli-json.md, `inspect`;
CLI contract) and the human summary.

The summary holds archive text (display name, bio, warnings naming files): it goes through
textsafe.for_display, so an escape sequence in a bio is shown as `\\x1b…`, never acted on by the terminal.
The JSON object keeps the data as it is (JSON escaping makes it inert; see textsafe.json_inert)."""

from __future__ import annotations

from typing import Any

from quittex_tui import i18n
from quittex_tui.archive.reader import Archive
from quittex_tui.textsafe import for_display

MAX_WARNINGS_SHOWN = 15


def summary_json(archive: Archive) -> dict[str, Any]:
    """Exactly the `inspect --json` object of the CLI contract."""
    acc = archive.account
    return {
        "account": {"id": acc.id, "username": acc.username, "display_name": acc.display_name, "bio": acc.bio},
        "counts": archive.counts.as_dict(),
        "threads": [list(ids) for ids in archive.threads],
        "known_handles": dict(archive.known_handles),
        "warnings": list(archive.warnings),
    }


def summary_text(archive: Archive) -> str:
    """A few lines a person reads to check that this is their archive and what is in it — in the user's
    language (the core catalogue's [summary]; numbers and dates the language's way)."""
    acc, c = archive.account, archive.counts

    def t(key: str, **kw: object) -> str:
        return i18n.translate(i18n.front_end(), f"summary.{key}", **i18n.say_params(kw))

    who = f"@{acc.username}" if acc.username else t("unknown_account")
    if acc.display_name:
        who += f" ({acc.display_name})"
    if archive.tweets:
        first, last = archive.tweets[0].created_at, archive.tweets[-1].created_at
        tweets = t("tweets_range", n=c.tweets, first=i18n.date_numeric(first), last=i18n.date_numeric(last))
    else:
        tweets = t("tweets", n=c.tweets)
    lines = [
        t("title", who=who, id=acc.id or "?"),
        t("source", paths=", ".join(str(p) for p in archive.source)),
        tweets,
        t(
            "kinds",
            originals=c.originals,
            thread_posts=c.thread_posts,
            threads=len(archive.threads),
            replies=c.replies,
            retweets=c.retweets,
            quotes=c.quotes,
        ),
        t("more_kinds", notes=c.note_tweets, edited=c.edited, deleted=c.deleted),
        t("media", n=c.media, missing=c.missing_media)
        + (t("media_unpublished", n=c.missing_media_unpublished) if c.missing_media_unpublished else ""),
        t(
            "people",
            following=c.following,
            followers=c.followers,
            blocks=c.blocks,
            mutes=c.mutes,
            likes=c.likes,
        ),
        t("handles", n=len(archive.known_handles)),
    ]
    if acc.bio:
        lines.insert(2, t("bio", bio=acc.bio))
    if archive.warnings:
        lines.append(t("warnings", n=len(archive.warnings)))
        lines += [f"  - {i18n.say(w)}" for w in archive.warnings[:MAX_WARNINGS_SHOWN]]
        if len(archive.warnings) > MAX_WARNINGS_SHOWN:
            lines.append(t("warnings_more", n=len(archive.warnings) - MAX_WARNINGS_SHOWN))
    return for_display("\n".join(lines))
