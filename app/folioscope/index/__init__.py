"""The library: one SQLite file per folder (documents, pages, blocks, spans, ingest log)."""

from .library import IngestResult, Library, default_folder, expand_paths, ingest_paths

__all__ = ["IngestResult", "Library", "default_folder", "expand_paths", "ingest_paths"]
