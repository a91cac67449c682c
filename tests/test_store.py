"""The store and the ingest pipeline: transactional ingest, idempotent re-ingest, span table round trip."""

import signal
import subprocess
import sys
import textwrap
from dataclasses import replace

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
    # every character is a block's or a joiner's: a blank line between blocks, or the space
    # (nothing, after a hyphen) joining a paragraph that runs over a column or page break
    blocks = library.load_document(result.doc_id).blocks()
    joiners = sum(2 if b.continues is None else len(b.continues) for b in blocks[1:])
    assert sum(len(b.text) for b in blocks) + joiners == len(text)
    assert any(b.continues is not None for b in blocks)


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

    def must_not_read(path, reader, progress, on_read):
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
    ingest_file(lib, Path(sys.argv[2]), lambda p, r, pr, o: prepare(p, progress=pr, reader=r, on_read=o), Progress())
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


def test_a_document_is_stored_in_two_stages_and_listed_before_its_chunks(library, data):
    """Its pages and text first (READING: listed and shown, no chunks yet), then its chunks,
    vectors and chapters (READY)."""
    seen = []

    def on_text(doc_id):
        row = library.document(doc_id)
        seen.append((row.state, len(library.pages(doc_id)), len(library.chunks(doc_id)),
                     len(library.chapters(doc_id)), library.check(), library.still_indexing()))
        found.extend(library.search_reading(["trace", "tree"]))
    found: list = []
    result = ingest_file(library, data / "pdfs" / "pdfjs" / "tracemonkey.pdf", _reader(), Progress(), on_text=on_text)
    assert seen == [("reading", 14, 0, 0, [], 1)]
    # searchable by BM25 before its chunks exist: its pages with the words, best first
    assert len(found) == 5 and all(d == result.doc_id for d, *_ in found)
    assert found[0][2] >= found[-1][2] > 0 and "trace" in found[0][3].lower()
    row = library.document(result.doc_id)
    assert row.state == "ready" and library.chunks(result.doc_id) and library.chapters(result.doc_id)
    assert library.still_indexing() == 0 and library.check() == []
    assert library.search_reading(["trace", "tree"]) == []  # its chunks are searched now


def _text_page_with_a_picture_of_text(path):
    """One page: a text layer, and an image without text over it that shows a sentence."""
    import pymupdf
    with pymupdf.open() as art:
        page = art.new_page(width=400, height=120)
        page.insert_text((10, 60), "KEEPERS LIT THE LAMP AT DUSK", fontsize=24)
        picture = page.get_pixmap(dpi=150).tobytes("png")
    with pymupdf.open() as doc:
        page = doc.new_page()
        page.insert_text((72, 72), "The report on the lighthouse service begins on this page, with a figure below.")
        page.insert_image(pymupdf.Rect(40, 150, 570, 600), stream=picture, keep_proportion=False)  # over a quarter
        doc.save(path)
    return path


def test_a_text_layer_is_stored_before_its_pages_images_are_read(library, tmp_path):
    """A born-digital page with a picture of text: its text layer is stored (and told) at
    once, the picture's OCR comes with the chunks, replacing the first text."""
    pdf = _text_page_with_a_picture_of_text(tmp_path / "figure.pdf")
    seen = []

    def on_text(doc_id):
        [page] = library.pages(doc_id)
        seen.append((page.route, page.reason.get("images_deferred"), library.text(doc_id)))
    result = ingest_file(library, pdf, _reader(), Progress(), on_text=on_text)
    [(route, deferred, first_text)] = seen
    assert route == "text" and deferred and "lighthouse service" in first_text and "DUSK" not in first_text.upper()
    [page] = library.pages(result.doc_id)
    text = library.text(result.doc_id)
    assert page.route == "text+ocr" and "dusk" in text.lower() and "lighthouse service" in text
    assert library.check() == [] and max(c.end for c in library.chunks(result.doc_id)) <= len(text)


def test_the_first_pass_of_a_batch_stores_the_text_layer_and_the_second_reads_the_images(library, tmp_path):
    from folioscope.ingest import IngestOptions, read_document
    from folioscope.pipeline import complete_file, read_file
    pdf = _text_page_with_a_picture_of_text(tmp_path / "figure.pdf")
    first = read_file(library, pdf, lambda p, reader, fp: read_document(p, IngestOptions(defer_image_ocr=True), fp,
                                                                        reader), Progress())
    assert first.status == "read" and "dusk" not in library.text(first.doc_id).lower()
    assert library.search_reading(["report"]) and not library.search_reading(["dusk"])
    done = complete_file(library, first.doc_id, pdf, None, None, Progress(), first.seconds)
    assert done.status == "added" and done.doc_id == first.doc_id and done.routes == {"text+ocr": 1}
    assert "dusk" in library.text(first.doc_id).lower() and library.check() == []
    assert library.document(first.doc_id).n_chars == len(library.text(first.doc_id))


def test_cancel_after_the_text_is_stored_leaves_nothing_half_written(library, data):
    progress = Progress()
    result = ingest_file(library, data / "pdfs" / "pdfjs" / "tracemonkey.pdf", _reader(), progress,
                         on_text=lambda doc_id: progress.cancel())
    assert result.status == "cancelled"
    assert counts(library)["documents"] == 0 and library.check() == []


def _batch(tmp_path, data) -> list:
    from folioscope.models import sample_document
    note = tmp_path / "note.md"
    note.write_text("# Keepers\n\nThe keeper wrote the weather in the log every night.\n")
    return [sample_document(), data / "pdfs" / "pdfjs" / "tracemonkey.pdf", note]


def _chunks(lib: Store) -> dict:
    return {d.name: ([(c.start, c.end, round(c.score, 5)) for c in lib.chunks(d.id)],
                     [(c.start, c.title) for c in lib.chapters(d.id)]) for d in lib.documents()}


def test_a_batch_is_browsable_before_any_of_it_is_indexed_and_the_open_one_goes_first(tmp_path, data):
    """Every file's pages and text stored (and told) before any file's chunks, the cheapest
    first (the note, the 3-page sample, the 14-page paper, then the scan), the document open
    in the window indexed first, and the same chunks and chapters as one file at a time."""
    from folioscope.core.results import IngestResult
    from folioscope.workers.pool import ReaderPool
    files = [data / "pdfs" / "ocrmypdf" / "typewriter.png", *_batch(tmp_path, data)]  # the scan read last
    events, text_ids = [], {}

    def emit(item):
        if isinstance(item, IngestResult):
            events.append(("done", item.path.name))
        elif item.stage == "text":
            text_ids[item.path] = item.doc_id
            events.append(("text", item.path.name))
    with ReaderPool(1) as pool:
        results = pool.ingest(tmp_path / "lib", files, progress=Progress(), emit=emit,
                              first=lambda: text_ids.get(files[3]))
    scan, *names = [f.name for f in files]
    assert [r.status for r in results] == ["added"] * 4
    assert events == ([("text", n) for n in [names[2], names[0], names[1], scan]]  # the cheapest read first
                      + [("done", names[2]), ("done", scan), ("done", names[0]), ("done", names[1])])
    with Store(tmp_path / "lib") as staged, Store(tmp_path / "one") as one:
        list(ingest_paths(one, files))
        assert staged.check() == [] and staged.still_indexing() == 0
        assert _chunks(staged) == _chunks(one) and len(_chunks(one)) == 4


def test_the_cost_of_reading_a_file_is_guessed_without_reading_a_page(data, tmp_path):
    from folioscope.ingest import reading_cost
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    pdfs = data / "pdfs"
    assert reading_cost(pdfs / "ocrmypdf" / "typewriter.png") == (True, 1)
    assert reading_cost(pdfs / "ocrmypdf" / "cardinal.pdf") == (True, 4)
    assert reading_cost(pdfs / "pdfjs" / "tracemonkey.pdf") == (False, 14)
    assert reading_cost(broken) == reading_cost(data / "docx" / "sources" / "word_sample.docx") == (False, 1)
    assert sorted([pdfs / "pdfjs" / "tracemonkey.pdf", pdfs / "ocrmypdf" / "cardinal.pdf", broken],
                  key=reading_cost) == [broken, pdfs / "pdfjs" / "tracemonkey.pdf", pdfs / "ocrmypdf" / "cardinal.pdf"]


def test_cancel_between_the_passes_of_a_batch_leaves_nothing(tmp_path, data):
    from folioscope.workers.pool import ReaderPool
    files = _batch(tmp_path, data)
    progress = Progress()

    def emit(item):
        if getattr(item, "stage", None) == "text" and item.path == files[-1]:
            progress.cancel()  # every file's text is stored; none is indexed
    with ReaderPool(1) as pool:
        results = pool.ingest(tmp_path / "lib", files, progress=progress, emit=emit)
    assert [r.status for r in results] == ["cancelled"] * 3
    with Store(tmp_path / "lib") as lib:
        assert counts(lib)["documents"] == 0 and lib.check() == []


def test_a_ready_document_without_its_chunks_is_damage_the_check_reports(library, data):
    result = ingest_file(library, data / "pdfs" / "pdfjs" / "tracemonkey.pdf", _reader(), Progress())
    library.conn.execute("DELETE FROM chunks WHERE doc_id = ?", (result.doc_id,))
    assert library.check() == [f"document {result.doc_id} is marked ready but has no chunks"]


KILL_BETWEEN_STAGES = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from folioscope.index import Store
    from folioscope.pipeline import ingest_file, prepare
    from folioscope.core import Progress
    lib = Store(sys.argv[1])
    ingest_file(lib, Path(sys.argv[2]), lambda p, r, pr, o: prepare(p, progress=pr, reader=r, on_read=o), Progress(),
                on_text=lambda doc_id: os.kill(os.getpid(), signal.SIGKILL))
""")


def test_a_kill_between_the_stages_is_completed_on_the_next_start(tmp_path, data):
    from folioscope.pipeline import backfill
    folder = tmp_path / "lib"
    pdf = data / "pdfs" / "pdfjs" / "tracemonkey.pdf"
    proc = subprocess.run([sys.executable, "-c", KILL_BETWEEN_STAGES, str(folder), str(pdf)])
    assert proc.returncode == -signal.SIGKILL
    check = subprocess.run([sys.executable, "-m", "folioscope", "--library", str(folder), "library", "check"],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "sound: 1 documents" in check.stdout
    with Store(folder) as lib:
        [row] = lib.documents()
        assert row.state == "reading" and not lib.chunks(row.id)
        assert backfill(lib) == 1  # what the window's worker and `ask` do when they open the library
        assert lib.document(row.id).state == "ready" and lib.chunks(row.id) and lib.chapters(row.id)
        assert lib.check() == [] and lib.search_text(["tracing"], limit=3)


def test_batch_continues_past_failures(library, data, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    good = data / "pdfs" / "pdfplumber" / "issue-33-lorem-ipsum.pdf"
    results = list(ingest_paths(library, [bad, good]))
    assert [r.status for r in results] == ["failed", "added"]


def _reader():
    from folioscope.pipeline import prepare
    return lambda path, reader, progress, on_read: prepare(path, progress=progress, reader=reader, on_read=on_read)


@pytest.mark.slow
def test_large_libraries_search_an_approximate_index_kept_in_step_with_the_library(tmp_path, data, monkeypatch):
    """Library-wide search over an HNSW index (usearch) once the library is large: here
    'large' is lowered to one chunk. It finds what exact search finds, forgets a removed
    document, is saved beside the library and reloaded, and follows another connection's
    re-chunking."""
    import numpy as np

    from folioscope.core import ChunkOptions
    from folioscope.index.saved import read_manifest
    from folioscope.index.vectors import ANN_FILE, VectorIndex
    from folioscope.pipeline import rechunk
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.scale import make_documents
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
    ann = first.vectors._ann
    assert ann is not None and not ann.dirty and ann.path is not None  # memory-mapped, nothing to add
    assert all(d != gone for d, _, _ in hits)
    other = next(d for d, _, _ in hits)
    before = len(first.chunks(other))
    rechunk(second, other, ChunkOptions(budget=48, minimum=20))  # another connection writes
    assert len(second.chunks(other)) > before
    keys = {(d, i) for d, i, _ in first.vectors.search(query, None, 400)}
    assert {(other, i) for i in range(len(second.chunks(other)))} <= keys
    assert first.vectors._ann.path is None  # loaded into memory to take the change
    first.close()
    second.close()

    # a write brings the saved index in step when the library is closed, without a search:
    # the next process's first question does not build it
    (tmp_path / "lib" / ANN_FILE).unlink()
    with Store(tmp_path / "lib") as writer:
        writer.remove(other)
    _, held = read_manifest(tmp_path / "lib", ANN_FILE)
    with Store(tmp_path / "lib") as reader:
        assert held == reader.vectors.current() and other not in held
        assert all(d != other for d, _, _ in reader.vectors.search(query, None, 50))
        assert not reader.vectors._ann.dirty and reader.vectors._ann.path is not None


@pytest.mark.slow
def test_parallel_readers_store_what_one_process_stores(tmp_path, data):
    """The reader pool with two processes, each storing what it reads: the same chunks, gaps
    and chapters as one process, results in the files' order, a damaged file fails alone, and
    files already stored are found unchanged."""
    from folioscope.core import Progress
    from folioscope.workers.pool import ReaderPool
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.scale import make_documents
    paths = make_documents(load_papers(data), 3, tmp_path / "docs")
    broken = tmp_path / "docs" / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    files = [paths[0], broken, *paths[1:]]

    def stored(lib: Store) -> list:
        return [(d.name, [(c.start, c.end, round(c.score, 5)) for c in lib.chunks(d.id)],
                 [(c.start, c.title) for c in lib.chapters(d.id)],
                 lib.conn.execute("SELECT count(*) FROM gaps WHERE doc_id = ?", (d.id,)).fetchone()[0])
                for d in sorted(lib.documents(), key=lambda d: d.name)]  # ids follow which reader finished first

    with Store(tmp_path / "one") as one, Store(tmp_path / "two") as two, ReaderPool(2) as pool:
        serial = list(ingest_paths(one, files))
        parallel = pool.ingest(two.folder, files, progress=Progress())
        assert [r.status for r in parallel] == [r.status for r in serial] == ["added", "failed", "added", "added"]
        assert parallel[1].message == serial[1].message and "broken.pdf" in parallel[1].message
        assert stored(two) == stored(one) and len(stored(two)) == 3
        again = pool.ingest(two.folder, files, progress=Progress())
        assert [r.status for r in again] == ["unchanged", "failed", "unchanged", "unchanged"]


# ---- text search: FTS5's BM25 scored in memory --------------------------------------------

def _fts_table(rows):
    """An FTS5 table as the library's chunk_fts, holding (doc_id, idx, text, chapter) rows."""
    import sqlite3
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE chunk_fts USING fts5(text, chapter, doc_id UNINDEXED, idx UNINDEXED, "
                 "tokenize='porter unicode61')")
    conn.executemany("INSERT INTO chunk_fts (doc_id, idx, text, chapter) VALUES (?,?,?,?)", rows)
    return conn


def _fts5_ranking(conn, words, doc_ids=None, limit=50, weight=0.5):
    sql = f"SELECT doc_id, idx, -bm25(chunk_fts, 1.0, {weight}) AS s FROM chunk_fts WHERE chunk_fts MATCH ?"
    params = [" OR ".join(f'"{w}"' for w in words)]
    if doc_ids is not None:
        sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
        params += sorted(doc_ids)
    return [tuple(r) for r in conn.execute(sql + " ORDER BY s DESC, doc_id, idx LIMIT ?", params + [limit])]


def test_vectors_no_chunk_uses_are_dropped_when_a_document_is_rechunked_or_removed(tmp_path, data):
    """A chunk vector stays while some chunk has that text, and goes with the last one."""
    from folioscope.core import ChunkOptions
    from folioscope.pipeline import rechunk
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.scale import make_documents
    paths = make_documents(load_papers(data), 2, tmp_path / "docs")
    copy = tmp_path / "docs" / "copy.md"
    copy.write_text(paths[0].read_text() + "\n")  # another file, the same chunk texts
    with Store(tmp_path / "lib") as lib:
        assert all(r.ok for r in ingest_paths(lib, [*paths, copy]))
        first, second, twin = (d.id for d in lib.documents())

        def unused() -> int:
            return lib.conn.execute("SELECT count(*) FROM vectors WHERE hash NOT IN "
                                    "(SELECT hash FROM chunks WHERE hash IS NOT NULL)").fetchone()[0]
        def hashes(doc_id: int) -> set[str]:
            return {r[0] for r in lib.conn.execute("SELECT hash FROM chunks WHERE doc_id = ?", (doc_id,))}
        assert hashes(first) == hashes(twin)
        rechunk(lib, second, ChunkOptions(budget=48, minimum=20))
        assert unused() == 0
        lib.remove(first)  # its twin still uses every one of its vectors
        assert unused() == 0 and len(lib.vectors.document(twin)[0]) == len(lib.chunks(twin))
        lib.remove(twin)
        assert unused() == 0
        assert {r[0] for r in lib.conn.execute("SELECT hash FROM vectors")} == {
            r[0] for r in lib.conn.execute("SELECT hash FROM chunks")}


def test_saved_arrays_are_mapped_as_numpy_saved_them(tmp_path):
    """An uncompressed .npz reads back memory-mapped with numpy's own values, shapes and
    types; a compressed one is refused (the index is then built again)."""
    import numpy as np

    from folioscope.index.saved import mapped_arrays
    arrays = {"rows": np.arange(1000, dtype=np.int32), "counts": np.arange(40, dtype=np.uint16).reshape(20, 2),
              "empty": np.zeros(0, np.int64), "words": np.frombuffer(b"a\nb", np.uint8)}
    np.savez(tmp_path / "plain.npz", **arrays)
    mapped = mapped_arrays(tmp_path / "plain.npz")
    for name, array in arrays.items():
        assert mapped[name].dtype == array.dtype and np.array_equal(mapped[name], array)
    assert not mapped["rows"].flags.writeable
    np.savez_compressed(tmp_path / "packed.npz", **arrays)
    with pytest.raises(ValueError):
        mapped_arrays(tmp_path / "packed.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError):
        mapped_arrays(tmp_path / "junk.npz")


def test_a_saved_index_replaces_its_file_and_clears_what_a_stopped_writer_left(tmp_path):
    """The manifest names the new file; the one it named before goes, and so does a file of
    the same index left half-written long ago, but not one another process may be writing."""
    import os
    import time

    from folioscope.index.saved import STALE_SECONDS, read_manifest, replace_saved
    replace_saved(tmp_path, "text-index.json", "text-first.npz", lambda p: p.write_bytes(b"1"), {1: (1, 2)})
    left = tmp_path / "text-killed.npz"
    left.write_bytes(b"half")
    old = time.time() - STALE_SECONDS - 60
    os.utime(left, (old, old))
    writing = tmp_path / "text-writing.npz"
    writing.write_bytes(b"in progress")
    other = tmp_path / "vectors-kept.usearch"
    other.write_bytes(b"another index")
    replace_saved(tmp_path, "text-index.json", "text-second.npz", lambda p: p.write_bytes(b"2"), {1: (2, 2)})
    path, held = read_manifest(tmp_path, "text-index.json")
    assert path.name == "text-second.npz" and held == {1: (2, 2)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text-index.json", "text-second.npz", "text-writing.npz",
                                                          "vectors-kept.usearch"]


def test_text_index_ranks_exactly_as_fts5_while_documents_change(tmp_path, data):
    """The in-memory BM25 gives FTS5's rows, order and scores (to the bit) on real paper
    text, library-wide and within a document, through removals, re-writes, a merge and a
    save and reload; a word FTS5 reads as a phrase is left to FTS5."""
    from folioscope.index import text as text_module
    from folioscope.index.text import TEXT_FILE, TextIndex
    from folioscope.retrieve.search import query_words
    from folioscope_lab.retrieval import gold_paragraphs, load_papers

    papers = load_papers(data)
    ids = sorted(papers)[:12]
    paragraphs = {d: [p for section in papers[pid]["full_text"] for p in section["paragraphs"] if p.strip()]
                  for d, pid in enumerate(ids, 1)}
    titles = {d: [section["section_name"] or "" for section in papers[pid]["full_text"]]
              for d, pid in enumerate(ids, 1)}
    rows = [(d, i, p, titles[d][i % len(titles[d])]) for d in paragraphs for i, p in enumerate(paragraphs[d])]
    conn = _fts_table(rows)
    revision = {d: (d, len(paragraphs[d])) for d in paragraphs}
    asked: list[list[int]] = []

    def read(doc_ids):
        asked.append(sorted(doc_ids))
        return [r for r in conn.execute("SELECT doc_id, idx, text, chapter FROM chunk_fts") if r[0] in set(doc_ids)]

    questions = [q for pid in ids for q, _ in gold_paragraphs(papers[pid])]
    assert len(questions) >= 20

    def agrees(index):
        for k, question in enumerate(questions):
            words = query_words(question)
            within = None if k % 2 else {1 + k % len(paragraphs)}
            assert index.search(words, within, 50, (1.0, 0.5)) == _fts5_ranking(conn, words, within), question

    index = TextIndex(tmp_path)
    index.sync(dict(revision), read)
    agrees(index)  # every row in the second segment
    index.merge()
    agrees(index)  # every row in the main one
    assert index.search(["snake_case"], None, 10, (1.0, 0.5)) is None  # two tokens: a phrase

    conn.execute("DELETE FROM chunk_fts WHERE doc_id = 3")  # removed
    del revision[3]
    conn.execute("DELETE FROM chunk_fts WHERE doc_id = 5")  # re-written with new text
    conn.executemany("INSERT INTO chunk_fts (doc_id, idx, text, chapter) VALUES (?,?,?,?)",
                     [(5, i, p.upper(), "Lighthouses") for i, p in enumerate(paragraphs[7][:4])])
    revision[5] = (99, 4)
    index.sync(dict(revision), read)
    assert asked[-1] == [5] and len(index.parts[1][0].doc) == 4  # only the changed document is read
    agrees(index)
    assert index.search(["lighthouses"], None, 50, (1.0, 0.5))[0][0] == 5
    assert all(d != 3 for d, _, _ in index.search(query_words(" ".join(paragraphs[3][:2])), None, 50, (1.0, 0.5)))

    index.merge()
    assert len(index.parts[1][0].doc) == 0 and index.parts[0][1].all()
    agrees(index)
    index.save()
    assert (tmp_path / TEXT_FILE).exists() and len(list(tmp_path.glob("text-*.npz"))) == 1

    calls = len(asked)
    reloaded = TextIndex(tmp_path)
    assert not reloaded.parts[0][0].rows.flags.writeable  # mapped read-only from disk, not read into memory
    reloaded.sync(dict(revision), read)
    assert len(asked) == calls and not reloaded.dirty  # nothing read again
    agrees(reloaded)

    text_module.MERGE_ROWS = 0  # every change merges at once
    try:
        del revision[1]
        conn.execute("DELETE FROM chunk_fts WHERE doc_id = 1")
        reloaded.sync(dict(revision), read)
        agrees(reloaded)
    finally:
        text_module.MERGE_ROWS = 20_000


def test_library_text_search_follows_writes_from_any_connection(library, tmp_path):
    """Store.search_text through the text index: a chapter renamed by another connection is
    found by its new title, a removed document is gone, and the index saved on close is
    read by the next process instead of being built again."""
    from folioscope.index.text import TEXT_FILE
    notes = []
    for k, body in enumerate(["Keepers trimmed the wicks of oil lamps every night.\n\n"
                              "Fresnel lenses bent the light into a beam.",
                              "Tide tables tell sailors when the harbour is deep enough."]):
        note = tmp_path / f"note{k}.md"
        note.write_text(f"# Note {k}\n\n## Lamps\n\n{body}\n", encoding="utf-8")
        notes.append(note)
    assert all(r.ok for r in ingest_paths(library, notes))
    first, second = (d.id for d in sorted(library.documents(), key=lambda d: d.name))
    assert {d for d, _, _ in library.search_text(["wicks"])} == {first}
    assert library.search_text(["semaphore"]) == []

    other = Store(library.folder)
    renamed = [replace(c, title="Semaphore signals") for c in other.chapters(first)]
    other.write_chapters(first, renamed)
    other.close()
    assert {d for d, _, _ in library.search_text(["semaphore"])} == {first}
    library.remove(first)
    assert library.search_text(["wicks"]) == [] and library.search_text(["tide"])[0][0] == second
    library.close()
    assert (library.folder / TEXT_FILE).exists()

    again = Store(library.folder)
    assert again.search_text(["harbour"])[0][0] == second and not again.text_index().dirty
    again.close()
