"""A virtualised, keyboard-driven list: one line per row, only the visible lines are ever rendered.

Textual's Line API (ScrollView + render_line) keeps 100k rows cheap: no widget per tweet, the list
holds a sequence of indices into the session's rows and a formatter turns a row into one line on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.cells import set_cell_size
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import t, translate_bindings


class ListRow(Protocol):
    """What a list needs of a row: an id to keep the cursor on (tweets, plan items, people)."""

    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=ListRow)


class ItemList(ScrollView, Generic[R], can_focus=True):
    """Rows are `rows[indices[i]]`; the cursor is a position in `indices`. Generic in its row type:
    the Review's plan items (rows.Row), the Archive's tweets (rows.TweetRow), the Audience's people."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"item-list--cursor", "item-list--dim", "item-list--empty"}
    DEFAULT_CSS = """
    ItemList { height: 1fr; }
    ItemList > .item-list--cursor { background: $accent 40%; text-style: bold; }
    ItemList:focus > .item-list--cursor { background: $accent; color: $text; }
    ItemList > .item-list--dim { color: $text-muted; }
    ItemList > .item-list--empty { color: $text-muted; text-style: italic; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "key.up", show=False),
        Binding("down,j", "cursor(1)", "key.down", show=False),
        Binding("pageup,ctrl+b", "page(-1)", "key.page_up", show=False),
        Binding("pagedown,ctrl+f", "page(1)", "key.page_down", show=False),
        Binding("home,g", "edge(0)", "key.first", show=False),
        Binding("end,G", "edge(1)", "key.last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, item_list: ItemList[Any], row: ListRow | None) -> None:
            super().__init__()
            self.item_list = item_list
            self.row = row

        @property
        def control(self) -> ItemList[Any]:
            return self.item_list

    def __init__(
        self,
        formatter: Callable[[R, int], str],
        *,
        dim: Callable[[R], bool] | None = None,
        empty_key: str = "list.empty",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.formatter = formatter
        self.dim = dim
        self.empty_key = empty_key
        self.rows: Sequence[R] = ()
        self.indices: Sequence[int] = ()
        translate_bindings(self)

    # --- data ----------------------------------------------------------------------------------------
    def set_rows(
        self, rows: Sequence[R], indices: Sequence[int] | None = None, *, keep: str | None = None
    ) -> None:
        """Show `rows` (through `indices`); keep the cursor on row id `keep` when it is still there."""
        self.rows = rows
        self.indices = list(range(len(rows))) if indices is None else indices
        self.virtual_size = Size(self.size.width, len(self.indices))
        pos = 0
        if keep is not None:
            for i, idx in enumerate(self.indices):
                if rows[idx].id == keep:
                    pos = i
                    break
        self.cursor = min(pos, max(0, len(self.indices) - 1))
        self.refresh()

    @property
    def current(self) -> R | None:
        if not self.indices:
            return None
        return self.rows[self.indices[min(self.cursor, len(self.indices) - 1)]]

    def visible_rows(self) -> list[R]:
        return [self.rows[i] for i in self.indices]

    def refresh_rows(self) -> None:
        self.refresh()

    # --- cursor --------------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        if self.indices:
            self.scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _move(self, pos: int) -> None:
        if self.indices:
            self.cursor = max(0, min(len(self.indices) - 1, pos))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self._move(len(self.indices) - 1 if end else 0)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.indices))

    # --- rendering (only the visible lines) ----------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        pos = round(self.scroll_offset.y) + y
        base = self.rich_style
        if not self.indices:
            if y == 0:
                style = self.get_component_rich_style("item-list--empty")
                return Strip([Segment(set_cell_size(" " + t(self.empty_key), width), base + style)])
            return Strip.blank(width, base)
        if pos >= len(self.indices):
            return Strip.blank(width, base)
        row = self.rows[self.indices[pos]]
        # Rows hold archive/server text: written as raw segments, so controls are made visible here.
        text = set_cell_size(for_display(self.formatter(row, width), one_line=True), width)
        style = base
        if self.dim is not None and self.dim(row):
            style = style + self.get_component_rich_style("item-list--dim")
        if pos == self.cursor:
            style = style + self.get_component_rich_style("item-list--cursor")
        return Strip([Segment(text, style)], width)
