"""Chapters of documents without headings: do their starts fall on the real section starts,
and do their titles name the real sections?

Qasper papers are ingested as plain text (title, then the paragraphs: no section names), so
chapters come from cuts over the chunks and their titles are generated. The gold is each
paper's top-level sections (subsections belong to their section): where each starts, and its
name. Papers are halved as everywhere (`segdata.split_of`); settings are chosen on "tune".

- starts: boundary F1 within one chunk of the gold section starts (the document start is not
  counted), beside even cuts at the same count and at the gold count; the same for the
  docling Markdown ground truths of the split (`segdata`'s "docs" set) with their headings
  removed, as plain text (`markdown_starts`);
- titles: every gold section is matched to the chapter that covers most of it; that
  chapter's title is scored against the section name by ROUGE-L (lower-cased words) and by
  the cosine of their MiniLM embeddings. Titlers compared on the same chapters: the local
  LLM with its guard (keyphrases where it gives junk), TF-IDF keyphrases, embedding
  keyphrases (the candidate phrase nearest the chapter's embedding, KeyBERT-style), and the
  shipped default, marked `"default": true`: the chapter's role ("Introduction", ...) where
  the role model (`chapters.roles`, trained on the tune papers only) is sure of it, else
  embedding keyphrases; with paired bootstrap intervals by paper for the default against
  each of the others. `role_titles` counts the role titles given and how many name the role
  of the section the chapter overlaps most, and (`elsewhere`) the role titles given to text
  that has no such sections: up to 10 clinical chapters, lecture transcripts and novels of
  the split read as plain text (a novel up to its 60,000th character).
"""

from __future__ import annotations

import re
import statistics
import tempfile
from pathlib import Path

import numpy as np

from .segdata import load_set, markdown_sections, plain_text, sample, split_of
from .stats import boundary_matches, f1, paired_bootstrap

DEFAULT_TITLES = "roles, else keyphrases (embedding)"  # what ingest ships (IngestOptions)


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


def top_sections(paper: dict) -> list[tuple[str, list[str]]]:
    """(name, paragraphs) of each top-level section; subsections join their section."""
    out: list[tuple[str, list[str]]] = []
    for section in paper["full_text"]:
        path = [p.strip() for p in (section.get("section_name") or "").split(":::")]
        paragraphs = [p for p in section["paragraphs"] if p.strip()]
        if out and (len(path) > 1 and path[0] == out[-1][0] or not path[0]):
            out[-1][1].extend(paragraphs)
        else:
            out.append((path[0], paragraphs))
    return [(name, ps) for name, ps in out if ps]


def paper_text(paper: dict) -> str:
    paragraphs = [paper["abstract"]] + [p for _, ps in top_sections(paper) for p in ps]
    return paper["title"] + "\n\n" + "\n\n".join(p.strip() for p in paragraphs) + "\n"


def gold_sections(paper: dict, text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each top-level section found in the paper's ingested text."""
    gold = []
    for name, paragraphs in top_sections(paper):
        at = text.find(paragraphs[0].strip()[:80])
        end_at = text.find(paragraphs[-1].strip()[:80])
        if at >= 0 and end_at >= 0:
            gold.append((name, at, end_at + len(paragraphs[-1].strip())))
    return gold


def names_by_chapter(spans: list[tuple[int, int]], gold: list[tuple[str, int, int]]) -> list[str]:
    """The name of the gold section each chapter (start, end) overlaps most ("" for none)."""
    out = []
    for start, end in spans:
        overlap, name = max(((min(end, b) - max(start, a), n) for n, a, b in gold), default=(0, ""))
        out.append(name if overlap > 0 else "")
    return out


def covering(spans: list[tuple[int, int]], start: int, end: int) -> int:
    """The index of the chapter (start, end) that covers most of [start, end)."""
    return max(range(len(spans)), key=lambda i: min(spans[i][1], end) - max(spans[i][0], start))


def chunk_of(chunks, offset: int) -> int:
    """The position of the chunk holding a character offset (the last chunk past the end)."""
    for i, c in enumerate(chunks):
        if c.start <= offset < c.end:
            return i
    return len(chunks) - 1


def evaluate_chapters(data: Path, split: str = "test", limit: int | None = None, llm: bool = True) -> dict:
    from folioscope.chapters.build import with_roles
    from folioscope.chapters.roles import ROLE_SOURCE, chapter_features, load_role_model, role_of
    from folioscope.chapters.titles import EmbeddingTitler, KeyphraseTitler
    from folioscope.embed import shared_embedder
    from folioscope.index import Store
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import ingest_paths

    from .retrieval import load_papers
    papers = load_papers(data)
    chosen = [p for p in sorted(papers) if split_of(p) == split][:limit]
    embed = shared_embedder().encode
    starts = _start_rows()
    roles = load_role_model()
    titles: dict[str, list[tuple[float, float]]] = {"llm (keyphrases where junk)": [], "keyphrases (tf-idf)": [],
                                                     "keyphrases (embedding)": [], DEFAULT_TITLES: []}
    given: list[tuple[str, str, str]] = []  # (paper, role title given, role of the section it covers most)
    title_papers: list[str] = []  # the paper of each scored section
    accepted = total = sections = 0
    with tempfile.TemporaryDirectory(prefix="folioscope-chapters-") as folder:
        store = Store(Path(folder) / "library")
        for pid in chosen:
            paper = papers[pid]
            path = Path(folder) / f"{pid}.txt"
            path.write_text(paper_text(paper), encoding="utf-8")
            [result] = list(ingest_paths(store, [path], IngestOptions(chapter_titles="llm" if llm else "keyphrases",
                                                                      role_titles=False)))
            if not result.ok:
                continue
            doc = result.doc_id
            text, chunks, chapters = store.text(doc), store.chunks(doc), store.chapters(doc)
            gold = gold_sections(paper, text)
            _add_starts(starts, chunks, chapters, [a for _, a, _ in gold])
            texts = [text[c.start:c.end] for c in chapters]
            tfidf = KeyphraseTitler(texts)
            by_embedding = EmbeddingTitler(texts, embed)
            chunk_starts = [chunk_of(chunks, c.start) for c in chapters]
            role_titles = roles.titles(chapter_features(store.chunk_vectors(doc), chunk_starts))
            alt: dict[str, list[str]] = {"keyphrases (tf-idf)": [], "keyphrases (embedding)": []}
            for c in chapters:
                alt["keyphrases (tf-idf)"].append(tfidf.title(c.index, alt["keyphrases (tf-idf)"]))
                alt["keyphrases (embedding)"].append(by_embedding.title(c.index, alt["keyphrases (embedding)"]))
            # what ingest gives: the role where sure, else embedding keyphrases
            shipped = with_roles(role_titles, lambda i, previous, titler=by_embedding: (titler.title(i, previous),
                                                                                         titler.name))
            alt[DEFAULT_TITLES] = [title for title, _ in shipped]
            spans = [(c.start, c.end) for c in chapters]
            overlapped = names_by_chapter(spans, gold)
            given += [(pid, title, role_of(name)) for (title, source), name in zip(shipped, overlapped)
                      if source == ROLE_SOURCE]
            accepted += sum(c.title_source == "llm" for c in chapters)
            total += len(chapters)
            names = [name for name, _, _ in gold]
            candidates = {"llm (keyphrases where junk)": [c.title for c in chapters], **alt}
            vectors = {k: embed(v) for k, v in candidates.items()}
            name_vectors = embed(names) if names else np.zeros((0, 384))
            for (name, a, b), nv in zip(gold, name_vectors):
                best = chapters[covering(spans, a, b)]
                sections += 1
                title_papers.append(pid)
                for k, v in candidates.items():
                    titles[k].append((rouge_l(v[best.index], name), float(vectors[k][best.index] @ nv)))
        markdown = _markdown_starts(store, data, split, limit, Path(folder))
        elsewhere = _roles_elsewhere(data, split, limit, Path(folder))
        store.close()
    return {
        "split": split, "papers": len(chosen), "sections": sections, "chapters": total,
        "llm_titles_accepted": f"{accepted}/{total}",
        "role_titles": {"given": len(given), "of_chapters": total,
                        "right": sum(r == want for _, r, want in given),
                        "by_role": {r: f"{sum(w == r for _, g, w in given if g == r)}/{sum(g == r for _, g, _ in given)}"
                                    for r in sorted({g for _, g, _ in given})},
                        "elsewhere": elsewhere},
        "starts": _starts_report(starts),
        **markdown,
        "titles": {k: {"rouge_l": round(statistics.mean(r for r, _ in v), 4) if v else None,
                       "cosine": round(statistics.mean(c for _, c in v), 4) if v else None,
                       **({"default": True} if k == DEFAULT_TITLES else {})}
                   for k, v in titles.items()},
        "titles_default_minus": {
            other: {measure: paired_bootstrap([t[m] for t in titles[DEFAULT_TITLES]], [t[m] for t in titles[other]],
                                              title_papers)
                    for m, measure in enumerate(("rouge_l", "cosine"))}
            for other in titles if other != DEFAULT_TITLES},
    }


def _start_rows() -> dict[str, list[int]]:
    """matched / found / gold counts of each way of cutting."""
    return {"chapters": [0, 0, 0], "even cuts at the chapter count": [0, 0, 0],
            "even cuts at the gold count": [0, 0, 0]}


def _add_starts(rows: dict[str, list[int]], chunks, chapters, gold_offsets: list[int]) -> None:
    """Count one document's chapter starts (and the even cuts') against the chunks holding
    the gold section starts."""
    gold_starts = {chunk_of(chunks, a) for a in gold_offsets} - {0}
    found = {chunk_of(chunks, c.start) for c in chapters} - {0}
    n = len(chunks)
    for label, cut in (("chapters", found), ("even cuts at the chapter count", _even(n, len(found))),
                       ("even cuts at the gold count", _even(n, len(gold_starts)))):
        row = rows[label]
        row[0] += boundary_matches({g - 1 for g in gold_starts}, {c - 1 for c in cut})
        row[1] += len(cut)
        row[2] += len(gold_starts)


def _starts_report(rows: dict[str, list[int]]) -> dict:
    return {k: {"f1": round(f1(m, f, g), 4), "precision": round(m / f, 4) if f else 0.0,
                "recall": round(m / g, 4) if g else 0.0, "found": f, "gold": g}
            for k, (m, f, g) in rows.items()}


def _markdown_starts(store, data: Path, split: str, limit: int | None, folder: Path) -> dict:
    """Chapter starts of the split's docling Markdown ground truths read as plain text
    without their headings, against the headings' positions."""
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import ingest_paths
    rows, count = _start_rows(), 0
    for doc in load_set("docs", data, split)[:limit]:
        sections = markdown_sections((data / "pdfs" / "docling" / "groundtruth" / doc.name).read_text(encoding="utf-8"))
        path = folder / f"{Path(doc.name).stem}.txt"
        path.write_text("\n\n".join(p for section in sections for p in section) + "\n", encoding="utf-8")
        [result] = list(ingest_paths(store, [path], IngestOptions()))
        if not result.ok:
            continue
        text = store.text(result.doc_id)
        offsets = [text.find(section[0][:80]) for section in sections[1:]]
        _add_starts(rows, store.chunks(result.doc_id), store.chapters(result.doc_id), [a for a in offsets if a >= 0])
        count += 1
    return {"markdown_documents": count, "markdown_starts": _starts_report(rows)}


ELSEWHERE_SETS = ("clinical", "lectures", "fiction")
ELSEWHERE_DOCS = 10  # per set, spread over it
ELSEWHERE_CHARS = 60_000  # a novel is read up to here


def _roles_elsewhere(data: Path, split: str, limit: int | None, folder: Path) -> dict:
    """Role titles given to text without conventional sections: chapters of the split's
    clinical chapters, lecture transcripts and novels read as plain text."""
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import prepare
    out = {}
    for name in ELSEWHERE_SETS:
        chapters = roles = 0
        given: dict[str, int] = {}
        for n, doc in enumerate(sample(load_set(name, data, split), min(limit or ELSEWHERE_DOCS, ELSEWHERE_DOCS))):
            path = folder / f"{name}-{n}.txt"
            path.write_text(plain_text(doc)[:ELSEWHERE_CHARS], encoding="utf-8")
            made = prepare(path, IngestOptions(chapter_titles="keyphrases"))
            chapters += len(made.chapters)
            for c in made.chapters:
                if c.title_source == "section role":
                    roles += 1
                    given[c.title] = given.get(c.title, 0) + 1
        out[name] = {"chapters": chapters, "role_titles": roles, "titles": given}
    return out


def _even(n_chunks: int, count: int) -> set[int]:
    if count <= 0:
        return set()
    step = n_chunks / (count + 1)
    return {int(round(step * (i + 1))) for i in range(count)}
