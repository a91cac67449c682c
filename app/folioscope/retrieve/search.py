"""The two searches and their fusion: BM25 (FTS5's, over chunk text and chapter titles) and
dense cosine over the in-memory chunk vectors."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core.stopwords import ENGLISH_STOP_WORDS
from ..index import Store

RRF_K = 60
CHAPTER_WEIGHT = 0.5  # BM25 weight of the chapter-title column against the chunk text


@dataclass
class Hit:
    doc_id: int
    idx: int
    bm25: float = 0.0  # higher is better (FTS5's bm25() negated)
    cosine: float = 0.0
    bm25_rank: int | None = None  # 1-based, None: not found by that search
    dense_rank: int | None = None
    fused: float = 0.0


def query_words(question: str) -> list[str]:
    """The question's content words, lower-cased, each once."""
    terms = [w for w in re.findall(r"\w+", question.lower()) if w not in ENGLISH_STOP_WORDS and len(w) > 1]
    return list(dict.fromkeys(terms))


def bm25_search(store: Store, question: str, doc_ids: set[int] | None = None,
                limit: int = 50) -> list[tuple[int, int, float]]:
    """(doc_id, chunk idx, score), best first: BM25 of the question's content words OR-ed."""
    return store.search_text(query_words(question), doc_ids, limit, CHAPTER_WEIGHT)


def reading_search(store: Store, question: str, doc_ids: set[int] | None = None,
                   limit: int = 5) -> list[tuple[int, int, float, str]]:
    """(doc_id, page, score, snippet), best first: BM25 of the question's content words over
    the pages of documents still being indexed (their chunks are not stored yet)."""
    return store.search_reading(query_words(question), doc_ids, limit)


def fuse(bm25: list[tuple[int, int, float]], dense: list[tuple[int, int, float]],
         method: str = "cc") -> list[Hit]:
    """Merge the two ranked lists into one, best first.

    rrf: sum of 1 / (RRF_K + rank) over the lists a chunk appears in.
    cc:  mean of the min-max normalised scores (absent from a list counts as its minimum)."""
    hits: dict[tuple[int, int], Hit] = {}
    for rank, (d, i, s) in enumerate(bm25, 1):
        hits.setdefault((d, i), Hit(d, i)).__dict__.update(bm25=s, bm25_rank=rank)
    for rank, (d, i, s) in enumerate(dense, 1):
        hits.setdefault((d, i), Hit(d, i)).__dict__.update(cosine=s, dense_rank=rank)
    if method == "rrf":
        for h in hits.values():
            h.fused = sum(1.0 / (RRF_K + r) for r in (h.bm25_rank, h.dense_rank) if r is not None)
    elif method == "cc":
        def normaliser(values: list[float]) -> Callable[[float], float]:
            lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
            return lambda v: (v - lo) / (hi - lo) if hi > lo else 1.0
        nb = normaliser([s for _, _, s in bm25])
        nd = normaliser([s for _, _, s in dense])
        for h in hits.values():
            b = nb(h.bm25) if h.bm25_rank is not None else 0.0
            c = nd(h.cosine) if h.dense_rank is not None else 0.0
            h.fused = 0.5 * b + 0.5 * c
    else:
        raise ValueError(f"unknown fusion {method!r}")
    return sorted(hits.values(), key=lambda h: (-h.fused, h.doc_id, h.idx))
