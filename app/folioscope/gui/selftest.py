"""`Folioscope --self-test`: prove a build works without a screen.

Starts Qt offscreen and shows the window, reads the bundled sample document into a
temporary library, chunks it, builds its chapters and answers one question from it, then
prints the timings and exits 0 (1 with the reason on any failure).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "What replaced open fires in lighthouses?"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = now - since
        return now

    try:
        from PySide6.QtWidgets import QApplication

        from ..answer.ask import ask
        from ..embed import shared_embedder
        from ..index import Store
        from ..llm import answer_llm
        from ..models import sample_document
        from ..pipeline import ingest_paths
        from .main_window import MainWindow
        t = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="folioscope-selftest-") as folder:
            app = QApplication.instance() or QApplication(sys.argv[:1])
            library = Store(Path(folder))
            window = MainWindow(library)
            window.show()
            app.processEvents()
            t = lap("window", t)
            [result] = list(ingest_paths(library, [sample_document()]))
            if not result.ok:
                raise RuntimeError(result.message)
            t = lap("read + chunk + chapters", t)
            chunks = library.chunks(result.doc_id)
            chapters = library.chapters(result.doc_id)
            answer = ask(library, QUESTION, {result.doc_id}, llm=answer_llm(), encoder=shared_embedder()).answer
            t = lap("answer", t)
            window.close()
            library.close()
        if not chunks or not chapters or not answer.evidence:
            raise RuntimeError("the sample gave no chunks, chapters or evidence")
    except Exception as exc:  # the point is to say what broke, in one line
        print(f"self-test failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    timings["total"] = time.perf_counter() - started
    print(f"self-test passed: {len(chunks)} chunks, {len(chapters)} chapters, "
          f"{len(answer.evidence)} evidence sentences")
    print(f"answer: {answer.text[:120]}")
    for name, seconds in timings.items():
        print(f"  {name:26} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
