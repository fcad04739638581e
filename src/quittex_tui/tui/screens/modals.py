"""Small modal dialogs: confirm, prompt, error, help. Keyboard only; every key shown in the footer."""

from __future__ import annotations

from typing import ClassVar

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

    def __init__(self, title: str, body: Text | str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            yield Static(t("confirm.keys"), classes="dialog-keys")
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
        text = Text()
        for title, keys in self.sections:
            text.append(title + "\n", style="bold underline")
            for key, desc in keys:
                text.append(f"  {key:<14}", style="bold")
                text.append(desc + "\n")
            text.append("\n")
        text.append(t("help.footer"))
        with Vertical(classes="dialog help"):
            yield Static(t("help.title"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(text)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_scroll(self, delta: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + delta, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
