"""Cohesion along a text: how alike the sentences before and after each gap are.

Shared vector maths of the boundary strategies, the boundary model's features and the
chapter cuts. Every function takes one row per sentence (or per chunk) and returns one
value per gap between consecutive rows.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np


def unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-9)


def window_means(vectors: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """For each gap, the unit mean of the `width` rows before it and of the `width` rows
    after it (fewer at the ends)."""
    n = len(vectors)
    csum = np.vstack([np.zeros((1, vectors.shape[1]), dtype=np.float64), np.cumsum(vectors, axis=0)])
    gaps = np.arange(n - 1)
    lo = np.maximum(gaps + 1 - width, 0)
    hi = np.minimum(gaps + 1 + width, n)
    return unit(csum[gaps + 1] - csum[lo]), unit(csum[hi] - csum[gaps + 1])


def window_similarity(vectors: np.ndarray, width: int) -> np.ndarray:
    """Cosine between the mean of `width` rows before each gap and of `width` rows after it."""
    if len(vectors) < 2:
        return np.zeros(0, dtype=np.float32)
    left, right = window_means(vectors, width)
    return np.sum(left * right, axis=1).astype(np.float32)


def depth_scores(similarity: np.ndarray) -> np.ndarray:
    """TextTiling depth: how far the similarity at each gap lies below the peaks on either
    side (climbing while the similarity rises)."""
    n = len(similarity)
    depth = np.zeros(n, dtype=np.float32)
    for i in range(n):
        left = i
        while left > 0 and similarity[left - 1] >= similarity[left]:
            left -= 1
        right = i
        while right < n - 1 and similarity[right + 1] >= similarity[right]:
            right += 1
        depth[i] = (similarity[left] - similarity[i]) + (similarity[right] - similarity[i])
    return depth


def smooth(values: np.ndarray, width: int = 1) -> np.ndarray:
    """Moving average over 2 * width + 1 values (edges repeated)."""
    if width <= 0 or len(values) < 3:
        return values
    kernel = np.ones(2 * width + 1) / (2 * width + 1)
    padded = np.pad(values, width, mode="edge")
    return np.convolve(padded, kernel, mode="valid").astype(np.float32)


def zscore(values: np.ndarray) -> np.ndarray:
    """Values relative to their own document: (x - mean) / std (0 where flat)."""
    if len(values) == 0:
        return values.astype(np.float32)
    std = float(values.std())
    return ((values - values.mean()) / std if std > 1e-9 else np.zeros_like(values)).astype(np.float32)


_WORD = re.compile(r"[^\W\d_]{3,}")


def term_vectors(sentences: list[str]):
    """Sentences as unit TF-IDF rows (a scipy CSR matrix) over the text's own vocabulary,
    IDF from its own sentences; words of 3+ letters, lower-cased and cut to 6 letters (a
    cheap stem)."""
    from scipy import sparse
    bags = [Counter(w.lower()[:6] for w in _WORD.findall(s)) for s in sentences]
    df = Counter(w for bag in bags for w in bag)
    vocabulary = {w: i for i, w in enumerate(df)}
    n = len(sentences)
    rows, cols, values = [], [], []
    for row, bag in enumerate(bags):
        weights = {w: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1.0) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        for word, weight in weights.items():
            rows.append(row)
            cols.append(vocabulary[word])
            values.append(weight / norm)
    return sparse.csr_matrix((values, (rows, cols)), shape=(n, max(len(vocabulary), 1)), dtype=np.float32)


def sparse_window_similarity(matrix, width: int) -> np.ndarray:
    """`window_similarity` for sparse rows (term vectors): cosine of the summed rows."""
    from scipy import sparse
    n = matrix.shape[0]
    if n < 2:
        return np.zeros(0, dtype=np.float32)
    gaps = np.arange(n - 1)
    lo, hi = np.maximum(gaps + 1 - width, 0), np.minimum(gaps + 1 + width, n)

    def band(starts, ends):
        lengths = ends - starts
        rows = np.repeat(gaps, lengths)
        cols = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])
        return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n - 1, n))

    left, right = band(lo, gaps + 1) @ matrix, band(gaps + 1, hi) @ matrix
    dot = np.asarray(left.multiply(right).sum(axis=1)).ravel()
    norms = (np.sqrt(np.asarray(left.multiply(left).sum(axis=1)).ravel())
             * np.sqrt(np.asarray(right.multiply(right).sum(axis=1)).ravel()))
    return np.where(norms > 0, dot / np.maximum(norms, 1e-9), 0.0).astype(np.float32)
