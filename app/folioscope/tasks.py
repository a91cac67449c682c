"""Work the GUI hands to a child process (index/process.py): plain functions over a library
folder that take `progress` and `emit` and return picklable results."""

from __future__ import annotations

from pathlib import Path

from .core import Progress


def ingest_task(folder: Path, path: Path, options, chunk_options, *, progress: Progress, emit):
    """Read, chunk and store one file; returns its IngestResult."""
    from .index import Library
    from .index.library import prepare
    with Library(folder) as library:
        return library.ingest(Path(path), lambda p, fp: prepare(p, options, chunk_options, fp), progress)


def ask_task(folder: Path, question: str, doc_ids: set[int] | None, model: str | None,
             threads: int | None = None, *, progress: Progress, emit) -> dict:
    """Answer a question; the answer's text is emitted piece by piece as it is generated."""
    from .answer.ask import ask
    from .answer.llm import shared_llm
    from .index import Library
    with Library(folder) as library:
        progress.step("Ask", 0, 2, "finding evidence")
        library.complete_index()
        result = ask(library, question, doc_ids, llm=shared_llm(model, threads), on_token=emit)
        g = result.generation
        return {"answer": result.answer, "trace": result.retrieval.trace(),
                "timings": {**result.retrieval.timings, **result.timings},
                "tokens": {"chunks": result.retrieval.tokens, "prompt": g.prompt_tokens if g else 0,
                           "reused": g.reused_tokens if g else 0, "output": g.output_tokens if g else 0}}


def chunk_task(folder: Path, doc_id: int, action: str, *, strategy: str | None = None,
               budget: int | None = None, edit=None, progress: Progress, emit) -> int:
    """Re-chunk a document ("rechunk", with a strategy or budget), record an edit ("edit"),
    or undo/redo one. Returns the number of chunks."""
    from .index import Library
    from .segment.chunker import ChunkOptions
    with Library(folder) as library:
        progress.step("Chunks", 0, 1, action)
        if action == "rechunk":
            current = library.chunk_options(doc_id)
            library.rechunk(doc_id, ChunkOptions(strategy or current.strategy, budget or current.budget,
                                                 current.minimum))
        elif action == "edit":
            library.edit_chunks(doc_id, edit)
        elif action == "undo":
            library.undo_edit(doc_id)
        elif action == "redo":
            library.redo_edit(doc_id)
        else:
            raise ValueError(action)
        return len(library.chunks(doc_id))


def check_model_task(path: str, *, progress: Progress, emit) -> str:
    """Load a GGUF model and generate a few tokens; one sentence on what was found."""
    import time
    from .answer.llm import LocalLLM
    started = time.perf_counter()
    llm = LocalLLM(path or None)
    try:
        reply = llm.chat([{"role": "user", "content": "Say OK."}], max_tokens=4)
    finally:
        llm.close()
    return f"{llm.path.name} loads and answers ({time.perf_counter() - started:.1f} s): {reply.strip()[:30]!r}"
