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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from ..core import (Block, Box, Cancelled, Document, FolioscopeError, Piece, Page, Progress, Role,
                    Route, Span, SpanTable, UnreadableFile)
from ..segment.chunker import ChunkOptions, Chunking, Edit, chunk_text
from .schema import migrate

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
        for table in ("chunk_edits", "gaps", "chunks", "chunkings", "spans", "blocks", "pages", "doc_text"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
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
                document, chunking = prepared.document, prepared.chunking
                progress.check()
                replaced = self.conn.execute("SELECT id FROM documents WHERE path = ?",
                                             (str(path.resolve()),)).fetchone()
                result.doc_id = self._store(path, sha, document, chunking, time.perf_counter() - started,
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

    def _store(self, path: Path, sha: str, document: Document, chunking: Chunking, seconds: float,
               replace: int | None) -> int:
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
            self._write_chunking(doc_id, chunking, SpanTable(body.spans))
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

    def _write_chunking(self, doc_id: int, chunking: Chunking, spans: SpanTable, seconds: float = 0.0) -> None:
        for table in ("chunks", "gaps", "chunkings"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        options = chunking.options
        self.conn.execute("INSERT INTO chunkings VALUES (?,?,?,?,?,?)",
                          (doc_id, options.strategy, options.budget, options.minimum,
                           datetime.now(timezone.utc).isoformat(), seconds))
        self.conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?)", [
            (doc_id, c.index, c.start, c.end, c.score, c.strategy, n, json.dumps(spans.pages(c.start, c.end)))
            for c, n in zip(chunking.chunks, chunking.tokens)])
        self.conn.executemany("INSERT INTO gaps VALUES (?,?,?,?,?)", [
            (doc_id, b.after, b.offset, b.score, b.method) for b in chunking.boundaries])

    def chunk_options(self, doc_id: int) -> ChunkOptions:
        row = self.conn.execute("SELECT strategy, budget, minimum FROM chunkings WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        return ChunkOptions(*row) if row else ChunkOptions()

    def chunks(self, doc_id: int) -> list[dict]:
        text = self.text(doc_id)
        return [dict(r, pages=json.loads(r["pages"]), text=text[r["start"]:r["end"]])
                for r in self.db.query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY idx", [doc_id])]

    def gaps(self, doc_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM gaps WHERE doc_id = ? ORDER BY after", [doc_id]))

    def edits(self, doc_id: int, include_undone: bool = False) -> list[Edit]:
        rows = self.conn.execute("SELECT kind, offset, target FROM chunk_edits WHERE doc_id = ? "
                                 + ("" if include_undone else "AND undone = 0 ") + "ORDER BY id", (doc_id,))
        return [Edit(kind, offset, target) for kind, offset, target in rows]

    def _headings(self, doc_id: int) -> set[int]:
        return {r[0] for r in self.conn.execute(
            "SELECT start FROM blocks WHERE doc_id = ? AND role IN ('heading', 'title') "
            "AND start IS NOT NULL", (doc_id,))}

    def rechunk(self, doc_id: int, options: ChunkOptions | None = None) -> Chunking:
        """Chunk a stored document again (new strategy or budget), user edits applied."""
        options = options or self.chunk_options(doc_id)
        started = time.perf_counter()
        chunking = chunk_text(self.text(doc_id), options, self._headings(doc_id), self.edits(doc_id))
        with self.transaction():
            self._write_chunking(doc_id, chunking, self.span_table(doc_id), time.perf_counter() - started)
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


def prepare(path: Path, options=None, chunk_options: ChunkOptions | None = None,
            progress: Progress | None = None) -> Prepared:
    """Read and chunk one file (in this process)."""
    from ..ingest import read_document
    progress = progress or Progress()
    document = read_document(path, options, progress)
    progress.step(path.name, 1, 1, "chunking")
    return Prepared(document, chunk_document(document, chunk_options or ChunkOptions()))


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


def ingest_paths(library: Library, paths: Iterable[Path], options=None,
                 progress: Progress | None = None, chunk_options: ChunkOptions | None = None,
                 preparer=prepare) -> Iterator[IngestResult]:
    """Ingest files and folders one file at a time; a failure never stops the batch.
    Cancellation stops after the current file (which is rolled back). `preparer` reads
    and chunks a file (`prepare` here, or a `ProcessPreparer`)."""
    from ..ingest import IngestOptions
    options = options or IngestOptions()
    progress = progress or Progress()
    files = expand_paths(paths)
    for n, path in enumerate(files):
        if progress.cancelled:
            yield IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled.")
            continue
        file_progress = _FileProgress(progress, n, len(files))
        yield library.ingest(path, lambda p, fp: preparer(p, options, chunk_options, fp), file_progress)


class _FileProgress(Progress):
    """Prefixes a file's progress with its place in the batch."""

    def __init__(self, parent: Progress, index: int, count: int):
        super().__init__(parent._callback, parent._cancel)
        self.prefix = f"[{index + 1}/{count}] " if count > 1 else ""

    def step(self, label: str, done: int, total: int, detail: str = "") -> None:
        super().step(self.prefix + label, done, total, detail)
