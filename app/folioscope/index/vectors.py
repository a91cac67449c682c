"""Chunk vectors: stored in SQLite by content hash, searched in memory.

This Python's sqlite3 cannot load extensions, so vector search is a matrix product over an
in-memory copy of the library's chunk vectors. The copy is loaded lazily and refreshed one
document at a time when that document's chunks change.
"""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np

DIMENSIONS = 384
MODEL = "all-MiniLM-L6-v2"


def chunk_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def store_vectors(conn: sqlite3.Connection, vectors: dict[str, np.ndarray]) -> None:
    conn.executemany("INSERT OR IGNORE INTO vectors (hash, model, vector) VALUES (?, ?, ?)",
                     [(h, MODEL, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()])


class VectorIndex:
    """Chunk vectors of every document, as (doc_id, idx) keys and one unit-row matrix."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._docs: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # doc -> (chunk idx, matrix)
        self._stale: set[int] | None = None  # None: nothing loaded yet
        self._merged: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def invalidate(self, doc_id: int) -> None:
        if self._stale is not None:
            self._stale.add(doc_id)
        self._merged = None

    def document(self, doc_id: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(chunk indices, matrix) of one document, read from the library."""
        rows = self.conn.execute(
            "SELECT c.idx, v.vector FROM chunks c JOIN vectors v ON v.hash = c.hash "
            "WHERE c.doc_id = ? ORDER BY c.idx", (doc_id,)).fetchall()
        if not rows:
            return None
        idx = np.array([r[0] for r in rows], dtype=np.int64)
        return idx, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)

    def _load_doc(self, doc_id: int) -> None:
        found = self.document(doc_id)
        if found is None:
            self._docs.pop(doc_id, None)
        else:
            self._docs[doc_id] = found

    def _refresh(self) -> None:
        present = {r[0] for r in self.conn.execute("SELECT id FROM documents")}
        if self._stale is None:
            todo = present
            self._stale = set()
        else:
            todo = (self._stale & present) | (present - set(self._docs))
        for doc_id in set(self._docs) - present:
            del self._docs[doc_id]
        for doc_id in todo:
            self._load_doc(doc_id)
        if todo or self._merged is None:
            self._merged = None
        self._stale.clear()

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(doc ids, chunk indices, matrix) over the whole library."""
        self._refresh()
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
        docs, idx, matrix = self.arrays()
        if not len(matrix):
            return []
        scores = matrix @ np.asarray(query, dtype=np.float32)
        if doc_ids is not None:
            scores = np.where(np.isin(docs, list(doc_ids)), scores, -np.inf)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(docs[i]), int(idx[i]), float(scores[i])) for i in order if np.isfinite(scores[i])]
