"""Sentence embeddings with the bundled all-MiniLM-L6-v2 (384 dimensions, unit length).

Two engines compute the same vectors (within 1e-5, checked when the graph is made):
onnxruntime on the ONNX graph `tools/export_embedder.py` traces from the package's weights at
install, and sentence-transformers on torch. onnxruntime is the default because it starts in
a fraction of a second where importing torch and sentence-transformers takes about six: the
first question after opening a library waits for it. torch computes the vectors when the
graph is missing or was traced from other weights, and always for `layers=k` (the
evaluations that compare encoder depths).

Loaded lazily and shared per process; calls are serialised by a lock. Token counts use the
model's own fast tokenizer, without loading either engine.

`encode(texts, layers=k)` runs only the first k of the model's 6 transformer layers (then
the same mean pooling and normalisation), for the evaluations that compare depths.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from .core import FolioscopeError
from .models import embedding_model_dir, embedding_onnx_path

DIMENSIONS = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)

log = logging.getLogger(__name__)
_threads: int | None = None  # the models' threads in this process; None: every core


def use_threads(threads: int) -> None:
    """Run the embedding model (either engine) on `threads` threads in this process: a
    reader process's share of the cores."""
    global _threads
    threads = max(1, int(threads))
    if threads == _threads:
        return
    _threads = threads
    import sys
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(_threads)
    with _shared_lock:
        if _shared is not None:
            _shared.close_session()


def onnx_graph() -> Path | None:
    """The exported graph, if it was traced from the weights installed now."""
    path = embedding_onnx_path()
    try:
        card = json.loads(path.with_suffix(".json").read_text())
        weights = embedding_model_dir() / card["weights"]
        if path.is_file() and weights.stat().st_size == card["weights_bytes"]:
            return path
    except (OSError, ValueError, KeyError):
        pass
    return None


class Embedder:
    """`backend`: "onnx", "torch", or None for onnx when its graph is installed."""

    def __init__(self, batch_size: int = 16, backend: str | None = None, onnx_path: Path | None = None):
        self.batch_size = batch_size
        self._model = None
        self._session = None
        self._lock = threading.Lock()
        self._onnx_path = onnx_path or onnx_graph()
        if backend is None:
            backend = "onnx" if self._onnx_path else "torch"
            if backend == "torch":
                log.info("embedding with torch: the ONNX graph is missing or stale (make reinstalls it)")
        if backend not in ("onnx", "torch"):
            raise ValueError(f"backend must be 'onnx' or 'torch', not {backend!r}")
        if backend == "onnx" and self._onnx_path is None:
            raise FileNotFoundError(f"No ONNX graph of the embedding model at {embedding_onnx_path()}; "
                                    "run tools/export_embedder.py.")
        self.backend = backend

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging
            except ImportError as exc:
                raise FolioscopeError("The embedding model's ONNX graph is missing or stale and torch is not "
                                      "installed to run it otherwise; reinstall Folioscope.") from exc
            hf_logging.disable_progress_bar()
            if _threads is not None:
                torch.set_num_threads(_threads)
            self._model = SentenceTransformer(str(embedding_model_dir()), device="cpu")
        return self._model

    def _onnx(self):
        if self._session is None:
            import onnxruntime as ort
            options = ort.SessionOptions()
            options.intra_op_num_threads = _threads or os.cpu_count() or 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(str(self._onnx_path), options, providers=["CPUExecutionProvider"])
        return self._session

    def close_session(self) -> None:
        """Drop the onnxruntime session (the next call makes one with the current threads)."""
        with self._lock:
            self._session = None

    def encode(self, texts: list[str], layers: int | None = None) -> np.ndarray:
        """Unit vectors for texts; `layers` runs only the first k transformer layers."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if layers is None and self.backend == "onnx":
            with self._lock:
                return self._encode_onnx(texts)
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

    def _encode_onnx(self, texts: list[str]) -> np.ndarray:
        """As sentence-transformers does (padded to the longest of the batch, mean pooled over
        the real word pieces, unit length), but batched by word-piece count, longest first, a
        batch ending where a text is under half the batch's width: one long text among short
        ones (a chapter beside its title candidates) would otherwise pad them all to 256."""
        session = self._onnx()
        encodings = _tokenizer(MAX_TOKENS).encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            stop = start + 1
            while (stop < len(order) and stop - start < self.batch_size
                   and 2 * lengths[order[stop]] > width):
                stop += 1
            rows = order[start:stop]
            start = stop
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for k, j in enumerate(rows):
                ids[k, :lengths[j]] = encodings[j].ids
                mask[k, :lengths[j]] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared


@lru_cache(maxsize=2)
def _tokenizer(truncate: int | None = None):
    """The model's fast tokenizer, unpadded; adding [CLS]/[SEP] and cut at `truncate` word
    pieces when given."""
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(embedding_model_dir() / "tokenizer.json"))
    if truncate:
        tokenizer.enable_truncation(truncate)
    else:
        tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def count_tokens(texts: list[str]) -> list[int]:
    """Word pieces per text as the embedding model sees them (without [CLS]/[SEP])."""
    if not texts:
        return []
    encodings = _tokenizer().encode_batch(texts, add_special_tokens=False)
    return [len(e.ids) for e in encodings]
