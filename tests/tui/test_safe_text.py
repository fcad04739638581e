"""The TUI on a hostile archive: file names, tweets, bio, display name and a mention's name full
of Textual markup and terminal escape sequences. Every step is opened by keys; the app must not crash
(MarkupError) nor run an action from archive text ([@click=app.quit]), and no rendered strip may hold a raw
control character — they are shown as `\\x1b`-style escapes instead."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.pilot import Pilot

from quittex_tui.state import Step
from quittex_tui.textsafe import is_terminal_safe
from quittex_tui.tui.app import make_app
from quittex_tui.tui.safe import SafeStatic, safe_text
from quittex_tui.tui.screens.edit import AltScreen, EditScreen
from quittex_tui.tui.screens.modals import ConfirmScreen, ErrorScreen
from tests.archive.hostile import BAD_MARKUP, MARKUP, OSC52, RAW, TITLE, write_hostile_zip
from tests.tui.conftest import wait_for, wait_main

pytestmark = pytest.mark.anyio
TUI = Path(__file__).resolve().parents[2] / "src" / "quittex_tui" / "tui"


def screen_text(pilot: Pilot) -> str:
    """Every character the current screen would write (all layers, modal dialogs included)."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def assert_inert(pilot: Pilot, where: str) -> str:
    await wait_for(pilot, lambda: bool(screen_text(pilot).strip()))  # a new screen lays out first
    text = screen_text(pilot)
    leaked = [repr(raw) for raw in RAW if raw in text]
    assert not leaked, f"{where}: raw {', '.join(leaked)} on screen"
    assert is_terminal_safe(text.replace("\n", "")), where
    return text


async def test_every_step_on_a_hostile_archive(tmp_path: Path) -> None:
    archive = write_hostile_zip(tmp_path)
    app = make_app(archive, demo=True, lang="en", dry_run_latency=0, state_path=tmp_path / "state.toml")
    async with app.run_test(size=(160, 50)) as pilot:
        main = await wait_main(pilot)
        s = main.session
        seen = await assert_inert(pilot, "archive")
        assert "Jeanne [b]Dupont[/b]\\x1b]0;pwned\\x07" in seen  # the display name, visibly, unparsed
        # Walk the tweet list: each preview shows the tweet as it will be posted (controls removed).
        for _ in range(len(s.tweet_rows)):
            await pilot.press("j")
            await pilot.pause(0.02)
            await assert_inert(pilot, "archive list")
        await pilot.press("home")
        await pilot.pause(0.05)
        seen = await assert_inert(pilot, "archive list")
        assert "[@click=app.quit]clic[/]" in seen  # shown as typed, not a link, not an action

        for key, step in (("n", Step.ACCOUNTS), ("n", Step.SELECT), ("n", Step.REVIEW)):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert main.step == step
            await assert_inert(pilot, str(step))
        for _ in range(len(s.rows)):
            await pilot.press("j")
            await pilot.pause(0.02)
            await assert_inert(pilot, "review list")

        await pilot.press("home", "e")  # the edit dialog holds the post as it will go out
        await wait_for(pilot, lambda: isinstance(app.screen, EditScreen))
        await assert_inert(pilot, "edit dialog")
        await pilot.press("escape")
        photo = next(i for i, r in enumerate(s.rows) if r.has_media)
        main.query_one("#items").cursor = photo
        await pilot.pause(0.05)
        await pilot.press("l")  # the alt-text dialog names the media
        await wait_for(pilot, lambda: isinstance(app.screen, AltScreen))
        await assert_inert(pilot, "alt dialog")
        await pilot.press("escape")

        await pilot.press("n", "s")  # Migrate: the confirmation, then the dry run
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await assert_inert(pilot, "confirm")
        await pilot.press("y")
        slot = s.slots["dry-run"]
        await wait_for(pilot, lambda: slot.report is not None and not slot.running, timeout=60)
        await assert_inert(pilot, "migrate")
        await pilot.press("n")
        await wait_for(pilot, lambda: bool(slot.links))
        await pilot.pause(0.2)
        await assert_inert(pilot, "report")

        await pilot.press("n")  # Audience: people (a mention's name is hostile), profile, announcements
        assert main.step == Step.AUDIENCE
        await wait_for(pilot, lambda: s.audience.loaded)
        await pilot.pause(0.2)
        for _ in range(4):
            await pilot.press("j")
            await pilot.pause(0.05)
            await assert_inert(pilot, "audience")
        await pilot.press("v", "v")  # the Queue pane's Audience page: profile and announcement texts
        await pilot.pause(0.2)
        seen = await assert_inert(pilot, "audience side")

        # An error dialog and a notification quoting hostile text (as server replies and file names do).
        main.show_error(f"{BAD_MARKUP} {OSC52}", f"hint {MARKUP}")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen))
        seen = await assert_inert(pilot, "error dialog")
        assert "../../[/b]x [/] [link='x]" in seen and "\\x1b]52;c;" in seen
        await pilot.press("escape")
        app.notify(f"{BAD_MARKUP}{TITLE}[@click=app.quit]x[/]", title=MARKUP)
        await pilot.pause(0.3)
        await assert_inert(pilot, "notification")
        assert app.is_running  # no archive text ever ran an action (app.quit) or crashed the app


async def test_loading_screen_names_a_markup_file_and_a_bad_path_is_an_error(tmp_path: Path) -> None:
    archive = write_hostile_zip(tmp_path)
    app = make_app(archive, lang="en", state_path=tmp_path / "state.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_main(pilot)
        await assert_inert(pilot, "main")
    missing = tmp_path / f"gone{TITLE}[/b].zip"
    app = make_app(missing, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen))
        await wait_for(pilot, lambda: "gone" in screen_text(pilot))
        seen = await assert_inert(pilot, "load error")
        unwrapped = "".join(seen.replace("│", "").split())  # the dialog wraps the long path
        assert "gone\\x1b]0;pwned\\x07[/b].zip" in unwrapped


def test_safe_text_keeps_styles_on_the_same_characters() -> None:
    from rich.text import Text

    text = Text("a")
    text.append("\x1b[2J", style="bold")
    text.append("b\u202ec", style="red")
    out = safe_text(text)
    assert out.plain == "a\\x1b[2Jb\\u202ec"
    assert [(out.plain[s.start : s.end], str(s.style)) for s in out.spans] == [
        ("\\x1b[2J", "bold"),
        ("b\\u202ec", "red"),
    ]
    plain = Text("rien à faire")
    assert safe_text(plain) is plain


def test_no_tui_module_uses_textuals_own_static_or_markup_parsing() -> None:
    """The rule stays true as the app grows: Statics come from tui/safe.py, no text is parsed as markup."""
    for path in TUI.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textual"):
                names = {a.name for a in node.names}
                if path.name != "safe.py":
                    assert not names & {"Static", "Label"}, f"{path.name}: import SafeStatic (tui/safe.py)"
            if isinstance(node, ast.Attribute) and node.attr == "from_markup":
                raise AssertionError(f"{path.name}: {ast.unparse(node)} parses text as markup")
            if (
                isinstance(node, ast.keyword)
                and node.arg == "markup"
                and isinstance(node.value, ast.Constant)
                and node.value.value is True
            ):
                raise AssertionError(f"{path.name}: markup=True")
    assert issubclass(SafeStatic, __import__("textual.widgets", fromlist=["Static"]).Static)
