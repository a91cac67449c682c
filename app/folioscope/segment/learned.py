"""The trained boundary model: features of the sentences around a gap, a linear classifier.

Features for the gap after sentence i, from unit sentence embeddings E (SAGE's pair
features, widened): |a-b| and a*b for the adjacent sentences a = E[i], b = E[i+1]; the same
for the mean of 2 and of 4 sentences on each side; and the cosines at windows 1, 2, 3, 5
with the TextTiling depth at window 3. Raw a and b are left out: they describe topics,
which do not carry over from training text to a user's documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core import FolioscopeError

WIDE = (2, 4)
COSINE_WINDOWS = (1, 2, 3, 5)


def gap_features(embeddings: np.ndarray) -> np.ndarray:
    from .strategies import depth_scores, smooth, window_means, window_similarity
    e = embeddings.astype(np.float64)
    if len(e) < 2:
        return np.zeros((0, 0))
    a, b = e[:-1], e[1:]
    parts = [np.abs(a - b), a * b]
    for width in WIDE:
        left, right = window_means(e, width)
        parts += [np.abs(left - right), left * right]
    cosines = [window_similarity(embeddings, w) for w in COSINE_WINDOWS]
    depth = depth_scores(smooth(window_similarity(embeddings, 3), 1))
    parts.append(np.stack(cosines + [depth], axis=1))
    return np.hstack(parts).astype(np.float32)


@dataclass
class BoundaryModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # probability above which a gap is a topic boundary (protocol 1)
    card: dict
    layers: int | None = None  # encoder layers its sentence vectors come from (None: all)

    def predict(self, embeddings: np.ndarray) -> np.ndarray:
        return self.predict_features(gap_features(embeddings))

    def predict_features(self, features: np.ndarray) -> np.ndarray:
        x = (features - self.mean) / self.scale
        z = x @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

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
    file = Path(path)
    if not file.is_file():
        raise FolioscopeError(f"The boundary model {file} is missing; train it with "
                              f"python -m folioscope.segment.train.")
    data = np.load(file)
    card = json.loads(file.with_suffix(".json").read_text()) if file.with_suffix(".json").exists() else {}
    layers = int(data["layers"]) if "layers" in data.files else 0
    return BoundaryModel(data["mean"], data["scale"], data["coef"], float(data["intercept"]),
                         float(data["threshold"]), card, layers or None)


def load_model(path: str | Path | None = None) -> BoundaryModel:
    return _load(str(model_file(path)))
