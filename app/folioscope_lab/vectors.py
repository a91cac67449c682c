"""Sentence vectors for the evaluations, cached on disk.

An evaluation embeds tens of thousands of sentences (the segmentation sets, Qasper); the same
sentences come back in every run, so their vectors are kept under `.cache/eval/` keyed by a
hash of the model, the depth and the sentences. Deleting the folder only costs time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "eval"


def cache_folder() -> Path:
    import os
    return Path(os.environ.get("FOLIOSCOPE_EVAL_CACHE", CACHE))


def sentence_vectors(sentences: list[str], layers: int | None = None) -> np.ndarray:
    """Unit vectors of `sentences` (the first `layers` MiniLM layers; None: all), cached."""
    from folioscope.embed import shared_embedder
    from folioscope.models import embedding_model_dir
    key = hashlib.sha1(f"{embedding_model_dir().parent.name}|{layers}|".encode()
                       + "\x1e".join(sentences).encode("utf-8", "replace")).hexdigest()[:24]
    path = cache_folder() / f"vectors-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = shared_embedder().encode(sentences, layers=layers)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors.astype(np.float32))
    except OSError:
        pass  # a read-only checkout: compute again next time
    return vectors


def document_vectors(docs, layers: int | None = None) -> list[np.ndarray]:
    """`sentence_vectors` for each document (one cache entry per set of documents)."""
    flat = [s for d in docs for s in d.sentences]
    vectors = sentence_vectors(flat, layers)
    out, at = [], 0
    for d in docs:
        out.append(vectors[at:at + len(d.sentences)])
        at += len(d.sentences)
    return out
