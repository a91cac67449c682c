"""BM25 at a size no library here has reached: `folioscope-lab bench text --chunks N`.

N chunks of real text (the sentences of Qasper dev's paragraphs, drawn at random into chunks
of about `WORDS` words, each with a section name of the papers as its chapter title), put
into an FTS5 table shaped as a library's `chunk_fts` and into `TextIndex` the way a library
fills it, then searched library-wide with the retrieval evaluation's questions (their
content words, as `bm25_search` asks, 50 results). Reported: the text index's build time
(tokenizing included) and size on disk, its time per search (p50 / p95, warm, one process),
FTS5's time per search over the same rows on the first `FTS_QUESTIONS` questions, and the
share of those questions whose 50 results (rows, order and scores) are FTS5's exactly.
Timings are of one process on this machine, without the question's embedding.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from pathlib import Path

from .timing import percentiles_ms

WORDS = 200  # about a chunk's words at the default budget
FTS_QUESTIONS = 20
LIMIT = 50


def synthetic_rows(papers: dict, count: int, seed: int = 0):
    """(doc_id, idx, text, chapter) rows: 10 chunks a document."""
    rng = random.Random(seed)
    sentences = [s.strip() for pid in sorted(papers) for section in papers[pid]["full_text"]
                 for p in section["paragraphs"] for s in p.split(". ") if len(s.split()) > 3]
    names = sorted({section["section_name"] or "" for pid in papers for section in papers[pid]["full_text"]})
    for k in range(count):
        words, parts = 0, []
        while words < WORDS:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            words += sentence.count(" ") + 1
        yield k // 10 + 1, k % 10, ". ".join(parts) + ".", rng.choice(names)


def text_bench(data: Path, chunks: int, progress=None) -> dict:
    from folioscope.index.schema import fts_rows
    from folioscope.index.text import TOKENIZER, TextIndex, fts5_search
    from folioscope.retrieve.search import CHAPTER_WEIGHT, query_words

    from .retrieval import gold_paragraphs, load_papers
    papers = load_papers(data)
    questions = [words for pid in sorted(papers) for q, _ in gold_paragraphs(papers[pid])
                 if (words := query_words(q))][:100]
    with tempfile.TemporaryDirectory(prefix="folioscope-text-") as folder:
        conn = sqlite3.connect(Path(folder) / "fts.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("CREATE VIRTUAL TABLE chunk_fts USING fts5(text, chapter, doc_id UNINDEXED, "
                     f"idx UNINDEXED, tokenize='{TOKENIZER}')")
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO chunk_fts (rowid, text, chapter, doc_id, idx) VALUES (?,?,?,?,?)",
                         ((fts_rows(d)[0] | i, t, c, d, i) for d, i, t, c in synthetic_rows(papers, chunks)))
        conn.execute("COMMIT")
        fts_fill_s = time.perf_counter() - started
        documents = {d: (d, n) for d, n in conn.execute("SELECT doc_id, count(*) FROM chunk_fts GROUP BY doc_id")}
        if progress:
            progress(f"{chunks} rows in FTS5 ({fts_fill_s:.0f} s); building the text index")

        def read(doc_ids):
            return conn.execute("SELECT doc_id, idx, text, chapter FROM chunk_fts")

        index_folder = Path(folder) / "index"
        index_folder.mkdir()
        index = TextIndex(index_folder)
        started = time.perf_counter()
        index.sync(documents, read)
        index.save()
        build_s = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in index_folder.glob("text-*.npz")) / 2**20
        started = time.perf_counter()
        index = TextIndex(index_folder)
        index.sync(documents, read)
        load_s = time.perf_counter() - started

        weights = (1.0, CHAPTER_WEIGHT)
        index.search(questions[0], None, LIMIT, weights)  # warm
        ours, found = [], []
        for words in questions:
            started = time.perf_counter()
            found.append(index.search(words, None, LIMIT, weights))
            ours.append((time.perf_counter() - started) * 1000)
        fts, same = [], 0
        for words, mine in zip(questions[:FTS_QUESTIONS], found):
            started = time.perf_counter()
            theirs = fts5_search(conn, words, None, LIMIT, weights)
            fts.append((time.perf_counter() - started) * 1000)
            same += theirs == mine
        conn.close()
    return {"chunks": chunks, "questions": len(questions), "text_index_build_s": round(build_s, 1),
            "text_index_load_s": round(load_s, 2), "text_index_mb": round(size_mb, 1),
            "terms": len(index.vocabulary), "text_index_ms": percentiles_ms(ours), "fts5_fill_s": round(fts_fill_s, 1),
            "fts5_ms": percentiles_ms(fts), "fts5_questions": len(fts), "same_as_fts5": round(same / len(fts), 3),
            "note": "library-wide BM25 alone, 50 results, warm, without the question's embedding"}
