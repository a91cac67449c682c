"""A small Zotero data folder for tests: `zotero.sqlite` with the tables Zotero keeps items,
their fields, creators, attachments, collections and trash in (the columns Zotero 6 and 7
have), and `storage/<key>/` folders holding the attached files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
    filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
    lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
    version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
    UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex));
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
    charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT,
    lastProcessedModificationTime INT);
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL, parentCollectionID INT
    DEFAULT NULL, clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL,
    key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (collectionID, itemID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0);
INSERT INTO itemTypes (itemTypeID, typeName) VALUES (3, 'attachment'), (22, 'journalArticle'), (7, 'book');
INSERT INTO fields (fieldID, fieldName) VALUES (1, 'title'), (6, 'date'), (26, 'DOI'), (38, 'publicationTitle');
INSERT INTO creatorTypes VALUES (8, 'author'), (10, 'editor');
"""


class ZoteroFolder:
    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "storage").mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.root / "zotero.sqlite")
        self.conn.executescript(SCHEMA)
        self._next = 1

    def _item(self, type_id: int, key: str) -> int:
        item_id = self._next
        self._next += 1
        self.conn.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)",
                          (item_id, type_id, key))
        return item_id

    def set_field(self, item_id: int, name: str, value: str) -> None:
        field_id = self.conn.execute("SELECT fieldID FROM fields WHERE fieldName = ?", (name,)).fetchone()[0]
        self.conn.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        value_id = self.conn.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()[0]
        self.conn.execute("INSERT OR REPLACE INTO itemData VALUES (?, ?, ?)", (item_id, field_id, value_id))
        self.conn.commit()

    def paper(self, key: str, title: str, authors: list[tuple[str, str]], date: str = "", doi: str = "") -> int:
        item_id = self._item(22, key)
        self.set_field(item_id, "title", title)
        if date:
            self.set_field(item_id, "date", date)
        if doi:
            self.set_field(item_id, "DOI", doi)
        for n, (first, last) in enumerate(authors):
            self.conn.execute("INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, 0)",
                              (first, last))
            creator = self.conn.execute("SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ?",
                                        (first, last)).fetchone()[0]
            self.conn.execute("INSERT INTO itemCreators VALUES (?, ?, 8, ?)", (item_id, creator, n))
        self.conn.commit()
        return item_id

    def stored_pdf(self, key: str, parent: int | None, source: Path) -> Path:
        """An imported file: storage/<key>/<name>."""
        item_id = self._item(3, key)
        folder = self.root / "storage" / key
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / source.name
        shutil.copyfile(source, target)
        self.conn.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                          "VALUES (?, ?, 0, 'application/pdf', ?)", (item_id, parent, f"storage:{source.name}"))
        self.conn.commit()
        return target

    def linked_pdf(self, key: str, parent: int | None, path: str) -> None:
        item_id = self._item(3, key)
        self.conn.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                          "VALUES (?, ?, 2, 'application/pdf', ?)", (item_id, parent, path))
        self.conn.commit()

    def collection(self, name: str, key: str, items: list[int], parent: int | None = None) -> int:
        cur = self.conn.execute("INSERT INTO collections (collectionName, parentCollectionID, libraryID, key) "
                                "VALUES (?, ?, 1, ?)", (name, parent, key))
        collection_id = int(cur.lastrowid)
        self.conn.executemany("INSERT INTO collectionItems VALUES (?, ?, ?)",
                              [(collection_id, item, n) for n, item in enumerate(items)])
        self.conn.commit()
        return collection_id

    def trash(self, item_id: int) -> None:
        self.conn.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
