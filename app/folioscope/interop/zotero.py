"""A Zotero library in: each item's PDF attachments with the item's title, creators, year,
DOI and collections.

Zotero keeps its database (`zotero.sqlite`) locked while it runs, so a copy is read. A stored
attachment lives at `storage/<attachment key>/<file>`; a linked one at the path Zotero
recorded. A re-run imports only what is new or changed: an attachment already imported (by
its Zotero key) with the same file content is left alone, or only its metadata is updated.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..core import FolioscopeError, Progress
from ..index import Store
from ..ingest import IngestOptions
from ..pipeline import file_sha256, ingest_paths

T = TypeVar("T")
SOURCE = "zotero"
IMPORTED_FILE, IMPORTED_URL, LINKED_FILE = 0, 1, 2


@dataclass(frozen=True)
class Attachment:
    """A PDF attachment of a Zotero item, with the item's metadata."""

    key: str  # the attachment's Zotero key
    item_key: str  # its parent item's (the attachment's own for a standalone PDF)
    path: Path | None  # None: the file is not on this machine
    title: str
    authors: list[str] = field(default_factory=list)  # "Last, First", in Zotero's order
    year: str = ""
    doi: str = ""
    item_type: str = ""
    collections: list[str] = field(default_factory=list)  # "Parent / Child" names
    why_missing: str = ""

    def metadata(self) -> dict:
        return {"authors": self.authors, "year": self.year, "doi": self.doi, "item_type": self.item_type,
                "collections": self.collections, "zotero": {"item": self.item_key, "attachment": self.key}}


@dataclass
class ZoteroReport:
    imported: list[dict] = field(default_factory=list)  # new in the library (or a changed file read again)
    updated: list[dict] = field(default_factory=list)  # the same file; its title, authors or collections changed
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)  # no file on this machine
    failed: list[dict] = field(default_factory=list)  # the file could not be read

    def as_dict(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, "failed": self.failed}

    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} without a file on this machine")
        if self.failed:
            parts.append(f"{len(self.failed)} could not be read")
        return "Zotero: " + ", ".join(parts) + "."


def default_zotero_dir() -> Path:
    return Path.home() / "Zotero"


def read_library(zotero_dir: Path, collection: str | None = None) -> list[Attachment]:
    """The PDF attachments of the Zotero data folder `zotero_dir` (of one collection and its
    sub-collections, when named), from a copy of its database."""
    return _from_copy(zotero_dir, lambda conn: list(_attachments(conn, Path(zotero_dir), collection)))


def collection_names(zotero_dir: Path) -> list[str]:
    """The collections of a Zotero data folder, "Parent / Child" names in order."""
    return _from_copy(zotero_dir, lambda conn: sorted(_collection_names(conn).values()))


def _from_copy(zotero_dir: Path, read: Callable[[sqlite3.Connection], T]) -> T:
    database = Path(zotero_dir) / "zotero.sqlite"
    if not database.is_file():
        raise FolioscopeError(f"{zotero_dir} is not a Zotero data folder: it has no zotero.sqlite "
                              f"(Zotero shows its folder under Settings > Advanced > Files and Folders).")
    with tempfile.TemporaryDirectory(prefix="folioscope-zotero-") as tmp:
        copy = Path(tmp) / "zotero.sqlite"
        shutil.copyfile(database, copy)
        try:
            conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
            try:
                return read(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise FolioscopeError(f"{database} could not be read as a Zotero database ({exc}).") from exc


def _attachments(conn: sqlite3.Connection, root: Path, collection: str | None) -> Iterator[Attachment]:
    fields = _fields(conn)
    names = _collection_names(conn)
    in_collections: dict[int, list[str]] = {}
    for item_id, collection_id in conn.execute("SELECT itemID, collectionID FROM collectionItems"):
        in_collections.setdefault(item_id, []).append(names[collection_id])
    if collection is not None and not any(_within(n, collection) for n in names.values()):
        raise FolioscopeError(f"The Zotero library has no collection '{collection}'.")
    deleted = {r[0] for r in conn.execute("SELECT itemID FROM deletedItems")} if _has(conn, "deletedItems") else set()
    rows = conn.execute(
        "SELECT a.itemID, i.key, a.parentItemID, p.key, a.linkMode, a.path FROM itemAttachments a "
        "JOIN items i ON i.itemID = a.itemID LEFT JOIN items p ON p.itemID = a.parentItemID "
        "WHERE a.contentType = 'application/pdf' OR lower(a.path) LIKE '%.pdf' ORDER BY a.itemID").fetchall()
    for item_id, key, parent_id, parent_key, link_mode, stored in rows:
        owner = parent_id if parent_id is not None else item_id
        if item_id in deleted or owner in deleted:
            continue
        groups = sorted(set(in_collections.get(owner, [])) | set(in_collections.get(item_id, [])))
        if collection is not None and not any(_within(g, collection) for g in groups):
            continue
        path, why = _file(root, key, link_mode, stored or "")
        data = fields.get(owner, {})
        yield Attachment(key=key, item_key=parent_key or key, path=path,
                         title=data.get("title") or fields.get(item_id, {}).get("title") or (path.stem if path else key),
                         authors=_creators(conn, owner), year=_year(data.get("date", "")), doi=data.get("DOI", ""),
                         item_type=_item_type(conn, owner), collections=groups, why_missing=why)


def _within(name: str, collection: str) -> bool:
    """Whether collection `name` is `collection` or one of its sub-collections."""
    return name == collection or name.startswith(collection + " / ")


def _has(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None


def _fields(conn: sqlite3.Connection) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for item_id, name, value in conn.execute(
            "SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN fields f ON f.fieldID = d.fieldID "
            "JOIN itemDataValues v ON v.valueID = d.valueID"):
        out.setdefault(item_id, {})[name] = str(value)
    return out


def _collection_names(conn: sqlite3.Connection) -> dict[int, str]:
    rows = {cid: (name, parent) for cid, name, parent in conn.execute(
        "SELECT collectionID, collectionName, parentCollectionID FROM collections")}

    def full(cid: int, seen: frozenset = frozenset()) -> str:
        name, parent = rows[cid]
        if parent in rows and parent not in seen:
            return full(parent, seen | {cid}) + " / " + name
        return name
    return {cid: full(cid) for cid in rows}


def _creators(conn: sqlite3.Connection, item_id: int) -> list[str]:
    return [last if mode == 1 or not first else f"{last}, {first}" for first, last, mode in conn.execute(
        "SELECT c.firstName, c.lastName, c.fieldMode FROM itemCreators ic JOIN creators c ON c.creatorID = ic.creatorID "
        "WHERE ic.itemID = ? ORDER BY ic.orderIndex", (item_id,))]


def _item_type(conn: sqlite3.Connection, item_id: int) -> str:
    row = conn.execute("SELECT t.typeName FROM items i JOIN itemTypes t ON t.itemTypeID = i.itemTypeID "
                       "WHERE i.itemID = ?", (item_id,)).fetchone()
    return row[0] if row else ""


def _year(date: str) -> str:
    """Zotero stores a date as "2017-06-12 June 12, 2017" (SQL date, then as typed)."""
    head = date[:4]
    return head if head.isdigit() and head != "0000" else ""


def _file(root: Path, key: str, link_mode: int, stored: str) -> tuple[Path | None, str]:
    if link_mode in (IMPORTED_FILE, IMPORTED_URL) and stored.startswith("storage:"):
        path = root / "storage" / key / stored[len("storage:"):]
    elif link_mode == LINKED_FILE and stored.startswith("attachments:"):
        return None, "a linked file relative to Zotero's base folder, which Folioscope cannot see"
    elif link_mode == LINKED_FILE and stored:
        path = Path(stored)
    else:
        return None, "no file is stored for it"
    return (path, "") if path.is_file() else (None, f"its file {path} is not on this machine")


def import_zotero(store: Store, zotero_dir: Path, collection: str | None = None, options: IngestOptions | None = None,
                  progress: Progress | None = None) -> ZoteroReport:
    """Import the PDF attachments of a Zotero data folder that are new or changed since the
    last import; update the title, authors, year, DOI and collections of the rest."""
    progress = progress or Progress()
    attachments = read_library(zotero_dir, collection)
    known = {doc.metadata["zotero"].get("attachment"): doc for doc in store.with_metadata(SOURCE)}
    report = ZoteroReport()
    for n, item in enumerate(attachments):
        progress.check()
        progress.step("Zotero", n, len(attachments), item.title)
        if item.path is None:
            report.skipped.append({"title": item.title, "why": item.why_missing})
            continue
        doc = known.get(item.key)
        if doc is not None and doc.sha256 == file_sha256(item.path):
            if _apply(store, doc.id, item):
                report.updated.append({"title": item.title, "doc_id": doc.id})
            else:
                report.unchanged += 1
            continue
        results = list(ingest_paths(store, [item.path], options, progress))
        result = results[0] if results else None
        if result is None or not result.ok or result.doc_id is None:
            report.failed.append({"title": item.title, "path": str(item.path),
                                  "message": result.message if result else "nothing was read"})
            continue
        _apply(store, result.doc_id, item)
        if doc is not None and doc.id != result.doc_id:  # the attachment's file changed: its new reading
            store.remove(doc.id)  # replaces the old (already gone when the path was the same: a no-op)
        report.imported.append({"title": item.title, "doc_id": result.doc_id, "path": str(item.path)})
    progress.step("Zotero", len(attachments), len(attachments), report.summary())
    return report


def _apply(store: Store, doc_id: int, item: Attachment) -> bool:
    """Give a document the item's metadata and collections; False when it had them already."""
    row = store.document(doc_id)
    metadata = {**row.metadata, **item.metadata()}
    same = (row.title == item.title and row.metadata == metadata
            and store.document_collections(doc_id) == sorted(item.collections))
    if not same:
        store.set_metadata(doc_id, item.title, metadata)
        store.set_collections(doc_id, item.collections, SOURCE)
    return not same
