"""Edit a post's text per network, or its media's alt texts, with live counters and limits enforced
(Bluesky: 300 graphemes and 3000 UTF-8 bytes; Mastodon: the instance's max_characters, URLs as 23 —
docs/bluesky.md#text-limits, docs/mastodon.md#status-length; alt texts: Bluesky's 1,000 graphemes and
Mastodon's 1,500-character description, docs/mastodon.md#instance-limits-get-apiv2instance)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, TextArea

from quittex_tui.convert.length import (
    BLUESKY_ALT_MAX_BYTES,
    BLUESKY_ALT_MAX_GRAPHEMES,
    BLUESKY_MAX_BYTES,
    MASTODON_ALT_MAX_CHARS,
    alt_counts,
    bluesky_counts,
    mastodon_count,
)
from quittex_tui.networks import display_name
from quittex_tui.textsafe import for_posting
from quittex_tui.tui.i18n import number, t, translate_bindings
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import NETWORKS, Session
from quittex_tui.tui.widgets.preview import limit_for


def counter(session: Session, network: str, text: str) -> tuple[str, bool]:
    """The counter line for `text` on `network`, and whether it is within the limits."""
    limit = limit_for(session, network)
    if network == "bluesky":
        graphemes, size = bluesky_counts(text)
        ok = graphemes <= limit and size <= BLUESKY_MAX_BYTES
        return t(
            "edit.counter_bluesky",
            n=number(graphemes),
            max=limit,
            bytes=number(size),
            max_bytes=number(BLUESKY_MAX_BYTES),
        ), ok
    n = mastodon_count(text)
    return t("edit.counter_mastodon", n=number(n), max=number(limit)), n <= limit


class EditScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", priority=True),
        Binding("escape", "cancel", "key.cancel", priority=True),
        Binding("ctrl+t", "other_network", "key.other_network", priority=True),
        Binding("ctrl+n", "next_post", "key.next_post", priority=True),
    ]

    def __init__(self, session: Session, item_id: str, network: str = "bluesky") -> None:
        super().__init__()
        self.session = session
        self.item_id = item_id
        self.networks = [n for n in NETWORKS if item_id in session.items.get(n, {})]
        self.network = network if network in self.networks else self.networks[0]
        self.index = 0
        self.drafts: dict[tuple[str, int], str] = {}
        translate_bindings(self)

    def n_posts(self) -> int:
        return len(self.session.items[self.network][self.item_id].posts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog edit"):
            yield Static(id="edit-title", classes="dialog-title")
            yield TextArea(id="edit-text", soft_wrap=True)
            yield Static(id="edit-counter")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    def text_of(self, network: str, index: int) -> str:
        return self.drafts.get((network, index), self.session.post_text(network, self.item_id, index))

    def load(self) -> None:
        self.query_one("#edit-title", Static).update(
            t("edit.title", network=display_name(self.network), i=self.index + 1, n=self.n_posts())
        )
        area = self.query_one("#edit-text", TextArea)
        # What is posted has no controls (state.apply_user_changes): edit that, never raw escapes.
        area.load_text(for_posting(self.text_of(self.network, self.index)))
        area.focus()
        self.update_counter()

    def update_counter(self) -> None:
        text = self.query_one("#edit-text", TextArea).text
        line, ok = counter(self.session, self.network, text)
        widget = self.query_one("#edit-counter", Static)
        widget.update(line if ok else f"{line}  {t('edit.too_long')}")
        widget.set_class(not ok, "over")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.drafts[(self.network, self.index)] = event.text_area.text
        self.update_counter()

    def action_other_network(self) -> None:
        i = self.networks.index(self.network)
        self.network = self.networks[(i + 1) % len(self.networks)]
        self.index = min(self.index, self.n_posts() - 1)
        self.load()

    def action_next_post(self) -> None:
        self.index = (self.index + 1) % self.n_posts()
        self.load()

    def action_save(self) -> None:
        for (net, idx), text in self.drafts.items():
            _, ok = counter(self.session, net, text)
            if not ok:
                self.notify(t("edit.refused", network=display_name(net), i=idx + 1), severity="error")
                return
        for (net, idx), text in self.drafts.items():
            self.session.set_post_text(net, self.item_id, idx, text)
        self.dismiss(bool(self.drafts))

    def action_cancel(self) -> None:
        self.dismiss(False)


def alt_networks(session: Session) -> list[str]:
    """The networks whose alt-text limits apply: those of the chosen destinations (the dry run simulates
    Bluesky), or both when none is chosen yet."""
    from quittex_tui.tui.session import network_of

    chosen = {network_of(target) for target in session.active_targets()}
    return [net for net in NETWORKS if net in chosen] or list(NETWORKS)


def alt_counter(networks: list[str], text: str) -> tuple[str, bool]:
    """The live counter of one alt text for each network, and whether it is within every limit (
    Bluesky 1,000 graphemes and 10,000 bytes; Mastodon 1,500 characters)."""
    graphemes, size, chars = alt_counts(text)
    parts, ok = [], True
    if "bluesky" in networks:
        parts.append(t("alt.counter_bluesky", n=number(graphemes), max=number(BLUESKY_ALT_MAX_GRAPHEMES)))
        ok = ok and graphemes <= BLUESKY_ALT_MAX_GRAPHEMES and size <= BLUESKY_ALT_MAX_BYTES
    if "mastodon" in networks:
        parts.append(t("alt.counter_mastodon", n=number(chars), max=number(MASTODON_ALT_MAX_CHARS)))
        ok = ok and chars <= MASTODON_ALT_MAX_CHARS
    return " · ".join(parts), ok


class AltScreen(ModalScreen[bool]):
    """Alt texts for every media of an item — photos, videos and GIFs, in every post of a thread — with
    each destination's limit shown live and enforced on save (X archives carry none: this is the only
    source of alt text)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", priority=True),
        Binding("escape", "cancel", "key.cancel", priority=True),
    ]

    def __init__(self, session: Session, item_id: str) -> None:
        super().__init__()
        self.session = session
        self.item_id = item_id
        net = next(n for n in NETWORKS if item_id in session.items.get(n, {}))
        self.media = [m for p in session.items[net][item_id].posts for m in p.media]
        self.networks = alt_networks(session)
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog edit"):
            yield Static(t("alt.title", n=len(self.media)), classes="dialog-title")
            with VerticalScroll(id="alt-list"):
                for i, m in enumerate(self.media):
                    yield Static(t("alt.label", i=i + 1, kind=t(f"media.{m.kind}"), w=m.width, h=m.height))
                    yield Input(value=for_posting(self.session.alt_text(m)), id=f"alt-{i}")
                    yield Static(id=f"alt-count-{i}", classes="alt-count")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        for i in range(len(self.media)):
            self.update_count(i)
        if self.media:
            self.query_one("#alt-0", Input).focus()

    def update_count(self, i: int) -> None:
        line, ok = alt_counter(self.networks, self.query_one(f"#alt-{i}", Input).value)
        widget = self.query_one(f"#alt-count-{i}", Static)
        widget.update(line if ok else f"{line}  {t('alt.too_long')}")
        widget.set_class(not ok, "over")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("alt-"):
            self.update_count(int(event.input.id.split("-")[1]))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        values = [self.query_one(f"#alt-{i}", Input).value for i in range(len(self.media))]
        for i, value in enumerate(values):
            if not alt_counter(self.networks, value)[1]:
                self.notify(t("alt.refused", i=i + 1), severity="error")
                return
        changed = False
        for m, value in zip(self.media, values, strict=True):
            if value != self.session.alt_text(m):
                self.session.state.alts[self.session.media_key(m)] = value
                changed = True
        self.dismiss(changed)

    def action_cancel(self) -> None:
        self.dismiss(False)
