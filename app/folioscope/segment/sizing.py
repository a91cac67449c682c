"""Sizing: turn gap scores into chunks that fit the embedding model.

1. Sentences longer than the budget are cut at word boundaries into units that fit.
2. Cuts go where the strategy decided a boundary, and before headings.
3. A piece over the budget is split at its highest-scored gap (both sides at least the
   minimum when possible), recursively.
4. A piece under the minimum joins the neighbour across the weaker boundary, if the
   result fits.
Chunks are contiguous, ordered and lossless: chunk i is text[cuts[i]:cuts[i+1]], the first
cut is 0 and the last end is len(text); no chunk is empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core import DEFAULT_BUDGET, DEFAULT_MINIMUM, Sentence


@dataclass
class Unit:
    start: int
    end: int
    tokens: int


def fit_units(text: str, sentences: list[Sentence], tokens: list[int], budget: int,
              count: Callable[[list[str]], list[int]]) -> tuple[list[Unit], list[int]]:
    """Units no longer than the budget, and for each unit the index of its sentence."""
    units: list[Unit] = []
    owner: list[int] = []
    for index, (sentence, n) in enumerate(zip(sentences, tokens)):
        if n <= budget:
            units.append(Unit(sentence.start, sentence.end, n))
            owner.append(index)
            continue
        words = list(re.finditer(r"\S+", text[sentence.start:sentence.end]))
        counts = count([w.group(0) for w in words])
        piece_start, piece_tokens = sentence.start + words[0].start(), 0
        for word, c in zip(words, counts):
            if piece_tokens + c > budget and piece_tokens > 0:
                units.append(Unit(piece_start, sentence.start + word.start(), piece_tokens))
                owner.append(index)
                piece_start, piece_tokens = sentence.start + word.start(), 0
            piece_tokens += c
        units.append(Unit(piece_start, sentence.end, piece_tokens))
        owner.append(index)
    return units, owner


def plan_cuts(tokens: list[int], gap_scores: np.ndarray, decided: np.ndarray,
              budget: int = DEFAULT_BUDGET, minimum: int = DEFAULT_MINIMUM) -> list[int]:
    """Indices of units that start a chunk (always including 0)."""
    n = len(tokens)
    if n == 0:
        return []
    prefix = np.concatenate([[0], np.cumsum(tokens)])

    def size(lo: int, hi: int) -> int:
        return int(prefix[hi] - prefix[lo])

    starts = {0} | {g + 1 for g in np.flatnonzero(decided)}
    ordered = sorted(starts)
    pieces = list(zip(ordered, ordered[1:] + [n]))

    def split(lo: int, hi: int) -> list[tuple[int, int]]:
        if size(lo, hi) <= budget or hi - lo < 2:
            return [(lo, hi)]
        gaps = range(lo, hi - 1)  # gap g lies between unit g and g + 1
        good = [g for g in gaps if size(lo, g + 1) >= minimum and size(g + 1, hi) >= minimum]
        candidates = good or list(gaps)
        middle = (prefix[lo] + prefix[hi]) / 2
        g = max(candidates, key=lambda g: (gap_scores[g], -abs(prefix[g + 1] - middle)))
        return split(lo, g + 1) + split(g + 1, hi)

    sized = [p for lo, hi in pieces for p in split(lo, hi)]
    return [lo for lo, _ in _merge_small(sized, size, gap_scores, budget, minimum)]


def _merge_small(pieces, size, gap_scores, budget, minimum):
    pieces = list(pieces)
    changed = True
    while changed and len(pieces) > 1:
        changed = False
        for i, (lo, hi) in enumerate(pieces):
            if size(lo, hi) >= minimum:
                continue
            options = []
            if i > 0 and size(pieces[i - 1][0], hi) <= budget:
                options.append((gap_scores[lo - 1], i - 1))  # boundary before this piece
            if i + 1 < len(pieces) and size(lo, pieces[i + 1][1]) <= budget:
                options.append((gap_scores[hi - 1], i))  # boundary after it
            if not options:
                continue
            _, left = min(options)
            pieces[left:left + 2] = [(pieces[left][0], pieces[left + 1][1])]
            changed = True
            break
    return pieces
