"""What the stages need from a model, stated without importing one.

The runtimes (`folioscope.llm`, `folioscope.embed`) satisfy these; tests pass small fakes.
"""

from __future__ import annotations

from typing import Any, Protocol


class ChatModel(Protocol):
    """A local chat model: one reply to a list of {"role", "content"} messages."""

    def chat(self, messages: list[dict[str, str]], max_tokens: int = 128, temperature: float = 0.0,
             stop: list[str] | None = None) -> str: ...


class StreamingModel(ChatModel, Protocol):
    """A chat model that streams its reply (`on_token(text)` per piece) and reports timings."""

    @property
    def name(self) -> str: ...

    def stream(self, messages: list[dict[str, str]], on_token: Any = None, max_tokens: int = 256,
               cache_prefix: bool = True, stop: list[str] | None = None) -> Any: ...


class Encoder(Protocol):
    """Sentence embeddings: a numpy array of unit rows, one per text."""

    def __call__(self, texts: list[str]) -> Any: ...
