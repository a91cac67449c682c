"""Reading order of born-digital PDFs: folioscope-lab eval order.

The docling test PDFs whose ground-truth Markdown is in the data folder are read four ways:
Folioscope (its body text, page headers and footers left out, as a reader sees it), PyMuPDF's
plain text in the order of the content stream (the raw engine), the same sorted top-down, and
pymupdf4llm with PyMuPDF's own layout analysis (`pymupdf-layout`, its ONNX layout model),
whose Markdown is scored like the ground truth. Two scores per document, as in `eval ocr` but
over words: the word error rate of the text in reading order (word edit distance over the
gold's length), which punishes a wrong order, and bag-of-words F1, which does not. Nothing
here is tuned, so every document is a test document; intervals are paired bootstraps by
document.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from .ocr import bag_of_words_f1
from .stats import paired_bootstrap

OURS = "folioscope"
RAW = "pymupdf get_text, content-stream order"
SORTED = "pymupdf get_text, sorted top-down"
LAYOUT = "pymupdf4llm with pymupdf-layout"
_MARKUP = re.compile(r"<!--.*?-->|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)")


def gold_pairs(data: Path) -> list[tuple[Path, Path]]:
    """(PDF, ground-truth Markdown) for every docling test PDF that has one."""
    folder = data / "pdfs" / "docling"
    return [(pdf, folder / "groundtruth" / f"{pdf.stem}.md") for pdf in sorted((folder / "sources").glob("*.pdf"))
            if (folder / "groundtruth" / f"{pdf.stem}.md").is_file()]


def tokens(text: str) -> list[str]:
    """The words of a text or of Markdown (comments, images and link targets left out)."""
    return [w.lower() for w in re.findall(r"\w+", _MARKUP.sub(" ", text))]


def word_error_rate(hypothesis: str, reference: str) -> float:
    ref, hyp = tokens(reference), tokens(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def folioscope_reading(path: Path) -> str:
    from folioscope.core import Role
    from folioscope.ingest import read_document
    doc = read_document(path)
    return "\n\n".join(b.text for page in doc.pages for b in page.blocks if b.role not in (Role.HEADER, Role.FOOTER))


def pymupdf_reading(path: Path, sort: bool) -> str:
    import pymupdf
    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text("text", sort=sort) for page in doc)


_LAYOUT_RUN = """
import contextlib, io, json, sys, time
from folioscope import enable_pymupdf_layout
enable_pymupdf_layout()
import pymupdf4llm
out = []
for i, path in enumerate(sys.argv[2:]):
    with contextlib.redirect_stdout(io.StringIO()):  # its parser messages go to stdout
        if i == 0:
            pymupdf4llm.to_markdown(path, show_progress=False)  # warm up outside the timings
        started = time.perf_counter()
        text = pymupdf4llm.to_markdown(path, show_progress=False)
    out.append({"text": text, "seconds": time.perf_counter() - started})
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(out, f)
"""


def layout_readings(paths: list[Path]) -> list[dict]:
    """pymupdf4llm's Markdown of each file with PyMuPDF's layout model, in a process of its own
    as its users run it (the model changes how PyMuPDF reads once loaded)."""
    import json
    import subprocess
    import sys
    import tempfile
    if not paths:
        return []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "readings.json"
        subprocess.run([sys.executable, "-c", _LAYOUT_RUN, str(out), *map(str, paths)], capture_output=True,
                       check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def _score(text: str, gold: str, seconds: float) -> dict:
    return {"wer": round(word_error_rate(text, gold), 4),
            "bow_f1": round(bag_of_words_f1(" ".join(tokens(text)), " ".join(tokens(gold))), 4),
            "seconds": round(seconds, 3)}


def evaluate_order(data: Path, limit: int | None = None) -> dict:
    readers = {OURS: folioscope_reading, RAW: lambda p: pymupdf_reading(p, False),
               SORTED: lambda p: pymupdf_reading(p, True)}
    pairs = gold_pairs(data)[:limit]
    golds = [gold_md.read_text(encoding="utf-8") for _, gold_md in pairs]
    rows: list[dict] = [{"document": pdf.name} for pdf, _ in pairs]
    for name, reader in readers.items():
        if pairs:
            reader(pairs[0][0])  # warm up outside the timings
        for row, (pdf, _), gold in zip(rows, pairs, golds):
            started = time.perf_counter()
            text = reader(pdf)
            row[name] = _score(text, gold, time.perf_counter() - started)
    for row, reading, gold in zip(rows, layout_readings([pdf for pdf, _ in pairs]), golds):
        row[LAYOUT] = _score(reading["text"], gold, reading["seconds"])
    return {"documents": len(rows), "summary": summarise(rows), "rows": rows}


def summarise(rows: list[dict]) -> dict:
    names = [OURS, RAW, SORTED, LAYOUT]
    out: dict = {name: {"wer_mean": round(statistics.fmean(r[name]["wer"] for r in rows), 4),
                        "bow_f1_mean": round(statistics.fmean(r[name]["bow_f1"] for r in rows), 4),
                        "seconds": round(sum(r[name]["seconds"] for r in rows), 2)} for name in names} if rows else {}
    for other in names[1:] if rows else []:
        out[f"{OURS} minus {other}"] = {
            "wer": paired_bootstrap([r[OURS]["wer"] for r in rows], [r[other]["wer"] for r in rows]),
            "bow_f1": paired_bootstrap([r[OURS]["bow_f1"] for r in rows], [r[other]["bow_f1"] for r in rows])}
    return out
