"""Chunks in forms other RAG pipelines load directly: JSON Lines, JSON, Markdown."""

from __future__ import annotations

import json

from .store import Store


def chunk_records(store: Store, doc_id: int) -> list[dict]:
    """One dict per chunk: text, offsets, pages, line boxes, boundary score, strategy."""
    row = store.document(doc_id)
    chapters = store.chapters(doc_id)
    records = []
    for chunk in store.chunks(doc_id):
        chapter = next((c for c in chapters if c.start <= chunk.start < c.end), None)
        boxes = [{"page": page + 1, "box": box} for page, *box in chunk.boxes]
        records.append({
            "document": row.name, "doc_id": doc_id, "chunk": chunk.idx,
            "text": chunk.text, "start": chunk.start, "end": chunk.end,
            "pages": [int(p) + 1 for p in chunk.pages], "boxes": boxes, "tokens": chunk.tokens,
            "boundary_score": chunk.score, "strategy": chunk.strategy,
            "chapter": chapter.title if chapter else None,
            "chapter_index": chapter.index if chapter else None,
        })
    return records


def export_chunks(store: Store, doc_id: int, fmt: str) -> str:
    records = chunk_records(store, doc_id)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "json":
        row = store.document(doc_id)
        options = store.chunk_options(doc_id)
        return json.dumps({"document": row.name, "title": row.title, "doc_id": doc_id,
                           "strategy": options.strategy, "budget": options.budget,
                           "edits": [e.__dict__ for e in store.edits(doc_id)],
                           "chunks": records}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        out = []
        for r in records:
            pages = "-".join(str(p) for p in (r["pages"][:1] + r["pages"][-1:])) if r["pages"] else ""
            out.append(f"<!-- chunk {r['chunk']} · pages {pages} · {r['tokens']} tokens · "
                       f"boundary {r['boundary_score']:.2f} ({r['strategy']}) -->\n\n{r['text'].strip()}\n")
        return "\n---\n\n".join(out)
    raise ValueError(fmt)
