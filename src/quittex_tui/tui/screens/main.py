"""The main screen: three panes (Archive, Accounts, Queue), the steps header and the footer of keys.

It owns the workers: plan rebuilds, connecting, the engine runs (one thread per destination, paused
through a threading.Event checked between posts), report collection and export, state saves. Panes
only present; they ask this screen to act. Every change is saved to the TOML state at once (atomic);
what was sent lives in the engine's journal, so a kill at any moment resumes exactly.
"""

from __future__ import annotations

import contextlib
import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Checkbox, ContentSwitcher, Footer

from quittex_tui.errors import QuittexError
from quittex_tui.i18n import say
from quittex_tui.networks import DRY_RUN, display_name
from quittex_tui.publish.events import EventKind
from quittex_tui.publish.lock import MigrationBusy
from quittex_tui.state import AccountConflict, AccountConflictError, Step

if TYPE_CHECKING:
    from quittex_tui.publish.engine import EngineEvent
from quittex_tui.tui.i18n import colon, duration, has_key, number, t, translate_bindings
from quittex_tui.tui.messages import (
    AccountsChanged,
    ConnectRequested,
    CursorMoved,
    EngineUpdate,
    ExportWritten,
    LogoutRequested,
    OpenArchive,
    ReconnectRequested,
    RunFinished,
    SelectionChanged,
)
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.screens.audience_actions import AudienceActions
from quittex_tui.tui.screens.connect import SAVED
from quittex_tui.tui.session import STEPS, Session, network_of
from quittex_tui.tui.watch import POLL_SECONDS, Watcher, WatchEvent, holder_words
from quittex_tui.tui.widgets.accounts_pane import AccountsPane
from quittex_tui.tui.widgets.audience_view import AudienceView
from quittex_tui.tui.widgets.item_list import ItemList
from quittex_tui.tui.widgets.overview import OverviewView
from quittex_tui.tui.widgets.queue_pane import QueuePane
from quittex_tui.tui.widgets.review_view import ReviewView
from quittex_tui.tui.widgets.select_view import SelectView
from quittex_tui.tui.widgets.steps import StepBar

TUI_DIR = Path(__file__).resolve().parent.parent
NARROW = 100  # below this many columns the panes become tabs (one visible at a time)
PANES = ("archive", "accounts", "queue")
# step -> (pane shown/focused, page of the Archive pane, page of the Queue pane)
LAYOUT: dict[Step, tuple[str, str, str]] = {
    Step.ARCHIVE: ("archive", "overview", "queue-page"),
    Step.ACCOUNTS: ("accounts", "overview", "queue-page"),
    Step.SELECT: ("archive", "select", "queue-page"),
    Step.REVIEW: ("archive", "review", "queue-page"),
    Step.MIGRATE: ("queue", "review", "queue-page"),
    Step.REPORT: ("queue", "review", "report-page"),
    Step.AUDIENCE: ("archive", "audience", "audience-page"),
}
VIEW = {  # the container of each step's own view (focus must stay inside it)
    Step.ARCHIVE: "#overview",
    Step.ACCOUNTS: "#accounts-pane",
    Step.SELECT: "#select",
    Step.REVIEW: "#review",
    Step.MIGRATE: "#queue-page",
    Step.REPORT: "#report-page",
    Step.AUDIENCE: "#audience",
}
FOCUS = {
    Step.ARCHIVE: "#tweets",
    Step.ACCOUNTS: "#accounts",
    Step.SELECT: "#kind-post",
    Step.REVIEW: "#items",
    Step.MIGRATE: "#queue",
    Step.REPORT: "#report-list",
    Step.AUDIENCE: "#people",
}


class MainScreen(AudienceActions, Screen[None]):
    CSS_PATH = TUI_DIR / "main.tcss"
    # No auto-focus: each step says what has the focus (FOCUS, focus_step). Textual's would focus the first
    # focusable widget when the screen resumes (the Archive's year tree), racing focus_step's choice of
    # the tweet list inside the same view.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_step", "key.next_step"),
        Binding("b", "prev_step", "key.prev_step"),
        Binding("v", "switch_pane", "key.switch_pane"),
        Binding("question_mark", "help", "key.help"),
        Binding("ctrl+p", "app.command_palette", "key.palette_short"),
        Binding("q", "app.quit", "key.quit"),
        *[Binding(str(i + 1), f"goto({i})", "key.goto", show=False) for i in range(len(STEPS))],
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        step = session.state.step if session.state.step in STEPS else Step.ARCHIVE
        self.step: Step = step
        self.pane = LAYOUT[step][0]
        self._cursor_timer: Timer | None = None
        self._following: str | None = None  # the item the queue cursor follows while sending
        self.focus_settled = False  # focus_step's fix-up pass has run (tests and scripts wait for it)
        translate_bindings(self)

    # --- layout --------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        s = self.session
        yield StepBar(STEPS, self.step, demo=s.demo)
        yield Static(id="pane-tabs")
        with Horizontal(id="panes"):
            with (
                Vertical(id="archive-pane", classes="pane"),
                ContentSwitcher(initial=LAYOUT[self.step][1], id="archive-switch"),
            ):
                yield OverviewView(s, id="overview")
                yield SelectView(s, id="select")
                yield ReviewView(s, id="review")
                yield AudienceView(s, id="audience")
            with Vertical(id="side"):
                yield AccountsPane(s, id="accounts-pane", classes="pane")
                yield QueuePane(s, id="queue-pane", classes="pane")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#archive-pane").border_title = t("pane.archive")
        self.query_one("#accounts-pane").border_title = t("pane.accounts")
        self.query_one("#queue-pane").border_title = t("pane.queue")
        self.apply_step(self.step, save=False)
        self.load_statuses()
        self.auto_connect()
        if not self.session.plans_complete():  # a big archive: its plans arrive from a worker
            self.rebuild_plans(quiet=True)
        # One writer per migration: a run held by another process is followed read-only (tui/watch.py).
        self.watcher = Watcher(self.session)
        self.set_interval(POLL_SECONDS, self.poll_writers)
        self.poll_writers()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "narrow")
        self.update_tabs()

    def update_tabs(self) -> None:
        text = Text()
        for i, pane in enumerate(PANES):
            if i:
                text.append(" | ")
            label = t(f"pane.{pane}")
            text.append(f" {label} ", style="bold reverse" if pane == self.pane else "")
        text.append("   " + t("pane.switch_hint"), style="dim")
        self.query_one("#pane-tabs", Static).update(text)

    def show_pane(self, pane: str) -> None:
        self.pane = pane
        for p in PANES:
            self.set_class(p == pane, f"pane-{p}")
        self.update_tabs()

    def apply_step(self, step: Step, *, save: bool = True) -> None:
        self.step = step
        for st in STEPS:
            self.set_class(st == step, f"step-{st}")
        pane, archive_page, queue_page = LAYOUT[step]
        self.query_one("#archive-switch", ContentSwitcher).current = archive_page
        self.query_one(QueuePane).show_page(queue_page)
        self.show_pane(pane)
        self.query_one(StepBar).show(step)
        if step == Step.SELECT:
            self.query_one(SelectView).sync()
        if step == Step.REVIEW:
            self.query_one(ReviewView).reload()
        if step == Step.REPORT:
            self.collect_reports()
        if step == Step.AUDIENCE:
            self.audience_enter()
        self.focus_settled = False
        self.call_after_refresh(self.focus_step)
        if save:
            self.session.set_step(step)
            self.session.state.cursor["pane"] = pane
            self.save()
        self.refresh_bindings()

    def focus_step(self, *, again: bool = True) -> None:
        self.focus_settled = not again
        if not again:
            # Fix-up pass: when the focused widget of the previous step got hidden, Textual moved focus
            # on its own after the layout refresh. Claim it back only if it left this step's view (the
            # user may already have moved within it).
            view = self.query_one(VIEW[self.step])
            focused = self.focused
            if focused is not None and (focused is view or view in focused.ancestors):
                return
        try:
            self.query_one(FOCUS[self.step]).focus()
        except Exception:  # the widget may be disabled (e.g. no posts of that kind): focus the pane
            self.focus_next()
        if again:
            self.set_timer(0.15, partial(self.focus_step, again=False))

    # --- navigation ----------------------------------------------------------------------------------
    def goto(self, step: Step) -> None:
        if step != self.step:
            self.apply_step(step)

    def action_goto(self, index: int) -> None:
        if 0 <= index < len(STEPS):
            self.goto(STEPS[index])

    def action_next_step(self) -> None:
        i = STEPS.index(self.step)
        if i + 1 < len(STEPS):
            self.goto(STEPS[i + 1])

    def action_prev_step(self) -> None:
        i = STEPS.index(self.step)
        if i > 0:
            self.goto(STEPS[i - 1])

    def action_switch_pane(self) -> None:
        pane = PANES[(PANES.index(self.pane) + 1) % len(PANES)]
        self.show_pane(pane)
        target = {"archive": FOCUS.get(self.step, "#tweets"), "accounts": "#accounts", "queue": "#queue"}[
            pane
        ]
        if pane == "archive" and LAYOUT[self.step][0] != "archive":
            target = {"overview": "#tweets", "select": "#kind-post", "review": "#items"}[LAYOUT[self.step][1]]
        if pane == "queue" and self.step == Step.REPORT:
            target = "#report-list"
        if pane == "queue" and self.step == Step.AUDIENCE:
            target = "#audience-page"
        with contextlib.suppress(Exception):
            self.query_one(target).focus()

    def action_help(self) -> None:
        from quittex_tui.tui.screens.modals import HelpScreen

        self.app.push_screen(HelpScreen(help_sections()))

    # --- saving --------------------------------------------------------------------------------------
    def save(self) -> None:
        self.session.mark_changed()
        self.save_worker()

    @work(thread=True, group="save", exit_on_error=False)
    def save_worker(self) -> None:
        try:
            self.session.flush()
        except OSError as exc:  # a full disk, a read-only folder: in words (a QuittexError is the app's)
            self.app.call_from_thread(self.show_error, t("error.save", error=str(exc)), "")

    def on_cursor_moved(self, message: CursorMoved) -> None:
        # Moving through 100k rows must not fsync per key press: save the place 0.4 s after it settles.
        if self._cursor_timer is not None:
            self._cursor_timer.stop()
        self._cursor_timer = self.set_timer(0.4, self.save)

    def on_selection_changed(self, message: SelectionChanged) -> None:
        self.save()
        if message.rebuild_plans:
            self.notify(t("plan.rebuilding"))
            self.rebuild_plans()
        else:
            self.refresh_selection_views()

    def refresh_selection_views(self) -> None:
        self.query_one(QueuePane).refresh_queue(rows_changed=False)
        if self.step == Step.SELECT:
            self.query_one(SelectView).sync()
        self.query_one(ReviewView).update_estimate()

    @work(thread=True, exclusive=True, group="plans", exit_on_error=False)
    def rebuild_plans(self, quiet: bool = False) -> None:
        def one_ready(net: str) -> None:  # each network's plan shows as soon as it is made
            if not self.session.plans_complete():
                self.app.call_from_thread(self.plans_ready, quiet=True)

        self.session.build_plans(on_plan=one_ready)  # a failure is the app's dialog (tui/workers.py)
        self.app.call_from_thread(self.plans_ready, quiet=quiet)

    def plans_ready(self, quiet: bool = False) -> None:
        self.query_one(ReviewView).reload()
        self.query_one(QueuePane).refresh_queue()
        self.query_one(SelectView).sync()
        self.load_statuses()
        if not quiet:
            self.notify(t("plan.ready"))

    def show_error(self, message: str, hint: str = "") -> None:
        from quittex_tui.tui.screens.modals import ErrorScreen

        logging.getLogger(__name__).warning("error shown: %s | %s", message, hint.replace("\n", " "))
        self.app.push_screen(ErrorScreen(message, hint))

    # --- accounts ------------------------------------------------------------------------------------
    def on_accounts_changed(self, message: AccountsChanged) -> None:
        self.save()
        self.load_statuses()

    def auto_connect(self) -> None:
        """Reconnect the chosen destinations whose account is saved (secret from the keyring/store)."""
        for name in self.session.active_targets():
            slot = self.session.slots[name]
            if not slot.connected and (name == DRY_RUN or self.query_one(AccountsPane).saved_handle(name)):
                self.reconnect(name, quiet=True)

    def reconnect(self, name: str, *, quiet: bool = False) -> None:
        self.session.slots[name].busy = True
        self.query_one(AccountsPane).refresh_accounts()
        self.run_worker(
            partial(self._connect_job, name, None, quiet),
            thread=True,
            group=f"connect-{name}",
            exit_on_error=False,
        )

    @on(ConnectRequested)
    def _connect_requested(self, message: ConnectRequested) -> None:
        message.stop()
        self.connect_flow(message.name)

    @on(LogoutRequested)
    def _logout_requested(self, message: LogoutRequested) -> None:
        message.stop()
        self.logout_flow(message.name)

    @on(ReconnectRequested)
    def _reconnect_requested(self, message: ReconnectRequested) -> None:
        message.stop()
        self.reconnect(message.name)

    def _connect_job(self, name: str, login: tuple[str, ...] | None, quiet: bool) -> None:
        s = self.session
        try:
            if login is None:
                s.connect(name)
            elif login[-1] == SAVED:  # another Bluesky handle whose app password is already stored
                s.connect(name, handle=login[0], service=login[1])
            elif name == "bluesky":
                s.login_bluesky(*login)
            else:
                s.login_mastodon(*login)
        except AccountConflictError as exc:  # the one-account rule (state.account_conflict), even if quiet
            conflict = exc.conflict
            if not s.slots[name].connected:  # else the account already connected stays in use
                s.slots[name].error = t(
                    "account.conflict_short", recorded=conflict.recorded, current=conflict.current
                )
            account = dict(conflict.given)
            if name == "bluesky" and login is not None:
                account["service"] = login[1] if login[-1] == SAVED else login[2]
            self.app.call_from_thread(self.account_conflict, name, conflict, account)
        except QuittexError as exc:
            s.slots[name].error = exc.message
            if not quiet:
                self.app.call_from_thread(self.show_error, exc.message, exc.hint)
        except Exception as exc:  # a library error we did not classify: show it in words, keep going
            s.slots[name].error = str(exc) or exc.__class__.__name__
            if not quiet:
                self.app.call_from_thread(self.show_error, s.slots[name].error, "")
        finally:
            s.slots[name].busy = False
            self.app.call_from_thread(self.connected, name)

    def connected(self, name: str) -> None:
        slot = self.session.slots[name]
        if slot.connected and name not in self.session.state.targets:
            self.session.state.targets.append(name)
        self.query_one(AccountsPane).refresh_accounts()
        self.save()
        if slot.connected and slot.info is not None and network_of(name) == "mastodon":
            # the instance's own max_characters changes how posts split: rebuild if it differs
            current = self.session.state.options.get("mastodon", {}).get("max_chars")
            if current != slot.info.max_chars:
                self.session.state.options.setdefault("mastodon", {})["max_chars"] = slot.info.max_chars
                self.save()
                self.rebuild_plans()
        self.load_statuses()

    def connect_flow(self, name: str) -> None:
        from quittex_tui.tui.screens.connect import BlueskyLoginScreen, MastodonLoginScreen

        s = self.session
        if name == DRY_RUN:
            self.reconnect(name)
            return

        def done(result: tuple[str, ...] | None) -> None:
            if not result:
                return
            s.slots[name].busy = True
            self.query_one(AccountsPane).refresh_accounts()
            # The state takes the account only once the same-account rule has accepted it (Session.connect).
            self.run_worker(
                partial(self._connect_job, name, result, False),
                thread=True,
                group=f"connect-{name}",
                exit_on_error=False,
            )

        if name == "bluesky":
            acc = s.state.bluesky
            handle, service = (acc.handle, acc.service or "") if acc else ("", "")
            self.app.push_screen(BlueskyLoginScreen(handle, service), done)
        else:
            macc = s.state.mastodon
            self.app.push_screen(MastodonLoginScreen(s, macc.instance if macc else ""), done)

    def logout_flow(self, name: str) -> None:
        """Confirm, then remove the stored secrets of this destination's account (keyring or 0600 file)."""
        from quittex_tui.publish import secrets
        from quittex_tui.tui.screens.modals import ConfirmScreen

        s = self.session
        key, account = None, ""
        if name == "bluesky" and s.state.bluesky:
            account = "@" + s.state.bluesky.handle
            key = secrets.bluesky_key(s.state.bluesky.handle)
        elif name == "mastodon" and s.state.mastodon:
            account = s.state.mastodon.acct or s.state.mastodon.instance
            key = secrets.mastodon_key(s.state.mastodon.instance)
        network = display_name(name)
        if key is None:
            self.notify(t("logout.nothing", network=network), severity="warning")
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._logout_job(name, key)

        body = t("logout.body", account=account, where=secrets.secret_store().where)
        self.app.push_screen(ConfirmScreen(t("logout.title", network=network), body), done)

    @work(thread=True, group="logout", exit_on_error=False)
    def _logout_job(self, name: str, key: str) -> None:
        from quittex_tui.publish import secrets

        found = secrets.delete_secrets(key)  # a failure is the app's dialog (tui/workers.py)
        slot = self.session.slots[name]
        slot.target, slot.info, slot.budget, slot.error = None, None, None, ""
        network = display_name(name)
        message = t("logout.done", network=network) if found else t("logout.nothing", network=network)
        self.app.call_from_thread(self.notify, message + " " + t(f"logout.revoke_{name}"), timeout=8)
        self.app.call_from_thread(self.query_one(AccountsPane).refresh_accounts)

    def account_conflict(self, name: str, conflict: AccountConflict, account: dict[str, str]) -> None:
        """Another account than the one this migration was sent to: offer a separate migration for it."""
        from quittex_tui.tui.screens.modals import ConfirmScreen

        self.query_one(AccountsPane).refresh_accounts()
        words = {"network": display_name(name), "recorded": conflict.recorded, "current": conflict.current}

        def done(yes: bool | None) -> None:
            if yes:
                self.separate_migration(name, conflict.current, account)

        self.app.push_screen(
            ConfirmScreen(t("account.conflict_title", **words), Text(t("account.conflict_body", **words))),
            done,
        )

    @work(thread=True, group="separate", exit_on_error=False)
    def separate_migration(self, name: str, current: str, account: dict[str, str]) -> None:
        s = self.session
        path = s.separate_migration(name, account)  # a failure is the app's dialog (tui/workers.py)
        sources = [Path(p) for p in s.state.archive_paths]

        def reopen() -> None:
            self.notify(t("account.forked", current=current, path=str(path)))
            self.post_message(
                OpenArchive(sources if len(sources) > 1 else sources[0], state_path=path, demo=s.demo)
            )

        self.app.call_from_thread(reopen)

    # --- one writer per migration --------------------------------------------------------------------
    def poll_writers(self) -> None:
        if not any(w.group == "watch" and w.is_running for w in self.workers):
            self.watch_worker()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def watch_worker(self) -> None:
        try:
            events = self.watcher.poll()
        except QuittexError as exc:  # an unreadable journal: say it once, keep the app usable
            for name in self.session.active_targets():
                self.session.slots[name].last_error = exc.message
            return
        if events:
            self.app.call_from_thread(self.writers_changed, events)

    def writers_changed(self, events: list[WatchEvent]) -> None:
        from quittex_tui.tui.screens.modals import ConfirmScreen

        s = self.session
        self.query_one(QueuePane).refresh_queue(rows_changed=False)
        for ev in events:
            slot = s.slots[ev.target]
            words = holder_words(ev.holder) | {"target": display_name(ev.target)}
            if ev.kind == "started":
                self.notify(t("watch.started", **words), timeout=10)
            elif ev.kind == "ended":
                values = list(slot.statuses.values())
                sent, total = values.count("sent"), len(values)
                left = total - sent - values.count("failed")
                if self.step == Step.REPORT:
                    self.collect_reports()
                if left <= 0 or not slot.connected:
                    self.notify(t("watch.ended_done", sent=number(sent), total=number(total), **words))
                    continue

                def done(yes: bool | None, name: str = ev.target) -> None:
                    if yes and not self.session.slots[name].running:
                        self.run_targets([name])

                body = t(
                    "watch.ended_body", sent=number(sent), total=number(total), left=number(left), **words
                )
                self.app.push_screen(ConfirmScreen(t("watch.ended_title", **words), Text(body)), done)
        self.refresh_bindings()

    def migration_busy(self, name: str, exc: MigrationBusy, this_migration: bool) -> None:
        """A run refused by the writer locks, in the app's words: this migration runs elsewhere (watched
        from now on), or another migration (another state file) writes to the same account."""
        words = holder_words(exc.holder) | {"target": display_name(name)}
        if this_migration:
            self.show_error(
                t("watch.busy_title", **words), t("watch.busy_body", **words) + "\n\n" + t("watch.busy_hint")
            )
            self.poll_writers()
        else:
            self.show_error(exc.message, t("watch.account_busy_hint", **words))

    # --- migration -----------------------------------------------------------------------------------
    @work(thread=True, group="statuses", exit_on_error=False)
    def load_statuses(self) -> None:
        s = self.session
        for name in s.active_targets():
            slot = s.slots[name]
            if slot.running or slot.elsewhere is not None:  # their statuses come from the run / the watch
                continue
            try:
                statuses = s.load_statuses(name)
            except QuittexError as exc:
                slot.last_error = exc.message
                continue
            if not slot.running and slot.elsewhere is None:  # neither began while we were reading
                slot.statuses = statuses
        self.app.call_from_thread(self.query_one(QueuePane).refresh_queue, rows_changed=False)

    def start_migration(self, *, retry_failed: bool = False) -> None:
        from quittex_tui.tui.screens.modals import ConfirmScreen

        s = self.session
        targets = [n for n in s.active_targets() if not s.slots[n].running]
        if not s.plans_complete():  # a big archive's plans are still being made (a worker): wait for them
            self.notify(t("preview.building"), severity="warning")
            return
        elsewhere = [n for n in s.active_targets() if s.slots[n].elsewhere is not None]
        targets = [n for n in s.active_targets() if not s.slots[n].running and n not in elsewhere]
        if not s.active_targets():
            self.notify(t("migrate.no_target"), severity="warning")
            return
        if elsewhere:  # read-only here while another process sends them
            self.notify(
                t("watch.cannot_start", targets=", ".join(display_name(n) for n in elsewhere)),
                severity="warning",
            )
            if not targets:
                return
        if not targets:
            self.notify(t("migrate.already_running"))
            return
        if self._refuse_unconnected(targets):
            return
        body = Text()
        total_posts = 0
        selected = [r for r in s.rows if s.is_included(r)]
        for name in targets:
            slot = s.slots[name]
            net = network_of(name)
            wanted = ("planned", "failed") if retry_failed else ("planned",)
            todo = [r for r in selected if slot.statuses.get(r.id, "planned") in wanted]
            posts = sum(r.posts.get(net, 0) for r in todo)
            total_posts += posts
            from quittex_tui.publish.engine import estimate_duration

            body.append(display_name(name) + colon(), style="bold")
            body.append(
                t(
                    "migrate.confirm_line",
                    items=number(len(todo)),
                    posts=number(posts),
                    time=duration(estimate_duration(posts, net)),
                )
                + "\n"
            )
        body.append("\n" + t("migrate.confirm_note"))
        if total_posts == 0:
            self.notify(t("migrate.nothing"), severity="warning")
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_targets(targets, retry_failed=retry_failed)

        self.app.push_screen(ConfirmScreen(t("migrate.confirm_title"), body), done)

    # --- the Queue pane's keys (the screen owns the workers) -----------------------------------------
    def action_start(self) -> None:
        self.start_migration()

    def action_pause(self) -> None:
        self.pause_migration()

    def action_retry(self) -> None:
        self.start_migration(retry_failed=True)

    def action_export(self) -> None:
        self.export_report()

    def action_resend_unsure(self) -> None:
        """Posts the engine could not tell sent or not (reconciliation said UNSURE): the user looks at the
        account, then answers — send them again, or leave them (they stay failed; Review's key 4 leaves
        an item out). The CLI's `migrate --retry-failed --resend-unsure`, by keyboard."""
        from quittex_tui.tui.screens.modals import ConfirmScreen

        s = self.session
        unsure = {
            n: s.slots[n].unsure()
            for n in s.active_targets()
            if not s.slots[n].running and s.slots[n].elsewhere is None
        }
        unsure = {n: items for n, items in unsure.items() if items}
        if not unsure:
            self.notify(t("unsure.none"))
            return
        if self._refuse_unconnected(list(unsure)):
            return
        body = Text()
        for name, items in unsure.items():
            body.append(t("unsure.line", network=display_name(name), n=number(len(items))) + "\n")
        body.append("\n" + t("unsure.body"))

        def done(yes: bool | None) -> None:
            if yes:
                self.run_targets(list(unsure), retry_failed=True, resend_unsure=True)
            else:
                self.notify(t("unsure.left"))

        self.app.push_screen(
            ConfirmScreen(t("unsure.title"), body, yes=t("unsure.yes"), no=t("unsure.no")), done
        )

    def run_targets(
        self, targets: list[str], *, retry_failed: bool = False, resend_unsure: bool = False
    ) -> None:
        if self.step != Step.MIGRATE:
            self.goto(Step.MIGRATE)
        current = self.query_one("#queue", ItemList).current
        self._following = current.id if current else None
        for name in targets:
            slot = self.session.slots[name]
            slot.running = True
            slot.last_error = ""
            slot.stop.clear()
            self.run_worker(
                partial(self._migrate_job, name, retry_failed, resend_unsure),
                thread=True,
                group=f"migrate-{name}",
                name=f"migrate-{name}",
                exit_on_error=False,
            )
        self.query_one(QueuePane).update_progress()

    def _migrate_job(self, name: str, retry_failed: bool, resend_unsure: bool = False) -> None:
        s = self.session

        def on_event(event: EngineEvent) -> None:
            self.post_message(EngineUpdate(name, event))

        report = None
        try:
            report = s.run(name, on_event, retry_failed=retry_failed, resend_unsure=resend_unsure)
            s.collect_report(name)
        except MigrationBusy as exc:  # another process holds this migration's (or this account's) lock
            this_migration = self.watcher.writer_elsewhere(name) is not None
            self.app.call_from_thread(self.migration_busy, name, exc, this_migration)
        finally:  # any other failure is the app's dialog (tui/workers.py); the run ends either way
            self.post_message(RunFinished(name, report))

    def on_engine_update(self, message: EngineUpdate) -> None:
        slot = self.session.slots[message.target]
        ev = message.event
        slot.progress = ev.progress
        # reconciliation: the engine asks the server what is already there before sending (it can take
        # a while on a big account): the queue says so instead of looking frozen
        slot.checking = say(ev.message) if ev.kind == EventKind.CHECKING else ""
        if ev.item_id:
            if ev.kind == EventKind.ITEM_STARTED:
                slot.statuses[ev.item_id] = "sending"
                self.query_one(QueuePane).follow(ev.item_id, self._following)
                self._following = ev.item_id
            elif ev.kind == EventKind.ITEM_SENT:
                slot.statuses[ev.item_id] = "sent"
            elif ev.kind == EventKind.ITEM_FAILED:
                slot.statuses[ev.item_id] = "failed"
                slot.last_error = say(ev.message)  # the engine's words, in the TUI's language and terms
                reason = ev.params.get("reason")
                slot.failure_words[ev.item_id] = reason if isinstance(reason, str) else ""
        video_wait = ev.kind == EventKind.WAITING and ev.progress.next_video_at is not None
        if ev.kind in (EventKind.WAITING, EventKind.RETRYING) and not video_wait:
            # (waiting for the daily video limit is no error: the queue says it)
            slot.last_error = say(ev.message)
        self.query_one(QueuePane).refresh_queue(rows_changed=False)
        if ev.kind == EventKind.ITEM_SENT and ev.item_id:
            self.session.state.cursor["queue"] = ev.item_id

    def _refuse_unconnected(self, targets: list[str]) -> bool:
        """Say which of `targets` has no connected account (nothing can be sent there); True if any."""
        session = self.session
        missing = [n for n in targets if not session.slots[n].connected]
        if missing:
            self.notify(
                t("migrate.not_connected", targets=", ".join(display_name(n) for n in missing)),
                severity="error",
            )
        return bool(missing)

    def on_run_finished(self, message: RunFinished) -> None:
        slot = self.session.slots[message.target]
        slot.running = False
        slot.checking = ""
        if message.report is None:  # the app's dialog (or the writer lock's) says why
            slot.last_error = t("migrate.stopped", target=display_name(message.target))
        elif not slot.stop.is_set():
            rep = message.report
            self.notify(
                t(
                    "migrate.done",
                    target=display_name(message.target),
                    sent=number(rep.published),
                    failed=number(len(rep.failed)),
                )
            )
        pane = self.query_one(QueuePane)
        pane.refresh_queue(rows_changed=False)
        if self.step == Step.REPORT:
            pane.refresh_report()
        self.save()

    def pause_migration(self) -> None:
        s = self.session
        elsewhere = [n for n in s.active_targets() if s.slots[n].elsewhere is not None]
        if elsewhere:
            self.notify(
                t("watch.cannot_pause", targets=", ".join(display_name(n) for n in elsewhere)),
                severity="warning",
            )
        running = [n for n in s.active_targets() if s.slots[n].running]
        if running:
            for name in running:
                s.slots[name].stop.set()
            self.notify(t("migrate.pausing"))
            self.query_one(QueuePane).update_progress()
            return
        paused = [n for n in s.active_targets() if s.slots[n].stop.is_set() and n not in elsewhere]
        if paused:
            self.run_targets(paused)
        elif not elsewhere:
            self.notify(t("migrate.not_running"))

    # --- report --------------------------------------------------------------------------------------
    @work(thread=True, group="report", exit_on_error=False)
    def collect_reports(self) -> None:
        for name in self.session.active_targets():
            self.session.collect_report(name)
        self.app.call_from_thread(self.query_one(QueuePane).refresh_report)

    @work(thread=True, group="report", exit_on_error=False)
    def export_report(self) -> None:
        s = self.session
        try:
            for name in s.active_targets():
                s.collect_report(name)
            md, csv_path = s.export_report()
        except OSError as exc:
            self.app.call_from_thread(self.show_error, t("error.export", error=str(exc)), "")
            return
        self.app.call_from_thread(self.query_one(QueuePane).refresh_report, (str(md), str(csv_path)))
        self.app.call_from_thread(self.notify, t("report.exported_short", path=str(md.parent)))
        for path in (md, csv_path):  # served in a browser tab: the files arrive as downloads too
            self.post_message(ExportWritten(path))

    # --- quit ----------------------------------------------------------------------------------------
    def stop_everything(self) -> None:
        for slot in self.session.slots.values():
            slot.stop.set()
        self.session.audience.stop_follows()  # between two writes (journalled: nothing lost)
        self.session.mark_changed()
        self.session.flush()

    def focus_first_checkbox(self) -> None:
        self.query(Checkbox).first().focus()

    def items_list(self) -> ItemList:
        return self.query_one("#items", ItemList)


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    from quittex_tui.tui.screens.edit import EditScreen

    def keys_of(bindings: list, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        out = []
        for b in bindings:
            desc = b.description
            if not desc:
                continue
            key = "/".join(display_key(k) for k in b.key.split(","))
            out.append((key, t(desc) if desc.startswith("key.") else desc))
        return out + (extra or [])

    goto = [(f"1-{len(STEPS)}", t("key.goto"))]
    main = [b for b in MainScreen.BINDINGS if isinstance(b, Binding) and not b.action.startswith("goto")]
    return [
        (
            t("help.global"),
            keys_of(main, [*goto, (display_key("tab"), t("key.tab")), ("ctrl+c/ctrl+q", t("key.quit"))]),
        ),
        (t("help.lists"), keys_of(list(ItemList.BINDINGS))),
        (t("pane.archive"), keys_of(list(OverviewView.BINDINGS))),
        (t("pane.accounts"), keys_of(list(AccountsPane.BINDINGS))),
        (t("step.select"), [(display_key("space"), t("key.check"))]),
        (t("step.review"), keys_of(list(ReviewView.BINDINGS))),
        (t("pane.queue"), keys_of(list(QueuePane.BINDINGS))),
        (t("step.audience"), keys_of(list(AudienceView.BINDINGS), [("B. M.", t("aud.legend"))])),
        (t("help.edit"), keys_of(list(EditScreen.BINDINGS))),
    ]


def display_key(key: str) -> str:
    """A key as the help names it, in the user's language ("ctrl+b", "espace", "pg suiv")."""
    *modifiers, name = key.split("+")
    name = {"question_mark": "?", "slash": "/"}.get(name, name)
    if has_key(f"keyname.{name}"):
        name = t(f"keyname.{name}")
    return "+".join([*modifiers, name])
