"""The Review filter over display rows: kind, year, month, media, text, selection, and sorting."""

from __future__ import annotations

from datetime import UTC, datetime

from quittex_tui.tui.rows import ReviewFilter, Row, apply_filter, kinds, years


def row(i: int, kind: str, year: int, *, media: bool = False, likes: int = 0, text: str = "") -> Row:
    text = text or f"post {i}"
    return Row(
        id=str(i),
        kind=kind,
        created_at=datetime(year, 1 + i % 12, 1, tzinfo=UTC),
        text=text,
        has_media=media,
        engagement=likes,
        search=text.lower(),
    )


ROWS = [
    row(0, "post", 2019, likes=5, text="Élections à Lyon"),
    row(1, "thread", 2019, media=True, likes=50),
    row(2, "post", 2020, likes=500, text="Le climat, encore"),
    row(3, "quote", 2020, media=True, likes=1),
    row(4, "post", 2021, likes=50),
]


def test_each_filter_field() -> None:
    assert apply_filter(ROWS, ReviewFilter()) == [0, 1, 2, 3, 4]
    assert apply_filter(ROWS, ReviewFilter(kind="post")) == [0, 2, 4]
    assert apply_filter(ROWS, ReviewFilter(year=2020)) == [2, 3]
    assert apply_filter(ROWS, ReviewFilter(media=True)) == [1, 3]
    assert apply_filter(ROWS, ReviewFilter(media=False, kind="post", year=2019)) == [0]
    assert apply_filter(ROWS, ReviewFilter(search="LYON")) == [0]  # case-insensitive
    assert apply_filter(ROWS, ReviewFilter(search="élections")) == [0]


def test_sort_by_engagement_keeps_date_order_among_ties() -> None:
    assert apply_filter(ROWS, ReviewFilter(sort="engagement")) == [2, 1, 4, 0, 3]


def test_selection_filter() -> None:
    excluded = {"1", "3"}
    assert apply_filter(ROWS, ReviewFilter(selection="excluded"), excluded) == [1, 3]
    assert apply_filter(ROWS, ReviewFilter(selection="included"), excluded) == [0, 2, 4]


def test_counts_for_the_chart_and_the_tree() -> None:
    assert years(ROWS) == {2019: 2, 2020: 2, 2021: 1}
    assert kinds(ROWS) == {"post": 3, "thread": 1, "quote": 1}
