"""open_archive as a library: progress, context manager, the builder's documented example."""

from __future__ import annotations

from quittex_tui.archive import open_archive
from quittex_tui.archive.models import TweetKind
from tests.archive.builder import ArchiveBuilder, At, Link, Photo, Tag, dt


def test_progress_goes_from_zero_to_one(tmp_path) -> None:
    b = ArchiveBuilder(tweet_parts=3)
    for n in range(30):
        b.tweet(f"t{n}")
    seen: list[tuple[str, float]] = []
    with open_archive(b.write_zip(tmp_path / "a.zip"), progress=lambda m, f: seen.append((m, f))) as archive:
        assert archive.counts.tweets == 30
    fractions = [f for _, f in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert any("tweets" in m for m, _ in seen)


def test_builder_docstring_example_reads_as_described(tmp_path) -> None:
    b = ArchiveBuilder(generation="2023")
    root = b.tweet("Un fil sur l’été 🌞 ", Tag("climat"), at=dt(2023, 6, 1, 9))
    cont = b.tweet("suite", reply_to=root)
    reply = b.tweet(
        At("bob", "222"),
        " d’accord & merci ",
        Link("https://ex.fr/a"),
        reply_to="99",
        reply_user=("222", "bob"),
    )
    b.tweet("une photo", media=[Photo()])
    rt = b.retweet(("333", "carol"), "un texte retweeté")
    quote = b.quote(("333", "carol"), "1600000000000000000", "regardez")
    new_id = b.edit(root, "Un fil sur l’été (corrigé)")
    note = b.note_tweet("x" * 600)
    b.follow("444", "555")
    b.block("666")
    with open_archive(b.write_zip(tmp_path / "archive.zip")) as a:
        assert a.threads == [[new_id, cont]]
        assert a.by_id[reply].kind is TweetKind.REPLY
        assert a.by_id[rt].kind is TweetKind.RETWEET
        assert a.by_id[quote].kind is TweetKind.QUOTE
        assert a.by_id[note].note_text == "x" * 600
        assert a.superseded_edit_ids == [root]
        assert (a.following, a.blocks) == (["444", "555"], ["666"])


def test_missing_media_are_named_in_the_warnings(tmp_path) -> None:
    b = ArchiveBuilder()
    tid = b.tweet("photo perdue", media=[Photo(base="lost.jpg", present=False)])
    with open_archive(b.write_dir(tmp_path / "x")) as a:
        assert a.counts.missing_media == 1
        assert f"tweet {tid}: photo {tid}-lost.jpg is missing from the archive" in a.warnings


def test_profile_texts_are_unescaped_once(tmp_path) -> None:
    b = ArchiveBuilder()
    b.bio = "Journaliste &amp; autrice &lt;climat&gt; — 3 &gt; 2"
    b.location = "Lyon &amp; Grenoble"
    b.tweet("bonjour")
    with open_archive(b.write_zip(tmp_path / "a.zip")) as archive:
        assert archive.account.bio == "Journaliste & autrice <climat> — 3 > 2"
        assert archive.account.location == "Lyon & Grenoble"


def test_profile_texts_without_entities_are_kept_as_written(tmp_path) -> None:
    b = ArchiveBuilder()
    b.bio = "R&D, data & climat; pas d'entité ici"
    b.tweet("bonjour")
    with open_archive(b.write_zip(tmp_path / "a.zip")) as archive:
        assert archive.account.bio == "R&D, data & climat; pas d'entité ici"
