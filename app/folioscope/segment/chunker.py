"""Chunking: text -> sentences -> gap scores -> sized chunks -> user edits.

User edits (`core.Edit`) are stored apart and applied after every re-chunk, so they
survive a change of strategy or budget.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..core import BLOCK_SEPARATOR, Boundary, Chunk, Chunking, ChunkOptions, Edit, Sentence, TableSpan
from .sentences import block_starts, split_sentences
from .sizing import fit_units, plan_cuts
from .strategies import SegmentInput, get_strategy

HEADING_SCORE = 0.9  # a cut before a heading scores at least this
AFTER_HEADING_SCORE = 0.05  # and a cut right after one at most this


def score_gaps(text: str, sentences: list[Sentence], options: ChunkOptions, headings: set[int],
               embed: Callable | None = None, tables: Sequence[TableSpan] = ()
               ) -> tuple[list[Boundary], np.ndarray, list[int], np.ndarray | None]:
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
    table_starts = {t.start for t in tables}
    after_tables = {next((s.start for s in sentences if s.start >= t.end), -1) for t in tables}
    boundaries = []
    for g in range(len(scores)):
        offset = sentences[g + 1].start
        score, method = float(scores[g]), strategy.name
        if any(t.start < offset < t.end for t in tables):
            decided[g] = False  # between two rows of a table: a cut only when it is too long
            score, method = 0.0, f"{strategy.name}+table"
        elif offset in table_starts or offset in after_tables:
            decided[g] = True  # a table starts or ends a chunk
            score, method = max(score, HEADING_SCORE), f"{strategy.name}+table"
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


def table_spans(blocks) -> list[TableSpan]:
    """Tables from a document's table blocks: (role, table number, start, end) in text order,
    roles "table_header" and "table_row"."""
    spans: dict[int, list[tuple[str, int, int]]] = {}
    for role, number, start, end in blocks:
        spans.setdefault(number, []).append((role, start, end))
    out = []
    for rows in spans.values():
        header = next(((a, b) for role, a, b in rows if role == "table_header"), None)
        out.append(TableSpan(rows[0][1], rows[-1][2], tuple((a, b) for _, a, b in rows), header))
    return sorted(out, key=lambda t: t.start)


def merge_rows(text: str, sentences: list[Sentence], tables: Sequence[TableSpan]) -> list[Sentence]:
    """The sentences, with those inside one table row made one: a row is never cut."""
    rows = sorted(r for t in tables for r in t.rows)
    if not rows:
        return sentences
    out: list[Sentence] = []
    starts = [a for a, _ in rows]
    for s in sentences:
        i = bisect.bisect_right(starts, s.start) - 1
        if i >= 0 and rows[i][0] <= s.start and s.end <= rows[i][1] and out and \
                rows[i][0] <= out[-1].start and out[-1].end <= rows[i][1]:
            out[-1] = Sentence(out[-1].start, s.end, text[out[-1].start:s.end])
        else:
            out.append(s)
    return out


def chunk_text(text: str, options: ChunkOptions | None = None, headings: Iterable[int] = (),
               edits: Iterable[Edit] = (), embed: Callable | None = None,
               tables: Sequence[TableSpan] = ()) -> Chunking:
    """Chunks of `text`; `headings` are the offsets where heading blocks start (a cut goes
    before each), `tables` the tables (never cut inside a row; a chunk starting inside a
    table carries its header row as context)."""
    from ..embed import count_tokens
    options = options or ChunkOptions()
    sentences = merge_rows(text, split_sentences(text), tables)
    if not sentences:
        chunks = [Chunk(0, 0, len(text), text, 1.0, options.strategy)] if text else []
        return Chunking(text, [], [], chunks, options, [0] * len(chunks))
    boundaries, decided, tokens, vectors = score_gaps(text, sentences, options, set(headings), embed, tables)
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
        table = next((t for t in tables if t.start < chunk.start < t.end), None)
        if table is not None and table.header is not None and chunk.start >= table.header[1]:
            chunk.context = text[table.header[0]:table.header[1]]
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
