"""Split a text that is over a network's limit into a chain of posts.

Split at paragraph, then line, then sentence, then word boundaries; never cut a word,
a link or a hashtag; number the parts ("(1/3)") only when the user opts in, counted in the limit.

How: the text is cut into tokens (runs of non-space characters; a span — link or tag — never straddles
two). Each post greedily takes as many tokens as fit, then steps back to the best boundary of what fits
(paragraph > line > sentence end > comma or semicolon > word; a sentence end counts from the first third,
the others from the second half), and a last post never holds a word or two alone. Costs are additive over
tokens and the whitespace between them (grapheme clusters never span a space, URLs never contain one), so
a post's size is known without recounting; every finished post is still checked with the network's exact
counter and shortened by one token if that disagrees.

A single token bigger than a post (a run of CJK text, a 1,000-character string without spaces) is the one
thing that must be cut inside: it is cut between grapheme clusters, preferably after a punctuation mark,
and never inside a span. Over-long links are shortened for display by bluesky.py before splitting (the
facet keeps the full URI); on Mastodon a URL counts 23 whatever its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import add, le, sub

import grapheme

from quittex_tui.convert.text import Span

Cost = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    """How one network measures a post: additive `cost`, its `limits`, and the exact `fits` check."""

    cost: Callable[[str], Cost]
    limits: Cost
    fits: Callable[[str], bool]


@dataclass(slots=True)
class Part:
    text: str  # the post text, decorations (numbering, first-post suffix) included
    spans: list[Span]  # relative to `text`
    start: int  # the body's range in the source text
    end: int


_TOKEN = re.compile(r"\S+")
_SPACE = re.compile(r"\s")
_SENTENCE_END = re.compile(r"[.!?…。！？‼⁉][\"'»”’)\]]*$")
_SOFT_END = re.compile(r"[,;:、，；：]$")


def numbering(index: int, total: int) -> str:
    """The opt-in part marker appended to each post of a split text."""
    return f" ({index + 1}/{total})"


def split_text(
    text: str, spans: Sequence[Span], rules: Rules, *, number_parts: bool = False, first_suffix: str = ""
) -> list[Part]:
    """`text` as one post when it fits (with `first_suffix`), else as a chain of parts that each fit.

    `first_suffix` (e.g. Mastodon's date footer) ends the first post and counts in its limit.
    """
    whole = text + first_suffix
    if rules.fits(whole):
        return [Part(whole, list(spans), 0, len(text))]
    tokens = _tokens(text, spans)
    if not tokens:  # nothing to cut (only a suffix that is too long by itself)
        return [Part(whole, list(spans), 0, len(text))]
    digits = 1
    while True:
        marker = numbering(10**digits - 2, 10**digits - 1) if number_parts else ""
        ranges = _pack(text, tokens, spans, rules, marker, first_suffix)
        if not number_parts or len(str(len(ranges))) <= digits:
            break
        digits += 1
    total = len(ranges)
    parts = []
    for index, (start, end) in enumerate(ranges):
        body = text[start:end]
        decorated = body + (numbering(index, total) if number_parts and total > 1 else "")
        if index == 0:
            decorated += first_suffix
        inside = [
            Span(s.kind, s.start - start, s.end - start, s.value)
            for s in spans
            if s.start >= start and s.end <= end
        ]
        parts.append(Part(decorated, inside, start, end))
    return parts


def _tokens(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Runs of non-space characters, merged where a span would straddle two of them."""
    tokens = [m.span() for m in _TOKEN.finditer(text)]
    wide = [sp for sp in spans if _SPACE.search(text, sp.start, sp.end)]
    if not wide:  # the usual case: links and tags hold no space
        return tokens
    merged: list[tuple[int, int]] = []
    for start, end in tokens:
        if merged and any(sp.start < start and sp.end > merged[-1][1] for sp in wide):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _add(a: Cost, b: Cost) -> Cost:
    return tuple(map(add, a, b))


def _pack(
    text: str,
    tokens: list[tuple[int, int]],
    spans: Sequence[Span],
    rules: Rules,
    marker: str,
    first_suffix: str,
) -> list[tuple[int, int]]:
    dims = range(len(rules.limits))
    zero = tuple(0 for _ in dims)
    memo: dict[str, Cost] = {"": zero}  # words and separators repeat: count each once

    def cost(piece: str) -> Cost:
        found = memo.get(piece)
        if found is None:
            found = memo[piece] = rules.cost(piece)
        return found

    marker_cost = cost(marker)
    first_cost = _add(marker_cost, cost(first_suffix))
    room_first = tuple(map(sub, rules.limits, first_cost))
    # Tokens too big for any post are cut into grapheme clusters (spans kept whole), glued together.
    units: list[tuple[int, int]] = []
    for start, end in tokens:
        if all(map(le, cost(text[start:end]), room_first)):
            units.append((start, end))
        else:
            units.extend(_clusters(text, start, end, spans))
    n = len(units)
    # prefix[d][k]: size of units 0..k-1 with the separator after each; the size of units i..j-1 as
    # one post is prefix[d][j] - sep[d][j-1] - prefix[d][i] (non-decreasing in j: binary search).
    unit_costs = [cost(text[s:e]) for s, e in units]
    sep_costs = [cost(text[units[k][1] : units[k + 1][0]]) for k in range(n - 1)] + [zero]
    prefix = [[0] * (n + 1) for _ in dims]
    for d in dims:
        row = prefix[d]
        for k in range(n):
            row[k + 1] = row[k] + unit_costs[k][d] + sep_costs[k][d]

    def size(d: int, i: int, j: int) -> int:
        return prefix[d][j] - sep_costs[j - 1][d] - prefix[d][i]

    ranges: list[tuple[int, int]] = []
    i = 0
    while i < n:
        reserve = first_cost if not ranges else marker_cost
        room = [rules.limits[d] - reserve[d] for d in dims]
        lo, hi = i + 1, n  # the largest j in [i+1, n] with units i..j-1 fitting (at least one unit)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if all(size(d, i, mid) <= room[d] for d in dims):
                lo = mid
            else:
                hi = mid - 1
        j = lo
        if j == n:
            k = j
        else:
            k = _best_break(text, units, i, j, [size(0, i, m) for m in range(i + 1, j + 1)])
            k = _balanced_tail(text, units, i, j, k, lambda a, b: [size(d, a, b) for d in dims], room)
        suffix = marker + (first_suffix if not ranges else "")
        while k > i + 1 and not rules.fits(text[units[i][0] : units[k - 1][1]] + suffix):
            k -= 1  # the additive estimate disagreed with the exact counter: be safe
        ranges.append((units[i][0], units[k - 1][1]))
        i = k
    return ranges


def _best_break(text: str, units: list[tuple[int, int]], i: int, j: int, positions: list[int]) -> int:
    """Where to end a post that could hold units i..j-1: the best-ranked boundary, the last of its rank.

    A sentence end (or a line or paragraph break) counts from the first third of what fits, any other
    boundary from the second half: cutting after an earlier full stop reads better than cutting the last
    sentence in two ("…despite fear" / "mongering."), and a post still holds at least a third of a post.
    Ties go to the later boundary (fewer posts)."""
    total = positions[-1]
    best_k, best_rank = j, -1
    for k in range(i + 1, j + 1):
        rank = _break_rank(text, units[k - 1], units[k] if k < len(units) else None)
        floor = total / 3 if rank >= _SENTENCE else total / 2
        if positions[k - i - 1] < floor:
            continue
        if rank >= best_rank:
            best_k, best_rank = k, rank
    return best_k


def _balanced_tail(
    text: str,
    units: list[tuple[int, int]],
    i: int,
    j: int,
    k: int,
    size: Callable[[int, int], list[int]],
    room: list[int],
) -> int:
    """The cut before the LAST post (the rest after it fits in one post) keeps both parts reasonable:
    the last sentence end where each part holds at least a fifth of a post wins, wherever it is; else,
    when the chosen cut would leave a word or two alone (under a fifth of a post), the word boundary
    nearest the middle. Both posts still fit: each is part of what fitted, or of the rest that fits."""
    n = len(units)

    def fits(a: int, b: int) -> bool:
        return all(v <= lim for v, lim in zip(size(a, b), room, strict=True))

    if not fits(k, n):
        return k  # more than one post left: not the last cut
    least = room[0] / 5
    best, best_rank = None, -1
    for m in range(i + 1, j + 1):
        rank = _break_rank(text, units[m - 1], units[m])
        if rank < _SENTENCE or rank < best_rank:
            continue
        if size(i, m)[0] >= least and size(m, n)[0] >= least and fits(m, n):
            best, best_rank = m, rank
    if best is not None:
        return best
    if size(k, n)[0] >= least:
        return k
    half = size(i, n)[0] / 2
    best_gap: float | None = None
    best = k
    for m in range(i + 1, j + 1):
        if not text[units[m - 1][1] : units[m][0]] or not fits(m, n):
            continue  # inside a token that had to be cut
        gap = abs(size(i, m)[0] - half)
        if best_gap is None or gap < best_gap:
            best, best_gap = m, gap
    return best


_SENTENCE = 5  # _break_rank of a sentence end


def _break_rank(text: str, before: tuple[int, int], after: tuple[int, int] | None) -> int:
    if after is None:
        return 9
    sep = text[before[1] : after[0]]
    word = text[before[0] : before[1]]
    if not sep:  # inside a token that had to be cut
        if _SENTENCE_END.search(word):
            return 2
        return 1 if _SOFT_END.search(word) else 0
    newlines = sep.count("\n")
    if newlines >= 2:
        return 8
    if newlines == 1:
        return 6
    if _SENTENCE_END.search(word):
        return _SENTENCE
    return 4 if _SOFT_END.search(word) else 3


def _clusters(text: str, start: int, end: int, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """`text[start:end]` cut between grapheme clusters, each span kept as one unit."""
    inside = [(sp.start, sp.end) for sp in spans if sp.start < end and sp.end > start]
    out: list[tuple[int, int]] = []
    cur = start
    pos = start
    for cluster in grapheme.graphemes(text[start:end]):
        pos += len(cluster)
        if any(s < pos < e for s, e in inside):
            continue  # never cut inside a link or a tag
        out.append((cur, pos))
        cur = pos
    if cur < end:
        out.append((cur, end))
    return out
