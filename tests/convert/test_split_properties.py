"""Properties of the splitter (convert/split.py): for any text — emoji, ZWJ sequences, flags,
combining marks, CJK, RTL, URLs, hashtags — every post respects the network's limits, facets sit inside
their post with byte slices equal to the shown link/tag text, and the parts give back the original words.

Checks use the reference counters directly (`grapheme.length`, UTF-8 bytes, `Mastodon.get_status_length`),
not the shortcuts the code uses.
"""

from __future__ import annotations

import re

import grapheme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mastodon import Mastodon

from quittex_tui.convert import bluesky, mastodon
from quittex_tui.convert.length import bluesky_fits, mastodon_fits
from quittex_tui.convert.text import CleanText, find_spans

CLUSTERS = [
    "a",
    "Z",
    "é",
    "e\u0301",
    "ç",
    "ß",
    "ñ",
    "1",
    "9",
    "'",
    "-",
    "_",
    "ü",
    "👍",
    "👍🏽",
    "👩\u200d👩\u200d👧\u200d👦",
    "🏳️\u200d🌈",
    "🇫🇷",
    "🇺🇦",
    "❤️",
    "🧵",
    "漢",
    "字",
    "か",
    "な",
    "한",
    "글",
    "ש",
    "ל",
    "ו",
    "م",
    "ر",
    "ح",
    "ب",
    "ا",
    "\u0915\u094d\u0937",  # Devanagari conjunct
]
PUNCT = ["", "", "", ".", ",", "!", "?", "…", ":", ";"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.builds(
    lambda cs, p: "".join(cs) + p,
    st.lists(st.sampled_from(CLUSTERS), min_size=1, max_size=12),
    st.sampled_from(PUNCT),
)
urls = st.builds(
    lambda host, path: f"https://{host}.example.org/{path}",
    st.text(alphabet="abcdefghij", min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/%=&", max_size=400).map(
        lambda p: p.rstrip("/%=&-_")
    ),
)
tags = st.builds(lambda cs: "#" + "".join(cs) + "x", st.lists(st.sampled_from(CLUSTERS[:13]), max_size=10))
handles = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=15).map(
    lambda h: "@" + h
)
tokens = st.one_of(words, words, words, words, urls, tags, handles)
separators = st.sampled_from([" ", " ", " ", " ", "\n", "\n\n", "  "])


@st.composite
def texts(draw: st.DrawFn) -> str:
    size = draw(st.sampled_from([3, 30, 80, 160]))  # most texts long enough to need splitting
    toks = draw(st.lists(tokens, min_size=max(1, size // 2), max_size=size))
    out = [toks[0]]
    for tok in toks[1:]:
        out.append(draw(separators))
        out.append(tok)
    return "".join(out)


_NUMBER = re.compile(r" \(\d+/\d+\)$")


def _unshorten(text: str, facets: list[dict]) -> str:
    """The post text with each link facet's shown text replaced by its full URI."""
    data = text.encode()
    out, cursor = [], 0
    for facet in sorted(facets, key=lambda f: f["index"]["byteStart"]):
        feature = facet["features"][0]
        if feature["$type"] == bluesky.LINK_TYPE:
            out.append(data[cursor : facet["index"]["byteStart"]].decode())
            out.append(feature["uri"])
            cursor = facet["index"]["byteEnd"]
    out.append(data[cursor:].decode())
    return "".join(out)


def _check_bluesky(text: str, number_parts: bool) -> None:
    spans = find_spans(text)
    posts = bluesky.bluesky_posts(CleanText(text, spans), number_parts=number_parts)
    seen_values = []
    words_back: list[str] = []
    for post in posts:
        data = post.text.encode()
        assert grapheme.length(post.text) <= 300
        assert len(data) <= 3000
        assert post.text == post.text.strip() and post.text
        for facet in post.facets:
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            assert 0 <= start < end <= len(data)
            shown = data[start:end].decode()  # raises if a facet cuts a character
            feature = facet["features"][0]
            if feature["$type"] == bluesky.LINK_TYPE:
                assert shown in (feature["uri"], bluesky.short_link_text(feature["uri"]))
                seen_values.append(("link", feature["uri"]))
            else:
                assert shown[0] in "#＃" and shown[1:] == feature["tag"]
                seen_values.append(("tag", feature["tag"]))
        for mc in post.mention_candidates:
            assert data[mc.byte_start : mc.byte_end].decode() == "@" + mc.handle
        body = _unshorten(post.text, post.facets)
        if number_parts and len(posts) > 1:
            assert _NUMBER.search(body)
            body = _NUMBER.sub("", body)
        words_back.extend(body.split())
    assert words_back == text.split()
    assert seen_values == [(s.kind, s.value) for s in spans]


def _check_mastodon(text: str, max_chars: int, number_parts: bool, footer: str) -> None:
    spans = find_spans(text)
    posts = mastodon.mastodon_posts(
        CleanText(text, spans), max_chars=max_chars, footer=footer, number_parts=number_parts
    )
    words_back: list[str] = []
    for index, post in enumerate(posts):
        assert Mastodon.get_status_length(post) <= max_chars
        body = post
        if footer and index == 0:
            assert body.endswith("\n\n" + footer)
            body = body[: -len(footer) - 2]
        elif footer:
            assert footer not in body
        if number_parts and len(posts) > 1:
            assert _NUMBER.search(body)
            body = _NUMBER.sub("", body)
        words_back.extend(w.replace("@x.com", "") for w in body.split())
    assert words_back == text.split()


@SETTINGS
@given(texts(), st.booleans())
def test_bluesky_posts_fit_keep_facets_and_words(text: str, number_parts: bool) -> None:
    _check_bluesky(text, number_parts)


@SETTINGS
@given(
    texts(),
    st.sampled_from([100, 280, 500, 1000]),
    st.booleans(),
    st.sampled_from(["", "Posted on X on 21 Dec 2024", "Publié sur X le 21/12/2024"]),
)
def test_mastodon_posts_fit_and_keep_words(
    text: str, max_chars: int, number_parts: bool, footer: str
) -> None:
    _check_mastodon(text, max_chars, number_parts, footer)


@SETTINGS
@given(st.text(min_size=1, max_size=1500))
def test_any_unicode_text_fits_both_networks(text: str) -> None:
    """Arbitrary code points (lone combining marks, controls, odd spaces): limits hold, nothing is lost."""
    text = text.strip()
    if not text:
        return
    clean = CleanText(text, find_spans(text))
    for post in bluesky.bluesky_posts(clean):
        assert grapheme.length(post.text) <= 300 and len(post.text.encode()) <= 3000
    statuses = mastodon.mastodon_posts(clean, max_chars=200)
    for status in statuses:
        assert Mastodon.get_status_length(status) <= 200
    if "@" not in text:
        assert "".join("".join(s.split()) for s in statuses) == "".join(text.split())


@SETTINGS
@given(st.text(min_size=0, max_size=700), st.integers(min_value=60, max_value=600))
def test_fast_length_checks_agree_with_the_reference(text: str, max_chars: int) -> None:
    reference_bluesky = grapheme.length(text) <= 300 and len(text.encode("utf-8", "surrogatepass")) <= 3000
    assert bluesky_fits(text) == reference_bluesky
    assert mastodon_fits(text, max_chars) == (Mastodon.get_status_length(text) <= max_chars)


def test_giant_url_is_shortened_on_bluesky_and_counts_23_on_mastodon() -> None:
    url = "https://example.org/" + "a" * 4000
    text = f"Voir {url} maintenant"
    clean = CleanText(text, find_spans(text))
    posts = bluesky.bluesky_posts(clean)
    assert [p.text for p in posts] == ["Voir example.org/aaaaaaaaaaaaaaaaaaaaaaaaaaa… maintenant"]
    assert posts[0].facets[0]["features"][0]["uri"] == url
    assert mastodon.mastodon_posts(clean) == [text]  # 5 + 23 + 11 characters for Mastodon


def test_giant_unbroken_token_is_cut_between_graphemes() -> None:
    text = "日本語の文章です。" * 120 + "👩\u200d👩\u200d👧" * 50  # no space at all
    _check_bluesky_cut(text)


def _check_bluesky_cut(text: str) -> None:
    posts = bluesky.bluesky_posts(CleanText(text, find_spans(text)))
    assert len(posts) > 3
    assert "".join(p.text for p in posts) == text
    for post in posts:
        assert grapheme.length(post.text) <= 300
    # CJK text is cut after a full stop when one is in the second half of the post.
    assert all(p.text.endswith("。") for p in posts[:3])
