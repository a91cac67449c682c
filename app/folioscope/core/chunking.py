"""What chunking is asked for and what it produced: options, user edits, the result.

User edits are operations on the set of cut offsets (a cut is the character offset where a
chunk starts): split adds a cut at a sentence start, merge removes one, move does both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import FolioscopeError
from .segments import Boundary, Chunk, Sentence

DEFAULT_STRATEGY = "learned"
DEFAULT_BUDGET = 250  # word pieces; all-MiniLM-L6-v2 keeps 254 after [CLS] and [SEP]
DEFAULT_MINIMUM = 40


@dataclass(frozen=True)
class ChunkOptions:
    strategy: str = DEFAULT_STRATEGY
    budget: int = DEFAULT_BUDGET
    minimum: int = DEFAULT_MINIMUM

    def __post_init__(self) -> None:
        if self.budget < 16 or self.minimum < 0 or self.minimum > self.budget // 2:
            raise FolioscopeError("The chunk budget must be at least 16 tokens and the minimum "
                                  "at most half of it.")


@dataclass(frozen=True)
class Edit:
    kind: str  # "split", "merge", "move"
    offset: int
    target: int | None = None  # for "move"


@dataclass(frozen=True)
class TableSpan:
    """A table in a document's text: its rows (character ranges; a row is never cut) and its
    header row, which a chunk starting inside the table carries as context."""

    start: int
    end: int
    rows: tuple[tuple[int, int], ...]
    header: tuple[int, int] | None = None


@dataclass
class Chunking:
    text: str
    sentences: list[Sentence]
    boundaries: list[Boundary]  # one per sentence gap
    chunks: list[Chunk]
    options: ChunkOptions
    tokens: list[int] = field(default_factory=list)  # per chunk
    sentence_vectors: Any = None  # a numpy array, one unit row per sentence, when computed
