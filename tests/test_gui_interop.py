"""The window's part of questions kept and evidence out: earlier questions in the Ask panel,
File > Export Annotated PDF / Export Notes / Import from Zotero, and a document opened at a
sentence (a folioscope:// link)."""

import pymupdf
import pytest

from folioscope.core import Box
from folioscope.models import sample_document
from test_gui import sample_window, wait_done, window  # noqa: F401  (fixtures)
from test_interop import stored_answer
from zotero_folder import ZoteroFolder


def test_earlier_questions_are_listed_and_one_click_shows_the_answer_and_highlights_again(qtbot, sample_window):  # noqa: F811
    w = sample_window
    doc = w.doc_id
    first = w.library.remember(stored_answer(w.library, doc, ["Oil lamps replaced"], "What replaced open fires?"), "m")
    w.library.remember(stored_answer(w.library, doc, ["Fresnel lens gathers"], "How much light?"), "m")
    w.asking.refresh_history()
    panel = w.ask_panel
    assert panel.history.count() == 2 and panel.history.item(0).text().startswith("How much light?")
    w.page_view.clear_evidence()
    panel.history.itemClicked.emit(panel.history.item(1))
    qtbot.wait(50)
    assert w.asking.last_answer["history_id"] == first
    assert "What replaced open fires?" in panel.answer.toPlainText()
    assert "Asked" in panel.answer.toPlainText()
    evidence = w.library.ask_entry(first).answer.evidence[0]
    page, *box = evidence.boxes[0]
    rects = [i.rect().adjusted(1, 1, -1, -1) for i in w.page_view.evidence_items if hasattr(i, "rect")]
    assert w.page_view.page_rect_to_scene(page, Box(*box)) in rects


def test_a_link_opens_the_document_with_its_sentence_highlighted_on_both_pages_it_spans(qtbot, sample_window):  # noqa: F811
    w = sample_window
    doc = w.doc_id
    offset = w.library.text(doc).index("Fresnel lens gathers")
    start, end = w.library.sentence_at(doc, offset)
    w.refresh_documents(select=None)
    w.open_at(doc, 0, offset)
    qtbot.wait(50)
    assert w.doc_id == doc
    rects = [i for i in w.page_view.evidence_items if hasattr(i, "rect")]
    boxes = w.document.spans().line_boxes(start, end)
    assert {p for p, _ in boxes} == {0, 1} and len(rects) == len(boxes)
    assert rects[0].rect().adjusted(1, 1, -1, -1) == w.page_view.page_rect_to_scene(*boxes[0])
    visible = w.page_view.mapToScene(w.page_view.viewport().rect()).boundingRect()
    assert visible.intersects(rects[0].rect())
    w.open_at(doc, 2, None)  # no offset: the page
    qtbot.wait(50)
    visible = w.page_view.mapToScene(w.page_view.viewport().rect()).boundingRect()
    assert visible.intersects(w.page_view.pages[2].rect())


def test_file_menu_exports_the_annotated_pdf_and_notes_of_the_open_document(qtbot, sample_window, tmp_path):  # noqa: F811
    w = sample_window
    doc = w.doc_id
    titles = [a.text() for a in w.menuBar().actions()[0].menu().actions()]
    assert {"Import from &Zotero…", "Export Annotated &PDF…", "Export &Notes…"} <= set(titles)
    assert w.export_pdf_action.isEnabled() and w.export_notes_action.isEnabled()
    w.library.remember(stored_answer(w.library, doc, ["Fresnel lens gathers"], "How much light?"), "m")
    wait_done(qtbot, w.interop.export_annotated_pdf(tmp_path / "a.pdf"))
    assert "1 evidence sentences highlighted" in w.status_label.text()
    notes = [a.info["content"] for page in pymupdf.open(tmp_path / "a.pdf") for a in page.annots()]
    assert len(notes) == 2 and all(n.startswith("Q: How much light?") for n in notes)
    wait_done(qtbot, w.interop.export_notes(tmp_path / "n.md"))
    assert "## How much light?" in (tmp_path / "n.md").read_text()


@pytest.mark.slow
def test_import_from_zotero_lists_the_items_by_title_with_authors(qtbot, window, tmp_path):  # noqa: F811
    w = window
    z = ZoteroFolder(tmp_path / "Zotero")
    item = z.paper("ABCD1234", "Keepers of the Light", [("Alan", "Stevenson")], "1822-00-00 1822")
    z.stored_pdf("ATTACH01", item, sample_document())
    z.collection("Lighthouses", "COLL0001", [item])
    z.close()
    wait_done(qtbot, w.interop.import_zotero(z.root, None), timeout=600_000)
    assert w.status_label.text() == "Zotero: 1 imported, 0 updated, 0 unchanged."
    model = w.doc_list.model()
    assert model.rowCount() == 1
    assert model.index(0).data().startswith("Keepers of the Light\nStevenson 1822 · folioscope-sample.pdf")
    w.search.setText("lighthouses")  # a collection's name finds its documents
    assert w.doc_list.model().rowCount() == 1
    w.search.setText("no such words")
    assert w.doc_list.model().rowCount() == 0
