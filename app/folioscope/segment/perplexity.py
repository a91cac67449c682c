"""Per-sentence perplexity features with a local GGUF model (Meta-Chunking).

Each sentence scores the mean negative log-likelihood of its tokens given all preceding
text. Long texts slide through a context of at most `window` tokens that always keeps the
last `carry` (a KV-cache shift, no token is read twice). Logits are read per decoded batch
and reduced to the target tokens' NLL at once: no n_ctx x vocabulary matrix is kept.
"""

from __future__ import annotations

import numpy as np

SINK = 4  # tokens at the start of the text kept through every context shift


def _log_softmax_at(logits: np.ndarray, targets: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """log softmax(logits)[row, target] per row, in two passes over the logits.

    exp() is taken without subtracting the row maximum (a language model's logits are far
    below float32's overflow at 88); rows that overflow anyway are redone the stable way.
    """
    rows = np.arange(len(targets))
    out = scratch[:len(logits)] if scratch is not None and len(scratch) >= len(logits) else None
    with np.errstate(over="ignore"):
        sums = np.exp(logits, out=out).sum(axis=1)
    logsum = np.log(sums)
    bad = ~np.isfinite(logsum)
    if bad.any():
        top = logits[bad].max(axis=1)
        logsum[bad] = np.log(np.exp(logits[bad] - top[:, None]).sum(axis=1)) + top
    return logits[rows, targets] - logsum


def token_nll(llama, tokens: list[int], window: int, carry: int) -> np.ndarray:
    """NLL of tokens[1:] given the tokens before them (position 0 gets 0).

    The model reads the tokens once, in batches. When the context holds `window` tokens,
    all but the first SINK and the last `carry` are dropped from the KV cache and the rest are
    shifted back (llama.cpp's context shift), so every token keeps at least `carry` tokens of
    context and none is decoded twice. The first tokens stay because models lean on them as
    attention sinks (StreamingLLM, Xiao et al. 2023): without them the NLL drifts.
    """
    # This mirrors Llama.eval() (llama-cpp-python 0.3.x) but keeps only what we need.
    n_vocab = llama.n_vocab()
    nll = np.zeros(len(tokens), dtype=np.float32)
    scratch = np.empty((llama.n_batch, n_vocab), dtype=np.float32)
    ids = np.asarray(tokens, dtype=np.int64)
    window = max(2, min(window, llama.n_ctx()))
    carry = max(1, min(carry, window // 2 - SINK))
    llama.reset()
    llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    n_past = 0  # tokens in the KV cache
    i = 0  # next token to read
    while i < len(tokens):
        if n_past >= window:  # keep the first SINK tokens (attention sinks) and the last `carry`
            drop = n_past - carry
            llama._ctx.kv_cache_seq_rm(0, SINK, drop)
            llama._ctx.kv_cache_seq_shift(0, drop, n_past, SINK - drop)
            n_past = SINK + carry
        batch = tokens[i:i + min(llama.n_batch, window - n_past)]
        llama._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
        llama._ctx.decode(llama._batch)
        # row j predicts tokens[i + j + 1]; the last row of the last batch predicts nothing
        n_rows = min(len(batch), len(tokens) - 1 - i)
        if n_rows > 0:
            logits = np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(len(batch), n_vocab))
            nll[i + 1:i + 1 + n_rows] = -_log_softmax_at(logits[:n_rows], ids[i + 1:i + 1 + n_rows], scratch)
        n_past += len(batch)
        i += len(batch)
    llama.reset()
    llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    return nll


def sentence_nll(llm, sentences: list[str], window: int = 1024, carry: int = 512) -> np.ndarray:
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
