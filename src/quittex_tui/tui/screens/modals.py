"""Small modal dialogs: confirm, prompt, error, help. Keyboard only; every key shown in the footer."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input

from quittex_tui.tui.i18n import t, translate_bindings
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,o,enter", "answer(True)", "key.yes"),
        Binding("n,escape", "answer(False)", "key.no"),
    ]

    def __init__(self, title: str, body: Text | str, *, yes: str = "", no: str = "") -> None:
        """`yes` / `no`: what each answer does, when "yes" and "no" alone would not say it."""
        super().__init__()
        self.title_text = title
        self.body = body
        self.keys = t("confirm.keys_named", yes=yes, no=no) if yes and no else t("confirm.keys")
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            yield Static(self.keys, classes="dialog-keys")
        yield Footer(show_command_palette=False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, title: str, label: str, *, value: str = "", password: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.label = label
        self.value = value
        self.password = password
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.label, classes="dialog-body")
            yield Input(value=self.value, password=self.password, id="prompt-input")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ErrorScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "key.close")]

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__()
        self.message = message
        self.hint = hint
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Static(t("error.title"), classes="dialog-title")
            yield Static(self.message, classes="dialog-body")
            if self.hint:
                yield Static(self.hint, classes="dialog-hint")
        yield Footer(show_command_palette=False)

    def action_close(self) -> None:
        self.dismiss(None)


KEY_COLUMN_MAX = 18  # a longer key name wraps inside its column rather than pushing the description


def help_renderable(sections: list[tuple[str, list[tuple[str, str]]]]) -> RenderableType:
    """Every section as a two-column grid: keys in a column as wide as the widest key, descriptions
    wrapping under themselves (at 80x24 a long one must not run back under the keys)."""
    width = min(KEY_COLUMN_MAX, max((len(key) for _, keys in sections for key, _ in keys), default=4))
    parts: list[RenderableType] = []
    for title, keys in sections:
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 1), pad_edge=False)
        grid.add_column(width=width + 2, style="bold", overflow="fold")  # 2: the indent of the key
        grid.add_column(ratio=1, overflow="fold")
        for key, desc in keys:
            grid.add_row(Text("  " + key), Text(desc))
        parts += [grid, Text("")]
    parts.append(Text(t("help.footer")))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of every step, from the widgets' own BINDINGS (so help never drifts from the code)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "key.close"),
        Binding("j", "scroll(1)", show=False),
        Binding("k", "scroll(-1)", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static(t("help.title"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_renderable(self.sections))
        yield Footer(show_command_palette=False)

    def plain_text(self) -> str:
        """The help as plain lines ("key  description"), for tests and screen readers' sake."""
        lines = []
        for title, keys in self.sections:
            lines += [title, *(f"  {key}  {desc}" for key, desc in keys), ""]
        return "\n".join([*lines, t("help.footer")])

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_scroll(self, delta: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + delta, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
