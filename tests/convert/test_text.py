"""Text cleaning: leading handles, t.co links, escapes, whitespace
(docs/x-archive-format.md#text-escaping-and-entity-indices)."""

from __future__ import annotations

from quittex_tui.archive.models import TweetKind, UrlEntity
from quittex_tui.convert.text import Span, clean_tweet, find_spans, mentions
from tests.convert.plan_helpers import photo, tweet


def test_reply_leading_handles_removed_even_without_mention_entity() -> None:
    t = tweet("1", "@ghost_account @bob Merci pour l'info !", reply_to=("9", "42"), mentions=[])
    assert clean_tweet(t).text == "Merci pour l'info !"


def test_leading_handles_kept_on_a_standalone_post() -> None:
    t = tweet("1", "@bob is right about this")
    assert clean_tweet(t).text == "@bob is right about this"


def test_only_the_leading_run_is_removed() -> None:
    t = tweet("1", "@alice @bob thanks, cc @carol", reply_to=("9", "42"))
    assert clean_tweet(t).text == "thanks, cc @carol"


def test_media_tco_removed_other_tco_expanded() -> None:
    text = "Lisez https://t.co/AAA et regardez https://t.co/MMM"
    t = tweet(
        "1",
        text,
        urls=[("https://t.co/AAA", "https://example.org/article")],
        media=[photo("https://t.co/MMM")],
    )
    clean = clean_tweet(t)
    assert clean.text == "Lisez https://example.org/article et regardez"
    assert clean.spans == [Span("link", 6, 33, "https://example.org/article")]


def test_indices_count_the_escaped_text_and_unescape_happens_once() -> None:
    # "&amp;" before the link shifts its escaped index by 4; "&amp;lt;" is a literal "&lt;" typed by the user.
    text = "R&amp;D &amp;lt;3 https://t.co/AAA &gt; fin"
    t = tweet("1", text, urls=[("https://t.co/AAA", "https://example.org/?a=1&b=2")])
    assert t.urls[0].start == 18
    clean = clean_tweet(t)
    assert clean.text == "R&D &lt;3 https://example.org/?a=1&b=2 > fin"
    link = clean.spans[0]
    assert clean.text[link.start : link.end] == link.value == "https://example.org/?a=1&b=2"


def test_wrong_indices_fall_back_to_finding_the_tco() -> None:
    text = "voir https://t.co/AAA puis https://t.co/BBB"
    t = tweet("1", text)
    t.urls = [
        UrlEntity(url="https://t.co/BBB", expanded_url="https://b.example/", start=0, end=10),
        UrlEntity(url="https://t.co/AAA", expanded_url="https://a.example/", start=3, end=7),
    ]
    assert clean_tweet(t).text == "voir https://a.example/ puis https://b.example/"


def test_narrower_display_range_is_honoured() -> None:
    text = "@bob Bonjour https://t.co/MMM"
    t = tweet("1", text, media=[photo("https://t.co/MMM")], display_start=5, display_end=12)
    assert clean_tweet(t).text == "Bonjour"


def test_whitespace_accents_emoji_kept() -> None:
    text = "Première ligne 🇫🇷\n\n  deuxième   👩\u200d👩\u200d👧 e\u0301té\n- point"
    assert clean_tweet(tweet("1", text)).text == text


def test_only_ends_are_trimmed_and_spans_follow() -> None:
    text = "https://t.co/MMM\n  voir https://t.co/AAA  "
    t = tweet("1", text, urls=[("https://t.co/AAA", "https://ex.org/")], media=[photo("https://t.co/MMM")])
    clean = clean_tweet(t)
    assert clean.text == "voir https://ex.org/"
    assert clean.text[clean.spans[0].start : clean.spans[0].end] == "https://ex.org/"


def test_note_text_replaces_full_text_and_is_not_unescaped() -> None:
    note = "Un long texte où A<B & C>D reste tel quel https://t.co/NNN " + "suite " * 60
    t = tweet(
        "1",
        "Un long texte où A&lt;B &amp; C&gt;D… https://t.co/CUT",
        note_text=note,
        note_urls=[
            UrlEntity(
                url="https://t.co/NNN",
                expanded_url="https://note.example/x",
                start=note.index("https://t.co/NNN"),
                end=0,
            )
        ],
    )
    clean = clean_tweet(t)
    assert clean.text.startswith("Un long texte où A<B & C>D reste tel quel https://note.example/x suite")
    assert clean.text.endswith("suite")
    assert clean.spans[0].value == "https://note.example/x"


def test_note_text_obviously_escaped_is_unescaped() -> None:
    t = tweet("1", "x", note_text="Tom &amp; Jerry &amp; co")
    assert clean_tweet(t).text == "Tom & Jerry & co"


def test_quote_keeps_the_quoted_url_as_a_link() -> None:
    url = "https://x.com/someone/status/1870000000000000000"
    with_link = tweet(
        "1",
        "Exactement. https://t.co/QQQ",
        kind=TweetKind.QUOTE,
        quoted_url=url,
        urls=[("https://t.co/QQQ", url)],
    )
    assert clean_tweet(with_link).text == f"Exactement. {url}"
    without = tweet("2", "Exactement.", kind=TweetKind.QUOTE, quoted_url=url)
    clean = clean_tweet(without)
    assert clean.text == f"Exactement.\n\n{url}"
    assert clean.spans == [Span("link", 13, 13 + len(url), url)]


def test_raw_urls_and_hashtags_are_found() -> None:
    text = "Voir (https://fr.wikipedia.org/wiki/Paris_(ville)). #Paris2024, #2024 et #café!"
    spans = find_spans(text)
    shown = [(s.kind, text[s.start : s.end], s.value) for s in spans]
    assert shown == [
        (
            "link",
            "https://fr.wikipedia.org/wiki/Paris_(ville)",
            "https://fr.wikipedia.org/wiki/Paris_(ville)",
        ),
        ("tag", "#Paris2024", "Paris2024"),
        ("tag", "#café", "café"),
    ]


def test_mentions_outside_links_and_emails() -> None:
    text = "merci @alice et @bob_2, pas bob@mail.fr ni https://medium.com/@carol ni @dan@masto.social"
    spans = find_spans(text)
    assert [h for _s, _e, h in mentions(text, spans)] == ["alice", "bob_2"]
