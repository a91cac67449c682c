"""Route accuracy: the router's decision on every page of every PDF in the data, against
labels of what each page is (`gold/pdf_pages.json`, made as `gold/ROUTES.md` describes),
set independently of the router's own categories."""

from __future__ import annotations

import json
from pathlib import Path

PAGE_LABELS: dict[str, list[str] | str] = json.loads(
    (Path(__file__).parent / "gold" / "pdf_pages.json").read_text())
RIGHT_ROUTE = {"born-digital": "text", "scan": "ocr", "mixed": "text+ocr", "blank": "empty", "garbled": "ocr"}


def route_accuracy(data: Path) -> dict:
    """Counts of each kind of disagreement; no OCR is run."""
    from folioscope.core import UnreadableFile
    from folioscope.ingest.pdf import extract_text_layer, open_pdf
    from folioscope.ingest.router import decide
    counts = {"pages": 0, "right": 0, "born_digital_sent_to_ocr": 0, "scans_not_ocrd": 0,
              "mixed_pictures_not_read": 0, "born_digital_images_ocrd": 0, "other": 0}
    by_label: dict[str, int] = {}
    mistakes = []
    for rel, labels in sorted(PAGE_LABELS.items()):
        if isinstance(labels, str):
            continue
        try:
            doc = open_pdf(data / rel)
        except UnreadableFile:
            mistakes.append({"file": rel, "error": "could not be opened"})
            continue
        for index, page in enumerate(doc):
            got = decide(extract_text_layer(page, index)[1])[0].value
            label = labels[index]
            by_label[label] = by_label.get(label, 0) + 1
            counts["pages"] += 1
            if got == RIGHT_ROUTE[label]:
                counts["right"] += 1
                continue
            if label == "born-digital" and got == "ocr":
                counts["born_digital_sent_to_ocr"] += 1
            elif label == "scan" and got != "ocr":
                counts["scans_not_ocrd"] += 1
            elif label == "mixed" and got == "text":
                counts["mixed_pictures_not_read"] += 1
            elif label == "born-digital" and got == "text+ocr":
                counts["born_digital_images_ocrd"] += 1
            else:
                counts["other"] += 1
            mistakes.append({"file": rel, "page": index + 1, "label": label, "route": got})
        doc.close()
    return {**counts, "labels": by_label, "differences": mistakes}
