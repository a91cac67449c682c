"""The chunk inspector: the chunk list, the boundary score along the document, the strategy,
and the edits (split at a gap, merge with the next chunk, move a boundary, undo, redo)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..index import ChunkRow, GapRow
from ..segment.strategies import strategy_names


class ScorePlot(QWidget):
    """Gap scores along the document; chunk boundaries as ticks. A click picks the nearest
    gap (emits its index in the gap list)."""

    gap_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(90)
        self.scores: list[float] = []
        self.cuts: set[int] = set()  # gap indices that are chunk boundaries
        self.selected: int | None = None
        self._cache: tuple | None = None  # ((width, height, ratio), the drawn curve)
        self.setToolTip("Boundary score of every sentence gap; red ticks are chunk boundaries.\n"
                        "Click to pick a gap, then Split or Move.")

    def set_data(self, scores: list[float], cuts: set[int]) -> None:
        self.scores, self.cuts = scores, cuts
        self._cache = None
        if self.selected is not None and self.selected >= len(scores):
            self.selected = None
        self.update()

    def _x(self, i):  # a gap index, or an array of them
        n = max(len(self.scores) - 1, 1)
        return 6 + (self.width() - 12) * i / n

    def _y(self, score: float) -> float:
        top, bottom = 6.0, self.height() - 8.0
        return bottom - (bottom - top) * max(0.0, min(1.0, score))

    def _curve(self) -> QPixmap:
        """The curve and the boundary ticks, drawn once per size and data (a long document
        has thousands of gaps; at most one point per pixel column is drawn, its maximum)."""
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        pixmap = QPixmap(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(QColor("#fafafa"))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bottom = self.height() - 8.0
        painter.setPen(QPen(QColor("#e53935"), 1))
        for i in self.cuts:
            painter.drawLine(QPointF(self._x(i), bottom + 1), QPointF(self._x(i), self._y(self.scores[i])))
        scores = np.asarray(self.scores, dtype=np.float64)
        columns = np.round(self._x(np.arange(len(scores)))).astype(int)
        starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
        peaks = np.maximum.reduceat(scores, starts)
        painter.setPen(QPen(QColor("#1e88e5"), 1))  # a 1-pixel pen: Qt's fast stroker (a wider
        # antialiased pen strokes the zig-zag as one path: 13 ms instead of under 1 ms)
        painter.drawPolyline(QPolygonF([QPointF(float(x), self._y(v)) for x, v in zip(columns[starts], peaks)]))
        painter.end()
        self._cache = (key, pixmap)
        return pixmap

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        if not self.scores:
            painter.fillRect(self.rect(), QColor("#fafafa"))
            painter.setPen(QColor("#888"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no gaps")
            return
        painter.drawPixmap(0, 0, self._curve())
        if self.selected is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor("#212121"), 1, Qt.PenStyle.DashLine))
            x = self._x(self.selected)
            painter.drawLine(QPointF(x, 6.0), QPointF(x, self.height() - 8.0))
            painter.setBrush(QColor("#212121"))
            painter.drawEllipse(QRectF(x - 3, self._y(self.scores[self.selected]) - 3, 6, 6))

    def mousePressEvent(self, event) -> None:
        if not self.scores:
            return
        n = max(len(self.scores) - 1, 1)
        i = round((event.position().x() - 6) / max(self.width() - 12, 1) * n)
        self.selected = max(0, min(len(self.scores) - 1, i))
        self.update()
        self.gap_clicked.emit(self.selected)


class Inspector(QWidget):
    chunk_selected = Signal(int)  # chunk idx
    gap_selected = Signal(int)  # character offset of the gap
    strategy_changed = Signal(str)
    edit_requested = Signal(str, int, object)  # kind, offset, target (move)
    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.chunks: list[ChunkRow] = []
        self.gaps: list[GapRow] = []
        self.strategy = QComboBox()
        self.strategy.addItems(strategy_names())
        self.strategy.setToolTip("Boundary strategy: re-chunks the document in the background")
        self.strategy.activated.connect(lambda _: self.strategy_changed.emit(self.strategy.currentText()))
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #555")
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["#", "pages", "tokens", "score", "begins"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.currentItemChanged.connect(self._on_current)
        for column, width in enumerate((34, 48, 52, 44)):
            self.list.setColumnWidth(column, width)
        self.plot = ScorePlot()
        self.plot.gap_clicked.connect(self._on_gap)
        self.split_button = QPushButton("Split here", clicked=self._split)
        self.merge_button = QPushButton("Merge next", clicked=self._merge)
        self.move_button = QPushButton("Move end here", clicked=self._move)
        self.undo_button = QPushButton("Undo", clicked=lambda: self.undo_requested.emit())
        self.redo_button = QPushButton("Redo", clicked=lambda: self.redo_requested.emit())
        self.split_button.setToolTip("Start a new chunk at the gap picked in the plot")
        self.merge_button.setToolTip("Merge the selected chunk with the next one")
        self.move_button.setToolTip("Move the selected chunk's end boundary to the picked gap")
        top = QHBoxLayout()
        top.addWidget(QLabel("Strategy"))
        top.addWidget(self.strategy, 1)
        buttons = QGridLayout()
        for i, b in enumerate((self.split_button, self.merge_button, self.move_button)):
            buttons.addWidget(b, 0, i)
        buttons.addWidget(self.undo_button, 1, 0)
        buttons.addWidget(self.redo_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("Boundary score along the document"))
        layout.addWidget(self.plot)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_chunks(self, chunks: list[ChunkRow], gaps: list[GapRow], strategy: str, can_undo: bool, can_redo: bool) -> None:
        self.chunks, self.gaps = chunks, gaps
        self.strategy.setCurrentText(strategy)
        self.list.blockSignals(True)
        self.list.clear()
        items = []
        for c in chunks:
            pages = [p + 1 for p in c.pages]
            where = f"{pages[0]}" + (f"–{pages[-1]}" if len(pages) > 1 else "") if pages else ""
            words = " ".join(c.text.split())
            item = QTreeWidgetItem([str(c.idx + 1), where, str(c.tokens), f"{c.score:.2f}", words[:80]])
            item.setData(0, Qt.ItemDataRole.UserRole, c.idx)
            item.setToolTip(0, words[:300])
            items.append(item)
        self.list.addTopLevelItems(items)  # one insertion: a book's thousand rows laid out once
        self.list.blockSignals(False)
        starts = {c.start for c in chunks[1:]}
        self.plot.set_data([g.score for g in gaps], {i for i, g in enumerate(gaps) if g.offset in starts})
        tokens = [c.tokens for c in chunks]
        self.summary.setText(f"{len(chunks)} chunks · {min(tokens, default=0)}–{max(tokens, default=0)} "
                             f"tokens" if chunks else "No chunks")
        self.can_undo, self.can_redo = can_undo, can_redo
        self._update_buttons()

    def select_chunk(self, idx: int) -> None:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == idx:
                self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
                self._update_buttons()
                return

    def selected_chunk(self) -> int | None:
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def step(self, delta: int) -> None:
        """Select the next (+1) or previous (-1) chunk."""
        n = self.list.topLevelItemCount()
        if n:
            current = self.list.indexOfTopLevelItem(self.list.currentItem()) if self.list.currentItem() else -1
            self.list.setCurrentItem(self.list.topLevelItem(max(0, min(n - 1, current + delta))))

    def _on_current(self, current, _previous) -> None:
        self._update_buttons()
        if current is not None:
            self.chunk_selected.emit(current.data(0, Qt.ItemDataRole.UserRole))

    def _on_gap(self, index: int) -> None:
        self._update_buttons()
        self.gap_selected.emit(self.gaps[index].offset)

    def _picked_offset(self) -> int | None:
        i = self.plot.selected
        return self.gaps[i].offset if i is not None and i < len(self.gaps) else None

    def _split(self) -> None:
        offset = self._picked_offset()
        if offset is not None:
            self.edit_requested.emit("split", offset, None)

    def _merge(self) -> None:
        idx = self.selected_chunk()
        if idx is not None and idx + 1 < len(self.chunks):
            self.edit_requested.emit("merge", self.chunks[idx + 1].start, None)

    def _move(self) -> None:
        idx, target = self.selected_chunk(), self._picked_offset()
        if idx is not None and idx + 1 < len(self.chunks) and target is not None:
            self.edit_requested.emit("move", self.chunks[idx + 1].start, target)

    def _update_buttons(self) -> None:
        idx = self.selected_chunk()
        has_next = idx is not None and idx + 1 < len(self.chunks)
        picked = self._picked_offset() is not None
        starts = {c.start for c in self.chunks}
        self.split_button.setEnabled(picked and self._picked_offset() not in starts)
        self.merge_button.setEnabled(has_next)
        self.move_button.setEnabled(has_next and picked)
        self.undo_button.setEnabled(getattr(self, "can_undo", False))
        self.redo_button.setEnabled(getattr(self, "can_redo", False))

    def set_busy(self, busy: bool) -> None:
        for w in (self.strategy, self.split_button, self.merge_button, self.move_button,
                  self.undo_button, self.redo_button):
            w.setEnabled(not busy)
        if not busy:
            self._update_buttons()
