"""Chunking speed and chunk sizes, per strategy (part of `folioscope-lab bench`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from folioscope.core import ChunkOptions
from folioscope.segment.chunker import chunk_text
from folioscope.segment.sentences import split_sentences
from folioscope.segment.strategies import SegmentInput, get_strategy

STRATEGIES = ["fixed", "texttiling", "perplexity", "learned"]


def document_text(path: Path) -> str:
    from folioscope.ingest import read_document
    return read_document(path).body_text().text


PERPLEXITY_SENTENCES = 150  # the LM reads every token: a part of the document


def strategy_speed(text: str) -> dict:
    """Sentences per second for each strategy on one document, sentence vectors included
    (each round starts from the sentences alone; the models are warm), median and range."""
    from .timing import interleaved, rate
    sentences = [s.text for s in split_sentences(text)]
    rows = {}
    sides = {}
    for name in STRATEGIES:
        strategy = get_strategy(name)
        part = sentences[:PERPLEXITY_SENTENCES] if name == "perplexity" else sentences
        sides[name] = (lambda strategy=strategy, part=part: strategy.score(SegmentInput(list(part))))
    times = interleaved(sides)
    for name in STRATEGIES:
        n = PERPLEXITY_SENTENCES if name == "perplexity" else len(sentences)
        rows[name] = {"sentences": n, "sentences_per_s": rate(n, times[name], 1)}
        if name == "perplexity":
            strategy = get_strategy(name)
            n_tokens = strategy.llm().run(lambda llama: sum(
                len(llama.tokenize(s.encode(), add_bos=False)) for s in sentences[:PERPLEXITY_SENTENCES]))
            rows[name]["tokens_per_s"] = rate(n_tokens, times[name], 1)
    return rows


def chunk_sizes(texts: list[str], budget: int) -> dict:
    from folioscope.embed import count_tokens
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
    tracemonkey = document_text(data / "pdfs" / "pdfjs" / "tracemonkey.pdf")
    docling = [document_text(p) for p in sorted((data / "pdfs" / "docling" / "sources").glob("*.pdf"))
               if p.name != "invisible_text_layer.pdf"]
    return {"speed_tracemonkey": strategy_speed(tracemonkey),
            "chunk_sizes_docling": chunk_sizes(docling, ChunkOptions().budget)}
