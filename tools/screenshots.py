"""Write PNGs of the main views to docs/screenshots/ (make screenshots).

Runs the real window offscreen on a fresh library: the sample document and tracemonkey are
read, a chunk is selected, and a question is answered with its evidence on the page.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def wait(app, condition, timeout=900.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not finish in time")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="folioscope-shots-config-")  # default settings
    from PySide6.QtWidgets import QApplication

    from folioscope.gui.main_window import MainWindow
    from folioscope.index import Store
    app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    data = ROOT.parent / "shared" / "data"
    files = [ROOT / "resources" / "sample" / "folioscope-sample.pdf"]
    extra = data / "pdfs" / "pdfjs" / "tracemonkey.pdf"
    if extra.exists():
        files.append(extra)
    with tempfile.TemporaryDirectory(prefix="folioscope-shots-") as folder:
        window = MainWindow(Store(folder))
        window.resize(1440, 900)
        window.show()
        window.add_paths(files)
        wait(app, lambda: window.tasks.running("ingest") is None and window.library.documents())
        window.refresh_documents(select=window.library.documents()[0].id)
        wait(app, lambda: window.page_view.chunk_items and window.page_view.overlays_done)
        window.grab().save(str(OUT / "library.png"))

        window.inspector.step(1)
        window.inspector.step(1)
        wait(app, lambda: True)
        window.grab().save(str(OUT / "chunks.png"))
        window.inspector.grab().save(str(OUT / "inspector.png"))
        window.chapters.grab().save(str(OUT / "chapters.png"))

        window.ask("What replaced open fires in lighthouses?")
        wait(app, lambda: window.tasks.running("ask") is None and hasattr(window, "last_answer"))
        window.show_citation(1)
        wait(app, lambda: True)
        window.grab().save(str(OUT / "answer.png"))
        window.close()
        app.processEvents()
    print(f"screenshots written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
