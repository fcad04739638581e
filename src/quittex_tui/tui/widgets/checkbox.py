"""A checkbox that reads the same without colour: "[X]" / "[ ]" (Textual's default draws X in both
states and shows the state by colour only — unreadable with NO_COLOR or on a monochrome console)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Checkbox

from quittex_tui.tui.i18n import translate_bindings


class ConsoleCheckbox(Checkbox):
    DEFAULT_CSS = """
    ConsoleCheckbox { border: none; padding: 0; height: 1; background: transparent; }
    ConsoleCheckbox:focus { background: $accent 30%; }
    ConsoleCheckbox:focus > .toggle--label { text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter,space", "toggle_button", "key.check")]

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, id=id)
        translate_bindings(self)

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("X" if self.value else " ", style), "]")
