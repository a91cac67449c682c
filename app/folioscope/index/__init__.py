"""The library: one SQLite file per folder (documents, pages, blocks, spans, ingest log)."""

from .library import IngestResult, Library, Prepared, default_folder, expand_paths, ingest_paths, prepare

__all__ = ["IngestResult", "Library", "Prepared", "default_folder", "expand_paths", "ingest_paths",
           "prepare"]
