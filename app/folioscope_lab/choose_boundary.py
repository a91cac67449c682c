"""How the boundary model's settings were chosen, on the tune halves only:
folioscope-lab train boundary --choose [--save DIR] [--limit N] [--json]

Leave one set out among the training sets: a model trained (as `train_boundary.fit` trains
the shipped one) on the tune halves of the other sets ranks the gaps of the held set's tune
half, scored by average precision (AP: ranking quality, no threshold involved). The score of
a setting is the mean over the held-out sets of their mean document AP, so every set weighs
the same. One factor is varied at a time around the shipped setting:

- C, the inverse regularisation strength;
- the feature set (all; without the paragraph mark; without the shape columns; embedding
  similarity only; lexical similarity only);
- the synthetic recipe: how many Choi-like documents are added to the training data;
- the encoder depth: MiniLM's first layer against the whole model (every model refitted).

The test halves and Choi are never read. The report says, per factor, the setting with the
best score, whether it is the shipped one, and the paired interval of best minus shipped over
the held-out documents. A setting replaces the shipped one only when that interval excludes 0
(`adopt`); otherwise the shipped one stays.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from folioscope.segment.learned import feature_names

from .train_boundary import SYNTHETIC_DOCUMENTS, TRAIN_SETS, C, Example, fit, training_examples

C_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 1e-1, 1.0)
SYNTHETIC_GRID = (0, 50, 150, 500)
LAYER_GRID = (1, None)  # None: the whole model (six layers), as shipped
SHIPPED_FEATURES = "all"


def feature_sets() -> dict[str, list[int]]:
    """Column indices of each candidate feature set."""
    names = feature_names()
    every = list(range(len(names)))
    shape = {i for i, n in enumerate(names) if n.endswith(("_next", "_prev", "_next2", "_prev2"))}
    words = {i for i, n in enumerate(names) if n.startswith("words_") or n == "starts_paragraph"}
    embedding = {i for i, n in enumerate(names) if n.startswith(("cos", "depth"))}
    lexical = {i for i, n in enumerate(names) if n.startswith("lex")}
    return {
        "all": every,
        "without the paragraph mark": [i for i in every if names[i] != "starts_paragraph"],
        "without shape columns": [i for i in every if i not in shape],
        "embedding similarity only (with sentence lengths and the paragraph mark)": sorted(embedding | words),
        "lexical similarity only (with sentence lengths and the paragraph mark)": sorted(lexical | words),
    }


def held_out_ap(examples: list[Example], c: float, synthetic_docs: int, columns: list[int] | None = None
                ) -> dict[str, float | None]:
    """AP of each held-out document ("set/name"), from a model trained on the other sets'
    tune halves (None where the document has no boundary to find)."""
    from .segmentation import average_precision
    out: dict[str, float | None] = {}
    for held in sorted({e.source for e in examples}):
        model = fit([e for e in examples if e.source != held], c, synthetic_docs=synthetic_docs, columns=columns)
        for e in examples:
            if e.source == held:
                out[f"{held}/{e.doc.name}"] = average_precision(e.doc.boundaries, model.predict_features(e.features))
    return out


def _row(setting: str, by_doc: dict, seconds: float) -> dict:
    by_set: dict[str, list[float]] = {}
    for key, ap in by_doc.items():
        if ap is not None:
            by_set.setdefault(key.split("/", 1)[0], []).append(ap)
    means = {s: round(float(np.mean(v)), 4) for s, v in by_set.items()}
    return {"setting": setting, "mean_ap": round(float(np.mean(list(means.values()))), 4), "ap_by_held_set": means,
            "seconds": round(seconds, 1)}


def _sweep(label: str, candidates: dict, shipped: str, run) -> dict:
    from .stats import paired_bootstrap
    rows, per_doc = [], {}
    for setting, args in candidates.items():
        started = time.perf_counter()
        per_doc[setting] = run(*args)
        rows.append(_row(setting, per_doc[setting], time.perf_counter() - started))
    best = max(rows, key=lambda r: r["mean_ap"])
    ship = next(r for r in rows if r["setting"] == shipped)
    keys = [k for k, v in per_doc[shipped].items() if v is not None and per_doc[best["setting"]][k] is not None]
    interval = paired_bootstrap([per_doc[best["setting"]][k] for k in keys], [per_doc[shipped][k] for k in keys])
    adopt = best["setting"] != shipped and interval["ci95"] is not None and interval["ci95"][0] > 0
    return {"factor": label, "rows": rows, "best": best["setting"], "shipped": shipped,
            "shipped_is_best": best["setting"] == shipped,
            "shipped_minus_best": round(ship["mean_ap"] - best["mean_ap"], 4),
            "best_minus_shipped_by_document": interval, "adopt": best["setting"] if adopt else shipped}


def choose(data: Path, limit: int | None = None, progress=print) -> dict:
    """The four sweeps (C, features, synthetic recipe, encoder depth) on the tune halves."""
    started = time.perf_counter()
    examples = training_examples(data, TRAIN_SETS, None, limit)
    synthetic = SYNTHETIC_DOCUMENTS if limit is None else min(SYNTHETIC_DOCUMENTS, 5 * limit)
    columns = feature_sets()

    def run(c, synthetic_docs, cols):
        return held_out_ap(examples, c, synthetic_docs, cols)

    sweeps = []
    progress("C ...")
    sweeps.append(_sweep("C (inverse regularisation strength)", {f"{c:g}": (c, synthetic, None) for c in C_GRID},
                         f"{C:g}", run))
    progress("feature sets ...")
    sweeps.append(_sweep("feature set", {name: (C, synthetic, cols) for name, cols in columns.items()},
                         SHIPPED_FEATURES, run))
    progress("synthetic recipe ...")
    grid = SYNTHETIC_GRID if limit is None else (0, synthetic)
    sweeps.append(_sweep("synthetic Choi-like documents added", {str(n): (C, n, None) for n in grid},
                         str(synthetic), run))
    progress("encoder depth ...")
    by_depth = {1: training_examples(data, TRAIN_SETS, 1, limit), None: examples}
    sweeps.append(_sweep("encoder depth (MiniLM layers)",
                         {("1 layer" if k == 1 else "6 layers (whole model)"): (k,) for k in LAYER_GRID},
                         "6 layers (whole model)",
                         lambda k: held_out_ap(by_depth[k], C, synthetic)))
    return {
        "evaluation": "boundary model settings (tune halves only)",
        "protocol": "leave one training set out on the tune halves: a model trained on the other sets' tune "
                    "halves ranks the held set's tune-half gaps; score = mean over held sets of mean document AP. "
                    "One factor varied at a time around the shipped setting. Test halves and Choi never read.",
        "training_sets": list(TRAIN_SETS),
        "documents": {s: sum(1 for e in examples if e.source == s) for s in TRAIN_SETS},
        "limit": limit,
        "sweeps": sweeps,
        "seconds": round(time.perf_counter() - started, 1),
    }
