"""Chunking: text -> sentences -> gap scores -> sized chunks -> user edits.

User edits (`core.Edit`) are stored apart and applied after every re-chunk, so they
survive a change of strategy or budget.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

import numpy as np

from ..core import BLOCK_SEPARATOR, Boundary, Chunk, Chunking, ChunkOptions, Edit, Sentence
from .sentences import block_starts, split_sentences
from .sizing import fit_units, plan_cuts
from .strategies import SegmentInput, get_strategy

HEADING_SCORE = 0.9  # a cut before a heading scores at least this
AFTER_HEADING_SCORE = 0.05  # and a cut right after one at most this


def score_gaps(text: str, sentences: list[Sentence], options: ChunkOptions, headings: set[int],
               embed: Callable | None = None) -> tuple[list[Boundary], np.ndarray, list[int], np.ndarray | None]:
    """Every gap's boundary, the gaps the strategy decided to cut, word pieces per sentence,
    and the sentence vectors if the strategy computed them."""
    seg = SegmentInput([s.text for s in sentences], embed=embed,
                       paragraph_starts=block_starts(text, sentences))
    strategy = get_strategy(options.strategy)
    scores = strategy.score(seg) if len(sentences) > 1 else np.zeros(0, dtype=np.float32)
    decided = strategy.decide(scores) if len(scores) else np.zeros(0, dtype=bool)
    # sentences in a heading's block (a numbered heading "5. Automation" is two sentences)
    in_heading, block_is_heading = set(), False
    for i, sentence in enumerate(sentences):
        if i == 0 or BLOCK_SEPARATOR in text[sentences[i - 1].end:sentence.start]:
            block_is_heading = sentence.start in headings
        if block_is_heading:
            in_heading.add(i)
    boundaries = []
    for g in range(len(scores)):
        offset = sentences[g + 1].start
        score, method = float(scores[g]), strategy.name
        if g in in_heading and offset not in headings:
            decided[g] = False  # a heading stays with the text it heads
            score, method = min(score, AFTER_HEADING_SCORE), f"{strategy.name}+after-heading"
        if offset in headings:
            decided[g] = True
            score, method = max(score, HEADING_SCORE), f"{strategy.name}+heading"
        boundaries.append(Boundary(after=g, offset=offset, score=round(score, 4), method=method))
    return boundaries, decided, seg.tokens, seg.cache.get(("embeddings", None))


def apply_edits(cuts: Iterable[int], edits: Iterable[Edit], valid: set[int]) -> list[int]:
    """Apply user edits to a set of cut offsets; an edit whose offset is no longer a
    sentence start (the text changed) is skipped."""
    result = set(cuts)
    for edit in edits:
        if edit.kind == "split" and edit.offset in valid:
            result.add(edit.offset)
        elif edit.kind == "merge":
            result.discard(edit.offset)
        elif edit.kind == "move" and edit.target in valid:
            result.discard(edit.offset)
            result.add(edit.target)
    return sorted(result)


def chunk_text(text: str, options: ChunkOptions | None = None, headings: Iterable[int] = (),
               edits: Iterable[Edit] = (), embed: Callable | None = None) -> Chunking:
    from ..embed import count_tokens
    options = options or ChunkOptions()
    sentences = split_sentences(text)
    if not sentences:
        chunks = [Chunk(0, 0, len(text), text, 1.0, options.strategy)] if text else []
        return Chunking(text, [], [], chunks, options, [0] * len(chunks))
    boundaries, decided, tokens, vectors = score_gaps(text, sentences, options, set(headings), embed)
    units, owner = fit_units(text, sentences, tokens, options.budget, count_tokens)
    unit_scores = np.zeros(max(len(units) - 1, 0), dtype=np.float32)
    unit_decided = np.zeros(len(unit_scores), dtype=bool)
    for u in range(len(units) - 1):
        if owner[u] != owner[u + 1]:  # a gap between sentences (else inside a long one)
            unit_scores[u] = boundaries[owner[u]].score
            unit_decided[u] = decided[owner[u]]
    starts = plan_cuts([u.tokens for u in units], unit_scores, unit_decided, options.budget, options.minimum)
    cuts = [units[i].start for i in starts[1:]]
    valid = {s.start for s in sentences[1:]}
    cuts = apply_edits(cuts, edits, valid | set(cuts))
    score_at = {b.offset: b.score for b in boundaries}
    edges = [0] + [c for c in cuts if 0 < c < len(text)] + [len(text)]
    chunks = [Chunk(index=i, start=lo, end=hi, text=text[lo:hi],
                    score=score_at.get(hi, 0.0) if hi < len(text) else 1.0, strategy=options.strategy)
              for i, (lo, hi) in enumerate(zip(edges, edges[1:])) if hi > lo]
    for i, chunk in enumerate(chunks):
        chunk.index = i
    return Chunking(text, sentences, boundaries, chunks, options, _tokens_per_chunk(units, chunks), vectors)


def _tokens_per_chunk(units, chunks: list[Chunk]) -> list[int]:
    """Word pieces per chunk: the units starting inside it (units are in text order)."""
    starts = [u.start for u in units]
    prefix = np.concatenate([[0], np.cumsum([u.tokens for u in units])])
    out = []
    for chunk in chunks:
        lo, hi = bisect.bisect_left(starts, chunk.start), bisect.bisect_left(starts, chunk.end)
        out.append(int(prefix[hi] - prefix[lo]))
    return out
