"""The store: one SQLite file per library folder, with typed reads and transactional writes.

A `Store` owns one sqlite3 connection and belongs to the thread that opened it; open one per
thread. It stores and reads; it runs no stage (reading, chunking, embedding and titling are
`folioscope.pipeline`'s). A document is written in one transaction: a crash or kill
mid-write leaves the library as it was.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import numpy as np
import sqlite_utils

from ..core import (
    BLOCK_SEPARATOR,
    Block,
    Box,
    Chapter,
    Chunking,
    ChunkOptions,
    Document,
    Edit,
    FolioscopeError,
    Page,
    Piece,
    Role,
    Route,
    Span,
    SpanTable,
)
from ..core.results import IngestResult
from .schema import fts_rows, migrate
from .text import TextIndex, fts5_search
from .vectors import VectorIndex, chunk_hash, store_vectors

log = logging.getLogger(__name__)
DB_NAME = "library.db"


def default_folder() -> Path:
    env = os.environ.get("FOLIOSCOPE_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_data_dir("Folioscope", appauthor=False))


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

    @property
    def metadata(self) -> dict:
        return json.loads(self.metadata_json or "{}")

    def as_dict(self) -> dict:
        """The row as plain data, metadata parsed (what `folioscope docs --json` prints)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "metadata_json"}
        return {**out, "metadata": self.metadata}


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


BUSY_SECONDS = 30  # how long a write waits for another writer (the window, a second CLI)
QUICK_CHECK_BYTES = 256 << 20  # libraries up to this size are checked for damage when opened


class LibraryDamaged(FolioscopeError):
    """The library file is damaged: `folioscope library rebuild` reads its originals again."""


def explain(exc: sqlite3.Error, folder: Path) -> FolioscopeError:
    """One sentence for a storage error a user can act on."""
    text = str(exc).lower()
    if "full" in text:
        return FolioscopeError(f"The disk holding the library ({folder}) is full; nothing was added.")
    if "readonly" in text or "read-only" in text:
        return FolioscopeError(f"The library folder {folder} is read-only; choose a folder you can write to.")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return LibraryDamaged(f"The library in {folder} is damaged; run folioscope library rebuild to read its "
                              f"documents again from the originals it keeps.")
    if "locked" in text or "busy" in text:
        return FolioscopeError(f"The library in {folder} stayed busy for {BUSY_SECONDS} s (another program is "
                               f"writing to it); try again.")
    return FolioscopeError(f"The library in {folder} could not be used: {exc}.")


class Store:
    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder) if folder is not None else default_folder()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FolioscopeError(f"The library folder {self.folder} cannot be created: "
                                  f"{exc.strerror or exc}.") from exc
        if not os.access(self.folder, os.W_OK):
            raise FolioscopeError(f"The library folder {self.folder} is read-only; choose a folder you can "
                                  f"write to.")
        try:
            conn = sqlite3.connect(self.folder / DB_NAME, isolation_level=None, timeout=BUSY_SECONDS)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self.conn = conn
            self.db = sqlite_utils.Database(conn)
            migrate(self.db)
            if (self.folder / DB_NAME).stat().st_size < QUICK_CHECK_BYTES:
                found = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
                if found != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed ({found})")
        except sqlite3.Error as exc:
            raise explain(exc, self.folder) from exc
        self.vectors = VectorIndex(conn, self.folder)
        self._text: TextIndex | None = None  # loaded on the first text search
        self._wrote = False  # full-text rows written or removed through this connection

    def check(self) -> list[str]:
        """SQLite's integrity check: [] when the library file is sound, else its findings."""
        rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def backup(self, destination: Path) -> Path:
        """A consistent copy of the library file (SQLite's online backup), safe while the
        library is in use."""
        destination = Path(destination)
        target = destination / DB_NAME if destination.is_dir() else destination
        if target.exists():
            raise FolioscopeError(f"{target} already exists; choose a new file or an empty folder.")
        try:
            with sqlite3.connect(target) as out:
                self.conn.backup(out)
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise explain(exc, target.parent) from exc
        return target

    def close(self) -> None:
        try:  # so the next process starts with the saved indexes in step
            if self._wrote:
                self.index_saved()
            elif self._text is not None:
                self.index_text()  # brought in step with another process's writes
        except (OSError, sqlite3.Error, RuntimeError):
            pass  # a read-only or full disk: the next process brings them in step
        self._text, self._wrote = None, False
        self.vectors.close()
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn, self.folder)

    # ---- documents -------------------------------------------------------------------------

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

    def find_path(self, path: Path) -> int | None:
        """The id of the document read from this file path, if any."""
        row = self.conn.execute("SELECT id FROM documents WHERE path = ?", (str(path.resolve()),)).fetchone()
        return int(row[0]) if row else None

    def set_path(self, doc_id: int, path: str) -> None:
        """Record where a document's file is (a rebuilt library reads copies of the originals)."""
        with self.transaction():
            self.conn.execute("UPDATE documents SET path = ? WHERE id = ?", (path, doc_id))

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

    # ---- writing a document ------------------------------------------------------------------

    def write_document(self, path: Path, sha256: str, document: Document, chunking: Chunking,
                       chapters: list[Chapter], vectors: dict[str, np.ndarray], seconds: float,
                       replace: int | None = None, data: bytes | None = None) -> int:
        """Store a read and chunked document (its pages, blocks, spans, chunks, gaps, vectors,
        chapters and original bytes: `data`, else read from `path`) in one transaction;
        returns its id."""
        body = document.body_text()
        data = path.read_bytes() if data is None else data
        with self.transaction():
            if replace is not None:
                self._delete(replace)
            self.conn.execute("INSERT OR IGNORE INTO sources (sha256, data) VALUES (?, ?)", (sha256, data))
            cursor = self.conn.execute(
                "INSERT INTO documents (sha256, path, name, title, kind, n_pages, n_blocks, n_chars, "
                "metadata, added_at, ingest_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sha256, str(path.resolve()), path.name, document.title, document.kind,
                 len(document.pages), sum(len(p.blocks) for p in document.pages), len(body.text),
                 json.dumps(document.metadata), _now(), seconds))
            doc_id = int(cursor.lastrowid or 0)
            self.conn.execute("INSERT INTO doc_text (doc_id, text) VALUES (?, ?)", (doc_id, body.text))
            self._write_pages(doc_id, document)
            self._write_blocks(doc_id, document, {id(b): start for b, start in body.block_starts})
            self.conn.executemany(
                "INSERT INTO spans (doc_id, start, end, page_no, x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?)",
                [(doc_id, s.start, s.end, s.page, *(s.box.as_tuple() if s.box else (None,) * 4))
                 for s in body.spans])
            self._write_chapters(doc_id, chapters)
            self._write_chunking(doc_id, chunking, SpanTable(body.spans), vectors)
        return doc_id

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
        for table in ("chapters", "chunk_edits", "gaps", "chunks", "chunkings", "sentences",
                      "spans", "blocks", "pages", "doc_text"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
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
                (_now(), str(result.path), result.status, result.message, result.doc_id, result.seconds))
        except sqlite3.Error:
            log.exception("could not write the ingest log")

    # ---- chunks ------------------------------------------------------------------------------

    def chunk_options(self, doc_id: int) -> ChunkOptions:
        row = self.conn.execute("SELECT strategy, budget, minimum FROM chunkings WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        return ChunkOptions(*row) if row else ChunkOptions()

    def chunks(self, doc_id: int) -> list[ChunkRow]:
        """The document's chunks in order, with their text, pages and line boxes."""
        text = self.text(doc_id)
        rows = list(self.db.query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY idx", [doc_id]))
        spans = None
        out = []
        for r in rows:
            if r["boxes"] is None:  # written before boxes were stored
                spans = spans or self.span_table(doc_id)
                boxes = line_boxes(spans, r["start"], r["end"])
            else:
                boxes = json.loads(r["boxes"])
            out.append(ChunkRow(doc_id, r["idx"], r["start"], r["end"], r["score"], r["strategy"], r["tokens"],
                                json.loads(r["pages"]), r["hash"], boxes, text[r["start"]:r["end"]],
                                r["context"] or ""))
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
                          (doc_id, options.strategy, options.budget, options.minimum, _now(), seconds))
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

    # ---- user edits --------------------------------------------------------------------------

    def edits(self, doc_id: int, include_undone: bool = False) -> list[Edit]:
        rows = self.conn.execute("SELECT kind, offset, target FROM chunk_edits WHERE doc_id = ? "
                                 + ("" if include_undone else "AND undone = 0 ") + "ORDER BY id", (doc_id,))
        return [Edit(kind, offset, target) for kind, offset, target in rows]

    def edit_counts(self, doc_id: int) -> tuple[int, int]:
        """(edits in force, undone edits that can be redone)."""
        row = self.conn.execute("SELECT coalesce(sum(undone = 0), 0), coalesce(sum(undone = 1), 0) "
                                "FROM chunk_edits WHERE doc_id = ?", (doc_id,)).fetchone()
        return int(row[0]), int(row[1])

    def add_edit(self, doc_id: int, edit: Edit) -> None:
        """Record a user edit; it clears what could be redone."""
        with self.transaction():
            self.conn.execute("DELETE FROM chunk_edits WHERE doc_id = ? AND undone = 1", (doc_id,))
            self.conn.execute("INSERT INTO chunk_edits (doc_id, kind, offset, target, at, undone) "
                              "VALUES (?,?,?,?,?,0)", (doc_id, edit.kind, edit.offset, edit.target, _now()))

    def flip_edit(self, doc_id: int, undo: bool) -> bool:
        """Undo the latest edit in force, or redo the earliest undone one; False when there
        is none."""
        pick, undone = ("max", 0) if undo else ("min", 1)
        row = self.conn.execute(f"SELECT {pick}(id) FROM chunk_edits WHERE doc_id = ? AND undone = ?",
                                (doc_id, undone)).fetchone()
        if row[0] is None:
            return False
        self.conn.execute("UPDATE chunk_edits SET undone = ? WHERE id = ?", (1 - undone, row[0]))
        return True

    # ---- chapters and full text --------------------------------------------------------------

    def chapters(self, doc_id: int) -> list[Chapter]:
        return [Chapter(index=r["idx"], title=r["title"], start=r["start"], end=r["end"],
                        first_page=r["first_page"], last_page=r["last_page"],
                        start_time=r["start_time"], title_source=r["title_source"])
                for r in self.db.query("SELECT * FROM chapters WHERE doc_id = ? ORDER BY idx", [doc_id])]

    def write_chapters(self, doc_id: int, chapters: list[Chapter]) -> None:
        with self.transaction():
            self._write_chapters(doc_id, chapters)
            self._write_fts(doc_id)

    def _write_chapters(self, doc_id: int, chapters: list[Chapter]) -> None:
        self.conn.execute("DELETE FROM chapters WHERE doc_id = ?", (doc_id,))
        self.conn.executemany("INSERT INTO chapters VALUES (?,?,?,?,?,?,?,?,?)", [
            (doc_id, c.index, c.title, c.start, c.end, c.first_page, c.last_page, c.start_time,
             c.title_source) for c in chapters])

    def _write_fts(self, doc_id: int) -> None:
        """The full-text rows of a document's chunks, each with its chapter's title, and a new
        revision of the document (what the vector and text indexes of every process compare)."""
        self.conn.execute("DELETE FROM chunk_fts WHERE rowid BETWEEN ? AND ?", fts_rows(doc_id))
        text = self.text(doc_id)
        chapters = self.conn.execute("SELECT start, end, title FROM chapters WHERE doc_id = ? "
                                     "ORDER BY idx", (doc_id,)).fetchall()
        rows = []
        for idx, start, end, context in self.conn.execute(
                "SELECT idx, start, end, context FROM chunks WHERE doc_id = ? ORDER BY idx", (doc_id,)):
            title = next((t for s, e, t in chapters if s <= start < e), "")
            rows.append((fts_rows(doc_id)[0] | idx, (f"{context}\n" if context else "") + text[start:end], title,
                         doc_id, idx))
        if len(rows) > fts_rows(0)[1]:
            raise ValueError(f"a document of {len(rows)} chunks is more than the library can key")
        self.conn.executemany("INSERT INTO chunk_fts (rowid, text, chapter, doc_id, idx) VALUES (?,?,?,?,?)", rows)
        self.conn.execute(
            "INSERT INTO chunk_revisions VALUES (?, (SELECT coalesce(max(revision), 0) + 1 FROM chunk_revisions), ?) "
            "ON CONFLICT(doc_id) DO UPDATE SET revision = excluded.revision, chunks = excluded.chunks",
            (doc_id, len(rows)))
        self.vectors.invalidate(doc_id)
        self._wrote = True

    def search_text(self, words: list[str], doc_ids: set[int] | None = None, limit: int = 50,
                    chapter_weight: float = 0.5) -> list[tuple[int, int, float]]:
        """BM25 over the chunks' full text and chapter titles: (doc_id, idx, score), best
        first, as FTS5 ranks the query `"w1" OR "w2" OR ...`. Scored by the in-memory
        `TextIndex` (the same terms and scores, without visiting every matching row), or by
        FTS5 itself when a word is a phrase to FTS5."""
        if not words:
            return []
        found = self.text_index().search(words, doc_ids, limit, (1.0, chapter_weight))
        return found if found is not None else fts5_search(self.conn, words, doc_ids, limit, (1.0, chapter_weight))

    def text_index(self) -> TextIndex:
        """The in-memory text index, in step with the library."""
        if self._text is None:
            self._text = TextIndex(self.folder)
        self._text.sync(self.vectors.current(), self._fts_rows)
        return self._text

    def index_text(self) -> None:
        """Bring the saved text index in step with the library (done on close after writes)."""
        self.text_index().save()

    def index_saved(self) -> None:
        """Bring the saved text and vector indexes in step with the library, so that the next
        question, in this process or another, finds them ready (done on close after writes,
        and by the window after an import)."""
        self.vectors.index_saved()
        self.index_text()

    def _fts_rows(self, doc_ids: list[int]) -> Iterable[tuple[int, int, str, str]]:
        """(doc_id, idx, text, chapter) of the full-text rows of `doc_ids`."""
        for doc_id in doc_ids:
            yield from self.conn.execute("SELECT doc_id, idx, text, chapter FROM chunk_fts "
                                         "WHERE rowid BETWEEN ? AND ?", fts_rows(doc_id))

    def incomplete(self) -> list[int]:
        """Documents stored by an earlier version without chapters or chunk vectors."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chapters c WHERE c.doc_id = d.id) "
            "OR EXISTS (SELECT 1 FROM chunks c WHERE c.doc_id = d.id AND c.hash IS NULL)")]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (cancellation included).
    Waits up to BUSY_SECONDS for another writer; storage errors become one sentence."""

    def __init__(self, conn: sqlite3.Connection, folder: Path):
        self.conn = conn
        self.folder = folder

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise explain(exc, self.folder) from exc
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as error:
                self.conn.execute("ROLLBACK")
                raise explain(error, self.folder) from error
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise explain(exc, self.folder) from exc


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


DOCUMENT_COLUMNS = ("id, sha256, path, name, title, kind, n_pages, n_blocks, n_chars, added_at, ingest_seconds, "
                    "metadata")  # in DocumentRow's order


def _document_row(r: tuple, routes: dict[str, int]) -> DocumentRow:
    """A row of `DOCUMENT_COLUMNS`."""
    return DocumentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] or "{}", routes)


def line_boxes(spans: SpanTable, start: int, end: int) -> list[list[float]]:
    return [[page, *(round(v, 2) for v in box.as_tuple())] for page, box in spans.line_boxes(start, end)]
