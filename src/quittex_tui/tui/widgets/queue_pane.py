"""Queue pane: every item with its state per destination (planned / skipped / sent / failed), progress
with ETA, the last error in words; and, at the Report step, what went where (links), what failed and
why, with keys to retry failures and to export the report. The engine runs in workers owned by the
main screen; this pane only shows what they report."""

from __future__ import annotations

from typing import ClassVar

import grapheme
from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import ContentSwitcher

from quittex_tui.i18n import say
from quittex_tui.networks import DRY_RUN, display_name
from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import colon, date, duration, number, t, translate_bindings
from quittex_tui.tui.messages import OpenLink
from quittex_tui.tui.rows import Row
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import Session
from quittex_tui.tui.watch import holder_words
from quittex_tui.tui.widgets.audience_side import AudienceSide
from quittex_tui.tui.widgets.chart import progress_bar
from quittex_tui.tui.widgets.item_list import ItemList

SHORT = {"bluesky": "B", "mastodon": "M", DRY_RUN: "D"}


def fit_cells(text: str, cells: int) -> str:
    """`text` cut to `cells` terminal cells with "…", between grapheme clusters (never inside an emoji)."""
    if cell_len(text) <= cells:
        return text
    kept: list[str] = []
    used = 0
    for cluster in grapheme.graphemes(text):
        width = cell_len(cluster)
        if used + width > cells - 1:
            break
        kept.append(cluster)
        used += width
    return "".join(kept) + "…"


class QueuePane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "key.start"),
        Binding("p", "pause", "key.pause"),
        Binding("f", "retry", "key.retry"),
        Binding("w", "export", "key.export"),
        Binding("u", "resend_unsure", "key.resend_unsure"),  # only when some posts are unsure
        Binding("o", "open_link", "key.open_url"),  # a sent post's page; shown only in a browser tab
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.page = "queue-page"
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="queue-page", id="queue-switch"):
            with Vertical(id="queue-page"):
                yield Static(id="queue-progress")
                yield ItemList(self.queue_line, dim=self.dim, id="queue", empty_key="queue.empty")
                yield Static(id="queue-error")
            with Vertical(id="report-page"):
                yield Static(id="report-summary")
                yield ItemList(self.report_line, id="report-list", empty_key="report.empty")
                yield Static(id="report-paths")
            yield AudienceSide(self.session, id="audience-page")

    def on_mount(self) -> None:
        self.refresh_queue()

    def show_page(self, page: str) -> None:
        self.page = page
        self.query_one("#queue-switch", ContentSwitcher).current = page
        if page == "report-page":
            self.refresh_report()
        if page == "audience-page":
            self.query_one(AudienceSide).refresh_all()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("start", "pause"):
            return self.page == "queue-page"
        if action in ("retry", "export"):
            return self.page == "report-page"
        if action == "resend_unsure":
            s = self.session
            return self.page == "report-page" and any(s.slots[n].unsure() for n in s.active_targets())
        if action == "open_link":  # in a terminal, a browser may not be on this machine (SSH)
            served = bool(getattr(self.app, "served", False) or self.app.is_web)
            return self.page == "report-page" and served
        return True

    # --- queue ---------------------------------------------------------------------------------------
    def status(self, target: str, row: Row) -> str:
        if not self.session.is_included(row):
            return "skipped"
        return self.session.slots[target].statuses.get(row.id, "planned")

    def dim(self, row: Row) -> bool:
        return not self.session.is_included(row)

    def queue_line(self, row: Row, width: int) -> str:
        targets = self.session.active_targets()
        if len(targets) == 1:
            states = f"{t('status.' + self.status(targets[0], row)):<9}"
        else:
            states = " ".join(
                f"{SHORT.get(n, '?')}:{t('status.' + self.status(n, row))[:7]:<7}" for n in targets
            )
        return f"{states} {row.created_at:%Y-%m-%d} {row.text}"

    def refresh_queue(self, *, rows_changed: bool = True) -> None:
        s = self.session
        lst = self.query_one("#queue", ItemList)
        if rows_changed:
            keep = lst.current.id if lst.current else s.state.cursor.get("queue")
            lst.set_rows(s.rows, keep=keep)
        else:
            lst.refresh()
        self.update_progress()

    def update_progress(self) -> None:
        s = self.session
        text = Text()
        targets = s.active_targets()
        if not targets:
            text.append(t("queue.no_target"), style="italic")
        selected = [r for r in s.rows if s.is_included(r)]
        errors = []
        for name in targets:
            slot = s.slots[name]
            sent = sum(1 for r in selected if slot.statuses.get(r.id) == "sent")
            failed = sum(1 for r in selected if slot.statuses.get(r.id) == "failed")
            total = len(selected)
            text.append(f"{display_name(name):<9} ", style="bold")
            text.append(progress_bar(sent, total, 16))
            text.append(
                " " + t("queue.counts", sent=number(sent), total=number(total), failed=number(failed))
            )
            prog = slot.progress
            if slot.elsewhere is not None:  # another process sends it: its progress, read from the journal
                watch = slot.watch
                if watch is not None and watch.eta_seconds is not None and sent + failed < total:
                    text.append(" · " + t("queue.eta", time=duration(watch.eta_seconds)))
                text.append("\n  " + t("watch.elsewhere", **holder_words(slot.elsewhere)), style="bold")
                last = s.row_index.get(watch.last_item) if watch is not None and watch.last_item else None
                if last is not None:  # one line, cut between characters (an emoji flag stays whole)
                    row = s.rows[last]
                    line = t(
                        "watch.last_item",
                        date=date(row.created_at),
                        text=for_display(row.text, one_line=True),
                    )
                    width = self.query_one("#queue-progress", Static).size.width or 76
                    text.append("\n  " + fit_cells(line, width - 3), style="dim")
            elif slot.running:
                videos_wait = (
                    prog is not None
                    and bool(getattr(prog, "next_video_at", None))
                    and bool(prog.videos_waiting)
                )
                if prog is not None and prog.waiting_until is not None and not videos_wait:
                    text.append(" · " + t("queue.waiting", time=prog.waiting_until.strftime("%H:%M:%S")))
                elif prog is not None and prog.eta_seconds is not None:
                    text.append(" · " + t("queue.eta", time=duration(prog.eta_seconds)))
                text.append(" · " + t("queue.running"), style="bold")
                if slot.checking:  # reconciliation: asking the server what is already there
                    text.append("\n  " + t("queue.checking", what=for_display(slot.checking)), style="yellow")
                if videos_wait:
                    # items with a video wait for the daily video limit (docs/bluesky.md#video); the others go
                    # on
                    when = prog.next_video_at.astimezone().strftime("%H:%M")
                    text.append(
                        "\n  " + t("queue.next_video", n=number(prog.videos_waiting), time=when),
                        style="yellow",
                    )
            elif slot.stop.is_set() and sent + failed < total:
                text.append(" · " + t("queue.paused"), style="bold")
            elif total and sent + failed >= total:
                text.append(" · " + t("queue.finished"), style="bold")
            elif not slot.connected:
                text.append(" · " + t("queue.not_connected"), style="italic")
            text.append("\n")
            if slot.last_error:
                errors.append(f"{display_name(name)}{colon()}{for_display(slot.last_error)}")
        text.rstrip()
        self.query_one("#queue-progress", Static).update(text)
        self.query_one("#queue-error", Static).update(
            Text(t("queue.last_error", error=errors[-1]), style="bold red") if errors else ""
        )

    def follow(self, item_id: str, previous: str | None) -> None:
        """Keep the item being sent in view — unless the user moved away to look at something else."""
        lst = self.query_one("#queue", ItemList)
        current = lst.current
        if current is not None and previous is not None and current.id != previous:
            return
        index = self.session.row_index.get(item_id)
        if index is not None:
            lst.cursor = index

    # --- report --------------------------------------------------------------------------------------
    def report_rows(self) -> list[Row]:
        s = self.session
        out = []
        for row in s.rows:
            if any(row.id in s.slots[n].links or row.id in s.slots[n].failures for n in s.active_targets()):
                out.append(row)
        return out

    def report_line(self, row: Row, width: int) -> str:
        s = self.session
        parts = []
        for name in s.active_targets():
            slot = s.slots[name]
            if row.id in slot.failures:
                parts.append(f"{SHORT.get(name, '?')}: {t('status.failed')} - {say(slot.failures[row.id])}")
            elif row.id in slot.links:
                without = " " + t("report.without_media") if s.left_out(row.id) else ""
                # a post sent without its link card: said first, with why (the URL fills the line)
                notes = slot.card_notes.get(row.id)
                nocard = ""
                if notes:
                    why = t(f"linkcard.reason.{notes[0].get('reason')}", detail=notes[0].get("detail") or "")
                    nocard = f" [{t('report.no_card', reason=why)}]"
                parts.append(f"{SHORT.get(name, '?')}{nocard}: {slot.links[row.id][0]}{without}")
        return f"{row.created_at:%Y-%m-%d} " + " | ".join(parts) + f"  {row.text}"

    def refresh_report(self, paths: tuple[str, str] | None = None) -> None:
        s = self.session
        text = Text()
        for name in s.active_targets():
            slot = s.slots[name]
            sent = sum(len(v) for v in slot.links.values())
            text.append(display_name(name) + colon(), style="bold")
            text.append(
                t(
                    "report.line",
                    posts=number(sent),
                    items=number(len(slot.links)),
                    failed=number(len(slot.failures)),
                )
            )
            cardless = sum(len(v) for v in slot.card_notes.values())
            # posts sent without their link card (docs/bluesky.md#link-cards-appbskyembedexternal): the link
            # is there, the card not
            if cardless:
                text.append(" · " + t("report.cards_missing", n=number(cardless)), style="yellow")
            text.append("\n")
        if not s.active_targets():
            text.append(t("queue.no_target"))
        unsure = sum(len(s.slots[n].unsure()) for n in s.active_targets())
        if unsure:  # could not tell whether they are on the account: the user decides (key u)
            text.append(t("report.unsure", n=number(unsure)) + "\n", style="bold yellow")
        left_out = sum(1 for row in self.report_rows() if s.left_out(row.id))
        if left_out:  # posts sent without a media the user chose to leave out
            text.append(t("report.left_out", n=number(left_out)) + "\n", style="yellow")
        text.rstrip()
        self.query_one("#report-summary", Static).update(text)
        self.query_one("#report-list", ItemList).set_rows(self.report_rows())
        if paths:
            self.query_one("#report-paths", Static).update(t("report.exported", md=paths[0], csv=paths[1]))

    # --- actions (the screen's: it owns the workers and the dialogs) --------------------------------
    async def action_start(self) -> None:
        await self.run_action("screen.start")

    async def action_pause(self) -> None:
        await self.run_action("screen.pause")

    async def action_retry(self) -> None:
        await self.run_action("screen.retry")

    async def action_export(self) -> None:
        await self.run_action("screen.export")

    async def action_resend_unsure(self) -> None:
        await self.run_action("screen.resend_unsure")

    def action_open_link(self) -> None:
        """Open the highlighted item's published post in a new browser tab (`quittex-tui serve`)."""
        row = self.query_one("#report-list", ItemList).current
        if row is None:
            return
        for name in self.session.active_targets():
            links = [u for u in self.session.slots[name].links.get(row.id, []) if u.startswith("https://")]
            if links:
                self.post_message(OpenLink(links[0]))
                self.notify(t("served.opened"))
                return

    def on_item_list_highlighted(self, event: ItemList.Highlighted) -> None:
        event.stop()
        if event.row is not None and event.item_list.id == "queue":
            self.session.state.cursor["queue"] = event.row.id
