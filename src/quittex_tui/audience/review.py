"""Review: the user's accept/reject decisions per person and network, kept in the TOML state.

Decisions live in `MigrationState.audience` (state.py, `AudienceDecision`). A person can be matched on
both networks, so the key is `"<network>:<x_id>"` (e.g. `"bluesky:12345"`); always go through
`get_decision` / `set_decision` rather than reading the dict. The state is saved by the caller
(`state.save_state`, atomic).

This module also builds the `audience --json` document (docs/cli-json.md, issue 8, CLI contract):
`{"people": [{"x_id", "x_handle", "relations", "candidates": [{"network", "handle", "did"|"acct",
"score", "reasons"}], "decision"}]}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from quittex_tui.audience.handles import X_ID_RE, parse_account
from quittex_tui.audience.models import Candidate, Decision, Network, Person, Suggestion, is_network
from quittex_tui.errors import InputError, todo
from quittex_tui.networks import display_name
from quittex_tui.state import AudienceDecision, MigrationState

NETWORKS: tuple[Network, ...] = ("bluesky", "mastodon")  # networks.NETWORKS, typed for this module


def decision_key(x_id: str, network: str) -> str:
    return f"{network}:{x_id}"


def get_decision(state: MigrationState, x_id: str, network: str) -> AudienceDecision | None:
    return state.audience.get(decision_key(x_id, network))


def set_decision(
    state: MigrationState,
    x_id: str,
    network: Network,
    decision: Decision | None,
    candidate: Candidate | None = None,
    *,
    handle: str | None = None,
) -> AudienceDecision | None:
    """Record accepted/rejected (None clears). `candidate` (or a bare `handle`) names who was accepted."""
    key = decision_key(x_id, network)
    if decision is None:
        state.audience.pop(key, None)
        return None
    if decision not in ("accepted", "rejected"):
        raise ValueError(decision)
    entry = AudienceDecision(decision=decision, network=network)
    if candidate is not None:
        entry.handle = candidate.handle
        entry.did = candidate.did
        entry.acct = candidate.acct if network == "mastodon" else None
    elif handle is not None:
        entry.handle = handle
        if network == "mastodon":
            entry.acct = handle
        elif handle.startswith("did:"):
            entry.did = handle
    state.audience[key] = entry
    return entry


def accepted(state: MigrationState, network: str) -> dict[str, AudienceDecision]:
    """x_id → accepted decision on `network`."""
    prefix = f"{network}:"
    return {
        k[len(prefix) :]: v
        for k, v in state.audience.items()
        if k.startswith(prefix) and v.decision == "accepted"
    }


def accept_strong(state: MigrationState, suggestions: Mapping[str, Suggestion], network: Network) -> int:
    """Accept every strong, unambiguous match not decided yet. Returns how many were accepted."""
    count = 0
    for x_id, suggestion in suggestions.items():
        if suggestion.best is None or get_decision(state, x_id, network) is not None:
            continue
        set_decision(state, x_id, network, "accepted", suggestion.best)
        count += 1
    return count


def apply_cli_decisions(
    state: MigrationState,
    people: Iterable[Person],
    *,
    accept: Iterable[str] = (),
    reject: Iterable[str] = (),
    suggestions: Mapping[str, Suggestion] | None = None,
    network: Network | None = None,
) -> int:
    """`--accept X_ID[=HANDLE]` / `--reject X_ID[=NETWORK]`. Returns how many decisions were recorded."""
    known = {p.x_id: p for p in people}
    suggestions = suggestions or {}
    count = 0
    for spec in accept:
        x_id, _, handle = spec.partition("=")
        x_id, handle = x_id.strip(), handle.strip()
        _check_id(x_id, known, "--accept")
        if handle:
            parsed = parse_account(handle)
            if parsed is None:
                raise InputError(
                    key="error.review.not_an_account",
                    params={"spec": spec, "handle": handle},
                    todo=[todo("accept_syntax")],
                )
            net, canonical = parsed
            if network is not None and net != network:
                raise InputError(
                    key="error.review.other_network",
                    params={
                        "spec": spec,
                        "handle": handle,
                        "net": display_name(net),
                        "network": display_name(network),
                    },
                    todo=[todo("accept_syntax")],
                )
            found = next(
                (
                    c
                    for c in _candidates(suggestions, x_id)
                    if canonical in {c.handle.lower(), (c.did or "").lower(), (c.acct or "").lower()}
                ),
                None,
            )
            set_decision(state, x_id, net, "accepted", found, handle=canonical)
        else:
            if network is None:
                raise InputError(
                    key="error.review.no_target", params={"spec": spec}, todo=[todo("accept_syntax")]
                )
            suggestion = suggestions.get(x_id)
            cands = suggestion.candidates if suggestion else []
            pick = (
                suggestion.best if suggestion and suggestion.best else (cands[0] if len(cands) == 1 else None)
            )
            if pick is None:
                raise InputError(
                    key="error.review.several" if cands else "error.review.none",
                    params={"x_id": x_id, "network": display_name(network)},
                    todo=[todo("accept_syntax")],
                )
            set_decision(state, x_id, network, "accepted", pick)
        count += 1
    for spec in reject:
        x_id, _, named = spec.partition("=")
        x_id, named = x_id.strip(), (named.strip() or network or "")
        _check_id(x_id, known, "--reject")
        nets = [named] if named else list(NETWORKS)
        for one in nets:
            if not is_network(one):
                raise InputError(
                    key="error.review.unknown_network",
                    params={"spec": spec, "network": one},
                    todo=[todo("reject_syntax")],
                )
            set_decision(state, x_id, one, "rejected")
        count += 1
    return count


def _check_id(x_id: str, known: Mapping[str, Person], flag: str) -> None:
    if not X_ID_RE.match(x_id):
        raise InputError(
            key="error.review.not_an_id", params={"flag": flag, "x_id": x_id}, todo=[todo("see_ids")]
        )
    if x_id not in known:
        raise InputError(
            key="error.review.unknown_id", params={"flag": flag, "x_id": x_id}, todo=[todo("see_ids")]
        )


def _candidates(suggestions: Mapping[str, Suggestion], x_id: str) -> list[Candidate]:
    suggestion = suggestions.get(x_id)
    return suggestion.candidates if suggestion else []


def people_json(
    people: Iterable[Person],
    state: MigrationState | None,
    suggestions: Mapping[str, Suggestion] | None = None,
    network: Network | None = None,
    *,
    undecided_strong: bool = True,
) -> dict[str, Any]:
    """The `audience --json` document. `decision` is the one for `network` (or the first network that has
    one when no target is given). Extra keys: `suggested` (the strong unambiguous match's handle) and
    `ambiguous`."""
    suggestions = suggestions or {}
    rows: list[dict[str, Any]] = []
    for person in people:
        suggestion = suggestions.get(person.x_id)
        decision = None
        if state is not None:
            for net in [network] if network else list(NETWORKS):
                found = get_decision(state, person.x_id, net)
                if found is not None:
                    decision = found.decision
                    break
        row: dict[str, Any] = {
            "x_id": person.x_id,
            "x_handle": person.x_handle,
            "relations": list(person.relations),
            "candidates": [c.to_json() for c in suggestion.candidates] if suggestion else [],
            "decision": decision,
        }
        if suggestion is not None:
            row["suggested"] = suggestion.best.handle if suggestion.best else None
            row["ambiguous"] = suggestion.ambiguous
        if person.handle_source and person.handle_source != "archive":
            row["x_handle_source"] = person.handle_source
        rows.append(row)
    return {"people": rows}
