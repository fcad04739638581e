"""Archive step: what the archive holds — counts, posts per year, a tree by year/month or by kind, and
the tweet list with the selected tweet previewed as it will look on each network."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Tree

from quittex_tui.textsafe import for_display
from quittex_tui.tui.i18n import date, number, t, translate_bindings
from quittex_tui.tui.messages import CursorMoved
from quittex_tui.tui.rows import Row, TweetRow, months, years
from quittex_tui.tui.safe import SafeStatic as Static  # data is never markup (tui/safe.py)
from quittex_tui.tui.session import Session
from quittex_tui.tui.widgets.chart import year_chart
from quittex_tui.tui.widgets.item_list import ItemList
from quittex_tui.tui.widgets.preview import item_preview


class ConsoleTree(Tree[tuple[str, object]]):
    """Tree with ASCII expand markers: the default triangles are missing from Linux console fonts."""

    ICON_NODE = "+ "
    ICON_NODE_EXPANDED = "- "
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "cursor_up", "key.up", show=False),
        Binding("j", "cursor_down", "key.down", show=False),
    ]

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, id=id)
        translate_bindings(self)


def tweet_line(row: Row, width: int) -> str:
    return f"{row.created_at:%Y-%m-%d} {t(f'kind.{row.kind}')[:8]:<8} {row.text}"


class OverviewView(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "tree_mode", "key.tree_mode"),
        Binding("c", "clear_filter", "key.clear_filter", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.by_kind = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="overview-top"):
            yield Static(id="counts")
            yield Static(id="chart")
        with Horizontal(id="overview-body"):
            yield ConsoleTree(t("tree.all"), id="tree")
            with Vertical(id="overview-right"):
                yield ItemList(tweet_line, id="tweets")
                with VerticalScroll(id="tweet-preview-box"):
                    yield Static(id="tweet-preview")

    def on_mount(self) -> None:
        s = self.session
        c = s.archive.counts
        acc = s.archive.account
        text = Text()
        text.append(for_display(f"@{acc.username}"), style="bold")
        if acc.display_name:
            text.append(for_display(f" ({acc.display_name})"))
        text.append("\n")
        text.append(
            t(
                "counts.line1",
                tweets=number(c.tweets),
                originals=number(c.originals),
                threads=number(c.thread_posts),
                replies=number(c.replies),
                retweets=number(c.retweets),
                quotes=number(c.quotes),
            )
            + "\n"
        )
        text.append(
            t(
                "counts.line2",
                media=number(c.media),
                missing=number(c.missing_media),
                following=number(c.following),
                followers=number(c.followers),
                likes=number(c.likes),
            )
        )
        self.query_one("#counts", Static).update(text)
        self.query_one("#chart", Static).update(year_chart(years(s.tweet_rows), width=12))
        self.fill_tree()
        keep = s.state.cursor.get("tweet")
        self.query_one("#tweets", ItemList).set_rows(s.tweet_rows, keep=keep)

    def fill_tree(self) -> None:
        tree = self.query_one("#tree", ConsoleTree)
        tree.clear()
        rows = self.session.tweet_rows
        tree.root.label = Text(t("tree.all_n", n=number(len(rows))))
        tree.root.data = ("all", None)
        if self.by_kind:
            counts: dict[str, int] = {}
            for r in rows:
                counts[r.kind] = counts.get(r.kind, 0) + 1
            for kind, n in sorted(counts.items()):
                tree.root.add_leaf(f"{t(f'kind.{kind}')} ({number(n)})", data=("kind", kind))
        else:
            per_month = months(rows)
            nodes = {}
            for year, n in years(rows).items():
                nodes[year] = tree.root.add(f"{year} ({number(n)})", data=("year", year))
            for (year, month), n in per_month.items():
                nodes[year].add_leaf(f"{t(f'month.m{month}')} ({number(n)})", data=("month", (year, month)))
        tree.root.expand()

    def action_tree_mode(self) -> None:
        self.by_kind = not self.by_kind
        self.fill_tree()

    def action_clear_filter(self) -> None:
        self.query_one("#tweets", ItemList).set_rows(self.session.tweet_rows)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        data = event.node.data
        rows = self.session.tweet_rows
        if not data or data[0] == "all":
            idx = None
        elif data[0] == "kind":
            idx = [i for i, r in enumerate(rows) if r.kind == data[1]]
        elif data[0] == "year":
            idx = [i for i, r in enumerate(rows) if r.created_at.year == data[1]]
        else:
            y, m = data[1]
            idx = [i for i, r in enumerate(rows) if r.created_at.year == y and r.created_at.month == m]
        self.query_one("#tweets", ItemList).set_rows(rows, idx)

    def on_item_list_highlighted(self, event: ItemList.Highlighted) -> None:
        event.stop()
        row = event.row
        preview = self.query_one("#tweet-preview", Static)
        if not isinstance(row, TweetRow):  # None: an empty list
            preview.update(t("preview.none"))
            return
        head = Text(
            f"{date(row.created_at)} · {t(f'kind.{row.kind}')} · +{number(row.engagement)}\n", style="bold"
        )
        head.append_text(item_preview(self.session, None, tweet_id=row.id, head=False))
        preview.update(head)
        self.session.state.cursor["tweet"] = row.id
        self.screen.post_message(CursorMoved())
