"""The reflowed view for documents without page images (DOCX, Markdown, text, transcripts).

It shows the document text itself, so a character offset in the library is a cursor
position here: chunk tints, boundaries and evidence highlights are extra selections over
offset ranges, the same overlays the page view draws over boxes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from ..index import ChunkRow
from .page_view import CHUNK_TINTS


class TextView(QTextEdit):
    chunk_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.chunks: list[ChunkRow] = []
        self._chunk_selections: list = []
        self._evidence_selections: list = []
        self._evidence: list = []
        self.selected_chunk: int | None = None

    def set_text(self, text: str, headings: list[tuple[int, int]]) -> None:
        self.setPlainText(text)
        cursor = QTextCursor(self.document())
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        bold.setFontPointSize(self.font().pointSizeF() * 1.2)
        for start, end in headings:
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(bold)
        self.chunks, self._chunk_selections, self._evidence_selections = [], [], []
        self.selected_chunk = None

    def _selection(self, start: int, end: int, colour: QColor, tip: str = ""):
        sel = QTextEdit.ExtraSelection()
        sel.cursor = QTextCursor(self.document())
        sel.cursor.setPosition(start)
        sel.cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        sel.format.setBackground(colour)
        if tip:
            sel.format.setToolTip(tip)
        return sel

    def _apply(self) -> None:
        self.setExtraSelections(self._chunk_selections + self._evidence_selections)

    def set_chunks(self, chunks: list[ChunkRow]) -> None:
        self.chunks = chunks
        self._chunk_selections = []
        for n, c in enumerate(chunks):
            tint = QColor(CHUNK_TINTS[n % 2])
            tint.setAlphaF(0.35 if c.idx == self.selected_chunk else 0.13)
            sel = self._selection(c.start, c.end, tint,
                                  f"Chunk {c.idx + 1}: {c.tokens} tokens, boundary score {c.score:.2f}")
            self._chunk_selections.append(sel)
        self._apply()

    def select_chunk(self, idx: int | None, scroll: bool = True) -> None:
        self.selected_chunk = idx
        self.set_chunks(self.chunks)
        chunk = next((c for c in self.chunks if c.idx == idx), None)
        if scroll and chunk is not None:
            self._scroll_to(chunk.start)

    def _scroll_to(self, offset: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(offset, self.document().characterCount() - 1))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def set_evidence(self, evidence: list, numbers=None) -> None:
        self._evidence = evidence
        self._evidence_selections = [self._selection(e.start, e.end, QColor(255, 214, 0, 150),
                                                     f"[{n}] evidence, score {e.score:.2f}")
                                     for n, e in enumerate(evidence, 1)]
        self._apply()

    def clear_evidence(self) -> None:
        self._evidence, self._evidence_selections = [], []
        self._apply()

    def show_evidence(self, index: int) -> None:
        if 1 <= index <= len(self._evidence):
            self._scroll_to(self._evidence[index - 1].start)

    def go_to_offset(self, offset: int) -> None:
        self._scroll_to(offset)

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            offset = self.cursorForPosition(event.position().toPoint()).position()
            chunk = next((c for c in self.chunks if c.start <= offset < c.end), None)
            if chunk is not None:
                self.chunk_clicked.emit(chunk.idx)
