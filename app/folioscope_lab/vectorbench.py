"""Where exact vector search stops being fast enough: `folioscope-lab bench vectors --chunks N`.

Library-wide dense search over N chunk vectors, both ways the library can do it:
- exact: the float32 matrix product and top-k the library runs below `ANN_MIN_CHUNKS`;
- approximate: the usearch HNSW index (float16) it runs above, built as the library builds it.

The vectors are synthetic (building a real library of a million chunks takes days on two
cores): unit vectors around random topic centres (one per 50 vectors, about a paper's
chunks), spread so that a vector's cosine to
its own centre is about 0.6, as MiniLM chunk vectors of one paper are to their mean. Queries
are held-out vectors of the same kind. Reported: time per query (median and p95, exact and
approximate), the index's build time and size, and the approximate search's recall of the
exact top 10, at the shipped search breadth (`expansion_search`) and at the others of
`EXPANSIONS` on the same index. Timings are of one process on this machine, warm, without the question's
embedding.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from folioscope.index.vectors import DIMENSIONS, best_rows, hnsw_index

from .timing import percentiles_ms

CHUNKS_PER_TOPIC = 50  # about one paper's chunks
SPREAD = 0.068  # per-dimension noise around a topic centre: cosine to the centre about 0.6
QUERIES = 100
K = 10
EXPANSIONS = (64, 128, 256, 512)  # HNSW search breadth: recall against time per query


def synthetic_vectors(count: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    out = np.empty((count, DIMENSIONS), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        block = centres[rng.integers(0, len(centres), n)] + rng.normal(0, SPREAD, (n, DIMENSIONS))
        out[start:start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def vector_bench(chunks: int, seed: int = 0, progress=None) -> dict:
    rng = np.random.default_rng(seed)
    topics = max(1, chunks // CHUNKS_PER_TOPIC)
    centres = rng.normal(size=(topics, DIMENSIONS))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    matrix = synthetic_vectors(chunks, rng, centres)
    queries = synthetic_vectors(QUERIES, rng, centres)
    pair = synthetic_vectors(2, np.random.default_rng(seed + 1), centres[:1])
    to_centre, same_topic = float(pair[0] @ centres[0]), float(pair[0] @ pair[1])

    exact_ms, exact_top = [], []
    for q in queries:
        start = time.perf_counter()
        top = best_rows(matrix @ q, K)
        exact_ms.append((time.perf_counter() - start) * 1000)
        exact_top.append(set(top.tolist()))

    index = hnsw_index()
    start = time.perf_counter()
    for at in range(0, chunks, 50_000):
        index.add(np.arange(at, min(at + 50_000, chunks), dtype=np.int64), matrix[at:at + 50_000])
        if progress is not None:
            progress(min(at + 50_000, chunks), chunks)
    build_s = time.perf_counter() - start
    shipped = index.expansion_search
    sweep = []
    for expansion in sorted({shipped, *EXPANSIONS}):  # the search-time operating points of one index
        index.expansion_search = expansion
        approx_ms, recall = [], []
        for q, truth in zip(queries, exact_top):
            start = time.perf_counter()
            found = index.search(q, K)
            approx_ms.append((time.perf_counter() - start) * 1000)
            recall.append(len(truth & {int(k) for k in found.keys}) / K)
        sweep.append({"expansion_search": expansion, "ms": percentiles_ms(approx_ms), "recall_at_10": round(statistics.mean(recall), 4),
                      "default": expansion == shipped})
    chosen = next(row for row in sweep if row["default"])
    return {
        "chunks": chunks, "queries": QUERIES, "k": K,
        "vectors": f"synthetic: {topics} topics; cosine of a vector to its topic's centre {to_centre:.2f}, "
                   f"to another of its topic {same_topic:.2f}",
        "exact_ms": percentiles_ms(exact_ms), "exact_matrix_mb": round(matrix.nbytes / 2**20),
        "approximate_ms": chosen["ms"], "approximate_recall_at_10": chosen["recall_at_10"],
        "expansion_search": chosen["expansion_search"], "approximate_by_expansion": sweep,
        "index_build_s": round(build_s, 1), "index_mb": round(index.memory_usage / 2**20),
    }


__all__ = ["vector_bench"]
