"""Domain types: the span table maps document text back to page boxes."""

import ast
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from folioscope.core import Block, Box, Document, Page, Piece, Role, Route, SpanTable

CORE = Path(__file__).resolve().parent.parent / "app" / "folioscope" / "core"
FORBIDDEN = {"PySide6", "torch", "llama_cpp", "sentence_transformers", "pymupdf", "fitz",
             "rapidocr", "onnxruntime", "sqlite_utils", "sqlite3", "numpy"}


def two_page_document() -> Document:
    first = Block("Alpha beta. Gamma delta", page=0, box=Box(10, 10, 110, 40),
                  pieces=[Piece(0, 11, Box(10, 10, 110, 20)), Piece(12, 23, Box(10, 30, 110, 40))])
    header = Block("Running header", page=0, box=Box(10, 0, 100, 5), role=Role.HEADER)
    second = Block("Epsilon", page=1, box=Box(20, 20, 60, 30))
    return Document(title="t", kind="pdf", pages=[
        Page(0, 200, 300, Route.TEXT_LAYER, {}, blocks=[header, first]),
        Page(1, 200, 300, Route.OCR, {}, blocks=[second])])


def test_body_text_excludes_headers_and_joins_blocks():
    body = two_page_document().body_text()
    assert body.text == "Alpha beta. Gamma delta\n\nEpsilon"
    for block, start in body.block_starts:
        assert body.text[start:start + len(block.text)] == block.text


def test_span_table_round_trip_offset_to_box_to_text():
    doc = two_page_document()
    body = doc.body_text()
    table = SpanTable(body.spans)
    start = body.text.index("Gamma")
    span = table.locate(start)
    assert span.page == 0 and span.box == Box(10, 30, 110, 40)
    assert body.text[span.start:span.end] == "Gamma delta"
    assert table.locate(body.text.index("Epsilon")).page == 1
    assert table.locate(body.text.index("\n\n")) is None  # separators map nowhere
    # part of a line maps to the matching part of its box
    boxes = table.boxes(start, start + len("Gamma"))
    assert len(boxes) == 1 and boxes[0][0] == 0
    box = boxes[0][1]
    assert box.x0 == 10 and 50 < box.x1 < 60
    assert table.pages(0, len(body.text)) == [0, 1]


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0,
                        max_size=40), min_size=1, max_size=12))
def test_every_character_of_every_block_maps_to_its_page(texts):
    blocks = [Block(t, page=i % 3, box=Box(0, i, 10, i + 1)) for i, t in enumerate(texts)]
    pages = [Page(p, 100, 100, Route.TEXT_LAYER, {}, blocks=[b for b in blocks if b.page == p])
             for p in range(3)]
    body = Document("t", "pdf", pages).body_text()
    table = SpanTable(body.spans)
    for block, start in body.block_starts:
        assert body.text[start:start + len(block.text)] == block.text
        for k in range(len(block.text)):
            assert table.locate(start + k).page == block.page


def test_core_imports_no_gui_or_model_library():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
