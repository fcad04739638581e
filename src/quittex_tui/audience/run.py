"""The audience steps as single calls, shared by the CLI (cli/audience_cmd.py, follow_cmd.py,
export_follows_cmd.py, profile_cmd.py) and the TUI's Audience view."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from quittex_tui.audience.candidates import BlueskyFinder, MastodonFinder, Progress
from quittex_tui.audience.follows import (
    BlueskyAudience,
    FollowEvent,
    FollowReport,
    MastodonAudience,
    plan_tasks,
)
from quittex_tui.audience.handles import load_handles_file, people_from_archive
from quittex_tui.audience.models import Person, Suggestion
from quittex_tui.audience.review import accepted
from quittex_tui.publish.journal import Journal, journal_path
from quittex_tui.publish.lock import account_lock_for
from quittex_tui.state import AudienceDecision, MigrationState


def load_people(archive: Any, handles: Iterable[Path | str] = ()) -> list[Person]:
    """The archive's people with X handles paired (archive + the user's files). Offline."""
    return people_from_archive(archive, [load_handles_file(p) for p in handles])


def find_bluesky(
    people: Iterable[Person], client: Any, *, self_did: str | None = None, progress: Progress | None = None
) -> dict[str, Suggestion]:
    """Scored Bluesky candidates per x_id. `client`: a logged-in target's `.client` or an anonymous
    `atproto.Client(base_url=APPVIEW)`."""
    return BlueskyFinder(client, self_did=self_did).find(people, progress)


def find_bluesky_appview(
    people: Iterable[Person], appview: str, *, progress: Progress | None = None
) -> dict[str, Suggestion]:
    """Scored Bluesky candidates read anonymously from the AppView at `appview` (`audience --appview URL`):
    no account, reads only. The address is checked like every server address (https, a usable URL)."""
    return find_bluesky(people, appview_client(appview), progress=progress)


def appview_client(appview: str) -> Any:
    """An anonymous atproto `Client` reading from the AppView at `appview` (checked like every server
    address). Its requests go through the engine's deadline transport (publish/deadline.py): each must be
    complete within its total deadline, so an AppView that accepts and then stalls cannot hang `audience`."""
    from atproto import Client

    from quittex_tui.publish.addresses import check_url
    from quittex_tui.publish.bluesky import HeaderCapturingRequest
    from quittex_tui.publish.identity import HTTP_TIMEOUT

    request = HeaderCapturingRequest(timeout=HTTP_TIMEOUT)
    return Client(base_url=check_url(appview, "AppView"), request=request)


def find_mastodon(
    people: Iterable[Person], target: Any, *, progress: Progress | None = None
) -> dict[str, Suggestion]:
    """Scored Mastodon candidates per x_id, on the user's instance (`target`: a MastodonTarget)."""
    return _mastodon_finder(target).find(people, progress)


def _mastodon_finder(target: Any) -> MastodonFinder:
    account = getattr(target, "account", None) or {}
    domain = None
    acct = str(account.get("acct", "")) if hasattr(account, "get") else ""
    if "@" in acct:
        domain = acct.split("@", 1)[1]
    return MastodonFinder(target.api, instance_domain=domain, self_id=account.get("id") if account else None)


def mastodon_addresses(state: MigrationState) -> list[str]:
    """Full addresses of the accepted Mastodon matches (for the follows CSV), in decision order."""
    return [d.acct or d.handle or "" for d in accepted(state, "mastodon").values() if (d.acct or d.handle)]


def follow_bluesky(
    target: Any,
    state_path: Path,
    state: MigrationState,
    people: Iterable[Person],
    *,
    blocks: bool = False,
    mutes: bool = False,
    list_name: str | None = None,
    on_event: Callable[[FollowEvent], None] | None = None,
    stop: threading.Event | None = None,
    sleep: Callable[[float], None] | None = None,
    limit: int | None = None,
) -> FollowReport:
    """Follow (block/mute/list) the accepted Bluesky matches, journalled beside the state (kind="follow")."""
    people = list(people)
    # The migration's journal (its writer lock: never beside a running `migrate` of the same state) and
    # the account's lock: the same write path as posts.
    with (
        account_lock_for(target, command="follow"),
        Journal(journal_path(state_path, "bluesky"), command="follow") as journal,
    ):
        kwargs = _runner_options(on_event, stop, sleep)
        runner = BlueskyAudience(target, journal, **kwargs)
        cache: dict[str, str | None] = {}

        def subject(decision: AudienceDecision) -> str | None:
            if decision.did:
                return decision.did
            if not decision.handle:
                return None
            if decision.handle not in cache:
                cache[decision.handle] = runner.resolve(decision.handle)
            return cache[decision.handle]

        tasks = plan_tasks(
            people,
            accepted(state, "bluesky"),
            network="bluesky",
            blocks=blocks,
            mutes=mutes,
            subject_of=subject,
        )
        return runner.run(tasks, list_name=list_name, limit=limit)


def follow_mastodon(
    target: Any,
    state_path: Path,
    state: MigrationState,
    people: Iterable[Person],
    *,
    blocks: bool = False,
    mutes: bool = False,
    on_event: Callable[[FollowEvent], None] | None = None,
    stop: threading.Event | None = None,
    sleep: Callable[[float], None] | None = None,
    limit: int | None = None,
) -> FollowReport:
    """Follow (block/mute) the accepted Mastodon matches through the API, journalled beside the state."""
    finder = _mastodon_finder(target)
    with (
        account_lock_for(target, command="follow"),
        Journal(journal_path(state_path, "mastodon"), command="follow") as journal,
    ):
        kwargs = _runner_options(on_event, stop, sleep)
        runner = MastodonAudience(target.api, journal, lookup=finder.lookup, **kwargs)
        tasks = plan_tasks(
            list(people),
            accepted(state, "mastodon"),
            network="mastodon",
            blocks=blocks,
            mutes=mutes,
            subject_of=lambda d: d.acct or d.handle,
        )
        return runner.run(tasks, limit=limit)


def _runner_options(
    on_event: Callable[[FollowEvent], None] | None,
    stop: threading.Event | None,
    sleep: Callable[[float], None] | None,
) -> dict[str, Any]:
    """What both follow runners take; `sleep` only when given, so each keeps its own default."""
    options: dict[str, Any] = {"on_event": on_event, "stop": stop}
    if sleep is not None:
        options["sleep"] = sleep
    return options
