"""OCR with the real PP-OCR models: quality, orientation, hidden text layers, the corpus."""

from pathlib import Path

import pytest

from folioscope.core import Progress, Route
from folioscope.index import Store
from folioscope.ingest import IngestOptions, read_document
from folioscope.pipeline import ingest_paths
from folioscope_lab.metrics import cer
from folioscope_lab.ocr import GOLD_DIR
from folioscope_lab.routes import PAGE_LABELS, RIGHT_ROUTE

# The OCR models read every page here: about a minute on 2 cores.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


def test_two_column_scan_reads_in_column_order(data):
    doc = read_document(data / "pdfs" / "ocrmypdf" / "linn.png")
    gold = (GOLD_DIR / "linn.txt").read_text(encoding="utf-8")  # typed by hand, PROTOCOL.md
    assert cer(doc.body_text().text, gold) < 0.03  # measured 0.002
    assert doc.pages[0].route is Route.OCR and doc.pages[0].rotation == 0
    assert doc.pages[0].reason["order"].startswith("columns")


def test_receipt_reads_each_label_with_its_amount(data):
    """The payment slip's receipt strip: rows, not all labels and then all amounts."""
    doc = read_document(data / "images" / "qr_bill_example.jpg")
    text = " ".join(doc.body_text().text.split())
    gold = " ".join((GOLD_DIR / "qr_bill_example.txt").read_text(encoding="utf-8").split())
    assert cer(text, gold) < 0.2  # measured 0.133; the engine's lines sorted top-down 0.333
    assert "rows" in doc.pages[0].reason["order"]


@pytest.mark.parametrize("name, rotation", [("ocr_test_rotated_90.pdf", 90), ("ocr_test_rotated_180.pdf", 180),
                                            ("ocr_test_rotated_270.pdf", 270)])
def test_rotated_pages_read_like_the_upright_one(data, name, rotation):
    upright = read_document(data / "images" / "ocr_test.pdf").body_text().text
    assert upright.startswith("Docling bundles PDF document conversion")
    doc = read_document(data / "images" / name)
    assert doc.pages[0].rotation == rotation
    assert cer(doc.body_text().text, upright) < 0.02
    # boxes stay on the page as displayed
    page = doc.pages[0]
    for block in page.blocks:
        assert 0 <= block.box.x0 < block.box.x1 <= page.width + 1
        assert 0 <= block.box.y0 < block.box.y1 <= page.height + 1


def test_hidden_text_layer_is_not_trusted(data):
    doc = read_document(data / "pdfs" / "docling" / "sources" / "invisible_text_layer.pdf")
    text = doc.body_text().text
    assert doc.pages[0].route is Route.OCR
    assert "Visible heading line" in text and "Invisible" not in text


def test_repair_with_the_real_model_only_makes_small_edits(data):
    options = IngestOptions(repair=True, repair_threshold=0.999)
    plain = read_document(data / "pdfs" / "ocrmypdf" / "typewriter.png")
    repaired = read_document(data / "pdfs" / "ocrmypdf" / "typewriter.png", options)
    stats = repaired.pages[0].reason["repair"]
    assert stats["tried"] > 0
    before, after = plain.body_text().text, repaired.body_text().text
    assert cer(after, before) <= 0.15  # never a rewrite
    sources = {b.source.split(":")[0] for b in repaired.blocks()}
    assert sources <= {"ocr", "repaired"} and ("repaired" in sources) == (stats["accepted"] > 0)


SCANS = ["pdfs/ocrmypdf/cardinal.pdf", "images/nemotron_multipage.pdf", "pdfs/ocrmypdf/multipage.pdf"]
BAD = [k for k, v in PAGE_LABELS.items() if isinstance(v, str)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, data):
    """The scanned PDFs (every page OCR'd) and the files that cannot be read, ingested once.
    (Routes of every PDF are checked without OCR in test_router.py.)"""
    lib = Store(tmp_path_factory.mktemp("corpus"))
    paths = [data / rel for rel in SCANS + BAD]
    results = {str(r.path.relative_to(data)): r for r in ingest_paths(lib, paths, progress=Progress())}
    yield lib, results
    lib.close()


def test_scans_ingest_by_ocr_and_bad_files_fail_with_their_reason(corpus, data):
    lib, results = corpus
    failures = {k: r.message for k, r in results.items() if not r.ok}
    assert set(failures) == set(BAD)
    for key, message in failures.items():
        assert PAGE_LABELS[key] in message.replace("password-protected", "encrypted")
    for key in SCANS:
        routes = [p.route for p in lib.pages(results[key].doc_id)]
        assert routes == [RIGHT_ROUTE[label] for label in PAGE_LABELS[key]], key


def test_scanned_pages_have_text_and_boxes(corpus):
    lib, results = corpus
    for key in ("pdfs/ocrmypdf/cardinal.pdf", "images/nemotron_multipage.pdf", "pdfs/ocrmypdf/multipage.pdf"):
        doc = lib.load_document(results[key].doc_id)
        for page in doc.pages:
            assert page.route is Route.OCR
            assert sum(len(b.text) for b in page.blocks) > 20, (key, page.index)
            assert all(b.box is not None and b.source == "ocr:rapidocr" for b in page.blocks)
    cardinal = lib.load_document(results["pdfs/ocrmypdf/cardinal.pdf"].doc_id)
    texts = ["\n".join(b.text for b in p.blocks) for p in cardinal.pages]
    assert [p.rotation for p in cardinal.pages] == [0, 270, 180, 90]
    assert all(cer(t, texts[0]) < 0.03 for t in texts[1:])


def test_multipage_tiff_and_webp_are_read_page_by_page(tmp_path):
    """Images of the sample's first two pages, as one TIFF and as a WEBP, read by OCR
    like the PDF's own text layer."""
    import pymupdf
    from PIL import Image
    sample = Path(__file__).resolve().parent.parent / "resources" / "sample" / "folioscope-sample.pdf"
    pdf = pymupdf.open(sample)
    frames, texts = [], []
    for page in list(pdf)[:2]:
        pix = page.get_pixmap(dpi=150)
        frames.append(Image.frombytes("RGB", (pix.width, pix.height), pix.samples))
        texts.append(page.get_text())
    tiff = tmp_path / "two-pages.tiff"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    webp = tmp_path / "page.webp"
    frames[0].save(webp, quality=90)
    doc = read_document(tiff)
    assert [p.route for p in doc.pages] == [Route.OCR, Route.OCR]
    for page, text in zip(doc.pages, texts):
        assert cer(" ".join(b.text for b in page.blocks), text) < 0.08
    single = read_document(webp)
    assert len(single.pages) == 1 and cer(single.body_text().text, texts[0]) < 0.08
