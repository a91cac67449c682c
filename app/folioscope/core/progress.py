"""Progress reporting and cancellation shared by long operations.

Long work takes a `Progress` and calls `progress.step(...)` between units of work. The CLI
prints it, the GUI forwards it to a progress bar from a worker thread, and either can ask
for cancellation, which the work notices at its next step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .errors import Cancelled


@dataclass(frozen=True)
class ProgressEvent:
    label: str  # what is being worked on ("tracemonkey.pdf")
    done: int
    total: int
    detail: str = ""  # the current stage ("page 3: OCR")


class Progress:
    def __init__(self, callback: Callable[[ProgressEvent], None] | None = None,
                 cancel_event: threading.Event | None = None):
        self._callback = callback
        self._cancel = cancel_event or threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def step(self, label: str, done: int, total: int, detail: str = "") -> None:
        """Report progress, then raise `Cancelled` if cancellation was asked for."""
        if self._callback is not None:
            self._callback(ProgressEvent(label, done, total, detail))
        self.check()

