"""The main window: library and chapters on the left, the page (or reflowed text) with its
overlays in the middle, the chunk inspector and the ask panel on the right.

The window keeps the layout, the menus, the library list and the status bar; three
controllers do the rest: files coming in (`ingest_controller`), the open document
(`document_controller`) and asking (`ask_controller`). Heavy work never runs on the GUI
thread: reading goes to the reader pool's processes, re-chunking and answering to a worker
process, each driven by a task thread."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import Edit, ProgressEvent
from ..index import Store
from ..workers.process import WorkerProcess
from ..workers.tasks import check_model_task as check_model_in_child
from .ask_controller import AskController
from .document_controller import DocumentController
from .ingest_controller import IngestController
from .inspector import Inspector
from .interop_controller import InteropController
from .library_list import LibraryList, listed_document, listed_failure
from .page_view import PageView
from .settings import Settings, SettingsDialog
from .side_panels import AskPanel, ChaptersPanel
from .tasks import TaskRunner, TaskThread
from .text_view import TextView

SHOW_PROGRESS_AFTER_MS = 300


def check_model_task(path: str, *, progress, emit) -> str:
    """Load a GGUF in a throwaway child process (a bad file must not take the window down)."""
    child = WorkerProcess("folioscope-check")
    try:
        return child.call(check_model_in_child, path, progress=progress)
    finally:
        child.stop(graceful=False)


class MainWindow(QMainWindow):
    def __init__(self, library: Store):
        super().__init__()
        self.library = library
        self.tasks = TaskRunner()
        self.worker = WorkerProcess("folioscope-worker")  # re-chunking and answering
        self.settings = Settings.load()
        self.setWindowTitle("Folioscope")
        self.setAcceptDrops(True)
        self.resize(1280, 860)
        self.document = DocumentController(self)
        self.asking = AskController(self)
        self.interop = InteropController(self)
        self._build()
        self.ingest = IngestController(self)
        self._build_menus()
        self._restore_settings()
        self.refresh_documents()
        self.asking.refresh_history()
        self.ingest.update_watch_action()
        # what start-up made (modules, Qt wrappers, the library list) lives as long as the window:
        # left out of Python's full collections, which otherwise stall the window while a long
        # document's pages and chunks are shown
        gc.freeze()

    # what the rest of the window (and its tests) ask of the controllers
    @property
    def doc_id(self) -> int | None:
        return self.document.doc_id

    def add_paths(self, paths: list[Path]) -> TaskThread:
        return self.ingest.add_paths(paths)

    def ask(self, question: str, this_document: bool = True) -> TaskThread | None:
        return self.asking.ask(question, this_document)

    def show_citation(self, number: int) -> None:
        self.asking.show_citation(number)

    def open_at(self, doc_id: int, page: int = 0, offset: int | None = None) -> None:
        self.interop.open_at(doc_id, page, offset)

    # ---- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.splitter = QSplitter()
        self.splitter.addWidget(self._build_library())
        self.splitter.addWidget(self._build_views())
        self.splitter.addWidget(self._build_tabs())
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 680, 380])
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
        self.page_view.page_changed.connect(self.document.on_page_changed)

    def _build_library(self) -> QWidget:
        self.search = QLineEdit(placeholderText="Filter documents")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self._quiet_selection = False
        self.doc_list = LibraryList()
        self.doc_list.selectionModel().currentChanged.connect(self._on_document_selected)
        self.doc_list.setToolTip("Drop files or folders anywhere on the window to add them")
        library_box = QWidget()
        layout = QVBoxLayout(library_box)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(QLabel("<b>Library</b>"))
        layout.addWidget(self.search)
        layout.addWidget(self.doc_list)
        self.chapters = ChaptersPanel()
        self.chapters.chapter_activated.connect(self.document.go_to_chapter)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(library_box)
        left.addWidget(self.chapters)
        left.setSizes([420, 380])
        return left

    def _build_views(self) -> QWidget:
        document = self.document
        self.page_view = PageView()
        self.page_view.chunk_clicked.connect(document.select_chunk)
        self.page_view.gap_locator = document.gap_boxes
        self.page_view.boundary_moved.connect(
            lambda old, new: document.run_chunk_task("edit", edit=Edit("move", old, new)))
        self.text_view = TextView()
        self.text_view.chunk_clicked.connect(document.select_chunk)
        self.empty_view = QLabel("Drop PDFs, Word files, scans, images or transcripts here,\n"
                                 "or use File > Open (Ctrl+O).")
        self.empty_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_view.setStyleSheet("color: #666; font-size: 15px;")
        self.views = QStackedWidget()
        for view in (self.empty_view, self.page_view, self.text_view):
            self.views.addWidget(view)
        self.views.setMinimumWidth(240)
        self.empty_view.setWordWrap(True)
        return self.views

    def _build_tabs(self) -> QWidget:
        document = self.document
        self.inspector = Inspector()
        self.inspector.chunk_selected.connect(lambda idx: document.select_chunk(idx, from_inspector=True))
        self.inspector.strategy_changed.connect(lambda name: document.run_chunk_task("rechunk", strategy=name))
        self.inspector.edit_requested.connect(
            lambda kind, offset, target: document.run_chunk_task("edit", edit=Edit(kind, offset, target)))
        self.inspector.gap_selected.connect(document.go_to_offset)
        self.inspector.undo_requested.connect(lambda: document.run_chunk_task("undo"))
        self.inspector.redo_requested.connect(lambda: document.run_chunk_task("redo"))
        self.ask_panel = AskPanel()
        self.ask_panel.ask_requested.connect(self.asking.ask)
        self.ask_panel.citation_clicked.connect(self.asking.show_citation)
        self.ask_panel.history_chosen.connect(self.asking.show_entry)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inspector, "Inspector")
        self.tabs.addTab(self.ask_panel, "Ask")
        return self.tabs

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None):
            act = QAction(text, self)
            act.triggered.connect(slot)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            menu.addAction(act)
            return act

        ingest, document, keys = self.ingest, self.document, QKeySequence.StandardKey
        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "&Open…", ingest.open_files, keys.Open)
        action(file_menu, "Add &Folder…", ingest.open_folder, "Ctrl+Shift+O")
        action(file_menu, "&Watch Folder…", ingest.watch_folder)
        self.unwatch_action = action(file_menu, "&Stop Watching Folders", ingest.unwatch_folders)
        file_menu.addSeparator()
        self.remove_action = action(file_menu, "&Remove Document", ingest.remove_document, keys.Delete)
        self.reingest_action = action(file_menu, "Read &Again", ingest.reingest_document, "Ctrl+R")
        file_menu.addSeparator()
        action(file_menu, "Import from &Zotero…", lambda: self.interop.import_zotero())
        self.export_pdf_action = action(file_menu, "Export Annotated &PDF…",
                                        lambda: self.interop.export_annotated_pdf(), "Ctrl+Shift+E")
        self.export_notes_action = action(file_menu, "Export &Notes…", lambda: self.interop.export_notes())
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, keys.Quit)
        view_menu = self.menuBar().addMenu("&View")
        action(view_menu, "Zoom &In", lambda: self.page_view.zoom_by(1.25), keys.ZoomIn)
        action(view_menu, "Zoom &Out", lambda: self.page_view.zoom_by(0.8), keys.ZoomOut)
        action(view_menu, "&Fit Width", self.page_view.fit, "Ctrl+0")
        action(view_menu, "&Find Document", self.search.setFocus, keys.Find)
        view_menu.addSeparator()
        action(view_menu, "&Next Page", lambda: document.step_page(1), "Ctrl+PgDown")
        action(view_menu, "&Previous Page", lambda: document.step_page(-1), "Ctrl+PgUp")
        action(view_menu, "Next &Chunk", lambda: self.inspector.step(1), "Alt+Down")
        action(view_menu, "Previous C&hunk", lambda: self.inspector.step(-1), "Alt+Up")
        action(view_menu, "Next Chap&ter", lambda: self.chapters.step(1), "Alt+PgDown")
        action(view_menu, "Previous Cha&pter", lambda: self.chapters.step(-1), "Alt+PgUp")
        document_menu = self.menuBar().addMenu("&Document")
        action(document_menu, "&Undo Chunk Edit", lambda: document.run_chunk_task("undo"), keys.Undo)
        action(document_menu, "&Redo Chunk Edit", lambda: document.run_chunk_task("redo"), keys.Redo)
        ask_menu = self.menuBar().addMenu("&Ask")
        action(ask_menu, "&Ask a Question…", self.asking.focus, "Ctrl+L")
        settings_menu = self.menuBar().addMenu("&Settings")
        action(settings_menu, "&Preferences…", self.edit_settings, keys.Preferences)
        for act in (self.remove_action, self.reingest_action, self.export_pdf_action, self.export_notes_action):
            act.setEnabled(False)

    # ---- settings -------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        return QSettings("Folioscope", "Folioscope")

    def _restore_settings(self) -> None:
        settings = self._settings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter-v2")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event) -> None:
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter-v2", self.splitter.saveState())
        self.tasks.stop_all()
        self.document.stop()
        self.ingest.stop()
        self.worker.stop(graceful=False)
        self.page_view.shutdown()
        gc.unfreeze()  # collected as usual again (a window closed while the application goes on)
        super().closeEvent(event)

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self._check_model, self)
        if dialog.exec():
            self.settings = dialog.result_settings()
            self.settings.save()
            self.status_label.setText("Settings saved.")

    def _check_model(self, path: str, done) -> None:
        task = TaskThread(check_model_task, path, name="check-model")
        task.succeeded.connect(lambda message: done(True, message))
        task.failed.connect(lambda message: done(False, message))
        self.tasks.start("check-model", task)

    # ---- the library list -----------------------------------------------------------------

    def refresh_documents(self, select: int | None = None) -> None:
        """Read every document row again (a removal, a failure, the first showing)."""
        select = select if select is not None else self.doc_id
        rows = [listed_document(doc) for doc in self.library.documents()]
        rows += list(self.ingest.pending.values())  # dropped, not read yet
        rows += [listed_failure(path, message) for path, message in self.ingest.failed.items()]
        self._quiet_selection = True
        try:
            self.doc_list.set_rows(rows)
        finally:
            self._quiet_selection = False
        self._select(select, rows)

    def document_added(self, doc_id: int, show: bool = True) -> None:
        """One document read: only its row is read from the library (all of them took 139 ms
        at ten thousand documents, once per file of an import). `show`: open it (else the open
        document stays open)."""
        self._quiet_selection = True
        try:
            self.doc_list.put_row(listed_document(self.library.document(doc_id)))
        finally:
            self._quiet_selection = False
        if self.doc_list.documents() != self.library.count():  # it replaced another document
            self.refresh_documents(select=doc_id if show else self.doc_id)
            return
        self._select(doc_id if show else self.doc_id, None)

    def _select(self, select: int | None, rows: list | None) -> None:
        row = self.doc_list.row_of(select) if select is not None else None
        if row is not None:
            self.doc_list.select_row(row)  # shows it
        elif select is not None and (rows is None or any(r.doc_id == select for r in rows)):
            self.document.show(select)  # filtered out of the list, still open
        else:  # nothing chosen, or the chosen document is gone
            self.document.show(None)

    def _apply_filter(self, text: str) -> None:
        """Filter the list; the open document stays open (and selected while it is listed)."""
        self._quiet_selection = True
        try:
            self.doc_list.set_filter(text)
            row = self.doc_list.row_of(self.doc_id) if self.doc_id is not None else None
            if row is not None:
                self.doc_list.select_row(row)
            else:
                self.doc_list.clearSelection()
        finally:
            self._quiet_selection = False

    def _on_document_selected(self, current, _previous) -> None:
        if self._quiet_selection:  # the list is being refilled or filtered, not chosen from
            return
        pending = self.doc_list.rows.pending_path(current) if current.isValid() else None
        if pending is not None:  # a file not read yet: its pages from the file itself
            self.document.show_file(Path(pending))
            return
        self.document.show(current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None)

    # ---- drops ----------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.ingest.add_paths(paths)

    # ---- work in progress and messages ----------------------------------------------------

    def start_work(self, message: str) -> None:
        self.status_label.setText(message)
        self.progress.setRange(0, 0)
        self._show_progress.start()

    def on_progress(self, event: ProgressEvent) -> None:
        self.progress.setRange(0, max(event.total, 1))
        self.progress.setValue(event.done)
        self.progress.setFormat(f"{event.done}/{event.total}")
        self.status_label.setText(f"{event.label}: {event.detail}")

    def on_failed(self, message: str) -> None:
        self.finish_work(message)
        self.show_message("Folioscope", message)

    def cancel_work(self) -> None:
        for task in list(self.tasks.tasks.values()):
            task.cancel()
        self.status_label.setText("Cancelling after the current page…")

    def finish_work(self, message: str) -> None:
        self._show_progress.stop()
        self._set_busy(False)
        self.status_label.setText(message)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def show_message(self, title: str, text: str) -> None:
        """Every message to the user goes through here; non-modal so work goes on."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
        self.last_message = text
