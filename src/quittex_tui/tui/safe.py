"""What the TUI shows is data: never parsed as markup, never a terminal control (the controls are removed
or made visible by quittex_tui.textsafe).

Textual parses a `str` given to `Static`, `notify`, an `Option` or a `Tree` label as content markup: a
tweet, a file name or a display name holding `[/b]` then crashes the app (MarkupError), and one holding
`[@click=app.quit]` becomes a live action. Rich/Textual also pass ESC, C1 and bidi controls straight to the
terminal (they strip only BEL, BS, VT, FF and CR). So, at the boundary where text reaches the screen:

- `SafeStatic` (every Static of the app; tests/tui/test_safe_text.py forbids Textual's own) never parses
  markup, and shows controls as `\\x1b`-style escapes (textsafe.for_display) in strings and Rich `Text` alike,
  keeping the Text's styles;
- `safe_text(Text)` / `data_text(str)` do the same for the few other places that take a renderable
  (option lists); the virtualised lists write their strips through `for_display(..., one_line=True)`;
- `QuittexApp.notify` sends every notification through `safe_text` with markup off.

The catalogue's own strings (locales/*.toml) hold no markup, so nothing is lost by never parsing it.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from rich.text import Span, Text
from textual.widgets import Static

from quittex_tui.textsafe import for_display


def data_text(text: str, style: str = "") -> Text:
    """A Rich Text of data: shown as is (no markup), controls made visible."""
    return Text(for_display(text), style=style)


def safe_text(text: Text) -> Text:
    """`text` with its controls made visible; its styles kept on the same characters."""
    plain = text.plain
    if for_display(plain) is plain:  # the common case: nothing to do, no copy
        return text
    bounds = sorted({0, len(plain), *(s.start for s in text.spans), *(s.end for s in text.spans)})
    moved: dict[int, int] = {}
    parts: list[str] = []
    position = 0
    for start, end in pairwise(bounds):
        moved[start] = position
        piece = for_display(plain[start:end])
        parts.append(piece)
        position += len(piece)
    moved[bounds[-1]] = position
    out = Text(
        "".join(parts),
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        tab_size=text.tab_size,
    )
    out.spans = [Span(moved.get(s.start, 0), moved.get(s.end, position), s.style) for s in text.spans]
    return out


def safe_content(content: Any) -> Any:
    """What a Static may receive, made safe: str → Text (no markup), Text → controls visible, else as is
    (our own renderables: charts, bars)."""
    if isinstance(content, str):
        return data_text(content)
    if isinstance(content, Text):
        return safe_text(content)
    return content


class SafeStatic(Static):
    """A Static that shows data: markup never parsed, controls shown (`\\x1b`), styles of a Text kept."""

    def __init__(
        self,
        content: Any = "",
        *,
        expand: bool = False,
        shrink: bool = False,
        markup: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        # `markup` is accepted for the signature's sake and ignored: data is never markup.
        super().__init__(
            safe_content(content),
            expand=expand,
            shrink=shrink,
            markup=False,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(safe_content(content), layout=layout)
