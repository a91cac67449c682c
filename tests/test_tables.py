"""Born-digital tables: found by PyMuPDF, read row by row, never cut inside a row, and every
chunk that starts inside a table carries the table's header."""

import pytest

from folioscope.core import ChunkOptions, Role, TableSpan
from folioscope.ingest import read_document
from folioscope.pipeline import chunk_document, tables_of
from folioscope.segment.chunker import chunk_text, merge_rows, table_spans
from folioscope.segment.sentences import split_sentences

TABLE_PDFS = ["pdfplumber/nics-background-checks-2015-11.pdf", "pdfplumber/issue-33-lorem-ipsum.pdf",
              "docling/sources/2305.03393v1-pg9.pdf"]


def test_rows_are_never_cut_and_later_parts_carry_the_header():
    header = "Name | Age | City"
    rows = [f"Person {i} is here. | {20 + i} | Town {i}. Nice place." for i in range(60)]
    text = "\n\n".join([header, *rows])
    spans, at = [], 0
    for k, row in enumerate([header, *rows]):
        spans.append(("table_header" if k == 0 else "table_row", 1, at, at + len(row)))
        at += len(row) + 2
    [table] = table_spans(spans)
    assert table.header == (0, len(header)) and len(table.rows) == 61
    # a row of several sentences is one unit
    merged = merge_rows(text, split_sentences(text), [table])
    assert all(any(a <= s.start and s.end <= b for a, b in table.rows) for s in merged)
    chunking = chunk_text(text, ChunkOptions(strategy="fixed", budget=120), tables=[table])
    assert len(chunking.chunks) > 3
    for a, b in table.rows:
        assert sum(1 for c in chunking.chunks if c.start < b and a < c.end) == 1
    for chunk in chunking.chunks[1:]:
        assert chunk.context == header
        assert chunk.indexed_text.startswith(header)


def test_a_document_without_tables_is_chunked_as_before():
    text = "One sentence here. Another one there.\n\nA new paragraph starts."
    plain = chunk_text(text, ChunkOptions(strategy="fixed"))
    with_none = chunk_text(text, ChunkOptions(strategy="fixed"), tables=[])
    assert [(c.start, c.end) for c in plain.chunks] == [(c.start, c.end) for c in with_none.chunks]
    assert all(c.context == "" for c in plain.chunks)
    assert isinstance(TableSpan(0, 1, ((0, 1),)), TableSpan)


@pytest.mark.slow
@pytest.mark.parametrize("rel", TABLE_PDFS)
def test_dev_pdf_tables_are_read_row_by_row_and_kept_whole(data, rel):
    doc = read_document(data / "pdfs" / rel)
    rows = [b for b in doc.blocks() if b.role in (Role.TABLE_HEADER, Role.TABLE_ROW)]
    assert rows and any(" | " in b.text for b in rows)
    assert any("tables" in p.reason for p in doc.pages)
    tables = tables_of(doc)
    chunking = chunk_document(doc, ChunkOptions())
    for table in tables:
        for a, b in table.rows:
            assert sum(1 for c in chunking.chunks if c.start < b and a < c.end) == 1
        for chunk in chunking.chunks:
            if table.start < chunk.start < table.end and table.header is not None:
                assert chunk.context and chunk.indexed_text.startswith(chunk.context)
