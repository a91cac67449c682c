"""The chapters sidebar and the ask panel."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.results import indexing_note


def chapter_place(chapter) -> str:
    if chapter.start_time is not None:
        minutes, seconds = divmod(int(chapter.start_time), 60)
        return f"{minutes}:{seconds:02d}"
    first, last = chapter.first_page + 1, chapter.last_page + 1
    return f"p{first}" + (f"–{last}" if last != first else "")


class ChaptersPanel(QWidget):
    """The chapters as a tree: a level-2 chapter under its part (Part > Item, Chapter >
    Section); a part that heads no text of its own is a row that opens its first chapter."""

    chapter_activated = Signal(object)  # Chapter

    def __init__(self, parent=None):
        super().__init__(parent)
        self.chapters: list = []
        self.items: list[QTreeWidgetItem] = []  # one per chapter, by index
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(2)
        self.tree.setIndentation(14)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }"
                                "QTreeWidget::item:selected { background: #fff3cd; color: #202020; }")
        self.tree.itemClicked.connect(self._clicked)
        self.tree.header().setStretchLastSection(False)  # the title takes the width, the place fits
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 6)
        layout.addWidget(QLabel("<b>Chapters</b>"))
        layout.addWidget(self.tree)

    def set_chapters(self, chapters: list) -> None:
        self.chapters = chapters
        self.tree.clear()
        self.items = []
        parts: dict[str, QTreeWidgetItem] = {}
        last_top: tuple[str, QTreeWidgetItem] | None = None
        for c in chapters:
            item = QTreeWidgetItem([c.title, chapter_place(c)])
            item.setData(0, Qt.ItemDataRole.UserRole, c.index)
            item.setToolTip(0, f"{c.title}\n{chapter_place(c)} · title from {c.title_source}")
            item.setForeground(1, Qt.GlobalColor.gray)
            if c.level == 2 and c.part:
                parent = last_top[1] if last_top and last_top[0] == c.part else parts.get(c.part)
                if parent is None:  # a part with no text of its own: a row of its own
                    parent = QTreeWidgetItem([c.part, ""])
                    parent.setData(0, Qt.ItemDataRole.UserRole, c.index)
                    self.tree.addTopLevelItem(parent)
                parts[c.part] = parent
                parent.addChild(item)
            else:
                self.tree.addTopLevelItem(item)
                last_top = (c.title, item)
            self.items.append(item)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(1)

    def _clicked(self, item: QTreeWidgetItem) -> None:
        self.chapter_activated.emit(self.chapters[item.data(0, Qt.ItemDataRole.UserRole)])

    def current_index(self) -> int:
        item = self.tree.currentItem()
        return -1 if item is None or item not in self.items else self.items.index(item)

    def follow(self, page: int) -> None:
        """Mark the chapter being read: the last one starting on or before `page`."""
        current = None
        for c in self.chapters:
            if c.first_page <= page:
                current = c.index
        if current is not None and self.current_index() != current:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(self.items[current])
            self.tree.blockSignals(False)

    def step(self, delta: int) -> None:
        if self.chapters:
            row = max(0, min(len(self.chapters) - 1, self.current_index() + delta))
            self.tree.setCurrentItem(self.items[row])
            self.chapter_activated.emit(self.chapters[row])


def _linked(text: str, citations: dict[int, int]) -> str:
    """The text with its citation marks [n] as links to the evidence."""
    out = html.escape(text)
    for n in sorted(citations, reverse=True):
        out = out.replace(f"[{n}]", f"<a href='cite:{n}'>[{n}]</a>")
    return out


class AskPanel(QWidget):
    ask_requested = Signal(str, bool)  # question, only the current document
    citation_clicked = Signal(int)  # evidence number (1-based)
    history_chosen = Signal(int)  # the id of an earlier question

    def __init__(self, parent=None):
        super().__init__(parent)
        self.question = QLineEdit(placeholderText="Ask a question about your documents…")
        self.question.returnPressed.connect(self._ask)
        self.ask_button = QPushButton("Ask", clicked=self._ask)
        self.scope = QCheckBox("Only the open document")
        self.scope.setChecked(True)
        self.scope.setToolTip("Search only the open document (off: the whole library)")
        self.answer = QTextBrowser()
        self.answer.setOpenLinks(False)
        self.answer.anchorClicked.connect(self._on_anchor)
        self.trace = QTreeWidget()
        self.trace.setHeaderLabels(["chunk", "fused", "decision"])
        self.trace.setRootIsDecorated(False)
        self.trace.setVisible(False)
        self.trace_button = QPushButton("Why this text?", clicked=self._toggle_trace)
        self.trace_button.setCheckable(True)
        self.trace_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.ask_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.scope, 0, Qt.AlignmentFlag.AlignLeft)
        self.history = QListWidget()
        self.history.setToolTip("Questions asked before: click one to see its answer and evidence again")
        self.history.setWordWrap(True)
        self.history.setAlternatingRowColors(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.itemActivated.connect(self._on_history)
        self.history.itemClicked.connect(self._on_history)
        current = QWidget()
        top = QVBoxLayout(current)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.answer, 2)
        top.addWidget(self.trace_button, 0, Qt.AlignmentFlag.AlignLeft)
        top.addWidget(self.trace, 1)
        earlier = QWidget()
        bottom = QVBoxLayout(earlier)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(QLabel("<b>Earlier questions</b>"))
        bottom.addWidget(self.history)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(current)
        self.split.addWidget(earlier)
        self.split.setSizes([520, 200])
        layout.addWidget(self.split, 1)
        self.streamed = ""
        self.result: dict | None = None

    def _ask(self) -> None:
        text = self.question.text().strip()
        if text:
            self.ask_requested.emit(text, self.scope.isChecked())

    def start(self, question: str) -> None:
        if self.question.text().strip() != question:
            self.question.setText(question)
        self.streamed = ""
        self.result = None
        self.trace.clear()
        self.trace_button.setEnabled(False)
        self.answer.setHtml(f"<p><b>Q:</b> {html.escape(question)}</p><p style='color:#777'>Finding evidence…</p>")
        self.ask_button.setEnabled(False)

    def add_token(self, text: str) -> None:
        self.streamed += text
        self.answer.setHtml(f"<p><b>Q:</b> {html.escape(self.result_question())}</p>"
                            f"<p>{html.escape(self.streamed)}▍</p>")

    def result_question(self) -> str:
        return self.question.text().strip()

    def show_result(self, result: dict) -> None:
        self.result = result
        self.ask_button.setEnabled(True)
        answer = result["answer"]
        parts = [f"<p><b>Q:</b> {html.escape(answer.question)}</p>"]
        if not answer.found:
            parts.append("<p style='background:#fdecea; padding:6px; color:#8a1c1c'><b>Not found in "
                         "these documents.</b> " + html.escape(answer.text) + "</p>")
        else:
            parts.append("<p style='color:#555'><b>From the document</b></p>"
                         f"<p>{_linked(answer.extractive, {1: 0})}</p>")
            if answer.generated and answer.supported:
                parts.append("<p style='color:#555'><b>The model's answer</b> (its evidence holds every number, "
                             f"name and most words)</p><p>{_linked(answer.generated, answer.citations)}</p>")
            elif answer.generated:
                parts.append("<p style='color:#8a6d1c; font-size:small'>The model's wording was not supported by "
                             f"the evidence it cites ({html.escape(answer.support_note)}), so the document's own "
                             f"sentence is shown. It said: <i>{html.escape(answer.generated)}</i></p>")
        if result.get("still_indexing"):
            parts.append(f"<p style='color:#8a6d1c; font-size:small'>{html.escape(indexing_note(result))}</p>")
        if answer.evidence:
            parts.append("<p style='color:#555; margin-top:10px'><b>Evidence</b> (click to see it on the page)</p>")
            sources = result.get("sources", {})
            for n, e in enumerate(answer.evidence, 1):
                where = html.escape(" · ".join(p for p in (sources.get(e.doc_id, ""), f"p{e.page + 1}") if p))
                parts.append(f"<p style='margin-left:6px'><a href='cite:{n}'>[{n}]</a> "
                             f"<span style='color:#777'>{where}</span> {html.escape(e.text.strip())}</p>")
        if result.get("removed"):
            parts.append(f"<p style='color:#999; font-size:small'>{result['removed']} more evidence sentences were "
                         f"in documents removed since.</p>")
        t = result["timings"]
        tokens = result["tokens"]
        if result.get("asked"):
            parts.append(f"<p style='color:#999; font-size:small'>Asked {html.escape(result['asked'])}</p>")
        else:
            parts.append(f"<p style='color:#999; font-size:small'>The model read the evidence "
                         f"({tokens.get('evidence', 0)} word pieces) of {tokens['chunks']} in the passages kept · "
                         f"{t.get('total', 0):.1f} s</p>")
        self.answer.setHtml("".join(parts))
        self.trace.clear()
        for row in result["trace"]:
            item = QTreeWidgetItem([f"{row['chunk'] + 1}", f"{row['fused']:.3f}", row["reason"]])
            if row["kept"]:
                item.setForeground(2, Qt.GlobalColor.darkGreen)
            self.trace.addTopLevelItem(item)
        self.trace_button.setEnabled(bool(result["trace"]))

    def set_history(self, entries: list) -> None:
        """Earlier questions (`index.AskEntry`, newest first)."""
        self.history.clear()
        for entry in entries:
            answer = " ".join(entry.answer.text.split())
            item = QListWidgetItem(f"{entry.answer.question}\n    {answer[:90]}{'…' if len(answer) > 90 else ''}")
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(f"Asked {entry.at[:16].replace('T', ' ')} · {entry.model}")
            self.history.addItem(item)

    def _on_history(self, item: QListWidgetItem) -> None:
        self.history_chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_error(self, message: str) -> None:
        self.ask_button.setEnabled(True)
        self.answer.setHtml(f"<p style='color:#8a1c1c'>{html.escape(message)}</p>")

    def _toggle_trace(self, on: bool) -> None:
        self.trace.setVisible(on)

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "cite":
            self.citation_clicked.emit(int(url.path()))
