"""Is a generated answer supported by the evidence it cites?

A small model can cite sentence [1] and say something sentence [1] does not say. An answer is
shown only when its numbers and names all occur in the evidence it cites and most of its
other content words do too; otherwise the extractive answer (the best evidence sentence)
stands, and the reader is told the model's wording was not supported. Words are compared by
their first five letters (a cheap stem), numbers by their digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..retrieve.evidence import content_terms

CONTENT_SHARE = 0.75  # of the answer's other content words that the cited evidence must hold
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION = re.compile(r"\[[\d,\s]+\]")


@dataclass
class Support:
    supported: bool
    missing_numbers: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    content_share: float = 1.0

    @property
    def why(self) -> str:
        if self.supported:
            return "every number and name, and most words, are in the cited evidence"
        parts = []
        if self.missing_numbers:
            parts.append("numbers " + ", ".join(self.missing_numbers))
        if self.missing_names:
            parts.append("names " + ", ".join(self.missing_names))
        if self.content_share < CONTENT_SHARE:
            parts.append(f"{self.content_share:.0%} of its words")
        return "not in the cited evidence: " + "; ".join(parts) if parts else "nothing to check"


def _digits(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text)}


def _stems(words: Iterable[str]) -> set[str]:
    return {w.lower()[:5] for w in words}


def names(text: str) -> list[str]:
    """Capitalised words that are not the first word of a sentence (a name, an acronym)."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        tokens = re.findall(r"[A-Za-z][\w\-]*", sentence)
        out += [t for t in tokens[1:] if t[0].isupper()]
    return out


_PREAMBLE = re.compile(r"^\s*(the\s+)?(short\s+)?answer(\s+is)?\s*[:\-]?\s*", re.IGNORECASE)


def clean(answer: str) -> str:
    """The answer without a preamble the model likes to add ("The answer is: ...")."""
    return _PREAMBLE.sub("", answer).strip()


def check(answer: str, evidence_texts: list[str], question: str = "") -> Support:
    """Whether `answer` (citation marks ignored) is supported by `evidence_texts`; words of
    the question may be repeated freely."""
    text = _CITATION.sub(" ", clean(answer))
    source = " ".join(evidence_texts) + " " + question
    if not text.strip():
        return Support(False, content_share=0.0)
    have_digits = _digits(source)
    missing_numbers = sorted(n for n in _digits(text) if n not in have_digits)
    source_words = _stems(re.findall(r"[A-Za-z][\w\-]*", source))
    missing_names = sorted({n for n in names(text) if n.lower()[:5] not in source_words})
    words = content_terms(text) - {w for w in content_terms(text) if w.isdigit()}
    share = len(_stems(words) & _stems(content_terms(source))) / len(words) if words else 1.0
    return Support(not missing_numbers and not missing_names and share >= CONTENT_SHARE,
                   missing_numbers, missing_names, round(share, 3))
