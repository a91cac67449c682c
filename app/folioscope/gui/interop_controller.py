"""File > Import from Zotero, Export Annotated PDF and Export Notes, and a document opened at a
sentence (a `folioscope://` link or `folioscope open`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog

from ..core import Evidence, FolioscopeError
from ..index import Store
from ..workers.tasks import zotero_task
from .tasks import TaskThread

if TYPE_CHECKING:
    from .main_window import MainWindow

ALL_ITEMS = "All items"


def _export_task(folder: Path, doc_id: int, out: Path, kind: str, *, progress, emit) -> str:
    from ..interop.annotated import export_annotated_pdf
    from ..interop.notes import export_notes
    progress.step("Export", 0, 1, out.name)
    with Store(folder) as store:
        if kind == "pdf":
            done = export_annotated_pdf(store, doc_id, out)
            return f"Saved {out.name}: {done.highlights} evidence sentences highlighted for {done.questions} questions."
        done = export_notes(store, doc_id, out)
        return f"Saved {out.name}: {done.questions} questions with {done.highlights} quotes."


class InteropController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    # ---- out ------------------------------------------------------------------------------

    def export_annotated_pdf(self, out: Path | None = None) -> TaskThread | None:
        return self._export("pdf", out)

    def export_notes(self, out: Path | None = None) -> TaskThread | None:
        return self._export("md", out)

    def _export(self, kind: str, out: Path | None) -> TaskThread | None:
        w = self.window
        if w.doc_id is None:
            return None
        row = w.library.document(w.doc_id)
        if kind == "pdf" and row.kind != "pdf":
            w.show_message("Export Annotated PDF", f"{row.name} is not a PDF; use File > Export Notes for it.")
            return None
        if not w.library.history(w.doc_id, limit=1):
            w.show_message("Folioscope", f"No question has evidence in {row.name} yet: ask one first (Ctrl+L).")
            return None
        if out is None:
            suffix, pattern = (("-annotated.pdf", "PDF (*.pdf)") if kind == "pdf" else ("-notes.md", "Markdown (*.md)"))
            start = Path(row.path).with_name(Path(row.name).stem + suffix) if row.path else Path(row.name + suffix)
            chosen, _ = QFileDialog.getSaveFileName(w, "Export", str(start), pattern)
            if not chosen:
                return None
            out = Path(chosen)
        task = TaskThread(_export_task, w.library.folder, w.doc_id, out, kind, name="export")
        task.succeeded.connect(w.finish_work)
        task.failed.connect(w.on_failed)
        w.start_work("Exporting…")
        return w.tasks.start("export", task)

    # ---- in -------------------------------------------------------------------------------

    def import_zotero(self, folder: Path | None = None, collection: str | None = None) -> TaskThread | None:
        from ..interop.zotero import collection_names, default_zotero_dir  # the pipeline, on first use only
        w = self.window
        if folder is None:
            start = default_zotero_dir()
            chosen = QFileDialog.getExistingDirectory(w, "Zotero's data folder (it holds zotero.sqlite)",
                                                      str(start if start.is_dir() else Path.home()))
            if not chosen:
                return None
            folder = Path(chosen)
            try:
                names = collection_names(folder)
            except FolioscopeError as exc:
                w.show_message("Import from Zotero", str(exc))
                return None
            if names:
                picked, ok = QInputDialog.getItem(w, "Import from Zotero", "Collection:", [ALL_ITEMS, *names], 0,
                                                  False)
                if not ok:
                    return None
                collection = None if picked == ALL_ITEMS else picked
        library = w.library.folder
        task = TaskThread(lambda *, progress, emit: w.worker.call(
            zotero_task, library, folder, collection, progress=progress, emit=emit), name="zotero")
        task.progressed.connect(w.on_progress)
        task.succeeded.connect(lambda summary: (w.refresh_documents(), w.finish_work(summary.splitlines()[0]),
                                                len(summary.splitlines()) > 1 and w.show_message(
                                                    "Import from Zotero", summary)))
        task.failed.connect(lambda message: (w.refresh_documents(), w.on_failed(message)))
        task.cancelled.connect(lambda: (w.refresh_documents(), w.finish_work("Import cancelled; the items "
                                                                             "imported so far stay.")))
        w.start_work("Importing from Zotero…")
        return w.tasks.start("zotero", task)

    # ---- a document at a sentence ---------------------------------------------------------

    def open_at(self, doc_id: int, page: int = 0, offset: int | None = None) -> None:
        """Show `doc_id` at `page` (0-based); with `offset`, highlight the sentence holding it."""
        w = self.window
        w.refresh_documents(select=doc_id)
        if w.doc_id != doc_id:
            return
        found = w.library.sentence_at(doc_id, offset) if offset is not None else None
        if found is None:
            w.page_view.go_to_page(page)
            return
        start, end = found
        spans = w.document.spans()
        boxes = [(p, *box.as_tuple()) for p, box in spans.line_boxes(start, end)]
        text = w.library.text(doc_id)[start:end]
        sentence = Evidence(doc_id, start, end, text, 1.0, boxes[0][0] if boxes else page, boxes)
        view = w.document.view
        view.clear_evidence()
        view.set_evidence([sentence])
        view.show_evidence(1)
