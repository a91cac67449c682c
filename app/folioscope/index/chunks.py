"""The chunks room of the store: a document's chunks, boundary gaps, sentences and vectors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core import Chunking, ChunkOptions, SpanTable
from .base import StoreBase, now
from .vectors import chunk_hash, store_vectors


@dataclass(frozen=True)
class ChunkRow:
    doc_id: int
    idx: int
    start: int
    end: int
    score: float  # of the boundary that ends the chunk
    strategy: str
    tokens: int
    pages: list[int]
    hash: str | None
    boxes: list[list[float]]  # line boxes [page, x0, y0, x1, y1]
    text: str
    context: str = ""  # searched and embedded with the chunk (a table's header row)


@dataclass(frozen=True)
class GapRow:
    doc_id: int
    after: int  # the gap follows this sentence
    offset: int  # character offset of the sentence after the gap
    score: float
    method: str


class ChunkRows(StoreBase):
    """Chunks, gaps, sentences and their vectors."""

    if TYPE_CHECKING:  # read from the documents and full-text rooms
        def text(self, doc_id: int) -> str: ...
        def span_table(self, doc_id: int) -> SpanTable: ...
        def _write_fts(self, doc_id: int) -> None: ...

    def chunk_options(self, doc_id: int) -> ChunkOptions:
        row = self.conn.execute("SELECT strategy, budget, minimum FROM chunkings WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        return ChunkOptions(*row) if row else ChunkOptions()

    def chunks(self, doc_id: int) -> list[ChunkRow]:
        """The document's chunks in order, with their text, pages and line boxes."""
        text = self.text(doc_id)
        rows = self.conn.execute("SELECT idx, start, end, score, strategy, tokens, pages, hash, boxes, context "
                                 "FROM chunks WHERE doc_id = ? ORDER BY idx", (doc_id,)).fetchall()
        # every chunk's pages and boxes in one JSON parse (a book has a thousand chunks)
        parsed = json.loads("[" + ",".join(f"[{r[6]},{r[8] or 'null'}]" for r in rows) + "]")
        spans = None
        out = []
        for (idx, start, end, score, strategy, tokens, _, digest, _, context), (pages, boxes) in zip(rows, parsed):
            if boxes is None:  # written before boxes were stored
                spans = spans or self.span_table(doc_id)
                boxes = line_boxes(spans, start, end)
            out.append(ChunkRow(doc_id, idx, start, end, score, strategy, tokens, pages, digest, boxes,
                                text[start:end], context or ""))
        return out

    def chunk_ranges(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int, int]]:
        """(start, end, tokens) of the chunks named by (doc_id, idx)."""
        wanted = sorted(set(keys))
        out = {}
        for at in range(0, len(wanted), 400):  # looked up by primary key, 400 at a time
            part = wanted[at:at + 400]
            for doc_id, idx, start, end, tokens in self.conn.execute(
                    f"WITH k(d, i) AS (VALUES {','.join(['(?,?)'] * len(part))}) SELECT c.doc_id, c.idx, c.start, "
                    "c.end, c.tokens FROM k CROSS JOIN chunks c ON c.doc_id = k.d AND c.idx = k.i",
                    [x for key in part for x in key]):
                out[(doc_id, idx)] = (start, end, tokens)
        return out

    def gaps(self, doc_id: int) -> list[GapRow]:
        return [GapRow(*r) for r in self.conn.execute(
            "SELECT doc_id, after, offset, score, method FROM gaps WHERE doc_id = ? ORDER BY after", (doc_id,))]

    def stored_vectors(self, hashes: list[str]) -> set[str]:
        """Which of these chunk-content hashes already have a vector."""
        found: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            found.update(r[0] for r in self.conn.execute(
                f"SELECT hash FROM vectors WHERE hash IN ({','.join('?' * len(part))})", part))
        return found

    def chunk_vectors(self, doc_id: int) -> np.ndarray | None:
        """The unit vectors of a document's chunks in chunk order, or None."""
        found = self.vectors.document(doc_id)
        return None if found is None else found[1]

    def write_chunking(self, doc_id: int, chunking: Chunking, vectors: dict[str, np.ndarray],
                       seconds: float = 0.0) -> None:
        """Replace a document's chunks and gaps (and their vectors and full-text rows)."""
        with self.transaction():
            self._write_chunking(doc_id, chunking, self.span_table(doc_id), vectors, seconds)

    def _chunk_hashes(self, doc_id: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT hash FROM chunks WHERE doc_id = ? AND hash IS NOT NULL", (doc_id,))]

    def _drop_unused_vectors(self, hashes: list[str]) -> None:
        """Remove the vectors of `hashes` (a document's former chunks) that no chunk uses any
        more: looked up by hash, not by a scan of every chunk of the library."""
        self.conn.executemany("DELETE FROM vectors WHERE hash = ? AND NOT EXISTS "
                              "(SELECT 1 FROM chunks WHERE hash = ?)", [(h, h) for h in hashes])

    def _write_chunking(self, doc_id: int, chunking: Chunking, spans: SpanTable,
                        vectors: dict[str, np.ndarray], seconds: float = 0.0) -> None:
        if chunking.sentence_vectors is not None:
            self._write_sentences(doc_id, chunking)
        hashes = [chunk_hash(c.indexed_text) for c in chunking.chunks]
        missing = set(hashes) - set(vectors) - self.stored_vectors(hashes)
        if missing:
            raise ValueError(f"{len(missing)} chunks have no vector")
        store_vectors(self.conn, vectors)
        replaced = self._chunk_hashes(doc_id)
        for table in ("chunks", "gaps", "chunkings"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        options = chunking.options
        self.conn.execute("INSERT INTO chunkings VALUES (?,?,?,?,?,?)",
                          (doc_id, options.strategy, options.budget, options.minimum, now(), seconds))
        self.conn.executemany(
            "INSERT INTO chunks (doc_id, idx, start, end, score, strategy, tokens, pages, hash, boxes, context) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
                (doc_id, c.index, c.start, c.end, c.score, c.strategy, n,
                 json.dumps(spans.pages(c.start, c.end)), h, json.dumps(line_boxes(spans, c.start, c.end)),
                 c.context or None)
                for c, n, h in zip(chunking.chunks, chunking.tokens, hashes)])
        self.conn.executemany("INSERT INTO gaps VALUES (?,?,?,?,?)", [
            (doc_id, b.after, b.offset, b.score, b.method) for b in chunking.boundaries])
        self._drop_unused_vectors(replaced)
        self._write_fts(doc_id)

    def _write_sentences(self, doc_id: int, chunking: Chunking) -> None:
        vectors = np.asarray(chunking.sentence_vectors, dtype=np.float16)
        if len(vectors) != len(chunking.sentences):
            raise ValueError("one vector per sentence is needed")
        self.conn.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        self.conn.executemany("INSERT INTO sentences VALUES (?,?,?,?,?)", [
            (doc_id, i, s.start, s.end, v.tobytes()) for i, (s, v) in enumerate(zip(chunking.sentences, vectors))])

    def sentence_vectors(self, doc_id: int, within: tuple[int, int] | None = None
                         ) -> tuple[list[tuple[int, int]], np.ndarray] | None:
        """The document's sentences ([start, end) in its text) and their unit vectors, or
        None when they were not stored (a library from an earlier version). `within`: only
        the sentences starting in that [start, end) of the text (a chunk's)."""
        if within is None:
            rows = self.conn.execute("SELECT start, end, vector FROM sentences WHERE doc_id = ? ORDER BY idx",
                                     (doc_id,)).fetchall()
        else:
            rows = self.conn.execute("SELECT start, end, vector FROM sentences WHERE doc_id = ? AND start >= ? "
                                     "AND start < ? ORDER BY idx", (doc_id, *within)).fetchall()
        if not rows:
            return None
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float16).reshape(len(rows), -1)
        return [(r[0], r[1]) for r in rows], matrix.astype(np.float32)

    def sentence_at(self, doc_id: int, offset: int) -> tuple[int, int] | None:
        """[start, end) of the stored sentence holding character `offset` (the last one
        starting at or before it), or None when the document has no sentence there."""
        row = self.conn.execute("SELECT start, end FROM sentences WHERE doc_id = ? AND start <= ? "
                                "ORDER BY start DESC LIMIT 1", (doc_id, offset)).fetchone()
        return (int(row[0]), int(row[1])) if row and offset < row[1] else None


def line_boxes(spans: SpanTable, start: int, end: int) -> list[list[float]]:
    return [[page, *(round(v, 2) for v in box.as_tuple())] for page, box in spans.line_boxes(start, end)]
