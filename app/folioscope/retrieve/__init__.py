"""Hybrid retrieval: BM25 + dense search over chunks, fused; every sentence of the best
chunks scored; the passages around the best sentences kept (the context shown); then the
evidence sentences inside them (what the model reads, and what is highlighted)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..core import Encoder, Evidence
from ..index import Store
from .evidence import EvidenceOptions, evidence_from
from .passages import Passage, PassageOptions, ScoredSentence, select_passages
from .ranker import features, shipped_ranker
from .search import Hit, bm25_search, fuse
from .select import Candidate

POOL = 50  # candidates taken from each search


@dataclass
class Retrieval:
    question: str
    kept: list[Candidate]
    candidates: list[Candidate]  # every fused candidate, best first, with its decision
    evidence: list[Evidence]
    timings: dict[str, float] = field(default_factory=dict)
    sentences: list[ScoredSentence] = field(default_factory=list)  # every scored sentence, best first

    @property
    def tokens(self) -> int:
        return sum(c.tokens for c in self.kept)

    def trace(self, limit: int = 20) -> list[dict]:
        """Why each candidate was kept or cut: every kept one and the best cut ones."""
        shown = [c for c in self.candidates if c.kept] + [c for c in self.candidates if not c.kept][:limit]
        return [{"doc_id": c.hit.doc_id, "chunk": c.hit.idx, "bm25_rank": c.hit.bm25_rank,
                 "dense_rank": c.hit.dense_rank, "cosine": round(c.hit.cosine, 4),
                 "fused": round(c.hit.fused, 5), "tokens": c.tokens, "kept": c.kept, "reason": c.reason}
                for c in sorted(shown, key=lambda c: -c.hit.fused)]


def search(store: Store, question: str, qvec: np.ndarray, doc_ids: set[int] | None = None, fusion: str = "cc",
           searches: str = "hybrid") -> tuple[list[Candidate], dict[str, float]]:
    """The fused chunk candidates, best first, and the time each search took. searches:
    "hybrid", "bm25" or "dense"."""
    t1 = time.perf_counter()
    sparse = bm25_search(store, question, doc_ids, POOL) if searches != "dense" else []
    t2 = time.perf_counter()
    dense = store.vectors.search(qvec, doc_ids, POOL) if searches != "bm25" else []
    t3 = time.perf_counter()
    hits = fuse(sparse, dense, fusion)
    rows = store.chunk_ranges((h.doc_id, h.idx) for h in hits)
    return ([Candidate(h, *rows[(h.doc_id, h.idx)]) for h in hits if (h.doc_id, h.idx) in rows],
            {"bm25": t2 - t1, "dense": t3 - t2})


def retrieve(store: Store, question: str, doc_ids: set[int] | None = None,
             options: PassageOptions = PassageOptions(), fusion: str = "cc",
             evidence: EvidenceOptions | None = EvidenceOptions(), searches: str = "hybrid",
             question_vector: np.ndarray | None = None, *, encoder: Encoder) -> Retrieval:
    """Search, then the passages around the best sentences, then the evidence sentences in
    them. `encoder`: the sentence encoder the library was built with (the caller's choice);
    `question_vector`: the question's embedding, if already computed; `evidence`: None stops
    after the passages."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    qvec = question_vector if question_vector is not None else encoder.encode([question])[0]
    timings["embed_question"] = time.perf_counter() - t0
    candidates, searched = search(store, question, qvec, doc_ids, fusion, searches)
    timings.update(searched)
    t3 = time.perf_counter()
    passages, scored = select_passages(store, question, qvec, candidates, encoder, options)
    kept = [Candidate(p.chunk.hit, p.start, p.end, p.tokens, True, p.reason) for p in passages]
    _explain(candidates, passages, options)
    t4 = time.perf_counter()
    timings["select"] = t4 - t3
    ranker = shipped_ranker() if evidence is not None and evidence.ranked else None
    rank = ranker.score(features(question, scored)) if ranker is not None else None
    found = evidence_from(store, passages, scored, evidence, rank) if evidence is not None else []
    timings["evidence"] = time.perf_counter() - t4
    timings["total"] = time.perf_counter() - t0
    return Retrieval(question, kept, candidates, found, timings, scored)


def _explain(candidates: list[Candidate], passages: list[Passage], options: PassageOptions) -> None:
    """Mark each chunk candidate with why its text was or was not handed on (the trace)."""
    held: dict[tuple[int, int], list] = {}
    for p in passages:
        held.setdefault(p.chunk.key, []).append(p)
    for rank, c in enumerate(candidates):
        mine = held.get(c.key)
        c.kept = bool(mine)
        if mine:
            c.reason = f"kept: {len(mine)} passage(s) of it, " + "; ".join(p.reason[len("kept: "):] for p in mine)
        elif rank >= options.candidates:
            c.reason = f"cut: not among the {options.candidates} best chunks whose sentences are scored"
        else:
            c.reason = "cut: none of its passages scored high enough"


__all__ = ["Retrieval", "retrieve", "search", "PassageOptions", "EvidenceOptions", "Hit"]
