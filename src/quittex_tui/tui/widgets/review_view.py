"""Review step: filter (kind, year, media, text), sort (date / engagement), include or skip items one by
one or by the whole filter, keep the N best, edit texts and alt texts — with the time the selection
will take at each network's rate limit always in view (publish.engine.estimate_duration)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import ClassVar, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input

from quittex_tui.networks import display_name
from quittex_tui.tui.i18n import colon, duration, number, t, translate_bindings
from quittex_tui.tui.messages import CursorMoved, SelectionChanged
from quittex_tui.tui.rows import ReviewFilter, Row, apply_filter
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import NETWORKS, Session
from quittex_tui.tui.widgets.item_list import ItemList
from quittex_tui.tui.widgets.preview import item_preview
from quittex_tui.tui.workers import ReportsWorkerErrors

SELECTION_CYCLE = ("", "included", "excluded")


V = TypeVar("V")


class ReviewView(ReportsWorkerErrors, Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_item", "key.toggle"),
        Binding("e", "edit", "key.edit"),
        Binding("l", "alt", "key.alt", show=False),
        Binding("p", "check_media", "key.check_media", show=False),
        # the item's sensitive-media label (docs/bluesky.md#languages-and-self-labels)
        Binding("L", "label", "key.label", show=False),
        Binding("ctrl+l", "label_all", "key.label_all", show=False),  # … of every item X flagged
        Binding("w", "without_media", "key.without_media", show=False),  # send it without unusable files
        Binding("f", "kind", "key.kind"),
        Binding("y", "year", "key.year"),
        Binding("m", "media", "key.media", show=False),
        Binding("s", "sort", "key.sort"),
        Binding("slash", "search", "key.search"),
        Binding("i", "selection", "key.selection", show=False),
        Binding("a", "include_view", "key.include_view", show=False),
        Binding("x", "skip_view", "key.skip_view", show=False),
        Binding("T", "top", "key.top", show=False),
        Binding("c", "clear", "key.clear_filter", show=False),
        Binding("C", "link_cards", "key.link_cards", show=False),  # Bluesky link cards on/off
        Binding("escape", "leave_search", "key.leave_search", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.filter = ReviewFilter()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(id="filter-bar")
        yield Input(placeholder=t("review.search_placeholder"), id="search")
        yield Static(id="estimate")
        yield ItemList(self.line, dim=lambda r: not self.session.is_included(r), id="items")
        with VerticalScroll(id="item-preview-box"):
            yield Static(id="item-preview")

    def on_mount(self) -> None:
        self.reload(keep=self.session.state.cursor.get("item"))

    def on_resize(self) -> None:
        self.update_bar()  # the filter bar's parts wrap whole at the new width

    # --- display -------------------------------------------------------------------------------------
    def line(self, row: Row, width: int) -> str:
        mark = "[x]" if self.session.is_included(row) else "[ ]"
        kind = t(f"kind.{row.kind}")[:8]
        posts = max(row.posts.values()) if row.posts else 0
        media = "V" if row.videos else "M" if row.has_media else " "  # V: a video/GIF (daily video limit)
        flag = "!" if row.has_media and self.session.label_of(row.id) else " "  # sensitive media
        day = f"{row.created_at:%Y-%m-%d}"
        return f"{mark} {day} {kind:<8} {posts:>2}p {media}{flag}+{row.engagement:<5} {row.text}"

    def reload(self, keep: str | None = None) -> None:
        s = self.session
        lst = self.query_one("#items", ItemList)
        if keep is None and lst.current is not None:
            keep = lst.current.id
        excluded = s.selected_excluded_set() if self.filter.selection else None
        lst.set_rows(s.rows, apply_filter(s.rows, self.filter, excluded), keep=keep)
        self.update_bar()
        self.update_estimate()

    def update_bar(self) -> None:
        f = self.filter
        any_ = t("review.any")
        media = any_ if f.media is None else t("review.with_media" if f.media else "review.without_media")
        text = Text()
        parts = [
            (t("review.kind"), t(f"kind.{f.kind}") if f.kind else any_),
            # its own word: French agrees it with "année" (toutes), not with "type" (tous)
            (t("review.year"), str(f.year) if f.year else t("review.any_year")),
            (t("review.media"), media),
            (t("review.sort"), t(f"review.sort_{f.sort}")),
            (t("review.show"), t(f"review.show_{f.selection or 'all'}")),
            (t("review.cards"), t("review.cards_on" if self.session.link_cards else "review.cards_off")),
        ]
        bar = self.query_one("#filter-bar", Static)
        width = bar.content_region.width or bar.size.width
        used = 0
        for i, (label, value) in enumerate(parts):
            piece = f"{label}{colon()}{value}"
            if i and width and used + 3 + cell_len(piece) > width:
                text.append("\n")  # a part never breaks in two: it starts the next line (French at 80×24)
                used = 0
            elif i:
                text.append(" · ")
                used += 3
            text.append(label + colon())
            text.append(value, style="bold")
            used += cell_len(piece)
        bar.update(text)

    def update_estimate(self) -> None:
        s = self.session
        lst = self.query_one("#items", ItemList)
        selected = sum(1 for r in s.rows if s.is_included(r))
        text = Text()
        text.append(
            t("review.selected", n=number(selected), total=number(len(s.rows)), view=number(len(lst.indices)))
        )
        for net, (posts, td) in s.estimates().items():
            text.append(" · ")
            text.append(display_name(net) + " ", style="bold")
            text.append(t("review.estimate", posts=number(posts), time=duration(td)))
        videos = s.video_estimate()  # Bluesky's daily video limit, counted apart (docs/bluesky.md#video)
        if videos is not None:
            text.append("\n")
            text.append(
                t("review.video_days", n=number(videos[0]), days=number(videos[1]), per_day=number(videos[2]))
            )
        self.query_one("#estimate", Static).update(text)

    def on_item_list_highlighted(self, event: ItemList.Highlighted) -> None:
        event.stop()
        row = event.row
        self.query_one("#item-preview", Static).update(
            item_preview(self.session, row.id) if row else t("preview.none")
        )
        if row is not None:
            self.session.state.cursor["item"] = row.id
            self.screen.post_message(CursorMoved())

    def refresh_current(self) -> None:
        lst = self.query_one("#items", ItemList)
        lst.refresh()
        row = lst.current
        self.query_one("#item-preview", Static).update(
            item_preview(self.session, row.id) if row else t("preview.none")
        )
        self.update_estimate()

    def changed(self) -> None:
        self.refresh_current()
        self.screen.post_message(SelectionChanged())

    # --- actions -------------------------------------------------------------------------------------
    def action_toggle_item(self) -> None:  # (DOMNode.action_toggle is Textual's own: a reactive flip)
        lst = self.query_one("#items", ItemList)
        row = lst.current
        if row is None:
            return
        self.session.set_included([row], not self.session.is_included(row))
        lst.action_cursor(1)
        self.changed()

    def action_include_view(self) -> None:
        self.session.set_included(self.query_one("#items", ItemList).visible_rows(), True)
        self.changed()

    def action_skip_view(self) -> None:
        self.session.set_included(self.query_one("#items", ItemList).visible_rows(), False)
        self.changed()

    @staticmethod
    def _cycle(values: Sequence[V], current: V) -> V:
        i = values.index(current) if current in values else -1
        return values[(i + 1) % len(values)]

    def action_kind(self) -> None:
        kinds = ["", *sorted({r.kind for r in self.session.rows})]
        self.filter.kind = self._cycle(kinds, self.filter.kind)
        self.reload()

    def action_year(self) -> None:
        years: list[int | None] = [None, *sorted({r.created_at.year for r in self.session.rows})]
        self.filter.year = self._cycle(years, self.filter.year)
        self.reload()

    def action_media(self) -> None:
        media: list[bool | None] = [None, True, False]
        self.filter.media = self._cycle(media, self.filter.media)
        self.reload()

    def action_sort(self) -> None:
        self.filter.sort = "engagement" if self.filter.sort == "date" else "date"
        self.reload()

    def action_selection(self) -> None:
        self.filter.selection = str(self._cycle(list(SELECTION_CYCLE), self.filter.selection))
        self.reload()

    def action_clear(self) -> None:
        self.filter = ReviewFilter()
        self.query_one("#search", Input).value = ""
        self.reload()

    def action_link_cards(self) -> None:
        """Bluesky link cards on/off (docs/bluesky.md#link-cards-appbskyembedexternal): saved in the state;
        the Bluesky plan is rebuilt."""
        value = not self.session.link_cards
        self.session.set_link_cards(value)
        self.update_bar()
        self.notify(t("review.cards_now_on" if value else "review.cards_now_off"))
        self.screen.post_message(SelectionChanged(rebuild_plans=True))

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        self.query_one("#items", ItemList).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            event.stop()
            self.filter.search = event.value
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            event.stop()
            self.query_one("#items", ItemList).focus()

    def action_top(self) -> None:
        from quittex_tui.tui.screens.modals import PromptScreen

        def done(value: str | None) -> None:
            if not value:
                return
            try:
                n = int(value.replace(" ", "").replace(",", ""))
            except ValueError:
                self.notify(t("review.top_invalid"), severity="warning")
                return
            self.keep_top(n)

        self.app.push_screen(PromptScreen(t("review.top_title"), t("review.top_label")), done)

    def keep_top(self, n: int) -> None:
        """Keep the n most engaging items of the current view, skip the rest of the view."""
        self.filter.sort = "engagement"
        self.reload()
        rows = self.query_one("#items", ItemList).visible_rows()
        self.session.set_included(rows[:n], True)
        self.session.set_included(rows[n:], False)
        self.changed()
        self.notify(t("review.top_done", n=number(min(n, len(rows))), total=number(len(rows))))

    def action_edit(self) -> None:
        from quittex_tui.tui.screens.edit import EditScreen

        row = self.query_one("#items", ItemList).current
        if row is None:
            return

        def done(saved: bool | None) -> None:
            if saved:
                self.changed()

        self.app.push_screen(EditScreen(self.session, row.id), done)

    def action_alt(self) -> None:
        from quittex_tui.tui.screens.edit import AltScreen

        row = self.query_one("#items", ItemList).current
        if row is None:
            return
        if not row.has_media:
            self.notify(t("alt.no_media"), severity="warning")
            return

        def done(saved: bool | None) -> None:
            if saved:
                self.changed()

        self.app.push_screen(AltScreen(self.session, row.id), done)

    def action_check_media(self) -> None:
        """Prepare the highlighted item's media now (the plan reads no media file; this shows
        what sending will make of them, or the problem that would fail the item)."""
        row = self.query_one("#items", ItemList).current
        if row is None:
            return
        if not row.has_media:
            self.notify(t("alt.no_media"), severity="warning")
            return
        self.notify(t("review.media_checking"))
        self.run_worker(
            partial(self._check_media, row.id),
            thread=True,
            group="check-media",
            exclusive=True,
            exit_on_error=False,
        )

    def _check_media(self, item_id: str) -> None:
        results = self.session.check_media(item_id)
        self.app.call_from_thread(self._show_media_check, item_id, results)

    def _show_media_check(self, item_id: str, results: list) -> None:
        row = self.query_one("#items", ItemList).current
        if row is None or row.id != item_id:
            return  # the cursor moved on meanwhile
        text = item_preview(self.session, item_id)
        for net, media, problem in results:  # plain Text: file names are data, never markup
            if media is None:
                line = t("review.media_problem", network=display_name(net), reason=problem)
                text.append("\n" + line, style="bold red")
                continue
            mb = media.bytes / 1_000_000
            size = f"{mb:.1f} MB" if mb >= 1 else f"{media.bytes // 1000} KB"
            name = media.source.rsplit("/", 1)[-1]
            text.append(
                "\n"
                + t(
                    "review.media_ready",
                    network=display_name(net),
                    name=name,
                    w=media.width,
                    h=media.height,
                    size=size,
                ),
                style="green",
            )
        self.query_one("#item-preview", Static).update(text)

    # --- sensitive media and unusable files (docs/bluesky.md#languages-and-self-labels) ---------------------
    def _media_row(self) -> Row | None:
        row = self.query_one("#items", ItemList).current
        if row is not None and not row.has_media:
            self.notify(t("alt.no_media"), severity="warning")
            return None
        return row

    def action_label(self) -> None:
        """This item's media: no label → graphic-media → sexual → nudity → porn → no label."""
        row = self._media_row()
        if row is None:
            return
        label = self.session.cycle_label(row.id)
        self.notify(t("label.set", label=t(f"label.value_{label or 'none'}")))
        self.changed()

    def action_label_all(self) -> None:
        """The label of every item X flagged as sensitive (one choice for all of them)."""
        label, n = self.session.cycle_all_labels()
        self.notify(t("label.set_all", n=number(n), label=t(f"label.value_{label or 'none'}")))
        self.changed()

    def action_without_media(self) -> None:
        """Send the item without the media whose file cannot be sent (after checking them), or with all
        its media again."""
        row = self._media_row()
        if row is None:
            return
        if self.session.left_out(row.id):
            self.session.set_left_out(row.id, {})
            self.notify(t("left_out.restored"))
            self.changed()
            return
        self.notify(t("review.media_checking"))
        self.run_worker(
            partial(self._find_unusable, row.id),
            thread=True,
            group="check-media",
            exclusive=True,
            exit_on_error=False,
        )

    def _find_unusable(self, item_id: str) -> None:
        problems = self.session.unusable_media(item_id)
        self.app.call_from_thread(self._leave_out, item_id, problems)

    def _leave_out(self, item_id: str, problems: dict[str, str]) -> None:
        if not problems:
            self.notify(t("left_out.none"))
            return
        self.session.set_left_out(item_id, problems)
        self.notify(t("left_out.set", n=len(problems)), severity="warning")
        self.changed()

    def networks(self) -> tuple[str, ...]:
        return NETWORKS
