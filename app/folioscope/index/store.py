"""The store: one SQLite file per library folder, with typed reads and transactional writes.

A `Store` owns one sqlite3 connection and belongs to the thread that opened it; open one per
thread. It stores and reads; it runs no stage (reading, chunking, embedding and titling are
`folioscope.pipeline`'s). A document is written in one transaction: a crash or kill
mid-write leaves the library as it was.

`Store` is a thin façade over its rooms, each a module of its own: documents.py (rows, pages,
text, spans, blocks, originals), chunks.py (chunks, gaps, sentences, vectors), edits.py (the
person's chunk edits), chapters.py (chapters and the full text searched with them),
history.py (questions asked, their answers and evidence) and collections.py.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import TracebackType

import sqlite_utils

from ..core import FolioscopeError
from .base import BUSY_SECONDS, LibraryDamaged, explain
from .chapters import ChapterRows
from .chunks import ChunkRow, ChunkRows, GapRow, line_boxes
from .collections import CollectionRows
from .documents import DocumentRow, DocumentRows, PageRow
from .edits import EditRows
from .history import AskEntry, HistoryRows
from .schema import migrate
from .text import TextIndex
from .vectors import VectorIndex

__all__ = ["BUSY_SECONDS", "DB_NAME", "AskEntry", "ChunkRow", "DocumentRow", "GapRow", "LibraryDamaged", "PageRow", "Store",
           "default_folder", "explain", "line_boxes"]

DB_NAME = "library.db"
QUICK_CHECK_BYTES = 256 << 20  # libraries up to this size are checked for damage when opened


def default_folder() -> Path:
    env = os.environ.get("FOLIOSCOPE_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_data_dir("Folioscope", appauthor=False))


class Store(DocumentRows, ChunkRows, EditRows, ChapterRows, HistoryRows, CollectionRows):
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
        """SQLite's integrity check, and the documents' states: [] when the library is sound,
        else its findings. A document stored up to its text (READING) is not damage: the next
        start completes it; a READY one with text but without chunks is."""
        rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            return rows
        return [f"document {d} is marked ready but has no chunks" for (d,) in self.conn.execute(
            "SELECT id FROM documents d WHERE state = 'ready' AND n_chars > 0 "
            "AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.doc_id = d.id)")]

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
