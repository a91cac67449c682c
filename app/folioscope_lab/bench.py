"""`folioscope-lab bench`: the performance report, measured side by side with peers in one run.

Every side is warmed first (models loaded, files cached), then the sides are run in turn,
round after round (at least three), and each reports its median and range:

- born-digital ingest in pages/s: Folioscope reading alone and reading + chunking +
  embedding + chapters + storing (with the time of each stage), beside the ceiling (raw
  PyMuPDF `get_text("dict")` over the same pages) and pymupdf4llm's `to_markdown`;
- OCR pages/s beside raw rapidocr on the same page images, and OCR quality;
- route accuracy, chunking speed, answer speed, the window's start.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import tempfile
import time
from pathlib import Path

from folioscope.core import Progress

from . import default_data_dir
from .timing import ROUNDS, interleaved, rate

DOCLING_TEXT_PDFS = "pdfs/docling/sources"
SKIP_BORN_DIGITAL = {"invisible_text_layer.pdf"}  # a hidden text layer: OCR route
OCR_IMAGES = ["pdfs/ocrmypdf/linn.png", "pdfs/ocrmypdf/typewriter.png", "images/ocr_test.pdf",
              "images/nemotron_multipage.pdf"]


def born_digital(paths: list[Path]) -> dict:
    import pymupdf

    from folioscope import enable_pymupdf_layout
    enable_pymupdf_layout()  # pymupdf4llm as its users run it
    import pymupdf4llm

    from folioscope.index import Store
    from folioscope.ingest import read_document
    from folioscope.pipeline import ingest_file, prepare
    pages = 0
    for path in paths:
        with pymupdf.open(path) as doc:
            pages += doc.page_count
    stages: list[dict[str, float]] = []

    def raw():
        for path in paths:
            with pymupdf.open(path) as doc:
                for page in doc:
                    page.get_text("dict")

    def read_only():
        for path in paths:
            read_document(path)

    def ingest():
        """Read, chunk (default strategy, embeddings included), chapters, store."""
        with tempfile.TemporaryDirectory() as folder, Store(folder) as store:
            total: dict[str, float] = {}
            for path in paths:
                def prepare_timed(p, reader, pr, on_read):
                    prepared = prepare(p, progress=pr, reader=reader, on_read=on_read)
                    for k, v in prepared.timings.items():
                        total[k] = total.get(k, 0.0) + v
                    return prepared
                started = time.perf_counter()
                ingest_file(store, path, prepare_timed, Progress())
                total["whole file"] = total.get("whole file", 0.0) + time.perf_counter() - started
            stages.append(total)

    def peer():
        # pymupdf4llm prints its parser messages on stdout; keep them out of the report
        with contextlib.redirect_stdout(io.StringIO()):
            for path in paths:
                pymupdf4llm.to_markdown(str(path), show_progress=False)

    times = interleaved({"raw": raw, "read": read_only, "ingest": ingest, "peer": peer})
    measured = stages[1:]  # the first was the warm-up
    per_stage = {k: round(statistics.median(s[k] for s in measured) / pages, 4) for k in measured[0]}
    per_stage["store and the rest"] = round(per_stage.pop("whole file") - sum(per_stage.values()), 4)
    median = {k: statistics.median(v) for k, v in times.items()}
    return {"files": len(paths), "pages": pages, "rounds": ROUNDS,
            "folioscope_read_pages_per_s": rate(pages, times["read"], 1),
            "folioscope_ingest_pages_per_s": rate(pages, times["ingest"]),
            "ceiling_get_text_dict_pages_per_s": rate(pages, times["raw"], 1),
            "pymupdf4llm_pages_per_s": rate(pages, times["peer"]),
            "ingest_seconds_per_page_by_stage": per_stage,
            "read_share_of_ceiling": round(median["raw"] / median["read"], 3),
            "read_speedup_over_pymupdf4llm": round(median["peer"] / median["read"], 2),
            "ingest_speedup_over_pymupdf4llm": round(median["peer"] / median["ingest"], 2)}


def ocr_throughput(data: Path) -> dict:
    """Pages per second of the raw engine on decoded page images, beside Folioscope's OCR of the
    same images (orientation, detection, recognition, reading order) and Folioscope reading
    the files (decoding or rendering, routing and the rest included)."""
    from rapidocr import RapidOCR

    from folioscope.ingest import read_document
    from folioscope.ingest.ocr import get_engine
    from folioscope.ingest.scan import scan_blocks

    from .ocr import page_image
    images = []
    for rel in OCR_IMAGES:
        path = data / rel
        if path.suffix == ".pdf":
            import pymupdf
            with pymupdf.open(path) as doc:
                count = doc.page_count
            images += [page_image(path, i) for i in range(count)]
        else:
            images.append(page_image(path))
    engine, ours = RapidOCR(params={"Global.log_level": "error"}), get_engine()
    times = interleaved({"raw rapidocr": lambda: [engine(img) for img in images],
                         "folioscope ocr": lambda: [scan_blocks(ours, img, 0, 1.0) for img in images],
                         "folioscope read": lambda: [read_document(data / rel) for rel in OCR_IMAGES]})
    median = {k: statistics.median(v) for k, v in times.items()}
    return {"pages": len(images), "rounds": ROUNDS,
            "raw_rapidocr_pages_per_s": rate(len(images), times["raw rapidocr"], 3),
            "folioscope_ocr_same_images_pages_per_s": rate(len(images), times["folioscope ocr"], 3),
            "folioscope_read_files_pages_per_s": rate(len(images), times["folioscope read"], 3),
            "ocr_same_images_share_of_raw": round(median["raw rapidocr"] / median["folioscope ocr"], 3),
            "read_files_share_of_raw": round(median["raw rapidocr"] / median["folioscope read"], 3),
            "note": "raw rapidocr: default settings (its per-line angle classifier on), its own line order, on "
                    "page images decoded or rendered (200 dpi) beforehand; Folioscope's OCR: the same images, "
                    "the page's orientation decided once, lines ordered by layout; Folioscope reading the "
                    "files: decoding or rendering each page and routing it included"}


_LAUNCH = """
import os, sys, tempfile, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
from PySide6.QtWidgets import QApplication
from folioscope.gui.main_window import MainWindow
from folioscope.index import Store
if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    window = MainWindow(Store(tempfile.mkdtemp()))
    window.show()
    app.processEvents()
    window.close()
"""


def gui_launch(runs: int = ROUNDS) -> dict:
    """Seconds from starting the interpreter to a window that has painted (offscreen)."""
    import subprocess
    import sys
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _LAUNCH], check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - started)
    times = sorted(times[1:])  # the first run fills the disk cache
    return {"runs": runs, "seconds_median": round(statistics.median(times), 2),
            "range": [round(times[0], 2), round(times[-1], 2)]}


PARTS = ("born_digital", "ocr", "routes", "chunking", "answers", "gui")


def run_bench(data: Path | None = None, progress=None, only: tuple[str, ...] = PARTS) -> dict:
    """The report; `only` names the parts to run (all by default)."""
    from .answerbench import answer_bench
    from .chunkbench import run_chunk_bench
    from .routes import route_accuracy
    data = data or default_data_dir()
    report: dict = {}
    if "born_digital" in only:
        docling = sorted(p for p in (data / DOCLING_TEXT_PDFS).glob("*.pdf") if p.name not in SKIP_BORN_DIGITAL)
        report["born_digital_tracemonkey"] = born_digital([data / "pdfs" / "pdfjs" / "tracemonkey.pdf"])
        report["born_digital_docling"] = born_digital(docling)
    if "ocr" in only:
        report["ocr_throughput"] = ocr_throughput(data)
    if "routes" in only:
        routes = route_accuracy(data)
        routes.pop("differences")
        report["route_accuracy"] = routes
    if "chunking" in only:
        report["chunking"] = run_chunk_bench(data)
    if "answers" in only:
        report["answers"] = answer_bench()
    if "gui" in only:
        report["gui_launch"] = gui_launch()
    return report
