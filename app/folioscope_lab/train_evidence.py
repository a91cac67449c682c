"""Train the evidence ranker (`retrieve/ranker.py`) on the Qasper tune papers only.

For every tune question, the retrieval step runs as shipped (passages, then every sentence of
the best chunks scored) and each scored sentence is a row: its features, and whether at least
half of it lies in the annotators' highlighted evidence. A logistic regression is fitted;
its regularisation is chosen by hit@1 in cross-validation that holds out whole papers, then
it is refitted on every tune paper and written to models/evidence/ranker.json with a card
saying what it was trained on. The test papers are never read.

    folioscope-lab train evidence [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
RESTATED_GRID = (None, 0.3, 0.5, 0.7)  # EvidenceOptions.restated: None lets a summary's sentence lead
FOLDS = 5


def collect(data: Path) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], list[str], list[list]]:
    """Per tune question: feature rows, labels, which rows lie in kept passages, its paper, and
    its scored sentences."""
    from folioscope.embed import shared_embedder
    from folioscope.retrieve import EvidenceOptions, retrieve
    from folioscope.retrieve.ranker import features

    from .evidence import gold_questions, is_hit
    from .retrieval import build_library, library_cache, load_papers
    papers = load_papers(data)
    store, ids = build_library(papers, library_cache(data))
    qs = gold_questions(papers, store, ids, "tune")
    vectors = shared_embedder().encode([q.text for q in qs])
    X, y, kept, groups, sentences = [], [], [], [], []
    for q, qvec in zip(qs, vectors):
        found = retrieve(store, q.text, {q.doc_id}, evidence=EvidenceOptions(ranked=False), question_vector=qvec, encoder=shared_embedder())
        if not found.sentences:
            continue
        X.append(features(q.text, found.sentences))
        y.append(np.array([is_hit(s.start, s.end, q.highlights) for s in found.sentences], dtype=int))
        kept.append(np.array([bool(s.passage is not None and s.passage.kept) for s in found.sentences]))
        groups.append(q.paper)
        sentences.append(found.sentences)
    store.close()
    return X, y, kept, groups, sentences


def hit_at_1(model, X: list[np.ndarray], y: list[np.ndarray], kept: list[np.ndarray],
             sentences: list[list] | None = None, restated: float | None = None) -> float:
    """Share of questions whose first evidence sentence is a hit: the kept sentence the model
    ranks best, or, with `restated`, the body sentence restating it when it stands in a summary."""
    from folioscope.retrieve.evidence import body_restating
    hits = []
    for i, (rows, labels, inside) in enumerate(zip(X, y, kept)):
        if not inside.any():
            hits.append(0.0)
            continue
        p = np.where(inside, model.predict_proba(rows)[:, 1], -1.0)
        order = [j for j in np.argsort(-p, kind="stable") if inside[j]]
        lead = 0
        if sentences is not None and restated is not None:
            lead = body_restating([sentences[i][j] for j in order], restated)
        hits.append(float(labels[order[lead]]))
    return float(np.mean(hits))


def fit(X: list[np.ndarray], y: list[np.ndarray], C: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
    model.fit(np.vstack(X), np.concatenate(y))
    return model


def train(data: Path) -> dict:
    from folioscope.models import evidence_ranker_path
    from folioscope.retrieve.ranker import FEATURES, EvidenceRanker

    from .archive import git_commit
    X, y, kept, groups, sentences = collect(data)
    papers = sorted(set(groups))
    fold_of = {p: i % FOLDS for i, p in enumerate(papers)}

    def cross_validated(C: float, restated: float | None = None) -> float:
        scores = []
        for fold in range(FOLDS):
            train_idx = [i for i, g in enumerate(groups) if fold_of[g] != fold]
            test_idx = [i for i, g in enumerate(groups) if fold_of[g] == fold]
            model = fit([X[i] for i in train_idx], [y[i] for i in train_idx], C)
            scores.append(hit_at_1(model, [X[i] for i in test_idx], [y[i] for i in test_idx],
                                   [kept[i] for i in test_idx], [sentences[i] for i in test_idx],
                                   restated) * len(test_idx))
        return round(sum(scores) / len(groups), 4)
    cv = {C: cross_validated(C) for C in C_GRID}
    best = max(C_GRID, key=lambda c: (cv[c], -c))
    # with the ranker chosen, the summary rule (EvidenceOptions.restated) on the same folds
    cv_restated = {str(r): cross_validated(best, r) for r in RESTATED_GRID}
    model = fit(X, y, best)
    scaler, lr = model.steps[0][1], model.steps[1][1]
    card = {"trained_on": "Qasper dev, tune half (papers split by a hash of their id); the test half never read",
            "questions": len(X), "papers": len(papers), "sentences": int(sum(len(r) for r in y)),
            "positives": int(sum(int(r.sum()) for r in y)), "C": best,
            "cross_validated_hit_at_1": {str(c): v for c, v in cv.items()},
            "cross_validated_hit_at_1_by_restated": cv_restated,
            "label": "at least half of the sentence's characters lie in the annotators' highlighted evidence",
            "commit": git_commit()}
    ranker = EvidenceRanker(FEATURES, scaler.mean_, np.where(scaler.scale_ > 0, scaler.scale_, 1.0),
                            lr.coef_[0], float(lr.intercept_[0]), card)
    path = evidence_ranker_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ranker.to_json(), indent=1) + "\n")
    return {"path": str(path), **card, "weights": dict(zip(FEATURES, np.round(lr.coef_[0], 3).tolist()))}


def main(argv: list[str] | None = None) -> int:
    from . import default_data_dir
    parser = argparse.ArgumentParser(prog="folioscope-lab train evidence", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(train(args.data or default_data_dir()), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
