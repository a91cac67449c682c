"""`folioscope-lab bench open FILE`: how soon a person sees a file they open.

A fresh interpreter starts the window offscreen on a fresh library, as a person starts the
app, waits until it has painted, then opens FILE as a drop would. Measured from the drop:

- `first_page_s`: page 1 drawn (from the file itself while it is read, or from the library);
- `text_s`: the pages and text stored (the document listed, its pages searchable by BM25);
- `ready_s`: chunks, vectors and chapters stored;
- `longest_stall_ms`: the longest the window could not react meanwhile (10 ms timer gaps).

With `--batch` the files are dropped together on one window, and for the whole batch:
`all_listed_s` (every dropped file in the library list, its pages viewable from the file),
`all_text_s` (every file's text stored and searchable, or its failure said), `text_s_each`
(when each was), its median and the count within a minute, and `all_ready_s` (every file
ready); `text_s` and `ready_s` are then the first file to get
there. `--one-pass` is the baseline order: each file read to the end before the next.

Beside it, the floor: a plain PyMuPDF open and render of page 1 at the same size, in a fresh
interpreter (`floor_first_page_s`), for PDFs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from folioscope.core import FolioscopeError

_PROBE = r"""
import json, os, sys, tempfile, time
from pathlib import Path
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from folioscope.core.results import IngestResult, IngestStage
from folioscope.gui.main_window import MainWindow
from folioscope.index import Store

def main():
    app = QApplication(sys.argv[:1])
    window = MainWindow(Store(tempfile.mkdtemp()))
    window.resize(1280, 860)
    window.show()
    settle = time.perf_counter() + float(sys.argv[2])
    while time.perf_counter() < settle:  # the window up, as a person waits before dropping
        app.processEvents()
        time.sleep(0.01)
    marks, gaps, last = {}, [], [time.perf_counter()]
    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
    timer = QTimer(interval=10, timeout=tick)
    timer.start()
    def rendered(generation, page, scale, image):
        if page == 0:
            marks.setdefault("first_page_s", time.perf_counter() - started)
    window.page_view._renderer.rendered.connect(rendered)
    files = [Path(f) for f in json.loads(sys.argv[1])]
    if sys.argv[3] == "one-pass":  # the baseline: each file read to the end before the next
        from folioscope.workers.pool import ReaderPool
        ingest = ReaderPool.ingest
        ReaderPool.ingest = lambda self, *args, **kwargs: ingest(self, *args, **kwargs, staged=False)
    texts, results, stored = set(), {}, {}
    def item(event):
        now = time.perf_counter() - started
        if isinstance(event, IngestStage) and event.stage == "text":
            marks.setdefault("text_s", now)
            texts.add(str(event.path))
        elif isinstance(event, IngestResult):
            marks.setdefault("ready_s", now)
            marks.setdefault("status", event.status)
            results[str(event.path)] = event.status
            if len(results) == len(files):
                marks["all_ready_s"] = now
                marks["statuses"] = results
        for path in texts | set(results):  # its text stored, or its failure said
            stored.setdefault(path, now)
        if len(stored) == len(files):
            marks.setdefault("all_text_s", now)
            marks["text_s_each"] = sorted(stored.values())
    started = time.perf_counter()
    job = window.add_paths(files)
    job.item.connect(item)
    if window.doc_list.count() >= len(files):  # every dropped file in the library list
        marks["all_listed_s"] = time.perf_counter() - started
    while not job.isFinished() or ("first_page_s" not in marks and window.page_view.pages
                                    and time.perf_counter() - started < 600):  # a DOCX has no page to draw
        app.processEvents()
        time.sleep(0.002)
    end = time.perf_counter() + 0.3
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)
    timer.stop()
    marks["longest_stall_ms"] = round(1000 * max(gaps or [0]), 1)
    marks["pages"] = len(window.page_view.pages)
    window.close()
    print(json.dumps(marks))

if __name__ == "__main__":
    main()
"""

_FLOOR = r"""
import sys, time
started = time.perf_counter()
import pymupdf
pdf = pymupdf.open(sys.argv[1])
page = pdf[0]
zoom = float(sys.argv[2]) / page.rect.width
page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
print(time.perf_counter() - started)
"""


def open_bench(file: Path | list[Path], settle: float = 3.0, rounds: int = 1, one_pass: bool = False,
               first_pages: int | None = None) -> dict:
    """The marks above for `file` (the median of `rounds` fresh runs), and the floor; for a
    list of files, the batch's marks (`one_pass`: the baseline, each file read to the end
    before the next begins). `first_pages`: a PDF's first N pages, as a PDF of its own
    (PyMuPDF's `insert_pdf`: born-digital pages stay born-digital)."""
    files = [Path(f) for f in file] if isinstance(file, list) else [Path(file)]
    for f in files:
        if not f.is_file():
            raise FolioscopeError(f"{f} is not a file.")
    if first_pages:
        with tempfile.TemporaryDirectory() as folder:
            return open_bench([_excerpt(f, first_pages, Path(folder)) for f in files] if len(files) > 1
                              else _excerpt(files[0], first_pages, Path(folder)), settle, rounds, one_pass)
    file = files[0]
    runs = []
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-c", _PROBE, json.dumps([str(f.resolve()) for f in files]),
                              str(settle), "one-pass" if one_pass else "staged"], capture_output=True, text=True,
                             timeout=3600)
        if out.returncode != 0:
            raise FolioscopeError(f"the window could not open {file.name}: {out.stderr.strip().splitlines()[-1]}")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    report: dict = {"file": file.name, "rounds": rounds, "settle_s": settle}
    if len(files) > 1:
        report["order"] = "one pass per file" if one_pass else "two passes"
        report["all_listed_s"] = runs[-1].get("all_listed_s")
        each = runs[-1].get("text_s_each") or []
        if each:  # when each file's text was stored (or its failure said), in order
            report["text_s_each"] = [round(t, 2) for t in each]
            report["median_text_s"] = round(each[len(each) // 2], 2)
            report["text_within_60_s"] = sum(t <= 60 for t in each)
        report["files"] = [f.name for f in files]
        report["statuses"] = runs[-1].get("statuses")
    for key in ("first_page_s", "text_s", "ready_s", "longest_stall_ms", *(("all_text_s", "all_ready_s")
                                                                           if len(files) > 1 else ())):
        values = sorted(r[key] for r in runs if key in r)
        if values:
            report[key] = round(values[len(values) // 2], 3)
    report["pages"] = runs[-1].get("pages")
    report["status"] = runs[-1].get("status")
    if file.suffix.lower() == ".pdf":
        # the page view draws the widest page 800 units wide at the window's zoom
        out = subprocess.run([sys.executable, "-c", _FLOOR, str(file), "800"], capture_output=True, text=True,
                             timeout=300)
        if out.returncode == 0:
            report["floor_first_page_s"] = round(float(out.stdout.strip()), 3)
    if report.get("ready_s"):
        for key in ("first_page_s", "text_s"):
            if key in report:
                report[key.replace("_s", "_share_of_ready")] = round(report[key] / report["ready_s"], 3)
    return report


def _excerpt(pdf: Path, pages: int, folder: Path) -> Path:
    import pymupdf
    out = folder / f"{pdf.stem}-first-{pages}.pdf"
    with pymupdf.open(pdf) as source, pymupdf.open() as excerpt:
        if source.page_count < pages:
            raise FolioscopeError(f"{pdf.name} has {source.page_count} pages, not {pages}.")
        excerpt.insert_pdf(source, from_page=0, to_page=pages - 1)
        excerpt.save(out)
    return out

