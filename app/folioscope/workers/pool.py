"""The one pool of reader processes, for every way files come into a library: the command
line's `--jobs N`, the window (drops, File > Add, watched folders) and the robustness
evaluation. (A Ray batch runs the same per-file work, `pipeline.prepare`, in its actors.)

Each reader is a `WorkerProcess` running `tasks.ingest_task`: it checks, hashes and reads
a file once, chunks, embeds and titles it, and stores it in one transaction. Only a small
`IngestResult` comes back, so nothing large is unpickled in the process that asked (the
window keeps its GIL). Readers take the next file as they finish one; SQLite serialises
their transactions (WAL, BEGIN IMMEDIATE), so the library is never half-written; a reader
that dies fails only its own file and the next call starts a new one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core import Cancelled, Progress
from ..core.results import IngestResult, IngestStage
from .process import WorkerProcess
from .tasks import complete_task, index_task, ingest_task, read_task

READER_STOPPED = "made the reader stop unexpectedly; it may be damaged."

FileProgress = Callable[[int, int, Path, Progress], Progress]  # (n, files, path, batch progress) -> per file


def batch_progress(n: int, count: int, path: Path, progress: Progress) -> Progress:
    """A file's progress, prefixed with its place in the batch."""
    from ..pipeline import FileProgress as Prefixed
    return Prefixed(progress, n, count)


class ReaderPool:
    """`size` reader processes (each started on its first file), sharing the cores."""

    def __init__(self, size: int = 1, name: str = "folioscope-reader") -> None:
        self.name = name
        self.readers: list[WorkerProcess] = []
        self.resize(size)

    def resize(self, size: int) -> None:
        while len(self.readers) < max(1, size):
            self.readers.append(WorkerProcess(f"{self.name}-{len(self.readers) + 1}"))
        while len(self.readers) > max(1, size):
            self.readers.pop().stop()

    def warm_up(self) -> None:
        """Start the first reader and make it ready (imports, the sentence encoder) in the
        background, so that the first file is read at once."""
        from .tasks import warm_up_task

        def warm() -> None:
            try:
                self.readers[0].call(warm_up_task)
            except Exception:  # noqa: BLE001 - a reader that cannot start says why on its first file
                pass
        threading.Thread(target=warm, name="reader-warm-up", daemon=True).start()

    def restart(self) -> None:
        """Stop every reader; the next file starts fresh ones (after one ran short of memory)."""
        for reader in self.readers:
            reader.stop()

    def stop(self) -> None:
        for reader in self.readers:
            reader.stop()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ingest(self, folder: Path, paths: list[Path], options: object = None, chunk_options: object = None, *,
               progress: Progress, emit: Callable[[IngestResult | IngestStage], None] | None = None,
               task: Callable = ingest_task, file_progress: FileProgress = batch_progress,
               index: bool = True, first: Callable[[], int | None] | None = None,
               staged: bool | None = None) -> list[IngestResult]:
        """Read and store every file (folders expanded); results in the files' order, each also
        handed to `emit` as it is done, after the file's stages (`IngestStage`: opened, text
        stored) as they happen.

        A batch of several files is read in two passes: every file's pages and text first (each
        listed and browsable as it is stored; the cheapest first: text layers before OCR, few
        pages before many),
        then each one's chunks, vectors and chapters, the document `first()` names (the one open
        in the window) before the others (`staged`: False
        reads each file to the end before the next; None: two passes for several files). After Cancel
        (or Ctrl+C) the files not complete are reported cancelled and nothing of them stays.
        With `index`, a batch that added documents ends by bringing the library's saved search
        indexes in step."""
        from ..pipeline import expand_paths
        files = expand_paths(paths)
        readers = self.readers[:max(1, len(files))]
        threads = max(1, (os.cpu_count() or 1) // len(readers)) if len(readers) > 1 else None
        results: dict[int, IngestResult] = {}
        read: dict[int, IngestResult] = {}  # stored up to their text, waiting for the second pass
        lock = threading.Lock()
        staged = (len(files) > 1 if staged is None else staged) and task is ingest_task

        def done(n: int, result: IngestResult) -> None:
            with lock:
                if result.status == "read":
                    read[n] = result
                    return
                results[n] = result
                if emit is not None:
                    emit(result)

        def run(reader: WorkerProcess, job_task: Callable, n: int, subject: object) -> None:
            path = subject.path if isinstance(subject, IngestResult) else subject
            done(n, self._read(reader, job_task, folder, subject, options, chunk_options, threads,
                               file_progress(n, len(files), path, progress), emit))

        def failed(n: int, path: Path, exc: Exception) -> None:
            done(n, IngestResult(path=path, status="failed", message=f"{path.name} could not be read because of an "
                                 "unexpected problem in Folioscope; the details are in the log.",
                                 bug=type(exc).__name__))
        jobs = list(enumerate(files))
        if staged:  # the cheapest first (text layers before OCR, few pages before many)
            from ..ingest import reading_cost
            jobs.sort(key=lambda job: reading_cost(job[1]))
        self._each(readers, jobs, lambda reader, job: run(reader, read_task if staged else task, *job),
                   lambda job, exc: failed(*job, exc), progress)
        if read:
            def opened_first(jobs: list[tuple[int, IngestResult]]) -> int:
                wanted = first() if first is not None else None
                return next((i for i, (_, r) in enumerate(jobs) if r.doc_id == wanted), 0)
            self._each(readers, sorted(read.items()), lambda reader, job: run(reader, complete_task, *job),
                       lambda job, exc: failed(job[0], job[1].path, exc), progress, pick=opened_first)
            self._discard([r for n, r in read.items() if n not in results], folder)
        for n, path in enumerate(files):  # left after Cancel
            if n not in results:
                done(n, IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled."))
        ordered = [results[n] for n in sorted(results)]
        if index and not progress.cancelled and any(r.status == "added" for r in ordered):
            try:  # so the first question after an import does not build the indexes
                readers[0].call(index_task, folder, progress=progress)
            except (Cancelled, EOFError, ConnectionError, OSError):
                pass  # cancelled or stopped: the next process that searches brings them in step
        return ordered

    @staticmethod
    def _each(readers: list[WorkerProcess], jobs: list, work: Callable[[WorkerProcess, Any], None],
              failed: Callable[[Any, Exception], None], progress: Progress,
              pick: Callable[[list], int] = lambda jobs: 0) -> None:
        """`work(reader, job)` for every job, each reader taking the next (`pick`) as it finishes
        one, until the jobs are done or Cancel. A reader's unexpected error (a bug) fails its
        job and is raised here once the others are done."""
        lock = threading.Lock()
        errors: list[BaseException] = []

        def loop(reader: WorkerProcess) -> None:
            while True:
                with lock:
                    if not jobs or progress.cancelled:
                        return
                    job = jobs.pop(pick(jobs))
                try:
                    work(reader, job)
                except Exception as exc:
                    errors.append(exc)
                    failed(job, exc)
        workers = [threading.Thread(target=loop, args=(r,), name=f"ingest-{i}", daemon=True)
                   for i, r in enumerate(readers)]
        for worker in workers:
            worker.start()
        try:
            for worker in workers:
                while worker.is_alive():
                    worker.join(0.2)
        except KeyboardInterrupt:  # Ctrl+C on the command line: the files being read are rolled back
            progress.cancel()
            for worker in workers:
                worker.join()
            raise
        if errors:
            raise errors[0]

    @staticmethod
    def _discard(read: list[IngestResult], folder: Path) -> None:
        """Files stored up to their text whose second pass never ran (Cancel): nothing stays."""
        if read:
            from ..index import Store
            with Store(folder) as store:
                for result in read:
                    store.discard_reading(result.path)

    @staticmethod
    def _read(reader: WorkerProcess, task: Callable, folder: Path, subject: Path | IngestResult, options: object,
              chunk_options: object, threads: int | None, progress: Progress, emit: Callable | None) -> IngestResult:
        """`task(folder, subject, ...)` on `reader`: a file (`subject`: its path) or the second
        pass over one (`subject`: its first pass's result)."""
        path = subject.path if isinstance(subject, IngestResult) else subject
        try:
            return reader.call(task, folder, subject, options, chunk_options, threads=threads, progress=progress,
                               emit=emit)
        except Cancelled:  # the reader was stopped: what it stored of the file short of its chunks goes
            result = IngestResult(path=path, status="cancelled", message=f"{path.name}: cancelled.")
        except (EOFError, ConnectionError, OSError):
            result = IngestResult(path=path, status="failed", message=f"{path.name} {READER_STOPPED}")
        from ..index import Store
        with Store(folder) as store:
            store.discard_reading(path)
            if result.status == "failed":
                store.log(result)
        return result
