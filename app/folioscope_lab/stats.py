"""Paired bootstrap intervals and boundary F1: how sure a difference is, and how it was found."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MIN_GROUPS = 5  # fewer independent units than this: no interval is given


def paired_bootstrap(a: Sequence[float], b: Sequence[float], groups: Sequence | None = None,
                     rounds: int = 2000, seed: int = 0) -> dict:
    """Mean of a - b with a 95% percentile interval, resampling whole groups (papers,
    documents) with replacement; each unit's values are paired. None for the interval when
    there are fewer than MIN_GROUPS groups."""
    a_ = np.asarray(a, dtype=np.float64)
    b_ = np.asarray(b, dtype=np.float64)
    diff = a_ - b_
    keys = list(groups) if groups is not None else list(range(len(diff)))
    names = sorted(set(keys), key=str)
    out = {"difference": round(float(diff.mean()), 4) if len(diff) else None, "units": len(diff),
           "groups": len(names), "ci95": None}
    if len(names) < MIN_GROUPS:
        return out
    index = {g: i for i, g in enumerate(names)}
    sums = np.zeros(len(names))
    counts = np.zeros(len(names))
    for k, d in zip(keys, diff):
        sums[index[k]] += d
        counts[index[k]] += 1
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(names), size=(rounds, len(names)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    out["ci95"] = [round(float(lo), 4), round(float(hi), 4)]
    return out


def boundary_matches(gold: set[int], found: set[int], tolerance: int = 1) -> int:
    """How many found boundaries match a gold one within `tolerance` gaps (one to one,
    nearest first)."""
    pairs = sorted((abs(g - f), g, f) for g in gold for f in found if abs(g - f) <= tolerance)
    used_g, used_f, n = set(), set(), 0
    for _, g, f in pairs:
        if g not in used_g and f not in used_f:
            used_g.add(g)
            used_f.add(f)
            n += 1
    return n


def f1(matched: int, found: int, gold: int) -> float:
    precision = matched / found if found else 0.0
    recall = matched / gold if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
