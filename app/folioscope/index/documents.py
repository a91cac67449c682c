"""The documents room of the store: a document's row, pages, text, span table, blocks and
original bytes; writing a read document whole, and removing one."""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core import (
    BLOCK_SEPARATOR,
    Block,
    Box,
    Chapter,
    Chunking,
    Document,
    FolioscopeError,
    Page,
    Piece,
    Role,
    Route,
    Span,
    SpanTable,
)
from ..core.results import IngestResult
from .base import StoreBase, now
from .schema import fts_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentRow:
    id: int
    sha256: str
    path: str
    name: str
    title: str
    kind: str
    n_pages: int
    n_blocks: int
    n_chars: int
    added_at: str
    ingest_seconds: float
    metadata_json: str = field(repr=False)  # parsed on use: a list of 10,000 rows never needs it
    routes: dict[str, int] = field(default_factory=dict)  # route -> pages
    state: str = "ready"  # READING: pages and text stored, chunks and chapters still to come

    @property
    def ready(self) -> bool:
        return self.state == READY

    @property
    def metadata(self) -> dict:
        return json.loads(self.metadata_json or "{}")

    @property
    def citation(self) -> str:
        """Author and year as evidence is cited ("Vaswani et al. 2017"), from the metadata an
        import gave (`authors`: "Last, First" names; `year`); "" when unknown."""
        meta = self.metadata
        names = [str(a).split(",")[0].strip() for a in meta.get("authors") or [] if str(a).strip()]
        who = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
               else f"{names[0]} et al." if names else "")
        return " ".join(p for p in (who, str(meta.get("year") or "")) if p)

    def as_dict(self) -> dict:
        """The row as plain data, metadata parsed (what `folioscope docs --json` prints)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "metadata_json"}
        return {**out, "metadata": self.metadata, "citation": self.citation}


@dataclass(frozen=True)
class PageRow:
    doc_id: int
    page_no: int
    width: float
    height: float
    route: str
    reason: dict  # the measurements behind the route
    timings: dict[str, float]
    rotation: int


DOCUMENT_COLUMNS = ("id, sha256, path, name, title, kind, n_pages, n_blocks, n_chars, added_at, ingest_seconds, "
                    "metadata, state")  # in DocumentRow's order
READING, READY = "reading", "ready"


def _document_row(r: tuple, routes: dict[str, int]) -> DocumentRow:
    """A row of `DOCUMENT_COLUMNS`."""
    return DocumentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] or "{}", routes,
                       r[12])


class DocumentRows(StoreBase):
    """Documents, their pages, text, spans, blocks and originals."""

    if TYPE_CHECKING:  # the other rooms' writers a whole document goes through
        def _write_chapters(self, doc_id: int, chapters: list[Chapter]) -> None: ...
        def _write_chunking(self, doc_id: int, chunking: Chunking, spans: SpanTable,
                            vectors: dict[str, np.ndarray], seconds: float = 0.0) -> None: ...
        def _chunk_hashes(self, doc_id: int) -> list[str]: ...
        def _drop_unused_vectors(self, hashes: list[str]) -> None: ...

    def documents(self) -> list[DocumentRow]:
        routes: dict[int, dict[str, int]] = {}
        for doc_id, route, n in self.conn.execute(
                "SELECT doc_id, route, count(*) FROM pages GROUP BY doc_id, route"):
            routes.setdefault(doc_id, {})[route] = n
        return [_document_row(r, routes.get(r[0], {}))
                for r in self.conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY id")]

    def count(self) -> int:
        """How many documents the library holds (without reading their rows)."""
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document(self, doc_id: int) -> DocumentRow:
        row = self.conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise FolioscopeError(f"No document with id {doc_id}.")
        routes = dict(self.conn.execute("SELECT route, count(*) FROM pages WHERE doc_id = ? GROUP BY route",
                                        (doc_id,)).fetchall())
        return _document_row(row, routes)

    def resolve(self, ref: str | int) -> int:
        """A document id from an id, a file name or a title; one clear error otherwise."""
        text = str(ref)
        if text.isdigit():
            row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (int(text),)).fetchone()
            if row:
                return int(row[0])
        rows = self.conn.execute("SELECT id FROM documents WHERE name = ? OR title = ? OR path = ?",
                                 (text, text, text)).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            raise FolioscopeError(f"'{text}' names {len(rows)} documents; use its id (folioscope docs).")
        raise FolioscopeError(f"No document '{text}' in the library (folioscope docs lists them).")

    def find_content(self, sha256: str) -> tuple[int, str] | None:
        """(id, path) of the document with this content hash, if any."""
        row = self.conn.execute("SELECT id, path FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def find_path(self, path: Path, other_than: int | None = None) -> int | None:
        """The id of the document read from this file path (other than `other_than`), if any."""
        row = self.conn.execute("SELECT id FROM documents WHERE path = ? AND id IS NOT ? ORDER BY id",
                                (str(path.resolve()), other_than)).fetchone()
        return int(row[0]) if row else None

    def set_path(self, doc_id: int, path: str) -> None:
        """Record where a document's file is (a rebuilt library reads copies of the originals)."""
        with self.transaction():
            self.conn.execute("UPDATE documents SET path = ? WHERE id = ?", (path, doc_id))

    def set_metadata(self, doc_id: int, title: str, metadata: dict) -> None:
        """Replace a document's title and metadata (an import's: authors, year, DOI, ...)."""
        with self.transaction():
            self.conn.execute("UPDATE documents SET title = ?, metadata = ? WHERE id = ?",
                              (title, json.dumps(metadata, ensure_ascii=False), doc_id))

    def with_metadata(self, key: str) -> list[DocumentRow]:
        """The documents whose metadata has `key` (for example the ones imported from Zotero)."""
        return [_document_row(r, {}) for r in self.conn.execute(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE json_extract(metadata, ?) IS NOT NULL ORDER BY id",
            (f"$.{key}",))]

    def pages(self, doc_id: int) -> list[PageRow]:
        return [PageRow(r["doc_id"], r["page_no"], r["width"], r["height"], r["route"], json.loads(r["reason"]),
                        json.loads(r["timings"]), r["rotation"])
                for r in self.db.query("SELECT * FROM pages WHERE doc_id = ? ORDER BY page_no", [doc_id])]

    def text(self, doc_id: int) -> str:
        row = self.conn.execute("SELECT text FROM doc_text WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise FolioscopeError(f"No document with id {doc_id}.")
        return str(row[0])

    def span_table(self, doc_id: int) -> SpanTable:
        spans = [Span(s, e, p, None if x0 is None else Box(x0, y0, x1, y1))
                 for s, e, p, x0, y0, x1, y1 in self.conn.execute(
                     "SELECT start, end, page_no, x0, y0, x1, y1 FROM spans WHERE doc_id = ? "
                     "ORDER BY start", (doc_id,))]
        return SpanTable(spans)

    def source(self, doc_id: int) -> bytes:
        """The original file's bytes, kept in the library."""
        row = self.conn.execute("SELECT s.data FROM sources s JOIN documents d ON d.sha256 = s.sha256 "
                                "WHERE d.id = ?", (doc_id,)).fetchone()
        if row is None:
            raise FolioscopeError(f"No document with id {doc_id}.")
        return bytes(row[0])

    def load_document(self, doc_id: int) -> Document:
        """The `Document` as it was read (pages, blocks with their pieces)."""
        row = self.document(doc_id)
        pages = [Page(index=p.page_no, width=p.width, height=p.height, route=Route(p.route),
                      reason=p.reason, timings=p.timings, rotation=p.rotation)
                 for p in self.pages(doc_id)]
        text, body_end = self.text(doc_id), None
        for b in self.db.query("SELECT * FROM blocks WHERE doc_id = ? ORDER BY seq", [doc_id]):
            box = None if b["x0"] is None else Box(b["x0"], b["y0"], b["x1"], b["y1"])
            pieces = [Piece(s, e, None if x0 is None else Box(x0, y0, x1, y1), c)
                      for s, e, x0, y0, x1, y1, c in json.loads(b["pieces"] or "[]")]
            # a block joined to the previous one by less than a blank line goes on with its paragraph
            joiner = text[body_end:b["start"]] if b["start"] is not None and body_end is not None else None
            pages[b["page_no"]].blocks.append(Block(
                text=b["text"], page=b["page_no"], box=box, role=Role(b["role"]), source=b["source"],
                confidence=b["confidence"], level=b["level"], pieces=pieces, time=b["time"],
                continues=joiner if joiner is not None and joiner != BLOCK_SEPARATOR else None))
            if b["start"] is not None:
                body_end = b["end"]
        return Document(title=row.title, kind=row.kind, pages=pages, metadata=row.metadata)

    def table_blocks(self, doc_id: int) -> list[tuple[str, int, int, int]]:
        """(role, table number, start, end) of the document's table rows, in text order."""
        return [(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in self.conn.execute(
            "SELECT role, level, start, end FROM blocks WHERE doc_id = ? AND role IN ('table_header', "
            "'table_row') AND start IS NOT NULL ORDER BY start", (doc_id,))]

    def heading_ranges(self, doc_id: int) -> list[tuple[int, int]]:
        """[start, end) of every heading and title block in the document text."""
        return [(a, b) for a, b in self.conn.execute(
            "SELECT start, end FROM blocks WHERE doc_id = ? AND role IN ('heading', 'title') "
            "AND start IS NOT NULL ORDER BY start", (doc_id,))]

    def write_document(self, path: Path, sha256: str, document: Document, chunking: Chunking,
                       chapters: list[Chapter], vectors: dict[str, np.ndarray], seconds: float,
                       replace: int | None = None, data: bytes | None = None) -> int:
        """Store a read and chunked document (its pages, blocks, spans, chunks, gaps, vectors,
        chapters and original bytes: `data`, else read from `path`) in one transaction;
        returns its id."""
        with self.transaction():
            if replace is not None:
                self._delete(replace)
            doc_id, spans = self._insert(path, sha256, document, seconds, data, READY)
            self._write_chapters(doc_id, chapters)
            self._write_chunking(doc_id, chunking, spans, vectors)
        return doc_id

    def write_text(self, path: Path, sha256: str, document: Document, seconds: float,
                   data: bytes | None = None) -> int:
        """The first of two stages: a read document's pages, blocks, spans, text and original
        bytes, in one transaction, marked READING (shown and listed, not yet searchable by
        chunk); `write_index` completes it. Returns its id."""
        with self.transaction():
            doc_id = self._insert(path, sha256, document, seconds, data, READING)[0]
            self.conn.executemany("INSERT INTO reading_fts (text, doc_id, page_no) VALUES (?,?,?)",
                                  [(text, doc_id, page.index) for page in document.pages
                                   if (text := "\n".join(b.text for b in page.blocks).strip())])
            return doc_id

    def write_index(self, doc_id: int, chunking: Chunking, chapters: list[Chapter], vectors: dict[str, np.ndarray],
                    seconds: float, replace: int | None = None, document: Document | None = None) -> None:
        """The second stage: the document's chunks, gaps, vectors, chapters and full text, in one
        transaction that also marks it READY and removes the document it replaces. `document`:
        the document read again whole (its images OCR'd), replacing the text stored first."""
        with self.transaction():
            if replace is not None and replace != doc_id:
                self._delete(replace)
            if document is not None:
                self._rewrite_text(doc_id, document)
            self._write_chapters(doc_id, chapters)
            self._write_chunking(doc_id, chunking, self.span_table(doc_id), vectors)
            self.conn.execute("DELETE FROM reading_fts WHERE doc_id = ?", (doc_id,))
            self.conn.execute("UPDATE documents SET state = ?, ingest_seconds = ? WHERE id = ?",
                              (READY, seconds, doc_id))

    def mark_ready(self, doc_id: int) -> None:
        """A document completed after its stages were interrupted: READY, and an older
        document read from the same file (the one it was replacing) removed."""
        with self.transaction():
            path = self.conn.execute("SELECT path FROM documents WHERE id = ?", (doc_id,)).fetchone()
            for (older,) in self.conn.execute("SELECT id FROM documents WHERE path = ? AND id < ?",
                                              (path[0] if path else None, doc_id)).fetchall():
                self._delete(older)
            self.conn.execute("UPDATE documents SET state = ? WHERE id = ?", (READY, doc_id))
            self.conn.execute("DELETE FROM reading_fts WHERE doc_id = ?", (doc_id,))

    def discard_reading(self, path: Path) -> None:
        """Remove what a stopped reader stored of `path` short of its chunks (Cancel, or a
        reader that crashed on it: the file is reported failed, so nothing of it stays)."""
        with self.transaction():
            for (doc_id,) in self.conn.execute("SELECT id FROM documents WHERE path = ? AND state != 'ready'",
                                               (str(Path(path).resolve()),)).fetchall():
                self._delete(doc_id)

    def _insert(self, path: Path, sha256: str, document: Document, seconds: float, data: bytes | None,
                state: str) -> tuple[int, SpanTable]:
        body = document.body_text()
        data = path.read_bytes() if data is None else data
        self.conn.execute("INSERT OR IGNORE INTO sources (sha256, data) VALUES (?, ?)", (sha256, data))
        cursor = self.conn.execute(
            "INSERT INTO documents (sha256, path, name, title, kind, n_pages, n_blocks, n_chars, "
            "metadata, added_at, ingest_seconds, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sha256, str(path.resolve()), path.name, document.title, document.kind,
             len(document.pages), sum(len(p.blocks) for p in document.pages), len(body.text),
             json.dumps(document.metadata), now(), seconds, state))
        doc_id = int(cursor.lastrowid or 0)
        self.conn.execute("INSERT INTO doc_text (doc_id, text) VALUES (?, ?)", (doc_id, body.text))
        self._write_pages(doc_id, document)
        self._write_blocks(doc_id, document, {id(b): start for b, start in body.block_starts})
        self._write_spans(doc_id, body.spans)
        return doc_id, SpanTable(body.spans)

    def _rewrite_text(self, doc_id: int, document: Document) -> None:
        """A stored document's pages, blocks, spans and text replaced by a fuller reading."""
        for table in ("doc_text", "spans", "blocks", "pages"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        body = document.body_text()
        self.conn.execute("UPDATE documents SET title = ?, n_pages = ?, n_blocks = ?, n_chars = ?, metadata = ? "
                          "WHERE id = ?", (document.title, len(document.pages),
                                           sum(len(p.blocks) for p in document.pages), len(body.text),
                                           json.dumps(document.metadata), doc_id))
        self.conn.execute("INSERT INTO doc_text (doc_id, text) VALUES (?, ?)", (doc_id, body.text))
        self._write_pages(doc_id, document)
        self._write_blocks(doc_id, document, {id(b): start for b, start in body.block_starts})
        self._write_spans(doc_id, body.spans)

    def _write_spans(self, doc_id: int, spans: list) -> None:
        self.conn.executemany(
            "INSERT INTO spans (doc_id, start, end, page_no, x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?)",
            [(doc_id, s.start, s.end, s.page, *(s.box.as_tuple() if s.box else (None,) * 4)) for s in spans])

    def _write_pages(self, doc_id: int, document: Document) -> None:
        self.conn.executemany(
            "INSERT INTO pages (doc_id, page_no, width, height, route, reason, timings, rotation) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(doc_id, p.index, p.width, p.height, p.route.value, json.dumps(p.reason),
              json.dumps({k: round(v, 4) for k, v in p.timings.items()}), p.rotation)
             for p in document.pages])

    def _write_blocks(self, doc_id: int, document: Document, body_offsets: dict[int, int]) -> None:
        rows = []
        for seq, block in enumerate(b for page in document.pages for b in page.blocks):
            start = body_offsets.get(id(block))
            pieces = [[pc.start, pc.end, *(pc.box.as_tuple() if pc.box else (None,) * 4), pc.confidence]
                      for pc in block.pieces]
            rows.append((doc_id, seq, block.page, block.role.value, block.level, block.source,
                         block.confidence, block.text,
                         *(block.box.as_tuple() if block.box else (None,) * 4), block.time,
                         start, None if start is None else start + len(block.text), json.dumps(pieces)))
        self.conn.executemany(
            "INSERT INTO blocks (doc_id, seq, page_no, role, level, source, confidence, text, "
            "x0, y0, x1, y1, time, start, end, pieces) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def remove(self, doc_id: int) -> None:
        with self.transaction():
            self._delete(doc_id)

    def _delete(self, doc_id: int) -> None:
        sha = self.conn.execute("SELECT sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        hashes = self._chunk_hashes(doc_id)
        self.conn.execute("DELETE FROM chunk_fts WHERE rowid BETWEEN ? AND ?", fts_rows(doc_id))
        self.conn.execute("DELETE FROM reading_fts WHERE doc_id = ?", (doc_id,))
        for table in ("chapters", "chunk_edits", "gaps", "chunks", "chunkings", "sentences",
                      "spans", "blocks", "pages", "doc_text", "ask_evidence", "collection_documents"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM collections WHERE id NOT IN (SELECT collection_id FROM collection_documents)")
        self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        self._drop_unused_vectors(hashes)
        self.vectors.invalidate(doc_id)
        self._wrote = True
        if sha:
            self.conn.execute("DELETE FROM sources WHERE sha256 = ? AND NOT EXISTS "
                              "(SELECT 1 FROM documents WHERE sha256 = ?)", (sha[0], sha[0]))

    def log(self, result: IngestResult) -> None:
        """Add an outcome to the ingest log (never fails the caller)."""
        try:
            self.conn.execute(
                "INSERT INTO ingest_log (at, path, status, message, doc_id, seconds) VALUES (?,?,?,?,?,?)",
                (now(), str(result.path), result.status, result.message, result.doc_id, result.seconds))
        except sqlite3.Error:
            log.exception("could not write the ingest log")

    def incomplete(self) -> list[int]:
        """Documents to complete: stored only up to their text (READING: the process storing
        them stopped), or by an earlier version without chapters or chunk vectors."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM documents d WHERE state != 'ready' "
            "OR NOT EXISTS (SELECT 1 FROM chapters c WHERE c.doc_id = d.id) "
            "OR EXISTS (SELECT 1 FROM chunks c WHERE c.doc_id = d.id AND c.hash IS NULL) ORDER BY id")]

    def search_reading(self, words: list[str], doc_ids: set[int] | None = None,
                       limit: int = 5) -> list[tuple[int, int, float, str]]:
        """BM25 over the pages of the documents still being indexed (stored up to their text):
        (doc_id, page, score, the page's best few words), best first, for the query
        `"w1" OR "w2" ...` (FTS5's own bm25(); few rows, so FTS5 scores them directly)."""
        if not words:
            return []
        sql = ("SELECT doc_id, page_no, -bm25(reading_fts) AS s, snippet(reading_fts, 0, '', '', '…', 16) "
               "FROM reading_fts WHERE reading_fts MATCH ?")
        params: list = [" OR ".join('"' + w.replace('"', '""') + '"' for w in words)]
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            params += sorted(doc_ids)
        rows = self.conn.execute(sql + " ORDER BY s DESC, doc_id, page_no LIMIT ?", [*params, limit]).fetchall()
        return [(int(d), int(p), float(s), str(t)) for d, p, s, t in rows]

    def still_indexing(self, doc_ids: set[int] | None = None) -> int:
        """How many documents (of `doc_ids`, else of the library) are stored up to their text."""
        rows = self.conn.execute("SELECT id FROM documents WHERE state != 'ready'").fetchall()
        return sum(1 for (d,) in rows if doc_ids is None or d in doc_ids)
