"""Retrieval on Qasper: how much of the gold evidence the selected text holds, and how many
tokens it costs, beside the simplest pipeline a user could write.

All 80 dev papers are ingested as Markdown (sections as headings) into one library. Every
answerable question with text evidence (figure and table evidence left out) is asked twice:
within its own paper, and across the whole library. Gold evidence is the union of the
annotators' evidence paragraphs, found in the document text (paragraphs that cannot be found
are counted, not dropped silently). Papers are halved by a hash of their id: settings are
chosen on the tune papers (`--tune`), and the test papers report them.

Rows:
- naive top-k: the paper's text cut into fixed 200-word windows, MiniLM cosine, top 3/5/10;
- on the tune half, the evidence passages' settings one at a time (`PASSAGE_GRID`: share of the
  best kept, chunk weight, heading weight, candidates, lexical weight, budget), and the not-found
  threshold swept over unanswerable and answerable questions (`not_found`);
- Folioscope: hybrid search (BM25 + dense) with a fixed top-k or the adaptive cut, each with
  and without neighbour expansion; single searches; the shipped default is marked.
Each row reports evidence recall (characters), paragraph recall (half of a gold paragraph
retrieved), precision, IoU, and the MiniLM word pieces of the selected text. The differences
the README claims carry paired bootstrap 95% intervals, resampling papers.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from folioscope.core import FolioscopeError
from folioscope.embed import shared_embedder

from .metrics import evidence_scores
from .segdata import split_of
from .stats import paired_bootstrap

NAIVE_WORDS = 200


@dataclass
class Question:
    paper: str
    doc_id: int
    text: str
    gold: list[tuple[int, int]]  # character ranges of the gold paragraphs in the document text
    unlocated: int  # gold paragraphs not found in the text


@dataclass
class Selected:
    """What a retrieval method hands on: character ranges per document, and their cost."""

    ranges: list[tuple[int, int, int]]  # (doc_id, start, end)
    tokens: int
    units: int  # chunks, windows or sentences
    extra: dict = field(default_factory=dict)


def paper_markdown(paper: dict) -> str:
    parts = [f"# {paper['title']}", "## Abstract", paper["abstract"]]
    for section in paper["full_text"]:
        name = (section.get("section_name") or "").split(":::")[-1].strip()
        if name:
            parts.append(f"## {name}")
        parts.extend(p for p in section["paragraphs"] if p.strip())
    return "\n\n".join(parts) + "\n"


def gold_paragraphs(paper: dict) -> list[tuple[str, list[str]]]:
    """(question, evidence paragraphs) for the answerable questions with text evidence."""
    out = []
    for qa in paper["qas"]:
        evidence: list[str] = []
        for answer in qa["answers"]:
            a = answer["answer"]
            if a.get("unanswerable"):
                continue
            evidence += [e for e in a.get("evidence", []) if e.strip() and not e.startswith("FLOAT SELECTED")]
        if evidence:
            out.append((qa["question"], list(dict.fromkeys(evidence))))
    return out


def locate(text: str, paragraph: str) -> tuple[int, int] | None:
    """Where a gold paragraph is in the document text (whitespace-normalised match of its
    start when the whole is not found verbatim)."""
    paragraph = paragraph.strip()
    at = text.find(paragraph)
    if at < 0:
        at = text.find(paragraph[:80])
    return (at, at + len(paragraph)) if at >= 0 else None


def load_papers(data: Path) -> dict:
    file = data / "qa" / "qasper_dev.json" if data.is_dir() else data
    if not file.is_file():
        raise FolioscopeError(f"No Qasper file at {file}.")
    return json.loads(file.read_text(encoding="utf-8"))


def build_library(papers: dict, folder: Path, chapter_titles: str = "keyphrases"):
    """A library of every paper as Markdown; returns (store, paper id -> doc id)."""
    from folioscope.index import Store
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import ingest_paths
    store = Store(folder)
    have = {r.name for r in store.documents()}
    source = folder / "papers"
    source.mkdir(exist_ok=True)
    todo = []
    for pid in sorted(papers):
        path = source / f"{pid}.md"
        if path.name not in have:
            path.write_text(paper_markdown(papers[pid]), encoding="utf-8")
            todo.append(path)
    for result in ingest_paths(store, todo, IngestOptions(chapter_titles=chapter_titles)):
        if not result.ok:
            raise FolioscopeError(f"Could not ingest {result.path.name}: {result.message}")
    return store, {r.name[:-3]: r.id for r in store.documents()}


def library_cache(data: Path) -> Path:
    """Where the Qasper library is kept between runs: keyed by everything that shapes it
    (the data, the boundary and role models, the code of the stages), so a change builds it
    anew (chapter titles, which the role model gives, are indexed with the chunks)."""
    import hashlib

    import folioscope
    from folioscope.models import boundary_model_path, role_model_path

    from .vectors import cache_folder
    digest = hashlib.sha256()
    root = Path(folioscope.__file__).resolve().parent
    shaping = [root / name for name in ("embed.py", "models.py")] + sorted((root / "pipeline").glob("*.py"))
    for path in shaping + sorted(p for d in ("core", "ingest", "segment", "index", "chapters")
                                 for p in (root / d).rglob("*.py")):
        digest.update(path.read_bytes())
    digest.update((data / "qa" / "qasper_dev.json").read_bytes())
    digest.update(boundary_model_path().read_bytes())
    digest.update(role_model_path().read_bytes())
    folder = cache_folder() / f"qasper-library-{digest.hexdigest()[:16]}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def questions(papers: dict, store, ids: dict[str, int], split: str, limit: int | None = None) -> list[Question]:
    chosen = [p for p in sorted(papers) if split_of(p) == split][:limit]
    out = []
    for pid in chosen:
        text = store.text(ids[pid])
        for question, paragraphs in gold_paragraphs(papers[pid]):
            found = [locate(text, p) for p in paragraphs]
            gold = [r for r in found if r]
            if gold:
                out.append(Question(pid, ids[pid], question, gold, len(found) - len(gold)))
    return out


# ---- the methods -----------------------------------------------------------------------------

class Naive:
    """The simplest pipeline: each paper's text in fixed 200-word windows, MiniLM cosine."""

    def __init__(self, store, doc_ids: list[int]):
        import re

        from folioscope.embed import count_tokens

        from .vectors import sentence_vectors
        self.windows: list[tuple[int, int, int]] = []
        texts = []
        for doc_id in doc_ids:
            text = store.text(doc_id)
            words = [m.span() for m in re.finditer(r"\S+", text)]
            for i in range(0, len(words), NAIVE_WORDS):
                part = words[i:i + NAIVE_WORDS]
                self.windows.append((doc_id, part[0][0], part[-1][1]))
                texts.append(text[part[0][0]:part[-1][1]])
        self.vectors = sentence_vectors(texts)
        self.tokens = np.array(count_tokens(texts))
        self.docs = np.array([w[0] for w in self.windows])

    def __call__(self, question: str, qvec: np.ndarray, doc_ids: set[int] | None, k: int) -> Selected:
        scores = self.vectors @ qvec
        if doc_ids is not None:
            scores = np.where(np.isin(self.docs, list(doc_ids)), scores, -np.inf)
        top = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if np.isfinite(scores[i])]
        return Selected([self.windows[i] for i in top], int(self.tokens[top].sum()), len(top))


def folioscope_method(searches: str = "hybrid", fusion: str = "cc", passages: dict | None = None,
                      **select) -> Callable:
    """The shipped pipeline with `passages` options, or (with `select` options) the chunk
    selectors it replaced: the fused chunks cut by a fixed top-k or an adaptive cut, with or
    without neighbours, as rows to compare against."""
    from folioscope.retrieve import PassageOptions, retrieve, search
    from folioscope.retrieve.select import SelectOptions
    from folioscope.retrieve.select import select as select_chunks
    if passages is not None:
        options = PassageOptions(**passages)

        def run(store, question: str, qvec, doc_ids: set[int] | None) -> Selected:
            found = retrieve(store, question, doc_ids, options, fusion, evidence=None, searches=searches,
                             question_vector=qvec, encoder=shared_embedder())
            return Selected([(c.hit.doc_id, c.start, c.end) for c in found.kept], found.tokens, len(found.kept))
        return run
    chunk_options = SelectOptions(**select)

    def run_chunks(store, question: str, qvec, doc_ids: set[int] | None) -> Selected:
        candidates, _ = search(store, question, qvec, doc_ids, fusion, searches)
        kept = select_chunks(candidates, chunk_options, {c.key: c for c in candidates})
        return Selected([(c.hit.doc_id, c.start, c.end) for c in kept], sum(c.tokens for c in kept), len(kept))
    return run_chunks


def evidence_method(passages: dict | None = None) -> Callable:
    """The shipped pipeline, then what the model is given: the evidence sentences."""
    from folioscope.embed import count_tokens
    from folioscope.retrieve import PassageOptions, retrieve
    options = PassageOptions(**(passages or {}))

    def run(store, question: str, qvec, doc_ids: set[int] | None) -> Selected:
        found = retrieve(store, question, doc_ids, options, question_vector=qvec, encoder=shared_embedder())
        texts = [e.text for e in found.evidence]
        return Selected([(e.doc_id, e.start, e.end) for e in found.evidence], sum(count_tokens(texts)),
                        len(found.evidence))
    return run


DEFAULT = "hybrid + evidence passages (default)"


PASSAGE_GRID = ([dict(relative=r, chunk_weight=w) for r in (0.4, 0.5, 0.7) for w in (0.2, 0.5, 1.0)]
                + [dict(heading=h) for h in (0.0, 0.2, 0.3, 0.5, 0.7)]
                + [dict(candidates=c) for c in (10, 40)] + [dict(lexical=x) for x in (0.0, 0.15, 0.5)]
                # the budget is set to the size of the naive top-3 windows (796 word pieces), so that
                # the two are compared at the same size; these rows show what a different size buys
                + [dict(budget=b) for b in (600, 1000)])
NOT_FOUND_GRID = tuple(round(0.20 + 0.05 * i, 2) for i in range(9))  # best evidence score under it: not found
MAX_ANSWERABLE_REFUSED = 0.05  # the not-found threshold may refuse at most this share of answerable questions


def methods(naive: Naive, tune: bool = False) -> dict[str, Callable]:
    rows: dict[str, Callable] = {}
    for setting in PASSAGE_GRID if tune else []:
        rows["hybrid + evidence passages " + ", ".join(f"{k} {v}" for k, v in setting.items())] = (
            folioscope_method(passages=setting))
    rows[DEFAULT] = folioscope_method(passages={})
    for k in (3, 5, 10):
        rows[f"naive: 200-word windows, MiniLM cosine, top-{k}"] = (
            lambda store, q, v, d, k=k: naive(q, v, d, k))
    for k in (3, 5, 10):
        for nb in (False, True):
            rows[f"hybrid top-{k}" + (" + neighbours" if nb else "")] = folioscope_method(
                cut="top", top_k=k, neighbours=nb, max_keep=k, budget=10 ** 6)
    for cut in ("gradient", "elbow"):
        for nb in (False, True):
            rows[f"hybrid + {cut} cut" + (" + neighbours" if nb else "")] = folioscope_method(cut=cut, neighbours=nb)
    rows["hybrid (RRF) + gradient cut + neighbours"] = folioscope_method(fusion="rrf", cut="gradient")
    rows["bm25 only + gradient cut + neighbours"] = folioscope_method(searches="bm25", cut="gradient")
    rows["dense only + gradient cut + neighbours"] = folioscope_method(searches="dense", cut="gradient")
    rows["default, evidence sentences (what the model reads)"] = evidence_method(passages={})
    return rows


# ---- running ---------------------------------------------------------------------------------

def score_rows(store, qs: list[Question], rows: dict[str, Callable], scope: str) -> dict[str, list[dict]]:
    from folioscope.embed import shared_embedder
    embedder = shared_embedder()
    vectors = embedder.encode([q.text for q in qs])
    out: dict[str, list[dict]] = {name: [] for name in rows}
    for q, qvec in zip(qs, vectors):
        doc_ids = {q.doc_id} if scope == "within-paper" else None
        for name, method in rows.items():
            got = method(store, q.text, qvec, doc_ids)
            mine = [(s, e) for d, s, e in got.ranges if d == q.doc_id]
            scores = evidence_scores(q.gold, mine)
            if scope != "within-paper":  # text taken from other papers is all padding
                other = sum(e - s for d, s, e in got.ranges if d != q.doc_id)
                kept = sum(e - s for _, s, e in got.ranges)
                scores["precision"] = scores["precision"] * (kept - other) / kept if kept else 0.0
                scores["from_other_papers"] = other / kept if kept else 0.0
            scores.update(tokens=got.tokens, units=got.units)
            out[name].append(scores)
    return out


def aggregate(per_question: list[dict]) -> dict:
    keys = per_question[0].keys() if per_question else []
    return {k: round(float(np.mean([r[k] for r in per_question])), 4 if k not in ("tokens", "units") else 1)
            for k in keys}


def evaluate_retrieval(data: Path, split: str = "test", limit: int | None = None,
                       library: Path | None = None, rows: dict | None = None) -> dict:
    papers = load_papers(data)
    if limit is not None:  # a quick check: a small library of this half's first papers
        papers = {p: papers[p] for p in [q for q in sorted(papers) if split_of(q) == split][:limit]}
    temp = None
    if library is None and limit is None:
        library = library_cache(data)
    if library is None:
        temp = tempfile.TemporaryDirectory(prefix="folioscope-qasper-")
        library = Path(temp.name)
    started = time.perf_counter()
    store, ids = build_library(papers, library)
    built = time.perf_counter() - started
    qs = questions(papers, store, ids, split, limit)
    naive = Naive(store, sorted(ids.values()))
    table = rows or methods(naive, tune=split == "tune")
    report: dict = {
        "split": split, "papers": len({q.paper for q in qs}), "library_papers": len(ids),
        "questions": len(qs), "gold_paragraphs": sum(len(q.gold) + q.unlocated for q in qs),
        "gold_paragraphs_not_located": sum(q.unlocated for q in qs),
        "library_build_seconds": round(built, 1), "default": DEFAULT, "scopes": {}}
    for scope in ("within-paper", "library-wide"):
        per_q = score_rows(store, qs, table, scope)
        results = {name: {**aggregate(values), **({"default": True} if name == DEFAULT else {})}
                   for name, values in per_q.items()}
        report["scopes"][scope] = {"results": results,
                                   "differences": differences(per_q, [q.paper for q in qs])}
    report["not_found"] = not_found_rates(store, papers, ids, split, qs, limit)
    report["latency"] = latency(store, qs)
    store.close()
    if temp is not None:
        temp.cleanup()
    return report


def unanswerable(paper: dict) -> list[str]:
    """The questions every annotator marked unanswerable from the paper."""
    return [qa["question"] for qa in paper["qas"]
            if qa["answers"] and all(a["answer"].get("unanswerable") for a in qa["answers"])]


def not_found_rates(store, papers: dict, ids: dict[str, int], split: str, qs: list[Question],
                    limit: int | None = None) -> dict:
    """The not-found threshold (answer.ask.MIN_EVIDENCE_SCORE): within each paper, the best
    evidence sentence's score for the questions the annotators found unanswerable and for the
    answerable ones; at each threshold of the grid, the share of each that would be refused.
    The threshold chosen (on the tune half) refuses at most MAX_ANSWERABLE_REFUSED of the
    answerable questions (a reader asks mostly answerable ones: a refusal of one costs more
    than an answer to an unanswerable one, which shows its evidence) and, within that, the
    most unanswerable ones; ties go to the lower threshold. Balanced accuracy is reported
    beside it."""
    from folioscope.answer.ask import MIN_EVIDENCE_SCORE
    from folioscope.retrieve import retrieve
    chosen = [p for p in sorted(papers) if split_of(p) == split][:limit]

    def best(question: str, doc_id: int) -> float:
        found = retrieve(store, question, {doc_id}, encoder=shared_embedder())
        return max((e.score for e in found.evidence), default=0.0)
    none = [best(q, ids[p]) for p in chosen for q in unanswerable(papers[p])]
    some = [best(q.text, q.doc_id) for q in qs]
    grid = {}
    for t in sorted({*NOT_FOUND_GRID, MIN_EVIDENCE_SCORE}):
        refused_none = float(np.mean([b < t for b in none])) if none else 0.0
        refused_some = float(np.mean([b < t for b in some])) if some else 0.0
        grid[str(t)] = {"unanswerable_refused": round(refused_none, 4), "answerable_refused": round(refused_some, 4),
                        "balanced_accuracy": round((refused_none + 1 - refused_some) / 2, 4)}
    allowed = [t for t in grid if grid[t]["answerable_refused"] <= MAX_ANSWERABLE_REFUSED] or [min(grid, key=float)]
    top = max(allowed, key=lambda t: (grid[t]["unanswerable_refused"], -float(t)))
    best_balanced = max(grid, key=lambda t: (grid[t]["balanced_accuracy"], -float(t)))
    return {"unanswerable_questions": len(none), "answerable_questions": len(some),
            "rule": f"at most {MAX_ANSWERABLE_REFUSED:.0%} of answerable questions refused; within that, the most "
                    "unanswerable ones refused; ties to the lower threshold",
            "shipped_threshold": MIN_EVIDENCE_SCORE, "best_threshold_on_this_half": float(top),
            "best_balanced_accuracy_threshold": float(best_balanced), "thresholds": grid}


def differences(per_q: dict[str, list[dict]], papers: list[str]) -> dict:
    """Paired bootstrap intervals (papers resampled) for the comparisons the README makes."""
    def col(name, key):
        return [r[key] for r in per_q[name]]
    out = {}
    pairs = [(DEFAULT, "hybrid top-5", "recall"), (DEFAULT, "hybrid top-5 + neighbours", "recall"),
             (DEFAULT, "naive: 200-word windows, MiniLM cosine, top-5", "recall"),
             (DEFAULT, "naive: 200-word windows, MiniLM cosine, top-3", "recall"),
             (DEFAULT, "naive: 200-word windows, MiniLM cosine, top-3", "tokens"),
             (DEFAULT, "hybrid top-5", "tokens")]
    for a, b, key in pairs:
        if a in per_q and b in per_q:
            out[f"{key}: {a} - {b}"] = paired_bootstrap(col(a, key), col(b, key), papers)
    return out


def latency(store, qs: list[Question], repeats: int = 1) -> dict:
    """Library-wide retrieval time per question (question embedding included, evidence
    sentences included and not), at the whole library's size."""
    from folioscope.retrieve import retrieve
    retrieve(store, qs[0].text, encoder=shared_embedder())  # loads the embedder and the vectors
    rows: dict[str, list[float]] = {"retrieval": [], "retrieval + evidence": [], "embed_question": []}
    for q in qs[:80] * repeats:
        t = time.perf_counter()
        found = retrieve(store, q.text, evidence=None, encoder=shared_embedder())
        rows["retrieval"].append(time.perf_counter() - t)
        rows["embed_question"].append(found.timings["embed_question"])
        t = time.perf_counter()
        retrieve(store, q.text, encoder=shared_embedder())
        rows["retrieval + evidence"].append(time.perf_counter() - t)
    return {name: {"p50_ms": round(1000 * statistics.median(v), 1),
                   "p95_ms": round(1000 * float(np.percentile(v, 95)), 1)} for name, v in rows.items()}
