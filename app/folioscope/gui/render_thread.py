"""Pages drawn off the GUI thread: a thread that hands render requests to a child process
(`workers.render`) and brings the pixels back as QImages."""

from __future__ import annotations

import queue

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage


class RenderThread(QThread):
    """Renders pages of one document at a time; newer requests supersede older ones.

    The rendering itself runs in a child process (`workers.render.render_shared`): PyMuPDF
    holds the GIL while it draws, and the window would feel every page as a stall. Pixels
    come back as bytes (a few MB a page, copied without holding the GIL for long)."""

    rendered = Signal(int, int, float, QImage)  # generation, page, scale, image

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("render")
        self._requests: queue.Queue = queue.Queue()
        self._generation = 0

    def set_document(self, source: bytes | None, kind: str | None) -> int:
        self._generation += 1
        self._requests.put(("open", self._generation, source, kind))
        return self._generation

    def request(self, generation: int, page: int, page_width: float, scale: float) -> None:
        self._requests.put(("render", generation, page, page_width, scale))

    def stop(self) -> None:
        self._requests.put(("stop",))
        self.wait(5000)

    def run(self) -> None:
        from ..workers.process import WorkerProcess
        from ..workers.render import open_shared, render_shared
        child = WorkerProcess("folioscope-renderer")  # PyMuPDF would hold this process's GIL
        document = None  # (generation, source, kind) of the current document
        opened = None  # the generation whose document the child has open
        while True:
            message = self._requests.get()
            if message[0] == "stop":
                break
            if message[0] == "open":
                _, generation, source, kind = message
                document = (generation, source, kind) if source is not None else None
                continue
            _, gen, page, page_width, scale = message
            if gen != self._generation or document is None or gen != document[0]:
                continue  # superseded by a newer document
            try:
                if opened != gen:
                    opened = None
                    child.call(open_shared, document[1], document[2])
                    opened = gen
                out = child.call(render_shared, page, page_width, scale)
            except (EOFError, ConnectionError, OSError):
                opened = None  # the child died (a damaged page?): the next request restarts it
                continue
            except Exception:  # a page that cannot be rendered stays blank
                continue
            image = QImage(out.samples, out.width, out.height, out.stride,
                           QImage.Format.Format_RGB888).copy()
            self.rendered.emit(gen, page, scale, image)
        child.stop()
