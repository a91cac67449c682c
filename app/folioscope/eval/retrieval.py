"""Retrieval evaluation on Qasper: is the gold evidence among the chunks we select?

Each paper's full text is ingested as Markdown (its sections as headings). For every
answerable question with text evidence (figure/table evidence is left out), the gold
evidence is the union of all annotators' evidence paragraphs, located in the document
text. Papers are split by a hash of their id: "tune" papers set the cut's parameters,
"test" papers report them.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from ..core import FolioscopeError
from .metrics import evidence_scores
from .segdata import split_of

CONFIGS = {  # name -> (searches, fusion, cut options)
    "hybrid + gradient cut": ("hybrid", "cc", {"cut": "gradient"}),
    "hybrid + elbow cut": ("hybrid", "cc", {"cut": "elbow"}),
    "hybrid (RRF) + gradient cut": ("hybrid", "rrf", {"cut": "gradient"}),
    "hybrid top-3": ("hybrid", "cc", {"cut": "top", "top_k": 3, "neighbours": False}),
    "hybrid top-5": ("hybrid", "cc", {"cut": "top", "top_k": 5, "neighbours": False}),
    "hybrid top-10": ("hybrid", "cc", {"cut": "top", "top_k": 10, "neighbours": False, "budget": 10**6}),
    "bm25 + gradient cut": ("bm25", "cc", {"cut": "gradient"}),
    "dense + gradient cut": ("dense", "cc", {"cut": "gradient"}),
}


def paper_markdown(paper: dict) -> str:
    parts = [f"# {paper['title']}", "## Abstract", paper["abstract"]]
    for section in paper["full_text"]:
        name = (section.get("section_name") or "").split(":::")[-1].strip()
        if name:
            parts.append(f"## {name}")
        parts.extend(p for p in section["paragraphs"] if p.strip())
    return "\n\n".join(parts) + "\n"


def questions(paper: dict) -> list[tuple[str, list[str]]]:
    out = []
    for qa in paper["qas"]:
        evidence: list[str] = []
        for answer in qa["answers"]:
            a = answer["answer"]
            if a.get("unanswerable"):
                continue
            evidence += [e for e in a.get("evidence", []) if e.strip() and not e.startswith("FLOAT SELECTED")]
        if evidence:
            out.append((qa["question"], list(dict.fromkeys(evidence))))
    return out


def _locate(text: str, paragraph: str) -> tuple[int, int] | None:
    paragraph = paragraph.strip()
    at = text.find(paragraph)
    if at < 0:
        at = text.find(paragraph[:80])
    return (at, at + len(paragraph)) if at >= 0 else None


def build_library(data_file: Path, folder: Path, papers: list[str], progress=None):
    import json
    from ..index import Library
    from ..index.library import ingest_paths
    from ..ingest import IngestOptions
    data = json.loads(data_file.read_text(encoding="utf-8"))
    library = Library(folder)
    have = {r["name"] for r in library.documents()}
    source = folder / "papers"
    source.mkdir(exist_ok=True)
    todo = []
    for pid in papers:
        path = source / f"{pid}.md"
        if path.name not in have:
            path.write_text(paper_markdown(data[pid]), encoding="utf-8")
            todo.append(path)
    for result in ingest_paths(library, todo, IngestOptions(chapter_titles="keyphrases")):
        if not result.ok:
            raise FolioscopeError(f"Could not ingest {result.path.name}: {result.message}")
    ids = {r["name"][:-3]: r["id"] for r in library.documents()}
    return library, data, ids


def evaluate_retrieval(data_file: Path, folder: Path | None = None, configs: dict | None = None,
                       drop: float | None = None, titles: bool = True) -> dict:
    import json
    from ..retrieve import SelectOptions, retrieve
    if data_file.is_dir():
        data_file = data_file / "qa" / "qasper_dev.json"
    if not data_file.is_file():
        raise FolioscopeError(f"No Qasper file at {data_file}.")
    papers = sorted(json.loads(data_file.read_text(encoding="utf-8")))
    temp = None
    if folder is None:
        temp = tempfile.TemporaryDirectory(prefix="folioscope-qasper-")
        folder = Path(temp.name)
    started = time.perf_counter()
    library, data, ids = build_library(data_file, folder, papers)
    ingest_seconds = time.perf_counter() - started
    report: dict = {"papers": len(papers), "ingest_seconds": round(ingest_seconds, 1), "splits": {}}
    configs = configs or CONFIGS
    for split in ("tune", "test"):
        chosen = [p for p in papers if (split_of(p) == "train") == (split == "tune")]
        rows = {}
        n_questions = 0
        for name, (searches, fusion, cut) in configs.items():
            options = SelectOptions(**cut)
            if drop is not None and options.cut == "gradient":
                options = replace(options, drop=drop)
            sums: dict[str, float] = {}
            count = 0
            for pid in chosen:
                doc_id = ids[pid]
                text = library.text(doc_id)
                for question, paragraphs in questions(data[pid]):
                    gold = [r for r in (_locate(text, p) for p in paragraphs) if r]
                    if not gold:
                        continue
                    found = retrieve(library, question, {doc_id}, options, fusion, evidence=None,
                                     searches=searches)
                    scores = evidence_scores(gold, [(c.start, c.end) for c in found.kept])
                    scores.update(chunks=len(found.kept), tokens=found.tokens)
                    for k, v in scores.items():
                        sums[k] = sums.get(k, 0.0) + v
                    count += 1
            n_questions = count
            rows[name] = {k: round(v / count, 3) if k not in ("chunks", "tokens") else round(v / count, 1)
                          for k, v in sums.items()} if count else {}
        report["splits"][split] = {"papers": len(chosen), "questions": n_questions, "results": rows}
    report["latency"] = _latency(library, data, ids, papers)
    library.close()
    if temp is not None:
        temp.cleanup()
    if titles:
        from .chapters import evaluate_titles
        report["chapter_titles"] = evaluate_titles(data_file)
    return report


def _latency(library, data, ids, papers) -> dict:
    """Retrieval time (no LLM, no evidence sentences) over libraries of growing size: each
    question searched across the first n papers."""
    from ..retrieve import retrieve
    qs = [q for pid in papers for q, _ in questions(data[pid])][:60]
    retrieve(library, qs[0])  # loads the embedder and the vectors
    out = {}
    for n in (10, 20, 40, len(papers)):
        subset = {ids[p] for p in papers[:n]}
        times = []
        for q in qs:
            t = time.perf_counter()
            retrieve(library, q, subset, evidence=None)
            times.append(time.perf_counter() - t)
        times.sort()
        out[f"{n} papers"] = {"p50_ms": round(1000 * statistics.median(times), 1),
                              "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1)}
    return out
