"""Per-page routing: the decision rule on hand-made features, and every PDF in the data."""


import pymupdf
import pytest

from folioscope.core import Route
from folioscope.ingest.pdf import extract_text_layer
from folioscope.ingest.router import PageFeatures, decide
from folioscope_lab.routes import PAGE_LABELS as LABELS
from folioscope_lab.routes import RIGHT_ROUTE


def features(**kw):
    base = dict(visible_chars=0, invisible_chars=0, garbage_chars=0, image_coverage=0.0,
                untexted_image_coverage=0.0, drawings=0)
    return PageFeatures(**{**base, **kw})


@pytest.mark.parametrize("kw, route", [
    (dict(visible_chars=3000), Route.TEXT_LAYER),
    (dict(), Route.EMPTY),
    (dict(image_coverage=1.0, untexted_image_coverage=1.0), Route.OCR),  # a scan
    (dict(visible_chars=8, image_coverage=0.95, untexted_image_coverage=0.95), Route.OCR),
    (dict(visible_chars=20, invisible_chars=24), Route.OCR),  # hidden text layer
    (dict(invisible_chars=500, image_coverage=1.0), Route.OCR),  # an old OCR layer on a scan
    (dict(visible_chars=1000, garbage_chars=600), Route.OCR),  # broken font encoding
    (dict(visible_chars=400, image_coverage=0.5, untexted_image_coverage=0.5), Route.TEXT_AND_OCR),
    (dict(visible_chars=400, image_coverage=0.5, untexted_image_coverage=0.05), Route.TEXT_LAYER),
    (dict(drawings=5000), Route.OCR),  # outlined text
    (dict(visible_chars=3000, invisible_chars=20), Route.TEXT_LAYER),
])
def test_decide(kw, route):
    decided, reason = decide(features(**kw))
    assert decided is route
    assert reason["why"]  # every decision says why


def test_decide_without_image_ocr_keeps_text_route():
    f = features(visible_chars=400, image_coverage=0.5, untexted_image_coverage=0.5)
    assert decide(f, ocr_images=False)[0] is Route.TEXT_LAYER


def test_every_pdf_in_the_data_is_labelled(data):
    found = {str(p.relative_to(data)) for p in data.rglob("*.pdf")}
    assert found == set(LABELS)


@pytest.mark.parametrize("rel", sorted(LABELS))
def test_routes_of_real_pdfs(data, rel):
    """No born-digital page read by OCR alone, no scan left without OCR, blank pages empty;
    a mixed page keeps its text layer (reading its pictures too is the aim: see
    `folioscope-lab eval routes` for how often it does)."""
    labels = LABELS[rel]
    if isinstance(labels, str):  # a bad input: it must fail to open
        from folioscope.core import UnreadableFile
        from folioscope.ingest import check_readable
        from folioscope.ingest.pdf import open_pdf
        with pytest.raises(UnreadableFile):
            check_readable(data / rel)
            open_pdf(data / rel)
        return
    doc = pymupdf.open(data / rel)
    routes = [decide(extract_text_layer(page, i)[1])[0].value for i, page in enumerate(doc)]
    for page, (label, route) in enumerate(zip(labels, routes), 1):
        if label == "mixed":
            assert route in ("text", "text+ocr"), (page, route)
        elif label == "born-digital":
            assert route in ("text", "text+ocr"), (page, route)
        else:
            assert route == RIGHT_ROUTE[label], (page, label, route)
