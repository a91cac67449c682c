"""The open document: showing it (pages or reflowed text), its chunks and boundary scores,
moving around it (chapters, offsets, pages), and the person's chunk edits (run in the
worker process)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from ..core import SpanTable
from ..index import ChunkRow, GapRow, PageRow
from ..workers.tasks import chunk_task
from .tasks import TaskThread

if TYPE_CHECKING:
    from .main_window import MainWindow


class DocumentController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.doc_id: int | None = None
        self.kind: str | None = None
        self.chunk_rows: list[ChunkRow] = []
        self.gap_rows: list[GapRow] = []
        self._spans: SpanTable | None = None  # the open document's, read when first needed
        self.pending: Path | None = None  # a file shown from itself while it is read
        # the overlays come in their own turn of the event loop, so the window stays responsive
        self._overlays = QTimer(self, singleShot=True, interval=25, timeout=self.load_chunks)
        self._inspector = QTimer(self, singleShot=True, interval=0, timeout=self._load_inspector)

    @property
    def view(self):
        """The view showing the current document (page images or reflowed text)."""
        w = self.window
        return w.page_view if self.kind in ("pdf", "image") else w.text_view

    def show(self, doc_id: int | None) -> None:
        w = self.window
        shown_from, shown = self.pending, self.doc_id
        self.doc_id, self.pending = doc_id, None
        self._spans = None
        for act in (w.remove_action, w.export_pdf_action, w.export_notes_action):
            act.setEnabled(doc_id is not None)
        w.reingest_action.setEnabled(doc_id is not None)
        if doc_id is None:
            w.views.setCurrentWidget(w.empty_view)
            w.page_label.clear()
            w.chapters.set_chapters([])
            w.inspector.set_chunks([], [], w.settings.chunk_strategy, False, False)
            return
        row = w.library.document(doc_id)
        pages = w.library.pages(doc_id)
        self.kind = row.kind
        if row.kind in ("pdf", "image"):
            # the pages on screen are this document's (shown from its file while it was read, or
            # shown again now that its chunks are stored): only their badges change
            adopted = ((shown == doc_id or (shown_from is not None and str(shown_from.resolve()) == row.path))
                       and w.page_view.set_routes(pages))
            if not adopted:
                w.page_view.set_document(w.library.source(doc_id), row.kind, pages)
            w.views.setCurrentWidget(w.page_view)
            self.on_page_changed(0)
        else:
            w.text_view.set_text(w.library.text(doc_id), w.library.heading_ranges(doc_id))
            w.views.setCurrentWidget(w.text_view)
            w.page_label.setText(f"{row.kind} · {pages[0].route if pages else ''}")
            w.page_label.setToolTip(pages[0].reason.get("why", "") if pages else "")
        w.chapters.set_chapters(w.library.chapters(doc_id))
        self._overlays.start()

    def stop(self) -> None:
        """The window closes: nothing more is read from the library."""
        self._overlays.stop()
        self._inspector.stop()

    def show_file(self, path: Path) -> None:
        """A dropped file not read yet, chosen in the list: its pages from the file itself (a
        Word file has none to show until its text is stored)."""
        from ..ingest import page_sizes
        try:
            sizes = page_sizes(path)
        except Exception:  # noqa: BLE001 - a file that cannot be opened gets its one sentence from the reader
            sizes = None
        if sizes:
            self.show_pending(path, sizes)
        else:
            self.show(None)
            self.window.status_label.setText(f"{path.name} is waiting to be read.")

    def show_pending(self, path: Path, sizes: list[tuple[float, float]]) -> None:
        """A file being read, shown from the file itself (its pages rendered as any viewer
        would) until the library holds its text."""
        w = self.window
        kind = "pdf" if path.suffix.lower() == ".pdf" else "image"
        try:
            source = path.read_bytes()
        except OSError:
            return
        self.show(None)
        self.pending, self.kind = path, kind
        rows = [PageRow(-1, n, width, height, "reading", {"why": "being read; its text, chunks and chapters follow"},
                        {}, 0) for n, (width, height) in enumerate(sizes)]
        w.page_view.set_document(source, kind, rows)
        w.views.setCurrentWidget(w.page_view)
        w.page_label.setText(f"{path.name} · being read")

    def load_chunks(self) -> None:
        """The open document's chunks onto the view, then (in the next turn of the event loop:
        a long book's chunks and gaps together would hold the window over 100 ms) its gaps
        and the inspector."""
        if self.doc_id is None:
            return
        self.chunk_rows = self.window.library.chunks(self.doc_id)
        self.view.set_chunks(self.chunk_rows)
        self._inspector.start()

    def _load_inspector(self) -> None:
        if self.doc_id is None:
            return
        library = self.window.library
        edits = library.edit_counts(self.doc_id)
        self.gap_rows = library.gaps(self.doc_id)
        self.window.inspector.set_chunks(self.chunk_rows, self.gap_rows, library.chunk_options(self.doc_id).strategy,
                                         bool(edits[0]), bool(edits[1]))

    def spans(self) -> SpanTable:
        """The open document's span table (text offsets -> page boxes), read once per document."""
        if self._spans is None and self.doc_id is not None:
            self._spans = self.window.library.span_table(self.doc_id)
        return self._spans if self._spans is not None else SpanTable([])

    def gap_boxes(self, lo: int, hi: int) -> list:
        """Where the sentence gaps inside (lo, hi) are on the page: (offset, page, Box)."""
        if self.doc_id is None:
            return []
        spans = self.spans()
        out = []
        for gap in self.gap_rows:
            if lo < gap.offset < hi:
                boxes = spans.line_boxes(gap.offset, gap.offset + 1)
                if boxes:
                    out.append((gap.offset, *boxes[0]))
        return out

    # ---- moving around --------------------------------------------------------------------

    def select_chunk(self, idx: int, from_inspector: bool = False) -> None:
        self.view.select_chunk(idx, scroll=from_inspector)
        if not from_inspector:
            self.window.inspector.select_chunk(idx)
            self.window.tabs.setCurrentWidget(self.window.inspector)

    def go_to_chapter(self, chapter) -> None:
        self.go_to_offset(chapter.start, fallback_page=chapter.first_page)

    def go_to_offset(self, offset: int, fallback_page: int = 0) -> None:
        """Scroll to the line holding a character offset of the document."""
        if self.doc_id is None:
            return
        page_view = self.window.page_view
        if self.view is page_view:
            boxes = self.spans().line_boxes(offset, offset + 80)
            if boxes:
                page, box = boxes[0]
                page_view.ensure_visible(page_view.page_rect_to_scene(page, box))
            else:
                page_view.go_to_page(fallback_page)
        else:
            self.window.text_view.go_to_offset(offset)

    def on_page_changed(self, page: int) -> None:
        w = self.window
        w.chapters.follow(page)
        if w.page_view.pages:
            w.page_label.setText(f"page {page + 1} / {len(w.page_view.pages)}")

    def step_page(self, step: int) -> None:
        self.window.page_view.go_to_page(self.window.page_view.current_page() + step)

    # ---- chunk edits and strategy (worker process) ----------------------------------------

    def run_chunk_task(self, action: str, **kwargs) -> TaskThread | None:
        w = self.window
        if self.doc_id is None:
            return None
        if action in ("undo", "redo") and not (w.inspector.can_undo if action == "undo" else w.inspector.can_redo):
            return None
        doc_id, folder = self.doc_id, w.library.folder
        task = TaskThread(lambda *, progress, emit: w.worker.call(
            chunk_task, folder, doc_id, action, progress=progress, **kwargs), name="chunks")
        task.succeeded.connect(lambda n: self._chunks_done(doc_id, n))
        task.failed.connect(self._chunk_failed)
        task.cancelled.connect(lambda: (w.inspector.set_busy(False), w.finish_work("Cancelled.")))
        w.inspector.set_busy(True)
        w.start_work({"rechunk": "Re-chunking…", "edit": "Applying the edit…", "undo": "Undoing…",
                      "redo": "Redoing…"}[action])
        return w.tasks.start("chunks", task)

    def _chunks_done(self, doc_id: int, n: int) -> None:
        self.window.inspector.set_busy(False)
        self.window.finish_work(f"{n} chunks.")
        if doc_id == self.doc_id:
            self.load_chunks()

    def _chunk_failed(self, message: str) -> None:
        self.window.inspector.set_busy(False)
        self.window.on_failed(message)
