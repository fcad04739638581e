"""Links that live on the new network: own quotes, links to one's own tweets, mentions of matched people.

Spec: docs/bluesky.md#own-quotes-and-links-to-ones-own-tweets (issue 13). Applied to a post right before it is
sent (publish/linkstage.py), from what is known THEN:
- **own tweets, by the journal** — a link to one of the user's own tweets (convert/xlinks.py; the plan
  lists them in `PlannedPost.self_links`) points at the migrated post when that tweet is already published
  on this network: the journal (publish/journal.py) holds its reference under (item id, post index). The
  post a link points at is the FIRST post made from the linked tweet: a thread part is its own post (a
  link named that tweet, not its thread; readers see the thread from there), and a long note split over
  several posts starts where its text starts. Not published (excluded, failed, not sent yet, later in
  the plan) → the X URL stays. Resume-safe: the journal is on disk, never a memory of this run.
  * Bluesky: the link facet gets the post's web URL (`https://bsky.app/profile/HANDLE/post/RKEY`), shown
    shortened like every long link (convert/bluesky.py `short_link_text`, at most 40 characters) and cut
    shorter still if the post would go over 300 graphemes; the tweet's OWN quote becomes a quote post:
    `app.bsky.embed.record` with the quoted post's uri + cid (`recordWithMedia` beside images or a
    video: publish/bluesky.py), and the quoted URL at the end of the text goes — the embed shows it.
  * Mastodon: the URL in the text becomes the status's `url`. Mastodon counts every URL as 23 characters
    (docs/mastodon.md "Status length"), so the status still fits. (Mastodon 4.5's `quoted_status_id` is
    not used: quote posts need the quoted author's consent policy, and most servers are older.)
- **people matched in the Audience step** — an `@x_handle` whose person the user ACCEPTED on this network:
  * Bluesky: the text says `@their.bsky.handle` (what a Bluesky reader can find and what Bluesky's own
    composer writes for a mention) with a mention facet carrying their DID, so they are notified. If the
    longer handle would push the post over 300 graphemes, the written `@x_handle` stays and carries the
    facet: still a mention, still a notification.
  * Mastodon: `@x_handle@x.com` (how the plan neutralises X handles, convert/mastodon.py) becomes their
    address `@user@instance`; Mastodon counts it as `@user`, and if it would not fit the X form stays.
  Unmatched X handles stay as the plan wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grapheme

from quittex_tui.convert.bluesky import LINK_TYPE, short_link_text
from quittex_tui.convert.length import BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, graphemes, mastodon_count
from quittex_tui.convert.mastodon import X_DOMAIN
from quittex_tui.convert.models import MentionCandidate, PlanItem, PlannedPost, StrongRef
from quittex_tui.convert.text import is_domain_handle
from quittex_tui.publish.target import PostRef

MENTION_TYPE = "app.bsky.richtext.facet#mention"
FACET_TYPE = "app.bsky.richtext.facet"


@dataclass(frozen=True)
class BlueskyPerson:
    handle: str  # their Bluesky handle (no '@')
    did: str | None = None  # None: resolved at send time from the handle


@dataclass
class MentionBook:
    """The accepted Audience matches, by X handle (lower case, no '@'): audience/mentions.py makes it."""

    bluesky: dict[str, BlueskyPerson] = field(default_factory=dict)
    mastodon: dict[str, str] = field(default_factory=dict)  # x handle -> "user@instance"


# --- where a tweet was published ------------------------------------------------------------------------
def first_posts(items: list[PlanItem]) -> dict[str, tuple[str, int]]:
    """Tweet id → (item id, index of the first post made from it), for every tweet of the plan."""
    where: dict[str, tuple[str, int]] = {}
    for item in items:
        for index, post in enumerate(item.posts):
            where.setdefault(post.source_id, (item.id, index))
    return where


Lookup = Callable[[str], PostRef | None]  # tweet id -> its published post on this network, or None


# --- Bluesky --------------------------------------------------------------------------------------------
def _fits(text: str) -> bool:
    return graphemes(text) <= BLUESKY_MAX_GRAPHEMES and len(text.encode("utf-8")) <= BLUESKY_MAX_BYTES


def _splice(post: PlannedPost, start: int, end: int, new: str) -> PlannedPost:
    """`post` with bytes [start, end) of its text replaced by `new`: every facet and mention candidate
    after the range moved, those inside it dropped (the caller adds what the new text means)."""
    data = post.text.encode("utf-8")
    added = new.encode("utf-8")
    delta = len(added) - (end - start)
    text = (data[:start] + added + data[end:]).decode("utf-8")
    facets = []
    for facet in post.facets:
        s, e = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if e <= start:
            facets.append(facet)
        elif s >= end:
            facets.append({**facet, "index": {"byteStart": s + delta, "byteEnd": e + delta}})
    candidates = []
    for cand in post.mention_candidates:
        if cand.byte_end <= start:
            candidates.append(cand)
        elif cand.byte_start >= end:
            candidates.append(
                MentionCandidate(
                    handle=cand.handle, byte_start=cand.byte_start + delta, byte_end=cand.byte_end + delta
                )
            )
    return post.model_copy(update={"text": text, "facets": facets, "mention_candidates": candidates})


def _link_facets(post: PlannedPost, uri: str) -> list[dict[str, Any]]:
    return [
        f
        for f in post.facets
        if any(ft.get("$type") == LINK_TYPE and ft.get("uri") == uri for ft in f.get("features", []))
    ]


def _shown_that_fits(post: PlannedPost, start: int, end: int, url: str) -> str:
    """How the new link is shown: its short form, cut further (with "…") if the post would not fit."""
    shown = short_link_text(url)
    old = post.text.encode("utf-8")[start:end].decode("utf-8")
    room = BLUESKY_MAX_GRAPHEMES - (graphemes(post.text) - graphemes(old))
    if graphemes(shown) > room and room >= 2:
        shown = shown[: grapheme.safe_split_index(shown, room - 1)] + "…"
    return shown


def bluesky_self_links(post: PlannedPost, lookup: Lookup) -> PlannedPost:
    """Links to the user's published tweets → their Bluesky posts; the own quote → a record embed."""
    for link in post.self_links:
        ref = lookup(link.tweet_id)
        if ref is None or not ref.uri.startswith("at://") or not ref.cid:
            continue  # not published on Bluesky (yet): the X URL stays
        # one occurrence at a time: each rewrite moves the offsets of the ones after it
        while found := _link_facets(post, link.url):
            start, end = found[0]["index"]["byteStart"], found[0]["index"]["byteEnd"]
            if link.quote and _at_end(post.text, start, end):
                # the quote embed shows the quoted post: the link to it goes, with the blank before it
                head = post.text.encode("utf-8")[:start].decode("utf-8")
                cut = len(head.rstrip().encode("utf-8"))
                post = _splice(post, cut, end, "")
                continue
            url = ref.url or link.url
            shown = _shown_that_fits(post, start, end, url)
            post = _splice(post, start, end, shown)
            new_end = start + len(shown.encode("utf-8"))
            post = post.model_copy(
                update={
                    "facets": sorted(
                        [
                            *post.facets,
                            {
                                "index": {"byteStart": start, "byteEnd": new_end},
                                "features": [{"$type": LINK_TYPE, "uri": url}],
                            },
                        ],
                        key=lambda f: f["index"]["byteStart"],
                    )
                }
            )
        if link.quote and post.quote is None:
            post = post.model_copy(update={"quote": StrongRef(uri=ref.uri, cid=ref.cid)})
    return post


def _at_end(text: str, start: int, end: int) -> bool:
    return not text.encode("utf-8")[end:].decode("utf-8").strip()


def bluesky_mentions(
    post: PlannedPost, people: Mapping[str, BlueskyPerson], resolve: Callable[[str], str | None]
) -> PlannedPost:
    """Each `@x_handle` of a matched person → `@their.handle` + a mention facet with their DID."""
    if not people:
        return post
    # right to left: earlier offsets stay valid while later text changes
    for cand in sorted(post.mention_candidates, key=lambda c: c.byte_start, reverse=True):
        if is_domain_handle(cand.handle):
            continue  # a Bluesky handle as written: the target resolves it (publish/bluesky.py)
        person = people.get(cand.handle.lower())
        if person is None:
            continue
        data = post.text.encode("utf-8")
        shown = data[cand.byte_start : cand.byte_end].decode("utf-8", "replace")
        if shown.lstrip("@＠").lower() != cand.handle.lower():
            continue  # the text was edited since the plan
        did = person.did or resolve(person.handle)
        if not did:
            continue
        start, end = cand.byte_start, cand.byte_end
        written = "@" + person.handle
        rest = [c for c in post.mention_candidates if c is not cand]
        trial = _splice(post, start, end, written)
        if _fits(trial.text):
            post, end = trial, start + len(written.encode("utf-8"))
        else:  # the X handle stays written; the facet still makes it a mention
            post = post.model_copy(update={"mention_candidates": rest})
        post = post.model_copy(
            update={
                "facets": sorted(
                    [
                        *post.facets,
                        {
                            "$type": FACET_TYPE,
                            "index": {"byteStart": start, "byteEnd": end},
                            "features": [{"$type": MENTION_TYPE, "did": did}],
                        },
                    ],
                    key=lambda f: f["index"]["byteStart"],
                )
            }
        )
    return post


# --- Mastodon -------------------------------------------------------------------------------------------
def mastodon_self_links(post: PlannedPost, lookup: Lookup) -> PlannedPost:
    """Links to the user's published tweets → their statuses' URLs (each URL counts 23 either way)."""
    text = post.text
    for link in post.self_links:
        ref = lookup(link.tweet_id)
        if ref is None or not ref.url.startswith(("https://", "http://")) or ref.uri.startswith("at://"):
            continue
        text = _replace_url(text, link.url, ref.url)
    return post if text == post.text else post.model_copy(update={"text": text})


def _replace_url(text: str, old: str, new: str) -> str:
    """Every occurrence of the URL `old` that is a whole URL (not the start of a longer one)."""
    return re.sub(re.escape(old) + r"(?![^\s<>\"])", lambda _m: new, text)


def mastodon_mentions(post: PlannedPost, people: Mapping[str, str], max_chars: int) -> PlannedPost:
    """`@x_handle@x.com` of a matched person → `@user@instance`, when the status still fits."""
    if not people or "@" not in post.text:
        return post
    text = post.text
    pattern = re.compile(
        r"(?<![\w@/.])@([A-Za-z0-9_]{1,20})@" + re.escape(X_DOMAIN) + r"(?![\w.@-])", re.IGNORECASE
    )
    for m in reversed(list(pattern.finditer(text))):
        acct = people.get(m.group(1).lower())
        if not acct:
            continue
        trial = text[: m.start()] + "@" + acct.lstrip("@") + text[m.end() :]
        if mastodon_count(trial) <= max_chars:
            text = trial
    return post if text == post.text else post.model_copy(update={"text": text})
