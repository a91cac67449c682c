"""Pieces cut from a document's text: sentences, boundaries, chunks, chapters, evidence.

Every piece is a character range [start, end) of the document text, so it maps back to
page boxes through the document's span table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Boundary:
    """The gap after sentence `after` (0-based): a score in [0, 1], 1 = cut here."""

    after: int
    offset: int  # character offset of the gap in the document text
    score: float
    method: str


@dataclass
class Chunk:
    index: int
    start: int
    end: int
    text: str
    score: float  # score of the boundary that ends this chunk (1.0 for the last chunk)
    strategy: str
    pages: list[int] = field(default_factory=list)
    context: str = ""  # text the chunk needs to be understood alone (a table's header row)

    @property
    def indexed_text(self) -> str:
        """What is embedded and searched: the context, then the chunk's own text."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass
class Chapter:
    index: int
    title: str
    start: int
    end: int
    first_page: int
    last_page: int
    start_time: float | None = None  # transcripts: seconds from the start
    # "outline", "headings", "llm", "keyphrases", "embedding keyphrases" or "section role"
    title_source: str = "outline"
    level: int = 1  # 2: a section of the part named by `part` (Part > Item, Chapter > Section)
    part: str = ""  # the title of the level-1 heading a level-2 chapter sits under


@dataclass
class Evidence:
    doc_id: int
    start: int
    end: int
    text: str
    score: float
    page: int  # the page the sentence starts on
    boxes: list[tuple[int, float, float, float, float]] = field(default_factory=list)  # (page, x0, y0, x1, y1)
    chunk: int | None = None  # index of the chunk it was found in


@dataclass
class Answer:
    question: str
    text: str  # what is shown: the model's answer when its evidence supports it, else `extractive`
    evidence: list[Evidence] = field(default_factory=list)
    citations: dict[int, int] = field(default_factory=dict)  # citation number -> evidence index
    found: bool = True
    extractive: str = ""  # the best evidence sentence, cited as [1]: an answer taken from the document
    generated: str = ""  # the model's own wording
    supported: bool | None = None  # whether the cited evidence holds the model's numbers, names, words
    support_note: str = ""  # why (not)
