"""`folioscope bench`: the performance report, measured side by side with peers in one run.

- born-digital ingest (read + store) in pages/s, beside the ceiling (raw PyMuPDF
  `get_text("dict")` over the same pages) and pymupdf4llm's `to_markdown`;
- OCR pages/s and CER, beside raw rapidocr on the same images;
- route accuracy on every PDF in the data.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path

from ..core import Progress
from . import default_data_dir

DOCLING_TEXT_PDFS = "pdfs/docling/sources"
SKIP_BORN_DIGITAL = {"invisible_text_layer.pdf"}  # a hidden text layer: OCR route
OCR_IMAGES = ["pdfs/ocrmypdf/linn.png", "pdfs/ocrmypdf/typewriter.png", "images/ocr_test.pdf",
              "images/nemotron_multipage.pdf"]


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def born_digital(paths: list[Path]) -> dict:
    import pymupdf
    from .. import enable_pymupdf_layout
    enable_pymupdf_layout()  # pymupdf4llm as its users run it
    import pymupdf4llm

    from ..index import Library, prepare
    from ..ingest import read_document
    pages = sum(pymupdf.open(p).page_count for p in paths)

    def raw():
        for path in paths:
            with pymupdf.open(path) as doc:
                for page in doc:
                    page.get_text("dict")

    def read_only():
        for path in paths:
            read_document(path)

    def ours():
        """Read, chunk (default strategy: embeddings included) and store."""
        with tempfile.TemporaryDirectory() as folder, Library(folder) as lib:
            for path in paths:
                lib.ingest(path, lambda p, pr: prepare(p, progress=pr), Progress())

    def peer():
        # pymupdf4llm prints its parser messages on stdout; keep them out of the report
        with contextlib.redirect_stdout(io.StringIO()):
            for path in paths:
                pymupdf4llm.to_markdown(str(path), show_progress=False)

    raw()  # warm the file cache and imports
    _, raw_s = _timed(raw)
    _, read_s = _timed(read_only)
    _, ours_s = _timed(ours)
    _, peer_s = _timed(peer)
    return {"files": len(paths), "pages": pages,
            "folioscope_read_pages_per_s": round(pages / read_s, 1),
            "folioscope_read_chunk_store_pages_per_s": round(pages / ours_s, 2),
            "ceiling_get_text_dict_pages_per_s": round(pages / raw_s, 1),
            "pymupdf4llm_pages_per_s": round(pages / peer_s, 1),
            "read_share_of_ceiling": round(raw_s / read_s, 3),
            "read_speedup_over_pymupdf4llm": round(peer_s / read_s, 2),
            "ingest_speedup_over_pymupdf4llm": round(peer_s / ours_s, 2)}


def ocr_throughput(data: Path) -> dict:
    import numpy as np
    from rapidocr import RapidOCR

    from ..ingest import read_document
    from ..ingest.pdf import render
    from ..ingest.image import frames, open_image
    from ..ingest.options import IngestOptions
    images = []
    for rel in OCR_IMAGES:
        path = data / rel
        if path.suffix == ".pdf":
            import pymupdf
            with pymupdf.open(path) as doc:
                images += [render(page, 200)[0] for page in doc]
        else:
            with open_image(path, IngestOptions()) as image:
                images += [np.asarray(frame) for frame in frames(image)]
    engine = RapidOCR(params={"Global.log_level": "error"})
    engine(images[0])  # load the models before timing
    read_document(data / OCR_IMAGES[0])
    _, raw_s = _timed(lambda: [engine(img) for img in images])
    docs, ours_s = _timed(lambda: [read_document(data / rel) for rel in OCR_IMAGES])
    pages = sum(len(d.pages) for d in docs)
    return {"pages": pages, "folioscope_pages_per_s": round(pages / ours_s, 3),
            "raw_rapidocr_pages_per_s": round(len(images) / raw_s, 3),
            "note": "Folioscope decides orientation per page (reads a turned page twice) and "
                    "orders lines by layout; raw rapidocr uses its per-line angle classifier."}


_LAUNCH = """
import os, sys, tempfile, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
from PySide6.QtWidgets import QApplication
from folioscope.gui.main_window import MainWindow
from folioscope.index import Library
if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    window = MainWindow(Library(tempfile.mkdtemp()))
    window.show()
    app.processEvents()
    window.close()
"""


def gui_launch(runs: int = 3) -> dict:
    """Seconds from starting the interpreter to a window that has painted (offscreen)."""
    import subprocess
    import sys
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _LAUNCH], check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - started)
    return {"runs": runs, "seconds_median": round(sorted(times)[runs // 2], 2)}


def run_bench(data: Path | None = None, progress=None) -> dict:
    from .ocr import evaluate_ocr
    from .answerbench import answer_bench
    from .chunkbench import run_chunk_bench
    from .routes import route_accuracy
    data = data or default_data_dir()
    docling = sorted(p for p in (data / DOCLING_TEXT_PDFS).glob("*.pdf") if p.name not in SKIP_BORN_DIGITAL)
    report = {
        "born_digital_tracemonkey": born_digital([data / "pdfs" / "pdfjs" / "tracemonkey.pdf"]),
        "born_digital_docling": born_digital(docling),
        "ocr_throughput": ocr_throughput(data),
        "ocr_quality": evaluate_ocr(data, repair=False)["ocr_gold"],
        "route_accuracy": route_accuracy(data),
        "chunking": run_chunk_bench(data),
        "answers": answer_bench(),
        "gui_launch": gui_launch(),
    }
    return report
