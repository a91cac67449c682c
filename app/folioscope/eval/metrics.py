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
