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
from pathlib import Path

from ..core import FolioscopeError
from ..models import gguf_path


class LocalLLM:
    def __init__(self, model: str | os.PathLike | None = None, n_ctx: int = 2048,
                 n_threads: int | None = None):
        self.path: Path = gguf_path(model)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, min(4, os.cpu_count() or 1))
        self._owner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self._llama = None

    def _load(self):
        if self._llama is None:
            try:
                from llama_cpp import Llama
                self._llama = Llama(model_path=str(self.path), n_ctx=self.n_ctx,
                                    n_threads=self.n_threads, verbose=False)
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


def shared_llm(model: str | os.PathLike | None = None) -> LocalLLM:
    """One LocalLLM per model file per process."""
    key = str(gguf_path(model))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = LocalLLM(key)
        return _shared[key]
