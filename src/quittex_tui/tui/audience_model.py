"""The Audience step's model (ARCHITECTURE.md, "What each package holds": audience/, tui/): the archive's
people, candidates per network, the user's decisions, the follows, the Mastodon CSV, the profile carry-over
and the announcement.

No Textual here, and nothing but `quittex_tui.audience`'s API (and its `profile` module) for the work
itself: this module only keeps what the view shows (the filter, the candidate the user is pointing at,
the progress of a run) and turns the core's answers into display data. Decisions live in the TOML state
(`MigrationState.audience`, keyed "<network>:<x_id>" — always through audience.get_decision /
set_decision / accepted); the caller saves the state at once after each change (Session.mark_changed +
flush, atomic). Search results are not saved: they are cheap to ask again and may change on the network.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quittex_tui import audience
from quittex_tui.audience import Candidate, Person, Suggestion
from quittex_tui.audience.follows import FollowEvent, FollowReport
from quittex_tui.audience.models import Network
from quittex_tui.audience.review import NETWORKS as AUDIENCE_NETWORKS
from quittex_tui.audience.scoring import Reason
from quittex_tui.errors import InputError, QuittexError
from quittex_tui.networks import NETWORKS
from quittex_tui.state import AudienceDecision

if TYPE_CHECKING:
    from quittex_tui.tui.session import Session

FILTERS = ("all", "undecided", "accepted", "rejected", "none")
Progress = Callable[[str, float], None]

# The core's scoring reasons (audience.scoring.Reason) → the TUI's words for them, by member.
REASON_KEYS = {
    Reason.NAMED_IN_FILE: "aud.reason.file",
    Reason.HANDLE_EQUAL: "aud.reason.handle",
    Reason.BIO_NAMES_HANDLE: "aud.reason.bio",
    Reason.BIO_NAMES_OTHER: "aud.reason.other_x",
    Reason.NAME_EQUAL: "aud.reason.name_equal",
    Reason.NAME_SIMILAR: "aud.reason.name_similar",
    Reason.ALREADY_FOLLOWING: "aud.reason.following",
}


def reason_key(reason: str) -> tuple[str, dict[str, str]] | None:
    """The catalogue key (and its arguments) for one of the core's reasons; None: show it as it is."""
    member = getattr(reason, "reason", None)  # a Reason, or an OtherAccount (the reason with its account)
    if not isinstance(member, Reason):
        return None
    handle = getattr(reason, "handle", "")
    return REASON_KEYS[member], ({"handle": f"@{handle}"} if handle else {})


@dataclass(slots=True)
class PersonRow:
    """One line of the people list (ItemList keeps its cursor by `.id`)."""

    id: str  # the X id
    person: Person


@dataclass
class FollowRun:
    """What the Queue pane shows of one network's follow run."""

    total: int = 0
    followed: int = 0
    already: int = 0
    failed: int = 0
    running: bool = False
    waiting_until: datetime | None = None
    last: str = ""
    report: FollowReport | None = None  # of the last run
    error: str = ""
    # This run's own stop: stopping the Bluesky follows leaves a Mastodon run going, and starting one
    # network's run never clears a stop asked of the other (one Event shared by both did both).
    stop: threading.Event = field(default_factory=threading.Event)

    def stop_requested(self) -> bool:
        return self.stop.is_set()


@dataclass
class SearchRun:
    """What the Audience view shows of one network's search for candidates (reads only: nothing to
    stop halfway; a new search waits for the running one)."""

    running: bool = False
    message: str = ""
    fraction: float = 0.0
    error: str = ""
    done: bool = False


@dataclass
class AudienceModel:
    session: Session
    people: list[Person] = field(default_factory=list)
    rows: list[PersonRow] = field(default_factory=list)
    suggestions: dict[str, dict[str, Suggestion]] = field(default_factory=lambda: {n: {} for n in NETWORKS})
    choice: dict[tuple[str, str], int] = field(default_factory=dict)  # (network, x_id) -> candidate index
    loaded: bool = False
    search: dict[str, SearchRun] = field(default_factory=lambda: {n: SearchRun() for n in NETWORKS})
    follows: dict[str, FollowRun] = field(default_factory=lambda: {n: FollowRun() for n in NETWORKS})
    log: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    csv_path: Path | None = None
    csv_count: int = 0
    profile_done: dict[str, str] = field(default_factory=dict)  # network -> "" (ok) or the error
    announce_index: int = 0
    _draft: Any = None

    # --- the view's place, kept in state.cursor (a dict of strings: "UI place to come back to") ------
    @property
    def network(self) -> Network:
        value = self.session.state.cursor.get("audience_network", "")
        for net in AUDIENCE_NETWORKS:  # the saved choice, as a Network
            if value == net:
                return net
        for net in AUDIENCE_NETWORKS:  # first connected real network, else Bluesky
            if self.session.slots[net].connected:
                return net
        return "bluesky"

    @network.setter
    def network(self, value: str) -> None:
        self.session.state.cursor["audience_network"] = value

    @property
    def filter(self) -> str:
        value = self.session.state.cursor.get("audience_filter", "all")
        return value if value in FILTERS else "all"

    @filter.setter
    def filter(self, value: str) -> None:
        self.session.state.cursor["audience_filter"] = value

    @property
    def handles_file(self) -> str:
        return self.session.state.cursor.get("audience_handles", "")

    # --- people (worker) -----------------------------------------------------------------------------
    def load(self, handles_file: str | None = None) -> None:
        """Read the archive's people (offline) and the user's handles file; blocking (a worker)."""
        path = self.handles_file if handles_file is None else handles_file
        files = [Path(path).expanduser()] if path else []
        people = audience.load_people(self.session.archive, files)
        if handles_file is not None:
            self.session.state.cursor["audience_handles"] = handles_file
        self.people = people
        self.rows = [PersonRow(p.x_id, p) for p in people]
        self._claims_as_candidates()
        self.loaded = True

    def _claims_as_candidates(self) -> None:
        """Accounts the user's file names are candidates already offline ("named in your file"), so they
        can be reviewed and exported before any search; a search on that network replaces them."""
        for net in AUDIENCE_NETWORKS:
            if self.search[net].done:
                continue
            found: dict[str, Suggestion] = {}
            for person in self.people:
                claims = [h for n, h in person.claimed if n == net]
                if not claims:
                    continue
                cands = [
                    audience.score(
                        person,
                        Candidate(
                            network=net,
                            handle=h,
                            did=h if h.startswith("did:") else None,
                            acct=h if net == "mastodon" else None,
                        ),
                        file_claims=claims,
                    )
                    for h in claims
                ]
                found[person.x_id] = audience.suggest(person, cands)
            self.suggestions[net] = found

    # --- reading -------------------------------------------------------------------------------------
    def candidates(self, x_id: str, network: str | None = None) -> list[Candidate]:
        suggestion = self.suggestions[network or self.network].get(x_id)
        return suggestion.candidates if suggestion else []

    def suggestion(self, x_id: str, network: str | None = None) -> Suggestion | None:
        return self.suggestions[network or self.network].get(x_id)

    def chosen_index(self, x_id: str, network: str | None = None) -> int:
        return self.choice.get((network or self.network, x_id), 0)

    def chosen(self, x_id: str, network: str | None = None) -> Candidate | None:
        cands = self.candidates(x_id, network)
        if not cands:
            return None
        return cands[min(self.chosen_index(x_id, network), len(cands) - 1)]

    def decision(self, x_id: str, network: str | None = None) -> AudienceDecision | None:
        return audience.get_decision(self.session.state, x_id, network or self.network)

    def status(self, x_id: str, network: str | None = None) -> str:
        """'accepted' | 'rejected' | 'ambiguous' | 'strong' | 'candidates' | 'none' on `network`."""
        net = network or self.network
        found = self.decision(x_id, net)
        if found is not None and found.decision:
            return found.decision
        suggestion = self.suggestion(x_id, net)
        if suggestion is None or not suggestion.candidates:
            return "none"
        if suggestion.ambiguous:
            return "ambiguous"
        return "strong" if suggestion.best is not None else "candidates"

    def visible(self) -> list[int]:
        """Indices into `rows` that pass the filter (on the current network)."""
        f = self.filter
        out = []
        for i, row in enumerate(self.rows):
            st = self.status(row.id)
            if (
                f == "all"
                or (f == "undecided" and st not in ("accepted", "rejected"))
                or (f == st)
                or (f == "none" and not self.candidates(row.id))
            ):
                out.append(i)
        return out

    def counts(self) -> dict[str, int]:
        net = self.network
        out = {"people": len(self.rows), "handles": sum(1 for r in self.rows if r.person.x_handle)}
        out["accepted"] = len(audience.accepted(self.session.state, net))
        out["rejected"] = sum(1 for r in self.rows if self.status(r.id) == "rejected")
        out["with_candidates"] = sum(1 for r in self.rows if self.candidates(r.id))
        out["strong"] = sum(
            1
            for x_id, s in self.suggestions[net].items()
            if s.best is not None and self.decision(x_id) is None
        )
        return out

    # --- deciding (UI thread; the caller saves the state at once) ------------------------------------
    def cycle_choice(self, x_id: str) -> Candidate | None:
        cands = self.candidates(x_id)
        if len(cands) < 2:
            return self.chosen(x_id)
        key = (self.network, x_id)
        self.choice[key] = (self.chosen_index(x_id) + 1) % len(cands)
        return self.chosen(x_id)

    def accept(self, x_id: str) -> Candidate | None:
        """Accept the candidate the user points at (None when there is none: ask for an account)."""
        cand = self.chosen(x_id)
        if cand is None:
            return None
        audience.set_decision(self.session.state, x_id, cand.network, "accepted", cand)
        return cand

    def accept_typed(self, x_id: str, text: str) -> tuple[str, str]:
        """Accept an account the user typed (Bluesky handle/DID, Mastodon address or profile URL)."""
        parsed = audience.parse_account(text)
        if parsed is None:
            raise InputError(text, "")
        net, canonical = parsed
        match = next(
            (
                c
                for c in self.candidates(x_id, net)
                if canonical.lower() in {c.handle.lower(), (c.did or "").lower(), (c.acct or "").lower()}
            ),
            None,
        )
        audience.set_decision(self.session.state, x_id, net, "accepted", match, handle=canonical)
        return net, canonical

    def reject(self, x_id: str) -> None:
        audience.set_decision(self.session.state, x_id, self.network, "rejected")

    def clear(self, x_id: str) -> None:
        audience.set_decision(self.session.state, x_id, self.network, None)

    def accept_strong(self) -> int:
        return audience.accept_strong(self.session.state, self.suggestions[self.network], self.network)

    # --- searching (worker) --------------------------------------------------------------------------
    def can_search(self, network: str) -> bool:
        return self.session.slots[network].connected

    def find(self, network: str, progress: Progress | None = None) -> dict[str, Suggestion]:
        """Ask the network for candidates (blocking: a thread worker). Reads only."""
        target = self.session.slots[network].target
        if target is None:
            raise QuittexError(network)
        from quittex_tui.publish.bluesky import BlueskyTarget  # (the SDKs load only when going online)

        if isinstance(target, BlueskyTarget):
            return audience.find_bluesky(self.people, target.client, self_did=target.did, progress=progress)
        return audience.find_mastodon(self.people, target, progress=progress)

    def set_found(self, network: str, found: dict[str, Suggestion]) -> None:
        self.suggestions[network] = found
        self.choice = {k: v for k, v in self.choice.items() if k[0] != network}
        self.search[network].done = True

    # --- following (worker) --------------------------------------------------------------------------
    def follow_count(self, network: str) -> int:
        """How many follows a run would write: accepted people, minus those blocked or muted on X."""
        decided = audience.accepted(self.session.state, network)
        return sum(
            1
            for p in self.people
            if p.x_id in decided and "block" not in p.relations and "mute" not in p.relations
        )

    def run_follows(self, network: str, on_event: Callable[[FollowEvent], None]) -> FollowReport:
        """follow_bluesky / follow_mastodon on a snapshot of the state (the UI thread keeps deciding)."""
        target = self.session.slots[network].target
        if target is None:
            raise QuittexError(network)
        snapshot = self.session.state.model_copy(deep=True)
        run = audience.follow_bluesky if network == "bluesky" else audience.follow_mastodon
        stop = self.follows[network].stop  # this network's run only (FollowRun.stop)
        return run(target, self.session.state_path, snapshot, self.people, on_event=on_event, stop=stop)

    def stop_follows(self) -> None:
        """Quitting: every follow run stops between two writes (journalled: nothing lost)."""
        for run in self.follows.values():
            run.stop.set()

    # --- the Mastodon follows CSV --------------------------------------------------------------------
    def default_csv_path(self) -> Path:
        path = self.session.state_path
        return path.with_name(f"{path.stem}.mastodon-follows.csv")

    def mastodon_addresses(self) -> list[str]:
        return audience.mastodon_addresses(self.session.state)

    def export_csv(self, path: Path | None = None) -> tuple[Path, int]:
        path = path or self.default_csv_path()
        n = audience.write_follows_csv(path, self.mastodon_addresses())
        self.csv_path, self.csv_count = path, n
        return path, n

    # --- profile --------------------------------------------------------------------------------------
    def draft(self) -> Any:
        if self._draft is None:
            from quittex_tui.audience import profile

            self._draft = profile.draft_from_archive(self.session.archive)
        return self._draft

    def profile_fields(self) -> dict[str, dict[str, Any]]:
        """Per network: the name and bio that will be set, their sizes and limits (in the unit each
        network counts: graphemes on Bluesky, characters on Mastodon)."""
        import grapheme

        from quittex_tui.audience import profile

        draft = self.draft()
        b_name, b_bio = profile.bluesky_fields(draft)
        m_name, m_bio = profile.mastodon_fields(draft)
        return {
            "bluesky": {
                "name": b_name,
                "bio": b_bio,
                "unit": "graphemes",
                "name_n": grapheme.length(b_name),
                "name_max": profile.BSKY_NAME_MAX,
                "bio_n": grapheme.length(b_bio),
                "bio_max": profile.BSKY_BIO_MAX,
            },
            "mastodon": {
                "name": m_name,
                "bio": m_bio,
                "unit": "chars",
                "name_n": len(m_name),
                "name_max": profile.MASTODON_NAME_MAX,
                "bio_n": len(m_bio),
                "bio_max": profile.MASTODON_NOTE_MAX,
            },
        }

    def pictures(self) -> list[str]:
        draft = self.draft()
        return [k for k, m in (("avatar", draft.avatar_member), ("banner", draft.banner_member)) if m]

    def apply_profile(self, network: str) -> dict[str, Any]:
        """Write the profile on `network` (blocking: a worker)."""
        from quittex_tui.audience import profile
        from quittex_tui.publish.bluesky import BlueskyTarget
        from quittex_tui.publish.mastodon import MastodonTarget

        target = self.session.slots[network].target
        if target is None:
            raise QuittexError(network)
        # Going online anyway: ask t.co where the links the archive could not expand point (worker thread).
        self._draft = profile.resolve_short_links(self.draft())
        if isinstance(target, BlueskyTarget):
            return profile.apply_bluesky(target, self.draft(), self.session.archive)
        if isinstance(target, MastodonTarget):
            return profile.apply_mastodon(target.api, self.draft(), self.session.archive)
        raise QuittexError(key="session.not_connected", params={"network": network})

    # --- announcement ---------------------------------------------------------------------------------
    def my_accounts(self) -> tuple[str | None, str | None, bool]:
        """(Bluesky handle, Mastodon address, is_example). Without any account, examples built from the
        X username so the demo still shows (and copies) a real-looking text."""
        st = self.session.state
        bsky = st.bluesky.handle if st.bluesky else None
        masto = None
        if st.mastodon:
            masto = st.mastodon.acct
            if masto and "@" not in masto:
                from urllib.parse import urlsplit

                host = urlsplit(st.mastodon.instance).netloc or st.mastodon.instance
                masto = f"{masto}@{host}"
        if bsky or masto:
            return bsky, masto, False
        user = (self.session.archive.account.username or "me").lower()
        return f"{user.replace('_', '-')}.bsky.social", f"{user}@mastodon.social", True

    def announcements(self, lang: str) -> tuple[list[tuple[str, str]], bool]:
        """[(where, text)] for X then the new networks, in the UI language; and whether it is an example."""
        bsky, masto, example = self.my_accounts()
        texts = audience.announcements(
            lang, bluesky=bsky, mastodon=masto, x_handle=self.session.archive.account.username
        )
        return [(k, texts[k]) for k in ("x", "bluesky", "mastodon") if k in texts], example

    def current_announcement(self, lang: str) -> tuple[str, str]:
        texts, _ = self.announcements(lang)
        return texts[self.announce_index % len(texts)]
