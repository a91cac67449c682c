"""The edits room of the store: the person's chunk edits, with undo and redo."""

from __future__ import annotations

from ..core import Edit
from .base import StoreBase, now


class EditRows(StoreBase):
    """User edits of chunk boundaries: in force, or undone and ready to redo."""

    def edits(self, doc_id: int, include_undone: bool = False) -> list[Edit]:
        rows = self.conn.execute("SELECT kind, offset, target FROM chunk_edits WHERE doc_id = ? "
                                 + ("" if include_undone else "AND undone = 0 ") + "ORDER BY id", (doc_id,))
        return [Edit(kind, offset, target) for kind, offset, target in rows]

    def edit_counts(self, doc_id: int) -> tuple[int, int]:
        """(edits in force, undone edits that can be redone)."""
        row = self.conn.execute("SELECT coalesce(sum(undone = 0), 0), coalesce(sum(undone = 1), 0) "
                                "FROM chunk_edits WHERE doc_id = ?", (doc_id,)).fetchone()
        return int(row[0]), int(row[1])

    def add_edit(self, doc_id: int, edit: Edit) -> None:
        """Record a user edit; it clears what could be redone."""
        with self.transaction():
            self.conn.execute("DELETE FROM chunk_edits WHERE doc_id = ? AND undone = 1", (doc_id,))
            self.conn.execute("INSERT INTO chunk_edits (doc_id, kind, offset, target, at, undone) "
                              "VALUES (?,?,?,?,?,0)", (doc_id, edit.kind, edit.offset, edit.target, now()))

    def flip_edit(self, doc_id: int, undo: bool) -> bool:
        """Undo the latest edit in force, or redo the earliest undone one; False when there
        is none."""
        pick, undone = ("max", 0) if undo else ("min", 1)
        row = self.conn.execute(f"SELECT {pick}(id) FROM chunk_edits WHERE doc_id = ? AND undone = ?",
                                (doc_id, undone)).fetchone()
        if row[0] is None:
            return False
        self.conn.execute("UPDATE chunk_edits SET undone = ? WHERE id = ?", (1 - undone, row[0]))
        return True
