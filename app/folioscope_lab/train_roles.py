"""Train the chapter role model: folioscope-lab train roles [--data DIR] [--out PATH]

Training data: the Qasper *tune* papers read as plain text (never the test half), ingested as
a user's file would be; each chapter cut from their chunks is labelled with the role of the
top-level section it overlaps most (`chapters.roles.role_of`: "Introduction", "Related Work",
... or "other"), and chapters of other kinds of text with no conventional sections (the tune
halves of the clinical chapters and lecture transcripts) are labelled "other", so the model
learns to keep quiet outside papers.

Classifier: multinomial L2 logistic regression (scikit-learn) on standardised
`chapters.roles.chapter_features`. Its strength C and the probability from which a chapter is
titled by its role are chosen together by 5-fold cross-validation grouped by document, for
the measure `eval chapters` reports: mean ROUGE-L between each real section's name and the
title of the chapter covering most of it (the chapter's embedding-keyphrase title where no
role is given). The test half is never read. Deterministic: same data, same model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np

from folioscope.chapters.roles import OTHER, RoleModel, chapter_features, model_file, role_of

from . import default_data_dir
from .chapters import chunk_of, covering, gold_sections, names_by_chapter, paper_text, rouge_l
from .segdata import load_set, plain_text, split_of

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never a role (the baseline)
MIN_PRECISION = 0.6  # a role title names the right role at least this often (cross-validated)
MAX_OTHERS = 0.05  # and is given to at most this share of chapters of documents without such sections
MIN_EXAMPLES = 6  # a role with fewer tune chapters than this is not learned
OTHER_SETS = ("clinical", "lectures")
FOLDS = 5


@dataclass
class Doc:
    """One ingested tune document: its chapters' features, labels and keyphrase titles,
    and for a paper its gold sections (name, start, end) and chapter spans."""

    group: str
    features: np.ndarray
    labels: list[str]
    titles: list[str]
    gold: list[tuple[str, int, int]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # each chapter's (start, end)


def _ingest(path: Path) -> tuple[str, list, np.ndarray] | None:
    """(text, chapters, their features) of a file, as ingest makes them."""
    from folioscope.index.vectors import chunk_hash
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import prepare
    prepared = prepare(path, IngestOptions(role_titles=False))
    chunks = prepared.chunking.chunks
    if len(prepared.chapters) < 2 or not chunks:
        return None
    vectors = np.array([prepared.vectors[chunk_hash(c.indexed_text)] for c in chunks])
    starts = [chunk_of(chunks, ch.start) for ch in prepared.chapters]
    return prepared.document.body_text().text, prepared.chapters, chapter_features(vectors, starts)


def paper_docs(data: Path, folder: Path) -> list[Doc]:
    from .retrieval import load_papers
    papers = load_papers(data)
    out = []
    for pid in sorted(p for p in papers if split_of(p) == "tune"):
        path = folder / f"{pid}.txt"
        path.write_text(paper_text(papers[pid]), encoding="utf-8")
        made = _ingest(path)
        if made is None:
            continue
        text, chapters, features = made
        gold = gold_sections(papers[pid], text)
        spans = [(c.start, c.end) for c in chapters]
        labels = [role_of(name) for name in names_by_chapter(spans, gold)]
        out.append(Doc(pid, features, labels, [c.title for c in chapters], gold, spans))
    return out


def other_docs(data: Path, folder: Path, per_set: int = 20) -> list[Doc]:
    out = []
    for name in OTHER_SETS:
        for doc in load_set(name, data, "tune")[:per_set]:
            path = folder / f"{name}-{len(out)}.txt"
            path.write_text(plain_text(doc), encoding="utf-8")
            made = _ingest(path)
            if made is not None:
                _, chapters, features = made
                out.append(Doc(f"{name}/{doc.group}", features, [OTHER] * len(chapters), [c.title for c in chapters]))
    return out


def score(docs: list[Doc], assigned: list[list[str | None]]) -> list[float]:
    """ROUGE-L of each gold section of the papers against the title of its covering chapter:
    the role title where one is assigned, else the keyphrase title."""
    out = []
    for doc, roles in zip(docs, assigned):
        if not doc.gold:
            continue
        titles = [r or t for r, t in zip(roles, doc.titles)]
        out += [rouge_l(titles[covering(doc.spans, a, b)], name) for name, a, b in doc.gold]
    return out


def fit(docs: list[Doc], c: float, roles: tuple[str, ...], threshold: float) -> RoleModel:
    from sklearn.linear_model import LogisticRegression
    x = np.vstack([d.features for d in docs]).astype(np.float64)
    y = [label if label in roles else OTHER for d in docs for label in d.labels]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return RoleModel(tuple(str(r) for r in clf.classes_), mean.astype(np.float32), scale.astype(np.float32),
                     clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32), threshold, {})


def cross_validate(docs: list[Doc], roles: tuple[str, ...]) -> dict[tuple[float, float], dict]:
    """For every (C, threshold), each document predicted by a model trained on the folds
    without it: the papers' mean section ROUGE-L, the share of the role titles given to paper
    chapters that name the role of the section they overlap most, and the share of the other
    documents' chapters given a role at all."""
    rng = np.random.default_rng(0)
    groups = sorted({d.group for d in docs})
    fold_of = {g: i % FOLDS for i, g in enumerate(rng.permutation(groups))}
    results = {}
    for c in C_GRID:
        probs = [np.zeros((len(d.features), len(roles))) for d in docs]
        for k in range(FOLDS):
            model = fit([d for d in docs if fold_of[d.group] != k], c, roles, 1.0)
            columns = [roles.index(r) for r in model.roles]  # a fold may lack a rare role
            for i, d in enumerate(docs):
                if fold_of[d.group] == k:
                    probs[i][:, columns] = model.probabilities(d.features)
        for t in THRESHOLDS:
            rule = replace(model, roles=roles, threshold=t)
            assigned = [rule.assign(p) for p in probs]
            given = [(r, label) for d, a in zip(docs, assigned) if d.gold for r, label in zip(a, d.labels) if r]
            others = [r for d, a in zip(docs, assigned) if not d.gold for r in a]
            results[(c, t)] = {"rouge_l": round(statistics.mean(score(docs, assigned)), 4),
                               "given": len(given),
                               "precision": round(sum(r == label for r, label in given) / len(given), 4) if given else None,
                               "others_given": round(sum(r is not None for r in others) / max(1, len(others)), 4)}
    return results


def choose(results: dict[tuple[float, float], dict]) -> tuple[float, float]:
    """The (C, threshold) with the best ROUGE-L among those whose role titles are right at
    least MIN_PRECISION of the time and which title at most MAX_OTHERS of the other
    documents' chapters by a role (never a role: the threshold above 1, always allowed)."""
    allowed = {k: v for k, v in results.items()
               if (v["precision"] is None or v["precision"] >= MIN_PRECISION) and v["others_given"] <= MAX_OTHERS}
    return max(allowed, key=lambda k: (allowed[k]["rouge_l"], k[1], -k[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="folioscope-lab train roles", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="folioscope-roles-") as folder:
        papers = paper_docs(data, Path(folder))
        print(f"{len(papers)} tune papers ({time.time() - started:.0f} s)", file=sys.stderr)
        others = other_docs(data, Path(folder))
        print(f"{len(others)} other documents ({time.time() - started:.0f} s)", file=sys.stderr)
    docs = papers + others
    counts = Counter(label for d in docs for label in d.labels)
    roles = tuple(sorted(r for r, n in counts.items() if n >= MIN_EXAMPLES or r == OTHER))
    results = cross_validate(docs, roles)
    c, threshold = choose(results)
    best, baseline = results[(c, threshold)], results[(c, 1.01)]
    model = fit(docs, c, roles, threshold)
    card = {
        "model": "chapter roles, version 1",
        "trained": date.today().isoformat(),
        "features": "mean unit chunk vector of the chapter (MiniLM, 384) + its place: first/last chunk as a share "
                    "of the chunks; is it the first, last, second, second to last chapter; its rank as a share",
        "classifier": f"multinomial L2 logistic regression, C = {c}, standardised features",
        "threshold": threshold,
        "roles": list(model.roles),
        "training_data": {"qasper tune papers": len(papers), "chapters": sum(len(d.labels) for d in papers),
                          **{f"{s} tune documents (all 'other')": sum(d.group.startswith(s + "/") for d in others)
                             for s in OTHER_SETS}},
        "label_counts": dict(counts.most_common()),
        "cross_validation": {
            "measure": "mean ROUGE-L of each tune section's name against its covering chapter's title, "
                       f"{FOLDS} folds grouped by document",
            "rule": f"best ROUGE-L with role titles right >= {MIN_PRECISION} of the time and given to <= "
                    f"{MAX_OTHERS} of the other documents' chapters",
            "chosen": best, "keyphrase titles only": baseline["rouge_l"],
            "grid": {f"C={k[0]} threshold={k[1]}": v for k, v in sorted(results.items())},
        },
        "test_half": "never read: see results/chapters.json",
        "seconds": round(time.time() - started),
    }
    model = replace(model, card=card)
    out = args.out or model_file()
    model.save(out)
    print(f"C={c} threshold={threshold}: tune CV {best} (keyphrases only {baseline['rouge_l']}); "
          f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
