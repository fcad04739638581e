"""Start screen (`quittex-tui` alone): known migrations to resume (state.list_states), the demo, and a
field to open an archive by path. Reading the state directory happens in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList
from textual.widgets.option_list import Option

from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import datetime_short, t, translate_bindings
from quittex_tui.tui.messages import OpenArchive
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.safe import safe_text
from quittex_tui.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from quittex_tui.state import MigrationState

TUI_DIR = Path(__file__).resolve().parent.parent


class StartScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = TUI_DIR / "start.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash,o", "focus_path", "key.open_path"),
        Binding("d", "demo", "key.demo"),
        Binding("question_mark", "help", "key.help"),
        Binding("ctrl+p", "app.command_palette", "key.palette_short"),
        Binding("q", "app.quit", "key.quit"),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.states: list[tuple[Path, MigrationState]] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="start-box"):
            yield Static(t("start.title"), id="start-title")
            yield Static(t("start.intro"), id="start-intro")
            yield Static(t("start.known"), classes="section-title")
            yield OptionList(id="states")
            yield Static(t("start.open_label"), classes="section-title")
            yield Input(placeholder=t("start.path_placeholder"), id="path")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#states", OptionList).focus()
        self.list_states()

    @work(thread=True, exit_on_error=False)
    def list_states(self) -> None:
        from quittex_tui.state import list_states

        states = list_states()
        self.app.call_from_thread(self.show_states, states)

    def show_states(self, states: list[tuple[Path, MigrationState]]) -> None:
        from quittex_tui.demo import demo_archive_path

        # The demo is offered by its own line; a demo state left in the list by an older version
        # (before the demo kept its state apart) is not one of the user's migrations.
        demo = str(demo_archive_path().resolve())
        states = [(path, st) for path, st in states if list(st.archive_paths) != [demo]]
        self.states = states
        lst = self.query_one("#states", OptionList)
        lst.clear_options()
        for i, (_path, st) in enumerate(states):
            label = Text()
            label.append(for_display(", ".join(Path(p).name for p in st.archive_paths)), style="bold")
            # One migration per account (a separate one for another account): say whose this one is.
            who = [
                f"@{st.bluesky.handle}" if st.bluesky else "",
                st.mastodon.acct or st.mastodon.instance if st.mastodon else "",
            ]
            if any(who):
                label.append("  " + for_display(" ".join(w for w in who if w)))
            label.append(f"  {t('start.at_step', step=t(f'step.{st.step}'))}")
            label.append(f"  {datetime_short(st.updated_at)}", style="dim")
            lst.add_option(Option(safe_text(label), id=f"state-{i}"))  # archive names are data
        lst.add_option(Option(Text(t("start.demo_option"), style="italic"), id="demo"))
        lst.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        if oid == "demo":
            self.action_demo()
            return
        path, st = self.states[int(oid.split("-")[1])]
        sources = [Path(p) for p in st.archive_paths]
        missing = [str(p) for p in sources if not p.exists()]
        if missing:
            self.notify(t("start.missing", paths=", ".join(missing)), severity="error")
            return
        from quittex_tui.demo import demo_archive_path

        demo = sources == [demo_archive_path().resolve()]  # the demo's migration keeps its dry run
        source = sources if len(sources) > 1 else sources[0]
        self.post_message(OpenArchive(source, state_path=path, demo=demo))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            return
        path = Path(value).expanduser()
        if not path.exists():
            self.notify(t("start.no_such_path", path=str(path)), severity="error")
            return
        self.post_message(OpenArchive(path))

    def action_focus_path(self) -> None:
        self.query_one("#path", Input).focus()

    def action_move(self, delta: int) -> None:
        lst = self.query_one("#states", OptionList)
        lst.action_cursor_down() if delta > 0 else lst.action_cursor_up()

    def action_demo(self) -> None:
        from quittex_tui.demo import demo_archive_path

        self.post_message(OpenArchive(demo_archive_path(), demo=True))

    def action_help(self) -> None:
        from quittex_tui.tui.screens.main import help_sections
        from quittex_tui.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(help_sections()))
