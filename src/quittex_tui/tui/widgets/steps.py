"""The header: where the user is among the steps (Archive > Accounts > … > Report)."""

from __future__ import annotations

from rich.text import Text

from quittex_tui.state import Step
from quittex_tui.tui.i18n import t
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)


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

    def on_resize(self) -> None:
        self.show(self.current)

    def show(self, step: Step) -> None:
        self.current = step
        width = self.size.width or 80
        # Longest form first; narrower terminals get the current step in words, the others as numbers.
        for sep, short_others, badge in (
            (" > ", False, "app.demo_badge"),
            (">", False, "app.demo_short"),
            (" > ", True, "app.demo_short"),
        ):
            text = self.render_steps(step, sep, short_others, badge)
            if text.cell_len <= width - 2:
                break
        self.update(text)

    def render_steps(self, step: Step, sep: str, short_others: bool, badge: str) -> Text:
        text = Text()
        text.append(t("app.title"), style="bold")
        if self.demo:
            text.append(" ")
            text.append(t(badge), style="reverse")
        text.append("  ")
        for i, s in enumerate(self.steps):
            if i:
                text.append(sep)
            if s == step:
                text.append(f"[{i + 1} {t(f'step.{s}')}]", style="bold reverse")
            else:
                text.append(str(i + 1) if short_others else f"{i + 1} {t(f'step.{s}')}")
        return text
