"""The people the user accepted in the Audience step, by the X handles the archive writes them with: what the
send-time link stage needs to turn an `@x_handle` into a mention on the new network
(docs/bluesky.md#rich-text-facets, issue 13; publish/selflinks.py says how each network writes it).

A person is known by their X id (the state's decisions are keyed on it); a tweet writes a handle. The
archive pairs them: every `user_mentions` entity and every reply's `in_reply_to_screen_name` names the id
with the handle it had at the time, so a person who renamed their account is found under each of their
handles (archive.known_handles keeps only the latest; docs/x-archive-format.md#people).
"""

from __future__ import annotations

from typing import Any

from quittex_tui.audience.review import accepted
from quittex_tui.publish.selflinks import BlueskyPerson, MentionBook
from quittex_tui.state import MigrationState


def handles_by_id(archive: Any) -> dict[str, set[str]]:
    """X id → every handle (lower case) the archive writes that person with."""
    names: dict[str, set[str]] = {}
    for tweet in getattr(archive, "tweets", None) or []:
        for mention in (*tweet.mentions, *tweet.note_mentions):
            uid = mention.user_id
            if uid and uid != "-1" and mention.screen_name:
                names.setdefault(uid, set()).add(mention.screen_name.lower())
        uid = tweet.in_reply_to_user_id
        if uid and uid != "-1" and tweet.in_reply_to_screen_name:
            names.setdefault(uid, set()).add(tweet.in_reply_to_screen_name.lower())
    for uid, name in (getattr(archive, "known_handles", None) or {}).items():
        names.setdefault(uid, set()).add(name.lower())
    return names


def mention_book(state: MigrationState, archive: Any) -> MentionBook:
    """The accepted matches on each network, by X handle. A handle two accepted people were written with
    (an old name taken over by someone else) is left out: no mention is better than the wrong person."""
    names = handles_by_id(archive)
    book = MentionBook()
    owners: dict[tuple[str, str], set[str]] = {}
    for network in ("bluesky", "mastodon"):
        for x_id, decision in accepted(state, network).items():
            for handle in names.get(x_id, ()):
                owners.setdefault((network, handle), set()).add(x_id)
                if network == "bluesky" and decision.handle:
                    book.bluesky[handle] = BlueskyPerson(
                        handle=decision.handle.lstrip("@").lower(), did=decision.did or None
                    )
                elif network == "mastodon":
                    acct = (decision.acct or decision.handle or "").lstrip("@")
                    if "@" in acct:  # a full address: user@instance (audience/candidates.py)
                        book.mastodon[handle] = acct
    for (network, handle), ids in owners.items():
        if len(ids) > 1:
            (book.bluesky if network == "bluesky" else book.mastodon).pop(handle, None)
    return book


def link_options(state: MigrationState, archive: Any, *, cards: bool = True) -> Any:
    """The engine's `links=` for a run of this migration (publish/linkstage.LinkOptions): its accepted
    matches as mentions; `cards=False` fetches no link card in this run."""
    from quittex_tui.publish.linkstage import LinkOptions

    return LinkOptions(mentions=mention_book(state, archive), cards=cards)
