"""Watched folders: supported files that appear or change in them are read into the library.

QFileSystemWatcher reports that a folder changed, not what changed; so each report starts a
short timer, and then the folders are listed again and compared (path -> mtime) with the last
listing. A file whose mtime is less than `settle` seconds old may still be being copied: the
listing is taken again later rather than reading half a file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal


class FolderWatch(QObject):
    files_changed = Signal(list)  # Paths new or modified since the last listing

    def __init__(self, parent: QObject | None = None, delay_ms: int = 1000, settle: float = 1.0):
        super().__init__(parent)
        self.folders: list[str] = []
        self.settle = settle
        self._seen: dict[str, float] = {}
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self._timer.start())
        self._timer = QTimer(self, singleShot=True, interval=delay_ms, timeout=self.scan)

    def set_folders(self, folders: list[str]) -> None:
        """Watch these folders (and their subfolders); files already there count as seen."""
        self.folders = [str(Path(f)) for f in folders if Path(f).is_dir()]
        self._rewatch()
        self._seen = self._listing()

    def _rewatch(self) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        folders = []
        for folder in self.folders:
            for root, dirs, _files in os.walk(folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                folders.append(root)
        if folders:
            self._watcher.addPaths(folders)

    def _listing(self) -> dict[str, float]:
        from ..pipeline import expand_paths
        listing = {}
        for path in expand_paths(Path(f) for f in self.folders):
            try:
                listing[str(path)] = path.stat().st_mtime
            except OSError:  # gone between the listing and the stat
                continue
        return listing

    def scan(self) -> list[Path]:
        """List the folders again; emit and return the files that are new or changed."""
        listing = self._listing()
        changed = [p for p, mtime in listing.items() if self._seen.get(p) != mtime]
        if any(time.time() - listing[p] < self.settle for p in changed):
            self._timer.start()  # still being written: look again later
            return []
        self._seen = listing
        self._rewatch()  # new subfolders
        paths = [Path(p) for p in changed]
        if paths:
            self.files_changed.emit(paths)
        return paths
