"""The main window: library list, page view, progress with Cancel, drag and drop."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QProgressBar, QPushButton, QSplitter,
                               QStackedWidget, QTextBrowser, QVBoxLayout, QWidget)

from ..core import ProgressEvent, Role
from ..index import IngestResult, Library
from ..index.process import ProcessPreparer
from .jobs import Job, JobRunner
from .page_view import PageView

SHOW_PROGRESS_AFTER_MS = 300


def ingest_job(folder: Path, paths: list[Path], preparer, *, progress, emit) -> list[IngestResult]:
    """Runs on a worker thread with its own library connection; the reading and chunking
    happen in `preparer`'s child process."""
    from ..index import ingest_paths
    results = []
    with Library(folder) as library:
        for result in ingest_paths(library, paths, progress=progress, preparer=preparer):
            emit(result)
            results.append(result)
    return results


class MainWindow(QMainWindow):
    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.jobs = JobRunner()
        self.preparer = ProcessPreparer()
        self.doc_id: int | None = None
        self.last_results: list[IngestResult] = []
        self.setWindowTitle("Folioscope")
        self.setAcceptDrops(True)
        self.resize(1280, 860)
        self._build()
        self._restore_settings()
        self.refresh_documents()

    # ---- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit(placeholderText="Filter documents")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.doc_list = QListWidget()
        self.doc_list.setStyleSheet(
            "QListWidget::item { padding: 5px 4px; border-bottom: 1px solid #e4e4e4; color: #202020; }"
            "QListWidget::item:selected { background: #2b6cc4; color: white; }")
        self.doc_list.currentItemChanged.connect(self._on_document_selected)
        self.doc_list.setToolTip("Drop files or folders anywhere on the window to add them")
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(QLabel("<b>Library</b>"))
        layout.addWidget(self.search)
        layout.addWidget(self.doc_list)

        self.page_view = PageView()
        self.text_view = QTextBrowser()
        self.text_view.setOpenExternalLinks(False)
        self.empty_view = QLabel("Drop PDFs, Word files, scans, images or transcripts here,\n"
                                 "or use File > Open (Ctrl+O).")
        self.empty_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_view.setStyleSheet("color: #666; font-size: 15px;")
        self.views = QStackedWidget()
        for view in (self.empty_view, self.page_view, self.text_view):
            self.views.addWidget(view)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 1000])
        self.setCentralWidget(self.splitter)

        self.status_label = QLabel()
        self.page_label = QLabel()
        self.progress = QProgressBar(maximumWidth=260, textVisible=True)
        self.cancel_button = QPushButton("Cancel", clicked=self.cancel_work)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.page_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self._set_busy(False)
        self._show_progress = QTimer(self, singleShot=True, interval=SHOW_PROGRESS_AFTER_MS,
                                     timeout=lambda: self._set_busy(True))
        self.page_view.page_changed.connect(self._on_page_changed)
        self._build_menus()

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None):
            act = QAction(text, self)
            act.triggered.connect(slot)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            menu.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "&Open…", self.open_files, QKeySequence.StandardKey.Open)
        action(file_menu, "Add &Folder…", self.open_folder, "Ctrl+Shift+O")
        file_menu.addSeparator()
        self.remove_action = action(file_menu, "&Remove Document", self.remove_document,
                                    QKeySequence.StandardKey.Delete)
        self.reingest_action = action(file_menu, "Read &Again", self.reingest_document, "Ctrl+R")
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view_menu = self.menuBar().addMenu("&View")
        action(view_menu, "Zoom &In", lambda: self.page_view.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        action(view_menu, "Zoom &Out", lambda: self.page_view.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        action(view_menu, "&Fit Width", self.page_view.fit, "Ctrl+0")
        action(view_menu, "&Find Document", self.search.setFocus, QKeySequence.StandardKey.Find)
        view_menu.addSeparator()
        action(view_menu, "&Next Page", lambda: self._step_page(1), "Ctrl+PgDown")
        action(view_menu, "&Previous Page", lambda: self._step_page(-1), "Ctrl+PgUp")

    # ---- settings -------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        return QSettings("Folioscope", "Folioscope")

    def _restore_settings(self) -> None:
        settings = self._settings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event) -> None:
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        self.jobs.stop_all()
        self.preparer.stop()
        self.page_view.shutdown()
        super().closeEvent(event)

    # ---- documents ------------------------------------------------------------------------

    def refresh_documents(self, select: int | None = None) -> None:
        select = select if select is not None else self.doc_id
        self.doc_list.blockSignals(True)
        self.doc_list.clear()
        chosen = None
        for doc in self.library.documents():
            routes = ", ".join(f"{n} {r}" for r, n in sorted(doc["routes"].items()))
            item = QListWidgetItem(f"{doc['title'] or doc['name']}\n{doc['name']} · {doc['n_pages']} p · {routes}")
            item.setData(Qt.ItemDataRole.UserRole, doc["id"])
            item.setToolTip(f"{doc['path']}\nread in {doc['ingest_seconds']:.1f} s")
            self.doc_list.addItem(item)
            if doc["id"] == select:
                chosen = item
        self.doc_list.blockSignals(False)
        self._apply_filter(self.search.text())
        if chosen is not None:
            self.doc_list.setCurrentItem(chosen)
        elif self.doc_list.count() == 0:
            self.show_document(None)

    def _apply_filter(self, text: str) -> None:
        needle = text.lower().strip()
        for i in range(self.doc_list.count()):
            item = self.doc_list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def _on_document_selected(self, current, _previous) -> None:
        self.show_document(current.data(Qt.ItemDataRole.UserRole) if current else None)

    def show_document(self, doc_id: int | None) -> None:
        self.doc_id = doc_id
        self.remove_action.setEnabled(doc_id is not None)
        self.reingest_action.setEnabled(doc_id is not None)
        if doc_id is None:
            self.views.setCurrentWidget(self.empty_view)
            self.page_label.clear()
            return
        row = self.library.document_row(doc_id)
        pages = self.library.pages(doc_id)
        if row["kind"] in ("pdf", "image"):
            self.page_view.set_document(self.library.source(doc_id), row["kind"], pages)
            self.views.setCurrentWidget(self.page_view)
            self._on_page_changed(0)
        else:
            self.text_view.setHtml(document_html(self.library.load_document(doc_id), pages))
            self.views.setCurrentWidget(self.text_view)
            self.page_label.setText(row["kind"])

    def _on_page_changed(self, page: int) -> None:
        if self.page_view.pages:
            self.page_label.setText(f"page {page + 1} / {len(self.page_view.pages)}")

    def _step_page(self, step: int) -> None:
        self.page_view.go_to_page(self.page_view.current_page() + step)

    # ---- adding and removing --------------------------------------------------------------

    def open_files(self) -> None:
        from ..ingest import dialog_filter
        files, _ = QFileDialog.getOpenFileNames(self, "Add documents", "", dialog_filter())
        if files:
            self.add_paths([Path(f) for f in files])

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder")
        if folder:
            self.add_paths([Path(folder)])

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> Job:
        running = self.jobs.running("ingest")
        if running is not None:
            self.status_label.setText("Still reading the previous files; the new ones follow.")
            running.finished.connect(lambda: self.add_paths(paths))
            return running
        job = Job(ingest_job, self.library.folder, paths, self.preparer, name="ingest")
        job.progressed.connect(self._on_progress)
        job.item.connect(self._on_ingested)
        job.succeeded.connect(self._on_batch_done)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(lambda: self._finish_work("Cancelled."))
        self.last_results = []
        self.status_label.setText(f"Reading {len(paths)} item(s)…")
        self.progress.setRange(0, 0)
        self._show_progress.start()
        return self.jobs.start("ingest", job)

    def _on_progress(self, event: ProgressEvent) -> None:
        self.progress.setRange(0, max(event.total, 1))
        self.progress.setValue(event.done)
        self.progress.setFormat(f"{event.done}/{event.total}")
        self.status_label.setText(f"{event.label}: {event.detail}")

    def _on_ingested(self, result: IngestResult) -> None:
        self.last_results.append(result)
        if result.ok:
            self.refresh_documents(select=result.doc_id)

    def _on_batch_done(self, results: list[IngestResult]) -> None:
        failed = [r for r in results if r.status == "failed"]
        added = [r for r in results if r.ok]
        self._finish_work(f"{len(added)} added or up to date, {len(failed)} could not be read."
                          if failed else f"{len(added)} document(s) ready.")
        if failed:
            self.show_message("Some files could not be read",
                              "\n".join(f"• {r.message}" for r in failed))

    def _on_failed(self, message: str) -> None:
        self._finish_work(message)
        self.show_message("Folioscope", message)

    def cancel_work(self) -> None:
        for job in list(self.jobs.jobs.values()):
            job.cancel()
        self.status_label.setText("Cancelling after the current page…")

    def _finish_work(self, message: str) -> None:
        self._show_progress.stop()
        self._set_busy(False)
        self.status_label.setText(message)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def remove_document(self) -> None:
        if self.doc_id is None:
            return
        name = self.library.document_row(self.doc_id)["name"]
        self.library.remove(self.doc_id)
        self.doc_id = None
        self.refresh_documents()
        self.status_label.setText(f"Removed {name} from the library.")

    def reingest_document(self) -> None:
        if self.doc_id is None:
            return
        path = Path(self.library.document_row(self.doc_id)["path"])
        if not path.exists():
            self.show_message("Folioscope", f"{path.name} is no longer at {path.parent}.")
            return
        self.library.remove(self.doc_id)
        self.add_paths([path])

    def show_message(self, title: str, text: str) -> None:
        """Every message to the user goes through here; non-modal so work goes on."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
        self.last_message = text


def document_html(document, pages: list[dict]) -> str:
    """A reflowed view of a document without page images (DOCX, Markdown, text, transcripts)."""
    out = [f"<p style='color:#1565c0'><b>{html.escape(pages[0]['route'].upper())}</b> · "
           f"{html.escape(pages[0]['reason'].get('why', ''))}</p>"] if pages else []
    for block in document.blocks():
        text = html.escape(block.text)
        if block.role in (Role.HEADING, Role.TITLE):
            level = min(max(block.level, 1), 6)
            out.append(f"<h{level}>{text}</h{level}>")
        elif block.role is Role.LIST_ITEM:
            out.append(f"<p style='margin-left:{16 + 16 * block.level}px'>• {text}</p>")
        elif block.role is Role.TABLE_CELL:
            out.append(f"<p style='background:#f1f3f4; margin-left:8px'>{text}</p>")
        elif block.role is Role.CUE:
            minutes, seconds = divmod(int(block.time or 0), 60)
            out.append(f"<p><span style='color:#888'>[{minutes:02d}:{seconds:02d}]</span> {text}</p>")
        elif block.role is Role.CODE:
            out.append(f"<pre>{text}</pre>")
        else:
            out.append(f"<p>{text}</p>")
    return "\n".join(out)


