"""Per-token NLL for the perplexity strategy: the log-softmax and the sliding context."""

from pathlib import Path

import numpy as np
import pytest

from folioscope.segment.perplexity import _log_softmax_at, token_nll

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "sample" / "folioscope-sample.pdf"


def test_log_softmax_at_matches_the_stable_formula_even_where_exp_overflows():
    rng = np.random.default_rng(3)
    logits = (rng.standard_normal((6, 50)) * 4).astype(np.float32)
    logits[2, 7] = 120.0  # exp() overflows float32 in this row
    targets = rng.integers(0, 50, 6)
    top = logits.max(axis=1, keepdims=True)
    expected = logits[np.arange(6), targets] - (np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0])
    scratch = np.empty((8, 50), dtype=np.float32)
    got = _log_softmax_at(logits.copy(), targets, scratch)
    assert np.allclose(got, expected, atol=1e-4)
    assert np.all(np.isfinite(got))


@pytest.mark.slow
def test_a_sliding_context_reads_each_token_once_and_keeps_the_nll():
    from folioscope.ingest import read_document
    from folioscope.segment.strategies import get_strategy
    text = read_document(SAMPLE).body_text().text
    llm = get_strategy("perplexity").llm()  # the instance the strategy runs

    def run(llama):
        tokens = [llama.token_bos()] + llama.tokenize(text.encode(), add_bos=False)
        assert len(tokens) > 600
        full = token_nll(llama, tokens, window=2048, carry=512)  # no shift: one pass
        sliding = token_nll(llama, tokens, window=256, carry=128)  # shifts every 124 tokens
        return full, sliding

    full, sliding = llm.run(run)
    assert full[0] == 0 and np.all(full[1:] > 0)
    assert np.allclose(full[:256], sliding[:256], atol=0.05)  # before the first shift: the same
    later = slice(256, None)
    assert np.corrcoef(full[later], sliding[later])[0, 1] > 0.9
    assert abs(float(full[later].mean() - sliding[later].mean())) < 0.25  # less context, not garbage
