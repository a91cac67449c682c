"""Evidence sentences: inside the kept passages, the sentences that answer the question.

The scored sentences (`passages.score_sentences`: cosine to the question plus the
IDF-weighted share of its words) are ordered by the evidence ranker (`ranker.py`) and cut
adaptively; boilerplate never leads. Evidence is always a span of the document (start, end,
page, boxes), never generated text: a sentence, or a table row read with its headers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import Evidence, SpanTable
from .search import ENGLISH_STOP_WORDS


@dataclass(frozen=True)
class EvidenceOptions:
    # set on the Qasper tune papers (`folioscope-lab eval evidence --tune`), reported on the test ones
    max_sentences: int = 4
    relative: float = 0.5  # keep sentences scoring (ranker probability) at least this share of the best one
    per_passage: int = 3  # at most this many from one passage
    ranked: bool = True  # order by the trained evidence ranker (retrieve/ranker.py) when it is shipped
    within_kept: bool = True  # evidence only from the passages kept as context
    restated: float | None = 0.3  # a summary's sentence gives the lead to a body sentence this close to it (cosine)


def content_terms(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in ENGLISH_STOP_WORDS and len(w) > 1}


def lexical_scores(question: str, sentences: list[str]) -> np.ndarray:
    terms = content_terms(question)
    if not terms or not sentences:
        return np.zeros(len(sentences))
    sets = [content_terms(s) for s in sentences]
    n = len(sets)
    idf = {t: math.log(1 + n / (1 + sum(t in s for s in sets))) for t in terms}
    total = sum(idf.values())
    return np.array([sum(idf[t] for t in terms & s) / total for s in sets])


def evidence_from(store: Any, passages: Sequence[Any], scored: Sequence[Any], options: EvidenceOptions = EvidenceOptions(),
                  rank: np.ndarray | None = None) -> list[Evidence]:
    """Evidence sentences among the scored sentences: ordered by `rank` (the evidence ranker's
    probability for each scored sentence; else by their own score), those reaching `relative`
    of the best, a few per passage; only those in the kept `passages` when `options.within_kept`."""
    def inside(s: Any) -> bool:
        return any(p.doc_id == s.doc_id and p.start <= s.start and s.end <= p.end for p in passages)
    pool = [s for s in scored if inside(s)] if options.within_kept else list(scored)
    if not pool:
        return []
    if rank is not None:
        by_id = {id(s): float(r) for s, r in zip(scored, rank)}
        order = sorted(pool, key=lambda s: -by_id[id(s)])
        value = [by_id[id(s)] for s in order]
    else:
        order = sorted(pool, key=lambda s: -s.score)
        value = [s.score for s in order]
    # boilerplate never leads: it goes after every other sentence that passes the cut
    demoted = [is_boilerplate(s.text) for s in order]
    best = next((v for v, d in zip(value, demoted) if not d), value[0])
    order = [s for s, d in zip(order, demoted) if not d] + [s for s, d in zip(order, demoted) if d]
    value = [v for v, d in zip(value, demoted) if not d] + [v for v, d in zip(value, demoted) if d]
    if options.restated is not None:
        lead = body_restating(order, options.restated)
        order = order[lead:lead + 1] + order[:lead] + order[lead + 1:]
        value = [best] + value[:lead] + value[lead + 1:] if lead else value
    chosen: list[Evidence] = []
    per_passage: dict[tuple[int, int], int] = {}
    spans: dict[int, SpanTable] = {}
    for s, v in zip(order, value):
        if len(chosen) >= options.max_sentences or v < options.relative * best:
            break
        key = (s.doc_id, s.passage.start if s.passage is not None else s.start)
        start, end = (s.row.start, s.row.end) if s.row is not None else (s.start, s.end)
        if per_passage.get(key, 0) >= options.per_passage or any(
                e.doc_id == s.doc_id and e.start == start for e in chosen):
            continue
        per_passage[key] = per_passage.get(key, 0) + 1
        if s.doc_id not in spans:
            spans[s.doc_id] = store.span_table(s.doc_id)
        table = spans[s.doc_id]
        lines = table.line_boxes(start, end)
        page = lines[0][0] if lines else (table.pages(start, end) or [0])[0]
        chosen.append(Evidence(doc_id=s.doc_id, start=start, end=end, text=s.text,
                               score=round(s.score, 4), page=page, boxes=[(p, *b.as_tuple()) for p, b in lines],
                               chunk=s.chunk.hit.idx))
    return chosen


SUMMARY_HEADING = re.compile(r"^\W*([\dIVX]+[.)]?\s+)?(abstract|summary|executive summary|overview|highlights|"
                             r"key (findings|points))\W*$", re.IGNORECASE)


def in_summary(s: Any) -> bool:
    """The sentence stands under a summary's heading (Abstract, Executive summary, ...)."""
    return s.passage is not None and bool(SUMMARY_HEADING.match(s.passage.under.strip()))


def body_restating(order: Sequence[Any], threshold: float) -> int:
    """Where the lead should come from: 0, unless the best sentence stands in a summary and
    a sentence of the body restates it (cosine at least `threshold`); then the best such one.
    A summary says briefly what the body says in full ("we report evaluations using a
    finance-specific embedding" against "we trained a word2vec model on 189,206 financial
    articles"), and the reader should land where the document states it."""
    if not order or order[0].vector is None or not in_summary(order[0]):
        return 0
    for i, s in enumerate(order[1:], 1):
        if s.vector is not None and not in_summary(s) and float(s.vector @ order[0].vector) >= threshold:
            return i
    return 0


BOILERPLATE = re.compile(
    r"\b(please (visit|contact|call|see|refer)|for (more|further|the latest) information|all rights reserved|"
    r"copyright|©|forward-looking statements?|unsubscribe|privacy policy|terms of use|/s/)"
    r"|[\w.+-]+@[\w-]+\.[a-z]{2,}|\.{5,}\s*\d+\s*$",
    re.IGNORECASE)


def is_boilerplate(text: str) -> bool:
    """Contact details, "please visit ...", copyright and legal lines, signatures, table of
    contents lines: never the evidence an answer leads with."""
    return bool(BOILERPLATE.search(text))
