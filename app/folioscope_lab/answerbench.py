"""Answer speed: time to first token and tokens/s, with and without the cached prompt prefix,
beside the machine's raw speed at evaluating a prompt (`decode_ms_per_token`: this machine's
speed drifts between runs, and the first token is mostly prompt evaluation)."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from folioscope.embed import shared_embedder
from folioscope.models import sample_document

QUESTIONS = [
    "What did lighthouse keepers do every night?",
    "What replaced open fires in lighthouses?",
    "How does a sailor know which light he sees?",
    "When were lighthouses automated?",
]
WARM_UP = "Who kept the lights?"


DECODE_TOKENS = 64


def _decode_ms_per_token(llama) -> float:
    """The best of three evaluations of DECODE_TOKENS prompt tokens after one, in ms per token."""
    import time
    tokens = llama.tokenize(" ".join(QUESTIONS * 8).encode("utf-8"))[:DECODE_TOKENS + 1]
    best = float("inf")
    for _ in range(3):
        llama.reset()
        llama.eval(tokens[:1])
        started = time.perf_counter()
        llama.eval(tokens[1:])
        best = min(best, time.perf_counter() - started)
    llama.reset()
    return round(1000 * best / (len(tokens) - 1), 2)


def answer_bench(rounds: int = 2) -> dict:
    from folioscope.answer.ask import ask
    from folioscope.index import Store
    from folioscope.llm import ANSWER_FLASH_ATTENTION, LocalLLM
    from folioscope.pipeline import ingest_paths
    with tempfile.TemporaryDirectory(prefix="folioscope-answers-") as folder:
        library = Store(Path(folder))
        list(ingest_paths(library, [sample_document()]))
        llm = LocalLLM(flash_attn=ANSWER_FLASH_ATTENTION)
        ask(library, WARM_UP, llm=llm, cache_prefix=True, encoder=shared_embedder())  # load the model, fill the cache
        results: dict[str, list] = {"without prefix cache": [], "with prefix cache": []}
        for _ in range(rounds):
            for question in QUESTIONS:
                # cached first: it follows another question, as when a user asks the next one
                # (after the same prompt the whole of it would be found in the context)
                for name, cached in (("with prefix cache", True), ("without prefix cache", False)):
                    r = ask(library, question, llm=llm, cache_prefix=cached, encoder=shared_embedder())
                    if r.generation is not None:
                        results[name].append(r.generation)
        decode = llm.run(_decode_ms_per_token)
        llm.close()
        library.close()
    out: dict = {"decode_ms_per_token": decode}
    for name, gens in results.items():
        if gens:
            out[name] = {
                "answers": len(gens),
                "first_token_ms_median": round(1000 * statistics.median(g.first_token_seconds for g in gens), 1),
                "tokens_per_s_median": round(statistics.median(g.tokens_per_second for g in gens), 1),
                "prompt_tokens_median": statistics.median(g.prompt_tokens for g in gens),
                "prompt_tokens_reused": statistics.median(g.reused_tokens for g in gens),
            }
    return out
