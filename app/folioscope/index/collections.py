"""The collections room of the store: named groups of documents (a Zotero library's
collections, imported with their items). A document may be in several; removing it takes it
out of all of them."""

from __future__ import annotations

from .base import StoreBase


class CollectionRows(StoreBase):
    def set_collections(self, doc_id: int, names: list[str], source: str = "") -> None:
        """Put a document in exactly these collections of `source` (its other sources' stay)."""
        with self.transaction():
            self.conn.execute("DELETE FROM collection_documents WHERE doc_id = ? AND collection_id IN "
                              "(SELECT id FROM collections WHERE source = ?)", (doc_id, source))
            for name in dict.fromkeys(names):
                self.conn.execute("INSERT OR IGNORE INTO collections (name, source) VALUES (?, ?)", (name, source))
                self.conn.execute("INSERT OR IGNORE INTO collection_documents SELECT id, ? FROM collections "
                                  "WHERE name = ? AND source = ?", (doc_id, name, source))
            self._drop_empty_collections()

    def collections(self) -> dict[str, list[int]]:
        """Each collection's name -> its documents' ids."""
        out: dict[str, list[int]] = {}
        for name, doc_id in self.conn.execute(
                "SELECT c.name, m.doc_id FROM collections c JOIN collection_documents m ON m.collection_id = c.id "
                "ORDER BY c.name, m.doc_id"):
            out.setdefault(name, []).append(doc_id)
        return out

    def document_collections(self, doc_id: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT c.name FROM collections c JOIN collection_documents m ON m.collection_id = c.id "
            "WHERE m.doc_id = ? ORDER BY c.name", (doc_id,))]

    def _drop_empty_collections(self) -> None:
        self.conn.execute("DELETE FROM collections WHERE id NOT IN (SELECT collection_id FROM collection_documents)")
