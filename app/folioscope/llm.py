"""The local quantized LLM, owned by one thread.

llama.cpp contexts are not thread-safe: every call goes through a single worker thread
that owns the `Llama` object, whichever thread asks. Loading is lazy (llama_cpp is a heavy
import) and happens on that thread too.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .core import FolioscopeError
from .models import gguf_path


@dataclass
class Generation:
    text: str
    prompt_tokens: int
    reused_tokens: int  # prompt tokens restored from the cached prefix instead of evaluated
    output_tokens: int
    first_token_seconds: float
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        gen = self.seconds - self.first_token_seconds
        return (self.output_tokens - 1) / gen if self.output_tokens > 1 and gen > 0 else 0.0


class LocalLLM:
    def __init__(self, model: str | os.PathLike | None = None, n_ctx: int = 2048,
                 n_threads: int | None = None, flash_attn: bool = False):
        self.path: Path = gguf_path(model)
        self.n_ctx = n_ctx
        self.flash_attn = flash_attn
        self.n_threads = n_threads or max(1, min(4, os.cpu_count() or 1))
        self._owner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self._llama = None
        self._prefix_states: dict[str, tuple[int, object]] = {}  # system prompt -> (tokens, KV state)
        self._formatter = None

    def _load(self):
        if self._llama is None:
            try:
                from llama_cpp import Llama
                self._llama = Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                                    flash_attn=self.flash_attn, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise FolioscopeError(f"The model {self.path.name} could not be loaded: {exc}.") from exc
        return self._llama

    def run(self, fn, *args, **kwargs):
        """Call fn(llama, *args, **kwargs) on the owner thread and wait for its result."""
        if threading.current_thread().name.startswith("llm"):
            return fn(self._load(), *args, **kwargs)
        return self._owner.submit(lambda: fn(self._load(), *args, **kwargs)).result()

    def chat(self, messages: list[dict], max_tokens: int = 128, temperature: float = 0.0,
             stop: list[str] | None = None) -> str:
        def call(llama):
            out = llama.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                               temperature=temperature, stop=stop)
            return out["choices"][0]["message"]["content"] or ""
        return self.run(call)

    def stream(self, messages: list[dict], on_token=None, max_tokens: int = 256,
               cache_prefix: bool = True, stop: list[str] | None = None) -> Generation:
        """Generate a chat reply token by token (`on_token(text)` for each piece; it may
        raise Cancelled to stop). With `cache_prefix`, the KV state after the first message
        (the fixed system prompt) is saved once and restored for every later call, so only
        the rest of the prompt is evaluated."""
        return self.run(self._stream, messages, on_token, max_tokens, cache_prefix, stop)

    def _format(self, llama, messages: list[dict]):
        if self._formatter is None:  # the model's chat template, compiled once
            from llama_cpp import llama_chat_format
            template = llama.metadata.get("tokenizer.chat_template")
            if not template:
                raise FolioscopeError(f"The model {self.path.name} has no chat template.")
            self._formatter = llama_chat_format.Jinja2ChatFormatter(
                template=template, eos_token=llama._model.token_get_text(llama.token_eos()),
                bos_token=llama._model.token_get_text(llama.token_bos()))
        return self._formatter(messages=messages)

    def _stream(self, llama, messages, on_token, max_tokens, cache_prefix, stop) -> Generation:
        started = time.perf_counter()
        formatted = self._format(llama, messages)
        tokens = llama.tokenize(formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special,
                                special=True)
        reused = 0
        if cache_prefix:
            key = messages[0]["content"]
            if key not in self._prefix_states:
                head = self._format(llama, messages[:1] + [{"role": "user", "content": ""}])
                head_tokens = llama.tokenize(head.prompt.encode("utf-8"),
                                             add_bos=not head.added_special, special=True)
                common = 0
                for a, b in zip(head_tokens, tokens):
                    if a != b:
                        break
                    common += 1
                llama.reset()
                llama.eval(tokens[:common])
                self._prefix_states[key] = (common, llama.save_state())
            common, state = self._prefix_states[key]
            held = llama.input_ids[:min(llama.n_tokens, len(tokens) - 1)]
            reused = next((i for i, (a, b) in enumerate(zip(held, tokens)) if a != b), len(held))
            if reused < common:  # another prompt was evaluated since: restore the saved prefix
                llama.load_state(state)
                reused = common
            # else the context still holds the prefix (and maybe more): create_completion keeps
            # it, without load_state's copy and scan of the n_batch x vocabulary logits
        else:
            llama.reset()
        pieces: list[str] = []
        first = None
        stops = list(formatted.stop if isinstance(formatted.stop, list) else [formatted.stop] if formatted.stop else [])
        for part in llama.create_completion(tokens, max_tokens=max_tokens, temperature=0.0,
                                            stop=stops + list(stop or []), stream=True):
            text = part["choices"][0]["text"]
            if not text:
                continue
            if first is None:
                first = time.perf_counter() - started
            pieces.append(text)
            if on_token is not None:
                on_token(text)
        total = time.perf_counter() - started
        n_out = len(llama.tokenize("".join(pieces).encode("utf-8"), add_bos=False)) if pieces else 0
        return Generation("".join(pieces), prompt_tokens=len(tokens), reused_tokens=reused,
                          output_tokens=n_out, first_token_seconds=first if first is not None else total,
                          seconds=total)

    def close(self) -> None:
        def free(llama):
            llama.close()
        if self._llama is not None:
            self.run(free)
            self._llama = None
        self._owner.shutdown(wait=True)


_shared: dict[str, LocalLLM] = {}
_shared_lock = threading.Lock()


@atexit.register
def _free_shared() -> None:
    """Free the models before interpreter teardown (llama.cpp's finalizer fails then). At
    exit no other thread uses them, and the owner thread's pool no longer takes work."""
    for llm in _shared.values():
        if llm._llama is not None:
            llm._llama.close()
            llm._llama = None


def shared_llm(model: str | os.PathLike | None = None, n_threads: int | None = None,
               flash_attn: bool = False) -> LocalLLM:
    """One LocalLLM per model file, thread count and attention kernel per process.

    Flash attention reads prompts ~20% faster on this CPU (192 against 161 tokens/s for the
    bundled model) and generates ~20% faster; answers (`answer_llm`) and the perplexity
    strategy use it. OCR repair and chapter titles keep the default kernel their
    measurements were made with: the two kernels differ in the last bits, which is enough to
    change a 135M model's words."""
    key = f"{gguf_path(model)}|{n_threads or ''}|{'flash' if flash_attn else ''}"
    with _shared_lock:
        if key not in _shared:
            _shared[key] = LocalLLM(gguf_path(model), n_threads=n_threads, flash_attn=flash_attn)
        return _shared[key]


ANSWER_FLASH_ATTENTION = True  # the kernel answers were measured with (results/answers.json)


def answer_llm(model: str | os.PathLike | None = None, n_threads: int | None = None) -> LocalLLM:
    """The shared model instance that answers questions."""
    return shared_llm(model, n_threads, flash_attn=ANSWER_FLASH_ATTENTION)
