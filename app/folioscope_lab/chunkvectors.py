"""Could a chunk's vector be pooled from its sentences' vectors instead of embedding its text?

Ingest runs MiniLM over every sentence (for the boundaries and the evidence) and again over
every chunk (for dense search). Pooling the stored sentence vectors (their mean, or their
mean weighted by word pieces) would save the second pass, a third of ingest time. This
measures what it costs in retrieval, on the Qasper dev *tune* half: one library is built,
then searched with its embedded chunk vectors and with each pooled kind in their place
(everything else identical), for the shipped default and for plain top-5 rows, within one
paper and library-wide, with paired bootstrap intervals over papers.

    python -m folioscope_lab.chunkvectors [--limit 40] [--library DIR] [--save results]

results/chunk-vectors-tune.json holds the run the README cites.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .archive import provenance, save
from .retrieval import (
    DEFAULT,
    aggregate,
    build_library,
    folioscope_method,
    load_papers,
    questions,
    score_rows,
    split_of,
)
from .stats import paired_bootstrap

POOLINGS = ("mean", "token-weighted mean")


def pooled_vectors(store, pooling: str) -> dict[str, np.ndarray]:
    """chunk hash -> the pooled unit vector of the sentences inside the chunk."""
    from folioscope.embed import count_tokens
    out: dict[str, np.ndarray] = {}
    for doc in store.documents():
        stored = store.sentence_vectors(doc.id)
        if stored is None:
            continue
        ranges, matrix = stored
        text = store.text(doc.id)
        starts = np.array([a for a, _ in ranges])
        ends = np.array([b for _, b in ranges])
        for start, end, key in store.conn.execute("SELECT start, end, hash FROM chunks WHERE doc_id = ?", (doc.id,)):
            inside = (starts < end) & (ends > start)
            if not inside.any():
                continue
            weights = (np.ones(int(inside.sum())) if pooling == "mean" else
                       np.array(count_tokens([text[a:b] for a, b in zip(starts[inside], ends[inside])]), float) + 1)
            vector = (matrix[inside] * weights[:, None]).sum(0)
            out[key] = (vector / np.linalg.norm(vector)).astype(np.float32)
    return out


def compare(data: Path, limit: int = 40, library: Path | None = None, split: str = "tune") -> dict:
    from folioscope.index import Store
    papers = load_papers(data)
    papers = {p: papers[p] for p in [q for q in sorted(papers) if split_of(q) == split][:limit]}
    with tempfile.TemporaryDirectory(prefix="folioscope-chunkvectors-") as temp:
        base = library or Path(temp) / "embedded"
        store, ids = build_library(papers, base)
        qs = questions(papers, store, ids, split, limit)
        store.close()
        rows = {DEFAULT: folioscope_method(passages={}),
                "hybrid top-5": folioscope_method(cut="top", top_k=5, neighbours=False, max_keep=5, budget=10 ** 6),
                "dense only + gradient cut + neighbours": folioscope_method(searches="dense", cut="gradient"),
                "dense top-5": folioscope_method(searches="dense", cut="top", top_k=5, neighbours=False,
                                                 max_keep=5, budget=10 ** 6)}
        scored = {}
        for name in ("embedded", *POOLINGS):
            folder = Path(temp) / name.replace(" ", "-")
            if name != "embedded":
                shutil.copytree(base, folder)
            store = Store(base if name == "embedded" else folder)
            if name != "embedded":
                pooled = pooled_vectors(store, name)
                with store.conn:
                    store.conn.executemany("UPDATE vectors SET vector = ? WHERE hash = ?",
                                           [(v.tobytes(), h) for h, v in pooled.items()])
            scored[name] = {scope: score_rows(store, qs, rows, scope) for scope in ("within-paper", "library-wide")}
            store.close()
    papers_of = [q.paper for q in qs]
    report: dict = {"split": split, "papers": len(set(papers_of)), "questions": len(qs), "default": DEFAULT,
                    "scopes": {}}
    for scope in ("within-paper", "library-wide"):
        report["scopes"][scope] = {
            row: {"results": {name: aggregate(scored[name][scope][row]) for name in scored},
                  "recall difference from embedded": {
                      name: paired_bootstrap([r["recall"] for r in scored[name][scope][row]],
                                             [r["recall"] for r in scored["embedded"][scope][row]], papers_of)
                      for name in POOLINGS}}
            for row in rows}
    return report


def main(argv: list[str] | None = None) -> int:
    from . import default_data_dir
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=40, help="tune papers in the library")
    parser.add_argument("--library", type=Path, default=None, help="build (or reuse) the library here")
    parser.add_argument("--save", type=Path, default=None, help="write DIR/chunk-vectors-tune.json")
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    report = {"evaluation": "chunk vectors: embedded against pooled from sentence vectors",
              **provenance([data / "qa" / "qasper_dev.json"]), **compare(data, args.limit, args.library)}
    for scope, rows in report["scopes"].items():
        for row, r in rows.items():
            diffs = ", ".join(f"{n} {d['difference']:+.3f} {d['ci95']}" for n, d in
                              r["recall difference from embedded"].items())
            print(f"{scope:12} {row[:40]:40} embedded recall {r['results']['embedded']['recall']:.3f}; pooled: {diffs}")
    if args.save:
        print("saved", save(report, args.save, "chunk-vectors-tune"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
