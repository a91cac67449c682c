"""The trained boundary model: cohesion features of every gap, a linear classifier.

Features of the gap after sentence i (`gap_features`), all computed from the document
itself, so that they mean the same in any kind of text:

- embedding cohesion: the cosine between the mean sentence vector of w sentences before and
  after the gap, for w in 1, 2, 3, 4, 6, 8, 12; each also z-scored within the document and
  relative to its neighbourhood (+-10 gaps); TextTiling depth at w = 2, 3, 4, 6, 8;
- lexical cohesion: the same over TF-IDF word vectors (w = 2, 3, 5, 8, 12);
- the shape around the gap: z-scored cohesion of the gaps 1 and 2 before and after;
- sentence lengths on both sides, and whether the gap starts a paragraph (or any block).

Sentence vectors come from the whole MiniLM model: on held-out data sets its cohesion ranks
gaps far better than its first layers' (see models/boundary/boundary.json). No raw sentence
vector is a feature: those describe topics, which do not carry over to a user's documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core import FolioscopeError
from .cohesion import depth_scores, smooth, sparse_window_similarity, term_vectors, window_similarity, zscore

EMBEDDING_WINDOWS = (1, 2, 3, 4, 6, 8, 12)
DEPTH_WINDOWS = (2, 3, 4, 6, 8)
SHAPE_WINDOWS = (3, 6)
LEXICAL_WINDOWS = (2, 3, 5, 8, 12)
LEXICAL_SHAPE_WINDOWS = (3, 8)
NEIGHBOURHOOD = 10
NMS_RADIUS = 2  # two boundaries the model decides are at least this many gaps apart


def _relative(x: np.ndarray, k: int) -> np.ndarray:
    """x minus its mean over the k gaps on either side."""
    n = len(x)
    csum = np.r_[0.0, np.cumsum(x, dtype=np.float64)]
    i = np.arange(n)
    lo, hi = np.maximum(i - k, 0), np.minimum(i + k + 1, n)
    return (x - (csum[hi] - csum[lo]) / (hi - lo)).astype(np.float32)


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """The value k gaps later (k > 0) or earlier (k < 0), the edge repeated."""
    if len(x) == 0:
        return x
    if k > 0:
        return np.r_[x[k:], np.full(min(k, len(x)), x[-1])][:len(x)]
    return np.r_[np.full(min(-k, len(x)), x[0]), x[:k]][:len(x)]


def feature_names() -> list[str]:
    names = []
    for w in EMBEDDING_WINDOWS:
        names += [f"cos{w}", f"cos{w}_z", f"cos{w}_local"]
        if w in DEPTH_WINDOWS:
            names += [f"depth{w}", f"depth{w}_z"]
        if w in SHAPE_WINDOWS:
            names += [f"cos{w}_z_next", f"cos{w}_z_prev", f"cos{w}_z_next2", f"cos{w}_z_prev2"]
    for w in LEXICAL_WINDOWS:
        names += [f"lex{w}", f"lex{w}_z", f"lexdepth{w}_z", f"lex{w}_local"]
        if w in LEXICAL_SHAPE_WINDOWS:
            names += [f"lex{w}_z_next", f"lex{w}_z_prev"]
    return names + ["words_after_z", "words_before_z", "words_after", "words_before", "starts_paragraph"]


def gap_features(vectors: np.ndarray, sentences: list[str], paragraph_starts: list[bool] | None = None) -> np.ndarray:
    """One row of features (`feature_names`) per gap between consecutive sentences.
    `vectors`: unit sentence vectors; `paragraph_starts`: per sentence, whether it starts a
    block (None: every sentence does, as in a text with one sentence per line)."""
    n = len(sentences)
    if n < 2:
        return np.zeros((0, len(feature_names())), dtype=np.float32)
    columns: list[np.ndarray] = []
    for w in EMBEDDING_WINDOWS:
        s = window_similarity(vectors, w)
        z = zscore(s)
        columns += [s, z, _relative(s, NEIGHBOURHOOD)]
        if w in DEPTH_WINDOWS:
            d = depth_scores(smooth(s, 1))
            columns += [d, zscore(d)]
        if w in SHAPE_WINDOWS:
            columns += [_shift(z, 1), _shift(z, -1), _shift(z, 2), _shift(z, -2)]
    terms = term_vectors(sentences)
    for w in LEXICAL_WINDOWS:
        s = sparse_window_similarity(terms, w)
        z = zscore(s)
        columns += [s, z, zscore(depth_scores(smooth(s, 1))), _relative(s, NEIGHBOURHOOD)]
        if w in LEXICAL_SHAPE_WINDOWS:
            columns += [_shift(z, 1), _shift(z, -1)]
    words = np.log1p([len(s.split()) for s in sentences]).astype(np.float32)
    starts = paragraph_starts if paragraph_starts is not None else [True] * n
    columns += [zscore(words[1:]), zscore(words[:-1]), words[1:], words[:-1],
                np.asarray(starts[1:], dtype=np.float32)]
    return np.stack(columns, axis=1).astype(np.float32)


def pick_boundaries(probabilities: np.ndarray, threshold: float, radius: int = NMS_RADIUS) -> set[int]:
    """Gaps scoring at least `threshold`, strongest first, none within `radius` gaps of a
    stronger one."""
    taken: set[int] = set()
    blocked = np.zeros(len(probabilities), dtype=bool)
    for i in np.argsort(-probabilities, kind="stable"):
        if probabilities[i] < threshold:
            break
        if not blocked[i]:
            taken.add(int(i))
            blocked[max(0, i - radius):i + radius + 1] = True
    return taken


@dataclass
class BoundaryModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # probability from which a gap is a topic boundary (the model's own rule)
    card: dict
    layers: int | None = None  # encoder layers its sentence vectors come from (None: all)

    def predict(self, vectors: np.ndarray, sentences: list[str],
                paragraph_starts: list[bool] | None = None) -> np.ndarray:
        return self.predict_features(gap_features(vectors, sentences, paragraph_starts))

    def predict_features(self, features: np.ndarray) -> np.ndarray:
        if features.shape[1] != len(self.coef):
            raise FolioscopeError(f"The boundary model expects {len(self.coef)} features, not "
                                  f"{features.shape[1]}; retrain it with folioscope-lab train boundary.")
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))).astype(np.float32)

    def decide(self, probabilities: np.ndarray) -> set[int]:
        return pick_boundaries(probabilities, self.threshold)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32),
                            coef=self.coef.astype(np.float32), intercept=np.float32(self.intercept),
                            threshold=np.float32(self.threshold), layers=np.int32(self.layers or 0))
        path.with_suffix(".json").write_text(json.dumps(self.card, indent=2) + "\n")


def model_file(path: str | Path | None = None) -> Path:
    from ..models import boundary_model_path
    return Path(path) if path else boundary_model_path()


@lru_cache(maxsize=4)
def _load(path: str) -> BoundaryModel:
    from ..models import read_trained
    data, card = read_trained(Path(path), "folioscope-lab train boundary")
    layers = int(data["layers"]) if "layers" in data else 0
    return BoundaryModel(data["mean"], data["scale"], data["coef"], float(data["intercept"]),
                         float(data["threshold"]), card, layers or None)


def load_model(path: str | Path | None = None) -> BoundaryModel:
    return _load(str(model_file(path)))
