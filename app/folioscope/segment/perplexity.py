"""Per-sentence perplexity features with a local GGUF model (Meta-Chunking).

Each sentence scores the mean negative log-likelihood of its tokens given all preceding
text. Long texts go through windows of `window` tokens that carry `carry` tokens of
context. Logits are read per decoded batch and reduced to the target tokens' NLL at once:
no n_ctx x vocabulary matrix is kept.
"""

from __future__ import annotations

import numpy as np


def _log_softmax_at(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    top = logits.max(axis=1, keepdims=True)
    logsum = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return logits[np.arange(len(targets)), targets] - logsum


def token_nll(llama, tokens: list[int], window: int, carry: int) -> np.ndarray:
    """NLL of tokens[1:] given the tokens before them (position 0 gets 0)."""
    # This mirrors Llama.eval() (llama-cpp-python 0.3.x) but keeps only what we need.
    n_vocab = llama.n_vocab()
    nll = np.zeros(len(tokens), dtype=np.float32)
    start = 0  # first token whose NLL this window computes
    while start < len(tokens) - 1 or start == 0:
        context_from = max(0, start - carry) if start else 0
        end = min(len(tokens), context_from + window)
        piece = tokens[context_from:end]
        llama.reset()
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        for b in range(0, len(piece), llama.n_batch):
            batch = piece[b:b + llama.n_batch]
            llama._batch.set_batch(batch=batch, n_past=b, logits_all=True)
            llama._ctx.decode(llama._batch)
            logits = np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(len(batch), n_vocab))
            # row j predicts piece[b + j + 1]
            first = context_from + b  # absolute index of the batch's first token
            rows = np.arange(len(batch))
            targets_abs = first + rows + 1
            keep = (targets_abs < end) & (targets_abs >= max(start, 1))
            if keep.any():
                targets = np.asarray(tokens, dtype=np.int64)[targets_abs[keep]]
                nll[targets_abs[keep]] = -_log_softmax_at(logits[rows[keep]], targets)
        if end >= len(tokens):
            break
        start = end
    return nll


def sentence_nll(llm, sentences: list[str], window: int = 2048, carry: int = 512) -> np.ndarray:
    """Mean token NLL of each sentence given all text before it."""

    def work(llama):
        bos = llama.token_bos()
        tokens: list[int] = [bos] if bos is not None and bos >= 0 else []
        spans = []
        for i, sentence in enumerate(sentences):
            ids = llama.tokenize(((" " if i else "") + sentence).encode("utf-8"), add_bos=False, special=False)
            spans.append((len(tokens), len(tokens) + len(ids)))
            tokens.extend(ids)
        if len(tokens) < 2:
            return np.zeros(len(sentences), dtype=np.float32)
        size = min(window, llama.n_ctx())
        nll = token_nll(llama, tokens, size, min(carry, size // 2))
        return np.array([nll[max(a, 1):b].mean() if b > max(a, 1) else 0.0 for a, b in spans],
                        dtype=np.float32)

    return llm.run(work)
