"""Link cards fetched from a real HTTP server on loopback (tests/publish/pages.py): what each real-world page
shape gives, the limits (redirects, deadline, size, type), private addresses, charsets, the cache.

Loopback is private: these fetchers are made with `allow_private=True` (what QUITTEX_LINK_CARDS_ALLOW_PRIVATE
does); the refusal itself is tested with it off. QUITTEX_OFFLINE stays set: no name is ever resolved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from quittex_tui.publish.htmlhead import decode_page, parse_head
from quittex_tui.publish.linkcard import USER_AGENT, CardCache, CardFailure, Fetcher, public_address
from quittex_tui.publish.linkstage import card_notes_path, read_card_notes
from tests.publish.pages import PageServer, serve


@pytest.fixture(scope="module")
def pages() -> Iterator[PageServer]:
    yield from serve()


def cache(tmp_path: Path, **kw: object) -> CardCache:
    fetcher = Fetcher(allow_private=True, offline=True, **kw)  # type: ignore[arg-type]
    return CardCache(fetcher, folder=tmp_path / "cards")


def failure(c: CardCache, url: str) -> CardFailure:
    with pytest.raises(CardFailure) as info:
        c.card(url)
    return info.value


def test_opengraph_article_gives_title_description_and_a_clean_thumbnail(
    pages: PageServer, tmp_path: Path
) -> None:
    card = cache(tmp_path).card(pages.url("/og"))
    assert card.uri == pages.url("/og")
    assert card.title == "Déserts médiatiques : 31 départements sans quotidien local"
    assert card.description == (
        "Un an d’enquête, département par département & les chiffres. L’été des fermetures."
    )
    assert card.thumb_path and card.thumb_mime == "image/jpeg"
    thumb = Path(card.thumb_path)
    assert thumb.stat().st_size <= 1_000_000
    with Image.open(thumb) as img:
        assert not img.getexif()  # the page's photo had GPS tags: gone


def test_twitter_tags_only(pages: PageServer, tmp_path: Path) -> None:
    card = cache(tmp_path).card(pages.url("/twitter"))
    assert (card.title, card.description) == (
        "Élections : les résultats en direct",
        "Carte interactive, commune par commune.",
    )
    assert card.thumb_mime == "image/png"


def test_title_and_meta_description_only(pages: PageServer, tmp_path: Path) -> None:
    card = cache(tmp_path).card(pages.url("/title"))
    assert (card.title, card.description, card.thumb_path) == (
        "Rapport final 2024",
        "Le document complet, 212 pages.",
        None,
    )


def test_charsets_of_the_header_and_of_a_meta_tag(pages: PageServer, tmp_path: Path) -> None:
    c = cache(tmp_path)
    assert c.card(pages.url("/meta-charset")).title == "Œuvres d’été à 5 € — « l’expo »"
    by_header = c.card(pages.url("/header-charset"))  # "ISO-8859-1" means windows-1252, as in browsers
    assert (by_header.title, by_header.description) == (
        "Cœur de ville : l’été à Noël",
        "Déjà 3 € de réduction.",
    )


def test_a_redirect_is_followed_and_the_card_keeps_the_posted_link(pages: PageServer, tmp_path: Path) -> None:
    card = cache(tmp_path).card(pages.url("/redirect"))
    assert card.uri == pages.url("/redirect") and card.title.startswith("Déserts médiatiques")


def test_more_than_five_redirects_give_no_card(pages: PageServer, tmp_path: Path) -> None:
    assert failure(cache(tmp_path), pages.url("/chain/1")).code == "redirects"
    assert pages.hits["/chain/6"] == 1 and pages.hits["/chain/7"] == 0  # 1 + 5 redirects, then stop


def test_a_dead_link_a_pdf_and_a_page_without_title(pages: PageServer, tmp_path: Path) -> None:
    c = cache(tmp_path)
    dead = failure(c, pages.url("/missing"))
    assert (dead.code, dead.detail) == ("http_status", "404")
    pdf = failure(c, pages.url("/pdf"))
    assert (pdf.code, pdf.detail) == ("not_html", "application/pdf")
    assert failure(c, "ftp://example.org/file").code == "bad_url"


def test_a_trickling_page_is_cut_at_the_total_deadline(pages: PageServer, tmp_path: Path) -> None:
    # each byte comes within the read timeout; only the total deadline (here 2 s) ends the wait
    assert failure(cache(tmp_path, deadline=2.0), pages.url("/slow")).code == "timeout"
    assert pages.sent["/slow"] < 10


def test_a_huge_page_is_read_only_up_to_its_head(pages: PageServer, tmp_path: Path) -> None:
    card = cache(tmp_path).card(pages.url("/huge"))
    assert card.title == "Une très longue page"
    assert pages.sent["/huge"] < 5_000_000  # of 52 MB: the client hung up after the head


def test_a_big_picture_is_made_a_thumbnail_under_the_limit(pages: PageServer, tmp_path: Path) -> None:
    card = cache(tmp_path).card(pages.url("/big-image"))
    assert card.thumb_path and Path(card.thumb_path).stat().st_size <= 1_000_000
    assert len(pages.big_photo) > 1_000_000
    # a picture over the download cap (5 MB): the card goes without it
    huge = cache(tmp_path).card(pages.url("/huge-image"))
    assert huge.title and huge.thumb_path is None and len(pages.huge_photo) > 5_000_000


def test_the_user_agent_names_the_tool(pages: PageServer, tmp_path: Path) -> None:
    assert cache(tmp_path).card(pages.url("/ua")).title == USER_AGENT
    assert "quittex-tui/" in USER_AGENT and "https://github.com/quittex/quittex-tui" in USER_AGENT


def test_private_and_local_addresses_are_never_fetched(pages: PageServer, tmp_path: Path) -> None:
    strict = CardCache(Fetcher(allow_private=False, offline=False), folder=tmp_path / "strict")
    before = pages.hits["/og"]
    for url in (
        pages.url("/og"),
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest/",
        "http://10.0.0.7:8080/admin",
        "http://localhost/",
    ):
        assert failure(strict, url).code == "private_address", url
    assert pages.hits["/og"] == before  # refused before any connection
    assert not public_address("100.64.0.1") and not public_address("::ffff:127.0.0.1")
    assert public_address("93.184.215.14") and public_address("2606:4700::1111")


def test_each_redirect_target_is_checked_again(pages: PageServer, tmp_path: Path) -> None:
    # the page's own host is allowed by name (as the demo's mirror is); the redirect goes elsewhere: refused
    fetcher = Fetcher(allow_private=False, offline=True, allowed_hosts=["127.0.0.1"])
    c = CardCache(fetcher, folder=tmp_path / "cards")
    assert c.card(pages.url("/og")).title  # the allowed host itself
    refused = failure(c, pages.url("/to-other-address"))
    assert (refused.code, refused.detail) == ("private_address", "127.0.0.2")


def test_offline_mode_resolves_no_name(tmp_path: Path) -> None:
    c = CardCache(Fetcher(allow_private=True, offline=True), folder=tmp_path / "cards")
    assert failure(c, "https://exemple.org/article").code == "offline"


def test_cards_and_failures_are_cached_on_disk(pages: PageServer, tmp_path: Path) -> None:
    now = [datetime(2025, 5, 1, tzinfo=UTC)]
    first = CardCache(
        Fetcher(allow_private=True, offline=True), folder=tmp_path / "cards", now=lambda: now[0]
    )
    card = first.card(pages.url("/title"))
    failure(first, pages.url("/missing"))
    hits = (pages.hits["/title"], pages.hits["/missing"])
    # a second run (or the other network) reads the cache: nothing is fetched again
    second = CardCache(
        Fetcher(allow_private=True, offline=True), folder=tmp_path / "cards", now=lambda: now[0]
    )
    assert second.card(pages.url("/title")) == card
    assert failure(second, pages.url("/missing")).detail == "404"
    assert (pages.hits["/title"], pages.hits["/missing"]) == hits
    # a failure is tried again after a while; a card is kept
    now[0] += timedelta(hours=7)
    failure(second, pages.url("/missing"))
    assert pages.hits["/missing"] == hits[1] + 1
    assert second.card(pages.url("/title")) == card and pages.hits["/title"] == hits[0]


def test_the_head_parser_prefers_opengraph_then_twitter_then_title() -> None:
    page = (
        '<head><meta name="description" content="meta"><title>T &amp; co</title>'
        '<meta name="twitter:description" content="tw"></head>'
        '<body><meta property="og:title" content="late">'
    )
    head = parse_head(page, "https://example.org/a/b")
    assert (head.title, head.description) == ("T & co", "tw")  # tags after <body> are not the page's head
    weird = parse_head(
        '<meta property="og:image" content="javascript:alert(1)"><title>\x1b[31mx\u202e</title>',
        "https://example.org/",
    )
    assert weird.image == "" and weird.title == "[31mx"  # the escape character and the bidi override go
    assert decode_page("é".encode("cp1252")) == "é" and decode_page("é".encode()) == "é"


def test_the_reports_card_notes_keep_the_last_word_on_each_post(tmp_path: Path) -> None:
    journal = tmp_path / "s.bluesky.journal.toml"
    assert card_notes_path(journal).name == "s.bluesky.cards.jsonl"
    card_notes_path(journal).write_text(
        '{"item_id": "1", "post": 0, "url": "u", "reason": "timeout", "detail": ""}\n'
        '{"item_id": "2", "post": 1, "url": "v", "reason": "http_status", "detail": "404"}\n'
        '{"item_id": "1", "post": 0, "url": "u", "reason": ""}\n'  # a later send got its card
        '{"item_id": "3", "po',
        encoding="utf-8",
    )  # torn by a kill
    assert read_card_notes(journal) == {
        ("2", 1): {"item_id": "2", "post": 1, "url": "v", "reason": "http_status", "detail": "404"}
    }


def test_a_stop_while_a_page_is_read_leaves_the_post_for_the_next_run(
    pages: PageServer, tmp_path: Path
) -> None:
    """Stopping (Ctrl+C, the TUI's pause) while a slow page is read: the post is not sent bare; the next
    run sends it with its card. No note is left about it."""
    import threading
    from types import SimpleNamespace

    from quittex_tui.convert.models import ItemKind, Plan, PlanItem, PlannedPost
    from quittex_tui.publish.journal import Journal
    from quittex_tui.publish.linkstage import LinkOptions, LinkStage
    from quittex_tui.publish.writestep import Stopped

    url = pages.url("/slow")
    text = f"Lent : {url}"
    facet = {
        "index": {"byteStart": 7, "byteEnd": len(text.encode())},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
    }
    post = PlannedPost(source_id="1", text=text, facets=[facet], link_card=url)
    item = PlanItem(
        id="1",
        kind=ItemKind.POST,
        source_ids=["1"],
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        posts=[post],
    )
    stop = threading.Event()
    cards = CardCache(Fetcher(allow_private=True, offline=True, stopping=stop.is_set), folder=tmp_path / "c")
    with Journal(tmp_path / "s.bluesky.journal.toml") as journal:
        target: Any = SimpleNamespace(network="bluesky")  # the stage only asks it for resolve_mention
        stage = LinkStage(
            Plan(target="bluesky", items=[item]),
            target,
            journal,
            LinkOptions(cache=cards),
            stopping=stop.is_set,
        )
        threading.Timer(0.5, stop.set).start()
        with pytest.raises(Stopped):
            stage.ready(item, 0, post)
        stage.stop()
    assert read_card_notes(tmp_path / "s.bluesky.journal.toml") == {} and cards.cached(url) is None
