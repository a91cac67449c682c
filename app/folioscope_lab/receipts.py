"""Reading order on receipts the layout rules were not made on: folioscope-lab eval receipts.

48 scanned German receipts (gold/ocr/receipts.json says where from, under which licence, and
how their gold text was made), split into a tune and a test half by merchant. Each page is
read by Folioscope and by rapidocr as it comes (angle classifier on or off, lines in the
detector's order or sorted top down), all in the same run. Scores as in `eval ocr`: CER of
the text in reading order and bag-of-words F1; paired bootstrap intervals by page for
Folioscope against every raw row; pages per second.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from pathlib import Path

from .ocr import GOLD_DIR, folioscope_text, page_image, raw_engines, raw_grid, score
from .stats import paired_bootstrap

MANIFEST = GOLD_DIR / "receipts.json"
OURS = "folioscope"


def receipt_pages(checkout: Path, split: str) -> list[dict]:
    """The manifest's pages of one half, each checked against the scan it was made from."""
    from folioscope.core import FolioscopeError
    pages = [p for p in json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"] if p["split"] == split]
    for page in pages:
        path = checkout / page["image"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != page["sha256"]:
            raise FolioscopeError(f"{path} is missing or is not the scan the gold was made from "
                                  "(check out github.com/softmatic/vision-data at 9062feb).")
    return pages


def evaluate_receipts(checkout: Path, split: str = "test", limit: int | None = None) -> dict:
    pages = receipt_pages(checkout, split)[:limit]
    items = [({"page": p["image"], "merchant": p["merchant"]}, checkout / p["image"],
              (GOLD_DIR / "receipts" / p["gold"]).read_text(encoding="utf-8")) for p in pages]
    rows = read_scans(items)
    return {"split": split, "pages": len(rows), "summary": summarise(rows), "rows": rows}


def read_scans(items: list[tuple[dict, Path, str]]) -> list[dict]:
    """Each scan (what to call its row, the image, its gold text) read by Folioscope and by
    rapidocr's grid, scored, one row per scan; every engine warmed up outside the timings."""
    from folioscope.ingest.ocr import get_engine
    engines = raw_engines()
    get_engine("rapidocr")  # load Folioscope's engine outside the timings
    if items:
        first = page_image(items[0][1])
        folioscope_text(items[0][1], 0)
        for engine in engines.values():
            engine(first)
    rows = []
    for meta, path, gold in items:
        image = page_image(path)
        started = time.perf_counter()
        ours, info = folioscope_text(path, 0)
        rows.append({**meta, OURS: {**score(ours, gold, time.perf_counter() - started),
                                    "order": info["reason"].get("order", "")},
                     **raw_grid(engines, image, gold)})
    return rows


def summarise(rows: list[dict]) -> dict:
    """Per reading: mean CER and bag-of-words F1, pages per second; for each raw reading,
    Folioscope's CER minus its CER (negative: Folioscope reads closer to the gold) with a
    paired interval by page, and Folioscope's speed over its speed."""
    if not rows:
        return {}
    names = [k for k, v in rows[0].items() if isinstance(v, dict)]
    out: dict = {}
    for name in names:
        seconds = sum(r[name]["seconds"] for r in rows)
        out[name] = {"cer": round(statistics.mean(r[name]["cer"] for r in rows), 4),
                     "bow_f1": round(statistics.mean(r[name]["bow_f1"] for r in rows), 4),
                     "pages_per_second": round(len(rows) / seconds, 3) if seconds else None}
    ours_seconds = sum(r[OURS]["seconds"] for r in rows)
    for name in (n for n in names if n != OURS):
        out[name]["folioscope_cer_minus_this"] = paired_bootstrap(
            [r[OURS]["cer"] for r in rows], [r[name]["cer"] for r in rows])
        out[name]["folioscope_bow_f1_minus_this"] = paired_bootstrap(
            [r[OURS]["bow_f1"] for r in rows], [r[name]["bow_f1"] for r in rows])
        out[name]["folioscope_speed_over_this"] = round(sum(r[name]["seconds"] for r in rows) / ours_seconds, 3)
    return out
