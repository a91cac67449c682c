"""How a library behaves as it grows: `folioscope-lab bench scale --documents N`.

The library is made of N distinct documents recombined from real text: the paragraphs of the
Qasper dev papers, shuffled (a fixed seed) and dealt into documents of 3 sections of 3-6
paragraphs each, so chunk texts differ (a copy of one document would share its chunks and
BM25 postings and flatter both). Every document is ingested by the same pipeline as a user's
file (read, sentences, boundaries, chunks, vectors, chapters, store), with the default options.

A library of ten thousand distinct documents would take hours to read on 2 cores (the
embedding model is most of it), so `distinct` can be smaller than `documents`: then only
that many documents are read by the pipeline (the ingest rate is theirs), and the library is
filled up to `documents` by storing their prepared records again under other names, through
the same path `folioscope import` stores a batch run's records. Such copies repeat chunk
texts: BM25 postings are denser than in real text (slower), and the library-wide vector
search finds the copies of the best chunk (the same work). The report says how many
documents were distinct.

Then a fresh process opens the library as the window's worker would and asks the Qasper
questions library-wide, reporting:
- cold start: process start to the first question's retrieval done (imports, opening the
  store, loading the vectors and the embedding model);
- retrieval p50/p95 without the question's embedding, and the embedding apart;
- peak resident memory of that process.

The first 24 documents are also ingested into fresh libraries by one process and by two
reader processes feeding the writer (`ingest --jobs 2`), for the speed-up.

Last, the window's library list is measured on the same library by
`python -m folioscope_lab.list_probe`, its rows repeated up to `list_rows` (10,000 unless
told): the GUI thread's time to fill it, per filter keystroke, per page scrolled, and to put
in one document just read.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECTIONS = 3
PARAGRAPHS = (3, 6)
QUESTIONS = 60
LIST_ROWS = 10_000
PARALLEL_SAMPLE = 24  # documents ingested by one process and by reader processes, to compare


def make_documents(papers: dict, count: int, folder: Path, seed: int = 0, sections: int = SECTIONS) -> list[Path]:
    """`count` Markdown documents of `sections` sections dealt from the papers' shuffled
    paragraphs."""
    rng = random.Random(seed)
    pool = [p.strip() for paper in papers.values() for section in paper["full_text"]
            for p in section["paragraphs"] if len(p.split()) >= 20]
    names = [(s.get("section_name") or "Section").split(":::")[-1].strip() or "Section"
             for paper in papers.values() for s in paper["full_text"]]
    order: list[int] = []
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(count):
        parts = [f"# Document {k + 1}"]
        for _ in range(sections):
            parts.append(f"## {rng.choice(names)}")
            for _ in range(rng.randint(*PARAGRAPHS)):
                if not order:
                    order = list(range(len(pool)))
                    rng.shuffle(order)
                parts.append(pool[order.pop()])
        path = folder / f"doc-{k + 1:05d}.md"
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
        out.append(path)
    return out


_PROBE = r"""
import json, resource, statistics, sys, time
t0 = time.perf_counter()
from pathlib import Path
from folioscope.embed import shared_embedder
from folioscope.index import Store
from folioscope.retrieve import retrieve
questions = json.loads(sys.argv[2])
def peak_mb():
    # this process's own peak: Linux keeps ru_maxrss across exec, so it can be the parent's
    try:
        with open("/proc/self/status") as status:
            return round(int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) / 1024)
    except (OSError, StopIteration):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
store = Store(Path(sys.argv[1]))
embedder = shared_embedder()
first = retrieve(store, questions[0], None, encoder=embedder)
cold = time.perf_counter() - t0
embed_ms, search_ms, stages = [], [], {}
for q in questions[1:]:
    a = time.perf_counter()
    vector = embedder.encode([q])[0]
    b = time.perf_counter()
    found = retrieve(store, q, None, question_vector=vector, encoder=embedder)
    c = time.perf_counter()
    embed_ms.append((b - a) * 1000)
    search_ms.append((c - b) * 1000)
    for k, v in found.timings.items():
        stages.setdefault(k, []).append(v * 1000)
import numpy as np  # percentiles as the retrieval evaluation computes them
print(json.dumps({"cold_start_s": round(cold, 2), "retrieval_p50_ms": round(statistics.median(search_ms), 1),
                  "retrieval_p95_ms": round(float(np.percentile(search_ms, 95)), 1),
                  "embed_question_ms": round(statistics.median(embed_ms), 1),
                  "stage_median_ms": {k: round(statistics.median(v), 1) for k, v in stages.items()},
                  "rss_mb": peak_mb(),
                  "questions": len(search_ms)}))
"""


def scale_bench(data: Path, documents: int, folder: Path | None = None, progress=None,
                list_rows: int = LIST_ROWS, distinct: int | None = None, sections: int = SECTIONS) -> dict:
    from folioscope.index import Store

    from .retrieval import load_papers
    distinct = min(distinct or documents, documents)
    papers = load_papers(data)
    temp = None
    if folder is None:
        temp = tempfile.TemporaryDirectory(prefix="folioscope-scale-")
        folder = Path(temp.name)
    try:
        paths = make_documents(papers, distinct, folder / "documents", sections=sections)
        store = Store(folder / "library")
        started = time.perf_counter()
        results, prepared = ingest_keeping(store, paths, progress)
        ingest_s = time.perf_counter() - started
        read_sentences = store.conn.execute("SELECT count(*) FROM sentences").fetchone()[0]
        copies_s = store_copies(store, prepared, documents - distinct, progress)
        started = time.perf_counter()
        store.index_text()  # what closing the library does after writes, timed apart
        text_index_s = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        store.vectors.index_saved()  # the same: the approximate index, once the library is large
        vector_index_s = round(time.perf_counter() - started, 2)
        store.close()
        measured = measure_library(folder / "library", papers, list_rows)
        sample = paths[:PARALLEL_SAMPLE] if sections == SECTIONS else make_documents(
            papers, PARALLEL_SAMPLE, folder / "sample", sections=SECTIONS)  # comparable across runs
        parallel = parallel_speedup(sample, folder / "parallel", progress)  # Ray's last
        added = sum(r.status == "added" for r in results)
        return {
            "distinct_documents": distinct, "sections_per_document": sections, "copies_stored_s": copies_s,
            "failed": len(results) - added,
            "ingest_documents_per_s": round(added / ingest_s, 3),
            "ingest_sentences_per_s": round(read_sentences / ingest_s, 1),
            "ingest_parallel": parallel,
            "text_index_build_s": text_index_s,
            "vector_index_build_s": vector_index_s,
            **measured,
        }
    finally:
        if temp is not None:
            temp.cleanup()


def measure_library(library: Path, papers: dict, list_rows: int = LIST_ROWS) -> dict:
    """A library as it is on disk: its size, then a fresh process opening it and asking
    questions library-wide (`_PROBE`), and the window's list of it (`list_probe`)."""
    import sqlite3
    from contextlib import closing

    from .retrieval import gold_paragraphs
    os.sync()  # the library's pages written out before the fresh process opens it
    with closing(sqlite3.connect(f"file:{library / 'library.db'}?mode=ro", uri=True)) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "chunks", "sentences")}
    questions = [q for pid in sorted(papers) for q, _ in gold_paragraphs(papers[pid])][:QUESTIONS]
    measured = _last_json_line([sys.executable, "-c", _PROBE, str(library), json.dumps(questions)], 3600)
    measured.update(_last_json_line([sys.executable, "-m", "folioscope_lab.list_probe", str(library),
                                     "--rows", str(list_rows)], 1800))
    return {**counts,
            "library_mb": round(sum(p.stat().st_size for p in library.glob("library.db*")) / 2**20, 1),
            "text_index_mb": round(sum(p.stat().st_size for p in library.glob("text-*.npz")) / 2**20, 1),
            "vector_index_mb": round(sum(p.stat().st_size for p in library.glob("vectors-*.usearch")) / 2**20, 1),
            **measured,
            "note": "Markdown documents (no pages); retrieval library-wide, question embedding apart"}


def _last_json_line(command: list[str], timeout: int) -> dict:
    """Run a probe in a fresh process; the JSON object on its last line of output."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "probe failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_existing(data: Path, folder: Path, list_rows: int = LIST_ROWS) -> dict:
    """`measure_library` on a library built before (`--keep DIR` keeps it in DIR/library),
    first brought to this version's schema so that the cold start does not count a migration."""
    from folioscope.core import FolioscopeError
    from folioscope.index import Store

    from .retrieval import load_papers
    library = folder / "library" if (folder / "library" / "library.db").is_file() else folder
    if not (library / "library.db").is_file():
        raise FolioscopeError(f"There is no library in {folder} to measure.")
    Store(library).close()
    return {"measured_only": True, **measure_library(library, load_papers(data), list_rows)}


def ingest_keeping(store, paths: list[Path], progress=None) -> tuple[list, dict]:
    """`ingest_paths(store, paths)` in one process (the same `each_file`, `ingest_file` and
    `prepare` with the default options), keeping each file's prepared record for
    `store_copies`: (results, {path: Prepared})."""
    from folioscope.core import Progress
    from folioscope.pipeline import each_file, ingest_file, prepare
    kept: dict = {}

    def prepare_and_keep(path, reader, file_progress, on_read):
        kept[path] = prepare(path, None, None, file_progress, reader, on_read)
        return kept[path]
    results = list(each_file(paths, progress or Progress(),
                             lambda path, file_progress: ingest_file(store, path, prepare_and_keep, file_progress)))
    return results, kept


def store_copies(store, prepared: dict, count: int, progress=None) -> float | None:
    """Store `count` copies of the prepared documents (`{path: Prepared}`, in turn, under the
    names copy-NNNNN-<name>), as `folioscope import` stores prepared records; the seconds
    storing took, None when no copies were asked for."""
    import hashlib

    from folioscope.core import Progress
    from folioscope.pipeline import store_prepared
    if count <= 0:
        return None
    progress = progress or Progress()
    sources = [(path, path.read_bytes(), record) for path, record in prepared.items()]
    started = time.perf_counter()
    for k in range(count):
        path, data, prepared_copy = sources[k % len(sources)]
        copy = path.with_name(f"copy-{k + 1:05d}-{path.name}")
        progress.step(copy.name, k, count, "storing copies")
        sha = hashlib.sha256(data + f"copy {k + 1}".encode()).hexdigest()  # the content key of the copy
        result = store_prepared(store, copy, sha, prepared_copy, data, 0.0)
        if result.status != "added":
            raise RuntimeError(f"storing a copy failed: {result.message}")
    return round(time.perf_counter() - started, 1)


def parallel_speedup(paths: list[Path], folder: Path, progress=None, jobs: int = 2) -> dict:
    """The same documents ingested into fresh libraries by one process and with `jobs`
    reader processes; the reader processes' start (loading their models) is included."""
    from folioscope.core import Progress
    from folioscope.index import Store
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import ingest_paths
    from folioscope.workers.pool import ReaderPool
    seconds = {}
    for n in (1, jobs):
        with Store(folder / f"jobs-{n}") as store:
            started = time.perf_counter()
            if n == 1:
                results = list(ingest_paths(store, paths, IngestOptions(), progress))
            else:  # the reader pool the command line's --jobs and the window use
                with ReaderPool(n) as pool:
                    results = pool.ingest(store.folder, paths, IngestOptions(), progress=progress or Progress(),
                                          index=False)
            seconds[n] = time.perf_counter() - started
        if not all(r.ok for r in results):
            raise RuntimeError(f"ingest with {n} process(es) failed: {[r.message for r in results if not r.ok][:1]}")
    report = {"documents": len(paths), "jobs": jobs, "one_process_s": round(seconds[1], 1),
              "parallel_s": round(seconds[jobs], 1), "speedup": round(seconds[1] / seconds[jobs], 2)}
    report["ray"] = ray_rate(paths, folder / "ray", seconds[1], jobs)
    return report


def ray_rate(paths: list[Path], folder: Path, one_process_s: float, jobs: int = 2) -> dict:
    """The same documents read on a local Ray cluster of `jobs` reader actors into shards
    (cluster start and model loading included), then imported into a fresh library."""
    import shutil

    from folioscope.batch.run import batch_ingest
    from folioscope.batch.shards import import_shards
    from folioscope.core import FolioscopeError
    from folioscope.index import Store
    corpus = folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy(path, corpus / path.name)
    started = time.perf_counter()
    try:
        summary = batch_ingest(corpus, folder / "shards", jobs=jobs)
    except FolioscopeError as exc:  # Ray not installed
        return {"error": str(exc)}
    batch_s = time.perf_counter() - started
    with Store(folder / "library") as store:
        clock = time.perf_counter()
        imported = [r for r in import_shards(store, folder / "shards") if r.status == "added"]
        import_s = time.perf_counter() - clock
    return {"documents": summary["read"], "actors": jobs, "batch_s": round(batch_s, 1),
            "pipeline_s": summary["seconds"], "documents_per_s": summary["documents_per_s"],
            "import_s": round(import_s, 2), "imported": len(imported),
            "speedup_with_import": round(one_process_s / (batch_s + import_s), 2)}


def summary(report: dict) -> str:
    copies = (f" ({report['distinct_documents']} distinct, the rest copies)"
              if report["distinct_documents"] < report["documents"] else "")
    return (f"{report['documents']} documents{copies}, {report['chunks']} chunks: retrieval p50 {report['retrieval_p50_ms']} ms, "
            f"p95 {report['retrieval_p95_ms']} ms (+{report['embed_question_ms']} ms to embed the question), "
            f"cold start {report['cold_start_s']} s, {report['rss_mb']} MB; library list of {report['list_rows']} rows: "
            f"filter keystroke max {report['list_filter_ms']['max']} ms, page scroll max {report['list_scroll_ms']['max']} ms; "
            f"two reader processes {report['ingest_parallel']['speedup']}x one"
            + (f", Ray {report['ingest_parallel']['ray']['speedup_with_import']}x one with the import"
               if "speedup_with_import" in report["ingest_parallel"].get("ray", {}) else ""))


__all__ = ["scale_bench", "make_documents", "summary"]
