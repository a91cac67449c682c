"""Segmentation quality, leave one data set out: every number is on a set the learned model
(and every tuned setting) never saw.

For each set (`segdata.SETS`), on its test half:
- learned (LODO): the boundary model trained, as `train_boundary` trains the shipped one, on
  the tune halves of every *other* set (Choi is never trained on);
- learned (shipped): the shipped training recipe, this set's tune half included (in-domain);
- texttiling with the classic cut-off, and with its cut-off tuned on the other sets (the grid
  widened until the best cut-off lies inside it);
- paragraph starts: a score of 1 at every gap the source marks as a paragraph start, 0
  elsewhere (what the learned model reads beside the sentences; TextTiling does not);
- fixed ~200-token windows, perplexity minima (a few documents: the LM reads every token);
- references: no boundary, random and even cuts at the gold count.

Metrics (METHODS.md, "Evaluating boundaries fairly"): the strategy's own cuts scored by Pk,
WindowDiff and boundary F1 within one sentence; its gap scores ranked, as Pk when it keeps
its N best gaps (N = the gold count) and as average precision (with its chance level). The
differences that matter carry paired bootstrap 95% intervals over documents, except on Choi:
its documents are cut from 124 shared Brown texts, so they are not independent and no interval
is given.

`layers=k` runs the same protocol with sentence vectors from MiniLM's first k layers (a
cheaper operating point: every model and setting refitted on them) and adds the speed of
the learned strategy on tracemonkey with those vectors beside the shipped one's.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from folioscope.segment.strategies import SegmentInput, get_strategy

from .metrics import pk, window_diff
from .segdata import SETS, UNSPLITTABLE, SegDoc, load_set, sample
from .stats import boundary_matches, f1, paired_bootstrap

EVAL_LIMIT = {"choi": 200}  # test documents per set (None: the whole half)
PERPLEXITY_DOCS = 3  # the LM reads every token: ~150 tokens/s on 2 cores
PERPLEXITY_MAX_SENTENCES = 600
CUTOFFS = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)  # widened by STEP while the best is at an end
STEP, WIDEST = 0.5, 6.0


def top_n(scores: np.ndarray, n: int) -> set[int]:
    if n <= 0:
        return set()
    order = np.argsort(-scores, kind="stable")
    return {int(i) for i in order[:n]}


def even_cuts(n_sentences: int, n_boundaries: int) -> set[int]:
    if n_boundaries <= 0:
        return set()
    step = n_sentences / (n_boundaries + 1)
    return {int(round(step * (i + 1))) - 1 for i in range(n_boundaries)}


def random_cuts(n_sentences: int, n_boundaries: int, seed: int) -> set[int]:
    rng = np.random.default_rng(seed)
    gaps = max(n_sentences - 1, 0)
    return {int(g) for g in rng.choice(gaps, size=min(n_boundaries, gaps), replace=False)}


def average_precision(gold: set[int], scores: np.ndarray) -> float | None:
    from sklearn.metrics import average_precision_score
    labels = np.zeros(len(scores), dtype=np.int8)
    labels[list(gold)] = 1
    if labels.sum() == 0 or labels.sum() == len(labels):
        return None
    return float(average_precision_score(labels, scores))


class Scored:
    """Per-document results of one strategy on one set."""

    def __init__(self) -> None:
        self.pk: list[float] = []
        self.wd: list[float] = []
        self.pk_top_n: list[float] = []
        self.ap: list[float | None] = []
        self.matched = self.found = self.gold = 0

    def add(self, doc: SegDoc, cut: set[int], scores: np.ndarray | None = None) -> None:
        n = len(doc.sentences)
        self.pk.append(pk(doc.boundaries, cut, n))
        self.wd.append(window_diff(doc.boundaries, cut, n))
        self.matched += boundary_matches(doc.boundaries, cut)
        self.found += len(cut)
        self.gold += len(doc.boundaries)
        if scores is not None:
            self.pk_top_n.append(pk(doc.boundaries, top_n(scores, len(doc.boundaries)), n))
            self.ap.append(average_precision(doc.boundaries, scores))

    def row(self) -> dict:
        out = {"documents": len(self.pk), "pk": _mean(self.pk), "windowdiff": _mean(self.wd),
               "f1": round(f1(self.matched, self.found, self.gold), 4),
               "boundaries_found": self.found, "boundaries_gold": self.gold}
        if self.pk_top_n:
            out["pk_top_n"] = _mean(self.pk_top_n)
            out["ap"] = _mean([a for a in self.ap if a is not None])
        return out


def _mean(values) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


def chance_ap(docs: list[SegDoc]) -> float:
    return round(float(np.mean([len(d.boundaries) / max(d.n_gaps, 1) for d in docs])), 4)


def tune_texttiling(docs: list[SegDoc], vectors: list[np.ndarray]) -> tuple[float, list[float]]:
    """The TextTiling cut-off with the lowest mean (Pk + WindowDiff) / 2 over `docs`, and the
    grid it was chosen from: CUTOFFS, widened while the best lies at either end."""
    strategy = get_strategy("texttiling")
    scored = [strategy.score(SegmentInput(d.sentences, embed=_fixed(v))) for d, v in zip(docs, vectors)]

    def error(cutoff: float) -> float:
        rule = get_strategy("texttiling", cutoff=cutoff)
        return float(np.mean([(pk(d.boundaries, _cut(rule, s), len(d.sentences)) + window_diff(
            d.boundaries, _cut(rule, s), len(d.sentences))) / 2 for d, s in zip(docs, scored)]))
    errors = {c: error(c) for c in CUTOFFS}
    while True:
        best = min(errors, key=lambda c: (errors[c], abs(c)))
        grid = sorted(errors)
        if best == grid[0] and grid[0] > -WIDEST:
            errors[grid[0] - STEP] = error(grid[0] - STEP)
        elif best == grid[-1] and grid[-1] < WIDEST:
            errors[grid[-1] + STEP] = error(grid[-1] + STEP)
        else:
            return best, grid


def paragraph_scores(doc: SegDoc) -> np.ndarray:
    """1 at every gap before a sentence the source marks as a paragraph start, else 0."""
    starts = doc.paragraph_starts or [False] * len(doc.sentences)
    return np.array([1.0 if starts[i + 1] else 0.0 for i in range(doc.n_gaps)])


def _cut(strategy, scores: np.ndarray) -> set[int]:
    return {int(i) for i in np.flatnonzero(strategy.decide(scores))}


def _fixed(vectors: np.ndarray):
    """An `embed` that returns precomputed vectors (the sentences are the document's)."""
    def embed(texts, layers=None):
        return vectors
    return embed


def evaluate_set(held: str, data: Path, split: str, train_cache: dict, limit: int | None,
                 perplexity_docs: int, train_limit: int | None = None, layers: int | None = None) -> dict:
    from .train_boundary import SYNTHETIC_DOCUMENTS, TRAIN_SETS, choose_threshold, fit, training_examples
    from .vectors import document_vectors
    docs = sample(load_set(held, data, split), limit if limit is not None else EVAL_LIMIT.get(held))
    vectors = document_vectors(docs, layers)
    inputs = [SegmentInput(d.sentences, embed=_fixed(v), paragraph_starts=d.paragraph_starts)
              for d, v in zip(docs, vectors)]

    def examples_of(sets):
        for s in sets:
            if s not in train_cache:
                train_cache[s] = training_examples(data, (s,), layers, limit=train_limit)
        return [e for s in sets for e in train_cache[s]]

    others = [s for s in TRAIN_SETS if s != held]
    started = time.perf_counter()
    lodo_train = examples_of(others)
    # a run on a slice (--limit) trains on as few synthetic documents as it has real ones
    synthetic = SYNTHETIC_DOCUMENTS if train_limit is None else min(SYNTHETIC_DOCUMENTS, 5 * train_limit)
    lodo = fit(lodo_train, layers=layers, synthetic_docs=synthetic)
    lodo.threshold, inner_worst = choose_threshold(lodo_train, layers=layers, synthetic_docs=synthetic)
    if "shipped model" not in train_cache:
        shipped_train = examples_of(TRAIN_SETS)
        train_cache["shipped model"] = fit(shipped_train, layers=layers, synthetic_docs=synthetic)
        train_cache["shipped model"].threshold = choose_threshold(shipped_train, layers=layers,
                                                                  synthetic_docs=synthetic)[0]
    shipped = train_cache["shipped model"]
    train_seconds = time.perf_counter() - started
    cutoff, cutoff_grid = tune_texttiling([e.doc for e in lodo_train], [e.vectors for e in lodo_train])

    rows: dict[str, Scored] = {name: Scored() for name in (
        "no boundary", "random (gold count)", "even (gold count)", "paragraph starts", "fixed",
        "texttiling (classic cut-off)", "texttiling (cut-off tuned on the other sets)",
        "learned (trained without this set)", "learned (shipped: this set's tune half in training)")}
    texttiling, classic = get_strategy("texttiling", cutoff=cutoff), get_strategy("texttiling", cutoff=0.5)
    fixed = get_strategy("fixed")
    paired: dict[str, list[float]] = {k: [] for k in ("ap_learned", "ap_texttiling", "ap_paragraphs", "topn_learned",
                                                       "topn_texttiling", "pk_learned", "pk_none", "wd_learned",
                                                       "wd_none", "pk_texttiling", "wd_texttiling")}
    lodo_scores: list[np.ndarray] = []
    for i, (doc, seg) in enumerate(zip(docs, inputs)):
        n, count = len(doc.sentences), len(doc.boundaries)
        rows["no boundary"].add(doc, set())
        rows["random (gold count)"].add(doc, random_cuts(n, count, seed=i))
        rows["even (gold count)"].add(doc, even_cuts(n, count))
        marks = paragraph_scores(doc)
        rows["paragraph starts"].add(doc, {int(g) for g in np.flatnonzero(marks)}, marks)
        fixed_scores = fixed.score(seg)
        rows["fixed"].add(doc, _cut(fixed, fixed_scores), fixed_scores)
        tt = texttiling.score(seg)
        rows["texttiling (classic cut-off)"].add(doc, _cut(classic, tt), tt)
        rows["texttiling (cut-off tuned on the other sets)"].add(doc, _cut(texttiling, tt), tt)
        from folioscope.segment.learned import gap_features
        features = gap_features(vectors[i], doc.sentences, doc.paragraph_starts)
        p = lodo.predict_features(features)
        lodo_scores.append(p)
        cut = lodo.decide(p)
        rows["learned (trained without this set)"].add(doc, cut, p)
        q = shipped.predict_features(features)
        rows["learned (shipped: this set's tune half in training)"].add(doc, shipped.decide(q), q)
        ap_l, ap_t = average_precision(doc.boundaries, p), average_precision(doc.boundaries, tt)
        if ap_l is not None and ap_t is not None:
            paired["ap_learned"].append(ap_l)
            paired["ap_texttiling"].append(ap_t)
            paired["ap_paragraphs"].append(average_precision(doc.boundaries, marks) or 0.0)
        paired["topn_learned"].append(rows["learned (trained without this set)"].pk_top_n[-1])
        paired["topn_texttiling"].append(rows["texttiling (cut-off tuned on the other sets)"].pk_top_n[-1])
        paired["pk_learned"].append(rows["learned (trained without this set)"].pk[-1])
        paired["pk_none"].append(rows["no boundary"].pk[-1])
        paired["wd_learned"].append(rows["learned (trained without this set)"].wd[-1])
        paired["wd_none"].append(rows["no boundary"].wd[-1])
        paired["pk_texttiling"].append(rows["texttiling (cut-off tuned on the other sets)"].pk[-1])
        paired["wd_texttiling"].append(rows["texttiling (cut-off tuned on the other sets)"].wd[-1])
    report = {"documents": len(docs), "sentences": sum(len(d.sentences) for d in docs),
              "gold_boundaries": sum(len(d.boundaries) for d in docs), "ap_chance": chance_ap(docs),
              "texttiling_cutoff_tuned": cutoff, "texttiling_cutoff_grid": cutoff_grid,
              "learned_threshold": lodo.threshold,
              "learned_threshold_inner_worst_ratio": inner_worst,
              "learned_own_rule_by_threshold": own_rule_by_threshold(docs, lodo_scores, paired["pk_none"]),
              "train_seconds": round(train_seconds, 1),
              "rows": {name: scored.row() for name, scored in rows.items()}}
    if perplexity_docs:
        report["perplexity"] = _perplexity(docs, inputs, lodo, perplexity_docs)
    if held in UNSPLITTABLE:  # documents cut from shared source texts are not independent
        report["differences"] = ("none: its documents are cut from 124 shared Brown texts, so they are not "
                                 "independent and resampling them would give intervals that are too narrow")
        return report
    groups = [d.name for d in docs]
    ap_groups = [d.name for d in docs if average_precision(d.boundaries, np.zeros(d.n_gaps)) is not None]
    report["differences"] = {
        "ap: learned - texttiling": paired_bootstrap(paired["ap_learned"], paired["ap_texttiling"], ap_groups),
        "ap: learned - paragraph starts": paired_bootstrap(paired["ap_learned"], paired["ap_paragraphs"], ap_groups),
        "top-N Pk: learned - texttiling": paired_bootstrap(paired["topn_learned"], paired["topn_texttiling"], groups),
        "own-rule Pk: learned - no boundary": paired_bootstrap(paired["pk_learned"], paired["pk_none"], groups),
        "own-rule WD: learned - no boundary": paired_bootstrap(paired["wd_learned"], paired["wd_none"], groups),
        "own-rule Pk: learned - texttiling": paired_bootstrap(paired["pk_learned"], paired["pk_texttiling"], groups),
        "own-rule WD: learned - texttiling": paired_bootstrap(paired["wd_learned"], paired["wd_texttiling"], groups),
    }
    return report


def own_rule_by_threshold(docs: list[SegDoc], scores: list[np.ndarray], pk_none: list[float]) -> dict:
    """The leave-one-out model's own cuts at each candidate threshold (the one chosen on the
    other sets among them): how much its result on this set hangs on that choice."""
    from folioscope.segment.learned import pick_boundaries

    from .train_boundary import THRESHOLDS
    out = {}
    for t in THRESHOLDS:
        scored = Scored()
        for doc, p in zip(docs, scores):
            scored.add(doc, pick_boundaries(p, t))
        row = scored.row()
        row["pk: learned - no boundary"] = paired_bootstrap(scored.pk, pk_none, [d.name for d in docs])
        out[str(t)] = row
    return out


def _perplexity(docs, inputs, model, count: int) -> dict:
    """Perplexity minima on the first few documents, beside learned on the same ones."""
    from folioscope.segment.learned import gap_features
    chosen = [(d, s) for d, s in zip(docs, inputs) if len(d.sentences) <= PERPLEXITY_MAX_SENTENCES][:count]
    strategy = get_strategy("perplexity")
    ppl, learned = Scored(), Scored()
    for doc, seg in chosen:
        scores = strategy.score(seg)
        ppl.add(doc, _cut(strategy, scores), scores)
        p = model.predict_features(gap_features(seg.encoded(None), doc.sentences, doc.paragraph_starts))
        learned.add(doc, model.decide(p), p)
    return {"perplexity": ppl.row(), "learned on the same documents": learned.row()}


def evaluate_segmentation(data: Path, sets: list[str] | None = None, split: str = "test",
                          limit: int | None = None, perplexity_docs: int = PERPLEXITY_DOCS,
                          train_limit: int | None = None, layers: int | None = None) -> dict:
    """Leave-one-dataset-out report on `split` ("test"; "tune" while choosing settings).
    `limit` and `train_limit` cap the documents per set (a quick check, not a result)."""
    report: dict = {
        "protocol": ("leave one data set out: each set's rows come from models and settings fitted on the "
                     "tune halves of the other sets; scored on this set's " + split + " half. Choi cannot be "
                     "halved without sharing Brown text, so it is never trained on and is scored whole "
                     "(a sample)."),
        "split": split, "encoder_layers": layers or "all", "sets": {}}
    train_cache: dict = {}
    for held in sets or list(SETS):
        report["sets"][held] = evaluate_set(held, data, split, train_cache, limit, perplexity_docs, train_limit,
                                            layers)
    report["summary"] = summary(report["sets"])
    if layers:
        from folioscope.segment.learned import load_model
        cheaper = f"learned, first {layers} layer{'s' if layers > 1 else ''}"
        report["speed_tracemonkey"] = learned_speed(
            {"learned, all layers (shipped)": load_model(), cheaper: train_cache["shipped model"]},
            data / "pdfs" / "pdfjs" / "tracemonkey.pdf")
    return report


def learned_speed(models: dict, pdf: Path) -> dict:
    """Sentences per second of each boundary model on one document, its sentence vectors
    included (each round embeds again; the models are warm), median and range."""
    from folioscope.embed import shared_embedder
    from folioscope.segment.sentences import split_sentences

    from .chunkbench import document_text
    from .timing import interleaved, rate
    sentences = [x.text for x in split_sentences(document_text(pdf))]
    encode = shared_embedder().encode
    sides = {name: (lambda m=m: m.predict(SegmentInput(list(sentences), embed=encode).encoded(m.layers), sentences))
             for name, m in models.items()}
    times = interleaved(sides)
    return {name: {"sentences": len(sentences), "sentences_per_s": rate(len(sentences), times[name], 1)}
            for name in models}


def summary(sets: dict) -> dict:
    """The headline rows side by side, per set."""
    out = {}
    for name, rep in sets.items():
        rows = rep["rows"]
        learned = rows["learned (trained without this set)"]
        tt = rows["texttiling (cut-off tuned on the other sets)"]
        none = rows["no boundary"]
        marks = rows["paragraph starts"]
        out[name] = {
            "ap learned / texttiling / paragraph starts / chance": [learned.get("ap"), tt.get("ap"), marks.get("ap"),
                                                                    rep["ap_chance"]],
            "top-N Pk learned / texttiling / paragraph starts": [learned.get("pk_top_n"), tt.get("pk_top_n"),
                                                                 marks.get("pk_top_n")],
            "own Pk learned / texttiling / no boundary": [learned["pk"], tt["pk"], none["pk"]],
            "own WD learned / texttiling / no boundary": [learned["windowdiff"], tt["windowdiff"], none["windowdiff"]],
            "F1 learned / texttiling / even": [learned["f1"], tt["f1"], rows["even (gold count)"]["f1"]],
        }
    return out
