"""Chunking speed and chunk sizes, per strategy (part of `folioscope bench`)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..segment.chunker import ChunkOptions, chunk_text
from ..segment.sentences import split_sentences
from ..segment.strategies import SegmentInput, get_strategy

STRATEGIES = ["fixed", "texttiling", "perplexity", "learned"]


def _document_text(path: Path) -> str:
    from ..ingest import read_document
    return read_document(path).body_text().text


def strategy_speed(text: str) -> dict:
    """Sentences per second for each strategy on one document, embeddings included
    (each strategy starts from nothing but the warm models)."""
    from ..embed import shared_embedder
    sentences = [s.text for s in split_sentences(text)]
    shared_embedder().encode(sentences[:8])  # load the model outside the timing
    rows = {}
    for name in STRATEGIES:
        strategy = get_strategy(name)
        if name == "perplexity":
            strategy.score(SegmentInput(sentences[:4]))  # load the LM outside the timing
        doc = SegmentInput(list(sentences))
        started = time.perf_counter()
        strategy.score(doc)
        seconds = time.perf_counter() - started
        rows[name] = {"sentences": len(sentences), "seconds": round(seconds, 2),
                      "sentences_per_s": round(len(sentences) / seconds, 1)}
        if name == "perplexity":
            n_tokens = strategy.llm().run(lambda llama: sum(
                len(llama.tokenize(s.encode(), add_bos=False)) for s in sentences))
            rows[name]["tokens_per_s"] = round(n_tokens / seconds, 1)
    return rows


def chunk_sizes(texts: list[str], budget: int) -> dict:
    from ..embed import count_tokens
    rows = {}
    for name in STRATEGIES:
        if name == "perplexity":
            continue  # minutes per document on 2 cores; its speed is reported above
        pieces, words = [], []
        for text in texts:
            chunking = chunk_text(text, ChunkOptions(strategy=name, budget=budget))
            pieces += count_tokens([c.text for c in chunking.chunks])
            words += [len(c.text.split()) for c in chunking.chunks]
        p = np.array(pieces)
        rows[name] = {"chunks": len(p), "word_pieces_p50": int(np.median(p)),
                      "word_pieces_p95": int(np.percentile(p, 95)), "word_pieces_max": int(p.max()),
                      "words_p50": int(np.median(words)), "over_budget": int((p > budget).sum())}
    return rows


def run_chunk_bench(data: Path) -> dict:
    tracemonkey = _document_text(data / "pdfs" / "pdfjs" / "tracemonkey.pdf")
    docling = [_document_text(p) for p in sorted((data / "pdfs" / "docling" / "sources").glob("*.pdf"))
               if p.name != "invisible_text_layer.pdf"]
    return {"speed_tracemonkey": strategy_speed(tracemonkey),
            "chunk_sizes_docling": chunk_sizes(docling, ChunkOptions().budget)}
