"""What the stages need from a model, stated without importing one.

The runtimes (`folioscope.llm`, `folioscope.embed`) satisfy these; tests pass small fakes.
"""

from __future__ import annotations

from typing import Any, Protocol


class Encoder(Protocol):
    """A sentence encoder: unit vectors (an array, one row per text) from the first `layers`
    layers (None: the whole model)."""

    def encode(self, texts: list[str], layers: int | None = None) -> Any: ...


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
