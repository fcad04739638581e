"""The networks' vocabulary: their names in journals, state and JSON, and their names for people.

The machine names ("bluesky", "mastodon", "dry-run") are contracts (`--to`, state keys, journal file names,
`target` in every JSON report) and never change. The display names of the two networks are brand names,
the same in every language; the simulated target has a name in the user's language (core catalogue).
"""

from __future__ import annotations

from enum import StrEnum


class Network(StrEnum):
    BLUESKY = "bluesky"
    MASTODON = "mastodon"


NETWORKS: tuple[str, ...] = tuple(n.value for n in Network)  # ("bluesky", "mastodon"), in this order
DRY_RUN = "dry-run"  # the simulated target (publish/dryrun.py): a target name, not a network
DISPLAY_NAMES = {Network.BLUESKY.value: "Bluesky", Network.MASTODON.value: "Mastodon"}


def display_name(network: str, lang: str | None = None) -> str:
    """ "Bluesky", "Mastodon"; the dry run's target in the user's language; anything else as given."""
    if network in DISPLAY_NAMES:
        return DISPLAY_NAMES[network]
    if network == DRY_RUN:
        from quittex_tui import i18n

        return i18n.translate("core", "network.dry_run", lang=lang)
    return network
