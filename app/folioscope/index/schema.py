"""The library's schema as numbered migrations (m001_..., m002_...), applied in order once.

Add a change as a new function at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import sqlite_utils


def m001_documents(db: sqlite_utils.Database) -> None:
    db.table("documents").create({
        "id": int, "sha256": str, "path": str, "name": str, "title": str, "kind": str,
        "n_pages": int, "n_blocks": int, "n_chars": int, "metadata": str,
        "added_at": str, "ingest_seconds": float,
    }, pk="id", not_null={"sha256", "name", "kind"})
    db.table("documents").create_index(["sha256"], unique=True)
    db.table("sources").create({"sha256": str, "data": bytes}, pk="sha256")
    db.table("doc_text").create({"doc_id": int, "text": str}, pk="doc_id",
                          foreign_keys=[("doc_id", "documents", "id")])


def m002_pages_blocks_spans(db: sqlite_utils.Database) -> None:
    db.table("pages").create({
        "doc_id": int, "page_no": int, "width": float, "height": float, "route": str,
        "reason": str, "timings": str, "rotation": int,
    }, pk=("doc_id", "page_no"), foreign_keys=[("doc_id", "documents", "id")])
    db.table("blocks").create({
        "doc_id": int, "seq": int, "page_no": int, "role": str, "level": int, "source": str,
        "confidence": float, "text": str, "x0": float, "y0": float, "x1": float, "y1": float,
        "time": float, "start": int, "end": int, "pieces": str,
    }, pk=("doc_id", "seq"), foreign_keys=[("doc_id", "documents", "id")])
    db.table("spans").create({
        "doc_id": int, "start": int, "end": int, "page_no": int,
        "x0": float, "y0": float, "x1": float, "y1": float,
    }, foreign_keys=[("doc_id", "documents", "id")])
    db.table("spans").create_index(["doc_id", "start"])


def m003_ingest_log(db: sqlite_utils.Database) -> None:
    db.table("ingest_log").create({
        "id": int, "at": str, "path": str, "status": str, "message": str,
        "doc_id": int, "seconds": float,
    }, pk="id")


def m004_chunks(db: sqlite_utils.Database) -> None:
    db.table("chunkings").create({
        "doc_id": int, "strategy": str, "budget": int, "minimum": int, "computed_at": str,
        "seconds": float,
    }, pk="doc_id", foreign_keys=[("doc_id", "documents", "id")])
    db.table("chunks").create({
        "doc_id": int, "idx": int, "start": int, "end": int, "score": float, "strategy": str,
        "tokens": int, "pages": str,
    }, pk=("doc_id", "idx"), foreign_keys=[("doc_id", "documents", "id")])
    db.table("gaps").create({
        "doc_id": int, "after": int, "offset": int, "score": float, "method": str,
    }, pk=("doc_id", "after"), foreign_keys=[("doc_id", "documents", "id")])
    db.table("chunk_edits").create({
        "id": int, "doc_id": int, "kind": str, "offset": int, "target": int, "at": str,
        "undone": int,
    }, pk="id", foreign_keys=[("doc_id", "documents", "id")])
    db.table("chunk_edits").create_index(["doc_id"])


def m005_chapters_vectors_fts(db: sqlite_utils.Database) -> None:
    db.table("chapters").create({
        "doc_id": int, "idx": int, "title": str, "start": int, "end": int, "first_page": int,
        "last_page": int, "start_time": float, "title_source": str,
    }, pk=("doc_id", "idx"), foreign_keys=[("doc_id", "documents", "id")])
    db.table("chunks").add_column("hash", str)  # content hash: the key of the chunk's vector
    db.table("vectors").create({"hash": str, "model": str, "vector": bytes}, pk="hash")
    # chunk text and the title of its chapter, searched with BM25
    db.execute("CREATE VIRTUAL TABLE chunk_fts USING fts5(text, chapter, doc_id UNINDEXED, "
               "idx UNINDEXED, tokenize='porter unicode61')")


def m006_chunk_boxes(db: sqlite_utils.Database) -> None:
    # each chunk's line boxes [[page, x0, y0, x1, y1], ...], computed when it is written,
    # so drawing a document's chunks needs no span arithmetic on the GUI thread
    db.table("chunks").add_column("boxes", str)


def m007_sentences(db: sqlite_utils.Database) -> None:
    # every sentence of a document with its unit vector (float16): computed once at ingest
    # for the boundaries, and read again for re-chunking and for finding evidence
    db.table("sentences").create({"doc_id": int, "idx": int, "start": int, "end": int, "vector": bytes},
                           pk=("doc_id", "idx"), foreign_keys=[("doc_id", "documents", "id")])


def m008_chunk_context(db: sqlite_utils.Database) -> None:
    # text a chunk needs to be understood alone (a table's header row for a chunk that starts
    # inside the table): embedded and searched with the chunk, not part of its range
    db.table("chunks").add_column("context", str)


def m009_chunk_revisions(db: sqlite_utils.Database) -> None:
    # a number that changes whenever a document's chunks are written (globally increasing,
    # never reused: rows outlive their document), and how many chunks it has: what a process
    # compares to know which documents' vectors it holds are stale, without reading chunks
    db.table("chunk_revisions").create({"doc_id": int, "revision": int, "chunks": int}, pk="doc_id")
    db.conn.execute("INSERT INTO chunk_revisions SELECT doc_id, doc_id, count(*) FROM chunks GROUP BY doc_id")


ROW_BITS = 20  # a full-text row's rowid is doc_id << ROW_BITS | chunk idx


def fts_rows(doc_id: int) -> tuple[int, int]:
    """The first and last rowid a document's full-text rows can have."""
    return doc_id << ROW_BITS, (doc_id << ROW_BITS) | ((1 << ROW_BITS) - 1)


def m010_chunk_fts_rowids(db: sqlite_utils.Database) -> None:
    # full-text rows keyed by document and chunk, so that a document's rows are read and
    # removed by a range of rowids instead of a scan of every row (128 ms per document
    # written to a library of 10,000)
    rows = db.conn.execute("SELECT doc_id, idx, text, chapter FROM chunk_fts").fetchall()
    db.conn.execute("DELETE FROM chunk_fts")
    db.conn.executemany("INSERT INTO chunk_fts (rowid, text, chapter, doc_id, idx) VALUES (?,?,?,?,?)",
                        [(fts_rows(d)[0] | i, t, c, d, i) for d, i, t, c in rows])


def m011_sentence_starts(db: sqlite_utils.Database) -> None:
    # a chunk's sentences found by where they start, without reading every sentence row (and
    # vector) of its document: finding evidence reads twenty chunks' sentences per question
    db.conn.execute("CREATE INDEX IF NOT EXISTS sentences_by_start ON sentences (doc_id, start)")


def m012_chunk_hashes(db: sqlite_utils.Database) -> None:
    # chunks found by the hash of their text, so that removing or re-chunking a document
    # drops the vectors no chunk uses any more without a scan of every chunk; vectors left
    # behind by re-chunking before this migration are dropped here once
    db.conn.execute("CREATE INDEX IF NOT EXISTS chunks_by_hash ON chunks (hash)")
    db.conn.execute("DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM chunks WHERE hash IS NOT NULL)")


def m013_document_states(db: sqlite_utils.Database) -> None:
    # a document is stored in two stages: its pages and text ("reading": shown, not yet
    # chunked), then its chunks, vectors and chapters ("ready"); documents stored before
    # stages existed were written whole
    db.conn.execute("ALTER TABLE documents ADD COLUMN state TEXT NOT NULL DEFAULT 'ready'")


def m014_reading_fts(db: sqlite_utils.Database) -> None:
    # a document stored up to its text is searchable by BM25 before its chunks exist: one
    # full-text row per page, kept until the document is ready (its chunk rows replace them)
    db.conn.execute("CREATE VIRTUAL TABLE reading_fts USING fts5(text, doc_id UNINDEXED, page_no UNINDEXED, "
                    "tokenize='porter unicode61')")
    db.conn.execute("INSERT INTO reading_fts (text, doc_id, page_no) SELECT group_concat(b.text, char(10)), "
                    "b.doc_id, b.page_no FROM blocks b JOIN documents d ON d.id = b.doc_id "
                    "WHERE d.state != 'ready' GROUP BY b.doc_id, b.page_no")


def m015_chapter_levels(db: sqlite_utils.Database) -> None:
    # chapters on two levels (Part > Item, Chapter > Section): a level-2 chapter names the
    # part it sits under; chapters stored before are level 1
    db.conn.execute("ALTER TABLE chapters ADD COLUMN level INTEGER NOT NULL DEFAULT 1")
    db.conn.execute("ALTER TABLE chapters ADD COLUMN part TEXT NOT NULL DEFAULT ''")


def m016_ask_history(db: sqlite_utils.Database) -> None:
    # every question asked with its answer and evidence (document, page, boxes, text), the
    # model and the time; evidence rows go with their document, the question stays
    db.table("asks").create({
        "id": int, "at": str, "question": str, "answer": str, "extractive": str, "generated": str,
        "found": int, "supported": int, "support_note": str, "citations": str, "model": str,
        "seconds": float, "n_evidence": int,
    }, pk="id")
    db.table("ask_evidence").create({
        "ask_id": int, "idx": int, "doc_id": int, "page_no": int, "start": int, "end": int,
        "text": str, "score": float, "chunk": int, "boxes": str,
    }, pk=("ask_id", "idx"), foreign_keys=[("ask_id", "asks", "id"), ("doc_id", "documents", "id")])
    db.table("ask_evidence").create_index(["doc_id"])


def m017_collections(db: sqlite_utils.Database) -> None:
    # named collections of documents (Zotero's, imported with their items)
    db.table("collections").create({"id": int, "name": str, "source": str}, pk="id", not_null={"name"})
    db.table("collections").create_index(["name", "source"], unique=True)
    db.table("collection_documents").create({"collection_id": int, "doc_id": int},
                                            pk=("collection_id", "doc_id"),
                                            foreign_keys=[("collection_id", "collections", "id"),
                                                          ("doc_id", "documents", "id")])
    db.table("collection_documents").create_index(["doc_id"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_documents,
    m002_pages_blocks_spans,
    m003_ingest_log,
    m004_chunks,
    m005_chapters_vectors_fts,
    m006_chunk_boxes,
    m007_sentences,
    m008_chunk_context,
    m009_chunk_revisions,
    m010_chunk_fts_rowids,
    m011_sentence_starts,
    m012_chunk_hashes,
    m013_document_states,
    m014_reading_fts,
    m015_chapter_levels,
    m016_ask_history,
    m017_collections,
]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this library has not seen yet, each in its own transaction."""
    conn = db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied = []
    for migration in MIGRATIONS:
        if migration.__name__ in done:
            continue
        conn.execute("BEGIN")
        try:
            migration(db)
            conn.execute("INSERT INTO _migrations VALUES (?, ?)",
                         (migration.__name__, datetime.now(timezone.utc).isoformat()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(migration.__name__)
    return applied
