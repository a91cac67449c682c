"""Sentence embeddings with the bundled all-MiniLM-L6-v2 (384 dimensions, unit length).

Loaded lazily (torch is a heavy import) and shared per process; calls are serialised by a
lock. Token counts use the model's own fast tokenizer, without loading torch.

`encode(texts, layers=k)` runs only the first k of the model's 6 transformer layers (then
the same mean pooling and normalisation): the boundary model is trained on such shallow
vectors because they cost a fraction of the full model and segment as well (models/boundary).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

from .models import embedding_model_dir

DIMENSIONS = 384


class Embedder:
    def __init__(self, batch_size: int = 16):
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
            hf_logging.disable_progress_bar()
            self._model = SentenceTransformer(str(embedding_model_dir()), device="cpu")
        return self._model

    def encode(self, texts: list[str], layers: int | None = None) -> np.ndarray:
        """Unit vectors for texts; `layers` runs only the first k transformer layers."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            model = self._load()
            encoder = model[0].auto_model.encoder
            full = encoder.layer
            if layers is not None and not 1 <= layers <= len(full):
                raise ValueError(f"layers must be between 1 and {len(full)}, not {layers}")
            encoder.layer = full[:layers] if layers else full
            try:
                vectors = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
            finally:
                encoder.layer = full
        return vectors.astype(np.float32, copy=False)

    def encode_depths(self, texts: list[str], depths: tuple[int, ...] = (1, 2, 3, 6)) -> dict[int, np.ndarray]:
        """Unit vectors after each of several encoder depths, from one pass of the full model
        (the same vectors `encode(texts, layers=d)` gives; the evaluations compare depths)."""
        import torch
        if not texts:
            return {d: np.zeros((0, DIMENSIONS), dtype=np.float32) for d in depths}
        with self._lock:
            model = self._load()
            order = np.argsort([-len(t) for t in texts], kind="stable")  # batches of similar length
            chunks = []
            for i in range(0, len(texts), self.batch_size):
                batch = [texts[j] for j in order[i:i + self.batch_size]]
                features = model.tokenize(batch)
                with torch.inference_mode():
                    hidden = model[0].auto_model(input_ids=features["input_ids"],
                                                 attention_mask=features["attention_mask"],
                                                 token_type_ids=features.get("token_type_ids"),
                                                 output_hidden_states=True).hidden_states
                mask = features["attention_mask"].unsqueeze(-1).float()
                chunks.append({d: torch.nn.functional.normalize(
                    (hidden[d] * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=1).numpy() for d in depths})
        inverse = np.argsort(order, kind="stable")
        return {d: np.vstack([c[d] for c in chunks])[inverse].astype(np.float32) for d in depths}


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(embedding_model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def count_tokens(texts: list[str]) -> list[int]:
    """Word pieces per text as the embedding model sees them (without [CLS]/[SEP])."""
    if not texts:
        return []
    encodings = _tokenizer().encode_batch(texts, add_special_tokens=False)
    return [len(e.ids) for e in encodings]
