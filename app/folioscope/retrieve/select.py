"""Choosing how many chunks to keep: an adaptive cut on the fused score curve instead of a
fixed top-k, then a token budget, then neighbour expansion. Every candidate records why it
was kept or cut, so the selection can be explained."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .search import Hit


@dataclass
class Candidate:
    hit: Hit
    start: int
    end: int
    tokens: int
    kept: bool = False
    reason: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return self.hit.doc_id, self.hit.idx


@dataclass(frozen=True)
class SelectOptions:
    cut: str = "gradient"  # "gradient" (SAGE), "elbow" (METEORA/Kneedle) or "top"
    top_k: int = 5  # for cut="top"
    # defaults set on the Qasper "tune" papers (eval/retrieval.py); reported on the "test" ones
    min_keep: int = 3
    max_keep: int = 5
    drop: float = 0.1  # gradient cut: a step larger than this share of the score range stops
    budget: int = 1000  # word pieces of chunk text sent on
    neighbours: bool = True
    neighbour_share: float = 0.9  # a neighbour joins if its score reaches this share of the cut score


def gradient_cut(scores: np.ndarray, min_keep: int, drop: float) -> int:
    """How many of the sorted scores to keep: stop before the first step down that is
    larger than `drop` of the whole range (SAGE), keeping at least `min_keep`."""
    n = len(scores)
    if n <= min_keep:
        return n
    span = scores[0] - scores[-1]
    if span <= 0:
        return n
    steps = (scores[:-1] - scores[1:]) / span
    for i in range(min_keep - 1, n - 1):
        if steps[i] > drop:
            return i + 1
    return n


def elbow_cut(scores: np.ndarray, min_keep: int) -> int:
    """Kneedle: keep up to the point of the sorted curve farthest below the chord from its
    first to its last point."""
    n = len(scores)
    if n <= min_keep:
        return n
    x = np.linspace(0.0, 1.0, n)
    span = scores[0] - scores[-1]
    if span <= 0:
        return n
    y = (scores - scores[-1]) / span  # from 1 down to 0
    below = (1.0 - x) - y  # chord minus curve: positive where the curve sags below it
    if below.max() > 1e-9:
        # a convex drop: the knee is the first point at the bottom of the cliff; keep those before it
        return max(min_keep, int(np.argmax(below)))
    # a concave curve (the scores hold, then fall): keep through the knee above the chord
    return max(min_keep, int(np.argmax(-below)) + 1)


def select(candidates: list[Candidate], options: SelectOptions,
           neighbours: dict[tuple[int, int], Candidate] | None = None) -> list[Candidate]:
    """Mark candidates (sorted best first) kept or cut, with reasons; add neighbours.
    Returns the kept chunks in document order."""
    scores = np.array([c.hit.fused for c in candidates], dtype=np.float64)
    if options.cut == "gradient":
        n = gradient_cut(scores, options.min_keep, options.drop)
        why = f"after a score drop of more than {options.drop:.0%} of the range"
    elif options.cut == "elbow":
        n = elbow_cut(scores, options.min_keep)
        why = "past the elbow of the score curve"
    elif options.cut == "top":
        n = min(options.top_k, len(candidates))
        why = f"beyond the top {options.top_k}"
    else:
        raise ValueError(f"unknown cut {options.cut!r}")
    if options.cut != "top":
        n = min(n, options.max_keep)
    used = 0
    kept: list[Candidate] = []
    for rank, c in enumerate(candidates):
        if rank >= n:
            c.reason = f"cut: rank {rank + 1} {why}" if rank < len(scores) else "cut"
            continue
        if kept and used + c.tokens > options.budget:
            c.reason = f"cut: would exceed the budget of {options.budget} tokens"
            continue
        c.kept, used = True, used + c.tokens
        c.reason = f"kept: rank {rank + 1}, fused score {c.hit.fused:.4f}"
        kept.append(c)
    if options.neighbours and neighbours and kept:
        floor = options.neighbour_share * min(c.hit.fused for c in kept)
        chosen = {c.key for c in kept}
        for c in list(kept):
            for step in (-1, 1):
                key = (c.hit.doc_id, c.hit.idx + step)
                nb = neighbours.get(key)
                if nb is None or key in chosen:
                    continue
                if nb.hit.fused < floor:
                    nb.reason = nb.reason or f"neighbour not added: score under {floor:.4f}"
                    continue
                if used + nb.tokens > options.budget:
                    nb.reason = "neighbour not added: over the token budget"
                    continue
                nb.kept, used = True, used + nb.tokens
                nb.reason = f"kept: neighbour of chunk {c.hit.idx} (score {nb.hit.fused:.4f})"
                chosen.add(key)
                kept.append(nb)
    return sorted(kept, key=lambda c: (c.hit.doc_id, c.start))
