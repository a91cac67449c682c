"""A library: one folder holding one SQLite file with every document, page, block and span.

A `Library` owns one sqlite3 connection and belongs to the thread that opened it; open one
per thread. Writing a document is one transaction: a crash or kill mid-ingest leaves the
library as it was. Files are keyed by content hash, so re-ingesting unchanged content does
no work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sqlite_utils

from ..core import (Block, Box, Cancelled, Chapter, Document, FolioscopeError, Piece, Page, Progress, Role,
                    Route, Span, SpanTable, UnreadableFile)
from ..segment.chunker import ChunkOptions, Chunking, Edit, chunk_text
from .schema import migrate
from .vectors import VectorIndex, chunk_hash, embed_missing, store_vectors

log = logging.getLogger(__name__)
DB_NAME = "library.db"


def default_folder() -> Path:
    env = os.environ.get("FOLIOSCOPE_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_data_dir("Folioscope", appauthor=False))


def strict_errors() -> bool:
    """Under tests, unexpected errors are raised instead of reported as a failed file."""
    return os.environ.get("FOLIOSCOPE_STRICT") == "1"


@dataclass
class IngestResult:
    path: Path
    status: str  # "added", "updated", "unchanged", "failed", "cancelled"
    message: str = ""
    doc_id: int | None = None
    seconds: float = 0.0
    routes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("added", "updated", "unchanged")

    def as_dict(self) -> dict:
        return {"path": str(self.path), "status": self.status, "message": self.message,
                "doc_id": self.doc_id, "seconds": round(self.seconds, 3), "routes": self.routes}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Library:
    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder) if folder is not None else default_folder()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.folder / DB_NAME, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise FolioscopeError(f"The library folder {self.folder} cannot be opened: {exc}.") from exc
        conn.execute("PRAGMA journal_mode=WAL")
        self.vectors = VectorIndex(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        migrate(self.db)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- reading ---------------------------------------------------------------------------

    def documents(self) -> list[dict]:
        rows = self.db.query("SELECT id, name, title, kind, n_pages, n_chars, path, added_at, "
                             "ingest_seconds FROM documents ORDER BY id")
        out = []
        for row in rows:
            routes = dict(self.conn.execute(
                "SELECT route, count(*) FROM pages WHERE doc_id = ? GROUP BY route", (row["id"],)))
            out.append({**row, "routes": routes})
        return out

    def resolve(self, ref: str | int) -> int:
        """A document id from an id, a file name or a title; one clear error otherwise."""
        text = str(ref)
        if text.isdigit():
            row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (int(text),)).fetchone()
            if row:
                return row[0]
        rows = self.conn.execute("SELECT id FROM documents WHERE name = ? OR title = ? OR path = ?",
                                 (text, text, text)).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if len(rows) > 1:
            raise FolioscopeError(f"'{text}' names {len(rows)} documents; use its id (folioscope docs).")
        raise FolioscopeError(f"No document '{text}' in the library (folioscope docs lists them).")

    def document_row(self, doc_id: int) -> dict:
        row = self.db["documents"].get(doc_id)
        return dict(row, metadata=json.loads(row["metadata"] or "{}"))

    def pages(self, doc_id: int) -> list[dict]:
        return [dict(r, reason=json.loads(r["reason"]), timings=json.loads(r["timings"]))
                for r in self.db.query("SELECT * FROM pages WHERE doc_id = ? ORDER BY page_no", [doc_id])]

    def text(self, doc_id: int) -> str:
        row = self.conn.execute("SELECT text FROM doc_text WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise FolioscopeError(f"No document with id {doc_id}.")
        return row[0]

    def span_table(self, doc_id: int) -> SpanTable:
        spans = [Span(s, e, p, None if x0 is None else Box(x0, y0, x1, y1))
                 for s, e, p, x0, y0, x1, y1 in self.conn.execute(
                     "SELECT start, end, page_no, x0, y0, x1, y1 FROM spans WHERE doc_id = ? "
                     "ORDER BY start", (doc_id,))]
        return SpanTable(spans)

    def source(self, doc_id: int) -> bytes:
        row = self.conn.execute("SELECT s.data FROM sources s JOIN documents d ON d.sha256 = s.sha256 "
                                "WHERE d.id = ?", (doc_id,)).fetchone()
        if row is None:
            raise FolioscopeError(f"No document with id {doc_id}.")
        return row[0]

    def load_document(self, doc_id: int) -> Document:
        """The `Document` as it was read (pages, blocks with their pieces)."""
        row = self.document_row(doc_id)
        pages = [Page(index=p["page_no"], width=p["width"], height=p["height"], route=Route(p["route"]),
                      reason=p["reason"], timings=p["timings"], rotation=p["rotation"])
                 for p in self.pages(doc_id)]
        for b in self.db.query("SELECT * FROM blocks WHERE doc_id = ? ORDER BY seq", [doc_id]):
            box = None if b["x0"] is None else Box(b["x0"], b["y0"], b["x1"], b["y1"])
            pieces = [Piece(s, e, None if x0 is None else Box(x0, y0, x1, y1), c)
                      for s, e, x0, y0, x1, y1, c in json.loads(b["pieces"] or "[]")]
            pages[b["page_no"]].blocks.append(Block(
                text=b["text"], page=b["page_no"], box=box, role=Role(b["role"]), source=b["source"],
                confidence=b["confidence"], level=b["level"], pieces=pieces, time=b["time"]))
        return Document(title=row["title"], kind=row["kind"], pages=pages, metadata=row["metadata"])

    def log_entries(self, limit: int = 100) -> list[dict]:
        return list(self.db.query("SELECT * FROM ingest_log ORDER BY id DESC LIMIT ?", [limit]))

    # ---- writing ---------------------------------------------------------------------------

    def remove(self, doc_id: int) -> None:
        with self.transaction():
            self._delete(doc_id)

    def transaction(self):
        return _Transaction(self.conn)

    def _delete(self, doc_id: int) -> None:
        sha = self.conn.execute("SELECT sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        for table in ("chunk_fts", "chapters", "chunk_edits", "gaps", "chunks", "chunkings", "spans",
                      "blocks", "pages", "doc_text"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        self.conn.execute("DELETE FROM vectors WHERE hash NOT IN "
                          "(SELECT hash FROM chunks WHERE hash IS NOT NULL)")
        self.vectors.invalidate(doc_id)
        if sha:
            self.conn.execute("DELETE FROM sources WHERE sha256 = ? AND NOT EXISTS "
                              "(SELECT 1 FROM documents WHERE sha256 = ?)", (sha[0], sha[0]))

    def ingest(self, path: Path, prepare_file, progress: Progress) -> IngestResult:
        """Read and chunk `path` with `prepare_file(path, progress) -> Prepared` and store
        both, unless the same content is already here. Failures come back as a result,
        never half written."""
        path = Path(path)
        started = time.perf_counter()
        result = IngestResult(path=path, status="failed")
        try:
            from ..ingest import check_readable
            check_readable(path)
            sha = file_sha256(path)
            existing = self.conn.execute("SELECT id, path FROM documents WHERE sha256 = ?", (sha,)).fetchone()
            if existing:
                result.status, result.doc_id = "unchanged", existing[0]
                result.message = (f"{path.name} is already in the library, unchanged."
                                  if existing[1] == str(path.resolve())
                                  else f"{path.name} has the same content as a document already "
                                       f"in the library.")
            else:
                prepared = prepare_file(path, progress)
                document = prepared.document
                progress.check()
                replaced = self.conn.execute("SELECT id FROM documents WHERE path = ?",
                                             (str(path.resolve()),)).fetchone()
                result.doc_id = self._store(path, sha, prepared, time.perf_counter() - started,
                                            replace=replaced[0] if replaced else None)
                result.status = "updated" if replaced else "added"
                result.routes = _route_counts(document)
                result.message = f"{path.name}: {len(document.pages)} pages ({_describe(result.routes)})."
        except Cancelled:
            result.status, result.message = "cancelled", f"{path.name}: cancelled."
        except UnreadableFile as exc:
            result.message = str(exc)
        except FolioscopeError as exc:
            result.message = f"{path.name}: {exc}"
        except MemoryError:
            result.message = f"{path.name} is too large to read with the memory available."
        except Exception as exc:
            if strict_errors():
                raise
            log.exception("unexpected error reading %s", path)
            result.message = f"{path.name} could not be read ({type(exc).__name__}: {exc})."
        result.seconds = time.perf_counter() - started
        self._log(result)
        return result

    def _store(self, path: Path, sha: str, prepared: Prepared, seconds: float,
               replace: int | None) -> int:
        document = prepared.document
        body = document.body_text()
        text = body.text
        data = path.read_bytes()
        with self.transaction():
            if replace is not None:
                self._delete(replace)
            self.conn.execute("INSERT OR IGNORE INTO sources (sha256, data) VALUES (?, ?)", (sha, data))
            cursor = self.conn.execute(
                "INSERT INTO documents (sha256, path, name, title, kind, n_pages, n_blocks, n_chars, "
                "metadata, added_at, ingest_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sha, str(path.resolve()), path.name, document.title, document.kind,
                 len(document.pages), sum(len(p.blocks) for p in document.pages), len(text),
                 json.dumps(document.metadata), datetime.now(timezone.utc).isoformat(), seconds))
            doc_id = cursor.lastrowid
            self.conn.execute("INSERT INTO doc_text (doc_id, text) VALUES (?, ?)", (doc_id, text))
            self._write_pages(doc_id, document)
            self._write_blocks(doc_id, document, {id(b): start for b, start in body.block_starts})
            self.conn.executemany(
                "INSERT INTO spans (doc_id, start, end, page_no, x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?)",
                [(doc_id, s.start, s.end, s.page, *(s.box.as_tuple() if s.box else (None,) * 4))
                 for s in body.spans])
            self._write_chapters(doc_id, prepared.chapters)
            self._write_chunking(doc_id, prepared.chunking, SpanTable(body.spans), vectors=prepared.vectors)
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
        seq = 0
        for page in document.pages:
            for block in page.blocks:
                start = body_offsets.get(id(block))
                pieces = [[pc.start, pc.end, *(pc.box.as_tuple() if pc.box else (None,) * 4),
                           pc.confidence] for pc in block.pieces]
                rows.append((doc_id, seq, block.page, block.role.value, block.level, block.source,
                             block.confidence, block.text,
                             *(block.box.as_tuple() if block.box else (None,) * 4), block.time,
                             start, None if start is None else start + len(block.text),
                             json.dumps(pieces)))
                seq += 1
        self.conn.executemany(
            "INSERT INTO blocks (doc_id, seq, page_no, role, level, source, confidence, text, "
            "x0, y0, x1, y1, time, start, end, pieces) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    # ---- chunks ----------------------------------------------------------------------------

    def _write_chunking(self, doc_id: int, chunking: Chunking, spans: SpanTable, seconds: float = 0.0,
                        vectors: dict | None = None) -> None:
        """Chunks, gaps, the chunks' vectors (computed here for any missing) and their
        full-text rows. Call inside a transaction."""
        hashes = [chunk_hash(c.text) for c in chunking.chunks]
        if vectors is None or not set(hashes) <= set(vectors):
            from ..embed import shared_embedder
            vectors = embed_missing(self.conn, [c.text for c in chunking.chunks],
                                    shared_embedder().encode, vectors)
        store_vectors(self.conn, vectors)
        for table in ("chunks", "gaps", "chunkings"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        options = chunking.options
        self.conn.execute("INSERT INTO chunkings VALUES (?,?,?,?,?,?)",
                          (doc_id, options.strategy, options.budget, options.minimum,
                           datetime.now(timezone.utc).isoformat(), seconds))
        self.conn.executemany(
            "INSERT INTO chunks (doc_id, idx, start, end, score, strategy, tokens, pages, hash, boxes) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)", [
                (doc_id, c.index, c.start, c.end, c.score, c.strategy, n,
                 json.dumps(spans.pages(c.start, c.end)), h, json.dumps(_line_boxes(spans, c.start, c.end)))
                for c, n, h in zip(chunking.chunks, chunking.tokens, hashes)])
        self.conn.executemany("INSERT INTO gaps VALUES (?,?,?,?,?)", [
            (doc_id, b.after, b.offset, b.score, b.method) for b in chunking.boundaries])
        self._write_fts(doc_id)
        self.vectors.invalidate(doc_id)

    def _write_fts(self, doc_id: int) -> None:
        """The full-text rows of a document's chunks, each with its chapter's title."""
        self.conn.execute("DELETE FROM chunk_fts WHERE doc_id = ?", (doc_id,))
        text = self.text(doc_id)
        chapters = self.conn.execute("SELECT start, end, title FROM chapters WHERE doc_id = ? "
                                     "ORDER BY idx", (doc_id,)).fetchall()
        rows = []
        for idx, start, end in self.conn.execute(
                "SELECT idx, start, end FROM chunks WHERE doc_id = ? ORDER BY idx", (doc_id,)):
            title = next((t for s, e, t in chapters if s <= start < e), "")
            rows.append((text[start:end], title, doc_id, idx))
        self.conn.executemany("INSERT INTO chunk_fts (text, chapter, doc_id, idx) VALUES (?,?,?,?)", rows)

    # ---- chapters --------------------------------------------------------------------------

    def _write_chapters(self, doc_id: int, chapters: list[Chapter]) -> None:
        self.conn.execute("DELETE FROM chapters WHERE doc_id = ?", (doc_id,))
        self.conn.executemany("INSERT INTO chapters VALUES (?,?,?,?,?,?,?,?,?)", [
            (doc_id, c.index, c.title, c.start, c.end, c.first_page, c.last_page, c.start_time,
             c.title_source) for c in chapters])

    def chapters(self, doc_id: int) -> list[Chapter]:
        return [Chapter(index=r["idx"], title=r["title"], start=r["start"], end=r["end"],
                        first_page=r["first_page"], last_page=r["last_page"],
                        start_time=r["start_time"], title_source=r["title_source"])
                for r in self.db.query("SELECT * FROM chapters WHERE doc_id = ? ORDER BY idx", [doc_id])]

    def rebuild_chapters(self, doc_id: int, llm=None) -> list[Chapter]:
        """Chapters again from the stored document and its current chunks."""
        chunks = self.chunks(doc_id)
        chapters = make_chapters(self.load_document(doc_id), [(c["start"], c["end"], c["score"]) for c in chunks],
                                 self.chunk_vectors(doc_id), llm)[0]
        with self.transaction():
            self._write_chapters(doc_id, chapters)
            self._write_fts(doc_id)
        return chapters

    def chunk_vectors(self, doc_id: int):
        """The unit vectors of a document's chunks in chunk order, or None."""
        found = self.vectors.document(doc_id)
        return None if found is None else found[1]

    def complete_index(self, llm=None) -> int:
        """Vectors, full-text rows and chapters for documents stored before they existed
        (libraries from an earlier version). Returns how many documents were completed."""
        todo = [r[0] for r in self.conn.execute(
            "SELECT id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chapters c WHERE c.doc_id = d.id) "
            "OR EXISTS (SELECT 1 FROM chunks c WHERE c.doc_id = d.id AND c.hash IS NULL)")]
        for doc_id in todo:
            self.rechunk(doc_id)
            self.rebuild_chapters(doc_id, llm)
        return len(todo)

    def chunk_options(self, doc_id: int) -> ChunkOptions:
        row = self.conn.execute("SELECT strategy, budget, minimum FROM chunkings WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        return ChunkOptions(*row) if row else ChunkOptions()

    def chunks(self, doc_id: int) -> list[dict]:
        """Chunk rows with their text, pages and line boxes ([page, x0, y0, x1, y1])."""
        text = self.text(doc_id)
        rows = [dict(r, pages=json.loads(r["pages"]), text=text[r["start"]:r["end"]])
                for r in self.db.query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY idx", [doc_id])]
        spans = None
        for row in rows:
            if row.get("boxes") is None:  # written before boxes were stored
                spans = spans or self.span_table(doc_id)
                row["boxes"] = _line_boxes(spans, row["start"], row["end"])
            else:
                row["boxes"] = json.loads(row["boxes"])
        return rows

    def gaps(self, doc_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM gaps WHERE doc_id = ? ORDER BY after", [doc_id]))

    def edits(self, doc_id: int, include_undone: bool = False) -> list[Edit]:
        rows = self.conn.execute("SELECT kind, offset, target FROM chunk_edits WHERE doc_id = ? "
                                 + ("" if include_undone else "AND undone = 0 ") + "ORDER BY id", (doc_id,))
        return [Edit(kind, offset, target) for kind, offset, target in rows]

    def heading_ranges(self, doc_id: int) -> list[tuple[int, int]]:
        return [(a, b) for a, b in self.conn.execute(
            "SELECT start, end FROM blocks WHERE doc_id = ? AND role IN ('heading', 'title') "
            "AND start IS NOT NULL ORDER BY start", (doc_id,))]

    def heading_starts(self, doc_id: int) -> set[int]:
        return {r[0] for r in self.conn.execute(
            "SELECT start FROM blocks WHERE doc_id = ? AND role IN ('heading', 'title') "
            "AND start IS NOT NULL", (doc_id,))}

    def rechunk(self, doc_id: int, options: ChunkOptions | None = None) -> Chunking:
        """Chunk a stored document again (new strategy or budget), user edits applied."""
        options = options or self.chunk_options(doc_id)
        started = time.perf_counter()
        chunking = chunk_text(self.text(doc_id), options, self.heading_starts(doc_id), self.edits(doc_id))
        from ..embed import shared_embedder
        vectors = embed_missing(self.conn, [c.text for c in chunking.chunks], shared_embedder().encode)
        with self.transaction():
            self._write_chunking(doc_id, chunking, self.span_table(doc_id), time.perf_counter() - started,
                                 vectors=vectors)
        return chunking

    def edit_chunks(self, doc_id: int, edit: Edit) -> Chunking:
        """Record a user edit (it clears what could be redone) and re-chunk."""
        with self.transaction():
            self.conn.execute("DELETE FROM chunk_edits WHERE doc_id = ? AND undone = 1", (doc_id,))
            self.conn.execute("INSERT INTO chunk_edits (doc_id, kind, offset, target, at, undone) "
                              "VALUES (?,?,?,?,?,0)", (doc_id, edit.kind, edit.offset, edit.target,
                                                       datetime.now(timezone.utc).isoformat()))
        return self.rechunk(doc_id)

    def undo_edit(self, doc_id: int) -> bool:
        """Undo the latest edit; False when there is none."""
        return self._flip_edit(doc_id, "max", undone=0)

    def redo_edit(self, doc_id: int) -> bool:
        """Redo the earliest undone edit; False when there is none."""
        return self._flip_edit(doc_id, "min", undone=1)

    def _flip_edit(self, doc_id: int, pick: str, undone: int) -> bool:
        row = self.conn.execute(f"SELECT {pick}(id) FROM chunk_edits WHERE doc_id = ? AND undone = ?",
                                (doc_id, undone)).fetchone()
        if row[0] is None:
            return False
        self.conn.execute("UPDATE chunk_edits SET undone = ? WHERE id = ?", (1 - undone, row[0]))
        self.rechunk(doc_id)
        return True

    def _log(self, result: IngestResult) -> None:
        try:
            self.conn.execute(
                "INSERT INTO ingest_log (at, path, status, message, doc_id, seconds) "
                "VALUES (?,?,?,?,?,?)",
                (datetime.now(timezone.utc).isoformat(), str(result.path), result.status,
                 result.message, result.doc_id, result.seconds))
        except sqlite3.Error:
            log.exception("could not write the ingest log")


@dataclass
class Prepared:
    """A document read and chunked, ready to store."""

    document: Document
    chunking: Chunking
    vectors: dict = field(default_factory=dict)  # chunk hash -> unit vector
    chapters: list[Chapter] = field(default_factory=list)
    rejected_titles: list = field(default_factory=list)  # generated titles found to be junk


def prepare(path: Path, options=None, chunk_options: ChunkOptions | None = None,
            progress: Progress | None = None) -> Prepared:
    """Read and chunk one file (in this process)."""
    from ..ingest import read_document
    progress = progress or Progress()
    from ..embed import shared_embedder
    from ..ingest import IngestOptions
    options = options or IngestOptions()
    document = read_document(path, options, progress)
    progress.step(path.name, 1, 1, "chunking")
    chunking = chunk_document(document, chunk_options or ChunkOptions())
    progress.check()
    progress.step(path.name, 1, 1, "embedding chunks")
    texts = [c.text for c in chunking.chunks]
    vectors = dict(zip(map(chunk_hash, texts), shared_embedder().encode(texts)))
    progress.check()
    progress.step(path.name, 1, 1, "chapters")
    llm = None
    if options.chapter_titles == "llm":
        from ..answer.llm import shared_llm
        llm = shared_llm(options.repair_model)
    chapters, rejected = make_chapters(document, [(c.start, c.end, c.score) for c in chunking.chunks],
                                       np.array([vectors[chunk_hash(t)] for t in texts]) if texts else None,
                                       llm)
    return Prepared(document, chunking, vectors, chapters, rejected)


def make_chapters(document: Document, chunks, vectors, llm=None):
    from ..chapters import ChapterInput, build_chapters
    return build_chapters(ChapterInput.from_document(document, chunks, vectors), llm)


def heading_offsets(document: Document) -> set[int]:
    return {start for block, start in document.body_text().block_starts
            if block.role in (Role.HEADING, Role.TITLE)}


def chunk_document(document: Document, options: ChunkOptions, edits=()) -> Chunking:
    return chunk_text(document.body_text().text, options, heading_offsets(document), edits)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (cancellation included)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _line_boxes(spans: SpanTable, start: int, end: int) -> list[list[float]]:
    return [[page, *(round(v, 2) for v in box.as_tuple())] for page, box in spans.line_boxes(start, end)]


def _route_counts(document: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for page in document.pages:
        counts[page.route.value] = counts.get(page.route.value, 0) + 1
    return counts


def _describe(routes: dict[str, int]) -> str:
    return ", ".join(f"{n} {route}" for route, n in sorted(routes.items()))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (recursively,
    hidden files skipped), in a stable order."""
    from ..ingest import supported_extensions
    exts = set(supported_extensions())
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(Path(root) / f for f in sorted(files)
                           if not f.startswith(".") and Path(f).suffix.lower() in exts)
        else:
            out.append(path)
    return out


def each_file(paths: Iterable[Path], progress: Progress,
              ingest_one: Callable[[Path, Progress], IngestResult]) -> Iterator[IngestResult]:
    """`ingest_one(file, file_progress)` for every file named or inside a named folder, one
    at a time; after Cancel the remaining files are reported cancelled."""
    files = expand_paths(paths)
    for n, path in enumerate(files):
        if progress.cancelled:
            yield IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled.")
            continue
        yield ingest_one(path, FileProgress(progress, n, len(files)))


def ingest_paths(library: Library, paths: Iterable[Path], options=None,
                 progress: Progress | None = None,
                 chunk_options: ChunkOptions | None = None) -> Iterator[IngestResult]:
    """Ingest files and folders one file at a time; a failure never stops the batch.
    Cancellation stops after the current file (which is rolled back)."""
    from ..ingest import IngestOptions
    options = options or IngestOptions()
    return each_file(paths, progress or Progress(), lambda path, file_progress: library.ingest(
        path, lambda p, fp: prepare(p, options, chunk_options, fp), file_progress))


class FileProgress(Progress):
    """Prefixes a file's progress with its place in the batch."""

    def __init__(self, parent: Progress, index: int, count: int):
        super().__init__(parent._callback, parent._cancel)
        self.prefix = f"[{index + 1}/{count}] " if count > 1 else ""

    def step(self, label: str, done: int, total: int, detail: str = "") -> None:
        super().step(self.prefix + label, done, total, detail)
