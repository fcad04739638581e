"""The header: where the user is among the steps (Archive > Accounts > … > Report)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from quittex_tui.state import Step
from quittex_tui.tui.i18n import t


class StepBar(Static):
    DEFAULT_CSS = """
    StepBar { dock: top; height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, steps: tuple[Step, ...], current: Step, *, demo: bool = False) -> None:
        super().__init__()
        self.steps = steps
        self.current = current
        self.demo = demo

    def on_mount(self) -> None:
        self.show(self.current)

    def show(self, step: Step) -> None:
        self.current = step
        text = Text()
        text.append(t("app.title"), style="bold")
        if self.demo:
            text.append(" " + t("app.demo_badge"), style="reverse")
        text.append("  ")
        for i, s in enumerate(self.steps):
            if i:
                text.append(" > ")
            label = f"{i + 1} {t(f'step.{s}')}"
            if s == step:
                text.append(f"[{label}]", style="bold reverse")
            else:
                text.append(label)
        self.update(text)
