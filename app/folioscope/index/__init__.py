"""The store: one SQLite file per library (documents, pages, blocks, spans, chunks, gaps,
vectors, chapters, full text, user edits, ingest log, questions asked, collections). It stores; `folioscope.pipeline` runs
the stages that fill it."""

from .store import AskEntry, ChunkRow, DocumentRow, GapRow, PageRow, Store, default_folder

__all__ = ["AskEntry", "ChunkRow", "DocumentRow", "GapRow", "PageRow", "Store", "default_folder"]
