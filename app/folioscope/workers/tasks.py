"""Tasks the GUI hands to a worker process (`workers.process`): plain functions over a
library folder that take `progress` and `emit` and return picklable results.

A worker keeps one open store per library folder for its whole life, so the chunk vectors
are loaded once, and completes libraries written by an earlier version once, not on every
question.
"""

from __future__ import annotations

from pathlib import Path

from ..core import Edit, Progress
from ..core.results import IngestResult
from ..index import Store

_stores: dict[Path, Store] = {}


def open_store(folder: Path) -> Store:
    """This process's store for `folder`, opened (and backfilled) on first use."""
    folder = Path(folder)
    if folder not in _stores:
        from ..pipeline import backfill
        store = Store(folder)
        backfill(store)
        _stores[folder] = store
    return _stores[folder]


def close_stores() -> None:
    """Close the stores this process opened (their text and vector indexes saved in step)."""
    while _stores:
        _stores.popitem()[1].close()


def ingest_task(folder: Path, path: Path, options, chunk_options, threads: int | None = None, *,
                progress: Progress, emit) -> IngestResult:
    """Read, chunk and store one file; returns its IngestResult. `threads`: the models'
    threads in this process (its share of the cores when several readers run)."""
    from ..pipeline import ingest_file, prepare
    _opened(path, threads, emit)
    return ingest_file(open_store(folder), Path(path),
                       lambda p, reader, fp, on_read: prepare(p, options, chunk_options, fp, reader, on_read),
                       progress, on_text=_on_text(path, emit))


def read_task(folder: Path, path: Path, options, chunk_options, threads: int | None = None, *,
              progress: Progress, emit) -> IngestResult:
    """The first stage of one file of a batch: read it and store its pages and text (status
    "read"; `complete_task` does the rest), or say why not."""
    from dataclasses import replace

    from ..ingest import IngestOptions, read_document
    from ..pipeline import read_file
    _opened(path, threads, emit)
    first = replace(options or IngestOptions(), defer_image_ocr=True)  # images on text pages: the second pass
    return read_file(open_store(folder), Path(path), lambda p, reader, fp: read_document(p, first, fp, reader),
                     progress, on_text=_on_text(path, emit))


def complete_task(folder: Path, read: IngestResult, options, chunk_options, threads: int | None = None, *,
                  progress: Progress, emit) -> IngestResult:
    """The second stage of a file `read_task` stored: its chunks, vectors and chapters."""
    from ..pipeline import complete_file
    _use_threads(threads)
    assert read.doc_id is not None
    return complete_file(open_store(folder), read.doc_id, read.path, options, chunk_options, progress, read.seconds)


def _opened(path: Path, threads: int | None, emit) -> None:
    """The models' threads in this process set, and the file's page sizes told: the window
    lays the pages out, and shows the first, while the file is read."""
    _use_threads(threads)
    from ..core.results import IngestStage
    from ..ingest import page_sizes
    try:
        emit(IngestStage(Path(path), "opened", pages=page_sizes(Path(path))))
    except Exception:  # noqa: BLE001 - a file that cannot be opened gets its one sentence from the reader
        pass


def _use_threads(threads: int | None) -> None:
    if threads is not None:
        from ..embed import use_threads
        use_threads(threads)


def _on_text(path: Path, emit):
    from ..core.results import IngestStage
    return lambda doc_id: emit(IngestStage(Path(path), "text", doc_id=doc_id))


def warm_up_task(*, progress: Progress, emit) -> None:
    """A reader made ready before the first file: the readers' modules imported and the
    sentence encoder loaded, so a dropped file's first page and text come at once."""
    import pymupdf  # noqa: F401

    from .. import pipeline  # noqa: F401
    from ..embed import shared_embedder
    from ..ingest import pdf  # noqa: F401
    shared_embedder()


def index_task(folder: Path, *, progress: Progress, emit) -> None:
    """Bring the library's saved search indexes in step with what was just stored."""
    progress.step("Indexing", 0, 1, "bringing the search indexes in step with the library")
    open_store(folder).index_saved()
    progress.step("Indexing", 1, 1, "done")


def ask_task(folder: Path, question: str, doc_ids: set[int] | None, model: str | None,
             threads: int | None = None, *, progress: Progress, emit) -> dict:
    """Answer a question; the answer's text is emitted piece by piece as it is generated."""
    from ..answer.ask import ask
    from ..embed import count_tokens, shared_embedder
    from ..llm import answer_llm
    store = open_store(folder)
    progress.step("Ask", 0, 2, "finding evidence")
    from ..local_models import resolve_model
    llm = answer_llm(resolve_model(model), threads)
    result = ask(store, question, doc_ids, llm=llm, encoder=shared_embedder(), on_token=emit)
    history_id = store.remember(result.answer, llm.path.stem, result.timings.get("total", 0.0))
    g = result.generation
    from ..answer.ask import indexing_pages
    sources = {d: store.document(d).citation for d in {e.doc_id for e in result.answer.evidence}}
    return {"answer": result.answer, "history_id": history_id, "sources": sources, "trace": result.retrieval.trace(), "still_indexing": result.still_indexing,
            "indexing_pages": indexing_pages(store, result),
            "timings": {**result.retrieval.timings, **result.timings},
            "tokens": {"chunks": result.retrieval.tokens,
                       "evidence": sum(count_tokens([e.text for e in result.answer.evidence])),
                       "prompt": g.prompt_tokens if g else 0,
                       "reused": g.reused_tokens if g else 0, "output": g.output_tokens if g else 0}}


def zotero_task(folder: Path, zotero_dir: Path, collection: str | None, *, progress: Progress, emit) -> str:
    """Import a Zotero library's new and changed PDFs (`interop.zotero`); the summary sentence."""
    from ..interop.zotero import import_zotero
    report = import_zotero(open_store(folder), zotero_dir, collection, progress=progress)
    return report.summary() + "".join(f"\n{f['message']}" for f in report.failed[:5])


def chunk_task(folder: Path, doc_id: int, action: str, *, strategy: str | None = None,
               budget: int | None = None, edit: Edit | None = None, progress: Progress, emit) -> int:
    """Re-chunk a document ("rechunk", with a strategy or budget), record an edit ("edit"),
    or undo/redo one. Returns the number of chunks."""
    from ..core import ChunkOptions
    from ..pipeline import edit_chunks, rechunk, redo_edit, undo_edit
    store = open_store(folder)
    progress.step("Chunks", 0, 1, action)
    if action == "rechunk":
        current = store.chunk_options(doc_id)
        rechunk(store, doc_id, ChunkOptions(strategy or current.strategy, budget or current.budget,
                                            current.minimum))
    elif action == "edit" and edit is not None:
        edit_chunks(store, doc_id, edit)
    elif action == "undo":
        undo_edit(store, doc_id)
    elif action == "redo":
        redo_edit(store, doc_id)
    else:
        raise ValueError(action)
    return len(store.chunks(doc_id))


def check_model_task(path: str, *, progress: Progress, emit) -> str:
    """Load a GGUF model (with its own chat template) and time a short reply: one sentence on
    how it loads, its speed on this machine and the memory it takes."""
    import time

    from ..llm import LocalLLM
    from ..local_models import resolve_model
    started = time.perf_counter()
    llm = LocalLLM(resolve_model(path))
    try:
        llm.chat([{"role": "user", "content": "Say OK."}], max_tokens=1)  # loads it
        loaded = time.perf_counter() - started
        generation = llm.stream([{"role": "user", "content": "Count from one to twenty in words."}],
                                max_tokens=32, cache_prefix=False)
    finally:
        llm.close()
    speed = f"{generation.tokens_per_second:.0f} tokens/s" if generation.tokens_per_second else "an unmeasured speed"
    return (f"{llm.path.name} loads in {loaded:.1f} s and writes {speed} on this machine"
            f"{_memory_note()}: {generation.text.strip()[:40]!r}")


def _memory_note() -> str:
    """', using about N GB of memory' (this worker's peak), where the platform says."""
    try:
        import resource
        import sys
    except ImportError:  # Windows
        return ""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return f", using about {peak / 1e9:.1f} GB of memory"
