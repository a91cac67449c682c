"""The chapters room of the store, and the full text searched with the chapters' titles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..core import Chapter
from .base import StoreBase
from .schema import fts_rows
from .text import TextIndex, fts5_search


class ChapterRows(StoreBase):
    """Chapters, and the full-text rows of the chunks (each with its chapter's title) with the
    in-memory text index over them."""

    if TYPE_CHECKING:
        def text(self, doc_id: int) -> str: ...

    def chapters(self, doc_id: int) -> list[Chapter]:
        return [Chapter(index=r["idx"], title=r["title"], start=r["start"], end=r["end"],
                        first_page=r["first_page"], last_page=r["last_page"],
                        start_time=r["start_time"], title_source=r["title_source"], level=r["level"],
                        part=r["part"])
                for r in self.db.query("SELECT * FROM chapters WHERE doc_id = ? ORDER BY idx", [doc_id])]

    def write_chapters(self, doc_id: int, chapters: list[Chapter]) -> None:
        with self.transaction():
            self._write_chapters(doc_id, chapters)
            self._write_fts(doc_id)

    def _write_chapters(self, doc_id: int, chapters: list[Chapter]) -> None:
        self.conn.execute("DELETE FROM chapters WHERE doc_id = ?", (doc_id,))
        self.conn.executemany("INSERT INTO chapters (doc_id, idx, title, start, end, first_page, last_page, "
                              "start_time, title_source, level, part) VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
            (doc_id, c.index, c.title, c.start, c.end, c.first_page, c.last_page, c.start_time,
             c.title_source, c.level, c.part) for c in chapters])

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
