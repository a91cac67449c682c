"""Chapter titles against real section names (Qasper papers ingested without headings).

Each paper's paragraphs are ingested as plain text, so chapters come from chunk cuts and
their titles are generated. Every real section is matched to the chapter that overlaps it
most, and that chapter's title is scored against the section name with ROUGE-L (F1 over
lower-cased words). Titles from the LLM (keyphrases where it gave junk) and keyphrase-only
titles for the same chapters are compared side by side.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
from pathlib import Path

from .segdata import split_of


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 between two strings, on lower-cased words."""
    a = re.findall(r"\w+", candidate.lower())
    b = re.findall(r"\w+", reference.lower())
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def evaluate_titles(data_file: Path, n_papers: int = 12) -> dict:
    from ..chapters.titles import KeyphraseTitler
    from ..index import Library
    from ..index.library import ingest_paths
    from ..ingest import IngestOptions
    data = json.loads(data_file.read_text(encoding="utf-8"))
    papers = [p for p in sorted(data) if split_of(p) == "test"][:n_papers]
    scores = {"llm": [], "keyphrases": []}
    accepted = total = 0
    with tempfile.TemporaryDirectory(prefix="folioscope-titles-") as folder:
        library = Library(Path(folder))
        for pid in papers:
            paper = data[pid]
            sections = [(s.get("section_name") or "").split(":::")[-1].strip() for s in paper["full_text"]]
            paragraphs = [[p for p in s["paragraphs"] if p.strip()] for s in paper["full_text"]]
            path = Path(folder) / f"{pid}.txt"
            path.write_text(f"{paper['title']}\n\n" + "\n\n".join(p for ps in paragraphs for p in ps) + "\n",
                            encoding="utf-8")
            [result] = list(ingest_paths(library, [path], IngestOptions(chapter_titles="llm")))
            if not result.ok:
                continue
            text = library.text(result.doc_id)
            chapters = library.chapters(result.doc_id)
            keyphrase = KeyphraseTitler([text[c.start:c.end] for c in chapters])
            kp_titles = []
            for c in chapters:
                kp_titles.append(keyphrase.title(c.index, kp_titles))
            accepted += sum(c.title_source == "llm" for c in chapters)
            total += len(chapters)
            for name, paras in zip(sections, paragraphs):
                if not name or not paras:
                    continue
                start = text.find(paras[0].strip()[:80])
                end_at = text.find(paras[-1].strip()[:80])
                if start < 0 or end_at < 0:
                    continue
                end = end_at + len(paras[-1].strip())
                best = max(chapters, key=lambda c: min(c.end, end) - max(c.start, start))
                scores["llm"].append(rouge_l(best.title, name))
                scores["keyphrases"].append(rouge_l(kp_titles[best.index], name))
        library.close()
    return {
        "papers": len(papers), "sections": len(scores["llm"]), "chapters": total,
        "llm_titles_accepted": f"{accepted}/{total}",
        "rouge_l": {"llm (keyphrases where junk)": round(statistics.mean(scores["llm"]), 3) if scores["llm"] else None,
                    "keyphrases only": round(statistics.mean(scores["keyphrases"]), 3) if scores["keyphrases"] else None},
    }
