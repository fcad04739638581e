"""Score a candidate account against an X person, with the reasons spelled out.

The product's rule (README, the audience section): "a wrong match is worse than none". Every point of a score
comes with a reason the user reads in the review list; nothing is accepted automatically below `STRONG`, and a
person with two plausible accounts stays undecided. Weights (sum clamped to 0–100):

- "named in your file" +100: the user said so (CSV or a matching service's export);
- "handle equal" +60: the Bluesky handle's first label / the Mastodon username equals the X handle
  (case-insensitive; `_` may be dropped or become `-`, since Bluesky handles allow no `_`);
- "bio names the X handle" +50: "@name on X", "x.com/name", "twitter.com/name", "X: @name"…
  (not "ex-@name": journalists write that of former employers);
- "display name equal" +25 / "display name similar" +15: against the names the archive saw for this id
  (mentions), else the X handle;
- "bio names another X account (@other)" −50: a decoy that says it is someone else on X.

So a handle alone (60) is never strong: it needs a bio or a name to agree (≥ 70), because handles are
first-come on every network and impersonation exists.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from quittex_tui.audience.models import Candidate, Person, Suggestion


class Reason(StrEnum):
    """Why a candidate scores what it scores. The values are the words of `audience --json`'s `reasons`
    (a contract: they never change); a front end translates by member (catalogue key `reason.<name>`)."""

    NAMED_IN_FILE = "named in your file"
    HANDLE_EQUAL = "handle equal"
    BIO_NAMES_HANDLE = "bio names the X handle"
    BIO_NAMES_OTHER = "bio names another X account"  # always with the account: see OtherAccount
    NAME_EQUAL = "display name equal"
    NAME_SIMILAR = "display name similar"
    ALREADY_FOLLOWING = "you already follow this account"

    @property
    def reason(self) -> Reason:
        return self

    @property
    def handle(self) -> str:
        return ""

    @property
    def catalogue_key(self) -> str:
        return f"reason.{self.name.lower()}"

    @property
    def catalogue_params(self) -> dict[str, object]:
        return {}


class OtherAccount(str):
    """Reason.BIO_NAMES_OTHER with the X account the bio names: "bio names another X account (@other)" in
    the JSON, as it always was; `.reason` and `.handle` for a front end that says it its own way."""

    reason = Reason.BIO_NAMES_OTHER
    handle: str

    def __new__(cls, handle: str) -> OtherAccount:
        obj = super().__new__(cls, f"{Reason.BIO_NAMES_OTHER.value} (@{handle})")
        obj.handle = handle
        return obj

    def __getnewargs__(self) -> tuple[str]:
        return (self.handle,)

    @property
    def catalogue_key(self) -> str:
        return Reason.BIO_NAMES_OTHER.catalogue_key

    @property
    def catalogue_params(self) -> dict[str, object]:
        return {"handle": self.handle}


ScoreReason = Reason | OtherAccount

STRONG = 70  # auto-accept (with --accept-strong) only at or above this score
MARGIN = 20  # …and only when the runner-up is at least this far behind

W_FILE = 100
W_HANDLE = 60
W_BIO = 50
W_NAME_EQUAL = 25
W_NAME_SIMILAR = 15
W_OTHER_X = -50

_H = r"[A-Za-z0-9_]{1,50}"
_END = r"(?![A-Za-z0-9_])"
# Phrases by which a profile names its X account (EN + FR), each capturing the handle.
_BIO_PATTERNS = [
    re.compile(rf"(?:https?://)?(?:www\.|mobile\.)?(?:x|twitter)\.com/@?({_H}){_END}", re.I),
    re.compile(rf"@({_H}){_END}\s*(?:on|sur|chez|at|@)\s*(?:x|twitter)(?![A-Za-z0-9_]|\.[A-Za-z])", re.I),
    re.compile(rf"@({_H}){_END}\s*\(\s*(?:x|twitter)\s*\)", re.I),
    re.compile(
        rf"(?<![A-Za-z0-9_])(?:x|twitter|tw|𝕏)\s*(?:handle|account|compte)?\s*[:=]\s*@?({_H}){_END}", re.I
    ),
]


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name ("Élodie  Dupré-X" → "elodie dupre x")."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.findall(r"[^\W_]+", kept.casefold())
    return " ".join(words)


def _handle_key(handle: str) -> str:
    return handle.casefold().replace("_", "").replace("-", "")


def bio_x_handles(text: str) -> list[str]:
    """X handles a bio names as its own X account (lowercased, in order, no repeats)."""
    found: list[str] = []
    for pattern in _BIO_PATTERNS:
        for match in pattern.finditer(text or ""):
            value = match.group(1).lower()
            if value not in found:
                found.append(value)
    return found


def _handle_label(candidate: Candidate) -> str:
    if candidate.network == "bluesky":
        return candidate.handle.split(".", 1)[0]
    return (candidate.acct or candidate.handle).lstrip("@").split("@", 1)[0]


def _names_match(names: Iterable[str], display: str) -> Reason | None:
    target = fold(display)
    if not target:
        return None
    best = None
    for name in names:
        folded = fold(name)
        if not folded:
            continue
        if folded == target or folded.replace(" ", "") == target.replace(" ", ""):
            return Reason.NAME_EQUAL
        ratio = difflib.SequenceMatcher(None, folded, target).ratio()
        if ratio >= 0.85 or set(folded.split()) == set(target.split()):
            best = Reason.NAME_SIMILAR
    return best


def score(person: Person, candidate: Candidate, *, file_claims: Iterable[str] = ()) -> Candidate:
    """Fill `candidate.score` and `.reasons` for `person` (returns the same object)."""
    points = 0
    reasons: list[str] = []  # ScoreReason values (str: the JSON shows them as they are)
    claimed = {c.lower() for c in file_claims}
    ident = {candidate.handle.lower(), (candidate.did or "").lower(), (candidate.acct or "").lower()} - {""}
    if claimed & ident:
        points += W_FILE
        reasons.append(Reason.NAMED_IN_FILE)
    x = person.x_handle
    if x:
        label = _handle_label(candidate)
        if label.casefold() == x.casefold() or _handle_key(label) == _handle_key(x):
            points += W_HANDLE
            reasons.append(Reason.HANDLE_EQUAL)
        named = bio_x_handles(candidate.description)
        if x.lower() in named:
            points += W_BIO
            reasons.append(Reason.BIO_NAMES_HANDLE)
        elif named:
            points += W_OTHER_X
            reasons.append(OtherAccount(named[0]))
    names = list(person.names) or ([x] if x else [])
    how = _names_match(names, candidate.display_name) if names else None
    if how == Reason.NAME_EQUAL:
        points += W_NAME_EQUAL
        reasons.append(how)
    elif how:
        points += W_NAME_SIMILAR
        reasons.append(how)
    if candidate.already_following:
        reasons.append(Reason.ALREADY_FOLLOWING)
    candidate.score = max(0, min(100, points))
    candidate.reasons = reasons
    return candidate


def suggest(person: Person, candidates: Iterable[Candidate]) -> Suggestion:
    """Rank scored candidates; `best` only when strong (≥ STRONG) and clearly ahead of the runner-up."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.handle))
    # Keep every candidate that has a reason, even at 0 (a decoy shown with why it lost); drop noise.
    ranked = [c for c in ranked if c.score > 0 or c.reasons]
    if not ranked or ranked[0].score < STRONG:
        return Suggestion(best=None, ambiguous=False, candidates=ranked)
    if len(ranked) > 1 and (ranked[1].score >= STRONG or ranked[0].score - ranked[1].score < MARGIN):
        # The user's own file settles it, unless it names two accounts on this network.
        by_file = [c for c in ranked if Reason.NAMED_IN_FILE in c.reasons]
        if len(by_file) != 1 or by_file[0] is not ranked[0]:
            return Suggestion(best=None, ambiguous=True, candidates=ranked)
    return Suggestion(best=ranked[0], ambiguous=False, candidates=ranked)
