"""Worker processes: run tasks (reading, chunking and storing files, re-chunking, answering,
rendering pages) in a child process.

The GUI uses this so that nothing it runs shares the GIL with heavy native code: importing
torch or onnxruntime, or building a page's characters in PyMuPDF, holds the GIL for
seconds. It also keeps a crash in a native reader from taking the window with it. A child
lives for the session; Cancel (or a crash) ends it and the next call starts a new one.

A call passes a function (a module-level one, or a `functools.partial` of one: it is
pickled by reference) that takes keyword arguments `progress` (a Progress) and `emit`
(partial results, e.g. answer tokens); both are relayed to the parent.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import threading
from collections.abc import Callable

from ..core import Cancelled, FolioscopeError, Progress, UnreadableFile

POLL_SECONDS = 0.05


def _finish() -> None:
    """Before the child exits when asked to: close the libraries its tasks opened, so that
    what they wrote is indexed for the next process (`Store.close`)."""
    tasks = sys.modules.get("folioscope.workers.tasks")
    if tasks is not None:
        tasks.close_stores()


def _serve(conn) -> None:
    """The child: run each requested call, relaying progress and emitted items."""
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        except Exception as exc:  # a task that cannot be unpickled here (its module fails to import)
            conn.send(("unexpected", f"{type(exc).__name__}: {exc}", ""))
            continue
        if request is None:
            _finish()
            return
        target, args, kwargs = request

        def report(event):
            conn.send(("progress", event.label, event.done, event.total, event.detail))

        def emit(item):
            conn.send(("item", item))
        try:
            result = target(*args, progress=Progress(report), emit=emit, **kwargs)
            conn.send(("done", result))
        except UnreadableFile as exc:
            conn.send(("unreadable", str(exc)))
        except FolioscopeError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # unexpected: the parent logs it
            import traceback
            conn.send(("unexpected", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


class WorkerProcess:
    """A long-lived spawned child that runs one call at a time."""

    def __init__(self, name: str = "folioscope-worker") -> None:
        self._context = mp.get_context("spawn")
        self._process = None
        self._conn = None
        self.name = name
        self._lock = threading.Lock()  # one call at a time (a warm-up and a first file may race)
        self._stopping = threading.Lock()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child,), daemon=True, name=self.name)
        process.start()
        child.close()
        # set once started: `stop` from another thread (the window closing) sees a whole child or none
        self._process, self._conn = process, parent

    def call(self, target: Callable, *args, progress: Progress | None = None, emit=None, **kwargs):
        """Run `target(*args, progress=..., emit=..., **kwargs)` in the child and return its
        result. Cancelling `progress` ends the child (it is busy with the cancelled work)."""
        with self._lock:
            return self._call(target, args, kwargs, progress or Progress(), emit)

    def _call(self, target: Callable, args: tuple, kwargs: dict, progress: Progress, emit):
        if self._process is None or not self._process.is_alive():
            self._start()
        process, conn = self._process, self._conn  # held here: `stop` from another thread clears them
        try:
            conn.send((target, args, kwargs))
            while True:
                if not conn.poll(POLL_SECONDS):
                    progress.check()
                    if not process.is_alive():
                        raise EOFError
                    continue
                message = conn.recv()
                kind = message[0]
                if kind == "progress":
                    progress.step(*message[1:])
                elif kind == "item":
                    if emit is not None:
                        emit(message[1])
                    progress.check()
                elif kind == "done":
                    return message[1]
                elif kind == "unreadable":
                    raise UnreadableFile(message[1])
                elif kind == "error":
                    raise FolioscopeError(message[1])
                else:
                    raise RuntimeError(f"{message[1]}\n{message[2]}")
        except Cancelled:
            self.stop(graceful=False)
            raise
        except (EOFError, ConnectionError, OSError):
            self.stop(graceful=False)
            raise

    def stop(self, graceful: bool = True) -> None:
        """End the child (asked to finish, or killed); safe from any thread, and twice."""
        with self._stopping:
            process, conn = self._process, self._conn
            self._process = self._conn = None
        if process is not None:
            if graceful and process.is_alive() and conn is not None:
                try:
                    conn.send(None)  # the child returns from _serve and exits
                except OSError:
                    pass
                process.join(2)
            if process.is_alive():
                process.kill()
            process.join(5)
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
