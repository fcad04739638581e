"""Offline pieces: the Mastodon follows CSV, profile fields within limits, announcements, OSC 52."""

from __future__ import annotations

import base64
from pathlib import Path

import grapheme
import pytest

from quittex_tui.archive import open_archive
from quittex_tui.audience import announcements, follows_csv, osc52, validate_follows_csv, write_follows_csv
from quittex_tui.audience.announce import fits
from quittex_tui.audience.profile import (
    BSKY_BIO_MAX,
    BSKY_NAME_MAX,
    MASTODON_NAME_MAX,
    MASTODON_NOTE_MAX,
    ProfileDraft,
    bluesky_fields,
    draft_from_archive,
    expand_links,
    mastodon_fields,
)
from quittex_tui.demo import demo_archive_path
from quittex_tui.errors import InputError


def test_follows_csv_is_mastodons_format(tmp_path: Path) -> None:
    text = follows_csv(["alice@example.social", "@Bob@Piaille.FR", "alice@example.social"])
    # Mastodon's own export/import header and row shape (docs/mastodon.md#follows)
    assert text.splitlines() == [
        "Account address,Show boosts,Notify on new posts,Languages",
        "alice@example.social,true,false,",
        "Bob@piaille.fr,true,false,",
    ]
    assert validate_follows_csv(text) == ["alice@example.social", "Bob@piaille.fr"]
    out = tmp_path / "follows.csv"
    assert write_follows_csv(out, ["carol@m.example"]) == 1
    assert (
        out.read_bytes()
        == b"Account address,Show boosts,Notify on new posts,Languages\ncarol@m.example,true,false,\n"
    )
    with pytest.raises(InputError, match="full Mastodon address"):
        follows_csv(["carol"])
    with pytest.raises(InputError, match="Line 2"):
        validate_follows_csv("Account address,Show boosts,Notify on new posts,Languages\n@x@y.z,yes,false,\n")


def test_demo_profile_fits_both_networks() -> None:
    with open_archive(demo_archive_path()) as archive:
        draft = draft_from_archive(archive)
    assert draft.display_name and draft.avatar_member and draft.banner_member
    name, bio = bluesky_fields(draft)
    assert grapheme.length(name) <= BSKY_NAME_MAX and grapheme.length(bio) <= BSKY_BIO_MAX
    assert draft.bio.split("\n")[0] in bio
    name, note = mastodon_fields(draft)
    assert len(name) <= MASTODON_NAME_MAX and len(note) <= MASTODON_NOTE_MAX


def test_long_fields_are_cut_on_words_without_breaking_emoji() -> None:
    long = ProfileDraft(
        display_name="Camille Dupré 👩🏽‍💻 " * 8,
        bio=("données climat médias " * 30).strip(),
        website="https://example.org/camille",
    )
    name, bio = bluesky_fields(long)
    assert grapheme.length(name) <= BSKY_NAME_MAX and name.endswith("…")
    assert grapheme.length(bio) <= BSKY_BIO_MAX and bio.endswith("…")
    mname, mnote = mastodon_fields(long)
    assert len(mname) <= MASTODON_NAME_MAX and mname.endswith("…")
    assert "\u200d…" not in mname  # never cut inside the ZWJ sequence
    assert len(mnote) <= MASTODON_NOTE_MAX
    short = ProfileDraft(display_name="Camille", bio="Journaliste", website="https://example.org")
    assert bluesky_fields(short) == ("Camille", "Journaliste\nhttps://example.org")


def test_tco_links_expand_from_the_archive_only() -> None:
    links = {"https://t.co/abc": "https://example.org/newsletter"}
    assert (
        expand_links("News: https://t.co/abc and https://t.co/zzz", links)
        == "News: https://example.org/newsletter and https://t.co/zzz"
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_announcements(lang: str) -> None:
    texts = announcements(
        lang, bluesky="camille.bsky.social", mastodon="camille@piaille.fr", x_handle="camille_x"
    )
    assert set(texts) == {"x", "bluesky", "mastodon"}
    assert "@camille.bsky.social" in texts["x"] and "@camille@piaille.fr" in texts["x"]
    assert texts["x"].startswith("Je déménage :" if lang == "fr" else "I'm moving:")
    assert "@camille@piaille.fr" in texts["bluesky"] and "@camille.bsky.social" in texts["mastodon"]
    for network, text in texts.items():
        assert fits(network, text)
    only = announcements(lang, bluesky="camille.bsky.social")
    assert set(only) == {"x", "bluesky"}
    with pytest.raises(ValueError):
        announcements(lang)


def test_osc52() -> None:
    seq = osc52("Je déménage : @me.bsky.social")
    assert seq.startswith("\x1b]52;c;") and seq.endswith("\x07")
    assert base64.b64decode(seq[7:-1]).decode() == "Je déménage : @me.bsky.social"
    wrapped = osc52("hi", tmux=True)
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]52;c;") and wrapped.endswith("\x07\x1b\\")
    with pytest.raises(ValueError):
        osc52("x" * 200_000)
