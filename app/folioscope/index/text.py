"""BM25 over the chunks' full text, scored in memory with FTS5's own terms and formula.

SQLite FTS5 scores every row holding any word of a question before it keeps the best fifty,
so its cost grows with the library (125 ms median at 108,900 chunks in
results/bench-scale-10000.json). `TextIndex` holds the same rows' term counts by term
(compressed columns of numpy arrays) and scores a question's terms in a few vectorised
passes over their postings. It is FTS5's ranking, not an approximation of it:

- terms: every whitespace-separated piece of a row is tokenized by FTS5 itself (an in-memory
  table with the library's tokenizer). unicode61 never makes a token across whitespace, so a
  row's terms are its pieces' terms;
- scores: FTS5's bm25() (k1 = 1.2, b = 0.75; IDF log((N - n + 0.5) / (n + 0.5)), floored at
  1e-6, over every row of the library; row length in tokens of all columns; column weights)
  with the same floating-point operations in the same order.

A question word that FTS5 reads as more than one token (a phrase such as "foo_bar") is left
to FTS5 (`search` returns None). The index is saved beside library.db and kept in step with
the library by `chunk_revisions`, like the vector index: documents changed since the saved
index are marked dead in it and added again to a small second segment, which is merged into
the main one when it grows or when the index is saved. The saved index is memory-mapped, not
read: a process holds the pages of the postings its questions touch.

A well-kept search library (tantivy) was not used: its tokenizer, stemmer and scoring differ
from FTS5's, so library-wide and within-document rankings would change and FTS5 would still
be needed for the chunk rows themselves; this keeps one ranking, the one evaluated.
"""

from __future__ import annotations

import math
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

import numpy as np

from .saved import mapped_arrays, read_manifest, replace_saved

TOKENIZER = "porter unicode61"  # chunk_fts's tokenizer (schema.m005_chapters_vectors_fts)
TEXT_FILE = "text-index.json"  # names the saved index file and the revisions it holds
K1, B = 1.2, 0.75  # FTS5's bm25() constants
CACHE_PIECES = 500_000  # pieces remembered with their terms before the memory is cleared
MERGE_ROWS = 20_000  # rows in the second segment that trigger a merge into the main one
READ_ROWS = 20_000  # rows tokenized together
ARRAYS = ("doc", "idx", "length", "starts", "rows", "counts")  # a Segment's, as saved

# (doc_id, chunk idx, chunk text, chapter title): one row of chunk_fts
Row = tuple[int, int, str, str]


def fts5_search(conn: sqlite3.Connection, words: list[str], doc_ids: set[int] | None, limit: int,
                weights: tuple[float, float]) -> list[tuple[int, int, float]]:
    """What `TextIndex.search` reproduces: FTS5's own bm25() over chunk_fts for the query
    `"w1" OR "w2" ...`, (doc_id, idx, score) best first (ties: earlier document and chunk)."""
    sql = (f"SELECT doc_id, idx, -bm25(chunk_fts, {float(weights[0])}, {float(weights[1])}) AS s "
           "FROM chunk_fts WHERE chunk_fts MATCH ?")
    params: list = [" OR ".join('"' + w.replace('"', '""') + '"' for w in words)]
    if doc_ids is not None:
        sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
        params += sorted(doc_ids)
    sql += " ORDER BY s DESC, doc_id, idx LIMIT ?"
    return [(int(d), int(i), float(s)) for d, i, s in conn.execute(sql, params + [limit])]


class Terms:
    """FTS5's tokenizer applied in memory: a whitespace-separated piece -> its term ids.
    New terms get the next id of `vocabulary` (a term asked about but held by no row gets an
    id and no postings)."""

    def __init__(self, vocabulary: dict[str, int]):
        self.vocabulary = vocabulary
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(piece, tokenize='{TOKENIZER}')")
        self.conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        self.pieces: dict[str, tuple[int, ...]] = {}

    def learn(self, pieces: Iterable[str]) -> None:
        if len(self.pieces) > CACHE_PIECES:
            self.pieces.clear()  # memory held in check; a batch's own pieces are learnt after
        new = list(set(pieces).difference(self.pieces))
        if not new:
            return
        self.conn.execute("DELETE FROM t")
        self.conn.executemany("INSERT INTO t (rowid, piece) VALUES (?, ?)", enumerate(new))
        found: list[list[tuple[int, str]]] = [[] for _ in new]
        for term, row, offset in self.conn.execute("SELECT term, doc, offset FROM v"):
            found[row].append((offset, term))
        vocabulary = self.vocabulary
        for piece, terms in zip(new, found):
            self.pieces[piece] = tuple(vocabulary.setdefault(t, len(vocabulary)) for _, t in sorted(terms))

    def of(self, texts: list[str]) -> list[list[int]]:
        """The term ids of each text, in order (new pieces tokenized together)."""
        pieces = [text.split() for text in texts]
        self.learn(chain.from_iterable(pieces))
        known = self.pieces.__getitem__
        return [list(chain.from_iterable(map(known, each))) for each in pieces]


@dataclass
class Segment:
    """Rows (chunks), and by term the rows holding it with the term's count in each column
    (text, chapter title): the postings of term t are positions starts[t]:starts[t + 1],
    rows ascending."""

    doc: np.ndarray  # int64, per row
    idx: np.ndarray  # int64, per row
    length: np.ndarray  # int64, per row: tokens in all columns
    starts: np.ndarray  # int64, per term + 1
    rows: np.ndarray  # int32, per posting
    counts: np.ndarray  # uint16 (postings, 2)
    # (average row length, K1 * ((1 - B) + B * length / average) per row): bm25()'s length
    # term, the same for every question until the library changes
    _norms: tuple[float, np.ndarray] | None = field(default=None, repr=False, compare=False)

    @staticmethod
    def empty() -> Segment:
        z = np.zeros(0, np.int64)
        return Segment(z, z, z, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros((0, 2), np.uint16))

    @staticmethod
    def of_rows(rows: list[Row], terms: Terms) -> Segment:
        """A segment of chunk_fts rows, tokenized by `terms`."""
        if not rows:
            return Segment.empty()
        n = len(rows)
        tokens = terms.of([r[2] for r in rows] + [r[3] or "" for r in rows])
        columns = [tokens[i // 2 + (i % 2) * n] for i in range(2 * n)]  # text, chapter, text, ...
        sizes = np.fromiter(map(len, columns), np.int64, 2 * n)
        term = np.fromiter(chain.from_iterable(columns), np.int64, int(sizes.sum()))
        row = np.repeat(np.arange(2 * n) // 2, sizes)
        column = np.repeat(np.arange(2 * n) % 2, sizes)
        keys, counts = np.unique((term * n + row) * 2 + column, return_counts=True)  # by term, row
        pairs, first = np.unique(keys // 2, return_inverse=True)
        both = np.zeros((len(pairs), 2), np.uint16)
        both[first, keys % 2] = np.minimum(counts, 65535)
        return Segment._of(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
                           sizes.reshape(n, 2).sum(axis=1), pairs // n, pairs % n, both)

    @staticmethod
    def joined(parts: list[tuple[Segment, np.ndarray]]) -> Segment:
        """The live rows of each (segment, live) part, in order, as one segment."""
        docs, idxs, lengths, terms, rows, counts = [], [], [], [], [], []
        offset = 0
        for seg, live in parts:
            number = np.cumsum(live) - 1 + offset  # new row of each live row
            keep = live[seg.rows]
            docs.append(seg.doc[live])
            idxs.append(seg.idx[live])
            lengths.append(seg.length[live])
            terms.append(np.repeat(np.arange(len(seg.starts) - 1), np.diff(seg.starts))[keep])
            rows.append(number[seg.rows[keep]])
            counts.append(seg.counts[keep])
            offset += int(live.sum())
        term = np.concatenate(terms)
        order = np.argsort(term, kind="stable")  # each part's postings are already by term, row
        return Segment._of(np.concatenate(docs), np.concatenate(idxs), np.concatenate(lengths), term[order],
                           np.concatenate(rows)[order], np.concatenate(counts)[order])

    @staticmethod
    def _of(doc: np.ndarray, idx: np.ndarray, length: np.ndarray, term: np.ndarray, row: np.ndarray,
            counts: np.ndarray) -> Segment:
        """From postings sorted by term, then row."""
        starts = np.zeros(int(term.max(initial=-1)) + 2, np.int64)
        np.cumsum(np.bincount(term, minlength=len(starts) - 1), out=starts[1:])
        return Segment(doc.astype(np.int64), idx.astype(np.int64), length.astype(np.int64), starts,
                       row.astype(np.int32), counts.astype(np.uint16))

    def norms(self, avgdl: float) -> np.ndarray:
        if self._norms is None or self._norms[0] != avgdl:
            d = self.length.astype(np.float64)
            self._norms = (avgdl, K1 * ((1 - B) + (B * d) / avgdl))
        return self._norms[1]

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term + 1 >= len(self.starts):
            return self.rows[:0], self.counts[:0]
        a, b = self.starts[term], self.starts[term + 1]
        return self.rows[a:b], self.counts[a:b]


class TextIndex:
    """BM25 over every chunk_fts row of a library, in memory (see the module's note): a main
    and a second segment, each with a mask of its live rows."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.vocabulary: dict[str, int] = {}
        self.parts: list[tuple[Segment, np.ndarray]] = [(Segment.empty(), np.zeros(0, bool))] * 2
        self.held: dict[int, tuple[int, int]] = {}  # doc_id -> (revision, chunks) of its live rows
        self.dirty = False
        self.synced: dict[int, tuple[int, int]] | None = None  # the revisions last brought in step with
        self._load()
        self.terms = Terms(self.vocabulary)
        self._totals()

    def _load(self) -> None:
        if self.folder is None:
            return
        try:
            path, held = read_manifest(self.folder, TEXT_FILE)
            saved = mapped_arrays(path)  # postings are read from disk as searches touch them
            doc, idx, length, starts, rows, counts = (saved[k] for k in ARRAYS)
            main = Segment(doc, idx, length, starts, rows, counts)
            words = bytes(saved["vocabulary"]).decode("utf-8").split("\n") if len(saved["vocabulary"]) else []
        except (OSError, ValueError, KeyError, TypeError):
            return  # none yet, or unreadable: built again from the library
        self.parts[0] = (main, np.ones(len(main.doc), bool))
        self.held = held
        self.vocabulary.update((w, i) for i, w in enumerate(words))

    def _totals(self) -> None:
        self.n_rows = sum(int(live.sum()) for _, live in self.parts)
        self.n_tokens = sum(int(seg.length[live].sum()) for seg, live in self.parts)

    def sync(self, current: dict[int, tuple[int, int]], read: Callable[[list[int]], Iterable[Row]]) -> None:
        """Remove documents gone or changed, add documents new or changed (`read` gives the
        chunk_fts rows of the documents asked for). `current` is compared by identity first:
        the store hands on the same dict until the library changes."""
        if current is self.synced:
            return
        gone = [d for d in self.held if current.get(d) != self.held[d]]
        new = [d for d in current if current.get(d) != self.held.get(d)]
        if not gone and not new:
            self.synced = current
            return
        for doc_id in gone:
            del self.held[doc_id]
        if gone:
            for seg, live in self.parts:
                live &= ~np.isin(seg.doc, gone)
        if new:
            rows = iter(read(new))
            batches = [Segment.of_rows(b, self.terms) for b in iter(lambda: list(islice(rows, READ_ROWS)), [])]
            second = Segment.joined([self.parts[1]] + [(b, np.ones(len(b.doc), bool)) for b in batches])
            self.parts[1] = (second, np.ones(len(second.doc), bool))
            self.held.update((d, current[d]) for d in new)
        if len(self.parts[1][0].doc) > max(MERGE_ROWS, len(self.parts[0][0].doc) // 4):
            self.merge()
        self.dirty = True
        self._totals()
        self.synced = current

    def merge(self) -> None:
        """One segment again: the main one's live rows, then the second's."""
        main = Segment.joined(self.parts)
        self.parts = [(main, np.ones(len(main.doc), bool)), (Segment.empty(), np.zeros(0, bool))]

    def search(self, words: list[str], doc_ids: set[int] | None, limit: int,
               weights: tuple[float, float]) -> list[tuple[int, int, float]] | None:
        """(doc_id, idx, bm25), best first (ties: earlier document and chunk first), as FTS5
        ranks `"w1" OR "w2" ...`; None when a word is a phrase to FTS5."""
        terms = []
        for ids in self.terms.of(words):
            if len(ids) != 1:
                return None
            terms.append(ids[0])
        if not terms or not self.n_rows:
            return []
        avgdl = self.n_tokens / self.n_rows
        parts = [(seg, None if live.all() else live) for seg, live in self.parts]
        postings = [[_live(seg.postings(t), live) for seg, live in parts] for t in terms]
        wanted = None if doc_ids is None else np.fromiter(doc_ids, np.int64, len(doc_ids))
        found = []
        for k, (seg, _) in enumerate(self.parts):
            if not len(seg.doc):
                continue
            score = np.zeros(len(seg.doc))
            touched = np.zeros(len(seg.doc), bool)  # rows holding a term (found faster than score's non-zeros)
            norms = seg.norms(avgdl)
            for each in postings:
                n_hit = sum(len(rows) for rows, _ in each)
                idf = math.log((self.n_rows - n_hit + 0.5) / (n_hit + 0.5))
                idf = idf if idf > 0.0 else 1e-6
                rows, counts = each[k]
                if wanted is not None:
                    keep = np.isin(seg.doc[rows], wanted)
                    rows, counts = rows[keep], counts[keep]
                f = counts[:, 0].astype(np.float64) * weights[0] + counts[:, 1].astype(np.float64) * weights[1]
                # bm25(): idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * length / avgdl)), in FTS5's order
                score[rows] += idf * ((f * (K1 + 1.0)) / (f + norms[rows]))
                touched[rows] = True
            rows = np.flatnonzero(touched)
            found.append((seg.doc[rows], seg.idx[rows], score[rows]))
        if not found:
            return []
        doc, idx, score = (np.concatenate(x) for x in zip(*found))
        if len(score) > limit:
            keep = score >= np.partition(score, len(score) - limit)[len(score) - limit]
            doc, idx, score = doc[keep], idx[keep], score[keep]
        order = np.lexsort((idx, doc, -score))[:limit]
        return [(int(doc[i]), int(idx[i]), float(score[i])) for i in order]

    def save(self) -> None:
        """Write the index beside the library (one segment) if this process changed it."""
        if not self.dirty or self.folder is None:
            return
        self.merge()
        words = "\n".join(sorted(self.vocabulary, key=self.vocabulary.__getitem__)).encode("utf-8")
        main = self.parts[0][0]

        def write(path: Path) -> None:
            with open(path, "wb") as out:
                np.savez(out, **{k: getattr(main, k) for k in ARRAYS}, vocabulary=np.frombuffer(words, np.uint8))
        replace_saved(self.folder, TEXT_FILE, f"text-{uuid.uuid4().hex[:12]}.npz", write, self.held)
        self.dirty = False


def _live(found: tuple[np.ndarray, np.ndarray], live: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The postings of live rows (None: every row is live)."""
    rows, counts = found
    if live is None:
        return rows, counts
    keep = live[rows]
    return (rows, counts) if keep.all() else (rows[keep], counts[keep])
