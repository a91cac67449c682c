"""Write PNGs of the main views to docs/screenshots/ (make screenshots).

Runs the real window offscreen on a fresh library: the sample document and tracemonkey are
read, a chunk is selected, and a question is answered with its evidence on the page; a
quarterly filing shows its Part > Item chapters (when $FOLIOSCOPE_LONG_DATA is set); last, a
held-out Qasper paper read as plain text shows the chapters cut from its chunks and titled.
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
        wait(app, lambda: window.tasks.running("ask") is None and bool(window.asking.last_answer))
        window.show_citation(1)
        wait(app, lambda: True)
        window.grab().save(str(OUT / "answer.png"))
        _history_and_exports(app, window, Path(folder))

        paper_pdf = next((d for d in window.library.documents() if d.name == extra.name), None)
        if paper_pdf is not None:  # sections under their chapters, from the paper's own headings
            window.refresh_documents(select=paper_pdf.id)
            wait(app, lambda: window.chapters.tree.topLevelItemCount() > 0)
            window.chapters.resize(420, 620)
            window.chapters.grab().save(str(OUT / "chapters-tree.png"))

        _long_filing(app, window)
        paper = _plain_text_paper(data, Path(folder))  # chapters cut from chunks, titled
        if paper is not None:
            window.add_paths([paper])
            wait(app, lambda: window.tasks.running("ingest") is None
                 and any(d.name == paper.name for d in window.library.documents()))
            window.refresh_documents(select=next(d.id for d in window.library.documents() if d.name == paper.name))
            wait(app, lambda: True)
            window.chapters.grab().save(str(OUT / "chapters-plain-text.png"))
        window.close()
        app.processEvents()
    print(f"screenshots written to {OUT.relative_to(ROOT)}")
    return 0


def _history_and_exports(app, window, folder: Path) -> None:
    """A second question, the first shown again from the Ask panel's list of earlier questions,
    and the annotated copy of the sample (its first two pages, as a PDF reader shows them)."""
    import pymupdf
    window.ask("How much of the light does a Fresnel lens gather?")
    wait(app, lambda: window.tasks.running("ask") is None and window.ask_panel.history.count() == 2)
    window.ask_panel.history.itemClicked.emit(window.ask_panel.history.item(1))
    wait(app, lambda: True)
    window.ask_panel.resize(460, 760)
    window.ask_panel.grab().save(str(OUT / "ask-history.png"))
    out = folder / "sample-annotated.pdf"
    window.interop.export_annotated_pdf(out)
    wait(app, lambda: window.tasks.running("export") is None and out.exists())
    pdf = pymupdf.open(out)
    shots = [pdf[n].get_pixmap(dpi=60, clip=pymupdf.Rect(0, 380, 612, 792) if n == 0 else
                               pymupdf.Rect(0, 0, 612, 250), annots=True) for n in (0, 1)]
    sheet = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, shots[0].width, shots[0].height + shots[1].height), 0)
    sheet.set_rect(sheet.irect, (255, 255, 255))
    shots[0].set_origin(0, 0)  # a clipped pixmap starts where its clip does
    shots[1].set_origin(0, shots[0].height)
    for shot in shots:
        sheet.copy(shot, shot.irect)
    sheet.save(str(OUT / "annotated-pdf.png"))


FILING = "sec-10-q/data/v1/docs/2023 Q3 AAPL.pdf"  # of the long documents' tune half (eval long-structure)


def _long_filing(app, window) -> None:
    """A quarterly report on Form 10-Q: its Part > Item chapter tree and its title in the
    library list, when $FOLIOSCOPE_LONG_DATA holds the long documents."""
    path = Path(os.environ.get("FOLIOSCOPE_LONG_DATA", "/nonexistent")) / FILING
    if not path.exists():
        return
    window.add_paths([path])
    wait(app, lambda: window.tasks.running("ingest") is None
         and any(d.name == path.name for d in window.library.documents()))
    window.refresh_documents(select=next(d.id for d in window.library.documents() if d.name == path.name))
    wait(app, lambda: window.chapters.tree.topLevelItemCount() > 0)
    window.chapters.tree.expandAll()
    window.chapters.resize(460, 520)
    wait(app, lambda: True)
    window.chapters.grab().save(str(OUT / "chapters-filing.png"))
    window.grab().save(str(OUT / "filing.png"))


def _plain_text_paper(data: Path, folder: Path) -> Path | None:
    """A held-out Qasper paper as plain text (no headings), if the shared data is here."""
    if not (data / "qa" / "qasper_dev.json").exists():
        return None
    from folioscope_lab.chapters import paper_text
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.segdata import split_of
    papers = load_papers(data)
    pid = sorted(p for p in papers if split_of(p) == "test")[1]
    (folder / "files").mkdir(exist_ok=True)
    path = folder / "files" / "sentence-relation-modeling.txt"
    path.write_text(paper_text(papers[pid]), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
