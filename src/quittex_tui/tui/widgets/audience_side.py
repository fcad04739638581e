"""Audience step, Queue pane: the follow runs with live progress, the Mastodon CSV written, the profile that
will be carried (name and bio per network with their counters) and the announcement to copy (OSC 52).
It only shows what the model holds; the keys go to the main screen like the people list's."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from quittex_tui.networks import NETWORKS, display_name
from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import colon, datetime_short, language, number, t, translate_bindings
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import Session
from quittex_tui.tui.widgets.audience_view import VIEW_BINDINGS
from quittex_tui.tui.widgets.chart import progress_bar


class AudienceSide(VerticalScroll, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        *VIEW_BINDINGS,
        Binding("j,down", "scroll_down", show=False),
        Binding("k,up", "scroll_up", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(id="aud-follow")
        yield Static(id="aud-log")
        yield Static(id="aud-files")
        yield Static(id="aud-announce")
        yield Static(id="aud-profile")

    def refresh_all(self) -> None:
        self.refresh_follows()
        self.refresh_files()
        self.refresh_profile()
        self.refresh_announce()

    def refresh_follows(self) -> None:
        m = self.session.audience
        text = Text()
        text.append(t("aud.follows_title") + "\n", style="bold underline")
        for net in NETWORKS:
            run = m.follows[net]
            accepted = m.follow_count(net) if m.loaded else 0
            text.append(f"{display_name(net):<9} ", style="bold")
            if run.total or run.running:
                done = run.followed + run.already + run.failed
                text.append(progress_bar(done, max(run.total, 1), 12))
                text.append(
                    " "
                    + t(
                        "aud.follow_counts",
                        followed=number(run.followed),
                        already=number(run.already),
                        failed=number(run.failed),
                        total=number(run.total),
                    )
                )
                if run.running and run.waiting_until is not None:
                    text.append(" · " + t("aud.waiting", time=datetime_short(run.waiting_until)))
                elif run.running:
                    text.append(" · " + t("queue.running"), style="bold")
                elif run.report is not None and run.report.remaining:
                    text.append(" · " + t("aud.follow_paused", n=number(run.report.remaining)))
                else:
                    text.append(" · " + t("queue.finished"))
            else:
                text.append(t("aud.accepted_n", n=number(accepted)))
                if not self.session.slots[net].connected:
                    text.append(" · " + t("queue.not_connected"), style="italic")
            text.append("\n")
            if run.error:
                text.append(t("queue.last_error", error=for_display(run.error)) + "\n", style="bold red")
        text.rstrip()
        self.query_one("#aud-follow", Static).update(text)
        log = self.query_one("#aud-log", Static)
        log.update(Text(for_display("\n".join(list(m.log)[-5:])), style="dim"))
        log.display = bool(m.log)

    def refresh_files(self) -> None:
        m = self.session.audience
        text = Text()
        text.append(t("aud.csv_title") + "\n", style="bold underline")
        n = len(m.mastodon_addresses())
        text.append(t("aud.csv_pending", n=number(n)) + "\n")
        if m.csv_path is not None:
            text.append(
                t("aud.csv_written", n=number(m.csv_count), path=for_display(str(m.csv_path))) + "\n",
                style="bold",
            )
        text.rstrip()
        self.query_one("#aud-files", Static).update(text)

    def refresh_profile(self) -> None:
        m = self.session.audience
        text = Text()
        text.append(t("aud.profile_title") + "\n", style="bold underline")
        fields = m.profile_fields()
        name = fields["bluesky"]["name"]
        text.append(t("aud.profile_name") + colon(), style="dim")
        text.append(for_display(name) + "\n")
        text.append(t("aud.profile_bio") + colon(), style="dim")
        text.append(for_display(fields["bluesky"]["bio"]) + "\n")
        for net in NETWORKS:
            f = fields[net]
            text.append(f"{display_name(net):<9} ", style="bold")
            text.append(
                t(
                    f"aud.profile_counts_{f['unit']}",
                    name=f["name_n"],
                    name_max=f["name_max"],
                    bio=f["bio_n"],
                    bio_max=f["bio_max"],
                )
            )
            state = m.profile_done.get(net)
            if state == "":
                text.append(" · " + t("aud.profile_set"), style="bold")
            elif state:
                text.append(" · " + for_display(state), style="bold red")
            text.append("\n")
        pictures = m.pictures()
        if pictures:
            text.append(
                t("aud.profile_pictures", what=", ".join(t(f"aud.picture_{p}") for p in pictures)) + "\n",
                style="dim",
            )
        text.rstrip()
        self.query_one("#aud-profile", Static).update(text)

    def refresh_announce(self) -> None:
        m = self.session.audience
        texts, example = m.announcements(language())
        current = m.announce_index % len(texts)
        text = Text()
        text.append(t("aud.announce_title") + "\n", style="bold underline")
        if example:
            text.append(t("aud.announce_example") + "\n", style="italic")
        for i, (where, body) in enumerate(texts):
            pointer = ">" if i == current else " "
            style = "bold" if i == current else "dim"
            text.append(f"{pointer} {t(f'aud.for_{where}')}{colon()}", style=style)
            text.append(for_display(body) + "\n")
        text.append(t("aud.announce_keys"), style="dim")
        self.query_one("#aud-announce", Static).update(text)
