"""An archive whose every text field is hostile: terminal escape sequences (OSC 52 clipboard write, title
change, clear screen, NUL, 8-bit C1 CSI), bidi overrides and isolates, and Textual/Rich markup — in tweets,
a thread, a note, a quote, the display name, the bio, a mention's name, media file names and the zip's own
name (docs/x-archive-format.md#text-is-data-control-and-bidi-characters, issue 11, "Hostile text"). Shared by
the convert, CLI and TUI tests and by scripts that look at it.
"""

from __future__ import annotations

from pathlib import Path

from tests.archive.builder import ArchiveBuilder, At, Link, Photo, Tag, dt

OSC52 = "\x1b]52;c;SGFja2Vk\x07"  # would put "Hacked" on the clipboard
TITLE = "\x1b]0;pwned\x07"  # would retitle the terminal window
CLEAR = "\x1b[2J\x1b[H"  # would clear the screen
C1_CSI = "\x9b31m"  # 8-bit CSI: red text, in one code point
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "moc.live" reads as "evil.com"
MARKUP = "[@click=app.quit]clic[/] [bold]gras[/bold] [link='x]lien"
BAD_MARKUP = "../../[/b]x [/] [link='x]"  # a MarkupError if ever parsed
ZIP_NAME = "archive[link='x].zip"
# What none of the rendered output may hold: the raw control/bidi characters used above.
RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u2067", "\u2069")


def hostile_builder() -> ArchiveBuilder:
    b = ArchiveBuilder(
        generation="2023",
        display_name=f"Jeanne [b]Dupont[/b]{TITLE}",
        bio=f"Bio {OSC52}{MARKUP} {RLO}moc.live //:sptth {BAD_MARKUP}",
    )
    b.tweet(
        f"{MARKUP} {OSC52}avant ",
        Link("https://exemple.fr/a"),
        f" {CLEAR}après ",
        Tag("été"),
        at=dt(2024, 1, 2, 9),
    )
    b.tweet(f"nul\x00 et C1{C1_CSI} rouge {BAD_MARKUP}", at=dt(2024, 1, 3, 9))
    b.thread([f"fil {RLO}ohcé", f"\u2067عربي\u2069 {TITLE}suite", "fin [/]"], at=dt(2024, 1, 4, 9))
    b.tweet("photo ", media=[Photo(base="[b]x[link='y].jpg")], at=dt(2024, 1, 5, 9))
    b.tweet("absente", media=[Photo(base=f"[/b]gone{CLEAR}.jpg", present=False)], at=dt(2024, 1, 6, 9))
    b.note_tweet(f"Une longue note {OSC52}[bold]. " * 30, at=dt(2024, 1, 7, 9))
    b.quote(("444", "carol"), "1600000000000000000", f"Cité {TITLE}[/]", at=dt(2024, 1, 8, 9))
    b.tweet(
        At("bob", "333", name=f"Bob {TITLE}[b]"),
        f" réponse {CLEAR}",
        reply_to="99",
        reply_user=("333", "bob"),
        at=dt(2024, 1, 9, 9),
    )
    b.follow("333", "555")
    b.follower("333")
    return b


def write_hostile_zip(folder: Path) -> Path:
    return hostile_builder().write_zip(folder / ZIP_NAME)
