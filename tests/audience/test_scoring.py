"""Scoring: reasons in words, handle equal > bio mention > display name, decoys, ambiguity stays undecided."""

from __future__ import annotations

from quittex_tui.audience.models import Candidate, Person
from quittex_tui.audience.scoring import STRONG, bio_x_handles, fold, score, suggest


def bsky(handle: str, name: str = "", bio: str = "", did: str | None = None) -> Candidate:
    return Candidate(
        network="bluesky",
        handle=handle,
        did=did or f"did:plc:{handle.split('.')[0]}",
        display_name=name,
        description=bio,
    )


PERSON = Person(x_id="1", x_handle="bob_x", relations=["following"], names=["Bob Builder"])


def test_each_reason_alone_and_their_order() -> None:
    handle = score(PERSON, bsky("bob-x.bsky.social"))
    bio = score(PERSON, bsky("someone.bsky.social", bio="formerly @bob_x on X"))
    name = score(PERSON, bsky("someone.bsky.social", name="Bob Builder"))
    assert handle.reasons == ["handle equal"]
    assert bio.reasons == ["bio names the X handle"]
    assert name.reasons == ["display name equal"]
    assert handle.score > bio.score > name.score > 0
    # none of them alone is strong enough to accept: a wrong match is worse than none
    assert max(handle.score, bio.score, name.score) < STRONG


def test_bio_patterns() -> None:
    assert bio_x_handles("Journaliste. x.com/Bob_X et ailleurs") == ["bob_x"]
    assert bio_x_handles("https://twitter.com/bob_x/status/1") == ["bob_x"]
    assert bio_x_handles("@bob_x sur X, @bob@piaille.fr ailleurs") == ["bob_x"]
    assert bio_x_handles("Twitter: @bob_x") == ["bob_x"]
    assert bio_x_handles("@bob_x (Twitter)") == ["bob_x"]
    # word boundaries: a longer handle is not a mention of a shorter one
    assert bio_x_handles("x.com/bob_xyz") == ["bob_xyz"]
    # "ex-@Employer" is about a former job, not an X account; plain mentions and emails neither
    assert bio_x_handles("ex-@presse_libre_fr · bob@x.com · @bob_x") == []


def test_fold_ignores_case_accents_emoji() -> None:
    assert fold("Élodie  DUPRÉ 📻") == "elodie dupre"
    assert fold("Chloé-Data") == fold("chloe data")


def test_right_account_wins_over_decoys() -> None:
    right = bsky("bob-x.bsky.social", "Bob Builder", "Formerly @bob_x on X. Builds things.")
    decoy_name = bsky("bobthebuilder.bsky.social", "Bob Builder", "Not the Bob you are looking for")
    decoy_other = bsky("bob-x2.bsky.social", "Bob Builder", "x.com/bob_x_fan — a fan account")
    scored = [score(PERSON, c) for c in (decoy_name, right, decoy_other)]
    s = suggest(PERSON, scored)
    assert s.best is right and not s.ambiguous
    assert right.score == 100 and right.reasons == [
        "handle equal",
        "bio names the X handle",
        "display name equal",
    ]
    assert "bio names another X account (@bob_x_fan)" in decoy_other.reasons
    assert decoy_other.score < STRONG
    assert s.candidates[0].handle == right.handle


def test_two_strong_candidates_stay_undecided() -> None:
    one = score(PERSON, bsky("bob-x.bsky.social", "Bob Builder"))
    two = score(PERSON, bsky("bobx.example.com", "Bob Builder"))
    assert one.score >= STRONG and two.score >= STRONG
    s = suggest(PERSON, [one, two])
    assert s.best is None and s.ambiguous
    assert len(s.candidates) == 2


def test_close_runner_up_is_ambiguous_too() -> None:
    strong = score(PERSON, bsky("bob-x.bsky.social", "Bob Builder", ""))  # 85
    close = score(PERSON, bsky("other.bsky.social", "Bob Builder", "on X: @bob_x"))  # 75
    assert strong.score - close.score < 20 and close.score >= STRONG
    assert suggest(PERSON, [strong, close]).best is None


def test_weak_only_is_not_suggested_but_listed() -> None:
    weak = score(PERSON, bsky("bob-x.bsky.social"))
    s = suggest(PERSON, [weak, score(PERSON, bsky("zzz.bsky.social"))])
    assert s.best is None and not s.ambiguous
    assert [c.handle for c in s.candidates] == ["bob-x.bsky.social"]  # zero-score noise dropped


def test_users_file_settles_it() -> None:
    person = Person(
        x_id="2", x_handle="bob_x", names=["Bob Builder"], claimed=[("bluesky", "bob.example.com")]
    )
    named = score(person, bsky("bob.example.com", "Robert"), file_claims=["bob.example.com"])
    lookalike = score(person, bsky("bob-x.bsky.social", "Bob Builder"))
    assert named.reasons[0] == "named in your file"
    s = suggest(person, [lookalike, named])
    assert s.best is named


def test_mastodon_username_and_note() -> None:
    cand = Candidate(
        network="mastodon",
        handle="bob_x@piaille.fr",
        acct="bob_x@piaille.fr",
        display_name="Bob B.",
        description="Ancien compte : twitter.com/bob_x",
    )
    score(PERSON, cand)
    assert cand.reasons[:2] == ["handle equal", "bio names the X handle"]
    assert cand.to_json()["acct"] == "bob_x@piaille.fr" and "did" not in cand.to_json()


def test_no_handle_known_scores_only_names() -> None:
    person = Person(x_id="3", x_handle=None, names=["Nora Climat 🌍"])
    cand = score(person, bsky("nora.bsky.social", "Nora Climat"))
    assert cand.reasons == ["display name equal"] and cand.score < STRONG
