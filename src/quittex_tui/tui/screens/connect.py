"""Connect dialogs. Bluesky: handle + app password (masked) + optional PDS → publish.connect.login_bluesky.
Mastodon: instance → authorize URL (OAuth out-of-band, works over SSH: open it anywhere, paste the code)
→ login_mastodon_finish. Secrets go to the keyring/secrets store only; they are never shown again,
logged or written to the state (docs/bluesky.md#sessions-and-app-passwords,
docs/mastodon.md#logging-in-oauth-with-the-out-of-band-code).

Both accept what people paste: a handle as `@alice.bsky.social` or its profile URL, a Mastodon address
as `@camille@piaille.fr`, `piaille.fr` or `https://piaille.fr/@camille` (publish/addresses.py). Errors
are shown as the core raised them, phrased for this dialog (errors.py `todo`, tui/locales `do.*`)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input

from quittex_tui.errors import QuittexError
from quittex_tui.i18n import say
from quittex_tui.publish.addresses import bluesky_handle, mastodon_instance
from quittex_tui.tui.i18n import t, translate_bindings
from quittex_tui.tui.messages import OpenLink
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import Session
from quittex_tui.tui.workers import ReportsWorkerErrors

SAVED = "__saved__"  # "use the secret already stored" marker in the dialog result


class BlueskyLoginScreen(ModalScreen[tuple | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+s", "submit", "key.connect", priority=True),
    ]

    def __init__(self, handle: str = "", service: str = "") -> None:
        super().__init__()
        self.handle = handle
        self.service = service
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("login.bluesky_title"), classes="dialog-title")
            yield Static(t("login.handle"))
            yield Input(self.handle, placeholder="alice.bsky.social", id="bsky-handle")
            yield Static(t("login.app_password"))
            yield Input(password=True, placeholder="xxxx-xxxx-xxxx-xxxx", id="bsky-password")
            yield Static(t("login.service"))
            yield Input(self.service, placeholder="https://bsky.social", id="bsky-service")
            yield Static(t("login.bluesky_note"), classes="dialog-hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#bsky-password" if self.handle else "#bsky-handle", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "bsky-service":
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        raw_handle = self.query_one("#bsky-handle", Input).value.strip()
        password = self.query_one("#bsky-password", Input).value.strip()
        service = self.query_one("#bsky-service", Input).value.strip()
        if not raw_handle:
            self.notify(t("login.need_handle"), severity="warning")
            return
        try:  # checked here, so a wrong value (or a password in the wrong field) goes nowhere
            handle = bluesky_handle(raw_handle)
        except QuittexError as exc:
            self.notify(f"{exc.message}\n{exc.hint}".strip(), severity="error", timeout=10)
            self.query_one("#bsky-handle", Input).focus()
            return
        self.dismiss((handle, service, SAVED) if not password else (handle, password, service))

    def action_cancel(self) -> None:
        self.dismiss(None)


class MastodonLoginScreen(ReportsWorkerErrors, ModalScreen[tuple[str, str] | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+y", "copy_url", "key.copy_url", priority=True),
        Binding("ctrl+o", "open_url", "key.open_url", priority=True),
    ]

    def __init__(self, session: Session, instance: str = "") -> None:
        super().__init__()
        self.session = session
        self.instance = instance
        self.url = ""
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("login.mastodon_title"), classes="dialog-title")
            yield Static(t("login.instance"))
            yield Input(self.instance, placeholder="https://mastodon.social", id="masto-instance")
            yield Static(id="masto-url")
            yield Input(
                password=True, placeholder=t("login.code_placeholder"), id="masto-code", disabled=True
            )
            yield Static(t("login.mastodon_note"), classes="dialog-hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#masto-instance", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "masto-instance":
            try:
                instance = mastodon_instance(event.value)
            except QuittexError as exc:
                self.failed(f"{exc.message}\n{exc.hint}".strip())
                return
            self.instance = instance
            self.query_one("#masto-url", Static).update(t("login.asking"))
            self.authorize(instance)
        elif event.input.id == "masto-code" and event.value.strip():
            self.dismiss((self.instance, event.value.strip()))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def authorize(self, instance: str) -> None:
        try:
            url = self.session.mastodon_authorize_url(instance)
        except QuittexError as exc:  # in the dialog, which stays open (anything else: the app's dialog)
            self.app.call_from_thread(self.failed, f"{say(exc.message)}\n{say(exc.hint)}".strip())
            return
        self.app.call_from_thread(self.got_url, url)

    def failed(self, message: str) -> None:
        self.query_one("#masto-url", Static).update(Text(message))

    def got_url(self, url: str) -> None:
        self.url = url
        served = getattr(self.app, "served", False) or self.app.is_web
        text = t("login.open_url", url=url) + ("\n" + t("served.open_link") if served else "")
        self.query_one("#masto-url", Static).update(Text(text))
        code = self.query_one("#masto-code", Input)
        code.disabled = False
        code.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_url":  # in a terminal the link is copied (ctrl+y): a browser may not be local
            return bool(getattr(self.app, "served", False) or self.app.is_web)
        return True

    def action_open_url(self) -> None:
        if self.url:  # a browser tab when served, else copied (QuittexApp.open_link)
            self.post_message(OpenLink(self.url))
            served = bool(getattr(self.app, "served", False) or self.app.is_web)
            self.notify(t("served.opened") if served else t("login.copied"))

    def action_copy_url(self) -> None:
        if self.url:
            self.app.copy_to_clipboard(self.url)  # OSC 52: reaches the local clipboard over SSH
            self.notify(t("login.copied"))

    def action_cancel(self) -> None:
        self.dismiss(None)
