"""Headings a reader sees in a PDF without a bigger font, and a title a person recognises."""

import pytest

from folioscope.ingest.headings import document_title, looks_like_heading, numbered_rank, reads_like_title

ITEMS = [("PART I", None), ("Item 1. Business", "business"), ("Item 1A. Risk Factors", "risk"),
         ("Item 2. Properties", "properties"), ("PART II", None),
         ("Item 7. Management's Discussion and Analysis", "analysis"), ("Item 8. Financial Statements", "statements")]
TOPICS = {
    "business": "The company designs lighthouse lenses and sells them to harbour authorities in many countries. ",
    "risk": "Demand for lenses may fall when harbours switch to satellite navigation and shipping declines. ",
    "properties": "The company leases a factory near the coast and owns a warehouse with a testing tower. ",
    "analysis": "Revenue rose because harbour authorities renewed old lenses and bought spare lamps this year. ",
    "statements": "The balance sheet lists cash, receivables, inventories of glass and the value of the factory. ",
}


def filing(path):
    """A 10-K-like PDF: a cover set large, a contents page, then bold body-size Part and Item
    headings over pages of body text, a running header and page numbers; its metadata title
    is an accession number."""
    import pymupdf
    pdf = pymupdf.open()
    cover = pdf.new_page()
    cover.insert_text((72, 150), "UNITED STATES SECURITIES AND EXCHANGE COMMISSION", fontsize=14)
    cover.insert_text((72, 200), "FORM 10-K", fontsize=18, fontname="hebo")
    cover.insert_text((72, 250), "Example Lenses Corp.", fontsize=18, fontname="hebo")
    cover.insert_text((72, 320), "Annual report for the fiscal year ended December 31, 2015.", fontsize=10)
    contents = pdf.new_page()
    contents.insert_text((72, 60), "Example Lenses Corp. 2015 Form 10-K", fontsize=8)
    contents.insert_text((72, 100), "TABLE OF CONTENTS", fontsize=10, fontname="hebo")
    for i, (heading, _) in enumerate(ITEMS):
        contents.insert_text((72, 140 + 22 * i), f"{heading}", fontsize=10)
        contents.insert_text((480, 140 + 22 * i), str(3 + 2 * i), fontsize=10)
    for heading, topic in ITEMS:
        for part in range(2 if topic else 1):
            page = pdf.new_page()
            page.insert_text((72, 60), "Example Lenses Corp. 2015 Form 10-K", fontsize=8)
            y = 110
            if part == 0:
                page.insert_text((72, y), heading, fontsize=10, fontname="hebo")
                y += 30
            if topic:
                body = TOPICS[topic] * 12
                page.insert_textbox(pymupdf.Rect(72, y, 520, 760), body, fontsize=10)
            page.insert_text((300, 810), str(pdf.page_count), fontsize=8)
    pdf.set_metadata({"title": "0001193125-16-456789"})
    pdf.save(path)
    return path


@pytest.mark.parametrize("line, rank", [("PART II", 0), ("Item 1A. Risk Factors", 1), ("ITEM 7.", 1),
                                        ("Chapter IV", 1), ("Appendix B", 1), ("1. Introduction", 2),
                                        ("2.3 Results", 3), ("The lens was made in 1823.", None),
                                        ("12", None)])
def test_numbering_families_from_the_top_down(line, rank):
    assert numbered_rank(line) == rank


def test_a_numbered_line_is_a_heading_only_when_set_like_one():
    assert looks_like_heading("Item 1. Business", bold=True, lines=1) == 1
    assert looks_like_heading("ITEM 1. BUSINESS", bold=False, lines=1) == 1
    assert looks_like_heading("Item 1. Business", bold=False, lines=1) is None  # plain body text
    assert looks_like_heading("Item 1. Business 3", bold=True, lines=1) is None  # a contents entry
    assert looks_like_heading("Item 1. Business", bold=True, lines=4) is None  # a paragraph


@pytest.mark.parametrize("title, ok", [("0001193125-16-456789", False), ("Microsoft Word - draft.docx", False),
                                       ("report_final.pdf", False), ("", False), ("Untitled", False),
                                       ("Free Culture", True), ("Annual Report 2015", True)])
def test_a_metadata_title_is_used_only_when_it_reads_like_one(title, ok):
    assert reads_like_title(title) is ok
    assert (document_title(title, "file-stem", []) == title) is ok


def test_a_filing_gets_a_chapter_per_item_and_a_title_from_its_cover(library):
    from folioscope.pipeline import ingest_paths
    path = filing(library.folder / "0001193125-16-456789.pdf")
    [result] = list(ingest_paths(library, [path]))
    assert result.ok, result.message
    doc = library.document(result.doc_id)
    assert "Example Lenses Corp." in doc.title and "FORM 10-K" in doc.title
    chapters = library.chapters(result.doc_id)
    titles = [c.title for c in chapters]
    items = [h for h, topic in ITEMS if topic]
    assert [t for t in titles if t.startswith("Item")] == items, titles
    first = {c.title: c.first_page for c in chapters}
    assert first["Item 1. Business"] == 3 and first["Item 8. Financial Statements"] == 12
    assert not any("Form 10-K" in t for t in titles)  # the running header heads nothing


def test_headings_that_leave_one_chapter_most_of_a_long_document_give_way_to_chunk_chapters():
    from folioscope.chapters.build import ChapterInput, build_chapters
    from folioscope.chapters.structure import Heading
    text = "Cover words. " * 20 + "".join(f"Topic {i} talks about lenses and lamps at length. " * 40 for i in range(12))
    cuts = list(range(0, len(text), 400))
    chunks = [(s, min(s + 400, len(text)), 0.5) for s in cuts]
    first = Heading(0, "Front", 1, 0)
    late = Heading(len(text) - 300, "Signatures", 1, 9)  # covers the last lines only
    inp = ChapterInput(title="Filing", text=text, chunks=chunks, headings=[first, late],
                       pages_of=lambda s, e: list(range(s * 10 // len(text), max(e - 1, s) * 10 // len(text) + 1)))
    chapters, _ = build_chapters(inp)
    assert len(chapters) > 2 and all(c.title_source != "headings" for c in chapters)
    longest = max(c.end - c.start for c in chapters)
    assert longest < 0.5 * len(text)


def test_a_bold_line_of_its_own_is_a_heading_below_the_numbered_ones():
    from folioscope.ingest.headings import UNNUMBERED
    assert looks_like_heading("Costs of Compliance", bold=True, lines=1) == UNNUMBERED > 3
    assert looks_like_heading("Costs of compliance are listed below.", bold=True, lines=1) is None  # a sentence
    assert looks_like_heading("Costs of Compliance", bold=False, lines=1) is None
    assert looks_like_heading("see the table", bold=True, lines=1) is None  # no capital


def test_without_larger_text_the_title_is_an_unnumbered_heading_at_the_top_of_page_one():
    from folioscope.core import Block, Role
    heading = Block("The Evolution of the Word Processor", 0, None, role=Role.HEADING)
    numbered = Block("5.1 Hyper Parameter Optimization", 0, None, role=Role.HEADING)
    body = Block("The concept of the word processor predates modern computers.", 0, None)
    assert document_title("", "multi_page", [(heading, 12.0), (body, 12.0)], 12.0) == heading.text
    assert document_title("", "page-9", [(numbered, 12.0), (body, 12.0)], 12.0) == "page-9"


def glued(path, heading: str, body: str):
    """A PDF whose heading line and the paragraph under it are one block of PyMuPDF's."""
    import pymupdf
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_htmlbox(pymupdf.Rect(72, 72, 520, 400),
                        f"<p style='margin:0'><b style='font-size:14px'>{heading}</b><br/>{body}</p>")
    pdf.save(path)
    return path


def test_a_heading_set_larger_above_its_paragraph_in_one_block_is_a_heading_of_its_own(tmp_path):
    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    body = ("What are the enablers and barriers to day-case surgery in urology departments across the "
            "country, and how do they differ between hospitals of different sizes?")
    doc = read_document(glued(tmp_path / "glued.pdf", "Research Question", body), IngestOptions(ocr_images=False))
    blocks = doc.pages[0].blocks
    assert [(b.role, b.text) for b in blocks][:1] == [(Role.HEADING, "Research Question")]
    assert blocks[1].role == Role.PARAGRAPH and blocks[1].text.startswith("What are the enablers")


def test_a_bold_line_that_goes_on_with_the_same_sentence_stays_in_its_paragraph(tmp_path):
    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    path = glued(tmp_path / "caption.pdf", "Figure 1. The lamp room of the Bell Rock lighthouse, with",
                 "its lens and the clockwork that turns it, drawn in 1824 by the engineer's assistant.")
    doc = read_document(path, IngestOptions(ocr_images=False))
    assert len(doc.pages[0].blocks) == 1 and doc.pages[0].blocks[0].role != Role.HEADING


@pytest.mark.parametrize("lines, title", [
    (["UNITED STATES SECURITIES AND EXCHANGE COMMISSION", "Washington, D.C. 20549", "FORM 10-Q",
      "For the quarterly period ended September 30, 2023",
      "Commission File No. 000-22513 ______________ AMAZON.COM, INC.",
      "(Exact name of registrant as specified in its charter)"],
     "AMAZON.COM, INC. — Form 10-Q, quarter ended September 30, 2023"),
    (["UNITED STATES SECURITIES AND EXCHANGE COMMISSION", "FORM 10-K", "Commission file number: 0-23985",
      "NVIDIA CORPORATION (Exact name of registrant as specified in its charter) Delaware 94-3177549",
      "For the fiscal year ended January 29, 2023"],
     "NVIDIA CORPORATION — Form 10-K, year ended January 29, 2023"),
    (["UNITED STATES SECURITIES AND EXCHANGE COMMISSION", "Washington, D.C. 20549", "FORM 10-Q",
      "MICROSOFT CORPORATION", "FORM 10-Q", "For the Quarter Ended September 30, 2023", "INDEX"],
     "MICROSOFT CORPORATION — Form 10-Q, quarter ended September 30, 2023"),
    (["Annual Performance Report", "Fiscal Year 2016", "Form 10-Q filings are listed in Appendix B."], None),
])
def test_a_filing_is_titled_by_its_registrant_and_form(lines, title):
    from folioscope.ingest.headings import filing_title
    assert filing_title(lines) == title


def heading(offset: int, title: str, level: int, page: int):
    from folioscope.chapters.structure import Heading
    return Heading(offset, title, level, page)


def test_chapters_take_the_two_top_levels_after_the_cover():
    from folioscope.chapters.structure import heading_marks
    cover = [heading(0, "UNITED STATES SECURITIES AND EXCHANGE COMMISSION", 1, 0), heading(60, "FORM 10-Q", 1, 0),
             heading(80, "Washington, D.C.", 2, 0), heading(100, "QUARTERLY REPORT", 2, 0)]
    body = [heading(1000, "PART I", 3, 2), heading(1010, "Item 1. Financial Statements", 4, 2),
            heading(2000, "Note 1 — Accounting Policies", 7, 3), heading(3000, "Inventories", 7, 4),
            heading(5000, "Item 2. Management's Discussion", 4, 9), heading(9000, "PART II", 3, 20),
            heading(9010, "Item 1. Legal Proceedings", 4, 20), heading(9500, "Item 6. Exhibits", 4, 22)]
    marks = heading_marks(cover + body, n_words=12000)
    assert [(m.title, m.level) for m in marks] == [
        ("PART I", 1), ("Item 1. Financial Statements", 2), ("Item 2. Management's Discussion", 2),
        ("PART II", 1), ("Item 1. Legal Proceedings", 2), ("Item 6. Exhibits", 2)]
    # two levels too fine for chapters of MIN_WORDS_PER_CHAPTER words: the parts alone
    assert [m.title for m in heading_marks(cover + body, n_words=200)] == ["PART I", "PART II"]


def test_a_chapter_holding_most_of_the_words_is_cut_at_the_headings_inside_it():
    from folioscope.chapters.build import ChapterInput, build_chapters
    sentence = "The exhibit sets out the terms of the award granted to the officer this year. "
    text = ("Cover. " * 60 + "Item 1. Financial Statements\n" + sentence * 60 + "Item 2. Analysis\n" + sentence * 60
            + "Item 6. Exhibits\n" + sentence * 20 + "NOTICE OF GRANT\n" + sentence * 150 + "TERMS OF THE AWARD\n"
            + sentence * 150)
    at = {t: text.index(t) for t in ("Item 1.", "Item 2.", "Item 6.", "NOTICE", "TERMS")}
    headings = [heading(at["Item 1."], "Item 1. Financial Statements", 4, 1), heading(at["Item 2."], "Item 2. Analysis", 4, 3),
                heading(at["Item 6."], "Item 6. Exhibits", 4, 5), heading(at["NOTICE"], "NOTICE OF GRANT", 7, 6),
                heading(at["TERMS"], "TERMS OF THE AWARD", 7, 9)]
    chapters, _ = build_chapters(ChapterInput(title="Filing", text=text, chunks=[], headings=headings))
    assert [c.title for c in chapters][-3:] == ["Item 6. Exhibits", "NOTICE OF GRANT", "TERMS OF THE AWARD"]
    assert max(len((text[c.start:c.end]).split()) for c in chapters) <= 0.5 * len(text.split())


def test_an_item_label_at_a_tab_stop_and_a_title_on_two_rows_is_one_heading(tmp_path):
    """ "ITEM 5." and its title sit on one row as two of PyMuPDF's lines, and the title runs
    over a second row: two rows a reader sees, a heading; a row of table cells is not one."""
    import pymupdf

    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 100), "ITEM 5.", fontsize=10, fontname="hebo")
    page.insert_text((130, 100), "MARKET FOR REGISTRANT'S COMMON EQUITY, RELATED STOCKHOLDER MATTERS AND",
                     fontsize=10, fontname="hebo")
    page.insert_text((130, 112), "ISSUER PURCHASES OF EQUITY SECURITIES", fontsize=10, fontname="hebo")
    page.insert_textbox(pymupdf.Rect(72, 130, 520, 400), TOPICS["analysis"] * 8, fontsize=10)
    page.insert_text((72, 430), "Special register", fontsize=10, fontname="hebo")
    page.insert_text((300, 430), "Corresponding value", fontsize=10, fontname="hebo")
    page.insert_textbox(pymupdf.Rect(72, 440, 520, 700), TOPICS["business"] * 8, fontsize=10)
    pdf.save(tmp_path / "item.pdf")
    doc = read_document(tmp_path / "item.pdf", IngestOptions(ocr_images=False))
    headings = [b.text for b in doc.pages[0].blocks if b.role == Role.HEADING]
    assert headings == ["ITEM 5. MARKET FOR REGISTRANT'S COMMON EQUITY, RELATED STOCKHOLDER MATTERS AND "
                        "ISSUER PURCHASES OF EQUITY SECURITIES"]
    assert looks_like_heading("Special register Corresponding value", bold=True, lines=1, pieces=2) is None


def test_an_exhibit_set_larger_than_the_body_is_body_text_there(tmp_path):
    """Pages whose own running text is larger than the document's body (an exhibit bound in)
    read that size as body text: its paragraphs are not headings, its larger titles are."""
    import pymupdf

    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    pdf = pymupdf.open()
    for topic in ("business", "risk", "properties"):
        page = pdf.new_page()
        page.insert_text((72, 90), "Item 1. " + topic.title(), fontsize=10, fontname="hebo")
        page.insert_textbox(pymupdf.Rect(72, 100, 520, 760), TOPICS[topic] * 14, fontsize=9)
    exhibit = pdf.new_page()
    exhibit.insert_text((72, 90), "EMPLOYMENT AGREEMENT", fontsize=16, fontname="hebo")
    for i in range(8):
        exhibit.insert_textbox(pymupdf.Rect(72, 110 + 60 * i, 520, 165 + 60 * i), TOPICS["statements"] * 2, fontsize=12)
    pdf.save(tmp_path / "exhibit.pdf")
    doc = read_document(tmp_path / "exhibit.pdf", IngestOptions(ocr_images=False))
    assert [b.text for b in doc.pages[3].blocks if b.role == Role.HEADING] == ["EMPLOYMENT AGREEMENT"]
    assert sum(b.role == Role.PARAGRAPH for b in doc.pages[3].blocks) == 8


def test_a_level_that_begins_only_in_the_back_is_not_the_documents_top_level():
    """A filing's exhibits set larger than its Items come after them: Part and Item stay the
    two levels; the exhibits' headings follow as chapters of their own."""
    from folioscope.chapters.structure import heading_marks
    body = [heading(1000, "PART I", 3, 2), heading(1010, "Item 1. Business", 4, 2),
            heading(5000, "Item 1A. Risk Factors", 4, 9), heading(9000, "PART II", 3, 20),
            heading(9010, "Item 7. Management's Discussion", 4, 20), heading(12000, "Item 8. Financial Statements", 4, 40)]
    exhibits = [heading(20000, "EMPLOYMENT AGREEMENT", 1, 80), heading(24000, "CONFIDENTIALITY AGREEMENT", 1, 90)]
    marks = heading_marks(body + exhibits, n_words=30000)
    assert [(m.title, m.level) for m in marks] == [
        ("PART I", 1), ("Item 1. Business", 2), ("Item 1A. Risk Factors", 2), ("PART II", 1),
        ("Item 7. Management's Discussion", 2), ("Item 8. Financial Statements", 2),
        ("EMPLOYMENT AGREEMENT", 1), ("CONFIDENTIALITY AGREEMENT", 1)]


def test_a_level_shared_by_a_cover_line_and_the_signatures_is_judged_by_its_lines_after_the_cover():
    """Uber's 10-K: the cover's "Washington, D.C. 20549" is set in the size of the signature
    lines at the back. That level starts on the cover, but after the cover it begins only
    once the Items have passed, so Part and Item stay the two levels."""
    from folioscope.chapters.structure import heading_marks
    cover = [heading(0, "Washington, D.C. 20549", 2, 0)]
    body = [heading(1000, "PART I", 3, 2), heading(1010, "Item 1. Business", 4, 2),
            heading(5000, "Item 1A. Risk Factors", 4, 9), heading(9000, "PART II", 3, 20),
            heading(9010, "Item 7. Management's Discussion", 4, 20), heading(12000, "Item 8. Financial Statements", 4, 40)]
    signatures = [heading(20000, "By: /s/ A. Officer", 2, 80), heading(20100, "By: /s/ B. Director", 2, 80)]
    marks = heading_marks(cover + body + signatures, n_words=30000)
    assert [(m.title, m.level) for m in marks if m.title.startswith(("PART", "Item"))] == [
        ("PART I", 1), ("Item 1. Business", 2), ("Item 1A. Risk Factors", 2), ("PART II", 1),
        ("Item 7. Management's Discussion", 2), ("Item 8. Financial Statements", 2)]


def test_a_heading_at_the_very_top_of_a_page_stays_a_heading_and_a_running_head_there_does_not(tmp_path):
    """A filing printed with a narrow top margin: a small running head ("PART I", "Item 2")
    and, just under it, inside the top 6% of the page, the Item's heading set larger."""
    import pymupdf

    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    pdf = pymupdf.open()
    for number, topic in enumerate(["business", "analysis", "statements"], start=1):
        page = pdf.new_page()
        page.insert_text((480, 12), "PART I", fontsize=7)
        page.insert_text((480, 20), f"Item {number}", fontsize=7)
        page.insert_text((72, 46), f"ITEM {number}. {topic.upper()}", fontsize=11, fontname="hebo")
        page.insert_textbox(pymupdf.Rect(72, 60, 520, 760), TOPICS[topic] * 12, fontsize=9)
    pdf.save(tmp_path / "narrow.pdf")
    doc = read_document(tmp_path / "narrow.pdf", IngestOptions(ocr_images=False))
    for number, (page, topic) in enumerate(zip(doc.pages, ["business", "analysis", "statements"]), start=1):
        roles = {b.text: b.role for b in page.blocks}
        assert roles[f"ITEM {number}. {topic.upper()}"] == Role.HEADING
        assert all(role == Role.HEADER for text, role in roles.items() if text.startswith(("PART I", "Item")))


def printed_10k(path):
    """A 10-K printed from a browser, as filers' annual reports often come: a small running
    head ("PART II" over "Item 7") near the top of every page, each Part set in the body's
    size and bold, each Item larger, bold and centred, a long Item heading wrapped onto a
    second row of its own."""
    import pymupdf
    pdf = pymupdf.open()
    cover = pdf.new_page(width=595, height=842)
    cover.insert_text((200, 200), "FORM 10-K", fontsize=20, fontname="hebo")
    cover.insert_text((180, 240), "Example Lenses Corp.", fontsize=16, fontname="hebo")
    parts = [("PART I", [("ITEM 1. BUSINESS", "business"), ("ITEM 2. PROPERTIES", "properties")]),
             ("PART II", [("ITEM 7. MANAGEMENT'S DISCUSSION AND ANALYSIS OF FINANCIAL CONDITION AND|"
                           "RESULTS OF OPERATIONS", "analysis"), ("ITEM 8. FINANCIAL STATEMENTS", "statements")])]
    for part, items in parts:
        for i, (heading, topic) in enumerate(items):
            for sheet in range(2):
                page = pdf.new_page(width=595, height=842)
                page.insert_text((283, 88), part, fontsize=8)
                page.insert_text((286, 97), heading.split(".")[0].title(), fontsize=8)
                y = 122
                if sheet == 0:
                    if i == 0:
                        page.insert_text((280, y), part, fontsize=10.7, fontname="hebo")
                        y += 24
                    for row in heading.split("|"):
                        width = pymupdf.get_text_length(row, "hebo", 12.8)
                        page.insert_text(((595 - width) / 2, y), row, fontsize=12.8, fontname="hebo")
                        y += 15
                    y += 10
                page.insert_textbox(pymupdf.Rect(24, y, 574, 780), TOPICS[topic] * 14, fontsize=10.7)
    pdf.save(path)
    return path


def test_a_wrapped_item_heading_is_one_title_and_parts_hold_their_items(library):
    from folioscope.pipeline import ingest_paths
    path = printed_10k(library.folder / "annual.pdf")
    [result] = list(ingest_paths(library, [path]))
    assert result.ok, result.message
    chapters = library.chapters(result.doc_id)
    assert [(c.title, c.part) for c in chapters if c.level == 2] == [
        ("ITEM 1. BUSINESS", "PART I"), ("ITEM 2. PROPERTIES", "PART I"),
        ("ITEM 7. MANAGEMENT'S DISCUSSION AND ANALYSIS OF FINANCIAL CONDITION AND RESULTS OF OPERATIONS", "PART II"),
        ("ITEM 8. FINANCIAL STATEMENTS", "PART II")]


def test_a_part_and_its_first_item_in_one_block_are_two_headings(tmp_path):
    """A quarterly report whose first page sets "PART I. FINANCIAL INFORMATION" and, right
    under it, "ITEM 1. FINANCIAL STATEMENTS", which PyMuPDF reads as one block."""
    import pymupdf

    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_textbox(pymupdf.Rect(72, 100, 520, 140), "PART I. FINANCIAL INFORMATION\nITEM 1. FINANCIAL STATEMENTS",
                        fontsize=10, fontname="hebo")
    page.insert_textbox(pymupdf.Rect(72, 150, 520, 760), TOPICS["statements"] * 12, fontsize=10)
    pdf.save(tmp_path / "quarter.pdf")
    doc = read_document(tmp_path / "quarter.pdf", IngestOptions(ocr_images=False))
    headings = [(b.text, b.level) for b in doc.pages[0].blocks if b.role == Role.HEADING]
    assert [text for text, _ in headings] == ["PART I. FINANCIAL INFORMATION", "ITEM 1. FINANCIAL STATEMENTS"]
    assert headings[0][1] < headings[1][1]


def test_parts_are_lifted_above_the_level_most_items_share_not_above_a_stray_item():
    from folioscope.core import Block, Role
    from folioscope.ingest.headings import lift_parts

    def heading(text, level):
        return Block(text=text, page=0, box=None, role=Role.HEADING, level=level)

    # Parts set in the body's size (level 8) over Items set larger (level 2): lifted
    blocks = [heading("PART I", 8), heading("Item 1. Business", 2), heading("PART II", 8),
              heading("Item 7. Analysis", 2), heading("Overview", 9)]
    assert lift_parts(blocks)
    assert [b.level for b in blocks] == [2, 3, 2, 3, 10]
    # Parts already above the Items most share; one Item in an exhibit is set larger (level 4)
    blocks = [heading("PART I", 8), heading("Item 1. Business.", 9), heading("PART II", 8),
              heading("Item 7. Analysis.", 9), heading("Item 1. Definitions", 4)]
    assert not lift_parts(blocks)
    assert [b.level for b in blocks] == [8, 9, 8, 9, 4]


def test_signature_lines_set_like_headings_are_not_headings(tmp_path):
    import pymupdf

    from folioscope.core import Role
    from folioscope.ingest import IngestOptions, read_document
    from folioscope.ingest.headings import is_signature
    assert is_signature("By: /s/ Don Young") and is_signature("By:/s/ Dara Khosrowshahi")
    assert not is_signature("Item 7/8. Results") and not is_signature("Use w/s/l as noted")
    pdf = pymupdf.open()
    page = pdf.new_page()
    body = "The company designs lighthouse lenses and sells them to harbour authorities. " * 12
    page.insert_text((72, 80), "Exhibit 10.1", fontsize=14, fontname="hebo")
    page.insert_textbox(pymupdf.Rect(72, 100, 520, 400), body, fontsize=10)
    page.insert_text((72, 450), "By: /s/ Don Young", fontsize=14)
    page.insert_text((72, 480), "Name: Don Young", fontsize=10)
    page.insert_textbox(pymupdf.Rect(72, 520, 520, 760), body, fontsize=10)
    pdf.save(tmp_path / "exhibit.pdf")
    doc = read_document(tmp_path / "exhibit.pdf", IngestOptions(ocr_images=False))
    roles = {b.text: b.role for b in doc.pages[0].blocks}
    assert roles["Exhibit 10.1"] == Role.HEADING
    assert roles["By: /s/ Don Young"] != Role.HEADING
