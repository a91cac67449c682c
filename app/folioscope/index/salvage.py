"""Reading what can still be read from a damaged library file: the originals it keeps.

Opened read-only with the plain sqlite3 module (the store's own connection would run its
migrations and checks); every row is read on its own, so one damaged row loses only itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Original:
    key: str  # the document's id, or its content hash when the documents table is unreadable
    name: str | None  # the file name, where the documents table still says it
    path: str | None  # where the file was read from
    data: bytes


def read_originals(db_file: Path) -> Iterator[Original]:
    """Every original file the library at `db_file` keeps that can be read, row by row: by
    document where the documents table is readable, else every stored source alone."""
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        try:
            ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
        except sqlite3.Error:  # the documents table itself is damaged: take the originals alone
            yield from _sources(conn)
            return
        for doc_id in ids:
            try:
                name, path, data = conn.execute(
                    "SELECT d.name, d.path, s.data FROM documents d JOIN sources s ON s.sha256 = d.sha256 "
                    "WHERE d.id = ?", (doc_id,)).fetchone()
            except (sqlite3.Error, TypeError):
                continue
            yield Original(str(doc_id), name, path, bytes(data))
    finally:
        conn.close()


def _sources(conn: sqlite3.Connection) -> Iterator[Original]:
    try:
        keys = [r[0] for r in conn.execute("SELECT sha256 FROM sources")]
    except sqlite3.Error:
        return
    for key in keys:
        try:
            data = conn.execute("SELECT data FROM sources WHERE sha256 = ?", (key,)).fetchone()[0]
        except (sqlite3.Error, TypeError):
            continue
        yield Original(key, None, None, bytes(data))
