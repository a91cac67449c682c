"""Boundary strategies: each scores every gap between adjacent sentences in [0, 1].

A strategy is registered by name. `score(doc)` returns one score per gap (1 = cut here);
`decide(scores)` is the strategy's own topic-boundary rule, used when no size budget
applies (the segmentation evaluation, protocol 1). Sizing to a token budget is separate
(`sizing.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..core import DEFAULT_STRATEGY, FolioscopeError
from .cohesion import depth_scores, smooth, window_similarity


@dataclass
class SegmentInput:
    """The sentences of one text, with lazily computed, shared features."""

    sentences: list[str]
    embed: Callable[..., np.ndarray] | None = None  # embed(texts, layers=None), as Embedder.encode
    paragraph_starts: list[bool] | None = None  # per sentence: starts a block (None: unknown)
    cache: dict = field(default_factory=dict)

    def encoded(self, layers: int | None = None) -> np.ndarray:
        """Sentence vectors from the first `layers` encoder layers (None: the full model)."""
        key = ("embeddings", layers)
        if key not in self.cache:
            if self.embed is None:
                from ..embed import shared_embedder
                self.embed = shared_embedder().encode
            self.cache[key] = self.embed(self.sentences, layers=layers)
        return self.cache[key]

    @property
    def embeddings(self) -> np.ndarray:
        return self.encoded(None)

    @cached_property
    def tokens(self) -> list[int]:
        from ..embed import count_tokens
        return count_tokens(self.sentences)

    @property
    def n_gaps(self) -> int:
        return max(len(self.sentences) - 1, 0)


class Strategy:
    name = ""
    description = ""

    def score(self, doc: SegmentInput) -> np.ndarray:
        raise NotImplementedError

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return scores >= 0.5


STRATEGIES: dict[str, Callable[..., Strategy]] = {}


def register(cls):
    STRATEGIES[cls.name] = cls
    return cls


def strategy_names() -> list[str]:
    """Registered strategies, the default first (for menus)."""
    return [DEFAULT_STRATEGY] + sorted(n for n in STRATEGIES if n != DEFAULT_STRATEGY)


def get_strategy(name: str, **options) -> Strategy:
    if name not in STRATEGIES:
        raise FolioscopeError(f"Unknown chunking strategy '{name}'; choose one of "
                              f"{', '.join(sorted(STRATEGIES))}.")
    return STRATEGIES[name](**options)


@register
class FixedStrategy(Strategy):
    """~200-token windows aligned to sentence ends: the baseline studies found hard to beat."""

    name = "fixed"
    description = "~200-token windows at sentence ends"

    def __init__(self, tokens: int = 200):
        if tokens < 16:
            raise FolioscopeError("fixed chunks need at least 16 tokens")
        self.target = tokens

    def score(self, doc: SegmentInput) -> np.ndarray:
        scores = np.zeros(doc.n_gaps, dtype=np.float32)
        running = 0
        for i, n in enumerate(doc.tokens[:-1]):
            running += n
            if running >= self.target:
                scores[i] = 1.0
                running = 0
        return scores


# TextTiling's cut-off (a depth above mean - CUTOFF x std is a boundary), chosen on the tune
# halves of the segmentation sets (`folioscope-lab eval segmentation --tune`); the classic is 0.5
CUTOFF = -1.0


@register
class TextTilingStrategy(Strategy):
    """Embedding TextTiling: depth of the smoothed adjacent-window cosine."""

    name = "texttiling"
    description = "embedding TextTiling (depth of adjacent-window similarity)"

    def __init__(self, window: int = 3, smoothing: int = 1, cutoff: float = CUTOFF):
        self.window, self.smoothing, self.cutoff = window, smoothing, cutoff

    def score(self, doc: SegmentInput) -> np.ndarray:
        if doc.n_gaps == 0:
            return np.zeros(0, dtype=np.float32)
        similarity = smooth(window_similarity(doc.embeddings, self.window), self.smoothing)
        depth = depth_scores(similarity)
        top = float(depth.max())
        return depth / top if top > 0 else depth

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Valleys whose depth is above mean - cutoff x std (classic TextTiling: cutoff 1/2)."""
        if len(scores) == 0:
            return scores.astype(bool)
        valleys = np.zeros(len(scores), dtype=bool)
        for i in range(len(scores)):
            left = scores[i - 1] if i > 0 else -1
            right = scores[i + 1] if i < len(scores) - 1 else -1
            valleys[i] = scores[i] > 0 and scores[i] >= left and scores[i] >= right
        return valleys & (scores > scores.mean() - self.cutoff * scores.std())


@register
class PerplexityStrategy(Strategy):
    """Meta-Chunking's PPL rule: a sentence whose mean token NLL (given all preceding text)
    is a local minimum, with a drop of at least theta on one side, ends a chunk."""

    name = "perplexity"
    description = "LM perplexity minima (Meta-Chunking), bundled GGUF"

    def __init__(self, theta: float = 0.0, model: str | None = None):
        self.theta, self.model = theta, model

    def llm(self):
        """The strategy's model instance: flash attention, which reads long prompts faster."""
        from ..llm import shared_llm
        return shared_llm(self.model, flash_attn=True)

    def nll(self, doc: SegmentInput) -> np.ndarray:
        if "nll" not in doc.cache:
            from .perplexity import sentence_nll
            doc.cache["nll"] = sentence_nll(self.llm(), doc.sentences)
        return doc.cache["nll"]

    def score(self, doc: SegmentInput) -> np.ndarray:
        if doc.n_gaps == 0:
            return np.zeros(0, dtype=np.float32)
        return minima_scores(self.nll(doc), self.theta)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return scores > 0


def minima_scores(values: np.ndarray, theta: float) -> np.ndarray:
    """Gap after sentence i scores the larger drop around a local minimum at i (first and
    last sentences never end chunks), scaled to [0, 1]; other gaps score 0."""
    n = len(values)
    scores = np.zeros(max(n - 1, 0), dtype=np.float32)
    for i in range(1, n - 1):
        left, right = values[i - 1] - values[i], values[i + 1] - values[i]
        if left > 0 and right > 0 and max(left, right) >= theta:
            scores[i] = max(left, right)
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else scores


@register
class LearnedStrategy(Strategy):
    """The trained boundary model (models/boundary): a classifier over the cohesion of the
    sentences around each gap, trained on documents whose sections give the labels."""

    name = "learned"
    description = "trained boundary model over MiniLM and word cohesion (default)"

    def __init__(self, model_path: str | None = None):
        from .learned import load_model
        self.model = load_model(model_path)

    def score(self, doc: SegmentInput) -> np.ndarray:
        if doc.n_gaps == 0:
            return np.zeros(0, dtype=np.float32)
        return self.model.predict(doc.encoded(self.model.layers), doc.sentences, doc.paragraph_starts)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        decided = np.zeros(len(scores), dtype=bool)
        decided[list(self.model.decide(scores))] = True
        return decided

