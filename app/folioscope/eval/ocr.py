"""OCR quality: CER against gold text, Folioscope's page reading vs raw rapidocr, with and
without LLM repair; and consistency across rotated copies of one page."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from ..ingest import IngestOptions, read_document
from .metrics import cer

GOLD = [("pdfs/ocrmypdf/linn.png", "pdfs/ocrmypdf/linn.txt")]
REPAIR_THRESHOLD = 0.995
ROTATED = ["images/ocr_test.pdf", "images/ocr_test_rotated_90.pdf",
           "images/ocr_test_rotated_180.pdf", "images/ocr_test_rotated_270.pdf"]


def document_text(path: Path, options: IngestOptions) -> tuple[str, float, int]:
    started = time.perf_counter()
    doc = read_document(path, options)
    return doc.body_text().text, time.perf_counter() - started, len(doc.pages)


def raw_rapidocr(path: Path) -> tuple[str, float]:
    """rapidocr as it comes: default settings (angle classifier on), its own line order."""
    from rapidocr import RapidOCR
    engine = RapidOCR(params={"Global.log_level": "error"})
    image = np.asarray(Image.open(path).convert("RGB"))
    started = time.perf_counter()
    out = engine(image)
    return "\n".join(out.txts or ()), time.perf_counter() - started


def evaluate_ocr(data: Path, repair: bool = True) -> dict:
    rows = []
    for image_rel, gold_rel in GOLD:
        image, gold = data / image_rel, (data / gold_rel).read_text(encoding="utf-8")
        ours, ours_s, _ = document_text(image, IngestOptions())
        raw, raw_s = raw_rapidocr(image)
        row = {"file": image_rel, "cer_folioscope": round(cer(ours, gold), 4),
               "cer_raw_rapidocr": round(cer(raw, gold), 4),
               "seconds_folioscope": round(ours_s, 2), "seconds_raw_rapidocr": round(raw_s, 2)}
        if repair:
            # A high threshold so that repair is tried at all: on these scans almost every
            # line is recognised with confidence over 0.97.
            options = IngestOptions(repair=True, repair_threshold=REPAIR_THRESHOLD)
            started = time.perf_counter()
            doc = read_document(image, options)
            stats = doc.pages[0].reason.get("repair", {})
            row.update({"cer_with_repair": round(cer(doc.body_text().text, gold), 4),
                        "repair_threshold": REPAIR_THRESHOLD, "repair_tried": stats.get("tried"),
                        "repair_accepted": stats.get("accepted"),
                        "seconds_with_repair": round(time.perf_counter() - started, 2)})
        rows.append(row)
    upright = None
    rotations = []
    for rel in ROTATED:
        text, seconds, _ = document_text(data / rel, IngestOptions())
        upright = text if upright is None else upright
        rotations.append({"file": rel, "cer_vs_upright": round(cer(text, upright), 4),
                          "seconds": round(seconds, 2)})
    return {"ocr_gold": rows, "ocr_rotations": rotations}
