"""The moving announcement (FR/EN) for X and the new networks, and copying it over SSH (OSC 52).

The announcement: "I'm moving: @me.bsky.social, @me@instance". Mastodon cannot "move"
from X (docs/mastodon.md#moving-from-x): an announcement post plus a profile link is the way. Texts stay
within each network's limit: X 280 characters (URLs count 23), Bluesky 300 graphemes, Mastodon 500.

OSC 52 (xterm "Manipulate Selection Data"): `ESC ] 52 ; c ; <base64> BEL` asks the terminal to put the
text on the clipboard — it travels over SSH since it is just output. Inside tmux it must be wrapped in a
DCS passthrough (`ESC P tmux; …ESC\\`, inner ESCs doubled) and tmux needs `set -g allow-passthrough on`
(or `set-clipboard on`, which makes tmux forward plain OSC 52 itself). The TUI writes the sequence; this
module only builds it.
"""

from __future__ import annotations

import base64
from typing import Literal

from quittex_tui.convert.length import graphemes, mastodon_count
from quittex_tui.textsafe import for_posting

Lang = Literal["fr", "en"]
LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500}
OSC52_MAX_BYTES = 100_000  # many terminals drop longer payloads (xterm's default is about this size)

_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "x": "Je déménage : {where}. Retrouvez-moi là-bas !",
        "new": "Me voici ! Je quitte X{x_part}. Aussi sur {where}.",
        "new_alone": "Me voici ! Je quitte X{x_part}.",
        "x_part": " (j'y étais @{x})",
        "and": " et ",
        "bluesky": "Bluesky {handle}",
        "mastodon": "Mastodon {handle}",
    },
    "en": {
        "x": "I'm moving: {where}. Find me there!",
        "new": "Hello! I'm leaving X{x_part}. Also on {where}.",
        "new_alone": "Hello! I'm leaving X{x_part}.",
        "x_part": " (I was @{x} there)",
        "and": " and ",
        "bluesky": "Bluesky {handle}",
        "mastodon": "Mastodon {handle}",
    },
}


def _at(handle: str) -> str:
    # Handles come from servers and the archive: posted text, so no controls (textsafe.for_posting).
    handle = for_posting(handle).strip()
    return handle if handle.startswith("@") else f"@{handle}"


def announcements(
    lang: str, *, bluesky: str | None = None, mastodon: str | None = None, x_handle: str | None = None
) -> dict[str, str]:
    """Texts keyed "x", "bluesky", "mastodon" (the latter two only for the networks given).

    `bluesky` is a handle (me.bsky.social), `mastodon` a full address (me@instance.social)."""
    t = _TEXTS["fr" if lang.lower().startswith("fr") else "en"]
    places = {}
    if bluesky:
        places["bluesky"] = t["bluesky"].format(handle=_at(bluesky))
    if mastodon:
        places["mastodon"] = t["mastodon"].format(handle=_at(mastodon))
    if not places:
        raise ValueError("an announcement needs at least one new account")
    out = {"x": t["x"].format(where=t["and"].join(places.values()))}
    x_part = t["x_part"].format(x=for_posting(x_handle).lstrip("@")) if x_handle else ""
    for network in places:
        others = [v for k, v in places.items() if k != network]
        text = (
            t["new"].format(x_part=x_part, where=t["and"].join(others))
            if others
            else t["new_alone"].format(x_part=x_part)
        )
        out[network] = text
    return out


def fits(network: str, text: str) -> bool:
    if network == "bluesky":
        return graphemes(text) <= LIMITS["bluesky"]
    if network == "mastodon":
        return mastodon_count(text) <= LIMITS["mastodon"]
    return len(text) <= LIMITS["x"]


def osc52(text: str, *, tmux: bool = False, screen: bool = False) -> str:
    """The escape sequence that copies `text` to the terminal's clipboard (ValueError if too long)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if len(payload) > OSC52_MAX_BYTES:
        raise ValueError("text too long for the terminal clipboard")
    seq = f"\x1b]52;c;{payload}\x07"
    if tmux:
        return "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    if screen:
        return "\x1bP" + seq + "\x1b\\"
    return seq
