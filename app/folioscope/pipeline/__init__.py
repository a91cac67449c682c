"""The stages, run in order: read a file, chunk it, embed the chunks, build its chapters,
store it; and the same stages again for a stored document (re-chunk, edits, chapters).

    file -> reader -> Document -> sentences -> gap scores -> chunks -> chapters -> Store

The store only stores; every stage that needs a model gets it here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core import (
    Cancelled,
    Chapter,
    ChatModel,
    Chunking,
    ChunkOptions,
    Document,
    Edit,
    Progress,
    Role,
    TableSpan,
)
from ..core.results import IngestResult
from ..index.store import Store
from ..index.vectors import chunk_hash
from .failures import expected_failure as expected_failure
from .failures import fail as fail
from .failures import failure_message as failure_message
from .failures import strict_errors as strict_errors

if TYPE_CHECKING:
    from ..ingest import IngestOptions, Reader

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Prepared:
    """A document read and chunked, ready to store."""

    document: Document
    chunking: Chunking
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # chunk hash -> unit vector
    chapters: list[Chapter] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


# ---- stages ----------------------------------------------------------------------------------

def heading_offsets(document: Document) -> set[int]:
    return {start for block, start in document.body_text().block_starts
            if block.role in (Role.HEADING, Role.TITLE)}


def tables_of(document: Document) -> list[TableSpan]:
    from ..segment.chunker import table_spans
    return table_spans((b.role.value, b.level, start, start + len(b.text)) for b, start in document.body_text().block_starts
                       if b.role in (Role.TABLE_HEADER, Role.TABLE_ROW))


def chunk_document(document: Document, options: ChunkOptions, edits: Iterable[Edit] = ()) -> Chunking:
    from ..segment.chunker import chunk_text
    return with_sentence_vectors(chunk_text(document.body_text().text, options, heading_offsets(document), edits,
                                            tables=tables_of(document)))


def with_sentence_vectors(chunking: Chunking, embed: Callable[..., np.ndarray] | None = None) -> Chunking:
    """The chunking with a vector for every sentence (the boundary model computes them; a
    strategy that did not is given them here: they are stored, for finding evidence)."""
    if chunking.sentence_vectors is None and chunking.sentences:
        if embed is None:
            from ..embed import shared_embedder
            embed = shared_embedder().encode
        chunking.sentence_vectors = embed([s.text for s in chunking.sentences])
    return chunking


def stored_sentences(store: Store, doc_id: int) -> Callable[..., np.ndarray]:
    """An `embed(texts, layers=None)` that answers from the document's stored sentence
    vectors when it is asked for exactly those sentences, and computes otherwise."""
    stored = store.sentence_vectors(doc_id)
    text = store.text(doc_id)

    def embed(texts: list[str], layers: int | None = None) -> np.ndarray:
        if stored is not None and layers is None and len(texts) == len(stored[0]) and all(
                text[a:b] == t for (a, b), t in zip(stored[0], texts)):
            return stored[1]
        from ..embed import shared_embedder
        return shared_embedder().encode(texts, layers=layers)
    return embed


def embed_chunks(texts: list[str], known: dict[str, np.ndarray] | None = None,
                 stored: Callable[[list[str]], set[str]] | None = None) -> dict[str, np.ndarray]:
    """Vectors for chunk texts, keyed by content hash: those in `known` or already stored
    (`stored(hashes)` says which) are not computed again."""
    from ..embed import shared_embedder
    known = dict(known or {})
    wanted = {chunk_hash(t): t for t in texts}
    todo = [h for h in wanted if h not in known]
    if stored is not None:
        have = stored(todo)
        todo = [h for h in todo if h not in have]
    if todo:
        known.update(zip(todo, shared_embedder().encode([wanted[h] for h in todo])))
    return {h: v for h, v in known.items() if h in wanted}


def make_chapters(document: Document, chunks: list[tuple[int, int, float]], vectors: np.ndarray | None,
                  titles: str = "embedding", llm: ChatModel | None = None, roles: bool = True) -> list[Chapter]:
    """Chapters of a stored or prepared document. `titles` names the titler of chapters cut
    from chunks ("embedding", "llm" with `llm`, or "keyphrases"); with `roles`, a chapter the
    role model is sure of is titled by its role ("Introduction", ...) instead."""
    from ..chapters import ChapterInput, build_chapters, load_role_model
    from ..embed import shared_embedder
    embed = shared_embedder().encode if titles == "embedding" else None
    return build_chapters(ChapterInput.from_document(document, chunks, vectors),
                          llm if titles == "llm" else None, embed, load_role_model() if roles else None)[0]


def title_model(options: IngestOptions) -> ChatModel | None:
    """The model that titles chapters when the options ask for LLM titles, else None."""
    if options.chapter_titles != "llm":
        return None
    from ..llm import shared_llm
    return shared_llm(options.repair_model)


def prepare(path: Path, options: IngestOptions | None = None, chunk_options: ChunkOptions | None = None,
            progress: Progress | None = None, reader: Reader | None = None,
            on_read: Callable[[Document], object] | None = None) -> Prepared:
    """Read, chunk, embed and chapter one file (in this process); nothing is stored.
    `reader`: the file's reader, when the file was already checked (`ingest.open_file`);
    `on_read(document)`: called once the file is read, before the slow stages (the ingest
    stores the text then)."""
    from ..ingest import IngestOptions, read_document, read_in_stages
    progress = progress or Progress()
    started = time.perf_counter()
    if on_read is None:
        document = read_document(path, options or IngestOptions(), progress, reader)
    else:  # told as soon as the text can be stored: a PDF's text layer before its images' OCR
        document = read_in_stages(path, options, progress, reader, on_read)
    read = time.perf_counter() - started
    prepared = index_document(document, path.name, options, chunk_options, progress)
    prepared.timings = {"read": read, **prepared.timings}
    return prepared


def index_document(document: Document, name: str, options: IngestOptions | None = None,
                   chunk_options: ChunkOptions | None = None, progress: Progress | None = None) -> Prepared:
    """The slow stages of a read document: chunk (sentence vectors, boundaries), embed the
    chunks, build the chapters; nothing is stored."""
    from ..ingest import IngestOptions
    progress = progress or Progress()
    options = options or IngestOptions()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
    progress.step(name, 1, 1, "chunking")
    chunking = chunk_document(document, chunk_options or ChunkOptions())
    lap("chunk (sentence vectors, boundaries)")
    progress.step(name, 1, 1, "embedding chunks")
    texts = [c.indexed_text for c in chunking.chunks]
    vectors = embed_chunks(texts)
    lap("embed chunks")
    progress.step(name, 1, 1, "chapters")
    chapters = make_chapters(document, [(c.start, c.end, c.score) for c in chunking.chunks],
                             np.array([vectors[chunk_hash(t)] for t in texts]) if texts else None,
                             options.chapter_titles, title_model(options), options.role_titles)
    lap("chapters")
    return Prepared(document, chunking, vectors, chapters, timings)


# ---- a file into the library -----------------------------------------------------------------

# (file, its reader, progress, on_read(document): called when the file is read)
PrepareFn = Callable[[Path, "Reader", Progress, Callable[[Document], object]], Prepared]


def ingest_file(store: Store, path: Path, prepare_file: PrepareFn, progress: Progress,
                on_text: Callable[[int], object] | None = None) -> IngestResult:
    """Read `path` with `prepare_file(path, reader, progress, on_read)` and store it, unless
    the same content is already there. The file is checked, hashed and kept from one read of
    its bytes (the reader parses it on its own).

    It is stored in two stages: its pages and text as soon as it is read (`on_text(doc_id)`
    is told: the window shows it), then its chunks, vectors and chapters. Failures and
    Cancel come back as a result and leave nothing half-written: a document is complete or
    gone. A process killed between the stages leaves the text, which `backfill` completes."""
    return _from_file(store, path, lambda reader, sha, data, started, result: _store_staged(
        store, path, sha, data, prepare_file, reader, progress, on_text, started, result))


# (file, its reader, progress) -> the read document
ReadFn = Callable[[Path, "Reader", Progress], Document]


def read_file(store: Store, path: Path, read: ReadFn, progress: Progress,
              on_text: Callable[[int], object] | None = None) -> IngestResult:
    """The first stage alone, for a batch that makes every file browsable before it indexes
    any: `path` read with `read(path, reader, progress)` and its pages and text stored
    (status "read", `doc_id`: complete it with `complete_file`); or why not (unchanged,
    failed, cancelled: final, and logged)."""
    def store_text(reader: Reader, sha: str, data: bytes, started: float, result: IngestResult) -> None:
        document = read(path, reader, progress)
        progress.check()
        result.doc_id = store.write_text(path, sha, document, time.perf_counter() - started, data)
        result.status, result.routes = "read", route_counts(document)
        if on_text is not None:
            on_text(result.doc_id)
    return _from_file(store, path, store_text)


def complete_file(store: Store, doc_id: int, path: Path, options: IngestOptions | None,
                  chunk_options: ChunkOptions | None, progress: Progress, seconds: float = 0.0) -> IngestResult:
    """The second stage of a document `read_file` stored: its chunks, vectors and chapters,
    in one transaction that marks it ready (and removes the document read earlier from the
    same file). After a failure or Cancel nothing of it stays."""
    path = Path(path)
    started = time.perf_counter() - seconds
    result = IngestResult(path=path, status="failed")
    try:
        from ..ingest import deferred_image_ocr
        document, reread = store.load_document(doc_id), None
        if deferred_image_ocr(document):  # the text layer was stored first; now its images
            from ..ingest import read_document
            document = reread = read_document(path, options, progress)
        prepared = index_document(document, path.name, options, chunk_options, progress)
        progress.check()
        vectors = embed_chunks([c.indexed_text for c in prepared.chunking.chunks], prepared.vectors,
                               store.stored_vectors)
        replaced = store.find_path(path, other_than=doc_id)
        store.write_index(doc_id, prepared.chunking, prepared.chapters, vectors, time.perf_counter() - started,
                          replace=replaced, document=reread)
        _stored(result, doc_id, path, document, replaced is not None)
    except BaseException as exc:
        store.remove(doc_id)
        if isinstance(exc, Cancelled):
            result.status, result.message = "cancelled", f"{path.name}: cancelled."
        elif isinstance(exc, Exception):
            fail(result, exc)
        else:
            raise
    result.seconds = time.perf_counter() - started
    store.log(result)
    return result


def _from_file(store: Store, path: Path,
               store_new: Callable[[Reader, str, bytes, float, IngestResult], None]) -> IngestResult:
    """Open `path` (checked, hashed and kept from one read of its bytes) and, unless its
    content is already stored, `store_new(reader, sha, data, started, result)`; failures and
    Cancel come back in the result, which is logged once final."""
    from ..ingest import open_file
    path = Path(path)
    started = time.perf_counter()
    result = IngestResult(path=path, status="failed")
    try:
        reader, data = open_file(path)
        sha = hashlib.sha256(data).hexdigest()
        if not _unchanged(store, path, sha, result):
            store_new(reader, sha, data, started, result)
    except Cancelled:
        result.status, result.message = "cancelled", f"{path.name}: cancelled."
    except Exception as exc:
        fail(result, exc)
    result.seconds = time.perf_counter() - started
    if result.status != "read":
        store.log(result)
    return result


def store_prepared(store: Store, path: Path, sha: str, prepared: Prepared, data: bytes,
                   seconds: float) -> IngestResult:
    """Store a document prepared elsewhere (another process or machine) from its original
    bytes `data`, unless the same content is already there; logged like `ingest_file`."""
    result = IngestResult(path=path, status="failed", seconds=seconds)
    try:
        if not _unchanged(store, path, sha, result):
            _store_prepared(store, path, sha, prepared, data, seconds, result)
    except Exception as exc:
        fail(result, exc)
    store.log(result)
    return result


def _unchanged(store: Store, path: Path, sha: str, result: IngestResult) -> bool:
    existing = store.find_content(sha)
    if existing:
        result.status, result.doc_id = "unchanged", existing[0]
        result.message = (f"{path.name} is already in the library, unchanged."
                          if existing[1] == str(path.resolve())
                          else f"{path.name} has the same content as a document already in the library.")
    return existing is not None


def _store_staged(store: Store, path: Path, sha: str, data: bytes, prepare_file: PrepareFn, reader: Reader,
                  progress: Progress, on_text: Callable[[int], object] | None, started: float,
                  result: IngestResult) -> None:
    replaced = store.find_path(path)
    stored: list[int] = []
    first: list[Document] = []

    def on_read(document: Document) -> None:  # the first stage
        stored.append(store.write_text(path, sha, document, time.perf_counter() - started, data))
        first.append(document)
        if on_text is not None:
            on_text(stored[0])
    try:
        prepared = prepare_file(path, reader, progress, on_read)
        progress.check()
        if not stored:
            on_read(prepared.document)
        vectors = embed_chunks([c.indexed_text for c in prepared.chunking.chunks], prepared.vectors,
                               store.stored_vectors)
        store.write_index(stored[0], prepared.chunking, prepared.chapters, vectors, time.perf_counter() - started,
                          replace=replaced,  # the file read again whole (its images OCR'd) replaces the first text
                          document=prepared.document if prepared.document is not first[0] else None)
    except BaseException:
        if stored:  # nothing half-written: the text stored alone goes
            store.remove(stored[0])
        raise
    _stored(result, stored[0], path, prepared.document, replaced is not None)


def _store_prepared(store: Store, path: Path, sha: str, prepared: Prepared, data: bytes, seconds: float,
                    result: IngestResult) -> None:
    replaced = store.find_path(path)
    vectors = embed_chunks([c.indexed_text for c in prepared.chunking.chunks], prepared.vectors,
                           store.stored_vectors)
    result.doc_id = store.write_document(path, sha, prepared.document, prepared.chunking, prepared.chapters,
                                         vectors, seconds, replace=replaced, data=data)
    _stored(result, result.doc_id, path, prepared.document, replaced is not None)


def _stored(result: IngestResult, doc_id: int, path: Path, document: Document, replaced: bool) -> None:
    """The result of a file stored as `doc_id`."""
    result.doc_id, result.status = doc_id, "updated" if replaced else "added"
    result.routes = route_counts(document)
    result.message = f"{path.name}: {len(document.pages)} pages ({_describe(result.routes)})."


def route_counts(document: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for page in document.pages:
        counts[page.route.value] = counts.get(page.route.value, 0) + 1
    return counts


def _describe(routes: dict[str, int]) -> str:
    return ", ".join(f"{n} {route}" for route, n in sorted(routes.items()))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (recursively,
    hidden files skipped), in a stable order."""
    from ..ingest import supported_extensions
    exts = set(supported_extensions())
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(Path(root) / f for f in sorted(files)
                           if not f.startswith(".") and Path(f).suffix.lower() in exts)
        else:
            out.append(path)
    return out


class FileProgress(Progress):
    """Prefixes a file's progress with its place in the batch."""

    def __init__(self, parent: Progress, index: int, count: int):
        super().__init__(parent._callback, parent._cancel)
        self.prefix = f"[{index + 1}/{count}] " if count > 1 else ""

    def step(self, label: str, done: int, total: int, detail: str = "") -> None:
        super().step(self.prefix + label, done, total, detail)


def each_file(paths: Iterable[Path], progress: Progress,
              ingest_one: Callable[[Path, Progress], IngestResult]) -> Iterator[IngestResult]:
    """`ingest_one(file, file_progress)` for every file named or inside a named folder, one
    at a time; after Cancel the remaining files are reported cancelled."""
    files = expand_paths(paths)
    for n, path in enumerate(files):
        if progress.cancelled:
            yield IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled.")
            continue
        yield ingest_one(path, FileProgress(progress, n, len(files)))


def ingest_paths(store: Store, paths: Iterable[Path], options: IngestOptions | None = None,
                 progress: Progress | None = None, chunk_options: ChunkOptions | None = None
                 ) -> Iterator[IngestResult]:
    """Ingest files and folders one file at a time, in this process; a failure never stops
    the batch. Cancellation stops after the current file (which is rolled back). Reading in
    several processes at once is `workers.ReaderPool`'s."""
    from ..ingest import IngestOptions
    chosen = options or IngestOptions()
    return each_file(expand_paths(paths), progress or Progress(), lambda path, file_progress: ingest_file(
        store, path, lambda p, reader, fp, on_read: prepare(p, chosen, chunk_options, fp, reader, on_read),
        file_progress))


# ---- a stored document again -----------------------------------------------------------------

def rechunk(store: Store, doc_id: int, options: ChunkOptions | None = None) -> Chunking:
    """Chunk a stored document again (new strategy or budget), user edits applied."""
    from ..segment.chunker import chunk_text
    options = options or store.chunk_options(doc_id)
    started = time.perf_counter()
    headings = {start for start, _ in store.heading_ranges(doc_id)}
    embed = stored_sentences(store, doc_id)
    from ..segment.chunker import table_spans
    chunking = with_sentence_vectors(chunk_text(store.text(doc_id), options, headings, store.edits(doc_id),
                                                embed=embed, tables=table_spans(store.table_blocks(doc_id))), embed)
    vectors = embed_chunks([c.indexed_text for c in chunking.chunks], stored=store.stored_vectors)
    store.write_chunking(doc_id, chunking, vectors, time.perf_counter() - started)
    return chunking


def edit_chunks(store: Store, doc_id: int, edit: Edit) -> Chunking:
    """Record a user edit and re-chunk."""
    store.add_edit(doc_id, edit)
    return rechunk(store, doc_id)


def undo_edit(store: Store, doc_id: int) -> bool:
    """Undo the latest edit and re-chunk; False when there is none."""
    if not store.flip_edit(doc_id, undo=True):
        return False
    rechunk(store, doc_id)
    return True


def redo_edit(store: Store, doc_id: int) -> bool:
    """Redo the earliest undone edit and re-chunk; False when there is none."""
    if not store.flip_edit(doc_id, undo=False):
        return False
    rechunk(store, doc_id)
    return True


def rebuild_chapters(store: Store, doc_id: int, titles: str = "embedding",
                     llm: ChatModel | None = None, roles: bool = True) -> list[Chapter]:
    """Chapters again from the stored document and its current chunks."""
    chunks = store.chunks(doc_id)
    chapters = make_chapters(store.load_document(doc_id), [(c.start, c.end, c.score) for c in chunks],
                             store.chunk_vectors(doc_id), titles, llm, roles)
    store.write_chapters(doc_id, chapters)
    return chapters


def backfill(store: Store) -> int:
    """Complete the documents stored only up to their text (a process stopped between the
    stages), and those stored by an earlier version without vectors, full-text rows or
    chapters. Returns how many documents were completed."""
    todo = store.incomplete()
    for doc_id in todo:
        rechunk(store, doc_id)
        rebuild_chapters(store, doc_id)
        store.mark_ready(doc_id)
    return len(todo)


from .rebuild import rebuild_library as rebuild_library  # noqa: E402 (it runs the stages above)
from .rebuild import salvage_originals as salvage_originals  # noqa: E402
