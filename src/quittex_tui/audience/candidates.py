"""Find candidate accounts for X people on Bluesky and Mastodon, then score them (scoring.py).

Bluesky (docs/bluesky.md#reading-what-other-people-see-the-appview): `app.bsky.actor.searchActors` finds
accounts by the X handle, `app.bsky.actor.getProfiles` (25 actors per call) reads their display names, bios
and `viewer.following`. Both are AppView reads: through the user's PDS (which proxies `app.bsky.*` to its
AppView, with viewer state) or anonymously straight at an AppView (`Client(base_url=APPVIEW)`).
Search engines differ — bsky.app's also matches names and bios, the reference AppView only handle
fragments (docs/test-servers.md#the-local-bluesky-network-compared-with-bskysocial) — so names and bios are
always matched here, in code, from getProfiles. Handles with `_` are also searched without it and with `-`
(Bluesky handles have no `_`).

Mastodon: `GET /api/v1/accounts/lookup?acct=` (exact, for the X handle as a local username and for
addresses the user's file names) and `GET /api/v1/accounts/search` on the user's instance; the note is HTML
and is turned into text before matching; `GET /api/v1/accounts/relationships` says who is followed already.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from quittex_tui.audience.models import Candidate, Person, Suggestion
from quittex_tui.audience.net import atproto_call, mastodon_call
from quittex_tui.audience.scoring import score, suggest
from quittex_tui.notice import notice

Progress = Callable[[str, float], None]
PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles: max 25 actors


def _queries(x_handle: str) -> list[str]:
    base = x_handle.lower()
    out = [base]
    if "_" in base:
        out += [base.replace("_", "-"), base.replace("_", "")]
    return [q for i, q in enumerate(out) if q and q not in out[:i]]


class BlueskyFinder:
    """Candidates on Bluesky for each person. `client` is an atproto `Client` (logged in, or anonymous
    with `base_url` an AppView); `self_did` (the user) is never proposed."""

    def __init__(
        self,
        client: Any,
        *,
        self_did: str | None = None,
        search_limit: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.self_did = self_did
        self.search_limit = search_limit
        self.sleep = sleep

    def _search(self, q: str) -> list[str]:
        from atproto import models

        params = models.AppBskyActorSearchActors.Params(q=q, limit=self.search_limit)
        result = atproto_call(
            lambda: self.client.app.bsky.actor.search_actors(params),
            what=notice("doing.search_bluesky", query=q),
            sleep=self.sleep,
        )
        return [a.did for a in result.actors]

    def profiles(self, actors: Sequence[str]) -> dict[str, Any]:
        """getProfiles in batches of 25; keys are DIDs and (lowercased) handles. Unknown actors are absent."""
        from atproto import models

        from quittex_tui.publish.target import PermanentError

        out: dict[str, Any] = {}
        unique = list(dict.fromkeys(actors))
        for start in range(0, len(unique), PROFILES_PER_CALL):
            batch = unique[start : start + PROFILES_PER_CALL]
            params = models.AppBskyActorGetProfiles.Params(actors=batch)
            try:
                found = atproto_call(
                    partial(self.client.app.bsky.actor.get_profiles, params),
                    what=notice("doing.read_bluesky_profiles"),
                    sleep=self.sleep,
                ).profiles
            except PermanentError:
                # A handle that does not resolve fails the whole batch: retry one by one, dropping it.
                found = []
                for actor in batch:
                    one = models.AppBskyActorGetProfiles.Params(actors=[actor])
                    try:
                        found += atproto_call(
                            partial(self.client.app.bsky.actor.get_profiles, one),
                            what=notice("doing.read_bluesky_profile"),
                            sleep=self.sleep,
                        ).profiles
                    except PermanentError:
                        continue
            for profile in found:
                out[profile.did] = profile
                out[profile.handle.lower()] = profile
        return out

    def find(self, people: Iterable[Person], progress: Progress | None = None) -> dict[str, Suggestion]:
        people = [p for p in people if p.x_handle or p.claimed]
        hits: dict[str, list[str]] = {}
        for n, person in enumerate(people):
            actors: list[str] = [h for net, h in person.claimed if net == "bluesky"]
            if person.x_handle:
                for q in _queries(person.x_handle):
                    actors += self._search(q)
            hits[person.x_id] = list(dict.fromkeys(actors))
            if progress:
                progress(
                    notice("progress.search_bluesky", who=person.x_handle or person.x_id),
                    (n + 1) / (2 * len(people)),
                )
        profiles = self.profiles([a for acts in hits.values() for a in acts])
        out: dict[str, Suggestion] = {}
        for person in people:
            claims = [h for net, h in person.claimed if net == "bluesky"]
            seen: set[str] = set()
            candidates: list[Candidate] = []
            for actor in hits[person.x_id]:
                profile = profiles.get(actor) or profiles.get(actor.lower())
                if profile is None or profile.did in seen or profile.did == self.self_did:
                    continue
                seen.add(profile.did)
                viewer = getattr(profile, "viewer", None)
                cand = Candidate(
                    network="bluesky",
                    handle=profile.handle,
                    did=profile.did,
                    display_name=profile.display_name or "",
                    description=profile.description or "",
                    already_following=bool(viewer and getattr(viewer, "following", None)),
                )
                candidates.append(score(person, cand, file_claims=claims))
            out[person.x_id] = suggest(person, candidates)
        if progress:
            progress(notice("progress.scored", network="Bluesky"), 1.0)
        return out


_TAG_RE = re.compile(r"<[^>]+>")


def note_text(note: str) -> str:
    """Mastodon's account `note` is HTML: paragraphs and links → plain text."""
    text = re.sub(r"<br\s*/?>|</p>\s*<p>", "\n", note or "", flags=re.I)
    return html.unescape(_TAG_RE.sub("", text)).strip()


def _lookup_or_none(api: Any, acct: str) -> Any | None:
    from mastodon import MastodonNotFoundError

    try:
        return api.account_lookup(acct)
    except MastodonNotFoundError:
        return None


class MastodonFinder:
    """Candidates on the user's Mastodon instance. `api` is a logged-in `mastodon.Mastodon`."""

    def __init__(
        self,
        api: Any,
        *,
        instance_domain: str | None = None,
        self_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api = api
        self.sleep = sleep
        self.self_id = self_id
        self.domain = (instance_domain or urlsplit(str(getattr(api, "api_base_url", ""))).netloc).lower()

    def full_address(self, account: Any) -> str:
        """`acct` is `user` for local accounts and `user@domain` for remote ones: always give user@domain."""
        acct = str(account["acct"])
        if "@" in acct:
            return acct
        host = urlsplit(str(account.get("url") or "")).netloc.lower() or self.domain
        return f"{acct}@{host}"

    def lookup(self, acct: str) -> Any | None:
        found = mastodon_call(
            lambda: _lookup_or_none(self.api, acct),
            what=notice("doing.lookup_mastodon", account=acct),
            sleep=self.sleep,
            api=self.api,
        )
        if found is None and "@" in acct:
            # One of this instance's own accounts written as a full address: look the username up locally
            # and keep it only if its full address is the one asked for.
            local = mastodon_call(
                lambda: _lookup_or_none(self.api, acct.split("@", 1)[0]),
                what=notice("doing.lookup_mastodon", account=acct),
                sleep=self.sleep,
                api=self.api,
            )
            if local is not None and self.full_address(local).lower() == acct.lower():
                found = local
        if found is None and "@" in acct:
            # A remote account the instance has not seen yet: a resolving search fetches it (WebFinger).
            results = mastodon_call(
                lambda: self.api.account_search(acct, limit=1, resolve=True),
                what=notice("doing.resolve_mastodon", account=acct),
                sleep=self.sleep,
                api=self.api,
            )
            found = results[0] if results else None
        return found

    def find(self, people: Iterable[Person], progress: Progress | None = None) -> dict[str, Suggestion]:
        people = [p for p in people if p.x_handle or p.claimed]
        found: dict[str, dict[str, Any]] = {}
        for n, person in enumerate(people):
            accounts: dict[str, Any] = {}
            for net, address in person.claimed:
                if net == "mastodon" and (acc := self.lookup(address)) is not None:
                    accounts[str(acc["id"])] = acc
            if person.x_handle:
                if (acc := self.lookup(person.x_handle)) is not None:
                    accounts[str(acc["id"])] = acc
                results = mastodon_call(
                    partial(self.api.account_search, person.x_handle, limit=5),
                    what=notice("doing.search_mastodon", query=person.x_handle),
                    sleep=self.sleep,
                    api=self.api,
                )
                for acc in results:
                    accounts.setdefault(str(acc["id"]), acc)
            accounts.pop(str(self.self_id), None)
            found[person.x_id] = accounts
            if progress:
                progress(
                    notice("progress.search_mastodon", who=person.x_handle or person.x_id),
                    (n + 1) / (len(people) + 1),
                )
        following = self._following({i for accs in found.values() for i in accs})
        out: dict[str, Suggestion] = {}
        for person in people:
            claims = [h for net, h in person.claimed if net == "mastodon"]
            candidates = []
            for acc_id, acc in found[person.x_id].items():
                address = self.full_address(acc)
                cand = Candidate(
                    network="mastodon",
                    handle=address,
                    acct=address,
                    account_id=acc_id,
                    display_name=str(acc.get("display_name") or ""),
                    description=note_text(str(acc.get("note") or "")),
                    already_following=acc_id in following,
                )
                candidates.append(score(person, cand, file_claims=claims))
            out[person.x_id] = suggest(person, candidates)
        if progress:
            progress(notice("progress.scored", network="Mastodon"), 1.0)
        return out

    def _following(self, ids: set[str]) -> set[str]:
        out: set[str] = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), 40):
            batch = ordered[start : start + 40]
            rels = mastodon_call(
                partial(self.api.account_relationships, batch),
                what=notice("doing.read_relationships"),
                sleep=self.sleep,
                api=self.api,
            )
            out |= {str(r["id"]) for r in rels if r.get("following") or r.get("requested")}
        return out
