"""Document structure on PDFs with known headings: folioscope-lab eval structure.

The documents and their gold headings and titles are in `gold/structure.json`: headings
printed in the paper (tracemonkey) or the docling ground-truth Markdown; each gold heading is
found on its page in the PDF's own text layer (one that is not, as a heading set in a picture,
is left out and counted in `gold_not_in_text`). Rows:

- Folioscope: heading blocks as the reader marks them (font size, and the cues of
  `ingest.headings`: numbering set in bold or capitals, contents entries dropped);
- font size only (the reader before those cues, the baseline);
- outline alone (the PDF's bookmarks, where it has any).

Per row: heading precision and recall by text (a detected heading matches a gold one when
their normalised texts are equal, or one begins or ends with the other of at least 8
characters; one to one, in document order); chapter-start F1 within one page on documents of
three pages or more (the chapters the full pipeline makes; beside even cuts at the gold
count); title accuracy (the shown title holds the gold title, at most twice as long) against
the metadata title or file name. Development data, so no interval: the heading rules were
written while looking at two of these documents, and there are too few to halve.
"""

from __future__ import annotations

import json
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

GOLD = Path(__file__).parent / "gold" / "structure.json"
MIN_PAGES_FOR_CHAPTERS = 3


def norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.replace("\\_", "_")).lower().split())


def same_heading(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    if not x or not y:
        return False
    short, long = sorted((x, y), key=len)
    return x == y or (len(short) >= 8 and (long.startswith(short) or long.endswith(short)))


def matches(found: list[str], gold: list[str]) -> int:
    """One-to-one matches, in document order."""
    used: set[int] = set()
    n = 0
    for text in found:
        for i, want in enumerate(gold):
            if i not in used and same_heading(text, want):
                used.add(i)
                n += 1
                break
    return n


def gold_documents(data: Path) -> list[dict]:
    out = []
    for entry in json.loads(GOLD.read_text())["documents"]:
        doc = dict(entry)
        if "headings_from" in entry:
            md = (data / entry["headings_from"]).read_text(encoding="utf-8")
            doc["headings"] = [line.lstrip("#").strip() for line in md.splitlines() if line.startswith("#")]
        placed = _pages_of(data / entry["file"], doc.get("headings", []))
        doc["gold_not_in_text"] = [h for h, p in zip(doc.get("headings", []), placed) if p is None]
        doc["headings"] = [h for h, p in zip(doc.get("headings", []), placed) if p is not None]
        doc["gold_pages"] = [p for p in placed if p is not None]
        out.append(doc)
    return out


def _pages_of(path: Path, headings: list[str]) -> list[int | None]:
    """The page each heading is printed on (its number and title may be lines of their
    own), None where the text layer does not hold it."""
    import pymupdf
    with pymupdf.open(path) as pdf:
        pages = [norm(page.get_text()) for page in pdf]
    out: list[int | None] = []
    at = 0
    for heading in headings:
        want = norm(heading)
        found = next((p for p in list(range(at, len(pages))) + list(range(at)) if want and want in pages[p]), None)
        out.append(found)
        at = found if found is not None else at
    return out


@contextmanager
def font_size_only():
    """The reader as it was before the body-size cues: headings from font size alone, against
    the document's one body size (a heading line PyMuPDF groups with its paragraph left in
    it), the metadata title or the file name. The chapter builder is the same."""
    import folioscope.ingest.pdf as pdf
    names = ("looks_like_heading", "drop_contents_entries", "document_title", "filing_title", "split_heading_lines",
             "join_wrapped_headings", "lift_parts", "page_body_sizes")
    saved = [getattr(pdf, name) for name in names]
    pdf.looks_like_heading = lambda text, bold, lines, pieces=1: None
    pdf.drop_contents_entries = lambda blocks: 0
    pdf.document_title = lambda meta, stem, first_page, body=0.0: meta.strip() or stem
    pdf.filing_title = lambda lines: None
    pdf.split_heading_lines = lambda blocks: blocks
    pdf.join_wrapped_headings = lambda blocks: blocks
    pdf.lift_parts = lambda blocks: False
    pdf.page_body_sizes = lambda blocks: {}
    try:
        yield
    finally:
        for name, value in zip(names, saved):
            setattr(pdf, name, value)


def read(path: Path) -> dict:
    """The document's heading texts, title, outline and chapter start pages, as the full
    pipeline stores them."""
    from folioscope.core import Role
    from folioscope.index import Store
    from folioscope.ingest import IngestOptions
    from folioscope.pipeline import ingest_paths
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder))
        try:
            [result] = list(ingest_paths(store, [path], IngestOptions(ocr_images=False)))
            if not result.ok:
                raise ValueError(f"{path.name}: {result.message}")
            document = store.load_document(result.doc_id)
            chapters = store.chapters(result.doc_id)
        finally:
            store.close()
    heads = [b for p in document.pages for b in p.blocks if b.role == Role.HEADING]
    return {"headings": [b.text for b in heads], "heading_pages": [b.page for b in heads],
            "title": document.title, "outline": [t for _, t, _ in document.metadata.get("outline") or []],
            "chapter_pages": [c.first_page for c in chapters], "chapter_levels": [c.level for c in chapters],
            "chapter_titles": [c.title for c in chapters],
            "pages": len(document.pages)}


def page_f1(found: list[int], gold: list[int], tolerance: int = 1) -> float:
    from .stats import boundary_matches, f1
    found_set, gold_set = set(found), set(gold)
    return f1(boundary_matches(gold_set, found_set, tolerance), len(found_set), len(gold_set))


def title_right(shown: str, gold: str) -> bool:
    return norm(gold) in norm(shown) and len(norm(shown)) <= 2 * len(norm(gold))


def evaluate_structure(data: Path) -> dict:
    docs = gold_documents(data)
    per_doc, totals = [], {k: {"found": 0, "matched": 0, "gold": 0} for k in ("folioscope", "font size only",
                                                                             "outline alone")}
    starts: dict[str, list[float]] = {"folioscope": [], "font size only": [], "even cuts (gold count)": []}
    titles: dict[str, list[bool]] = {"folioscope": [], "metadata title or file name": []}
    for doc in docs:
        path = data / doc["file"]
        ours = read(path)
        with font_size_only():
            base = read(path)
        gold = doc.get("headings", [])
        row = {"file": doc["file"], "pages": ours["pages"], "gold_headings": len(gold),
               "gold_not_in_text": doc["gold_not_in_text"]}
        for name, found in (("folioscope", ours["headings"]), ("font size only", base["headings"]),
                            ("outline alone", ours["outline"])):
            if gold:
                m = matches(found, gold)
                totals[name]["found"] += len(found)
                totals[name]["matched"] += m
                totals[name]["gold"] += len(gold)
                row[name] = {"found": len(found), "matched": m}
        if gold and ours["pages"] >= MIN_PAGES_FOR_CHAPTERS:
            gold_pages = sorted(set(doc["gold_pages"]))
            even = [round(i * ours["pages"] / len(gold_pages)) for i in range(len(gold_pages))]
            for name, pages in (("folioscope", ours["chapter_pages"]), ("font size only", base["chapter_pages"]),
                                ("even cuts (gold count)", even)):
                starts[name].append(page_f1(pages, gold_pages))
            row["chapter_start_f1"] = {k: round(v[-1], 3) for k, v in starts.items()}
        if doc.get("title"):
            titles["folioscope"].append(title_right(ours["title"], doc["title"]))
            titles["metadata title or file name"].append(title_right(base["title"], doc["title"]))
            row["title"] = {"gold": doc["title"], "folioscope": ours["title"], "before": base["title"]}
        per_doc.append(row)
    return {
        "split": "development data (see gold/structure.json: not held out, too few documents to halve; no intervals)",
        "documents": len(docs),
        "headings": {name: {"precision": round(t["matched"] / t["found"], 3) if t["found"] else None,
                            "recall": round(t["matched"] / t["gold"], 3) if t["gold"] else None, **t}
                     for name, t in totals.items()},
        "chapter_start_f1": {name: {"mean": round(sum(v) / len(v), 3) if v else None, "documents": len(v)}
                             for name, v in starts.items()},
        "title_accuracy": {name: {"right": sum(v), "documents": len(v)} for name, v in titles.items()},
        "per_document": per_doc,
    }
