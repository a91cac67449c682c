"""Evidence sentences on Qasper: is the sentence a reader sees highlighted the one the
annotators highlighted?

Qasper's `highlighted_evidence` marks, per annotator, the sentences of a paper that answer a
question. Every answerable question of the half with highlighted text (figure and table
evidence left out) is asked within its own paper, in the cached library of the retrieval
evaluation. Per question and method:
- hit@1: the first evidence sentence overlaps the gold highlights by at least half of its
  own characters;
- hit@k: any of the method's evidence sentences does;
- pieces: MiniLM word pieces of the evidence sentences (the text the answer model reads);
- answer F1 of the first sentence against the gold answers (Qasper's token F1, best
  annotator) and whether it holds a gold extractive span: the extractive answer a reader
  sees when the model's wording is not supported; and the same for the answer's lead, the
  answering phrase taken from that sentence (`answer/phrase.py`) where there is one.

Rows, in the same run: the default; plain MiniLM cosine over every sentence of the paper
(top-1, and top-k at the default's k for that question); BM25 over the paper's sentences
(likewise); the first sentence of each kept passage; the default's sentences ordered by their
own score (no ranker). Differences carry paired bootstrap 95% intervals, resampling papers.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from folioscope.embed import shared_embedder

from .answers import gold_answers, normalize, token_f1
from .phrase import answer_phrase
from .segdata import split_of
from .stats import paired_bootstrap

MIN_CHARS = 12  # as the retrieval step: shorter sentences are never evidence
DEFAULT = "default: passages, then the evidence ranker"


@dataclass
class GoldQuestion:
    paper: str
    doc_id: int
    text: str
    highlights: list[tuple[int, int]]  # character ranges of the highlighted sentences in the text
    answers: list[str]  # each annotator's answer (for answer F1)
    spans: list[str]  # extractive answer spans
    unlocated: int


def highlighted(qa: dict) -> list[str]:
    out: list[str] = []
    for answer in qa["answers"]:
        a = answer["answer"]
        if not a.get("unanswerable"):
            out += [h for h in a.get("highlighted_evidence", []) if h.strip() and not h.startswith("FLOAT SELECTED")]
    return list(dict.fromkeys(out))


def _find(text: str, piece: str) -> tuple[int, int] | None:
    piece = piece.strip()
    at = text.find(piece)
    if at < 0 and len(piece) > 60:  # the start of a long highlight (the markup may differ later on)
        at = text.find(piece[:60])
    return (at, at + len(piece)) if at >= 0 else None


def gold_questions(papers: dict, store, ids: dict[str, int], split: str,
                   limit: int | None = None) -> list[GoldQuestion]:
    chosen = [p for p in sorted(papers) if split_of(p) == split][:limit]
    out = []
    for pid in chosen:
        text = store.text(ids[pid])
        for qa in papers[pid]["qas"]:
            pieces = highlighted(qa)
            found = [r for r in (_find(text, h) for h in pieces) if r]
            if not found:
                continue
            spans = [s for a in qa["answers"] if not a["answer"].get("unanswerable")
                     for s in a["answer"].get("extractive_spans", []) if s.strip()]
            out.append(GoldQuestion(pid, ids[pid], qa["question"], found, gold_answers(qa), spans,
                                    len(pieces) - len(found)))
    return out


def is_hit(start: int, end: int, gold: list[tuple[int, int]], share: float = 0.5) -> bool:
    """The sentence [start, end) overlaps the gold ranges by at least `share` of its characters."""
    covered = np.zeros(end - start, dtype=bool)
    for a, b in gold:
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            covered[lo - start:hi - start] = True
    return end > start and covered.sum() >= share * (end - start)


def holds_span(answer: str, spans: list[str]) -> bool:
    shown = f" {normalize(answer)} "
    return any(normalize(s) and f" {normalize(s)} " in shown for s in spans)


# ---- the paper's own sentences, for the plain baselines ----------------------------------------

class PaperSentences:
    """Every candidate sentence of each paper (as the retrieval step sees them: not headings,
    at least MIN_CHARS long), with its stored MiniLM vector and a BM25 index."""

    def __init__(self, store, doc_id: int):
        ranges, vectors = store.sentence_vectors(doc_id)
        text = store.text(doc_id)
        headings = store.heading_ranges(doc_id)
        keep = [i for i, (a, b) in enumerate(ranges)
                if b - a >= MIN_CHARS and not any(h0 <= a and b <= h1 for h0, h1 in headings)]
        self.ranges = [ranges[i] for i in keep]
        self.vectors = vectors[keep]
        self.texts = [text[a:b] for a, b in self.ranges]
        self.terms = [re.findall(r"\w+", t.lower()) for t in self.texts]
        self.df = Counter(w for words in self.terms for w in set(words))
        self.avgdl = float(np.mean([len(w) for w in self.terms])) if self.terms else 1.0

    def cosine(self, qvec: np.ndarray) -> np.ndarray:
        return self.vectors @ qvec

    def bm25(self, question: str, k1: float = 1.2, b: float = 0.75) -> np.ndarray:
        from folioscope.retrieve.search import query_words
        n = len(self.terms)
        scores = np.zeros(n)
        for w in query_words(question):
            df = self.df.get(w, 0)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for i, terms in enumerate(self.terms):
                tf = terms.count(w)
                if tf:
                    scores[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(terms) / self.avgdl))
        return scores


# ---- the methods: each returns the evidence sentence ranges, best first --------------------------

Method = Callable[..., list[tuple[int, int]]]


def shipped(options: dict | None = None, evidence: dict | None = None) -> Method:
    from folioscope.retrieve import EvidenceOptions, PassageOptions, retrieve
    passage_options, evidence_options = PassageOptions(**(options or {})), EvidenceOptions(**(evidence or {}))

    def run(store, q: GoldQuestion, qvec, paper: PaperSentences, k: int | None) -> list[tuple[int, int]]:
        found = retrieve(store, q.text, {q.doc_id}, passage_options, evidence=evidence_options, question_vector=qvec, encoder=shared_embedder())
        return [(e.start, e.end) for e in found.evidence]
    return run


def first_of_passages(store, q: GoldQuestion, qvec, paper: PaperSentences, k: int | None) -> list[tuple[int, int]]:
    """The first sentence of each kept passage, in passage rank order."""
    from folioscope.retrieve import retrieve
    found = retrieve(store, q.text, {q.doc_id}, evidence=None, question_vector=qvec, encoder=shared_embedder())
    out = []
    for c in sorted(found.kept, key=lambda c: -c.hit.fused):
        inside = [r for r in paper.ranges if c.start <= r[0] and r[1] <= c.end]
        if inside:
            out.append(inside[0])
    return out[:k] if k else out


def top_sentences(kind: str, top: int | None = None) -> Method:
    """Plain baselines over every sentence of the paper: MiniLM cosine or BM25, the best
    `top` (or the default's k for that question)."""
    def run(store, q: GoldQuestion, qvec, paper: PaperSentences, k: int | None) -> list[tuple[int, int]]:
        scores = paper.cosine(qvec) if kind == "cosine" else paper.bm25(q.text)
        order = np.argsort(-scores, kind="stable")[:top or k or 1]
        return [paper.ranges[i] for i in order]
    return run


def methods(tune: bool = False) -> dict[str, Method]:
    rows: dict[str, Method] = {DEFAULT: shipped()}
    # the evidence step before the ranker: sentences by their own score, at least 0.8 of the best, at most 6
    rows["passages, sentences by their own score (no ranker)"] = shipped(
        evidence={"ranked": False, "relative": 0.8, "max_sentences": 6})
    rows["the ranker's order, a summary's sentence may lead (before the restatement rule)"] = shipped(
        evidence={"restated": None})
    rows["MiniLM cosine over the paper's sentences, top-1"] = top_sentences("cosine", 1)
    rows["MiniLM cosine over the paper's sentences, top-k (the default's k)"] = top_sentences("cosine")
    rows["BM25 over the paper's sentences, top-k (the default's k)"] = top_sentences("bm25")
    rows["first sentence of each kept passage, top-k (the default's k)"] = first_of_passages
    if tune:
        for relative in (0.5, 0.6, 0.7, 0.9):
            for most in (2, 3, 4):
                rows[f"ranker, relative {relative}, at most {most}"] = shipped(
                    evidence={"relative": relative, "max_sentences": most})
        for restated in (0.5, 0.7):
            rows[f"a summary's sentence gives the lead to a body sentence at cosine {restated}"] = shipped(
                evidence={"restated": restated})
        rows["ranker over every scored sentence (not only kept passages)"] = shipped(evidence={"within_kept": False})
    return rows


# ---- running ------------------------------------------------------------------------------------

def score(store, qs: list[GoldQuestion], rows: dict[str, Method]) -> dict[str, list[dict]]:
    from folioscope.embed import count_tokens, shared_embedder
    vectors = shared_embedder().encode([q.text for q in qs])
    papers: dict[int, PaperSentences] = {}
    out: dict[str, list[dict]] = {name: [] for name in rows}
    for q, qvec in zip(qs, vectors):
        if q.doc_id not in papers:
            papers[q.doc_id] = PaperSentences(store, q.doc_id)
        paper = papers[q.doc_id]
        text = store.text(q.doc_id)
        k = None
        for name, method in rows.items():
            got = method(store, q, qvec, paper, k)
            if name == DEFAULT:
                k = max(len(got), 1)
            hits = [is_hit(a, b, q.highlights) for a, b in got]
            first = text[got[0][0]:got[0][1]] if got else ""
            phrase = answer_phrase(q.text, first)
            lead = phrase.text if phrase else first
            out[name].append({
                "hit@1": float(bool(hits) and hits[0]), "hit@k": float(any(hits)), "k": len(got),
                "pieces": sum(count_tokens([text[a:b] for a, b in got])) if got else 0,
                "answer_f1": max((token_f1(first, g) for g in q.answers), default=0.0),
                "holds_span": float(holds_span(first, q.spans)),
                "has_phrase": float(phrase is not None),
                "lead_f1": max((token_f1(lead, g) for g in q.answers), default=0.0),
                "lead_holds_span": float(holds_span(lead, q.spans))})
    return out


def evaluate_evidence(data: Path, split: str = "test", limit: int | None = None, library: Path | None = None,
                      rows: dict[str, Method] | None = None) -> dict:
    from .retrieval import build_library, library_cache, load_papers
    papers = load_papers(data)
    temp = None
    if limit is not None:
        papers = {p: papers[p] for p in [q for q in sorted(papers) if split_of(q) == split][:limit]}
        temp = tempfile.TemporaryDirectory(prefix="folioscope-evidence-")
        library = Path(temp.name)
    store, ids = build_library(papers, library or library_cache(data))
    qs = gold_questions(papers, store, ids, split, limit)
    table = rows or methods(tune=split == "tune")
    per_q = score(store, qs, table)
    store.close()
    if temp is not None:
        temp.cleanup()
    results = {name: {key: round(float(np.mean([r[key] for r in values])), 4) for key in values[0]}
               for name, values in per_q.items() if values}
    groups = [q.paper for q in qs]
    report = {"split": split, "papers": len(set(groups)), "questions": len(qs),
              "highlights_not_located": sum(q.unlocated for q in qs), "default": DEFAULT,
              "hit_rule": "a sentence is a hit when at least half of its characters lie in the annotators' "
                          "highlighted evidence",
              "results": results, "differences": differences(per_q, groups)}
    if limit is None:
        report["table_rows"] = evaluate_table_rows(data)
    return report


def evaluate_table_rows(data: Path) -> dict:
    """Questions written from the tables of two development PDFs (`eval/gold/tables.json`):
    is the row that answers them the first evidence (hit@1), or among it (hit@k)? The default
    (a row scored and shown with its column headers) beside the row scored as a bare sentence."""
    import json

    from folioscope.index import Store
    from folioscope.pipeline import ingest_paths
    from folioscope.retrieve import PassageOptions, retrieve
    gold = json.loads((Path(__file__).parent / "gold" / "tables.json").read_text())["questions"]
    rows: dict[str, list[dict]] = {"row with its headers (default)": [], "row as a bare sentence": []}
    located = 0
    with tempfile.TemporaryDirectory(prefix="folioscope-tables-") as folder:
        store = Store(Path(folder))
        files = sorted({g["file"] for g in gold})
        ids = {f: r.doc_id for f, r in zip(files, ingest_paths(store, [data / f for f in files]))}
        for g in gold:
            text = store.text(ids[g["file"]])
            target = [(a, b) for role, _, a, b in store.table_blocks(ids[g["file"]])
                      if role == "table_row" and g["row"] in text[a:b]]
            located += bool(target)
            for name, headers in zip(rows, (True, False)):
                found = retrieve(store, g["question"], {ids[g["file"]]}, PassageOptions(table_headers=headers), encoder=shared_embedder())
                hits = [any(a < e.end and e.start < b for a, b in target) for e in found.evidence]
                rows[name].append({"hit@1": float(bool(hits) and hits[0]), "hit@k": float(any(hits)),
                                   "first": " ".join(found.evidence[0].text.split()) if found.evidence else ""})
        store.close()
    return {"data": "development PDFs: the table handling was built looking at these tables", "files": files,
            "questions": len(gold), "answering_rows_located": located,
            "results": {name: {"hit@1": round(float(np.mean([r["hit@1"] for r in v])), 3),
                               "hit@k": round(float(np.mean([r["hit@k"] for r in v])), 3),
                               "first_evidence": [r["first"][:160] for r in v]} for name, v in rows.items()}}


def differences(per_q: dict[str, list[dict]], groups: list[str]) -> dict:
    out = {}
    for other in per_q:
        if other == DEFAULT or not per_q[other]:
            continue
        for key in ("hit@1", "hit@k"):
            out[f"{key}: default - {other}"] = paired_bootstrap(
                [r[key] for r in per_q[DEFAULT]], [r[key] for r in per_q[other]], groups)
    mine = per_q[DEFAULT]
    out["answer F1: the default's lead (phrase where there is one) - its first sentence"] = paired_bootstrap(
        [r["lead_f1"] for r in mine], [r["answer_f1"] for r in mine], groups)
    out["holds a gold span: the default's lead - its first sentence"] = paired_bootstrap(
        [r["lead_holds_span"] for r in mine], [r["holds_span"] for r in mine], groups)
    return out
