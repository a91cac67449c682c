"""OCR quality against hand-made gold text (`eval/gold/ocr/`, protocol in PROTOCOL.md).

Every scanned page with gold is read by Folioscope and by rapidocr as it comes, in four
ways: its per-line angle classifier on or off, its lines in detector order or sorted top
down. Two scores: CER of the text in reading order (edit distance over the gold length,
whitespace collapsed), which punishes a wrong order; and bag-of-words F1, which does not, so
recognition and reading order can be told apart. Also: the four rotations of one page read
alike, and LLM repair of low-confidence lines (off by default) on the two-column page.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from .metrics import cer

GOLD_DIR = Path(__file__).parent / "gold" / "ocr"
# (input under the data folder, page of a PDF, gold file): what each page is
GOLD = [
    ("pdfs/ocrmypdf/linn.png", 0, "linn.txt"),  # two-column product sheet, 1980s scan
    ("pdfs/ocrmypdf/typewriter.png", 0, "typewriter.txt"),  # typewritten Dutch recipe
    ("images/ocr_test.pdf", 0, "ocr_test.txt"),  # image-only PDF, one paragraph
    ("images/qr_bill_example.jpg", 0, "qr_bill_example.txt"),  # Swiss QR bill: letter, table, payment slip
]
ROTATED = ["images/ocr_test.pdf", "images/ocr_test_rotated_90.pdf",
           "images/ocr_test_rotated_180.pdf", "images/ocr_test_rotated_270.pdf"]
REPAIR_THRESHOLD = 0.995
DPI = 200


def words(text: str) -> Counter:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


def bag_of_words_f1(hypothesis: str, reference: str) -> float:
    hyp, ref = words(hypothesis), words(reference)
    common = sum((hyp & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(hyp.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def page_image(path: Path, page: int = 0) -> np.ndarray:
    """The page as the OCR sees it: PDFs rendered at 200 dpi, images as they are (EXIF
    orientation applied)."""
    if path.suffix.lower() == ".pdf":
        import pymupdf

        from folioscope.ingest.pdf import rasterize
        with pymupdf.open(path) as doc:
            return rasterize(doc[page], DPI)[0]
    from PIL import Image, ImageOps
    with Image.open(path) as image:
        image.seek(page)
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def raw_engines() -> dict:
    """rapidocr as it comes, with its per-line angle classifier on and off."""
    from rapidocr import RapidOCR
    return {cls: RapidOCR(params={"Global.log_level": "error", "Global.use_cls": cls}) for cls in (True, False)}


def raw_text(engine, image: np.ndarray, sort: bool) -> str:
    out = engine(image)
    if out.boxes is None or out.txts is None:
        return ""
    lines = [(float(np.min(q[:, 1])), float(np.min(q[:, 0])), t) for q, t in zip(np.asarray(out.boxes), out.txts)]
    if sort:
        lines.sort(key=lambda line: (line[0], line[1]))
    return "\n".join(t for _, _, t in lines)


def score(text: str, gold: str, seconds: float) -> dict:
    """One reading against the gold: CER in reading order, bag-of-words F1, and its time."""
    return {"cer": round(cer(text, gold), 4), "bow_f1": round(bag_of_words_f1(text, gold), 4),
            "seconds": round(seconds, 3)}


def raw_grid(engines: dict, image: np.ndarray, gold: str) -> dict:
    """rapidocr's four readings of `image` (angle classifier on or off; detector order or
    lines sorted top down), each scored against `gold`, by name."""
    rows = {}
    for cls, engine in engines.items():
        for sort in (False, True):
            started = time.perf_counter()
            text = raw_text(engine, image, sort)
            name = f"rapidocr, angle classifier {'on' if cls else 'off'}, " + (
                "lines sorted top-down" if sort else "detector order")
            rows[name] = score(text, gold, time.perf_counter() - started)
    return rows


def folioscope_text(path: Path, page: int, options=None) -> tuple[str, dict]:
    from folioscope.ingest import IngestOptions, read_document
    doc = read_document(path, options or IngestOptions())
    chosen = doc.pages[page]
    text = "\n\n".join(b.text for b in chosen.blocks)
    return text, {"reason": chosen.reason, "timings": chosen.timings}


def evaluate_ocr(data: Path, limit: int | None = None, repair: bool = True) -> dict:
    from folioscope.ingest.ocr import get_engine
    engines = raw_engines()
    get_engine("rapidocr")  # load Folioscope's engine outside the timings
    rows = []
    for rel, page, gold_name in GOLD[:limit]:
        path = data / rel
        gold = (GOLD_DIR / gold_name).read_text(encoding="utf-8")
        image = page_image(path, page)
        for engine in engines.values():
            engine(image)  # warm
        started = time.perf_counter()
        ours, info = folioscope_text(path, page)
        ours_s = time.perf_counter() - started
        row: dict = {"file": rel, "gold": f"eval/gold/ocr/{gold_name}", "gold_words": sum(words(gold).values()),
                     "folioscope": {**score(ours, gold, ours_s), "order": info["reason"].get("order", ""),
                                    "timings": info["timings"]},
                     **raw_grid(engines, image, gold)}
        rows.append(row)
    report: dict = {"pages": rows}
    report["rotations"] = rotations(data)
    if repair and limit is None:
        report["llm_repair"] = repair_effect(data / GOLD[0][0], (GOLD_DIR / GOLD[0][2]).read_text(encoding="utf-8"))
    return report


def rotations(data: Path) -> list[dict]:
    out, upright = [], None
    for rel in ROTATED:
        text, info = folioscope_text(data / rel, 0)
        upright = text if upright is None else upright
        out.append({"file": rel, "cer_vs_upright": round(cer(text, upright), 4)})
    return out


def repair_effect(path: Path, gold: str) -> dict:
    """CER with LLM repair forced to try (a high threshold: almost every line of these
    scans is recognised with confidence over 0.97)."""
    from folioscope.ingest import IngestOptions
    plain, _ = folioscope_text(path, 0)
    repaired, info = folioscope_text(path, 0, IngestOptions(repair=True, repair_threshold=REPAIR_THRESHOLD))
    stats = info["reason"].get("repair", {})
    return {"file": path.name, "threshold": REPAIR_THRESHOLD, "lines_tried": stats.get("tried"),
            "lines_accepted": stats.get("accepted"), "cer_without": round(cer(plain, gold), 4),
            "cer_with": round(cer(repaired, gold), 4)}
