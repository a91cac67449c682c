"""Reading order on forms the layout rules were not made on: folioscope-lab eval forms.

26 pages of US federal tax forms and their instructions (gold/ocr/forms.json says where from
and why they may be copied), split into a tune and a test half by form family. Each page is
rendered from its PDF and degraded like a flatbed scan, with a fixed seed per page, then read
as an image by Folioscope and by rapidocr's grid, as `eval receipts` reads receipts. The gold
is the page's text in the order of the PDF's own accessibility tags (tools/form_gold.py), so
the order it asks for was set by the forms' publisher, not by this project.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zlib
from pathlib import Path

import numpy as np

from .ocr import GOLD_DIR
from .receipts import read_scans, summarise

MANIFEST = GOLD_DIR / "forms.json"
FORMS = GOLD_DIR / "forms"
DPI = 200
MAX_SKEW_DEGREES = 0.8  # a flatbed scan's skew: uniform in ±0.8°, one draw per page


def scan(pdf: Path, page: int, seed: int) -> np.ndarray:
    """The page as a flatbed scanner returns it: rendered grey at 200 dpi, turned by a small
    random skew, slightly blurred, its contrast lowered and sensor noise added. RGB pixels."""
    import cv2
    import pymupdf
    with pymupdf.open(pdf) as doc:
        pix = doc[page].get_pixmap(dpi=DPI, alpha=False, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width).astype(np.float32)
    rng = np.random.default_rng(seed)
    turn = cv2.getRotationMatrix2D((pix.width / 2, pix.height / 2), rng.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES), 1.0)
    grey = cv2.warpAffine(grey, turn, (pix.width, pix.height), flags=cv2.INTER_LINEAR, borderValue=255.0)
    grey = cv2.GaussianBlur(grey, (3, 3), 0.6) * 0.92 + 10 + rng.normal(0, 6, grey.shape)
    return np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)


def form_pages(split: str) -> list[dict]:
    """The manifest's pages of one half, each PDF checked against the one the gold was made from."""
    from folioscope.core import FolioscopeError
    pages = [p for p in json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"] if p["split"] == split]
    for page in pages:
        path = FORMS / "pdf" / page["pdf"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != page["sha256"]:
            raise FolioscopeError(f"{path} is missing or is not the PDF the gold was made from.")
    return pages


def evaluate_forms(split: str = "test", limit: int | None = None) -> dict:
    from PIL import Image
    pages = form_pages(split)[:limit]
    with tempfile.TemporaryDirectory(prefix="folioscope-forms-") as tmp:
        items = []
        for page in pages:
            image = Path(tmp) / page["gold"].replace(".txt", ".png")
            Image.fromarray(scan(FORMS / "pdf" / page["pdf"], page["page"], zlib.crc32(page["gold"].encode()))).save(image)
            items.append(({"page": page["gold"].removesuffix(".txt"), "form": page["form"]}, image,
                          (FORMS / "gold" / page["gold"]).read_text(encoding="utf-8")))
        rows = read_scans(items)
    return {"split": split, "pages": len(rows), "summary": summarise(rows), "rows": rows}
