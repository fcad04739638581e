"""Audience step, left pane: the people of the archive (follows first, then followers, blocks, mutes) with
their X handle or "unknown", the decision per network, and for the highlighted person the candidates on
the current network with their score and reasons. Keys act through the main screen (`audience(...)`),
which owns the workers and saves every decision to the state at once (screens/audience_actions.py)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll

from quittex_tui.i18n import say
from quittex_tui.networks import NETWORKS, display_name
from quittex_tui.textsafe import for_display
from quittex_tui.tui.audience_model import AudienceModel, PersonRow, reason_key
from quittex_tui.tui.i18n import colon, number, t, translate_bindings
from quittex_tui.tui.messages import CursorMoved
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import Session
from quittex_tui.tui.widgets.chart import progress_bar
from quittex_tui.tui.widgets.item_list import ItemList

MARK = {"accepted": "+", "rejected": "x", "strong": "!", "ambiguous": "?", "candidates": "?", "none": "."}
NET_LETTER = {"bluesky": "B", "mastodon": "M"}

# Keys shared by the people list and the Audience page of the Queue pane (screen-level actions).
VIEW_BINDINGS: list[BindingType] = [
    Binding("s", "screen.audience('search')", "key.aud_search"),
    Binding("A", "screen.audience('strong')", "key.aud_strong"),
    Binding("F", "screen.audience('follow')", "key.aud_follow"),
    Binding("e", "screen.audience('export')", "key.aud_export"),
    Binding("y", "screen.audience('copy')", "key.aud_copy"),
    Binding("t", "screen.audience('network')", "key.aud_network", show=False),
    Binding("P", "screen.audience('profile')", "key.aud_profile", show=False),
    Binding("i", "screen.audience('announce_next')", "key.aud_announce_next", show=False),
    Binding("H", "screen.audience('handles')", "key.aud_handles", show=False),
]


def reason_text(reason: str) -> str:
    found = reason_key(reason)
    return t(found[0], **found[1]) if found else reason


class AudienceView(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "screen.audience('accept')", "key.aud_accept"),
        Binding("x", "screen.audience('reject')", "key.aud_reject"),
        Binding("o", "screen.audience('other')", "key.aud_other"),
        Binding("enter", "screen.audience('type')", "key.aud_type"),
        Binding("u", "screen.audience('clear')", "key.aud_clear", show=False),
        Binding("f", "screen.audience('filter')", "key.aud_filter"),
        *VIEW_BINDINGS,
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        translate_bindings(self)

    @property
    def model(self) -> AudienceModel:
        return self.session.audience

    def compose(self) -> ComposeResult:
        yield Static(id="audience-bar")
        yield Static(id="audience-note")
        yield ItemList(self.line, dim=self.dim, id="people", empty_key="aud.empty")
        with VerticalScroll(id="person-detail-box"):
            yield Static(id="person-detail")

    # --- display -------------------------------------------------------------------------------------
    def handle_of(self, row: PersonRow) -> str:
        p = row.person
        return f"@{p.x_handle}" if p.x_handle else t("aud.unknown")

    def dim(self, row: PersonRow) -> bool:
        return not row.person.x_handle and not self.model.candidates(row.id)

    def line(self, row: PersonRow, width: int) -> str:
        m = self.model
        marks = " ".join(f"{NET_LETTER[n]}{MARK[m.status(row.id, n)]}" for n in NET_LETTER)
        rels = row.person.relations
        rel = t(f"aud.rel_short.{rels[0]}") + ("+" if len(rels) > 1 else "") if rels else ""
        decided = m.decision(row.id)
        if decided is not None and decided.decision == "accepted":
            who = "-> " + (decided.handle or decided.acct or decided.did or "")
        else:
            cand = m.chosen(row.id)
            who = f"{cand.handle} ({cand.score})" if cand else ""
        return f"{marks} {self.handle_of(row):<18} {rel:<10} {who}"

    def reload(self, keep: str | None = None) -> None:
        m = self.model
        lst = self.query_one("#people", ItemList)
        if keep is None:
            keep = lst.current.id if lst.current else m.session.state.cursor.get("person")
        lst.set_rows(m.rows, m.visible(), keep=keep)
        self.update_bar()
        self.update_note()
        self.show_detail()

    def refresh_rows(self) -> None:
        self.query_one("#people", ItemList).refresh()
        self.update_bar()
        self.show_detail()

    @property
    def current(self) -> PersonRow | None:
        row = self.query_one("#people", ItemList).current
        return row if isinstance(row, PersonRow) else None

    def update_bar(self) -> None:
        m = self.model
        c = m.counts()
        text = Text()
        text.append(display_name(m.network), style="bold")
        text.append(" · " + t("aud.filter") + colon())
        text.append(t(f"aud.filter_{m.filter}"), style="bold")
        text.append(
            " · "
            + t(
                "aud.counts",
                people=number(c["people"]),
                handles=number(c["handles"]),
                accepted=number(c["accepted"]),
            )
        )
        if c["strong"]:
            text.append(" · " + t("aud.strong_left", n=number(c["strong"])), style="bold")
        self.query_one("#audience-bar", Static).update(text)

    def update_note(self) -> None:
        m = self.model
        net = m.network
        run = m.search[net]
        text = Text()
        if not m.loaded:
            text.append(t("aud.loading"), style="italic")
        elif run.running:
            text.append(t("aud.searching", network=display_name(net)) + " ")
            text.append(progress_bar(round(run.fraction * 100), 100, 12))
            text.append(f" {for_display(say(run.message))}")
        elif run.error:
            text.append(t("aud.search_failed", error=for_display(run.error)), style="bold red")
        elif not m.can_search(net):
            other = next((n for n in NETWORKS if m.can_search(n)), None)
            key = "aud.offline_other" if other else "aud.offline"
            text.append(
                t(key, network=display_name(net), other=display_name(other) if other else ""), style="italic"
            )
        elif not run.done:
            text.append(t("aud.ready_to_search", network=display_name(net)), style="italic")
        else:
            c = m.counts()
            text.append(t("aud.searched", network=display_name(net), n=number(c["with_candidates"])))
        self.query_one("#audience-note", Static).update(text)

    def show_detail(self) -> None:
        m = self.model
        row = self.current
        box = self.query_one("#person-detail", Static)
        if row is None:
            box.update(t("aud.none_selected") if m.loaded else "")
            return
        p = row.person
        text = Text()
        text.append(for_display(self.handle_of(row)), style="bold")
        text.append("  " + t("aud.x_id", id=p.x_id), style="dim")
        if p.handle_source and p.handle_source != "archive":
            text.append("  " + t("aud.from_file", file=for_display(p.handle_source)), style="dim")
        text.append("\n" + t("aud.relations") + colon())
        text.append(", ".join(t(f"aud.rel.{r}") for r in p.relations))
        if p.names:
            text.append("\n" + t("aud.names") + colon() + for_display(", ".join(p.names[:3])))
        for net in NETWORKS:
            d = m.decision(p.x_id, net)
            if d is not None and d.decision:
                text.append("\n" + display_name(net) + colon(), style="bold")
                who = d.handle or d.acct or d.did or ""
                text.append(t(f"aud.decided_{d.decision}", who=for_display(who)))
        cands = m.candidates(p.x_id)
        net_name = display_name(m.network)
        text.append("\n")
        if not cands:
            if not p.x_handle and not p.claimed:
                text.append(t("aud.no_handle"), style="italic")
            elif m.search[m.network].done or not m.can_search(m.network):
                text.append(t("aud.no_candidate", network=net_name), style="italic")
            else:
                text.append(t("aud.not_searched", network=net_name), style="italic")
            self.query_one("#person-detail", Static).update(text)
            return
        suggestion = m.suggestion(p.x_id)
        head = "aud.ambiguous" if suggestion and suggestion.ambiguous else "aud.candidates"
        text.append(t(head, network=net_name) + "\n", style="bold")
        chosen = m.chosen_index(p.x_id)
        for i, c in enumerate(cands):
            pointer = ">" if i == chosen else " "
            text.append(f"{pointer} {for_display(c.handle)} ", style="bold" if i == chosen else "")
            text.append(f"{c.score}", style="bold green" if c.score >= 70 else "yellow")
            if c.display_name:
                text.append(f"  {for_display(c.display_name)}")
            reasons = "; ".join(reason_text(r) for r in c.reasons)
            text.append("\n    " + for_display(reasons) + "\n", style="dim")
        text.rstrip()
        box.update(text)

    def on_item_list_highlighted(self, event: ItemList.Highlighted) -> None:
        event.stop()
        self.show_detail()
        if event.row is not None:
            self.session.state.cursor["person"] = event.row.id
            self.screen.post_message(CursorMoved())
