"""Background tasks for the GUI: run a plain function off the GUI thread.

The function takes a `Progress` (and an `emit` callback for partial results); the task turns
those into Qt signals, which arrive on the GUI thread. Cancel sets the progress's flag; the
function notices it at its next step. A user-caused error (`FolioscopeError`) arrives as its
message; cancellation is silent; anything else is logged with its traceback.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from PySide6.QtCore import QThread, Signal

from ..core import Cancelled, FolioscopeError, Progress

log = logging.getLogger(__name__)


class TaskThread(QThread):
    progressed = Signal(object)  # ProgressEvent
    item = Signal(object)  # a partial result the function emitted
    succeeded = Signal(object)  # the function's return value
    failed = Signal(str)  # one sentence for the user
    cancelled = Signal()

    def __init__(self, fn: Callable[..., object], *args, name: str = "task", **kwargs):
        super().__init__()
        self.setObjectName(name)
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._cancel = threading.Event()
        self.error: BaseException | None = None  # unexpected errors, for tests to inspect

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        progress = Progress(self.progressed.emit, self._cancel)
        try:
            result = self._fn(*self._args, progress=progress, emit=self.item.emit, **self._kwargs)
        except Cancelled:
            self.cancelled.emit()
        except FolioscopeError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # unexpected: log it, tell the user in one sentence
            self.error = exc
            log.exception("background task %s failed", self.objectName())
            self.failed.emit(f"Something went wrong ({type(exc).__name__}: {exc}). "
                             f"Details are in the log.")
            if os.environ.get("FOLIOSCOPE_STRICT") == "1":
                raise
        else:
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                self.succeeded.emit(result)


class TaskRunner:
    """Keeps running tasks alive, supersedes stale ones by key, and stops all on exit."""

    def __init__(self) -> None:
        self.tasks: dict[str, TaskThread] = {}

    def start(self, key: str, task: TaskThread) -> TaskThread:
        old = self.tasks.get(key)
        if old is not None and old.isRunning():
            old.cancel()
        self.tasks[key] = task
        task.finished.connect(lambda: self.tasks.get(key) is task and self.tasks.pop(key, None))
        task.start()
        return task

    def running(self, key: str) -> TaskThread | None:
        task = self.tasks.get(key)
        return task if task is not None and task.isRunning() else None

    def stop_all(self, timeout_ms: int = 10_000) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        for task in list(self.tasks.values()):
            task.wait(timeout_ms)
