"""The people of an X archive and their possible new accounts: plain data shared by the audience modules.

Spec: docs/x-archive-format.md#people. An X archive lists follows,
followers, blocks and mutes by numeric id only; `Person` carries what we could learn about one id (its
screen name, display names seen in mentions, accounts named for it in a user file), `Candidate` one
account on Bluesky or Mastodon that may be that person, with the score and the reasons behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeGuard

from quittex_tui.networks import NETWORKS

Relation = Literal["following", "follower", "block", "mute"]
Network = Literal["bluesky", "mastodon"]
Decision = Literal["accepted", "rejected"]
RELATION_ORDER: tuple[Relation, ...] = ("following", "follower", "block", "mute")


def is_network(name: str) -> TypeGuard[Network]:
    """Whether `name` is a network's machine name (a plain str from the user narrowed to Network)."""
    return name in NETWORKS


@dataclass
class Person:
    """One X account the archive knows by id (and maybe by handle)."""

    x_id: str
    x_handle: str | None = None
    relations: list[Relation] = field(default_factory=list)
    # Where the handle came from: "archive" (mentions/replies) or the user file's name.
    handle_source: str | None = None
    # Display names the archive saw for this id (user_mentions[].name), most frequent first.
    names: list[str] = field(default_factory=list)
    # Accounts a user-supplied file says this person has: ("bluesky", "alice.bsky.social") /
    # ("mastodon", "alice@example.social"). Trusted by the user, still shown for review.
    claimed: list[tuple[Network, str]] = field(default_factory=list)


@dataclass
class Candidate:
    """An account on a new network that may be `Person`; `score` 0–100 with `reasons` in words."""

    network: Network
    handle: str  # Bluesky handle, or Mastodon full address user@domain
    did: str | None = None  # Bluesky
    acct: str | None = None  # Mastodon full address (same as handle) — the JSON contract names it `acct`
    account_id: str | None = None  # Mastodon numeric id on the user's instance (for follow calls)
    display_name: str = ""
    description: str = ""
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    already_following: bool = False

    @property
    def subject(self) -> str:
        """The stable identity to follow: the DID on Bluesky, the full address on Mastodon."""
        return self.did if self.network == "bluesky" and self.did else (self.acct or self.handle)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"network": self.network, "handle": self.handle}
        if self.network == "bluesky":
            out["did"] = self.did
        else:
            out["acct"] = self.acct or self.handle
        out["score"] = self.score
        out["reasons"] = list(self.reasons)
        if self.display_name:
            out["display_name"] = self.display_name
        if self.already_following:
            out["already_following"] = True
        return out


@dataclass
class Suggestion:
    """What the scoring says about one person on one network."""

    best: Candidate | None  # the candidate to accept, only when strong and unambiguous
    ambiguous: bool = False  # two or more strong candidates: the user must choose
    candidates: list[Candidate] = field(default_factory=list)  # all, best first
