"""Quality metrics."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein


def normalize_text(text: str) -> str:
    """Whitespace collapsed: OCR layout differences are not character errors."""
    return re.sub(r"\s+", " ", text).strip()


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: edit distance over the reference length (whitespace collapsed)."""
    ref, hyp = normalize_text(reference), normalize_text(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def boundaries_from_segments(lengths: list[int]) -> set[int]:
    """Gap indices (gap i follows sentence i) where a new segment starts."""
    out, position = set(), 0
    for length in lengths[:-1]:
        position += length
        out.add(position - 1)
    return out


def default_k(reference: set[int], n_sentences: int) -> int:
    """Half the mean reference segment length, at least 1 (Beeferman et al.)."""
    segments = len(reference) + 1
    return max(1, round(n_sentences / segments / 2))


def _as_array(boundaries, n_gaps: int):
    import numpy as np
    out = np.zeros(n_gaps, dtype=np.int8)
    for b in boundaries:
        if 0 <= b < n_gaps:
            out[b] = 1
    return out


def _boundary_counts(reference: set[int], hypothesis: set[int], n_sentences: int, k: int | None):
    """k, and for each of the n - k windows the number of reference and hypothesis
    boundaries inside it."""
    import numpy as np
    k = k or default_k(reference, n_sentences)
    ref = np.concatenate([[0], np.cumsum(_as_array(reference, n_sentences - 1))])
    hyp = np.concatenate([[0], np.cumsum(_as_array(hypothesis, n_sentences - 1))])
    i = np.arange(max(n_sentences - k, 0))
    return ref[i + k] - ref[i], hyp[i + k] - hyp[i]


def pk(reference: set[int], hypothesis: set[int], n_sentences: int, k: int | None = None) -> float:
    """Pk: the share of sentence pairs k apart that the hypothesis puts wrongly in the same
    or in different segments. Lower is better."""
    ref, hyp = _boundary_counts(reference, hypothesis, n_sentences, k)
    return float(((ref == 0) != (hyp == 0)).mean()) if len(ref) else 0.0


def window_diff(reference: set[int], hypothesis: set[int], n_sentences: int, k: int | None = None) -> float:
    """WindowDiff: the share of windows of k sentences where the number of boundaries
    differs. Lower is better."""
    ref, hyp = _boundary_counts(reference, hypothesis, n_sentences, k)
    return float((ref != hyp).mean()) if len(ref) else 0.0


def merge_ranges(ranges) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of [start, end) character ranges."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _length(ranges) -> int:
    return sum(e - s for s, e in ranges)


def intersect_ranges(a, b) -> list[tuple[int, int]]:
    a, b = merge_ranges(a), merge_ranges(b)
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def evidence_scores(gold, retrieved, paragraph_share: float = 0.5) -> dict[str, float]:
    """Chroma's evidence metrics on character ranges: recall |E∩R|/|E|, precision |E∩R|/|R|,
    IoU |E∩R|/|E∪R|; and paragraph recall: the share of gold ranges of which at least
    `paragraph_share` is retrieved."""
    gold_u, got_u = merge_ranges(gold), merge_ranges(retrieved)
    both = _length(intersect_ranges(gold_u, got_u))
    union = _length(gold_u) + _length(got_u) - both
    found = [(_length(intersect_ranges([g], got_u)) >= paragraph_share * (g[1] - g[0])) for g in gold if g[1] > g[0]]
    return {
        "recall": both / _length(gold_u) if gold_u else 0.0,
        "precision": both / _length(got_u) if got_u else 0.0,
        "iou": both / union if union else 0.0,
        "paragraph_recall": sum(found) / len(found) if found else 0.0,
    }
