"""How sure recognition is of a page's sample lines read as they lie, upright and upside down.

The page's orientation is decided from its longest lines (ingest/ocr/orientation.py). Reading
them turned over as well costs as much again; this prints, for every page of a half, the mean
confidence of the sample read as it lies when the page is upright and when the same page is
turned 180 degrees, so the confidence above which the turned reading can be skipped is chosen
on the tune half and checked on the test half.

    python tools/orientation_margin.py RECEIPTS_CHECKOUT [tune|test]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def sample_confidence(engine, image: np.ndarray) -> float | None:
    from folioscope.ingest.ocr.orientation import SAMPLE_LINES, _bounds, candidate_rotations
    quads = engine.detect_quads(image)
    boxes = [_bounds(q) for q in quads]
    if not boxes or candidate_rotations(boxes) != (0, 180):
        return None
    sample = sorted(range(len(boxes)), key=lambda i: -(boxes[i][2] - boxes[i][0]))[:SAMPLE_LINES]
    read = engine.recognize_lines([engine.crop(image, quads[i]) for i in sample])
    return float(np.mean([s for _, s in read]))


def main() -> None:
    from folioscope.ingest.ocr import get_engine
    from folioscope.ingest.ocr.orientation import rotate_cw
    from folioscope_lab.ocr import GOLD, page_image
    checkout, split = Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "tune"
    manifest = json.loads((Path("app/folioscope_lab/gold/ocr/receipts.json")).read_text(encoding="utf-8"))
    paths = [checkout / p["image"] for p in manifest["pages"] if p["split"] == split]
    data = Path("../shared/data")
    if split == "tune":  # the OCR gold pages are development pages too
        paths += [data / rel for rel, _, _ in GOLD]
    engine = get_engine()
    upright, turned = [], []
    for path in paths:
        image = page_image(path)
        a, b = sample_confidence(engine, image), sample_confidence(engine, rotate_cw(image, 180))
        print(f"{path.name:50} upright {a}  turned over {b}")
        if a is not None and b is not None:
            upright.append(a)
            turned.append(b)
    print(f"{split}: {len(upright)} pages; upright min {min(upright):.3f}, "
          f"turned over max {max(turned):.3f}, median {np.median(turned):.3f}")


if __name__ == "__main__":
    main()
