"""Posts per year as horizontal bars of full blocks (U+2588) over light shade (U+2591): both exist in
the Linux console fonts (CP437 heritage), unlike the eighth-block characters."""

from __future__ import annotations

from rich.text import Text

from quittex_tui.tui.i18n import number

FULL = "\u2588"
SHADE = "\u2591"


def year_chart(counts: dict[int, int], width: int = 24) -> Text:
    text = Text()
    if not counts:
        return text
    top = max(counts.values()) or 1
    for year, n in counts.items():
        filled = max(1 if n else 0, round(width * n / top))
        text.append(f"{year} ")
        text.append(FULL * filled, style="bold")
        text.append(SHADE * (width - filled), style="dim")
        text.append(f" {number(n)}\n")
    text.rstrip()
    return text


def progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else width
    return FULL * filled + SHADE * (width - filled)
