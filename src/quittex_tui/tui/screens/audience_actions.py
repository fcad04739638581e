"""The Audience step's actions and workers, mixed into the main screen (which owns every worker).

Keys reach `action_audience(what)` from the people list and from the Queue pane's Audience page. Each
decision is written to the TOML state at once (MainScreen.save: atomic, in a worker). Network work —
searching, following, writing the profile — runs in thread workers and reports through typed messages
(tui/messages.py: SearchProgress, SearchFinished, FollowProgress…); a worker's failure is the app's error
dialog (tui/workers.py). Follows and the profile ask for confirmation first, with the count. The Mastodon
CSV and the announcement need no account, so the demo shows them too.

The mixin is typed against `AudienceHost`, the few things it needs from the screen it is mixed into
(MainScreen); the rest is Textual's DOMNode API.
"""

from __future__ import annotations

import contextlib
import os
from functools import partial
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual import on

from quittex_tui import audience
from quittex_tui.errors import QuittexError
from quittex_tui.i18n import say
from quittex_tui.networks import NETWORKS, display_name
from quittex_tui.state import Step
from quittex_tui.tui.i18n import colon, language, number, t
from quittex_tui.tui.messages import (
    AudienceLoaded,
    ExportWritten,
    FollowFinished,
    FollowProgress,
    ProfileWritten,
    SearchFinished,
    SearchProgress,
)
from quittex_tui.tui.widgets.item_list import ItemList
from quittex_tui.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from quittex_tui.audience.follows import FollowEvent
    from quittex_tui.tui.audience_model import AudienceModel, PersonRow
    from quittex_tui.tui.session import Session
    from quittex_tui.tui.widgets.audience_side import AudienceSide
    from quittex_tui.tui.widgets.audience_view import AudienceView

NETS = NETWORKS


class AudienceHost(Protocol):
    """What the Audience actions need from the screen they are mixed into (MainScreen)."""

    session: Session
    step: Step

    def save(self) -> None: ...
    def show_error(self, message: str, hint: str = "") -> None: ...
    def show_pane(self, pane: str) -> None: ...
    def goto(self, step: Step) -> None: ...


if TYPE_CHECKING:
    _Host = AudienceHost  # type checkers see the host's members (abstract until MainScreen defines them)
else:
    _Host = object  # at run time a plain mixin


class AudienceActions(ReportsWorkerErrors, _Host):
    """Mixin for MainScreen: the Audience step's keys, workers and their messages."""

    # --- helpers -------------------------------------------------------------------------------------
    @property
    def audience_model(self) -> AudienceModel:
        return self.session.audience

    def audience_view(self) -> AudienceView:
        from quittex_tui.tui.widgets.audience_view import AudienceView

        return self.query_one(AudienceView)

    def audience_side(self) -> AudienceSide:
        from quittex_tui.tui.widgets.audience_side import AudienceSide

        return self.query_one(AudienceSide)

    def audience_enter(self) -> None:
        """Opening the step: read the people once (a worker: big archives have many mentions)."""
        if self.audience_model.loaded:
            self.audience_refresh(reload=True)
            return
        self.audience_view().update_note()
        self.run_worker(self._audience_load_job, thread=True, group="audience-load", exit_on_error=False)

    def _audience_load_job(self, handles_file: str | None = None) -> None:
        try:
            self.audience_model.load(handles_file)
        finally:  # a failure is the app's dialog (tui/workers.py); the view stops saying "reading…"
            self.post_message(AudienceLoaded())

    def audience_refresh(self, *, reload: bool = False) -> None:
        view = self.audience_view()
        if reload:
            view.reload()
        else:
            view.refresh_rows()
            view.update_note()
        self.audience_side().refresh_all()

    def audience_changed(self) -> None:
        """A decision changed: save the state now, redraw the line and the counts."""
        self.save()
        model = self.audience_model
        if model.filter != "all":
            self.audience_refresh(reload=True)
        else:
            self.audience_refresh()

    # --- the one entry point for the keys -----------------------------------------------------------
    def action_audience(self, what: str) -> None:
        if getattr(self, "step", None) != Step.AUDIENCE:
            return
        model = self.audience_model
        if not model.loaded and what != "copy":
            self.notify(t("aud.loading"))
            return
        handler = getattr(self, f"_aud_{what}", None)
        if handler is not None:
            handler()

    def audience_command(self, what: str) -> None:
        """From the command palette: open the Audience step, then act (once the people are read)."""
        self.goto(Step.AUDIENCE)
        self.action_audience(what)

    def _current_person(self) -> PersonRow | None:
        row = self.audience_view().current
        if row is None:
            self.notify(t("aud.none_selected"), severity="warning")
        return row

    def _aud_accept(self) -> None:
        row = self._current_person()
        if row is None:
            return
        cand = self.audience_model.accept(row.id)
        if cand is None:
            self._aud_type()
            return
        self.audience_view().query_one("#people", ItemList).action_cursor(1)
        self.audience_changed()

    def _aud_reject(self) -> None:
        row = self._current_person()
        if row is None:
            return
        self.audience_model.reject(row.id)
        self.audience_view().query_one("#people", ItemList).action_cursor(1)
        self.audience_changed()

    def _aud_clear(self) -> None:
        row = self._current_person()
        if row is None:
            return
        self.audience_model.clear(row.id)
        self.audience_changed()

    def _aud_other(self) -> None:
        row = self._current_person()
        if row is None:
            return
        model = self.audience_model
        if len(model.candidates(row.id)) < 2:
            self.notify(t("aud.no_other"), severity="warning")
            return
        model.cycle_choice(row.id)
        decided = model.decision(row.id)
        if decided is not None and decided.decision == "accepted":
            model.accept(row.id)  # choosing another candidate of an accepted person changes the match
            self.save()
        self.audience_refresh()

    def _aud_type(self) -> None:
        from quittex_tui.tui.screens.modals import PromptScreen

        row = self._current_person()
        if row is None:
            return
        model = self.audience_model
        decided = model.decision(row.id)
        who = f"@{row.person.x_handle}" if row.person.x_handle else t("aud.unknown")

        def done(value: str | None) -> None:
            if not value:
                return
            try:
                net, canonical = model.accept_typed(row.id, value)
            except QuittexError:
                self.notify(t("aud.type_invalid", value=value), severity="error")
                return
            if net != model.network:
                model.network = net
                self.notify(t("aud.switched", network=display_name(net)))
            self.notify(t("aud.accepted_typed", who=who, account=canonical))
            self.save()
            self.audience_refresh(reload=True)
            self.audience_view().query_one("#people", ItemList).action_cursor(1)  # to the next, as `a` does

        self.app.push_screen(
            PromptScreen(
                t("aud.type_title", who=who),
                t("aud.type_label"),
                value=(decided.handle or "") if decided else "",
            ),
            done,
        )

    def _aud_filter(self) -> None:
        from quittex_tui.tui.audience_model import FILTERS

        model = self.audience_model
        model.filter = FILTERS[(FILTERS.index(model.filter) + 1) % len(FILTERS)]
        self.save()
        self.audience_refresh(reload=True)

    def _aud_network(self) -> None:
        model = self.audience_model
        model.network = NETS[(NETS.index(model.network) + 1) % len(NETS)]
        self.save()
        self.audience_refresh(reload=True)

    def _aud_strong(self) -> None:
        model = self.audience_model
        n = model.accept_strong()
        if n:
            self.audience_changed()
        self.notify(t("aud.strong_done", n=number(n), network=display_name(model.network)))

    # --- search (worker) -----------------------------------------------------------------------------
    def _aud_search(self) -> None:
        model = self.audience_model
        net = model.network
        if not model.can_search(net):
            self.notify(t("aud.need_account", network=display_name(net)), severity="warning")
            return
        run = model.search[net]
        if run.running:
            return
        run.running, run.error, run.fraction, run.message = True, "", 0.0, ""
        self.audience_view().update_note()
        self.run_worker(
            partial(self._audience_search_job, net),
            thread=True,
            group=f"audience-search-{net}",
            exit_on_error=False,
        )

    def _audience_search_job(self, net: str) -> None:
        def progress(message: str, fraction: float) -> None:
            self.post_message(SearchProgress(net, message, fraction))

        found = None
        error = ""
        try:
            found = self.audience_model.find(net, progress)
        except QuittexError as exc:  # the server's or the account's fault: said in the view's note
            error = f"{say(exc.message)} {say(exc.hint)}".strip()
        finally:  # anything else is a bug: the app's dialog (tui/workers.py); the search stops either way
            self.post_message(SearchFinished(net, found, error))

    # --- follow (worker) -----------------------------------------------------------------------------
    def _aud_follow(self) -> None:
        from quittex_tui.tui.screens.modals import ConfirmScreen

        model = self.audience_model
        net = model.network
        if model.follows[net].running:
            model.follows[net].stop.set()  # this network's run only
            self.notify(t("aud.follow_stopping"))
            return
        n = model.follow_count(net)
        if n == 0:
            self.notify(t("aud.follow_nothing", network=display_name(net)), severity="warning")
            return
        if not self.session.slots[net].connected:
            self.notify(t("aud.need_account", network=display_name(net)), severity="warning")
            return
        body = Text(t(f"aud.follow_confirm_{net}", n=number(n)) + "\n\n" + t("aud.follow_note"))

        def done(yes: bool | None) -> None:
            if yes:
                self._audience_start_follow(net, n)

        title = t("aud.follow_title", n=number(n), network=display_name(net))
        self.app.push_screen(ConfirmScreen(title, body), done)

    def _audience_start_follow(self, net: str, n: int) -> None:
        from quittex_tui.tui.audience_model import FollowRun

        model = self.audience_model
        model.follows[net] = FollowRun(total=n, running=True)
        self.show_pane("queue")
        self.audience_side().refresh_follows()
        self.run_worker(
            partial(self._audience_follow_job, net),
            thread=True,
            group=f"audience-follow-{net}",
            exit_on_error=False,
        )

    def _audience_follow_job(self, net: str) -> None:
        def progress(event: FollowEvent) -> None:
            self.post_message(FollowProgress(net, event))

        report = None
        try:
            report = self.audience_model.run_follows(net, progress)
        finally:  # a failure is the app's dialog (tui/workers.py); the run ends either way
            self.post_message(FollowFinished(net, report))

    # --- Mastodon CSV --------------------------------------------------------------------------------
    def _aud_export(self) -> None:
        model = self.audience_model
        if not model.mastodon_addresses():
            self.notify(t("aud.csv_nothing"), severity="warning")
            return
        try:
            path, n = model.export_csv()
        except QuittexError as exc:
            self.show_error(exc.message, exc.hint)
            return
        self.notify(t("aud.csv_written", n=number(n), path=str(path)))
        self.app.post_message(ExportWritten(path))  # served: a download in the browser
        self.audience_side().refresh_files()

    # --- profile (worker) ----------------------------------------------------------------------------
    def _aud_profile(self) -> None:
        from quittex_tui.tui.screens.modals import ConfirmScreen

        model = self.audience_model
        nets = [n for n in NETS if self.session.slots[n].connected]
        if not nets:
            self.notify(t("aud.profile_need_account"), severity="warning")
            return
        fields = model.profile_fields()
        body = Text()
        for net in nets:
            f = fields[net]
            body.append(display_name(net) + "\n", style="bold")
            body.append(
                f"{t('aud.profile_name')}{colon()}{f['name']}\n{t('aud.profile_bio')}{colon()}{f['bio']}\n"
            )
            body.append(
                t(
                    f"aud.profile_counts_{f['unit']}",
                    name=f["name_n"],
                    name_max=f["name_max"],
                    bio=f["bio_n"],
                    bio_max=f["bio_max"],
                )
                + "\n\n"
            )
        pictures = model.pictures()
        if pictures:
            body.append(t("aud.profile_pictures", what=", ".join(t(f"aud.picture_{p}") for p in pictures)))

        def done(yes: bool | None) -> None:
            if yes:
                for net in nets:
                    self.run_worker(
                        partial(self._audience_profile_job, net),
                        thread=True,
                        group=f"audience-profile-{net}",
                        exit_on_error=False,
                    )

        self.app.push_screen(ConfirmScreen(t("aud.profile_confirm"), body), done)

    def _audience_profile_job(self, net: str) -> None:
        error = t("aud.profile_not_written")
        try:
            self.audience_model.apply_profile(net)
            error = ""
        finally:  # a failure is the app's dialog (tui/workers.py); the side pane says it was not written
            self.post_message(ProfileWritten(net, error))

    # --- announcement --------------------------------------------------------------------------------
    def _aud_announce_next(self) -> None:
        self.audience_model.announce_index += 1
        self.audience_side().refresh_announce()

    def _aud_copy(self) -> None:
        where, text = self.audience_model.current_announcement(language())
        app = self.app
        app.copy_to_clipboard(text)  # OSC 52 (audience/announce.py): reaches the local clipboard over SSH
        if os.environ.get("TMUX"):
            # tmux swallows a bare OSC 52 unless `set-clipboard on`; the DCS-wrapped form passes with
            # `allow-passthrough on` (audience.osc52 builds it). Textual has no public way to write raw
            # output, so use the same driver its copy_to_clipboard writes to.
            driver = getattr(app, "_driver", None)
            if driver is not None:
                with contextlib.suppress(ValueError):  # too long for a terminal: the plain copy stands
                    driver.write(audience.osc52(text, tmux=True))
        self.notify(t("aud.copied", where=t(f"aud.for_{where}")))

    # --- handles file --------------------------------------------------------------------------------
    def _aud_handles(self) -> None:
        from quittex_tui.tui.screens.modals import PromptScreen

        model = self.audience_model

        def done(value: str | None) -> None:
            if value is None:
                return
            model.loaded = False
            self.audience_view().update_note()
            self.run_worker(
                partial(self._audience_load_job, value),
                thread=True,
                group="audience-load",
                exit_on_error=False,
            )

        self.app.push_screen(
            PromptScreen(t("aud.handles_title"), t("aud.handles_label"), value=model.handles_file), done
        )

    # --- worker reports ------------------------------------------------------------------------------
    @on(AudienceLoaded)
    def _audience_loaded(self) -> None:
        self.audience_model.loaded = True  # also after a failure (its dialog is shown): no endless "reading"
        self.save()
        self.audience_refresh(reload=True)

    @on(SearchProgress)
    def _audience_search_progress(self, message: SearchProgress) -> None:
        run = self.audience_model.search[message.network]
        run.message, run.fraction = message.message, message.fraction
        self.audience_view().update_note()

    @on(SearchFinished)
    def _audience_search_finished(self, message: SearchFinished) -> None:
        model, net = self.audience_model, message.network
        search = model.search[net]
        search.running = False
        if message.found is None:
            search.error = message.error or t("aud.search_not_done")
        else:
            found = message.found
            model.set_found(net, found)
            strong = sum(1 for s in found.values() if s.best is not None)
            self.notify(
                t(
                    "aud.search_done",
                    network=display_name(net),
                    n=number(sum(1 for s in found.values() if s.candidates)),
                    strong=number(strong),
                )
            )
        self.audience_refresh(reload=True)

    @on(FollowProgress)
    def _audience_follow_progress(self, message: FollowProgress) -> None:
        self._audience_follow_event(message.network, message.event)

    @on(FollowFinished)
    def _audience_follow_finished(self, message: FollowFinished) -> None:
        net = message.network
        follow = self.audience_model.follows[net]
        follow.running = False
        follow.waiting_until = None
        rep = message.report
        if rep is None:  # the app's dialog says why
            follow.error = t("aud.follow_failed", network=display_name(net))
        else:
            follow.report = rep
            follow.followed, follow.already, follow.failed = rep.followed, rep.already, len(rep.failed)
            self.notify(
                t(
                    "aud.follow_done",
                    network=display_name(net),
                    followed=number(rep.followed),
                    already=number(rep.already),
                    failed=number(len(rep.failed)),
                )
            )
        self.audience_side().refresh_follows()

    @on(ProfileWritten)
    def _audience_profile_written(self, message: ProfileWritten) -> None:
        net = message.network
        self.audience_model.profile_done[net] = message.error
        if not message.error:
            self.notify(t("aud.profile_done", network=display_name(net)))
        self.audience_side().refresh_profile()

    def _audience_follow_event(self, net: str, ev: FollowEvent) -> None:
        run = self.audience_model.follows[net]
        action = ev.task.action if ev.task is not None else ""
        if ev.kind == "done" and action == "follow":
            run.followed += 1
        elif ev.kind == "already" and action == "follow":
            run.already += 1
        elif ev.kind == "failed":
            run.failed += 1
        run.waiting_until = ev.waiting_until if ev.kind == "waiting" else None
        handle = ev.task.handle if ev.task is not None else ""
        if ev.kind in ("done", "already") and action == "follow":
            line = t(f"aud.event_{ev.kind}", who=handle)
        else:  # failures and waits: the runner's words (with the reason / the time), in the TUI's language
            line = say(ev.message)
        self.audience_model.log.append(line)
        self.audience_side().refresh_follows()
