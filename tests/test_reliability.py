"""Faults: a full disk, a read-only folder, a damaged library, two writers at once, a reader
that dies, and no network at run time."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from folioscope.cli import main
from folioscope.core import Progress
from folioscope.embed import shared_embedder
from folioscope.index import Store
from folioscope.ingest import IngestOptions
from folioscope.llm import answer_llm
from folioscope.pipeline import ingest_paths


def notes(folder: Path, count: int, tag: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        path = folder / f"{tag}-{i}.md"
        path.write_text(f"# Note {tag} {i}\n\nLighthouse {tag} number {i} burned oil.\n\n"
                        f"Its keeper {tag}{i} wrote the weather in the log every night.\n")
        out.append(path)
    return out


def counts(store: Store) -> dict:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "pages", "blocks", "chunks", "sentences", "sources")}


def test_a_full_disk_leaves_the_library_as_it_was_and_says_so(tmp_path):
    store = Store(tmp_path / "lib")
    [first] = notes(tmp_path / "a", 1, "a")
    assert [r.status for r in ingest_paths(store, [first])] == ["added"]
    before = counts(store)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk is full from here on
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "\n\n".join(f"Paragraph {i} about lenses and lamps." for i in range(200)))
    [result] = list(ingest_paths(store, [big], IngestOptions(chapter_titles="keyphrases")))
    assert result.status == "failed" and "disk holding the library" in result.message and "full" in result.message
    assert counts(store) == before and store.check() == []
    store.close()


def test_a_read_only_library_folder_gets_one_sentence(tmp_path, capsys, monkeypatch):
    """The folder's permissions are reported as the store sees them (root may write anywhere,
    so the refusal is simulated where the store asks)."""
    from folioscope.index import store as store_module
    folder = tmp_path / "ro"
    folder.mkdir()
    monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
    assert main(["--library", str(folder), "docs"]) == 1
    err = capsys.readouterr().err
    assert "read-only" in err and len(err.strip().splitlines()) == 1


def test_a_read_only_library_folder_is_refused_at_open(tmp_path, monkeypatch):
    from folioscope.core import FolioscopeError
    from folioscope.index import store as store_module
    monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
    with pytest.raises(FolioscopeError, match="read-only"):
        Store(tmp_path / "lib")


def damage(db: Path, tables=("blocks", "spans", "chunks", "chunk_fts_data")) -> None:
    """Overwrite the first pages of some tables with garbage, as a bad sector would."""
    with sqlite3.connect(db) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = [r[0] for r in conn.execute(
            f"SELECT rootpage FROM sqlite_master WHERE name IN ({','.join('?' * len(tables))})", tables)]
    data = bytearray(db.read_bytes())
    for page in roots:
        data[(page - 1) * size:(page - 1) * size + 512] = os.urandom(512)
    db.write_bytes(bytes(data))


def test_a_damaged_library_is_detected_and_rebuilt_from_its_originals(tmp_path, capsys, data):
    folder = tmp_path / "lib"
    files = notes(tmp_path / "n", 3, "n") + [data / "pdfs" / "pdfplumber" / "issue-33-lorem-ipsum.pdf"]
    with Store(folder) as store:
        assert all(r.ok for r in ingest_paths(store, files))
        names = sorted(d.name for d in store.documents())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert main(["--library", str(folder), "library", "backup", str(tmp_path / "backup.db")]) == 0
    with sqlite3.connect(tmp_path / "backup.db") as backup:
        assert backup.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    damage(folder / "library.db")
    code = main(["--library", str(folder), "library", "check"])
    assert code != 0 and "damaged" in capsys.readouterr().err
    assert main(["--library", str(folder), "library", "rebuild"]) == 0
    out = capsys.readouterr().out
    assert "4 of 4 documents" in out
    with Store(folder) as store:
        assert sorted(d.name.split("-", 1)[1] for d in store.documents()) == names
        assert store.check() == [] and all(Path(d.path).name in names for d in store.documents())


def test_two_writers_at_once_lose_nothing(tmp_path):
    """The window's reader process and a CLI ingest write one library at the same time."""
    from folioscope.workers.process import WorkerProcess
    folder = tmp_path / "lib"
    Store(folder).close()
    mine, theirs = notes(tmp_path / "gui", 50, "gui"), notes(tmp_path / "cli", 50, "cli")
    cli = subprocess.Popen([sys.executable, "-m", "folioscope", "--library", str(folder), "ingest", "--quiet",
                            str(tmp_path / "cli")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from folioscope.workers.tasks import ingest_task
    reader = WorkerProcess("test-reader")
    try:
        results = [reader.call(ingest_task, folder, path, IngestOptions(chapter_titles="keyphrases"), None)
                   for path in mine]
    finally:
        reader.stop()
    out, err = cli.communicate(timeout=600)
    assert cli.returncode == 0, err
    assert all(r.status == "added" for r in results)
    assert "locked" not in out + err
    with Store(folder) as store:
        assert len(store.documents()) == len(mine) + len(theirs) and store.check() == []


def test_a_reader_asked_to_stop_leaves_its_writes_indexed(tmp_path):
    """The window's reader process closes the library when it is stopped, so the text index
    saved beside it holds what it wrote (the next process does not read those rows again)."""
    import json

    from folioscope.workers.process import WorkerProcess
    folder = tmp_path / "lib"
    Store(folder).close()
    from folioscope.workers.tasks import ingest_task
    reader = WorkerProcess("test-reader")
    try:
        results = [reader.call(ingest_task, folder, path, IngestOptions(chapter_titles="keyphrases"), None)
                   for path in notes(tmp_path / "n", 2, "n")]
    finally:
        reader.stop()
    assert all(r.status == "added" for r in results)
    saved = json.loads((folder / "text-index.json").read_text())
    with Store(folder) as store:
        assert sorted(int(d) for d in saved["documents"]) == sorted(d.id for d in store.documents())


def test_a_reader_that_dies_fails_its_file_and_the_batch_goes_on(tmp_path, monkeypatch):
    import json
    import threading

    from folioscope.workers.pool import ReaderPool
    folder = tmp_path / "lib"
    Store(folder).close()
    files = notes(tmp_path / "n", 3, "n")
    files[1].write_text("# Long\n\n" + "\n\n".join(f"Paragraph {i} tells of lamps, lenses and keepers." for i in range(4000)))
    pool = ReaderPool(1, "test-reader")
    reader = pool.readers[0]
    real_call = reader.call

    def dying_call(target, *args, **kwargs):
        # the long file: the child is killed a second into its chunks and vectors (the batch's second pass)
        if len(args) > 1 and getattr(args[1], "path", None) == files[1]:
            threading.Timer(1.0, lambda: reader._process.kill()).start()
        return real_call(target, *args, **kwargs)
    monkeypatch.setattr(reader, "call", dying_call)
    try:
        results = pool.ingest(folder, files, progress=Progress())
        indexed = json.loads((folder / "text-index.json").read_text())["documents"]  # before the reader stops
    finally:
        pool.stop()
    assert [r.status for r in results] == ["added", "failed", "added"]
    assert len(indexed) == 2  # the import ends by bringing the search indexes in step
    assert "stop unexpectedly" in results[1].message
    with Store(folder) as store:
        assert len(store.documents()) == 2
        logged = store.conn.execute("SELECT status FROM ingest_log WHERE path = ?", (str(files[1]),)).fetchall()
        assert ("failed",) in logged


@pytest.mark.slow
def test_nothing_reaches_the_network(tmp_path, monkeypatch, data):
    """Ingest (OCR included), chunking, chapters and an answer with sockets blocked."""
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from folioscope.answer.ask import ask
    from folioscope.models import sample_document
    scan = tmp_path / "scan.png"
    shutil.copy(data / "pdfs" / "ocrmypdf" / "typewriter.png", scan)
    with Store(tmp_path / "lib") as store:
        results = list(ingest_paths(store, [sample_document(), scan]))
        assert all(r.ok for r in results), [r.message for r in results]
        assert store.chapters(results[0].doc_id) and store.chunks(results[1].doc_id)
        assert ask(store, "What replaced open fires in lighthouses?", llm=answer_llm(), encoder=shared_embedder()).answer.found


def test_originals_are_salvaged_even_when_the_documents_table_is_lost(tmp_path):
    import sqlite3

    from folioscope.index import Store
    from folioscope.index.salvage import read_originals
    from folioscope.pipeline import ingest_paths, salvage_originals
    source = tmp_path / "notes.md"
    source.write_text("# Lamps\n\nOil lamps replaced open fires in lighthouses.\n", encoding="utf-8")
    store = Store(tmp_path / "lib")
    [result] = list(ingest_paths(store, [source]))
    assert result.ok, result.message
    db_file = store.folder / "library.db"
    store.close()
    [named] = list(read_originals(db_file))
    assert named.name == "notes.md" and named.data == source.read_bytes()
    with sqlite3.connect(db_file) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DROP TABLE documents")
    [(copy, _)] = salvage_originals(db_file, tmp_path / "out")
    assert copy.read_bytes() == source.read_bytes() and copy.suffix == ".txt"
