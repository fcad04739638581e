"""Audience and profile (ARCHITECTURE.md#what-each-package-holds, issue 8): find the people of an X archive on
Bluesky and Mastodon, review the matches, follow them (resumably, paced, never twice), carry the profile and
announce the move.

No Textual here (tests/test_architecture.py). The CLI (cli/audience_cmd.py) and the TUI's Audience view use
the same calls:

    from quittex_tui import audience
    people = audience.load_people(archive, handles=[Path("handles.csv")])       # offline
    found = audience.find_bluesky(people, client, self_did=target.did)         # {x_id: Suggestion}
    audience.set_decision(state, x_id, "bluesky", "accepted", found[x_id].best)  # then save_state
    audience.accept_strong(state, found, "bluesky")
    report = audience.follow_bluesky(target, state_path, state, people, list_name="From X")
    audience.write_follows_csv(path, audience.mastodon_addresses(state))
    texts = audience.announcements("fr", bluesky="me.bsky.social", mastodon="me@piaille.fr")
    sys.stdout.write(audience.osc52(texts["x"]))

Modules: models (Person, Candidate, Suggestion), handles (archive + user files), candidates (search),
scoring (reasons), review (decisions in the state, JSON), follows (writes), export (Mastodon CSV),
profile, announce, net (rate limits and retries).
"""

from quittex_tui.audience.announce import announcements, osc52
from quittex_tui.audience.export import follows_csv, validate_follows_csv, write_follows_csv
from quittex_tui.audience.handles import HandlesFile, load_handles_file, parse_account, people_from_archive
from quittex_tui.audience.models import Candidate, Person, Suggestion
from quittex_tui.audience.review import (
    accept_strong,
    accepted,
    apply_cli_decisions,
    get_decision,
    people_json,
    set_decision,
)
from quittex_tui.audience.run import (
    find_bluesky,
    find_bluesky_appview,
    find_mastodon,
    follow_bluesky,
    follow_mastodon,
    load_people,
    mastodon_addresses,
)
from quittex_tui.audience.scoring import STRONG, OtherAccount, Reason, score, suggest

__all__ = [
    "STRONG",
    "Candidate",
    "HandlesFile",
    "OtherAccount",
    "Person",
    "Reason",
    "Suggestion",
    "accept_strong",
    "accepted",
    "announcements",
    "apply_cli_decisions",
    "find_bluesky",
    "find_bluesky_appview",
    "find_mastodon",
    "follow_bluesky",
    "follow_mastodon",
    "follows_csv",
    "get_decision",
    "load_handles_file",
    "load_people",
    "mastodon_addresses",
    "osc52",
    "parse_account",
    "people_from_archive",
    "people_json",
    "score",
    "set_decision",
    "suggest",
    "validate_follows_csv",
    "write_follows_csv",
]
