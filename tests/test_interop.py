"""Questions kept (history), evidence out (annotated PDF, notes with links back), a Zotero
library in, and a document opened at a sentence."""

import hashlib
import json
import sqlite3

import pymupdf
import pytest

from folioscope.cli import main
from folioscope.core import Answer, Evidence, FolioscopeError
from folioscope.interop.links import make_link, parse_link
from folioscope.models import sample_document
from zotero_folder import ZoteroFolder

QUESTION = "How much of the light does a Fresnel lens gather?"


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_with_text(path, lines):
    pdf = pymupdf.open()
    page = pdf.new_page()
    for n, line in enumerate(lines):
        page.insert_text((72, 90 + 16 * n), line, fontsize=11)
    pdf.save(path)
    return path


def stored_answer(store, doc_id, phrases, question="What does the sample say?") -> Answer:
    """An answer whose evidence is the stored sentences holding `phrases` (as ask gives it)."""
    text = store.text(doc_id)
    spans = store.span_table(doc_id)
    evidence = []
    for phrase in phrases:
        start, end = store.sentence_at(doc_id, text.index(phrase))
        boxes = [(p, *b.as_tuple()) for p, b in spans.line_boxes(start, end)]
        evidence.append(Evidence(doc_id, start, end, text[start:end], 0.8, boxes[0][0] if boxes else 0, boxes, 0))
    return Answer(question=question, text=evidence[0].text + " [1]", evidence=evidence, citations={1: 0},
                  extractive=evidence[0].text, generated="about half [2]", supported=False, support_note="a test")


# ---- history ----------------------------------------------------------------------------------

def test_the_history_keeps_question_answer_and_evidence_and_a_removed_document_takes_only_its_evidence(tmp_path):
    from folioscope.index import Store
    from folioscope.pipeline import ingest_paths
    notes = tmp_path / "notes.txt"
    notes.write_text("Lighthouse keepers trimmed the wicks every night. The lamps burned colza oil until 1860.\n")
    with Store(tmp_path / "lib") as store:
        ids = [r.doc_id for r in ingest_paths(store, [sample_document(), notes])]
        answer = stored_answer(store, ids[0], ["Fresnel lens gathers"])
        other = stored_answer(store, ids[1], ["colza oil"])
        answer.evidence.append(other.evidence[0])
        answer.citations = {1: 0, 2: 1}
        ask_id = store.remember(answer, "SmolLM2", 1.5)
        entry = store.ask_entry(ask_id)
        assert entry.answer.question == answer.question and entry.answer.text == answer.text
        assert [e.text for e in entry.answer.evidence] == [e.text for e in answer.evidence]
        assert entry.answer.evidence[0].boxes == [tuple(round(v, 2) if i else v for i, v in enumerate(b))
                                                  for b in answer.evidence[0].boxes]
        assert {b[0] for b in entry.answer.evidence[0].boxes} == {0, 1}  # the sentence over the page break
        assert [e.id for e in store.history(ids[1])] == [ask_id] and store.history(limit=5)[0].id == ask_id

        store.remove(ids[1])
        entry = store.ask_entry(ask_id)
        assert entry.answer.question == answer.question and entry.removed == 1
        assert [e.doc_id for e in entry.answer.evidence] == [ids[0]] and entry.answer.citations == {1: 0}
        assert store.check() == [] and store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        store.forget(ask_id)
        assert store.history() == []
        with pytest.raises(FolioscopeError, match="No question with id"):
            store.ask_entry(ask_id)


@pytest.mark.slow
def test_ask_on_the_sample_then_the_exports_hold_its_evidence_and_the_original_is_untouched(sample, tmp_path, capsys):
    store, doc = sample
    original = sha(sample_document())
    lib = ["--library", str(store.folder)]
    assert main([*lib, "ask", QUESTION, "--json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert main([*lib, "history", "--json"]) == 0
    [entry] = [e for e in json.loads(capsys.readouterr().out) if e["id"] == reply["history_id"]]
    assert entry["question"] == QUESTION and entry["answer"] == reply["answer"]
    assert [e["text"] for e in entry["evidence"]] == [e["text"] for e in reply["evidence"]]

    out, notes = tmp_path / "annotated.pdf", tmp_path / "notes.md"
    assert main([*lib, "export", str(doc), "--annotated-pdf", str(out), "--notes", str(notes),
                 "--question", str(reply["history_id"])]) == 0
    assert sha(sample_document()) == original
    pdf = pymupdf.open(out)
    marked = {}  # page -> the text under its highlights
    for page in pdf:
        for annot in page.annots(types=[pymupdf.PDF_ANNOT_HIGHLIGHT]):
            assert annot.info["content"].startswith(f"Q: {QUESTION}\nA: ")
            quads = annot.vertices
            for i in range(0, len(quads), 4):
                rect = pymupdf.Quad(quads[i:i + 4]).rect
                marked.setdefault(page.number, []).append(page.get_textbox(rect + (-1, -1, 1, 1)))
    words = " ".join(" ".join(v) for v in marked.values()).split()
    for evidence in reply["evidence"]:
        assert " ".join(evidence["text"].split()) in " ".join(words), evidence["text"]
    fresnel = next(e for e in reply["evidence"] if "Fresnel lens gathers" in e["text"])
    assert {b["page"] - 1 for b in fresnel["boxes"]} <= set(marked) and {0, 1} <= set(marked)

    text = notes.read_text()
    assert f"## {QUESTION}" in text and " ".join(reply["answer"].split()) in text
    for evidence in reply["evidence"]:
        assert f"> [{evidence['n']}] {' '.join(evidence['text'].split())}" in text
        link = make_link(doc, evidence["page"], evidence["start"], store.folder.resolve())
        assert f"— p. {evidence['page']}" in text and link in text
        location = parse_link(link)
        start, end = store.sentence_at(int(location.doc), location.offset)
        assert store.text(doc)[start:end].strip() == evidence["text"].strip()


def test_exports_say_in_one_sentence_what_they_cannot_do(sample, tmp_path, capsys):
    store, doc = sample
    original = sha(sample_document())
    lib = ["--library", str(store.folder)]
    assert main([*lib, "export", str(doc), "--annotated-pdf", str(sample_document())]) == 1
    assert "is the original file" in capsys.readouterr().err
    assert main([*lib, "export", str(doc), "--notes", str(sample_document())]) == 1
    assert "is the original file" in capsys.readouterr().err and sha(sample_document()) == original
    assert main([*lib, "export", str(doc), "--notes", str(tmp_path / "n.md"), "--question", "999"]) == 1
    assert "Question 999 has no evidence in" in capsys.readouterr().err
    assert not (tmp_path / "n.md").exists()
    text = tmp_path / "plain.txt"
    text.write_text("Keepers wound the clockwork every four hours through the night.\n")
    assert main([*lib, "ingest", str(text), "--quiet"]) == 0
    capsys.readouterr()
    assert main([*lib, "export", "plain.txt", "--annotated-pdf", str(tmp_path / "x.pdf")]) == 1
    assert "plain.txt is not a PDF" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()


def test_an_annotated_copy_draws_the_chunk_boundaries_when_asked(sample, tmp_path):
    from folioscope.interop.annotated import export_annotated_pdf
    store, doc = sample
    store.remember(stored_answer(store, doc, ["Fresnel lens gathers"]), "test")
    done = export_annotated_pdf(store, doc, tmp_path / "b.pdf", boundaries=True)
    lines = [a.info["subject"] for page in pymupdf.open(done.path) for a in page.annots(types=[pymupdf.PDF_ANNOT_LINE])]
    assert done.boundaries == len(store.chunks(doc)) - 1 == len(lines) > 0
    assert done.highlights >= 1


# ---- links and open ---------------------------------------------------------------------------

def test_a_link_names_a_document_page_and_offset_and_anything_else_is_refused(tmp_path):
    link = make_link(12, 3, 4180, tmp_path / "my library")
    location = parse_link(link)
    assert (location.doc, location.page, location.offset, location.library) == ("12", 3, 4180,
                                                                                 str(tmp_path / "my library"))
    assert parse_link("folioscope://open?doc=5").page is None
    for bad in ("https://open?doc=1", "folioscope://close?doc=1", "folioscope://open?page=2",
                "folioscope://open?doc=1&page=two"):
        with pytest.raises(FolioscopeError):
            parse_link(bad)


def test_open_and_a_link_start_the_window_at_the_document_page_and_offset(sample, monkeypatch, capsys):
    import folioscope.cli as cli
    store, doc = sample
    opened = []
    monkeypatch.setattr(cli, "run_window", lambda **kwargs: opened.append(kwargs) or 0)
    assert main(["--library", str(store.folder), "open", str(doc), "--page", "2", "--offset", "1300"]) == 0
    assert main([make_link(doc, 2, 1300, store.folder)]) == 0
    assert opened == [{"library": str(store.folder), "open_at": (doc, 1, 1300)}] * 2
    assert main([make_link(doc, 9, None, store.folder)]) == 1
    assert "page 9 is not one of them" in capsys.readouterr().err
    assert main(["--library", str(store.folder), "open", "nothing.pdf"]) == 1
    assert "No document 'nothing.pdf'" in capsys.readouterr().err
    assert len(opened) == 2


# ---- Zotero -----------------------------------------------------------------------------------

@pytest.fixture
def zotero(tmp_path):
    z = ZoteroFolder(tmp_path / "Zotero")
    lamp = z.paper("ABCD1234", "Keepers of the Light", [("Alan", "Stevenson"), ("Augustin", "Fresnel")],
                   "1822-05-00 May 1822", "10.1000/light")
    z.stored_pdf("ATTACH01", lamp, sample_document())
    clock = z.paper("EFGH5678", "Clockwork and Lamps", [("Grace", "Darling")], "1838-00-00 1838")
    z.linked_pdf("ATTACH02", clock, str(tmp_path / "gone" / "clockwork.pdf"))
    gone = z.paper("TRASH001", "A Deleted Paper", [("Old", "Author")], "1900")
    z.stored_pdf("ATTACH03", gone, pdf_with_text(tmp_path / "deleted.pdf", ["Nothing to see."]))
    z.trash(gone)
    z.stored_pdf("ATTACH04", None, pdf_with_text(tmp_path / "fog-signals.pdf",
                                                 ["Fog signals: bells, guns and sirens warned ships",
                                                  "when the light could not be seen."]))
    reading = z.collection("Reading", "COLL0001", [])
    z.collection("Lighthouses", "COLL0002", [lamp, clock], parent=reading)
    yield z
    z.close()


def test_zotero_items_come_in_with_titles_authors_and_collections_and_a_second_run_imports_nothing(
        zotero, tmp_path, capsys):
    lib = ["--library", str(tmp_path / "lib")]
    assert main([*lib, "import-zotero", "--zotero-dir", str(zotero.root), "--json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(e["title"] for e in report["imported"]) == ["Keepers of the Light", "fog-signals"]
    assert [e["title"] for e in report["skipped"]] == ["Clockwork and Lamps"]
    assert "not on this machine" in report["skipped"][0]["why"] and report["failed"] == []

    assert main([*lib, "docs", "--json"]) == 0
    docs = {d["title"]: d for d in json.loads(capsys.readouterr().out)}
    keepers = docs["Keepers of the Light"]
    assert keepers["metadata"]["authors"] == ["Stevenson, Alan", "Fresnel, Augustin"]
    assert keepers["metadata"]["year"] == "1822" and keepers["metadata"]["doi"] == "10.1000/light"
    assert keepers["citation"] == "Stevenson and Fresnel 1822"
    assert keepers["collections"] == ["Reading / Lighthouses"] and docs["fog-signals"]["collections"] == []
    assert keepers["name"] == "folioscope-sample.pdf"  # the file name stays visible

    assert main([*lib, "import-zotero", "--zotero-dir", str(zotero.root), "--json", "--quiet"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == [] and again["updated"] == [] and again["unchanged"] == 2

    lamp = zotero.conn.execute("SELECT itemID FROM items WHERE key = 'ABCD1234'").fetchone()[0]
    zotero.set_field(lamp, "title", "Keepers of the Light, Revised")
    assert main([*lib, "import-zotero", "--zotero-dir", str(zotero.root), "--json", "--quiet"]) == 0
    third = json.loads(capsys.readouterr().out)
    assert [e["title"] for e in third["updated"]] == ["Keepers of the Light, Revised"] and third["imported"] == []
    assert main([*lib, "docs", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_zotero_collection_narrows_the_import_and_a_wrong_folder_or_name_is_one_sentence(zotero, tmp_path, capsys):
    lib = ["--library", str(tmp_path / "lib")]
    assert main([*lib, "import-zotero", "--zotero-dir", str(zotero.root), "--collection", "Reading", "--json",
                 "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [e["title"] for e in report["imported"]] == ["Keepers of the Light"]
    assert main([*lib, "import-zotero", "--zotero-dir", str(zotero.root), "--collection", "Nope"]) == 1
    assert "has no collection 'Nope'" in capsys.readouterr().err
    assert main([*lib, "import-zotero", "--zotero-dir", str(tmp_path)]) == 1
    assert "is not a Zotero data folder" in capsys.readouterr().err
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "zotero.sqlite").write_bytes(b"not a database at all" * 100)
    assert main([*lib, "import-zotero", "--zotero-dir", str(tmp_path / "broken")]) == 1
    assert "could not be read as a Zotero database" in capsys.readouterr().err


def test_zotero_is_read_from_a_copy_while_zotero_holds_its_database_locked(zotero, tmp_path):
    from folioscope.interop.zotero import read_library
    holder = sqlite3.connect(zotero.root / "zotero.sqlite")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        titles = sorted(a.title for a in read_library(zotero.root) if a.path)
    finally:
        holder.rollback()
        holder.close()
    assert titles == ["Keepers of the Light", "fog-signals"]
