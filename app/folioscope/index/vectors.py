"""Chunk vectors: stored in SQLite by content hash, searched by brute force in memory, or by
an approximate nearest-neighbour index when the library is large.

This Python's sqlite3 cannot load extensions, so vector search happens outside SQLite:

- Brute force (exact): a matrix product over an in-memory float32 copy of the chunk vectors,
  loaded on the first search and refreshed one document at a time. Searches restricted to a
  few documents always take this path, over those documents' rows only.
- Approximate, for library-wide searches once the library holds `ANN_MIN_CHUNKS` chunks
  (where one matrix product takes longer than the retrieval budget): a usearch HNSW index
  of float16 vectors (`AnnIndex`), saved beside library.db. usearch was chosen over hnswlib
  (unmaintained wheels) and faiss-cpu (a 20 MB wheel, no removal from HNSW) because it ships
  wheels for every platform the app runs on, stores float16, and removes vectors.

What a process holds is kept in step with the library by `chunk_revisions`: every write of a
document's chunks gives the document a new revision, so a process compares one small table
to see which documents changed, in its own process or another.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .saved import read_manifest, replace_saved

DIMENSIONS = 384
MODEL = "all-MiniLM-L6-v2"
ANN_MIN_CHUNKS = 200_000  # brute force over more float32 rows than this exceeds ~50 ms on 2 cores
ANN_FILE = "vectors-ann.json"  # names the saved index file and the revisions it holds
KEY_BITS = 20  # an ANN key is doc_id << KEY_BITS | chunk idx


def chunk_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def store_vectors(conn: sqlite3.Connection, vectors: dict[str, np.ndarray]) -> None:
    conn.executemany("INSERT OR IGNORE INTO vectors (hash, model, vector) VALUES (?, ?, ?)",
                     [(h, MODEL, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()])


def revisions(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    """doc_id -> (revision, chunks) of every document in the library."""
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT r.doc_id, r.revision, r.chunks FROM chunk_revisions r JOIN documents d ON d.id = r.doc_id")}


def document_vectors(conn: sqlite3.Connection, doc_id: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(chunk indices, float32 matrix) of one document, read from the library."""
    rows = conn.execute(
        "SELECT c.idx, v.vector FROM chunks c JOIN vectors v ON v.hash = c.hash "
        "WHERE c.doc_id = ? ORDER BY c.idx", (doc_id,)).fetchall()
    if not rows:
        return None
    idx = np.array([r[0] for r in rows], dtype=np.int64)
    return idx, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)


# HNSW search breadth. `bench vectors` at 200,000 chunks (results/bench-vectors-200000.json):
# 64 recalls 0.949 of the exact top 10 in 2.3 ms (p95), 256 recalls 0.999 in 6.1 ms; at a
# million chunks 64 recalls 0.655 and 256 0.924 in 6.8 ms (results/bench-vectors-1000000.json)
EXPANSION_SEARCH = 256


def hnsw_index() -> Any:
    """An empty usearch index as the library uses it (`bench vectors` measures the same)."""
    from usearch.index import Index
    return Index(ndim=DIMENSIONS, metric="cos", dtype="f16", connectivity=16, expansion_add=128,
                 expansion_search=EXPANSION_SEARCH)


class AnnIndex:
    """A usearch HNSW index over every chunk vector of a library, kept beside its file.

    `ANN_FILE` records the index file and the revision of each document in it; it is replaced
    atomically after the index file is written, so a crash leaves the previous pair, and a
    process that finds documents at other revisions removes and re-adds just those. A saved
    index in step with the library is searched memory-mapped (usearch's `view`: only the
    pages a search touches are read); it is loaded into memory only to be changed."""

    ADD_BATCH = 50_000  # vectors added in one call (usearch spreads a batch over the cores)

    def __init__(self, folder: Path):
        self.folder = folder
        self.held: dict[int, tuple[int, int]] = {}  # doc_id -> (revision, chunks) in the index
        self.dirty = False
        self.synced: dict[int, tuple[int, int]] | None = None  # the revisions last brought in step with
        self.path: Path | None = None  # the saved file `index` views, until it is loaded to change
        self.index = hnsw_index()
        try:
            path, held = read_manifest(folder, ANN_FILE)
            self.index.view(str(path))
            self.path, self.held = path, held
        except (OSError, ValueError, KeyError, TypeError, RuntimeError):
            self.held = {}  # none yet, or unreadable: built again from the library
            self.index = hnsw_index()

    @staticmethod
    def keys(doc_id: int, idx: np.ndarray) -> np.ndarray:
        return (np.int64(doc_id) << KEY_BITS) | idx.astype(np.int64)

    def _writable(self) -> None:
        if self.path is not None:
            index = hnsw_index()
            index.load(str(self.path))
            self.index, self.path = index, None

    def sync(self, conn: sqlite3.Connection, current: dict[int, tuple[int, int]]) -> None:
        """Remove documents gone or changed, add documents new or changed. `current` is
        compared by identity first: the store hands on the same dict until the library changes."""
        if current is self.synced:
            return
        gone = [d for d in self.held if current.get(d) != self.held[d]]
        if not gone and len(self.held) == len(current):
            self.synced = current
            return  # in step (same documents at the same revisions)
        self._writable()
        for doc_id in gone:
            self.index.remove(self.keys(doc_id, np.arange(self.held.pop(doc_id)[1])))
            self.dirty = True
        keys: list[np.ndarray] = []
        vectors: list[np.ndarray] = []
        for doc_id in [d for d in current if d not in self.held]:
            found = document_vectors(conn, doc_id)
            if found is not None:
                keys.append(self.keys(doc_id, found[0]))
                vectors.append(found[1])
            self.held[doc_id] = current[doc_id]
            self.dirty = True
            if sum(len(k) for k in keys) >= self.ADD_BATCH:
                self.index.add(np.concatenate(keys), np.vstack(vectors))
                keys, vectors = [], []
        if keys:
            self.index.add(np.concatenate(keys), np.vstack(vectors))
        self.synced = current

    def search(self, query: np.ndarray, limit: int) -> list[tuple[int, int, float]]:
        if len(self.index) == 0:
            return []
        found = self.index.search(np.asarray(query, dtype=np.float32), limit)
        mask = (1 << KEY_BITS) - 1
        return [(int(k) >> KEY_BITS, int(k) & mask, float(1.0 - d))
                for k, d in zip(found.keys, found.distances)]

    def save(self) -> None:
        if not self.dirty:
            return
        replace_saved(self.folder, ANN_FILE, f"vectors-{uuid.uuid4().hex[:12]}.usearch",
                      lambda path: self.index.save(str(path)), self.held)
        self.dirty = False


class VectorIndex:
    """Chunk vectors of every document: exact search in memory, or `AnnIndex` library-wide
    once the library holds `ann_min_chunks` chunks."""

    ann_min_chunks = ANN_MIN_CHUNKS

    def __init__(self, conn: sqlite3.Connection, folder: Path | None = None):
        self.conn = conn
        self.folder = folder
        self._docs: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # doc -> (chunk idx, matrix)
        self._revisions: dict[int, tuple[int, int]] = {}  # of the documents in _docs
        self._merged: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._ann: AnnIndex | None = None
        self._writes = 0  # writes through this connection, which data_version does not count
        self._seen: tuple[int, int] | None = None
        self._current: dict[int, tuple[int, int]] = {}
        self._chunks = 0  # in the library, at `_current`
        self._merged_at: dict[int, tuple[int, int]] | None = None  # the `current()` _merged is of

    def invalidate(self, doc_id: int) -> None:
        """Forget what is held of a document (written or removed in this process)."""
        self._docs.pop(doc_id, None)
        self._revisions.pop(doc_id, None)
        self._merged = None
        self._writes += 1

    def current(self) -> dict[int, tuple[int, int]]:
        """The library's document revisions, read again only when a write has happened
        since (SQLite's data_version counts other connections' commits)."""
        seen = (self.conn.execute("PRAGMA data_version").fetchone()[0], self._writes)
        if seen != self._seen:
            self._current = revisions(self.conn)
            self._chunks = sum(n for _, n in self._current.values())
            self._seen = seen
        return self._current  # the same object until the library changes

    def document(self, doc_id: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(chunk indices, matrix) of one document, read from the library."""
        return document_vectors(self.conn, doc_id)

    def _held(self, doc_ids: Iterable[int], current: dict[int, tuple[int, int]]) -> None:
        """Hold the current vectors of `doc_ids`, reading only those that changed."""
        for doc_id in set(self._docs) - set(current):
            self.invalidate(doc_id)
        for doc_id in doc_ids:
            if doc_id in current and self._revisions.get(doc_id) != current[doc_id]:
                found = self.document(doc_id)
                self._merged = None
                if found is None:
                    self._docs.pop(doc_id, None)
                else:
                    self._docs[doc_id] = found
                self._revisions[doc_id] = current[doc_id]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(doc ids, chunk indices, matrix) over the whole library, held in memory."""
        current = self.current()
        if self._merged is not None and current is self._merged_at:
            return self._merged  # nothing written since
        self._held(current, current)
        self._merged_at = current
        if self._merged is None:
            docs = sorted(self._docs)
            if docs:
                self._merged = (
                    np.concatenate([np.full(len(self._docs[d][0]), d, dtype=np.int64) for d in docs]),
                    np.concatenate([self._docs[d][0] for d in docs]),
                    np.vstack([self._docs[d][1] for d in docs]))
            else:
                self._merged = (np.zeros(0, np.int64), np.zeros(0, np.int64),
                                np.zeros((0, DIMENSIONS), np.float32))
        return self._merged

    def search(self, query: np.ndarray, doc_ids: set[int] | None = None,
               limit: int = 50) -> list[tuple[int, int, float]]:
        """(doc_id, chunk idx, cosine), best first."""
        query = np.asarray(query, dtype=np.float32)
        if doc_ids is not None:
            return self._search_documents(query, doc_ids, limit)
        ann = self._approximate()
        if ann is not None:
            return ann.search(query, limit)
        docs, idx, matrix = self.arrays()
        return _best(matrix @ query, docs, idx, limit)

    def _search_documents(self, query: np.ndarray, doc_ids: set[int], limit: int) -> list[tuple[int, int, float]]:
        current = self.current()
        wanted = sorted(d for d in doc_ids if d in current)
        self._held(wanted, current)
        held = [d for d in wanted if d in self._docs]
        if not held:
            return []
        docs = np.concatenate([np.full(len(self._docs[d][0]), d, dtype=np.int64) for d in held])
        idx = np.concatenate([self._docs[d][0] for d in held])
        scores = np.concatenate([self._docs[d][1] @ query for d in held])
        return _best(scores, docs, idx, limit)

    def _approximate(self) -> AnnIndex | None:
        """The approximate index, in step with the library, when the library is large enough
        to be searched by it (None: search exactly)."""
        current = self.current()
        if self.folder is None or self._chunks < self.ann_min_chunks:
            return None
        if self._ann is None:
            self._docs, self._revisions, self._merged = {}, {}, None  # the index replaces them
            self._ann = AnnIndex(self.folder)
        self._ann.sync(self.conn, current)
        return self._ann

    def index_saved(self) -> None:
        """Bring the saved approximate index in step with the library, if the library is
        large enough to be searched by it (done on close after writes, so that the next
        process's first question does not build it)."""
        ann = self._approximate()
        if ann is not None:
            ann.save()

    def close(self) -> None:
        """Save the approximate index if this process changed it."""
        if self._ann is not None:
            try:
                self._ann.save()
            except OSError:
                pass  # a read-only or full disk: the index is rebuilt by the next process


def best_rows(scores: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` highest scores, best first (earlier position first on a tie),
    in time linear in the number of scores."""
    if len(scores) > 4 * limit:
        part = np.argpartition(-scores, limit)[:limit]
        return part[np.lexsort((part, -scores[part]))]
    return np.argsort(-scores, kind="stable")[:limit]


def _best(scores: np.ndarray, docs: np.ndarray, idx: np.ndarray, limit: int) -> list[tuple[int, int, float]]:
    if not len(scores):
        return []
    return [(int(docs[i]), int(idx[i]), float(scores[i])) for i in best_rows(scores, limit)]
