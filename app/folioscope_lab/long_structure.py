"""Chapters and titles of long real PDFs: folioscope-lab eval long-structure.

The documents are public filings, federal reports and plans, and clinical trial protocols
(`gold/long_structure.json` says where they come from, their licence, and how the gold was
made), read from a checkout of their source repository (`--data`), each checked by its sha256.
Documents with an outline are read from a copy without it, so the reader finds its headings
on the page; the outline is the gold.

Rows, in one run: Folioscope; the reader with headings from font size alone and the metadata
title or file name (the reader before body-size cues, `structure.font_size_only`); even cuts at
the gold chapter count. Per document: heading recall (and precision where the gold lists every
heading: outlines), a heading matching when its text is the gold's (`structure.same_heading`)
and it is on the gold's page; chapter-start F1 within one page (every chapter the pipeline
makes, at both levels, against the gold's two top levels); how many of those gold headings
have a chapter titled with them; whether the title shown holds
every part of the gold title in at most MAX_TITLE_CHARS (or a quarter more than a longer gold
title). Differences are paired by document
and resampled by source family (one company's filings, one agency's reports), so documents
that share a template count once.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from pathlib import Path

from .structure import font_size_only, norm, page_f1, read, same_heading

GOLD = Path(__file__).parent / "gold" / "long_structure.json"
MAX_TITLE_CHARS = 160
BOOKMARK = re.compile(r"^\S*[_\d#]\S*$")  # "OPMG-002_APR_Part01", "_GoBack", "OLE_LINK1": a name, not a heading
ROWS = ("folioscope", "font size only")


def gold_documents(data: Path, split: str, limit: int | None = None) -> list[dict]:
    """The split's documents, each with its file checked and its gold as
    headings [(page, level, text)] and title parts."""
    from folioscope.core import FolioscopeError
    entries = [d for d in json.loads(GOLD.read_text())["documents"] if d["split"] == split]
    out = []
    for entry in entries[:limit]:
        path = data / entry["file"]
        if not path.is_file():
            raise FolioscopeError(f"{path} is missing: pass --data a checkout of the repository named in {GOLD.name}.")
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            raise FolioscopeError(f"{path} is not the file the gold was made on (its sha256 differs).")
        doc = dict(entry, path=path)
        doc["headings"] = outline_gold(path) if entry.get("headings_from") == "outline" else \
            [tuple(h) for h in entry["headings"]]
        out.append(doc)
    return out


def outline_gold(path: Path) -> list[tuple[int, int, str]]:
    """(page, level, title) of each outline entry: its first level with two entries or more
    is level 1, the one below it 2, and so on; entries above that level are left out. Entries
    that are a bookmark's name rather than a heading (one word with a digit, "_" or "#": a
    word processor's part or anchor names) are no gold; a document whose outline holds only
    those has no heading gold and counts for its title alone."""
    import pymupdf
    with pymupdf.open(path) as pdf:
        toc = [entry for entry in pdf.get_toc() if not BOOKMARK.match(entry[1].strip())]
    levels = sorted({level for level, _, _ in toc})
    top = next((lv for lv in levels if sum(e[0] == lv for e in toc) >= 2), levels[0] if levels else 1)
    return [(page - 1, level - top + 1, title.strip()) for level, title, page in toc
            if level >= top and page >= 1 and title.strip()]


def without_outline(path: Path, folder: Path) -> Path:
    import pymupdf
    with pymupdf.open(path) as pdf:
        if not pdf.get_toc():
            return path
        pdf.set_toc([])
        out = folder / path.name
        pdf.save(out, garbage=1)
    return out


def heading_matches(found: list[tuple[str, int]], gold: list[tuple[int, int, str]]) -> int:
    """One-to-one matches of text on the same page, in document order."""
    used: set[int] = set()
    n = 0
    for text, page in found:
        for i, (want_page, _, want) in enumerate(gold):
            if i not in used and want_page == page and same_heading(text, want):
                used.add(i)
                n += 1
                break
    return n


def title_right(shown: str, parts: list[str]) -> bool:
    have = norm(shown)
    return all(norm(p) in have for p in parts) and len(shown) <= max(MAX_TITLE_CHARS, 1.25 * len(" ".join(parts)))


def score(doc: dict, reading: dict) -> dict:
    gold = doc["headings"]
    found = list(zip(reading["headings"], reading["heading_pages"]))
    chapter_pages = sorted({p for p, level, _ in gold if level <= 2})
    tops = [text for _, level, text in gold if level <= 2]
    titled = sum(any(same_heading(title, text) for title in reading.get("chapter_titles", [])) for text in tops)
    return {"found": len(found), "matched": heading_matches(found, gold), "gold": len(gold),
            "top_headings_with_a_chapter": titled, "top_headings": len(tops),
            "chapter_start_f1": round(page_f1(reading["chapter_pages"], chapter_pages), 4),
            "chapters": len(reading["chapter_pages"]), "gold_chapters": len(chapter_pages),
            "title": reading["title"], "title_right": title_right(reading["title"], doc["title"])}


def even_cuts(pages: int, count: int) -> list[int]:
    return [round(i * pages / count) for i in range(count)]


def evaluate_long_structure(data: Path, split: str = "test", limit: int | None = None) -> dict:
    docs = gold_documents(data, split, limit)
    per_doc = []
    with tempfile.TemporaryDirectory() as folder:
        for doc in docs:
            path = without_outline(doc["path"], Path(folder))
            ours = read(path)
            with font_size_only():
                base = read(path)
            row = {"file": doc["file"], "family": doc["family"], "pages": ours["pages"],
                   "headings_gold": bool(doc["headings"]),
                   "gold_complete": doc.get("headings_from") == "outline",
                   "folioscope": score(doc, ours), "font size only": score(doc, base)}
            gold_count = row["folioscope"]["gold_chapters"]
            gold_pages = sorted({p for p, level, _ in doc["headings"] if level <= 2})
            row["even cuts (gold count)"] = {"chapter_start_f1": round(page_f1(even_cuts(ours["pages"], gold_count),
                                                                               gold_pages), 4)}
            per_doc.append(row)
    return summarise(per_doc, split)


def summarise(every_doc: list[dict], split: str) -> dict:
    """Headings and chapters over the documents with heading gold; titles over all."""
    from .stats import paired_bootstrap
    per_doc = [r for r in every_doc if r.get("headings_gold", True)]
    families = [r["family"] for r in per_doc]
    kinds = sorted({f.split("/")[0] for f in families})

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    def headings(rows: list[dict], name: str) -> dict:
        complete = [r[name] for r in rows if r["gold_complete"]]
        found, matched = sum(s["found"] for s in complete), sum(s["matched"] for s in complete)
        return {"recall": round(sum(r[name]["matched"] for r in rows) / max(1, sum(r[name]["gold"] for r in rows)), 3),
                "precision (outlined documents)": round(matched / found, 3) if found else None}

    names = (*ROWS, "even cuts (gold count)")
    f1s = {name: [r[name]["chapter_start_f1"] for r in per_doc] for name in names}
    return {
        "split": split, "documents": len(per_doc), "families": len(set(families)),
        "chapter_start_f1": {name: mean(v) for name, v in f1s.items()},
        "chapter_start_f1_by_kind": {kind: {name: mean([r[name]["chapter_start_f1"] for r in per_doc
                                                        if r["family"].startswith(kind + "/")]) for name in names}
                                     for kind in kinds},
        "differences": {f"folioscope - {name}": paired_bootstrap(f1s["folioscope"], f1s[name], groups=families)
                        for name in names[1:]},
        "headings": {name: headings(per_doc, name) for name in ROWS},
        # a chapter titled with each Part/Item heading (filings) or top-two outline entry
        "top_headings_with_a_chapter": {
            name: {kind: f"{sum(r[name]['top_headings_with_a_chapter'] for r in per_doc if r['family'].startswith(kind + '/'))}"
                         f"/{sum(r[name]['top_headings'] for r in per_doc if r['family'].startswith(kind + '/'))}"
                   for kind in kinds} for name in ROWS},
        "title_accuracy": {name: {"right": sum(r[name]["title_right"] for r in every_doc), "documents": len(every_doc)}
                           for name in ROWS},
        "titled_only": [r["file"] for r in every_doc if not r.get("headings_gold", True)],
        "per_document": every_doc,
    }
