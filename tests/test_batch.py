"""Batch ingest on Ray Data into Parquet shards, and `import` of the shards into a library."""

import shutil
import sys

import numpy as np
import pytest

from folioscope.batch.records import from_plain, prepared_of, record, to_plain
from folioscope.batch.shards import import_shards
from folioscope.cli import main
from folioscope.core import Block, Box, Chapter, Chunking, ChunkOptions, Document, Page, Piece, Role, Route
from folioscope.core.segments import Boundary, Chunk, Sentence
from folioscope.index import Store
from folioscope.pipeline import Prepared, ingest_paths


def _prepared() -> Prepared:
    text = "Lighthouses. Oil lamps replaced open fires."
    block = Block(text, 0, Box(10, 20, 200, 32.5), Role.PARAGRAPH, "ocr:rapidocr", 0.875, 0,
                  [Piece(0, 12, Box(10, 20, 80, 32.5), 0.9), Piece(13, len(text), None, 0.85)])
    document = Document("Lights", "image", [Page(0, 612.0, 792.0, Route.OCR, {"why": "no text layer", "chars": 0},
                                                  {"ocr": 0.25}, [block], 90)], {"author": "A. Keeper"})
    sentences = [Sentence(0, 12, "Lighthouses."), Sentence(13, len(text), "Oil lamps replaced open fires.")]
    chunking = Chunking(text, sentences, [Boundary(0, 12, np.float32(0.625), "learned")],
                        [Chunk(0, 0, len(text), text, 1.0, "learned", [0])], ChunkOptions(budget=96), [9],
                        np.eye(2, 384, dtype=np.float32))
    chapters = [Chapter(0, "Oil lamps", 0, len(text), 0, 0, None, "keyphrases")]
    return Prepared(document, chunking, {"h1": np.full(384, 0.05, dtype=np.float32)}, chapters)


def test_a_shard_row_gives_back_the_prepared_document():
    prepared = _prepared()
    row = record("/corpus/lights.png", b"\x89PNG...", "ab" * 32, prepared, 1.5)
    back = prepared_of(row)
    assert back.document == prepared.document and back.document.pages[0].route is Route.OCR
    assert back.document.pages[0].blocks[0].pieces[1].box is None
    assert back.chunking.sentences == prepared.chunking.sentences and back.chunking.options == ChunkOptions(budget=96)
    assert back.chunking.boundaries[0].score == 0.625 and back.chunking.chunks == prepared.chunking.chunks
    assert back.chapters == prepared.chapters
    assert np.array_equal(back.chunking.sentence_vectors, prepared.chunking.sentence_vectors)
    assert list(back.vectors) == ["h1"] and np.array_equal(back.vectors["h1"], prepared.vectors["h1"])
    assert row["status"] == "ok" and row["name"] == "lights.png"
    failed = record("/corpus/x.pdf", b"%PDF", "cd" * 32, None, 0.1, "x.pdf is damaged.")
    assert failed["status"] == "failed" and failed["document"] is None and failed["message"] == "x.pdf is damaged."
    assert from_plain(tuple[tuple[int, int], ...], to_plain(((1, 2), (3, 4)))) == ((1, 2), (3, 4))


def test_import_refuses_what_is_not_shards_in_one_sentence(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["--library", str(tmp_path / "lib"), "import", str(tmp_path / "empty")]) == 1
    assert "holds no Parquet shards" in capsys.readouterr().err
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "part-0.parquet").write_bytes(b"not parquet at all")
    assert main(["--library", str(tmp_path / "lib"), "import", str(tmp_path / "bad")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("folioscope: part-0.parquet is not a Parquet shard") and len(err.splitlines()) == 1


def test_batch_ingest_without_ray_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.md").write_text("# A\n\nSome text.\n")
    monkeypatch.setitem(sys.modules, "ray", None)
    assert main(["batch", "ingest", str(tmp_path / "in"), "--out", str(tmp_path / "shards")]) == 1
    assert "pip install 'folioscope[ray]'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_library_built_from_ray_shards_is_the_library_local_ingest_builds(tmp_path, data):
    """Markdown, a born-digital PDF page, a scanned page and a damaged PDF: read on a local
    Ray cluster into shards and imported, they give the chunks, gaps, chapters, pages and
    vectors `folioscope ingest` gives; a rerun reads nothing."""
    from folioscope.batch.run import batch_ingest
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.scale import make_documents
    corpus = tmp_path / "corpus"
    make_documents(load_papers(data), 2, corpus)
    shutil.copy(data / "pdfs" / "pdfplumber" / "scotus-transcript-p1.pdf", corpus)
    shutil.copy(data / "pdfs" / "ocrmypdf" / "linn.pdf", corpus)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)

    summary = batch_ingest(corpus, tmp_path / "shards", jobs=2)
    assert summary["read"] == 4 and summary["skipped"] == 0 and summary["documents_per_s"] > 0
    assert [f["name"] for f in summary["failed"]] == ["broken.pdf"]

    def stored(lib: Store) -> dict:
        out = {}
        for d in lib.documents():
            gaps = lib.conn.execute("SELECT count(*), sum(score) FROM gaps WHERE doc_id = ?", (d.id,)).fetchone()
            out[d.name] = (d.kind, d.n_pages, d.title, lib.text(d.id), [(p.route, p.reason) for p in lib.pages(d.id)],
                           [(c.start, c.end, round(c.score, 5)) for c in lib.chunks(d.id)],
                           [(c.start, c.end, c.title, c.title_source) for c in lib.chapters(d.id)],
                           gaps[0], round(gaps[1] or 0.0, 3), len(lib.span_table(d.id).spans), lib.source(d.id))
        return out

    with Store(tmp_path / "local") as local, Store(tmp_path / "imported") as imported:
        serial = {r.path.name: r for r in ingest_paths(local, [corpus])}
        results = {r.path.name: r for r in import_shards(imported, tmp_path / "shards")}
        assert {n: r.status for n, r in results.items()} == {n: r.status for n, r in serial.items()}
        assert results["broken.pdf"].message == serial["broken.pdf"].message
        assert stored(imported) == stored(local) and len(stored(local)) == 4
        for d in imported.documents():
            other = next(x for x in local.documents() if x.name == d.name)
            assert np.allclose(imported.chunk_vectors(d.id), local.chunk_vectors(other.id), atol=1e-5)
        assert imported.conn.execute("SELECT count(*) FROM ingest_log WHERE status = 'failed'").fetchone()[0] == 1

        again = batch_ingest(corpus, tmp_path / "shards", jobs=2)  # everything is in the shards: Ray is not started
        assert again["skipped"] == 5 and again["read"] == 0 and again["failed"] == []
        assert {r.status for r in import_shards(imported, tmp_path / "shards")} == {"unchanged", "failed"}
        assert len(imported.documents()) == 4
