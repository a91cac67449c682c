"""The main window: library and chapters on the left, the page (or reflowed text) with its
overlays in the middle, the chunk inspector and the ask panel on the right.

Heavy work never runs on the GUI thread: reading goes to the reader worker process,
re-chunking and answering to a second worker process, each driven by a task thread."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
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

from ..core import Cancelled, Edit, ProgressEvent
from ..core.results import IngestResult
from ..index import ChunkRow, GapRow, Store
from ..workers.process import WorkerProcess
from .inspector import Inspector
from .library_list import LibraryList, listed_document, listed_failure
from .page_view import PageView
from .settings import Settings, SettingsDialog
from .side_panels import AskPanel, ChaptersPanel
from .tasks import TaskRunner, TaskThread
from .text_view import TextView
from .watch import FolderWatch

SHOW_PROGRESS_AFTER_MS = 300


def ingest_task(folder: Path, paths: list[Path], readers: list[WorkerProcess], options=None, chunk_options=None, *,
                progress, emit) -> list[IngestResult]:
    """Runs on a task thread. Each file is read, chunked and stored by a reader worker
    process (`workers.tasks.ingest_task`): only its small result comes back, so nothing
    large is unpickled while the window waits for the GIL. With several readers, each takes
    the next file as it finishes one (SQLite serialises their writes, one document per
    transaction) and the models' threads are shared out between them."""
    import threading

    from ..pipeline import FileProgress, expand_paths
    threads = max(1, (os.cpu_count() or 1) // len(readers))

    def ingest_one(reader: WorkerProcess, path: Path, file_progress) -> IngestResult:
        try:
            return reader.call("folioscope.workers.tasks:ingest_task", folder, path, options, chunk_options,
                               threads=threads if len(readers) > 1 else None, progress=file_progress)
        except Cancelled:
            return IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled.")
        except (EOFError, ConnectionError, OSError):
            result = IngestResult(path=path, status="failed",
                                  message=f"{path.name} made the reader stop unexpectedly; it may be damaged.")
            with Store(folder) as store:
                store.log(result)
            return result

    files = expand_paths(paths)
    results: list[IngestResult] = []
    pending = list(enumerate(files))
    lock = threading.Lock()

    def read_next(reader: WorkerProcess) -> None:
        while True:
            with lock:
                if not pending or progress.cancelled:
                    return
                n, path = pending.pop(0)
            result = ingest_one(reader, path, FileProgress(progress, n, len(files)))
            with lock:
                emit(result)
                results.append(result)
    workers = [threading.Thread(target=read_next, args=(r,), name=f"ingest-{i}")
               for i, r in enumerate(readers[:max(1, len(files))])]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for _, path in pending:  # left after Cancel
        result = IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled.")
        emit(result)
        results.append(result)
    if not progress.cancelled and any(r.status == "added" for r in results):
        try:  # so the first question after an import does not build the indexes
            readers[0].call("folioscope.workers.tasks:index_task", folder, progress=progress)
        except (Cancelled, EOFError, ConnectionError, OSError):
            pass  # cancelled or stopped: the next process that searches brings them in step
    return results


def check_model_task(path: str, *, progress, emit) -> str:
    """Load a GGUF in a throwaway child process (a bad file must not take the window down)."""
    child = WorkerProcess("folioscope-check")
    try:
        return child.call("folioscope.workers.tasks:check_model_task", path, progress=progress)
    finally:
        child.stop(graceful=False)


class MainWindow(QMainWindow):
    def __init__(self, library: Store):
        super().__init__()
        self.library = library
        self.tasks = TaskRunner()
        self.readers = [WorkerProcess("folioscope-reader")]  # reading, chunking, storing
        self.worker = WorkerProcess("folioscope-worker")  # re-chunking and answering
        self.settings = Settings.load()
        self.doc_id: int | None = None
        self.doc_kind: str | None = None
        self.chunk_rows: list[ChunkRow] = []
        self.gap_rows: list[GapRow] = []
        self._spans = None  # the open document's SpanTable, read when first needed
        self.last_results: list[IngestResult] = []
        self.failed: dict[str, str] = {}  # path -> why it could not be read (this session)
        self.setWindowTitle("Folioscope")
        self.setAcceptDrops(True)
        self.resize(1280, 860)
        self._build()
        self._restore_settings()
        self.refresh_documents()
        self.watch = FolderWatch(self)
        self.watch.files_changed.connect(self._on_watched_files)
        self.watch.set_folders(self.settings.watched_folders)
        self._update_watch_action()

    # ---- building -------------------------------------------------------------------------

    def _build(self) -> None:
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
        self.chapters.chapter_activated.connect(self.go_to_chapter)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(library_box)
        left.addWidget(self.chapters)
        left.setSizes([420, 380])

        self.page_view = PageView()
        self.page_view.chunk_clicked.connect(self.select_chunk)
        self.page_view.gap_locator = self._gap_boxes
        self.page_view.boundary_moved.connect(
            lambda old, new: self.run_chunk_task("edit", edit=Edit("move", old, new)))
        self.text_view = TextView()
        self.text_view.chunk_clicked.connect(self.select_chunk)
        self.empty_view = QLabel("Drop PDFs, Word files, scans, images or transcripts here,\n"
                                 "or use File > Open (Ctrl+O).")
        self.empty_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_view.setStyleSheet("color: #666; font-size: 15px;")
        self.views = QStackedWidget()
        for view in (self.empty_view, self.page_view, self.text_view):
            self.views.addWidget(view)
        self.views.setMinimumWidth(240)
        self.empty_view.setWordWrap(True)

        self.inspector = Inspector()
        self.inspector.chunk_selected.connect(lambda idx: self.select_chunk(idx, from_inspector=True))
        self.inspector.strategy_changed.connect(lambda name: self.run_chunk_task("rechunk", strategy=name))
        self.inspector.edit_requested.connect(
            lambda kind, offset, target: self.run_chunk_task("edit", edit=Edit(kind, offset, target)))
        self.inspector.gap_selected.connect(self.go_to_offset)
        self.inspector.undo_requested.connect(lambda: self.run_chunk_task("undo"))
        self.inspector.redo_requested.connect(lambda: self.run_chunk_task("redo"))
        self.ask_panel = AskPanel()
        self.ask_panel.ask_requested.connect(self.ask)
        self.ask_panel.citation_clicked.connect(self.show_citation)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inspector, "Inspector")
        self.tabs.addTab(self.ask_panel, "Ask")

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(self.tabs)
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
        action(file_menu, "&Watch Folder…", self.watch_folder)
        self.unwatch_action = action(file_menu, "&Stop Watching Folders", self.unwatch_folders)
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
        action(view_menu, "Next &Chunk", lambda: self.inspector.step(1), "Alt+Down")
        action(view_menu, "Previous C&hunk", lambda: self.inspector.step(-1), "Alt+Up")
        action(view_menu, "Next Chap&ter", lambda: self.chapters.step(1), "Alt+PgDown")
        action(view_menu, "Previous Cha&pter", lambda: self.chapters.step(-1), "Alt+PgUp")
        document_menu = self.menuBar().addMenu("&Document")
        action(document_menu, "&Undo Chunk Edit", lambda: self.run_chunk_task("undo"), QKeySequence.StandardKey.Undo)
        action(document_menu, "&Redo Chunk Edit", lambda: self.run_chunk_task("redo"), QKeySequence.StandardKey.Redo)
        ask_menu = self.menuBar().addMenu("&Ask")
        action(ask_menu, "&Ask a Question…", self.focus_ask, "Ctrl+L")
        settings_menu = self.menuBar().addMenu("&Settings")
        action(settings_menu, "&Preferences…", self.edit_settings, QKeySequence.StandardKey.Preferences)

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
        for reader in self.readers:
            reader.stop(graceful=False)
        self.worker.stop(graceful=False)
        self.page_view.shutdown()
        super().closeEvent(event)

    # ---- documents ------------------------------------------------------------------------

    def refresh_documents(self, select: int | None = None) -> None:
        """Read every document row again (a removal, a failure, the first showing)."""
        select = select if select is not None else self.doc_id
        rows = [listed_document(doc) for doc in self.library.documents()]
        rows += [listed_failure(path, message) for path, message in self.failed.items()]
        self._quiet_selection = True
        try:
            self.doc_list.set_rows(rows)
        finally:
            self._quiet_selection = False
        self._select(select, rows)

    def _document_added(self, doc_id: int) -> None:
        """One document read: only its row is read from the library (all of them took 139 ms
        at ten thousand documents, once per file of an import)."""
        self._quiet_selection = True
        try:
            self.doc_list.put_row(listed_document(self.library.document(doc_id)))
        finally:
            self._quiet_selection = False
        if self.doc_list.documents() != self.library.count():  # it replaced another document
            self.refresh_documents(select=doc_id)
            return
        self._select(doc_id, None)

    def _select(self, select: int | None, rows: list | None) -> None:
        row = self.doc_list.row_of(select) if select is not None else None
        if row is not None:
            self.doc_list.select_row(row)  # shows it
        elif select is not None and (rows is None or any(r.doc_id == select for r in rows)):
            self.show_document(select)  # filtered out of the list, still open
        else:  # nothing chosen, or the chosen document is gone
            self.show_document(None)

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
        self.show_document(current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None)

    def show_document(self, doc_id: int | None) -> None:
        self.doc_id = doc_id
        self._spans = None
        self.remove_action.setEnabled(doc_id is not None)
        self.reingest_action.setEnabled(doc_id is not None)
        if doc_id is None:
            self.views.setCurrentWidget(self.empty_view)
            self.page_label.clear()
            self.chapters.set_chapters([])
            self.inspector.set_chunks([], [], self.settings.chunk_strategy, False, False)
            return
        row = self.library.document(doc_id)
        pages = self.library.pages(doc_id)
        self.doc_kind = row.kind
        if row.kind in ("pdf", "image"):
            self.page_view.set_document(self.library.source(doc_id), row.kind, pages)
            self.views.setCurrentWidget(self.page_view)
            self._on_page_changed(0)
        else:
            self.text_view.set_text(self.library.text(doc_id), self.library.heading_ranges(doc_id))
            self.views.setCurrentWidget(self.text_view)
            reason = pages[0].reason.get("why", "") if pages else ""
            self.page_label.setText(f"{row.kind} · {pages[0].route if pages else ''}")
            self.page_label.setToolTip(reason)
        self.chapters.set_chapters(self.library.chapters(doc_id))
        # the overlays next, in their own turn of the event loop: the window stays responsive
        QTimer.singleShot(25, lambda: self.load_chunks() if self.doc_id == doc_id else None)

    @property
    def view(self):
        """The view showing the current document (page images or reflowed text)."""
        return self.page_view if self.doc_kind in ("pdf", "image") else self.text_view

    def load_chunks(self) -> None:
        if self.doc_id is None:
            return
        self.chunk_rows = self.library.chunks(self.doc_id)
        self.view.set_chunks(self.chunk_rows)
        edits = self.library.edit_counts(self.doc_id)
        self.gap_rows = self.library.gaps(self.doc_id)
        self.inspector.set_chunks(self.chunk_rows, self.gap_rows,
                                  self.library.chunk_options(self.doc_id).strategy,
                                  bool(edits[0]), bool(edits[1]))

    def spans(self):
        """The open document's span table (text offsets -> page boxes), read once per document."""
        if self._spans is None:
            self._spans = self.library.span_table(self.doc_id)
        return self._spans

    def _gap_boxes(self, lo: int, hi: int) -> list:
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

    def select_chunk(self, idx: int, from_inspector: bool = False) -> None:
        self.view.select_chunk(idx, scroll=from_inspector)
        if not from_inspector:
            self.inspector.select_chunk(idx)
            self.tabs.setCurrentWidget(self.inspector)

    def go_to_chapter(self, chapter) -> None:
        self.go_to_offset(chapter.start, fallback_page=chapter.first_page)

    def go_to_offset(self, offset: int, fallback_page: int = 0) -> None:
        """Scroll to the line holding a character offset of the document."""
        if self.doc_id is None:
            return
        if self.view is self.page_view:
            boxes = self.spans().line_boxes(offset, offset + 80)
            if boxes:
                page, box = boxes[0]
                self.page_view.ensure_visible(self.page_view.page_rect_to_scene(page, box))
            else:
                self.page_view.go_to_page(fallback_page)
        else:
            self.text_view.go_to_offset(offset)

    # ---- chunk edits and strategy (worker process) ----------------------------------------

    def run_chunk_task(self, action: str, **kwargs) -> TaskThread | None:
        if self.doc_id is None:
            return None
        if action in ("undo", "redo") and not (self.inspector.can_undo if action == "undo" else self.inspector.can_redo):
            return None
        doc_id = self.doc_id
        task = TaskThread(lambda *, progress, emit: self.worker.call(
            "folioscope.workers.tasks:chunk_task", self.library.folder, doc_id, action, progress=progress, **kwargs),
            name="chunks")
        task.succeeded.connect(lambda n: self._chunks_done(doc_id, n))
        task.failed.connect(self._chunk_failed)
        task.cancelled.connect(lambda: (self.inspector.set_busy(False), self._finish_work("Cancelled.")))
        self.inspector.set_busy(True)
        self.status_label.setText({"rechunk": "Re-chunking…", "edit": "Applying the edit…",
                                   "undo": "Undoing…", "redo": "Redoing…"}[action])
        self.progress.setRange(0, 0)
        self._show_progress.start()
        return self.tasks.start("chunks", task)

    def _chunks_done(self, doc_id: int, n: int) -> None:
        self.inspector.set_busy(False)
        self._finish_work(f"{n} chunks.")
        if doc_id == self.doc_id:
            self.load_chunks()

    def _chunk_failed(self, message: str) -> None:
        self.inspector.set_busy(False)
        self._on_failed(message)

    # ---- asking (worker process) ----------------------------------------------------------

    def focus_ask(self) -> None:
        self.tabs.setCurrentWidget(self.ask_panel)
        self.ask_panel.question.setFocus()
        self.ask_panel.question.selectAll()

    def ask(self, question: str, this_document: bool = True) -> TaskThread | None:
        if not self.library.count():
            self.show_message("Folioscope", "Add a document first: there is nothing to search yet.")
            return None
        doc_ids = {self.doc_id} if this_document and self.doc_id is not None else None
        self.tabs.setCurrentWidget(self.ask_panel)
        self.ask_panel.start(question)
        self.view.clear_evidence()
        model, threads = self.settings.model or None, self.settings.threads
        task = TaskThread(lambda *, progress, emit: self.worker.call(
            "folioscope.workers.tasks:ask_task", self.library.folder, question, doc_ids, model, threads,
            progress=progress, emit=emit), name="ask")
        task.item.connect(self.ask_panel.add_token)
        task.succeeded.connect(self._answered)
        task.failed.connect(lambda message: (self.ask_panel.show_error(message), self._finish_work(message)))
        task.cancelled.connect(lambda: (self.ask_panel.show_error("Cancelled."), self._finish_work("Cancelled.")))
        self.status_label.setText("Answering…")
        self.progress.setRange(0, 0)
        self._show_progress.start()
        return self.tasks.start("ask", task)

    def _answered(self, result: dict) -> None:
        self.last_answer = result
        self.ask_panel.show_result(result)
        answer = result["answer"]
        self._finish_work("Answered." if answer.found else "Not found in these documents.")
        here = [e for e in answer.evidence if e.doc_id == self.doc_id]
        if here:
            numbers = [n for n, e in enumerate(answer.evidence, 1) if e.doc_id == self.doc_id]
            self.view.set_evidence(here, numbers)

    def show_citation(self, number: int) -> None:
        """Scroll to evidence item `number` (1-based), opening its document if needed."""
        answer = getattr(self, "last_answer", {}).get("answer")
        if answer is None or not 1 <= number <= len(answer.evidence):
            return
        evidence = answer.evidence[number - 1]
        if evidence.doc_id != self.doc_id:
            self.refresh_documents(select=evidence.doc_id)
            self._answered(self.last_answer)
        here = [n for n, e in enumerate(answer.evidence, 1) if e.doc_id == self.doc_id]
        self.view.show_evidence(here.index(number) + 1 if self.view is self.text_view else number)

    # ---- settings -------------------------------------------------------------------------

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

    def _on_page_changed(self, page: int) -> None:
        self.chapters.follow(page)
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

    def watch_folder(self, folder: str | None = None) -> None:
        """Read a folder now, and every supported file that appears or changes in it later."""
        folder = folder or QFileDialog.getExistingDirectory(self, "Watch a folder")
        if not folder:
            return
        if folder not in self.settings.watched_folders:
            self.settings.watched_folders.append(folder)
            self.settings.save()
        self.watch.set_folders(self.settings.watched_folders)
        self._update_watch_action()
        self.add_paths([Path(folder)])

    def unwatch_folders(self) -> None:
        self.settings.watched_folders = []
        self.settings.save()
        self.watch.set_folders([])
        self._update_watch_action()
        self.status_label.setText("No folder is watched.")

    def _update_watch_action(self) -> None:
        folders = self.settings.watched_folders
        self.unwatch_action.setEnabled(bool(folders))
        self.unwatch_action.setToolTip("\n".join(folders))

    def _on_watched_files(self, paths: list[Path]) -> None:
        self.add_paths(paths)
        self.status_label.setText(f"{len(paths)} new or changed file(s) in a watched folder: reading.")

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

    def add_paths(self, paths: list[Path]) -> TaskThread:
        running = self.tasks.running("ingest")
        if running is not None:
            self.status_label.setText("Still reading the previous files; the new ones follow.")
            running.finished.connect(lambda: self.add_paths(paths))
            return running
        task = TaskThread(ingest_task, self.library.folder, paths, self._readers(), self.settings.ingest_options(),
                  self.settings.chunk_options(), name="ingest")
        task.progressed.connect(self._on_progress)
        task.item.connect(self._on_ingested)
        task.succeeded.connect(self._on_batch_done)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(lambda: self._finish_work("Cancelled."))
        self.last_results = []
        self.status_label.setText(f"Reading {len(paths)} item(s)…")
        self.progress.setRange(0, 0)
        self._show_progress.start()
        return self.tasks.start("ingest", task)

    def _readers(self) -> list[WorkerProcess]:
        """As many reader processes as the settings ask for (each started on its first file)."""
        wanted = max(1, self.settings.readers)
        while len(self.readers) < wanted:
            self.readers.append(WorkerProcess(f"folioscope-reader-{len(self.readers) + 1}"))
        while len(self.readers) > wanted:
            self.readers.pop().stop()
        return list(self.readers)

    def _on_progress(self, event: ProgressEvent) -> None:
        self.progress.setRange(0, max(event.total, 1))
        self.progress.setValue(event.done)
        self.progress.setFormat(f"{event.done}/{event.total}")
        self.status_label.setText(f"{event.label}: {event.detail}")

    def _on_ingested(self, result: IngestResult) -> None:
        self.last_results.append(result)
        if result.ok:
            if self.failed.pop(str(result.path), None) is None:
                self._document_added(result.doc_id)
            else:  # its failure row goes
                self.refresh_documents(select=result.doc_id)
        elif result.status == "failed":
            self.failed[str(result.path)] = result.message
            self.refresh_documents()

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
        for task in list(self.tasks.tasks.values()):
            task.cancel()
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
        name = self.library.document(self.doc_id).name
        self.library.remove(self.doc_id)
        self.doc_id = None
        self.refresh_documents()
        self.status_label.setText(f"Removed {name} from the library.")

    def reingest_document(self) -> None:
        if self.doc_id is None:
            return
        path = Path(self.library.document(self.doc_id).path)
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

