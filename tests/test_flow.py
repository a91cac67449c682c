"""Text that runs across page and column breaks stays one paragraph; running headers, footers
and page numbers stay out of it."""

from pathlib import Path

import pytest

from folioscope.core import Block, Box, Page, Role, Route
from folioscope.ingest.flow import goes_on, join_continued, mark_running_lines
from folioscope.segment.sentences import split_sentences

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "sample" / "folioscope-sample.pdf"


@pytest.mark.parametrize("previous, following, joiner", [
    ("A Fresnel lens gathers most of the light of a", "lamp into a beam, yet it is thin.", " "),
    ("the light was seen from far illumi-", "nation of the coast.", ""),
    ("the results are given in the", "Table 3 of the appendix.", " "),  # a break after "the"
    ("The lens was built in 1822.", "lamps were older.", None),  # the sentence had ended
    ("Results", "The model is better.", None),  # an upper-case start after a full word: a new block
    ("on the order of the", "Loops Trees Traces 12 4 37 0 0 1.0 9.3", None),  # a table, not the sentence's end
    ("It works as follows:", "first, the lamp is lit.", None),
])
def test_a_block_goes_on_only_when_the_sentence_was_left_open(previous, following, joiner):
    assert goes_on(previous, following) == joiner


def _page(index: int, *blocks: tuple[str, float, Role]) -> Page:
    page = Page(index=index, width=600, height=800, route=Route.TEXT_LAYER, reason={})
    page.blocks = [Block(text=t, page=index, box=Box(50, y, 550, y + 12), role=r) for t, y, r in blocks]
    return page


def test_running_lines_and_page_numbers_stay_out_of_a_paragraph_that_crosses_pages():
    pages = [_page(i, ("Keepers of the Light: a history", 20, Role.PARAGRAPH),
                   (f"Body text of page {i} goes on and on about the lamps of the", 300, Role.PARAGRAPH),
                   (f"keepers, who wrote page {i}.", 400, Role.PARAGRAPH),
                   (str(i + 1), 780, Role.PARAGRAPH)) for i in range(3)]
    pages[1].blocks[1].text = "towers of the coast and how the light of a"
    assert mark_running_lines(pages) == 6  # three running headers and three page numbers
    assert {b.role for p in pages for b in (p.blocks[0], p.blocks[-1])} == {Role.HEADER, Role.FOOTER}
    # page 0 ends "...page 0." and page 1 starts "towers...": not joined; within pages, joined
    assert join_continued(pages) == 3
    from folioscope.core import Document
    body = Document(title="t", kind="pdf", pages=pages).body_text()
    assert "Keepers of the Light" not in body.text and "\n\n2\n\n" not in body.text
    assert "the light of a keepers, who wrote page 1." in body.text


def test_a_one_page_document_keeps_a_lone_number_at_its_foot():
    pages = [_page(0, ("Total", 700, Role.PARAGRAPH), ("42", 780, Role.PARAGRAPH))]
    assert mark_running_lines(pages) == 0


def _read(path: Path):
    from folioscope.ingest import IngestOptions
    from folioscope.ingest.pdf import read_pdf

    class Quiet:
        def step(self, *args, **kwargs):
            pass
    return read_pdf(path, IngestOptions(), Quiet())


def test_the_samples_fresnel_sentence_is_whole_and_its_spans_are_on_both_pages():
    from folioscope.core import SpanTable
    body = _read(SAMPLE).body_text()
    [sentence] = [s for s in split_sentences(body.text) if "Fresnel lens gathers" in s.text]
    assert sentence.text.endswith("compared with a solid lens of the same power.")
    pages = {page for page, _ in SpanTable(body.spans).line_boxes(sentence.start, sentence.end)}
    assert pages == {0, 1}


def test_a_paragraph_broken_over_a_page_reads_as_one_after_it_is_stored(library):
    """The joined paragraph survives the store: the loaded document gives the same text."""
    import pymupdf

    from folioscope.pipeline import ingest_paths
    path = library.folder / "broken.pdf"
    pdf = pymupdf.open()
    for i, text in enumerate(["Lighthouses guided ships for centuries, and the keepers who tended the",
                              "lamps lived on rocks far from the shore for weeks at a time."]):
        page = pdf.new_page()
        page.insert_text((72, 40), "The Lighthouse Review", fontsize=9)
        page.insert_text((72, 400), text, fontsize=11)
        page.insert_text((300, 820), str(i + 1), fontsize=9)
    pdf.save(path)
    [result] = list(ingest_paths(library, [path]))
    assert result.ok, result.message
    text = library.text(result.doc_id)
    assert "the keepers who tended the lamps lived on rocks" in text
    assert "Lighthouse Review" not in text
    assert library.load_document(result.doc_id).body_text().text == text


def test_a_long_two_column_paper_joins_its_broken_paragraphs_and_drops_its_running_lines(data):
    document = _read(data / "pdfs" / "pdfjs" / "tracemonkey.pdf")
    joined = [b for b in document.blocks() if b.continues is not None]
    body = document.body_text()
    from folioscope.core import SpanTable
    spans = SpanTable(body.spans)
    crossing = [s for s in split_sentences(body.text) if len(spans.pages(s.start, s.end)) > 1]
    assert len(joined) >= 10 and len(crossing) >= 2  # most breaks are column breaks within a page
    for s in crossing:  # a sentence over a page break starts and ends like a sentence
        assert s.text[0].isupper() or not s.text[0].isalpha(), s.text[:80]
        assert not any(b.role in (Role.HEADER, Role.FOOTER) and b.text in s.text for b in document.blocks(False))
