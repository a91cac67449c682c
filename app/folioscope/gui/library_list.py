"""The library list: a model over the library's document rows and their filter, shown by a
list view that lays out only the rows on screen (Qt's model/view), so ten thousand
documents scroll and filter without building ten thousand widgets."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListView

from ..index import DocumentRow

FAILED_COLOR = QColor("#8b0000")
PENDING_COLOR = QColor("#6b6b6b")
LAYOUT_BATCH = 500  # rows laid out per event-loop turn
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ListedFile:
    """One line of the list: a document of the library, a file dropped and not yet read
    (`pending`: its path; shown from the file itself), or a file that could not be read."""
    text: str  # two lines: title, then name, pages and routes
    tooltip: str
    doc_id: int | None  # None: a file pending or failed
    search: str  # lower-cased text the filter matches
    path: str = ""  # the file's path
    pending: bool = False


def listed_document(doc: DocumentRow) -> ListedFile:
    routes = ", ".join(f"{n} {r}" for r, n in sorted(doc.routes.items()))
    state = "" if doc.ready else " · indexing…"
    imported = '"authors"' in doc.metadata_json  # parsed only then: most rows never need it
    cite = f"{doc.citation} · " if imported and doc.citation else ""
    text = f"{doc.title or doc.name}\n{cite}{doc.name} · {doc.n_pages} p · {routes}{state}"
    done = f"read in {doc.ingest_seconds:.1f} s" if doc.ready else "text stored; chunks and chapters follow"
    extra = ""
    if imported:
        meta = doc.metadata
        extra = "\n".join(p for p in ("; ".join(meta.get("authors") or []),
                                      "In " + ", ".join(meta["collections"]) if meta.get("collections") else "") if p)
    tip = f"{doc.path}\n{done}" + (f"\n{extra}" if extra else "")
    return ListedFile(text, tip, doc.id, (text + " " + extra).lower(), doc.path)


def listed_failure(path: str, message: str) -> ListedFile:
    text = f"✗ {Path(path).name}\ncould not be read"
    return ListedFile(text, message, None, text.lower(), path)


def listed_pending(path: Path, reading: bool = False) -> ListedFile:
    state = "reading…" if reading else "waiting to be read"
    text = f"{path.name}\n{state}"
    return ListedFile(text, f"{path}\n{state}; its pages can be looked at meanwhile", None, text.lower(),
                      str(path), pending=True)


class LibraryModel(QAbstractListModel):
    """The rows of the list that pass the filter; the document id is under Qt.UserRole, None
    for a failed file.

    Filtering is done here, over pre-lowered text in one list comprehension, then the model
    is reset: a QSortFilterProxyModel would call back into Python once per row per keystroke,
    which at ten thousand rows is most of a 100 ms budget."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ListedFile] = []
        self._shown: list[int] = []  # indices into _rows, ascending
        self._row_of: dict[int, int] = {}  # document id -> index into _rows
        self._needle = ""

    def set_rows(self, rows: list[ListedFile]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._row_of = {r.doc_id: i for i, r in enumerate(rows) if r.doc_id is not None}
        self._shown = self._matching(self._needle)
        self.endResetModel()

    def documents(self) -> int:
        """Rows of documents held (filtered out or not)."""
        return len(self._row_of)

    def put_row(self, row: ListedFile) -> None:
        """One row, new or changed, without the others being read again: a document's row
        replaces the document's row or the pending row of its file, or goes after the
        documents (before pending files and failures); a pending row replaces its own."""
        rows = list(self._rows)
        at = self._row_of.get(row.doc_id) if row.doc_id is not None else None
        if at is None:
            at = next((i for i, r in enumerate(rows) if r.pending and r.path == row.path), None)
        if at is not None:
            rows[at] = row
        else:  # documents, then pending files in the order they came, then failures
            after = (lambda r: r.doc_id is None and not r.pending) if row.pending else (lambda r: r.doc_id is None)
            rows.insert(next((i for i, r in enumerate(rows) if after(r)), len(rows)), row)
        self.set_rows(rows)

    def remove_pending(self, path: str) -> None:
        if any(r.pending and r.path == path for r in self._rows):
            self.set_rows([r for r in self._rows if not (r.pending and r.path == path)])

    def paths(self) -> set[str]:
        """The files of the documents listed."""
        return {r.path for r in self._rows if r.doc_id is not None}

    def pending_path(self, index: _Index) -> str | None:
        row = self._row(index)
        return row.path if row is not None and row.pending else None

    def set_filter(self, text: str) -> None:
        needle = text.lower().strip()
        if needle == self._needle:
            return
        self.beginResetModel()
        self._needle = needle
        self._shown = self._matching(needle)
        self.endResetModel()

    def _matching(self, needle: str) -> list[int]:
        if not needle:
            return list(range(len(self._rows)))
        return [i for i, r in enumerate(self._rows) if needle in r.search]

    def row_of(self, doc_id: int) -> int | None:
        """The shown row of a document; None when it is not listed or filtered out."""
        at = self._row_of.get(doc_id)
        if at is None:
            return None
        row = bisect.bisect_left(self._shown, at)
        return row if row < len(self._shown) and self._shown[row] == at else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._shown)

    def _row(self, index: _Index) -> ListedFile | None:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        return self._rows[self._shown[index.row()]]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self._row(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == Qt.ItemDataRole.UserRole:
            return row.doc_id
        if role == Qt.ItemDataRole.ForegroundRole and row.doc_id is None:
            return QBrush(PENDING_COLOR if row.pending else FAILED_COLOR)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        row = self._row(index)
        if row is None:
            return Qt.ItemFlag.NoItemFlags
        if row.doc_id is None and not row.pending:  # a failure: listed, not openable
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class LibraryList(QListView):
    """The list view with its model; `text(row)`, `doc_id(row)` and `select_row(row)` read and
    drive it as a person would see it (the filtered rows, top to bottom)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows = LibraryModel(self)
        self.setModel(self.rows)
        self.setUniformItemSizes(True)  # rows are laid out without measuring each one
        # laid out a batch per event-loop turn: Qt asks the model for an index per row while
        # laying out, a call into Python each, so ten thousand rows at once would stall
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setStyleSheet(
            "QListView::item { padding: 5px 4px; border-bottom: 1px solid #e4e4e4; color: #202020; }"
            "QListView::item:selected { background: #2b6cc4; color: white; }")

    def set_rows(self, rows: list[ListedFile]) -> None:
        self.rows.set_rows(rows)

    def put_row(self, row: ListedFile) -> None:
        self.rows.put_row(row)

    def documents(self) -> int:
        return self.rows.documents()

    def remove_pending(self, path: str) -> None:
        self.rows.remove_pending(path)

    def set_filter(self, text: str) -> None:
        self.rows.set_filter(text)

    def count(self) -> int:
        return self.rows.rowCount()

    def text(self, row: int) -> str:
        return self.rows.index(row, 0).data(Qt.ItemDataRole.DisplayRole)

    def tooltip(self, row: int) -> str:
        return self.rows.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)

    def doc_id(self, row: int) -> int | None:
        return self.rows.index(row, 0).data(Qt.ItemDataRole.UserRole)

    def row_of(self, doc_id: int) -> int | None:
        return self.rows.row_of(doc_id)

    def select_row(self, row: int) -> None:
        self.setCurrentIndex(self.rows.index(row, 0))

    def pending_path(self, row: int) -> str | None:
        """The file of a row listed before it is read; None for documents and failures."""
        return self.rows.pending_path(self.rows.index(row, 0))

    def current_doc_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
