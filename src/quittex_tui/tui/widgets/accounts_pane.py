"""Accounts pane: each destination with its handle, server, connection state, the limits the server
announced (TargetInfo) and the rate budget it reported last (RateBudget, from RateLimit-* headers).
Connecting happens in a worker (publish.connect); passwords are typed into masked inputs and go
straight to the keyring/secrets store, never into the state or the screen. `x` logs out (after a
confirmation): the account's stored secrets are removed, as `quittex-tui logout` does."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from quittex_tui.networks import DRY_RUN, display_name
from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import datetime_short, number, t, translate_bindings
from quittex_tui.tui.messages import AccountsChanged, ConnectRequested, LogoutRequested, ReconnectRequested
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import Session, TargetSlot


class AccountsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "use", "key.use_target"),
        Binding("enter", "connect", "key.connect"),
        Binding("r", "refresh", "key.refresh", show=False),
        Binding("x", "logout", "key.logout"),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield OptionList(id="accounts")
        yield Static(id="account-detail")

    def on_mount(self) -> None:
        self.refresh_accounts()

    def slot_names(self) -> list[str]:
        return list(self.session.slots)

    def state_word(self, slot: TargetSlot) -> str:
        if slot.busy:
            return t("accounts.connecting")
        if slot.connected:
            return t("accounts.connected")
        if slot.error:
            return t("accounts.error")
        return t("accounts.not_connected")

    def refresh_accounts(self) -> None:
        lst = self.query_one("#accounts", OptionList)
        highlighted = lst.highlighted or 0
        lst.clear_options()
        chosen = self.session.active_targets()
        for name, slot in self.session.slots.items():
            mark = "[x]" if name in chosen else "[ ]"
            label = Text(f"{mark} {display_name(name):<10} {self.state_word(slot)}")
            lst.add_option(Option(label, id=name))
        lst.highlighted = min(highlighted, len(self.session.slots) - 1)
        self.show_detail()

    def saved_handle(self, name: str) -> str:
        st = self.session.state
        if name == "bluesky" and st.bluesky:
            return st.bluesky.handle
        if name == "mastodon" and st.mastodon:
            return st.mastodon.acct or st.mastodon.instance
        return ""

    def current(self) -> str | None:
        lst = self.query_one("#accounts", OptionList)
        if lst.highlighted is None:
            return None
        return lst.get_option_at_index(lst.highlighted).id

    def show_detail(self) -> None:
        name = self.current()
        detail = self.query_one("#account-detail", Static)
        if name is None:
            detail.update("")
            return
        slot = self.session.slots[name]
        text = Text()
        text.append(display_name(name) + "\n", style="bold")
        if name == DRY_RUN:
            text.append(t("accounts.dry_run_note") + "\n", style="italic")
        info = slot.info
        rows: list[tuple[str, str]] = [
            (t("accounts.handle"), info.handle if info else self.saved_handle(name) or "-"),
            (t("accounts.server"), info.server if info else self.saved_server(name) or "-"),
            (t("accounts.state"), self.state_word(slot)),
        ]
        if info:
            rows.append(
                (
                    t("accounts.limits"),
                    t(
                        "accounts.limits_value",
                        chars=number(info.max_chars),
                        media=info.max_media,
                        image=number(info.image_max_bytes),
                    ),
                )
            )
            rows.append((t("accounts.backdating"), t("yes") if info.supports_backdating else t("no")))
        budget = slot.budget
        if budget and budget.limit is not None:
            rows.append(
                (
                    t("accounts.budget"),
                    t(
                        "accounts.budget_value",
                        remaining=number(budget.remaining or 0),
                        limit=number(budget.limit),
                        reset=datetime_short(budget.reset_at),
                    ),
                )
            )
        elif slot.connected:
            rows.append((t("accounts.budget"), t("accounts.budget_unknown")))
        for label, value in rows:
            text.append(f"{label:<12} ", style="dim")
            text.append(for_display(value) + "\n")
        if slot.error:
            text.append(for_display(slot.error) + "\n", style="bold red")
        if not slot.connected and name != DRY_RUN:
            text.append(t("accounts.connect_hint"), style="italic")
        text.rstrip()
        detail.update(text)

    def saved_server(self, name: str) -> str:
        st = self.session.state
        if name == "bluesky" and st.bluesky:
            return st.bluesky.service or "https://bsky.social"
        if name == "mastodon" and st.mastodon:
            return st.mastodon.instance
        return ""

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.show_detail()
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_connect()

    def action_move(self, delta: int) -> None:
        lst = self.query_one("#accounts", OptionList)
        lst.action_cursor_down() if delta > 0 else lst.action_cursor_up()

    def action_use(self) -> None:
        name = self.current()
        if name is None:
            return
        targets = self.session.state.targets
        if name in targets:
            targets.remove(name)
        else:
            targets.append(name)
        self.refresh_accounts()
        self.screen.post_message(AccountsChanged())

    def action_connect(self) -> None:
        name = self.current()
        if name is not None:
            self.post_message(ConnectRequested(name))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.current() not in (None, DRY_RUN)
        return True

    def action_logout(self) -> None:
        name = self.current()
        if name not in (None, DRY_RUN):
            self.post_message(LogoutRequested(name))

    def action_refresh(self) -> None:
        name = self.current()
        if name is not None and (self.session.slots[name].connected or self.saved_handle(name)):
            self.post_message(ReconnectRequested(name))
