"""Evidence first: score the sentences of the best candidate chunks, then keep the
paragraphs that hold the best sentences, as long as they stay close to the best one.

Chunk scores are flat (a 250-token chunk is about many things); a sentence that answers the
question stands out. Every sentence's vector is stored at ingest, so scoring them costs one
matrix product. A sentence scores its cosine to the question plus the IDF-weighted share of
the question's content words it holds; a paragraph scores its best sentence plus a little
of its chunk's fused score and of the cosine between the question and the heading it
stands under (a question about datasets, a paragraph under "Data"). Paragraphs are kept best
first while they score at least `relative` of the best one (the adaptive cut), within a
token budget; a paragraph longer than the budget is cut to the sentences around its best
one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from textwrap import shorten

import numpy as np

from ..core import BLOCK_SEPARATOR, Encoder
from ..index import Store
from .evidence import content_terms, lexical_scores
from .select import Candidate
from .tables import Row, TableRows

MIN_SENTENCE_CHARS = 12


@dataclass(frozen=True)
class PassageOptions:
    # set on the Qasper tune papers (`folioscope-lab eval retrieval --tune`), reported on the test ones
    candidates: int = 20  # best fused chunks whose sentences are scored
    budget: int = 820  # word pieces of passage text handed on
    relative: float = 0.4  # keep passages scoring at least this share of the best
    min_keep: int = 2
    max_keep: int = 12
    lexical: float = 0.3  # weight of the question-word overlap beside the cosine
    chunk_weight: float = 0.5  # weight of the chunk's fused score in its passages' scores
    max_passage: int = 300  # word pieces: a longer paragraph is cut around its best sentence
    mean_weight: float = 0.0  # weight of the mean of a passage's sentence scores beside its best
    coverage: float = 0.3  # bonus for the share of the question's words a passage adds to those kept
    heading: float = 0.4  # weight of the cosine between the question and the heading a passage stands under
    table_headers: bool = True  # a sentence in a table row is scored, shown and read as the row with its headers


@dataclass
class ScoredSentence:
    doc_id: int
    start: int
    end: int
    score: float  # cosine + lexical weight x lexical
    chunk: Candidate
    text: str
    cosine: float = 0.0  # to the question
    lexical: float = 0.0  # IDF-weighted share of the question's content words it holds
    neighbour: float = 0.0  # best cosine of the sentences before and after it in its paragraph
    first: bool = False  # the first sentence of its paragraph
    position: float = 0.0  # where it starts, as a share of the document text
    passage: Passage | None = None  # the paragraph it stands in
    row: Row | None = None  # the table row it stands in: scored, shown and read with the headers
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # its MiniLM vector


@dataclass
class Passage:
    doc_id: int
    start: int
    end: int
    score: float
    chunk: Candidate
    sentences: list[ScoredSentence] = field(default_factory=list)
    heading: float = 0.0  # cosine between the question and the heading it stands under
    under: str = ""  # that heading's text
    tokens: int = 0  # word pieces, once counted
    counted: bool = False
    kept: bool = False
    reason: str = ""


def block_around(text: str, position: int) -> tuple[int, int]:
    """[start, end) of the block (paragraph, heading, list item, cell) of a document text
    that holds `position`."""
    before = text.rfind(BLOCK_SEPARATOR, 0, position)
    start = 0 if before < 0 else before + len(BLOCK_SEPARATOR)
    end = text.find(BLOCK_SEPARATOR, position)
    return start, len(text) if end < 0 else end


class Texts(dict):
    """Document texts read from the library once per question, as they are asked for."""

    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def __missing__(self, doc_id: int) -> str:
        self[doc_id] = text = self.store.text(doc_id)
        return text


def score_sentences(store: Store, question: str, qvec: np.ndarray, chunks: list[Candidate],
                    options: PassageOptions, headings: dict[int, list[tuple[int, int]]],
                    texts: dict[int, str], encoder: Encoder) -> list[ScoredSentence]:
    """Every sentence of the chunks, scored (the stored vectors of the chunks' own sentences
    are read, not their whole documents')."""
    found: list[tuple[int, int, int, np.ndarray, Candidate]] = []
    sentences: list[str] = []
    documents = {d: rank for rank, d in enumerate(dict.fromkeys(c.hit.doc_id for c in chunks))}
    tables = {d: TableRows(store.table_blocks(d), texts[d]) for d in documents} if options.table_headers else {}
    for c in sorted(chunks, key=lambda c: documents[c.hit.doc_id]):  # grouped by document, best first
        doc_id = c.hit.doc_id
        stored = store.sentence_vectors(doc_id, (c.start, c.end))
        if stored is None:
            continue  # none stored for this chunk (a library from an earlier version)
        for (a, b), vector in zip(*stored):
            if (b - a < MIN_SENTENCE_CHARS or any(h0 <= a and b <= h1 for h0, h1 in headings.get(doc_id, ()))
                    or (doc_id in tables and tables[doc_id].in_header(a, b))):
                continue
            found.append((doc_id, a, b, vector, c))
            sentences.append(texts[doc_id][a:b])
    if not found:
        return []
    vectors = np.stack([f[3] for f in found])
    rows = _with_headers(tables, found, sentences, vectors, encoder)
    dense = vectors @ np.asarray(qvec, dtype=np.float32)
    lexical = lexical_scores(question, sentences)
    scored = [ScoredSentence(d, a, b, float(cos + options.lexical * lex), c, t, float(cos), float(lex))
              for (d, a, b, _, c), cos, lex, t in zip(found, dense, lexical, sentences)]
    for s, row, vector in zip(scored, rows, vectors):
        s.row, s.vector = row, vector
    for i, s in enumerate(scored):  # neighbours in the same paragraph (found in text order per chunk)
        text = texts[s.doc_id]
        before = scored[i - 1] if i and _same_block(scored[i - 1], s, text) else None
        after = scored[i + 1] if i + 1 < len(scored) and _same_block(s, scored[i + 1], text) else None
        s.first = s.start == 0 or text[max(0, s.start - len(BLOCK_SEPARATOR)):s.start] == BLOCK_SEPARATOR
        s.neighbour = max((n.cosine for n in (before, after) if n is not None), default=0.0)
        s.position = s.start / max(len(text), 1)
    return scored


def _with_headers(tables: dict[int, TableRows], found: list, sentences: list[str],
                  vectors: np.ndarray, encoder: Encoder) -> list[Row | None]:
    """Sentences in a table row are scored as the whole row with its column headers: their
    text and vector are replaced in place. Returns each sentence's row (or None)."""
    rows = [tables[doc_id].at(a, b) if doc_id in tables else None for doc_id, a, b, _, _ in found]
    inside = [i for i, row in enumerate(rows) if row is not None]
    if inside:
        fresh = encoder.encode([rows[i].text for i in inside])  # type: ignore[union-attr]
        for i, vector in zip(inside, fresh):
            sentences[i], vectors[i] = rows[i].text, vector  # type: ignore[union-attr]
    return rows


def _same_block(a: ScoredSentence, b: ScoredSentence, text: str) -> bool:
    return a.doc_id == b.doc_id and a.end <= b.start and BLOCK_SEPARATOR not in text[a.end:b.start]


def select_passages(store: Store, question: str, qvec: np.ndarray, candidates: list[Candidate],
                    encoder: Encoder, options: PassageOptions = PassageOptions()
                    ) -> tuple[list[Passage], list[ScoredSentence]]:
    """The passages to hand on (document order), and every scored sentence (best first)."""
    chunks = candidates[:options.candidates]
    if not chunks:
        return [], []
    headings = {d: store.heading_ranges(d) for d in {c.hit.doc_id for c in chunks}}
    texts = Texts(store)
    sentences = score_sentences(store, question, qvec, chunks, options, headings, texts, encoder)
    top_fused = max(c.hit.fused for c in chunks) or 1.0
    passages: dict[tuple[int, int], Passage] = {}
    for s in sentences:
        start, end = block_around(texts[s.doc_id], s.start)
        key = (s.doc_id, start)
        p = passages.get(key)
        score = s.score + options.chunk_weight * s.chunk.hit.fused / top_fused
        if p is None:
            passages[key] = p = Passage(s.doc_id, start, end, score, s.chunk)
        elif score > p.score:
            p.score, p.chunk = score, s.chunk
        p.sentences.append(s)
        s.passage = p
    if options.heading:
        _under_headings(store, qvec, list(passages.values()), headings, texts, options.heading)
    if options.mean_weight:
        for p in passages.values():
            p.score += options.mean_weight * float(np.mean([s.score for s in p.sentences]))
    ranked = sorted(passages.values(), key=lambda p: -p.score)
    if options.coverage:
        ranked = _by_coverage(ranked, texts, question, options.coverage)
    best = ranked[0].score if ranked else 0.0
    used = 0
    kept: list[Passage] = []
    for rank, p in enumerate(ranked):
        if len(kept) >= options.max_keep:
            p.reason = f"cut: {options.max_keep} passages kept already"
        elif len(kept) >= options.min_keep and p.score < options.relative * best:
            p.reason = f"cut: scores {p.score:.3f}, under {options.relative:.0%} of the best ({best:.3f})"
        else:
            _measure(ranked, rank, texts, options)
            if kept and used + p.tokens > options.budget:
                p.reason = f"cut: would exceed the budget of {options.budget} tokens"
            else:
                p.kept, used = True, used + p.tokens
                p.reason = (f"kept: rank {rank + 1}, best sentence {max(s.score for s in p.sentences):.3f}"
                            + (f", under \"{shorten(p.under, 40, placeholder='…')}\" (heading {p.heading:.3f})" if p.under else ""))
                kept.append(p)
    return sorted(kept, key=lambda p: (p.doc_id, p.start)), sorted(sentences, key=lambda s: -s.score)


def _under_headings(store: Store, qvec: np.ndarray, passages: list[Passage],
                    headings: dict[int, list[tuple[int, int]]], texts: dict[int, str], weight: float) -> None:
    """Add `weight` x the cosine between the question and the nearest heading before each
    passage (the mean of the heading's stored sentence vectors)."""
    starts = {d: [a for a, _ in ranges] for d, ranges in headings.items()}
    similarity: dict[tuple[int, int], float] = {}
    for p in passages:
        i = bisect.bisect_right(starts.get(p.doc_id, []), p.start) - 1
        if i < 0:
            continue  # nothing above it but the start of the document
        heading = headings[p.doc_id][i]
        key = (p.doc_id, heading[0])
        if key not in similarity:
            stored = store.sentence_vectors(p.doc_id, heading)
            mean = stored[1].mean(axis=0) if stored is not None else np.zeros(len(qvec), dtype=np.float32)
            similarity[key] = float(mean @ qvec) / (float(np.linalg.norm(mean)) or 1.0)
        p.heading, p.under = similarity[key], texts[p.doc_id][heading[0]:heading[1]]
        p.score += weight * p.heading


MEASURED_TOGETHER = 8  # passages whose word pieces are counted in one tokenizer call


def _measure(ranked: list[Passage], rank: int, texts: dict[int, str], options: PassageOptions) -> None:
    """Count the word pieces of ranked[rank], and of the next passages not counted yet in the
    same tokenizer call, cutting any over `options.max_passage` to its best sentences. Only
    passages that reach the budget test are counted."""
    from ..embed import count_tokens
    if ranked[rank].counted:
        return
    batch = [p for p in ranked[rank:rank + MEASURED_TOGETHER] if not p.counted]
    for p, tokens in zip(batch, count_tokens([texts[p.doc_id][p.start:p.end] for p in batch])):
        p.tokens, p.counted = tokens, True
        if p.tokens > options.max_passage:
            _trim(p, texts[p.doc_id], options.max_passage)


def _by_coverage(ranked: list[Passage], texts: dict[int, str], question: str, weight: float) -> list[Passage]:
    """Re-rank greedily: each next passage is the one whose score plus `weight` x the share of
    the question's content words it adds to those already covered is highest (CORAG-style:
    passages that answer other parts of the question beat near-duplicates)."""
    terms = content_terms(question)
    if not terms:
        return ranked
    left, out = list(ranked), []
    covered: set[str] = set()
    words = {id(p): content_terms(texts[p.doc_id][p.start:p.end]) & terms for p in ranked}
    while left:
        best = max(left, key=lambda p: p.score + weight * len(words[id(p)] - covered) / len(terms))
        left.remove(best)
        out.append(best)
        covered |= words[id(best)]
    return out


def _trim(p: Passage, text: str, budget: int) -> None:
    """Cut a long paragraph to its best sentence and the sentences around it, within budget."""
    from ..embed import count_tokens
    ordered = sorted(p.sentences, key=lambda s: s.start)
    best = max(range(len(ordered)), key=lambda i: ordered[i].score)
    lo = hi = best
    while True:
        grown = False
        for cand in ((lo - 1, hi), (lo, hi + 1)):
            a, b = cand
            if 0 <= a and b < len(ordered):
                if count_tokens([text[ordered[a].start:ordered[b].end]])[0] <= budget:
                    lo, hi, grown = a, b, True
                    break
        if not grown:
            break
    p.start, p.end = ordered[lo].start, ordered[hi].end
    p.sentences = ordered[lo:hi + 1]
    p.tokens = count_tokens([text[p.start:p.end]])[0]
