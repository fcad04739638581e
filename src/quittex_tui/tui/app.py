"""The Textual application (thin): screens, global keys, command palette entries, clean quit.

`make_app` is the one factory used by the CLI (`quittex-tui`, `quittex-tui PATH`, `quittex-tui demo`,
and `quittex-tui serve`'s child), the tests (Pilot + snapshots) and scripts/screenshots.py, so all of
them drive the same app.

- The demo keeps its state apart (paths.demo_state_dir): it never joins the user's list of migrations.
- An unexpected exception (a bug) does not end in Textual's traceback with local variables on the
  screen: a crash report is written (crash.py) and its path shown, in the user's language.
- Textual's own palette commands (Theme, Quit, Keys, Screenshot…) speak the user's language too.
- `served` (the app runs in a browser tab through textual-serve): links open in a new browser tab
  (`open_link`) and exports are delivered as downloads (`deliver_export`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender

from quittex_tui import i18n as core_i18n
from quittex_tui.errors import QuittexError
from quittex_tui.i18n import say
from quittex_tui.tui.i18n import detect_language, set_language, t, translate_bindings
from quittex_tui.tui.messages import ExportWritten, OpenArchive, OpenLink
from quittex_tui.tui.workers import WorkFailed

if TYPE_CHECKING:
    from quittex_tui.tui.session import Session

TUI_DIR = Path(__file__).resolve().parent


class ConsoleScrollBarRender(ScrollBarRender):
    """Scrollbars drawn with spaces only: the default eighth-block glyphs are missing from Linux console
    fonts (the thumb is its background colour, so nothing is lost but sub-cell precision)."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


class QuittexApp(App[int]):
    TITLE = "quittex-tui"
    CSS_PATH = TUI_DIR / "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Ctrl+C quits cleanly too (Textual's default only hints at Ctrl+Q): a stop between posts,
        # the state flushed, the terminal restored. Nothing is lost either way (journal + atomic state).
        Binding("ctrl+c", "quit", "key.quit", show=False, priority=True),
        Binding("ctrl+q", "quit", "key.quit", show=False, priority=True),
    ]

    def __init__(
        self,
        archive_path: Path | list[Path] | None = None,
        *,
        demo: bool = False,
        state_path: Path | None = None,
        now: Callable[[], datetime] | None = None,
        dry_run_latency: float = 0.05,
        served: bool = False,
    ) -> None:
        super().__init__()
        self.archive_path = archive_path
        self.demo = demo
        self.served = served
        self.state_path = state_path
        self.now = now
        self.dry_run_latency = dry_run_latency
        self.session: Session | None = None
        self.crash_report: Path | None = None  # written by _handle_exception on an unexpected error
        self.ready_at: float | None = None  # perf_counter when the main screen became usable (bench)
        translate_bindings(self)
        ScrollBar.renderer = ConsoleScrollBarRender

    # Textual shows Enter as "⏎" and Backspace as "⌫": neither glyph is in the Linux console fonts
    # (an SSH session from a text console shows a box). Name those keys in words instead.
    CONSOLE_UNSAFE_KEYS: ClassVar[dict[str, str]] = {"enter": "keycap.enter", "backspace": "keycap.backspace"}
    # Keys Textual names in English words ("space", "esc"): said in the user's language (catalogue keyname.*).
    NAMED_KEYS: ClassVar[frozenset[str]] = frozenset({"space", "escape"})

    def get_key_display(self, binding: Binding) -> str:
        if not binding.key_display:
            modifiers, key = binding.parse_key()
            if key in self.CONSOLE_UNSAFE_KEYS:
                name = t(self.CONSOLE_UNSAFE_KEYS[key])
                return "+".join([*(m.capitalize() for m in modifiers), name])
            if key in self.NAMED_KEYS and not modifiers:
                return t(f"keyname.{key}")
        return super().get_key_display(binding)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (from any widget: they all end here) shows its text as data: no markup, no
        controls (tui/safe.py). Messages carry file names, handles and server replies."""
        from quittex_tui.textsafe import for_display

        kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        super().notify(
            for_display(str(message)), title=for_display(title), severity=severity, markup=False, **kwargs
        )

    def on_mount(self) -> None:
        if self.archive_path is not None:
            self.open_archive(self.archive_path, demo=self.demo, state_path=self.state_path)
        else:
            from quittex_tui.tui.screens.start import StartScreen

            self.push_screen(StartScreen())

    def open_archive(
        self, path: Path | list[Path], *, demo: bool = False, state_path: Path | None = None
    ) -> None:
        from quittex_tui.tui.screens.loading import LoadingScreen
        from quittex_tui.tui.screens.start import StartScreen

        self.demo = demo
        if demo and state_path is None:
            state_path = demo_state_path()
        screen = LoadingScreen(
            path, demo=demo, state_path=state_path, now=self.now, dry_run_latency=self.dry_run_latency
        )
        # The loading screen dismisses itself with its result: the session, or the error that kept the
        # archive from opening (screens/loading.py).
        if len(self.screen_stack) > 1 and not isinstance(self.screen, StartScreen):
            self.switch_screen(StartScreen())  # e.g. the main screen of another migration
        self.push_screen(screen, self.loaded)

    def loaded(self, result: Session | QuittexError | None) -> None:
        from quittex_tui.tui.screens.main import MainScreen
        from quittex_tui.tui.screens.modals import ErrorScreen
        from quittex_tui.tui.screens.start import StartScreen

        if result is None or isinstance(result, QuittexError):  # not opened: back to the start screen
            if not isinstance(self.screen, StartScreen):
                self._replace_top(StartScreen())
            if result is not None:  # None: the worker failed on a bug, its dialog is shown (on_work_failed)
                message, hint = say(result.message), say(result.hint)
                logging.getLogger(__name__).warning(
                    "archive not opened: %s | %s", message, hint.replace("\n", " ")
                )
                self.push_screen(ErrorScreen(message, hint))
            return
        self.session = result
        self._replace_top(MainScreen(result))
        self.call_after_refresh(lambda: setattr(self, "ready_at", time.perf_counter()))

    def _replace_top(self, screen: Screen[Any]) -> None:
        """Show `screen` in place of the top one (Textual's default screen stays at the bottom)."""
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # --- failed workers (tui/workers.py): the one place a failure becomes a dialog -------------------
    def on_work_failed(self, message: WorkFailed) -> None:
        """A QuittexError: its message and hint in the user's language. Anything else is a bug: a crash
        report is written (crash.py) and the dialog names it; the app goes on (the state is intact: every
        choice is saved at once, and what was sent is in the journal)."""
        from quittex_tui.crash import write_crash_report
        from quittex_tui.tui.screens.modals import ErrorScreen

        error = message.error
        if isinstance(error, QuittexError):
            text, hint = say(error.message), say(error.hint)
            logging.getLogger(__name__).warning("error shown: %s | %s", text, hint.replace("\n", " "))
        else:
            path = write_crash_report(error, where="tui")
            text = t("error.unexpected", error=type(error).__name__)
            hint = t("error.unexpected_report", path=str(path)) if path else t("error.unexpected_no_report")
        self.push_screen(ErrorScreen(text, hint))

    async def action_quit(self) -> None:
        from quittex_tui.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.stop_everything()
        self.exit(0)

    # Textual's own palette commands, by their English title (textual/app.py get_system_commands): the
    # catalogue key of their title and help. One not listed here (a newer Textual) stays English.
    TEXTUAL_COMMANDS: ClassVar[dict[str, str]] = {
        "Theme": "theme",
        "Quit": "quit",
        "Keys": "keys",
        "Minimize": "minimize",
        "Maximize": "maximize",
        "Screenshot": "screenshot",
    }

    def _translated_textual_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            key = self.TEXTUAL_COMMANDS.get(command.title)
            if key is None:
                yield command
                continue
            hide = command.title == "Keys" and "Hide" in command.help
            help_key = f"cmd.textual.{key}_hide_help" if hide else f"cmd.textual.{key}_help"
            yield SystemCommand(t(f"cmd.textual.{key}"), t(help_key), command.callback, command.discover)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        # textual 8 types is_open's parameter App[object]; App is invariant in its return type, so every
        # App[int] is refused although the method only reads the screen stack.
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            palette = CommandPalette(id="--command-palette", placeholder=t("cmd.textual.palette_placeholder"))
            self.push_screen(palette)

    def search_themes(self) -> None:
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        placeholder = t("cmd.textual.theme_placeholder")
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=placeholder))

    # --- served in a browser tab ---------------------------------------------------------------------
    def open_link(self, url: str) -> bool:
        """Open `url` in a new browser tab when served; in a terminal, copy it instead (opening a
        browser on the machine running the app is wrong over SSH). Returns True if it was opened."""
        if self.served or self.is_web:
            self.open_url(url, new_tab=True)
            return True
        self.copy_to_clipboard(url)  # OSC 52: reaches the local clipboard over SSH
        return False

    def on_open_archive(self, message: OpenArchive) -> None:
        self.open_archive(message.path, demo=message.demo, state_path=message.state_path)

    def on_open_link(self, message: OpenLink) -> None:
        self.open_link(message.url)

    def on_export_written(self, message: ExportWritten) -> None:
        self.deliver_export(message.path)

    def deliver_export(self, path: Path) -> None:
        """When served, send a file the TUI just wrote to the browser as a download (it stays on disk too)."""
        if self.served or self.is_web:
            self.deliver_binary(path, save_filename=path.name)

    # --- unexpected errors -----------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for an unhandled exception (App._handle_exception, textual 8): instead of its
        traceback with local variables on screen, a crash report file and one paragraph naming it."""
        from rich.text import Text

        from quittex_tui.crash import EXIT_CRASH, write_crash_report

        for screen in self.screen_stack:  # save the user's choices before anything else
            stop = getattr(screen, "stop_everything", None)
            if stop is not None:
                with contextlib.suppress(Exception):
                    stop()
        path = write_crash_report(error, where="tui")
        if path is None:
            super()._handle_exception(error)
            return
        self._return_code = EXIT_CRASH
        if self._exception is None:  # Pilot re-raises it in tests (App.run_test)
            self._exception = error
            self._exception_event.set()
        self.crash_report = path
        # The path itself is printed by the CLI once the terminal is restored (cli/app_cmd.py), as plain
        # text: Rich would cut or hard-wrap a long path here, and it is meant to be copied.
        self.panic(Text(t("crash.message", error=type(error).__name__) + "\n" + t("crash.report")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from quittex_tui.tui.screens.main import MainScreen
        from quittex_tui.tui.session import STEPS

        main = next((s for s in reversed(self.screen_stack) if isinstance(s, MainScreen)), None)
        if main is not None:
            for step in STEPS:
                yield SystemCommand(
                    t("cmd.goto", step=t(f"step.{step}")), t("cmd.goto_help"), partial(main.goto, step)
                )
            yield SystemCommand(t("cmd.start"), t("cmd.start_help"), main.start_migration)
            yield SystemCommand(t("cmd.pause"), t("cmd.pause_help"), main.pause_migration)
            yield SystemCommand(
                t("cmd.retry"), t("cmd.retry_help"), partial(main.start_migration, retry_failed=True)
            )
            yield SystemCommand(t("cmd.export"), t("cmd.export_help"), main.export_report)
            for what in ("search", "follow", "export", "copy"):
                yield SystemCommand(
                    t(f"cmd.aud_{what}"), t(f"cmd.aud_{what}_help"), partial(main.audience_command, what)
                )
            yield SystemCommand(t("cmd.help"), t("cmd.help_help"), main.action_help)
        yield from self._translated_textual_commands(screen)


def make_app(
    archive_path: Path | list[Path] | None = None,
    *,
    demo: bool = False,
    state_path: Path | None = None,
    lang: str | None = None,
    now: Callable[[], datetime] | None = None,
    dry_run_latency: float = 0.05,
    served: bool = False,
) -> QuittexApp:
    """The app for `archive_path` (None: the start screen). `demo` adds the dry-run destination;
    `served`: the app runs in a browser tab (quittex-tui serve)."""
    set_language(detect_language(lang))
    core_i18n.set_front_end("tui")  # errors raised by the core say what to do with the TUI's keys
    if demo and archive_path is None:
        from quittex_tui.demo import demo_archive_path

        archive_path = demo_archive_path()
    return QuittexApp(
        archive_path,
        demo=demo,
        state_path=state_path,
        now=now,
        dry_run_latency=dry_run_latency,
        served=served,
    )


def demo_state_path() -> Path:
    """The demo's migration state, apart from the user's own migrations (start screen, `state_dir`)."""
    from quittex_tui import paths

    return paths.demo_state_dir() / "demo.toml"
