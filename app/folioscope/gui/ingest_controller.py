"""Files coming in: drops, File > Open and Add Folder, watched folders, Read Again and Remove,
with their progress; the reading itself is the reader pool's (`workers.pool`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ..core.results import IngestResult, IngestStage
from ..workers.pool import ReaderPool
from .library_list import ListedFile, listed_pending
from .tasks import TaskThread
from .watch import FolderWatch

if TYPE_CHECKING:
    from .main_window import MainWindow


class IngestController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.pool = ReaderPool(window.settings.readers)  # reading, chunking, storing
        self.pool.warm_up()
        self.last_results: list[IngestResult] = []
        self.failed: dict[str, str] = {}  # path -> why it could not be read (this session)
        self.one_file = False  # the batch being read is one file, not several or a folder
        self.pending: dict[str, ListedFile] = {}  # path -> its row: dropped, not read yet
        self.closed = False
        self.watch = FolderWatch(self)
        self.watch.files_changed.connect(self._on_watched_files)
        self.watch.set_folders(window.settings.watched_folders)

    def stop(self) -> None:
        self.closed = True  # what the readers still send is not shown
        for reader in self.pool.readers:
            reader.stop(graceful=False)

    # ---- choosing files -------------------------------------------------------------------

    def open_files(self) -> None:
        from ..ingest import dialog_filter
        files, _ = QFileDialog.getOpenFileNames(self.window, "Add documents", "", dialog_filter())
        if files:
            self.add_paths([Path(f) for f in files])

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Add a folder")
        if folder:
            self.add_paths([Path(folder)])

    def watch_folder(self, folder: str | None = None) -> None:
        """Read a folder now, and every supported file that appears or changes in it later."""
        settings = self.window.settings
        folder = folder or QFileDialog.getExistingDirectory(self.window, "Watch a folder")
        if not folder:
            return
        if folder not in settings.watched_folders:
            settings.watched_folders.append(folder)
            settings.save()
        self.watch.set_folders(settings.watched_folders)
        self.update_watch_action()
        self.add_paths([Path(folder)])

    def unwatch_folders(self) -> None:
        self.window.settings.watched_folders = []
        self.window.settings.save()
        self.watch.set_folders([])
        self.update_watch_action()
        self.window.status_label.setText("No folder is watched.")

    def update_watch_action(self) -> None:
        folders = self.window.settings.watched_folders
        self.window.unwatch_action.setEnabled(bool(folders))
        self.window.unwatch_action.setToolTip("\n".join(folders))

    def _on_watched_files(self, paths: list[Path]) -> None:
        self.add_paths(paths)
        self.window.status_label.setText(f"{len(paths)} new or changed file(s) in a watched folder: reading.")

    # ---- reading --------------------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> TaskThread:
        w = self.window
        self._list_pending(paths)
        running = w.tasks.running("ingest")
        if running is not None:
            w.status_label.setText("Still reading the previous files; the new ones follow.")
            running.finished.connect(lambda: self.add_paths(paths))
            return running
        self.pool.resize(w.settings.readers)
        # on a task thread: the pool's readers read, chunk and store each file, and only their small
        # results come back, so nothing large is unpickled while the window waits for the GIL
        # (a batch: every file listed and browsable before any is indexed, the open one indexed first)
        task = TaskThread(self.pool.ingest, w.library.folder, paths, w.settings.ingest_options(),
                          w.settings.chunk_options(), name="ingest", first=lambda: w.doc_id)
        task.progressed.connect(w.on_progress)
        task.item.connect(self._on_item)
        task.succeeded.connect(self._on_batch_done)
        task.failed.connect(lambda message: (self._batch_ended(), w.on_failed(message)))
        task.cancelled.connect(lambda: (self._batch_ended(), w.finish_work("Cancelled.")))
        self.last_results = []
        self.one_file = len(paths) == 1 and paths[0].is_file()  # shown as it comes in, like a file opened
        w.start_work(f"Reading {len(paths)} item(s)…")
        return w.tasks.start("ingest", task)

    def _list_pending(self, paths: list[Path]) -> None:
        """Every dropped file listed at once (before a reader takes it), unless the library
        holds it already: chosen, its pages are shown from the file."""
        from ..pipeline import expand_paths
        listed = self.window.doc_list.rows.paths()
        for path in expand_paths(paths):
            key = str(path.resolve())
            if key not in listed and key not in self.failed:
                self.pending[key] = listed_pending(path.resolve())
                self.window.doc_list.put_row(self.pending[key])

    def _settled(self, path: Path) -> None:
        """A dropped file read (its row becomes the document's) or refused."""
        key = str(Path(path).resolve())
        if self.pending.pop(key, None) is not None:
            self.window.doc_list.remove_pending(key)

    def _on_item(self, item: IngestResult | IngestStage) -> None:
        if self.closed:
            return
        if isinstance(item, IngestResult):
            self._on_ingested(item)
            return
        w = self.window
        key = str(Path(item.path).resolve())
        if item.stage == "opened" and key in self.pending:
            self.pending[key] = listed_pending(Path(key), reading=True)
            w.doc_list.put_row(self.pending[key])
        if item.stage == "opened" and item.pages and w.doc_id is None and w.document.pending is None:
            w.document.show_pending(item.path, item.pages)  # page 1 at once, from the file itself
        elif item.stage == "text" and item.doc_id is not None:
            self.pending.pop(key, None)  # its row becomes the document's
            # listed, and shown from the library if it is the one on screen; chunks follow
            w.document_added(item.doc_id, show=self._on_screen(item.path, item.doc_id))

    def _on_ingested(self, result: IngestResult) -> None:
        self.last_results.append(result)
        self._settled(result.path)
        w = self.window
        shown_from_file = w.document.pending == result.path
        if result.ok:
            if self.failed.pop(str(result.path), None) is None:
                w.document_added(result.doc_id, show=self._on_screen(result.path, result.doc_id))
            else:  # its failure row goes
                w.refresh_documents(select=result.doc_id)
            # (shown again by document_added: its chunks and chapters, now stored, with it)
        elif shown_from_file:  # it could not be read, or Cancel: nothing of it is kept
            w.document.show(None)
        if result.status == "failed":
            self.failed[str(result.path)] = result.message
        if result.status in ("failed", "cancelled"):  # a document listed from its text stage is gone
            self.window.refresh_documents()

    def _on_screen(self, path: Path, doc_id: int | None) -> bool:
        """Whether a document just stored is the one to show: it is open, or its pages are shown
        from its file, or nothing is open (a batch does not move the view from file to file)."""
        w = self.window
        return (self.one_file or w.doc_id is None and w.document.pending in (None, path)
                or w.doc_id == doc_id)

    def _batch_ended(self) -> None:
        """Files of a batch stopped by Cancel or an error are no longer waiting."""
        if self.pending:
            self.pending.clear()
            self.window.refresh_documents()

    def _on_batch_done(self, results: list[IngestResult]) -> None:
        self._batch_ended()
        failed = [r for r in results if r.status == "failed"]
        added = [r for r in results if r.ok]
        self.window.finish_work(f"{len(added)} added or up to date, {len(failed)} could not be read."
                                if failed else f"{len(added)} document(s) ready.")
        if failed:
            self.window.show_message("Some files could not be read", "\n".join(f"• {r.message}" for r in failed))

    # ---- removing and reading again --------------------------------------------------------

    def remove_document(self) -> None:
        w = self.window
        if w.doc_id is None:
            return
        name = w.library.document(w.doc_id).name
        w.library.remove(w.doc_id)
        w.document.show(None)
        w.refresh_documents()
        w.status_label.setText(f"Removed {name} from the library.")

    def reingest_document(self) -> None:
        w = self.window
        if w.doc_id is None:
            return
        path = Path(w.library.document(w.doc_id).path)
        if not path.exists():
            w.show_message("Folioscope", f"{path.name} is no longer at {path.parent}.")
            return
        w.library.remove(w.doc_id)
        self.add_paths([path])
