"""The reconciliation matcher (publish/reconcile.py), offline: which server post is which pending post.

The end-to-end cases run against mastodon-mock in test_exactly_once.py; here, the rules one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quittex_tui.convert.models import PlannedMedia, PlannedPost
from quittex_tui.publish.reconcile import Seen, loose_text, match
from quittex_tui.publish.target import Pending, PostRef, Verdict

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PIC = PlannedMedia(path="/x.png", kind="image", bytes=10, width=40, height=30)


def post(text: str, *, media: list[PlannedMedia] | None = None) -> PlannedPost:
    return PlannedPost(source_id="1", text=text, media=media or [], lang="fr")


def seen(
    sid: str,
    text: str,
    minutes: float,
    *,
    parent: str | None = None,
    media: int = 0,
    alt: str = "",
    aspect: float | None = None,
) -> Seen:
    return Seen(
        id=sid,
        created_at=T0 + timedelta(minutes=minutes),
        parent_id=parent,
        text=loose_text(text),
        media=tuple(("image", alt) for _ in range(media)),
        aspects=tuple(aspect for _ in range(media)),
        lang="fr",
        ref=PostRef(sid, sid),
        order=int(minutes * 100),
    )


def pending(
    key: str,
    p: PlannedPost,
    minutes: float | None,
    *,
    item: str = "",
    index: int = 0,
    parent: str | None = None,
) -> Pending:
    return Pending(
        key,
        item or key,
        index,
        p,
        T0,
        PostRef(parent, parent) if parent else None,
        T0 + timedelta(minutes=minutes) if minutes is not None else None,
        timedelta(seconds=30),
    )


def test_a_status_the_journal_gave_to_another_post_is_never_taken_again() -> None:
    photo = post("", media=[PIC])
    statuses = [seen("s1", "", 0.1, media=1)]  # the first photo, confirmed in the journal
    out = match([pending("b", photo, 1)], statuses, claimed={"s1"})
    assert out["b"].verdict == Verdict.ABSENT  # the second photo never landed: send it


def test_look_alikes_are_told_apart_by_time_parent_and_media() -> None:
    hello = post("Bonjour !")
    statuses = [seen("s1", "Bonjour !", 0.1), seen("s2", "Bonjour  !", 5.2)]  # a reflowed space
    out = match([pending("b", hello, 5)], statuses, claimed=set())
    assert out["b"].verdict == Verdict.FOUND and out["b"].ref.uri == "s2"  # type: ignore[union-attr]
    # Parts of a note with the same text: only the one answering the right parent is this one.
    part = post("la même phrase")
    statuses = [seen("p2", "la même phrase", 1, parent="p1"), seen("p3", "la même phrase", 2, parent="p2")]
    out = match([pending("k3", part, 1.5, parent="p2", index=2)], statuses, claimed={"p2"})
    assert out["k3"].ref.uri == "p3"  # type: ignore[union-attr]
    # The same text with another number of pictures, another alt text, or another shape is not it.
    with_alt = post("", media=[PIC.model_copy(update={"alt": "un chat"})])
    statuses = [
        seen("m1", "", 1, media=1, alt="un chien"),
        seen("m2", "", 1, media=2, alt="un chat"),
        seen("m3", "", 1, media=1, alt="un chat", aspect=1.0),
    ]
    assert match([pending("m", with_alt, 0)], statuses, claimed=set())["m"].verdict == Verdict.ABSENT


def test_two_pending_look_alikes_share_two_statuses_one_each_in_time_order() -> None:
    hello = post("Bonjour !")
    statuses = [seen("s1", "Bonjour !", 1), seen("s2", "Bonjour !", 6)]
    out = match([pending("a", hello, 0.5), pending("b", hello, 5)], statuses, claimed=set())
    assert (out["a"].ref.uri, out["b"].ref.uri) == ("s1", "s2")  # type: ignore[union-attr]
    # Only one landed, after both intents: it may be either one's. They say the same thing, so what counts
    # is that it stands for one of them only — the other is sent: the reader sees the words twice, as planned.
    out = match([pending("a", hello, 0.5), pending("b", hello, 5)], statuses[1:], claimed=set())
    assert (out["a"].verdict, out["b"].verdict) == (Verdict.FOUND, Verdict.ABSENT)


def test_a_status_older_than_the_intent_is_not_the_post() -> None:
    out = match([pending("a", post("Salut"), 10)], [seen("s", "Salut", 2)], claimed=set())
    assert out["a"].verdict == Verdict.ABSENT


def test_an_old_post_waits_for_a_recent_look_alike_the_server_still_knows_by_key() -> None:
    hello = post("Bonjour !")
    recent = pending("r", hello, 30)  # re-sent by key: the server answers for it
    out = match([pending("a", hello, 0)], [seen("s", "Bonjour !", 31)], claimed=set(), recent=[recent])
    assert out["a"].verdict == Verdict.LATER


def test_a_near_miss_is_checked_and_an_unchecked_one_makes_it_unsure() -> None:
    p = post("Avec @alice@example.org et un lien")
    statuses = [seen("s", "Avec @alice et un lien", 1)]  # mentions shown without their domain: same
    assert match([pending("a", p, 0)], statuses, claimed=set())["a"].verdict == Verdict.FOUND
    odd = [seen("s", "rendered differently", 1)]
    assert (
        match([pending("a", p, 0)], odd, claimed=set(), verify=lambda s, q: True)["a"].verdict
        == Verdict.FOUND
    )
    assert (
        match([pending("a", p, 0)], odd, claimed=set(), verify=lambda s, q: False)["a"].verdict
        == Verdict.ABSENT
    )
    unsure = match([pending("a", p, 0)], odd, claimed=set(), verify=lambda s, q: None)["a"]
    assert unsure.verdict == Verdict.UNSURE and "could not be checked" in unsure.reason
    # issue 14: the reason is catalogue words (said in French inside the "unsure" failure), plural right
    from quittex_tui import i18n

    assert unsure.reason == "1 post of the account could be this one but its text could not be checked"
    assert i18n.say(unsure.reason, "cli", "fr").startswith("1 publication du compte pourrait être celle-ci")
    out = match(
        [pending("a", post("Bonjour !"), 0)],
        [seen("s", "Bonjour !", 31)],
        claimed=set(),
        recent=[pending("r", post("Bonjour !"), 30)],
    )
    assert (
        i18n.say(out["a"].reason, "tui", "fr")
        == "une publication envoyée il y a moins d'une heure lui ressemble"
    )


def test_a_lost_journal_follows_threads_and_prefers_the_root_that_explains_them() -> None:
    root, reply = post("Fil"), post("suite")
    statuses = [
        seen("old", "Fil", -500),  # the same words posted by hand long before
        seen("r1", "Fil", 1),
        seen("r2", "suite", 2, parent="r1"),
    ]
    batch = [pending("k0", root, None, item="t", index=0), pending("k1", reply, None, item="t", index=1)]
    out = match(batch, statuses, claimed=set())
    assert out["k0"].ref.uri == "r1" and out["k1"].ref.uri == "r2"  # type: ignore[union-attr]
    # A thread whose first post is not there: its reply cannot be either.
    out = match(batch, [seen("x", "autre", 1)], claimed=set())
    assert out["k0"].verdict == Verdict.ABSENT and out["k1"].verdict == Verdict.ABSENT
