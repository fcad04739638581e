"""What `quittex-tui inspect` prints: the fixed JSON object (issue "Foundation and the X archive reader",
CLI contract) and the human summary.

The summary holds archive text (display name, bio, warnings naming files): it goes through
textsafe.for_display, so an escape sequence in a bio is shown as `\\x1b…`, never acted on by the terminal.
The JSON object keeps the data as it is (JSON escaping makes it inert; see textsafe.json_inert)."""

from __future__ import annotations

from typing import Any

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


def _n(value: int) -> str:
    return f"{value:,}"


def summary_text(archive: Archive) -> str:
    """A few lines a person reads to check that this is their archive and what is in it."""
    acc, c = archive.account, archive.counts
    who = f"@{acc.username}" if acc.username else "(unknown account)"
    if acc.display_name:
        who += f" ({acc.display_name})"
    years = ""
    if archive.tweets:
        first, last = archive.tweets[0].created_at, archive.tweets[-1].created_at
        years = f", {first:%Y-%m-%d} → {last:%Y-%m-%d}"
    lines = [
        f"X archive of {who}, account id {acc.id or '?'}",
        f"  from {', '.join(str(p) for p in archive.source)}",
        f"Tweets: {_n(c.tweets)}{years}",
        f"  originals {_n(c.originals)}, thread posts {_n(c.thread_posts)} "
        f"(in {_n(len(archive.threads))} threads), replies {_n(c.replies)}, "
        f"retweets {_n(c.retweets)}, quotes {_n(c.quotes)}",
        f"  long (note) tweets {_n(c.note_tweets)}, edited {_n(c.edited)}, "
        f"deleted (left out) {_n(c.deleted)}",
        f"Media: {_n(c.media)} file(s), {_n(c.missing_media)} missing"
        + (f" ({_n(c.missing_media_unpublished)} of them in retweets and replies, not published)"
           if c.missing_media_unpublished else ""),
        f"People: following {_n(c.following)}, followers {_n(c.followers)}, blocks {_n(c.blocks)}, "
        f"mutes {_n(c.mutes)}; likes {_n(c.likes)}",
        f"Known handles: {_n(len(archive.known_handles))} X accounts named in mentions and replies",
    ]
    if acc.bio:
        lines.insert(2, f"  bio: {acc.bio}")
    if archive.warnings:
        lines.append(f"Warnings ({_n(len(archive.warnings))}):")
        lines += [f"  - {w}" for w in archive.warnings[:MAX_WARNINGS_SHOWN]]
        if len(archive.warnings) > MAX_WARNINGS_SHOWN:
            lines.append(f"  … and {_n(len(archive.warnings) - MAX_WARNINGS_SHOWN)} more (see --json)")
    return for_display("\n".join(lines))
