"""What every room of the store shares: the connection, its transactions, and storage errors
as one sentence. `Store` (store.py) puts the rooms together."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import sqlite_utils

from ..core import FolioscopeError

if TYPE_CHECKING:
    from .text import TextIndex
    from .vectors import VectorIndex

BUSY_SECONDS = 30  # how long a write waits for another writer (the window, a second CLI)


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


class StoreBase:
    """The state every room reads and writes through; set by `Store.__init__`."""

    folder: Path
    conn: sqlite3.Connection
    db: sqlite_utils.Database
    vectors: VectorIndex
    _text: TextIndex | None
    _wrote: bool  # full-text rows written or removed through this connection

    def transaction(self) -> Transaction:
        return Transaction(self.conn, self.folder)


class Transaction:
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


def now() -> str:
    return datetime.now(timezone.utc).isoformat()
