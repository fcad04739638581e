"""Select step: the coarse choices — which kinds of posts move, replies or not, date footers, part
numbers. Plan options are saved per network in state.options and rebuild the plans (in a worker);
kinds are bulk include/skip over the selection (state.excluded)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Checkbox

from quittex_tui.networks import display_name
from quittex_tui.tui.i18n import duration, number, t, translate_bindings
from quittex_tui.tui.messages import SelectionChanged
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import NETWORKS, Session
from quittex_tui.tui.widgets.checkbox import ConsoleCheckbox

KINDS = ("post", "thread", "quote", "note")
# option id -> (PlanOptions field, networks it applies to)
OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "opt-include-replies": ("include_replies", NETWORKS),
    "opt-number-parts": ("number_parts", NETWORKS),
    "opt-footer-mastodon": ("date_footer", ("mastodon",)),
}


class SelectView(VerticalScroll):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "app.focus_next", "key.down", show=False),
        Binding("up,k", "app.focus_previous", "key.up", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("select.intro"), classes="section-intro")
        yield Static(t("select.kinds"), classes="section-title")
        for kind in KINDS:
            yield ConsoleCheckbox(t(f"select.kind_{kind}"), id=f"kind-{kind}")
        yield Static(t("select.options"), classes="section-title")
        for opt_id in OPTIONS:
            yield ConsoleCheckbox(t(f"select.{opt_id}"), id=opt_id)
        yield Static(id="select-summary")

    def on_mount(self) -> None:
        self.sync()

    def option(self, network: str, field: str) -> bool:
        return bool(self.session.state.options.get(network, {}).get(field, False))

    def sync(self) -> None:
        """Checkbox values from the state (after a load, a plan rebuild or a Review change)."""
        s = self.session
        for kind in KINDS:
            rows = [r for r in s.rows if r.kind == kind]
            box = self.query_one(f"#kind-{kind}", Checkbox)
            box.value = bool(rows) and all(s.is_included(r) for r in rows)
            box.disabled = not rows
            box.label = f"{t(f'select.kind_{kind}')} ({number(len(rows))})"
        for opt_id, (field, nets) in OPTIONS.items():
            self.query_one(f"#{opt_id}", Checkbox).value = self.option(nets[0], field)
        self.update_summary()

    def update_summary(self) -> None:
        s = self.session
        selected = sum(1 for r in s.rows if s.is_included(r))
        lines = [t("select.summary", n=number(selected), total=number(len(s.rows)))]
        for net, (posts, td) in s.estimates().items():
            lines.append(
                t("select.estimate", network=display_name(net), posts=number(posts), time=duration(td))
            )
        self.query_one("#select-summary", Static).update("\n".join(lines))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        # Changed also arrives (later) for values set by sync(): act only on a real difference.
        event.stop()
        if event.checkbox.id is None:
            return
        s = self.session
        cid = event.checkbox.id
        if cid.startswith("kind-"):
            rows = [r for r in s.rows if r.kind == cid[5:]]
            if all(s.is_included(r) == event.value for r in rows):
                return
            s.set_included(rows, event.value)
            self.update_summary()
            self.screen.post_message(SelectionChanged())
            return
        field, nets = OPTIONS[cid]
        if all(self.option(net, field) == event.value for net in nets):
            return
        for net in nets:
            s.state.options.setdefault(net, {})[field] = event.value
        # include_replies only changes which planned items are selected; the others change the texts.
        self.screen.post_message(SelectionChanged(rebuild_plans=field != "include_replies"))
        self.update_summary()
