"""Route accuracy over every PDF in the data, against hand-checked page labels.

`gold/pdf_routes.json` gives, per PDF (path under the data folder), the route each page
should take, or for a file that cannot be read, the kind of failure. The labels were set by
looking at every page: a page whose text is drawn by a visible text layer is "text" (or
"text+ocr" when large images on it carry text of their own), a page that is a scanned image
or whose text layer is hidden is "ocr", a page with nothing on it is "empty".
"""

from __future__ import annotations

import json
from pathlib import Path

EXPECTED_ROUTES: dict[str, list[str] | str] = json.loads(
    (Path(__file__).parent / "gold" / "pdf_routes.json").read_text())
TEXT_ROUTES = {"text", "text+ocr"}


def route_accuracy(data: Path) -> dict:
    """Pages sent to OCR although their text layer is good, and scanned pages not OCR'd.
    Decides routes only (no OCR is run)."""
    from ..core import UnreadableFile
    from ..ingest.pdf import extract_text_layer, open_pdf
    from ..ingest.router import decide
    wrongly_ocr = missed_scans = pages = other = 0
    mistakes = []
    for rel, expected in sorted(EXPECTED_ROUTES.items()):
        if isinstance(expected, str):
            continue
        try:
            doc = open_pdf(data / rel)
        except UnreadableFile:
            mistakes.append({"file": rel, "error": "could not be opened"})
            continue
        for index, page in enumerate(doc):
            got = decide(extract_text_layer(page, index)[1])[0].value
            want = expected[index]
            pages += 1
            if got == "ocr" and want in TEXT_ROUTES:
                wrongly_ocr += 1
            elif want == "ocr" and got != "ocr":
                missed_scans += 1
            elif got != want:
                other += 1
            if got != want:
                mistakes.append({"file": rel, "page": index + 1, "route": got, "expected": want})
        doc.close()
    return {"pages": pages, "good_text_layer_sent_to_ocr": wrongly_ocr,
            "scanned_pages_not_ocrd": missed_scans, "other_route_differences": other,
            "mistakes": mistakes}
