"""Read and chunk documents in a child process.

The GUI uses this so that nothing it runs shares the GIL with heavy native code: importing
torch or onnxruntime, or building a page's characters in PyMuPDF, holds the GIL for
seconds. It also keeps a crash in a native reader from taking the window with it. The
child lives for the session; Cancel (or a crash) ends it and the next file starts a new one.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from ..core import Cancelled, FolioscopeError, Progress, UnreadableFile
from .library import Prepared, prepare

POLL_SECONDS = 0.1


def _serve(conn) -> None:
    """The child: prepare each requested file, reporting progress through `conn`."""
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        path, options, chunk_options = request

        def report(event):
            conn.send(("progress", event.label, event.done, event.total, event.detail))
        try:
            prepared = prepare(Path(path), options, chunk_options, Progress(report))
            conn.send(("done", prepared))
        except UnreadableFile as exc:
            conn.send(("unreadable", str(exc)))
        except FolioscopeError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # unexpected: the parent logs it
            import traceback
            conn.send(("unexpected", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


class ProcessPreparer:
    """Callable like `prepare`: prepare(path, options, chunk_options, progress) -> Prepared."""

    def __init__(self) -> None:
        self._context = mp.get_context("spawn")
        self._process = None
        self._conn = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child,), daemon=True,
                                              name="folioscope-reader")
        self._process.start()
        child.close()
        self._conn = parent

    def __call__(self, path: Path, options, chunk_options, progress: Progress) -> Prepared:
        if self._process is None or not self._process.is_alive():
            self._start()
        self._conn.send((str(path), options, chunk_options))
        try:
            while True:
                if not self._conn.poll(POLL_SECONDS):
                    progress.check()
                    if not self._process.is_alive():
                        raise EOFError
                    continue
                message = self._conn.recv()
                kind = message[0]
                if kind == "progress":
                    progress.step(*message[1:])
                elif kind == "done":
                    return message[1]
                elif kind == "unreadable":
                    raise UnreadableFile(message[1])
                elif kind == "error":
                    raise FolioscopeError(message[1])
                else:
                    raise RuntimeError(f"{message[1]}\n{message[2]}")
        except Cancelled:
            self.stop(graceful=False)  # it is busy with the cancelled file
            raise
        except (EOFError, ConnectionError, OSError) as exc:
            self.stop(graceful=False)
            raise UnreadableFile(f"{path.name} made the reader stop unexpectedly; it may be "
                                 f"damaged.") from exc

    def stop(self, graceful: bool = True) -> None:
        if self._process is not None:
            if graceful and self._process.is_alive():
                try:
                    self._conn.send(None)  # the child returns from _serve and exits
                except OSError:
                    pass
                self._process.join(2)
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None
