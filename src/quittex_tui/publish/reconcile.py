"""Which server post is which pending post: the matching behind Mastodon's reconciliation (no network here).

Spec: docs/mastodon.md#idempotency-key, ARCHITECTURE.md#the-journal-how-never-twice-holds (issue 11). A
server that forgets idempotency keys (Mastodon keeps them 1 h) leaves only the account's own posts to tell
whether a write landed. Texts alone are not enough: two photo-only tweets, two "Bonjour !", two parts of a
split note with the same text all look alike. So a server post is taken for a pending post only when

- no other journal entry already stands for it (`claimed`), nor another pending post of this batch;
- it answers the same post: the thread parent the journal recorded (or the one found for the previous post
  of the same item), or none for a thread's first post;
- its content matches: text (as Mastodon renders it back, compared loosely: Unicode form, whitespace,
  `@user@domain` shown as `@user`), the number, kind and descriptions (alt texts) of its media, their
  aspect ratios when the server tells them, and the language when both sides have one;
- it is not older than the pending post's first intent (on the server's clock, minus its margin).

Look-alikes (the same parent and content) are settled together, in time order: the oldest candidate goes
to the pending post whose intent is oldest — since each ends up with exactly one server post, the reader
sees each of them once. Where a look-alike sent moments ago (its key still remembered by the server, so it
will be re-sent rather than matched) could own a candidate, the older one waits (LATER) until it is
settled. When the journal was lost (no intent times), the candidates of a thread's first post are tried
in the order that also explains the most of the thread's next posts, then by time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from quittex_tui.convert.models import PlannedMedia, PlannedPost
from quittex_tui.notice import notice
from quittex_tui.publish.target import Pending, PostRef, Resolution, Verdict

Verify = Callable[["Seen", Pending], "bool | None"]
ASPECT_TOLERANCE = 0.03  # servers round dimensions (and may downscale): 3 % is still "the same picture"
_MENTION_DOMAIN = re.compile(r"(?<![\w@])(@[\w.+-]+)@[\w-]+(?:\.[\w-]+)+")


def loose_text(text: str) -> str:
    """A text as comparable across the server's rendering: NFC, whitespace runs → one space, mentions of
    remote accounts without their domain (Mastodon shows `@user@domain` as `@user`)."""
    text = unicodedata.normalize("NFC", text or "")
    text = _MENTION_DOMAIN.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def media_kind(kind: str) -> str:
    """PlannedMedia kinds / Mastodon attachment types → "image" or "video" (a GIF becomes a video)."""
    return "image" if kind == "image" else "video"


@dataclass(frozen=True)
class Seen:
    """One post of the account, as matching compares it."""

    id: str
    created_at: datetime  # server clock
    parent_id: str | None
    text: str  # loose_text of what the server shows
    media: tuple[tuple[str, str], ...]  # (media_kind, loose alt text) per attachment, in order
    aspects: tuple[float | None, ...]  # width / height per attachment, when the server says
    lang: str | None
    ref: PostRef
    order: int = 0  # position in the server's own order (higher = newer), for ties of created_at


def _planned_media(media: Sequence[PlannedMedia]) -> tuple[tuple[str, str], ...]:
    return tuple((media_kind(m.kind), loose_text(m.alt or "")) for m in media)


def _lang(value: str | None) -> str | None:
    return value.lower().split("-")[0] if value else None


def same_content(post: PlannedPost, seen: Seen) -> bool:
    if seen.text != loose_text(post.text) or seen.media != _planned_media(post.media):
        return False
    mine, theirs = _lang(post.lang), _lang(seen.lang)
    if mine and theirs and mine != theirs:
        return False
    for planned, aspect in zip(post.media, seen.aspects, strict=False):
        if aspect and planned.width > 0 and planned.height > 0:
            wanted = planned.width / planned.height
            if abs(aspect - wanted) > ASPECT_TOLERANCE * wanted:
                return False
    return True


def _fingerprint(post: PlannedPost) -> tuple[str, tuple[tuple[str, str], ...], str | None]:
    return loose_text(post.text), _planned_media(post.media), _lang(post.lang)


def _bound(p: Pending) -> datetime | None:
    return p.intent_at - p.margin if p.intent_at is not None else None


def _time_key(s: Seen) -> tuple[datetime, int]:
    return s.created_at, s.order


def match(
    old: Sequence[Pending],
    seen: Sequence[Seen],
    *,
    claimed: Collection[str],
    recent: Sequence[Pending] = (),
    verify: Verify | None = None,
) -> dict[str, Resolution]:
    """Settle `old` pending posts (in plan order) against the account's posts `seen`.

    `recent`: pending look-alikes the server still knows by key (they are re-sent, not matched here).
    `verify(seen, pending)`: an optional second opinion for a near miss (same parent, media and time but
    a different rendered text): e.g. the post's raw source. True/False, or None when it could not check
    (the caller bounds how often it reads): a post with an unchecked near miss is UNSURE, not ABSENT."""
    taken: set[str] = set(claimed)
    by_parent: dict[str | None, list[Seen]] = defaultdict(list)
    for s in seen:
        if s.id not in taken:
            by_parent[s.parent_id].append(s)
    for bucket in by_parent.values():
        bucket.sort(key=_time_key)
    slots = {(p.item_id, p.index): p for p in old}
    recent_slots = {(p.item_id, p.index) for p in recent}
    out: dict[str, Resolution] = {}

    def parent_of(p: Pending) -> tuple[str, str | Resolution | None]:
        """("ready", parent id) / ("wait", None) / ("done", a resolution the post inherits)."""
        if p.parent is not None:
            return "ready", p.parent.uri
        if p.index == 0:
            return "ready", None
        prev = (p.item_id, p.index - 1)
        if prev in slots:
            settled = out.get(slots[prev].key)
            if settled is None:
                return "wait", None
            if settled.verdict == Verdict.FOUND and settled.ref is not None:
                return "ready", settled.ref.uri
            if settled.verdict in (Verdict.UNSURE, Verdict.LATER):
                return "done", Resolution(
                    settled.verdict,
                    reason=notice("fail.depends_on", n=p.index, reason=settled.reason),
                )
            return "done", Resolution(Verdict.ABSENT)  # a reply is only sent once its parent is there
        if prev in recent_slots:
            return "done", Resolution(Verdict.ABSENT)
        return "done", Resolution(Verdict.UNSURE, reason=notice("fail.previous_unknown"))

    def chain_score(p: Pending, root: Seen) -> int:
        """How many of the item's next pending posts the replies under `root` explain (journal lost)."""
        score, parent = 0, root.id
        index = p.index + 1
        while (p.item_id, index) in slots:
            nxt = slots[(p.item_id, index)]
            hit = next((s for s in by_parent.get(parent, []) if same_content(nxt.post, s)), None)
            if hit is None:
                break
            score, parent, index = score + 1, hit.id, index + 1
        return score

    remaining = list(old)
    while remaining:
        ready: dict[tuple[str | None, object], list[Pending]] = defaultdict(list)
        waiting: list[Pending] = []
        for p in remaining:
            state, value = parent_of(p)
            if state == "wait":
                waiting.append(p)
            elif state == "done":
                assert isinstance(value, Resolution)
                out[p.key] = value
            else:
                ready[(value, _fingerprint(p.post))].append(p)  # type: ignore[index]
        if not ready and waiting:  # cannot happen with a well-formed batch; never loop forever
            for p in waiting:
                out[p.key] = Resolution(Verdict.UNSURE, reason=notice("fail.not_followed"))
            break
        for (parent_id, _), group in ready.items():
            _settle_group(group, parent_id, by_parent, taken, recent, out, chain_score, verify)
        remaining = waiting
    return out


def _settle_group(
    group: list[Pending],
    parent_id: str | None,
    by_parent: Mapping[str | None, list[Seen]],
    taken: set[str],
    recent: Sequence[Pending],
    out: dict[str, Resolution],
    chain_score: Callable[[Pending, Seen], int],
    verify: Verify | None,
) -> None:
    first = group[0]
    bounds = [_bound(p) for p in group]
    low = None if any(b is None for b in bounds) else min(b for b in bounds if b is not None)
    pool = [
        s for s in by_parent.get(parent_id, []) if s.id not in taken and (low is None or s.created_at >= low)
    ]
    candidates = [s for s in pool if same_content(first.post, s)]
    unchecked = 0
    if not candidates and verify is not None and low is not None:
        # A near miss (same parent, media and time, the text rendered differently): ask for a second opinion.
        media = _planned_media(first.post.media)
        for s in pool:
            if s.media != media:
                continue
            verdict = verify(s, first)
            if verdict:
                candidates.append(s)
            elif verdict is None:
                unchecked += 1
    # Look-alikes sent moments ago: the server answers for their keys, so a candidate as recent as they are
    # may be theirs — the older pending posts must not take it before they are settled.
    fingerprint = _fingerprint(first.post)
    recent_bounds = [
        b
        for r in recent
        if _fingerprint(r.post) == fingerprint
        and (r.parent.uri if r.parent else None) == parent_id
        and (b := _bound(r)) is not None
    ]
    maybe_recent: list[Seen] = []
    if recent_bounds:
        cut = min(recent_bounds)
        maybe_recent = [s for s in candidates if s.created_at >= cut]
        candidates = [s for s in candidates if s.created_at < cut]
    order = sorted(group, key=lambda p: (_bound(p) is not None, _bound(p) or datetime.min))
    free = sorted(candidates, key=_time_key)
    for p in order:
        bound = _bound(p)
        eligible = [s for s in free if bound is None or s.created_at >= bound]
        if not eligible:
            if maybe_recent:
                out[p.key] = Resolution(Verdict.LATER, reason=notice("fail.recent_look_alike"))
            elif unchecked:
                out[p.key] = Resolution(
                    Verdict.UNSURE,
                    reason=notice("fail.unchecked", n=unchecked),
                )
            else:
                out[p.key] = Resolution(Verdict.ABSENT)
            continue
        if bound is None and len(eligible) > 1 and p.index == 0:
            best = max(eligible, key=lambda s: (chain_score(p, s), -s.created_at.timestamp(), -s.order))
        else:
            best = eligible[0]
        free.remove(best)
        taken.add(best.id)
        out[p.key] = Resolution(Verdict.FOUND, best.ref)
