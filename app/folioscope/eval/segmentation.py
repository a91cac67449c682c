"""Segmentation quality on the Choi and clinical test splits, every strategy side by side.

Three protocols (METHODS.md, "Evaluating boundaries fairly"):
  1. pk / windowdiff: each strategy's own topic-boundary rule, no size budget;
  2. pk_top_n: each strategy keeps its N highest-scored gaps, N = the gold count;
  3. ap: average precision of the gap scores against the gold boundaries.
Plus `even_oracle`: N - 1 cuts spaced evenly at the gold mean length (a reference point).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..segment.strategies import SegmentInput, get_strategy
from .metrics import pk, window_diff
from .segdata import load

DATASETS = {"choi": 150, "clinical": None}  # test documents per set (None: the whole split)
STRATEGY_LIMIT = {"perplexity": 25}  # the LM reads every token: fewer documents


def top_n(scores: np.ndarray, n: int) -> set[int]:
    if n <= 0:
        return set()
    order = np.argsort(-scores, kind="stable")
    return set(int(i) for i in order[:n])


def even_cuts(n_sentences: int, n_boundaries: int) -> set[int]:
    if n_boundaries <= 0:
        return set()
    step = n_sentences / (n_boundaries + 1)
    return {int(round(step * (i + 1))) - 1 for i in range(n_boundaries)}


def average_precision(gold: set[int], scores: np.ndarray) -> float | None:
    from sklearn.metrics import average_precision_score
    labels = np.zeros(len(scores), dtype=np.int8)
    labels[list(gold)] = 1
    if labels.sum() == 0 or labels.sum() == len(labels):
        return None
    return float(average_precision_score(labels, scores))


def evaluate_strategy(name: str, docs, inputs: list[SegmentInput] | None = None,
                      options: dict | None = None) -> dict:
    """`inputs` share sentence embeddings across strategies (computed once per document)."""
    strategy = get_strategy(name, **(options or {}))
    inputs = inputs or [SegmentInput(doc.sentences) for doc in docs]
    own_pk, own_wd, nk, aps = [], [], [], []
    for doc, seg in zip(docs, inputs):
        scores = strategy.score(seg)
        n = len(doc.sentences)
        hyp = set(int(i) for i in np.flatnonzero(strategy.decide(scores)))
        own_pk.append(pk(doc.boundaries, hyp, n))
        own_wd.append(window_diff(doc.boundaries, hyp, n))
        nk.append(pk(doc.boundaries, top_n(scores, len(doc.boundaries)), n))
        ap = average_precision(doc.boundaries, scores)
        if ap is not None:
            aps.append(ap)
    return {"documents": len(docs), "pk": round(float(np.mean(own_pk)), 4),
            "windowdiff": round(float(np.mean(own_wd)), 4),
            "pk_top_n": round(float(np.mean(nk)), 4),
            "ap": round(float(np.mean(aps)), 4) if aps else None}


def evaluate_segmentation(data: Path, strategies: list[str] | None = None,
                          limits: dict | None = None) -> dict:
    strategies = strategies or ["fixed", "texttiling", "perplexity", "learned"]
    limits = {**DATASETS, **(limits or {})}
    report: dict = {"split": "test (eval/segdata.split_of); the boundary model never saw these files"}
    for dataset, limit in limits.items():
        folder = data / "segmentation" / dataset
        if not folder.is_dir():
            continue
        docs = load(folder, split="test", limit=limit)
        inputs = [SegmentInput(doc.sentences) for doc in docs]
        rows = {}
        for name in strategies:
            count = STRATEGY_LIMIT.get(name, len(docs))
            rows[name] = evaluate_strategy(name, docs[:count], inputs[:count])
        rows["even_oracle"] = {
            "documents": len(docs),
            "pk": round(float(np.mean([pk(d.boundaries, even_cuts(len(d.sentences), len(d.boundaries)),
                                          len(d.sentences)) for d in docs])), 4)}
        report[dataset] = rows
    return report
