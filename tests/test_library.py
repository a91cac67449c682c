"""The store and the ingest pipeline: transactional ingest, idempotent re-ingest, span table round trip."""

import signal
import subprocess
import sys
import textwrap

import pytest

from folioscope.core import Progress
from folioscope.index import Store
from folioscope.pipeline import ingest_file, ingest_paths


def counts(lib: Store) -> dict:
    return {t: lib.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "pages", "blocks", "spans", "doc_text", "sources")}


def test_migrations_apply_once(tmp_path):
    with Store(tmp_path) as lib:
        names = [r[0] for r in lib.conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names[0].startswith("m001_") and len(names) >= 3
    with Store(tmp_path) as lib:  # reopening applies nothing twice
        assert [r[0] for r in lib.conn.execute("SELECT name FROM _migrations ORDER BY name")] == names


def test_ingest_pdf_text_layer_with_span_round_trip(library, data):
    pdf = data / "pdfs" / "pdfjs" / "tracemonkey.pdf"
    result = ingest_file(library, pdf, _reader(), Progress())
    assert result.status == "added", result.message
    assert result.routes == {"text": 14}
    text = library.text(result.doc_id)
    table = library.span_table(result.doc_id)
    # offset -> box -> text: a phrase found in the text maps to a box on page 1 whose
    # text-layer words are that phrase
    import pymupdf
    phrase = "Trace-based Just-in-Time Type Specialization"
    start = text.index(phrase)
    boxes = table.boxes(start, start + len(phrase))
    assert boxes and {page for page, _ in boxes} == {0}
    page = pymupdf.open(pdf)[0]
    words = " ".join(page.get_textbox(pymupdf.Rect(*b.as_tuple()) + (-1, -1, 1, 1)) for _, b in boxes)
    assert " ".join(words.split()) == phrase
    # every span's characters are the characters of some block
    blocks = library.load_document(result.doc_id).blocks()
    assert sum(len(b.text) for b in blocks) + 2 * (len(blocks) - 1) == len(text)


def test_document_rows_list_without_parsing_metadata_and_print_it_parsed(library, tmp_path, capsys):
    """The library list reads 10,000 rows: their metadata (a document's outline) is parsed
    only when asked for, `count` reads no rows, and `docs --json` prints the metadata parsed."""
    import json

    from folioscope.cli import main
    note = tmp_path / "notes.md"
    note.write_text("# Field notes\n\n## Birds\n\nA heron stood in the reeds all morning.\n")
    assert all(r.ok for r in ingest_paths(library, [note]))
    [row] = library.documents()
    assert library.count() == 1 and library.document(row.id) == row
    assert json.loads(row.metadata_json)["outline"] == row.metadata["outline"] == [[1, "Field notes", 0],
                                                                                   [2, "Birds", 0]]
    assert "metadata_json" not in repr(row)
    library.close()
    assert main(["--library", str(library.folder), "docs", "--json"]) == 0
    [printed] = json.loads(capsys.readouterr().out)
    assert printed["metadata"]["outline"][1] == [2, "Birds", 0] and "metadata_json" not in printed
    assert printed["name"] == "notes.md" and printed["routes"] == row.routes


def test_reingest_unchanged_does_no_work(library, data, monkeypatch):
    pdf = data / "pdfs" / "docling" / "sources" / "multi_page.pdf"
    first = ingest_file(library, pdf, _reader(), Progress())
    before = counts(library)

    def must_not_read(path, progress):
        raise AssertionError("an unchanged file was read again")
    again = ingest_file(library, pdf, must_not_read, Progress())
    assert again.status == "unchanged" and again.doc_id == first.doc_id
    assert counts(library) == before


def test_changed_file_replaces_its_document(library, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# One\n\nFirst version.\n")
    ingest_file(library, path, _reader(), Progress())
    path.write_text("# One\n\nSecond version, longer.\n")
    second = ingest_file(library, path, _reader(), Progress())
    assert second.status == "updated"
    assert [d.id for d in library.documents()] == [second.doc_id]
    assert "Second version" in library.text(second.doc_id)
    assert counts(library)["sources"] == 1  # the old content is gone with its document


def test_failure_mid_write_leaves_library_as_it_was(library, data, monkeypatch):
    ingest_file(library, data / "pdfs" / "pdfplumber" / "issue-33-lorem-ipsum.pdf", _reader(), Progress())
    before = counts(library)

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(Store, "_write_blocks", explode)
    with pytest.raises(RuntimeError):
        ingest_file(library, data / "pdfs" / "docling" / "sources" / "multi_page.pdf", _reader(), Progress())
    assert counts(library) == before


def test_cancel_mid_document_writes_nothing(library, data):
    progress = Progress()
    seen = []

    reader = _reader()

    def on_step(event):
        seen.append(event)
        if event.done == 3:
            progress.cancel()
    progress._callback = on_step
    result = ingest_file(library, data / "pdfs" / "pdfjs" / "tracemonkey.pdf", reader, progress)
    assert result.status == "cancelled"
    assert counts(library)["documents"] == 0 and len(seen) == 4


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from folioscope.index import Store
    from folioscope.pipeline import ingest_file, prepare
    from folioscope.core import Progress
    original = Store._write_blocks
    def write_then_die(self, *args, **kwargs):
        original(self, *args, **kwargs)   # pages and blocks are written, spans are not yet
        os.kill(os.getpid(), signal.SIGKILL)
    Store._write_blocks = write_then_die
    lib = Store(sys.argv[1])
    ingest_file(lib, Path(sys.argv[2]), lambda p, pr: prepare(p, progress=pr), Progress())
""")


def test_kill_during_ingest_leaves_no_half_document(tmp_path, data):
    folder = tmp_path / "lib"
    with Store(folder) as lib:
        ingest_file(lib, data / "pdfs" / "pdfplumber" / "issue-33-lorem-ipsum.pdf", _reader(), Progress())
        before = counts(lib)
    proc = subprocess.run([sys.executable, "-c", KILLER, str(folder),
                           str(data / "pdfs" / "pdfjs" / "tracemonkey.pdf")])
    assert proc.returncode == -signal.SIGKILL
    with Store(folder) as lib:
        assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert counts(lib) == before
        # and the library still works: the same file goes in completely
        result = ingest_file(lib, data / "pdfs" / "pdfjs" / "tracemonkey.pdf", _reader(), Progress())
        assert result.status == "added"
        doc = lib.document(result.doc_id)
        assert doc.n_pages == 14 == lib.conn.execute(
            "SELECT count(*) FROM pages WHERE doc_id = ?", (result.doc_id,)).fetchone()[0]


def test_batch_continues_past_failures(library, data, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    good = data / "pdfs" / "pdfplumber" / "issue-33-lorem-ipsum.pdf"
    results = list(ingest_paths(library, [bad, good]))
    assert [r.status for r in results] == ["failed", "added"]


def _reader():
    from folioscope.pipeline import prepare
    return lambda path, progress: prepare(path, progress=progress)


@pytest.mark.slow
def test_large_libraries_search_an_approximate_index_kept_in_step_with_the_library(tmp_path, data, monkeypatch):
    """Library-wide search over an HNSW index (usearch) once the library is large: here
    'large' is lowered to one chunk. It finds what exact search finds, forgets a removed
    document, is saved beside the library and reloaded, and follows another connection's
    re-chunking."""
    import numpy as np

    from folioscope.core import ChunkOptions
    from folioscope.eval.retrieval import load_papers
    from folioscope.eval.scale import make_documents
    from folioscope.index.vectors import ANN_FILE, VectorIndex
    from folioscope.pipeline import rechunk
    paths = make_documents(load_papers(data), 5, tmp_path / "docs")
    lib = Store(tmp_path / "lib")
    results = list(ingest_paths(lib, paths))
    assert all(r.ok for r in results)
    docs, idx, matrix = lib.vectors.arrays()
    query = matrix[7] + 0.5 * matrix[40]
    query /= np.linalg.norm(query)
    exact = lib.vectors.search(query, None, 10)
    lib.vectors.ann_min_chunks = 1
    approximate = lib.vectors.search(query, None, 10)
    assert lib.vectors._ann is not None and len(lib.vectors._ann.index) == len(matrix)
    assert [(d, i) for d, i, _ in approximate[:5]] == [(d, i) for d, i, _ in exact[:5]]
    assert np.allclose([s for *_, s in approximate], [s for *_, s in exact], atol=2e-3)  # float16 storage
    gone = int(docs[7])
    lib.remove(gone)
    assert all(d != gone for d, _, _ in lib.vectors.search(query, None, 50))
    lib.close()
    assert (tmp_path / "lib" / ANN_FILE).exists()

    monkeypatch.setattr(VectorIndex, "ann_min_chunks", 1)  # both connections below
    first, second = Store(tmp_path / "lib"), Store(tmp_path / "lib")
    hits = first.vectors.search(query, None, 10)
    assert first.vectors._ann is not None and not first.vectors._ann.dirty  # loaded, nothing to add
    assert all(d != gone for d, _, _ in hits)
    other = next(d for d, _, _ in hits)
    before = len(first.chunks(other))
    rechunk(second, other, ChunkOptions(budget=48, minimum=20))  # another connection writes
    assert len(second.chunks(other)) > before
    keys = {(d, i) for d, i, _ in first.vectors.search(query, None, 400)}
    assert {(other, i) for i in range(len(second.chunks(other)))} <= keys
    first.close()
    second.close()


@pytest.mark.slow
def test_parallel_readers_store_what_one_process_stores(tmp_path, data):
    """Two reader processes feeding the writer: the same chunks, gaps and chapters as one
    process, a damaged file fails alone, and files already stored are not read again."""
    from folioscope.eval.retrieval import load_papers
    from folioscope.eval.scale import make_documents
    paths = make_documents(load_papers(data), 3, tmp_path / "docs")
    broken = tmp_path / "docs" / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    files = [paths[0], broken, *paths[1:]]

    def stored(lib: Store) -> list:
        return [(d.name, [(c.start, c.end, round(c.score, 5)) for c in lib.chunks(d.id)],
                 [(c.start, c.title) for c in lib.chapters(d.id)],
                 lib.conn.execute("SELECT count(*) FROM gaps WHERE doc_id = ?", (d.id,)).fetchone()[0])
                for d in lib.documents()]

    with Store(tmp_path / "one") as one, Store(tmp_path / "two") as two:
        serial = list(ingest_paths(one, files))
        parallel = list(ingest_paths(two, files, jobs=2))
        assert [r.status for r in parallel] == [r.status for r in serial] == ["added", "failed", "added", "added"]
        assert parallel[1].message == serial[1].message and "broken.pdf" in parallel[1].message
        assert stored(two) == stored(one) and len(stored(two)) == 3
        again = list(ingest_paths(two, files, jobs=2))
        assert [r.status for r in again] == ["unchanged", "failed", "unchanged", "unchanged"]
