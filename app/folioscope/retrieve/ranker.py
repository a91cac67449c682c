"""The evidence ranker: of the sentences scored for a question, which one a reader should see
first.

A sentence's own cosine to the question is a weak guide to whether it is the evidence: the
sentence that states a result often shares few words with the question, while one that
repeats the question's words ("we evaluate the effect of X") says nothing. The ranker
weighs what the retrieval step already measured for each candidate sentence (its cosine and
word overlap, its neighbours' cosine, the score of the paragraph and chunk it stands in, its
place in the paragraph) with a few cues of the question's type (a
number for "how many", a name for "which dataset"). It is a logistic regression fitted on
the Qasper tune papers (`folioscope-lab train evidence`); applying it is one dot
product, so it costs nothing beside the search. The heading above a sentence counts only
through its paragraph's score: weighed again here, headings that name a document's subject
("The keepers") pulled their whole section ahead of the sentence that answers.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

NUMBER_QUESTION = re.compile(r"\bhow (many|much|large|big|long|often|fast|well|small)\b|\bwhat (is the )?"
                             r"(percentage|proportion|number|size|accuracy|score|performance|improvement)\b"
                             r"|\bby how much\b|\bhow (does|did) .* (perform|compare)", re.IGNORECASE)
NAME_QUESTION = re.compile(r"\b(which|what)\b.*\b(datasets?|corp(us|ora)|models?|languages?|baselines?|methods?|"
                           r"metrics?|features?|tasks?|architectures?|algorithms?|tools?|benchmarks?|sources?)\b"
                           r"|^who\b", re.IGNORECASE)
YES_NO_QUESTION = re.compile(r"^(is|are|do|does|did|can|could|was|were|has|have|had|will|would|should)\b",
                             re.IGNORECASE)
DIGIT = re.compile(r"\d")
NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b(?:[A-Z][a-z]*[A-Z]\w*|[A-Z]{2,}\w*|[A-Z][a-z]+)\b")

FEATURES = ("cosine", "lexical", "cosine_to_best", "neighbour", "passage_to_best", "chunk_fused",
            "first_in_paragraph", "kept_passage", "log_chars", "has_number", "number_question_x_number",
            "name_question_x_names", "yes_no_question_x_lexical", "position", "cosine_rank",
            "lexical_rank")


def features(question: str, sentences: list) -> np.ndarray:
    """One row of FEATURES per scored sentence (`passages.ScoredSentence`) of one question."""
    if not sentences:
        return np.zeros((0, len(FEATURES)))
    best_cosine = max(s.cosine for s in sentences)
    passages = [s.passage for s in sentences]
    best_passage = max((p.score for p in passages if p is not None), default=1.0) or 1.0
    top_fused = max(s.chunk.hit.fused for s in sentences) or 1.0
    number_q = bool(NUMBER_QUESTION.search(question))
    name_q = bool(NAME_QUESTION.search(question))
    yes_no_q = bool(YES_NO_QUESTION.match(question.strip()))
    cosine_rank = _inverse_ranks([s.cosine for s in sentences])
    lexical_rank = _inverse_ranks([s.lexical for s in sentences])
    rows = []
    for i, (s, p) in enumerate(zip(sentences, passages)):
        has_number = bool(DIGIT.search(s.text))
        names = min(len(NAME.findall(s.text)), 5) / 5
        rows.append((s.cosine, s.lexical, s.cosine - best_cosine, s.neighbour,
                     (p.score / best_passage) if p is not None else 0.0,
                     s.chunk.hit.fused / top_fused, float(s.first), float(bool(p is not None and p.kept)),
                     math.log1p(len(s.text)), float(has_number), float(number_q and has_number),
                     names if name_q else 0.0, s.lexical if yes_no_q else 0.0, s.position,
                     cosine_rank[i], lexical_rank[i]))
    return np.asarray(rows, dtype=np.float64)


def _inverse_ranks(values: list[float]) -> np.ndarray:
    """1 for the highest value, 1/2 for the next, ... (ties by order)."""
    order = np.argsort(-np.asarray(values), kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = 1.0 / np.arange(1, len(values) + 1)
    return ranks


@dataclass(frozen=True)
class EvidenceRanker:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    card: dict

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The probability that each sentence is evidence the annotators would highlight."""
        if not len(rows):
            return np.zeros(0)
        z = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict:
        return {"features": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias, **self.card}

    @classmethod
    def from_json(cls, data: dict) -> EvidenceRanker:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("the evidence ranker was trained on other features; train it again")
        card = {k: v for k, v in data.items() if k not in ("features", "mean", "scale", "weights", "bias")}
        return cls(tuple(data["features"]), np.asarray(data["mean"]), np.asarray(data["scale"]),
                   np.asarray(data["weights"]), float(data["bias"]), card)


@lru_cache(maxsize=4)
def _load(path: Path) -> EvidenceRanker | None:
    return EvidenceRanker.from_json(json.loads(path.read_text())) if path.is_file() else None


def shipped_ranker() -> EvidenceRanker | None:
    """The trained ranker in models/evidence, or None when there is none (sentences are then
    ranked by their own score)."""
    from ..models import evidence_ranker_path
    return _load(evidence_ranker_path())
