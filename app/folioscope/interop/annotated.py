"""An annotated copy of a PDF: a highlight over each evidence sentence of the questions asked
of it, the question and answer as the highlight's note, and optionally the chunk boundaries
as thin lines. Any PDF reader shows them. The copy is made from the original kept in the
library; the file the person added is never opened for writing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from ..core import FolioscopeError
from ..index import AskEntry, Store

HIGHLIGHT = (1.0, 0.84, 0.0)  # the window's evidence yellow
BOUNDARY = (0.1, 0.45, 0.85)
AUTHOR = "Folioscope"


@dataclass(frozen=True)
class Exported:
    path: Path
    questions: int  # questions with evidence in the document
    highlights: int  # evidence sentences highlighted
    boundaries: int = 0


def chosen_entries(store: Store, doc_id: int, ask_ids: list[int] | None) -> list[AskEntry]:
    """The history entries with evidence in `doc_id`, oldest first; `ask_ids` narrows them
    (an id that is not the document's is an error, said in one sentence)."""
    entries = list(reversed(store.history(doc_id)))
    if ask_ids:
        known = {e.id for e in entries}
        missing = [str(i) for i in ask_ids if i not in known]
        if missing:
            raise FolioscopeError(f"Question {', '.join(missing)} has no evidence in "
                                  f"{store.document(doc_id).name} (folioscope history --doc lists its questions).")
        entries = [e for e in entries if e.id in set(ask_ids)]
    return entries


def note_text(entry: AskEntry) -> str:
    return f"Q: {entry.answer.question}\nA: {' '.join(entry.answer.text.split())}"


def write_atomically(out: Path, data: bytes) -> None:
    """Write `data` to `out` through a file beside it, so a failure never leaves half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".folioscope-", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_target(store: Store, doc_id: int, out: Path) -> None:
    original = Path(store.document(doc_id).path)
    if out.resolve() == original.resolve():
        raise FolioscopeError(f"{out} is the original file; choose another name for the export.")


def export_annotated_pdf(store: Store, doc_id: int, out: Path, ask_ids: list[int] | None = None,
                         boundaries: bool = False) -> Exported:
    row = store.document(doc_id)
    if row.kind != "pdf":
        raise FolioscopeError(f"{row.name} is not a PDF; an annotated copy is made of PDFs only "
                              f"(export --notes works for every document).")
    out = Path(out)
    check_target(store, doc_id, out)
    entries = chosen_entries(store, doc_id, ask_ids)
    pdf = pymupdf.open(stream=store.source(doc_id), filetype="pdf")
    if pdf.needs_pass:
        raise FolioscopeError(f"{row.name} is encrypted; its annotated copy cannot be written.")
    highlights = 0
    for entry in entries:
        for n, evidence in enumerate(entry.answer.evidence, 1):
            if evidence.doc_id != doc_id:
                continue
            by_page: dict[int, list[pymupdf.Rect]] = {}
            for page, *box in evidence.boxes:
                if 0 <= page < pdf.page_count:
                    by_page.setdefault(page, []).append(pymupdf.Rect(*box))
            for page, rects in by_page.items():
                on = pdf[page]  # held: an annotation is bound to its page object
                annot = on.add_highlight_annot(rects)
                annot.set_colors(stroke=HIGHLIGHT)
                annot.set_info(title=AUTHOR, subject=f"Evidence [{n}]", content=note_text(entry))
                annot.update()
            highlights += bool(by_page)
    lines = _draw_boundaries(store, doc_id, pdf) if boundaries else 0
    write_atomically(out, pdf.tobytes(garbage=1, deflate=True))
    pdf.close()
    return Exported(out, len(entries), highlights, lines)


def _draw_boundaries(store: Store, doc_id: int, pdf: pymupdf.Document) -> int:
    """A thin line above the first line of every chunk after the first, with its score."""
    spans = store.span_table(doc_id)
    drawn = 0
    chunks = store.chunks(doc_id)
    for before, chunk in zip(chunks, chunks[1:]):
        boxes = spans.line_boxes(chunk.start, chunk.start + 80)  # its first line
        if not boxes:
            continue
        page, box = boxes[0]
        if not 0 <= page < pdf.page_count:
            continue
        y = max(box.y0 - 1.5, 0)
        on = pdf[page]
        annot = on.add_line_annot(pymupdf.Point(box.x0, y), pymupdf.Point(max(box.x1, box.x0 + 40), y))
        annot.set_colors(stroke=BOUNDARY)
        annot.set_border(width=0.6)
        annot.set_info(title=AUTHOR, subject="Chunk boundary", content=f"chunk {chunk.idx + 1} starts here (boundary score {before.score:.2f})")
        annot.update()
        drawn += 1
    return drawn
