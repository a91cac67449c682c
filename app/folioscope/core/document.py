"""What a read document is: pages of blocks, each block with text, a box and a source.

Pure data: no I/O, no Qt, no model library. Readers build these; the library stores them;
the GUI draws them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import Enum


class Route(str, Enum):
    """How the text of one page was obtained."""

    TEXT_LAYER = "text"  # the PDF's own text layer
    OCR = "ocr"  # the page was rendered and recognised
    TEXT_AND_OCR = "text+ocr"  # text layer, plus OCR of images that carry no text layer
    STRUCTURE = "structure"  # native structure: DOCX, Markdown, plain text, transcripts
    EMPTY = "empty"  # nothing on the page to read


class Role(str, Enum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    TITLE = "title"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    TABLE_HEADER = "table_header"  # a table's header row, cells separated by " | "; level: table number
    TABLE_ROW = "table_row"  # one body row of a table, likewise
    CAPTION = "caption"
    CODE = "code"
    TEXT_BOX = "text_box"
    HEADER = "header"  # page header: kept apart from body text
    FOOTER = "footer"
    CUE = "cue"  # one transcript cue


BODY_ROLES = frozenset(r for r in Role if r not in (Role.HEADER, Role.FOOTER))


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in page units (PDF points for PDFs, pixels for images),
    origin top-left, as the page is displayed (rotation already applied)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0),
                   max(self.x1, other.x1), max(self.y1, other.y1))

    def horizontal_slice(self, start: float, end: float) -> Box:
        """The part of this box between fractions `start` and `end` of its width
        (used to highlight part of a line)."""
        return Box(self.x0 + self.width * start, self.y0, self.x0 + self.width * end, self.y1)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class Piece:
    """A piece of a block's text with its own box: a word of a PDF text layer, a line of
    OCR. `start`/`end` index into the block text."""

    start: int
    end: int
    box: Box | None
    confidence: float = 1.0


@dataclass
class Block:
    text: str
    page: int  # 0-based page index
    box: Box | None
    role: Role = Role.PARAGRAPH
    source: str = "text"  # "text", "ocr:<engine>", "repaired:<model>", "docx", "markdown", ...
    confidence: float = 1.0
    level: int = 0  # heading level (1 = top) or list depth
    pieces: list[Piece] = field(default_factory=list)
    time: float | None = None  # transcript cue start, seconds
    # when this block goes on with the previous body block's paragraph (across a page or column
    # break): the text that joins them, "" after a hyphenated word or " "; None starts a new block
    continues: str | None = None

    def pieces_or_whole(self) -> list[Piece]:
        """The block's pieces; a block without finer boxes is one piece."""
        return self.pieces or [Piece(0, len(self.text), self.box)]


@dataclass
class Page:
    index: int
    width: float
    height: float
    route: Route
    reason: dict  # measurements behind the route decision (char counts, coverage, confidence)
    timings: dict = field(default_factory=dict)  # seconds per stage
    blocks: list[Block] = field(default_factory=list)
    rotation: int = 0  # degrees applied to display the page upright (0, 90, 180, 270)


@dataclass(frozen=True)
class Rendered:
    """A page's pixels for display (`workers.render`). Defined here, in a module the window
    has already imported, because it crosses from the render process to the window's: a
    class in `ingest` would make the window import PyMuPDF and the readers to unpickle it."""
    width: int
    height: int
    stride: int
    samples: bytes  # RGB888


@dataclass(frozen=True)
class Span:
    """A run of document-text characters [start, end) drawn inside `box` on `page`."""

    start: int
    end: int
    page: int
    box: Box | None


BLOCK_SEPARATOR = "\n\n"


@dataclass
class Document:
    title: str
    kind: str  # reader name: "pdf", "image", "docx", "text", "markdown", "transcript"
    pages: list[Page]
    metadata: dict = field(default_factory=dict)

    def blocks(self, body_only: bool = True) -> list[Block]:
        return [b for p in self.pages for b in p.blocks
                if not body_only or b.role in BODY_ROLES]

    def body_text(self) -> BodyText:
        """The document text (body block texts joined by a blank line), the span table
        mapping every character range of it back to a page and a box, and where each body
        block starts in it."""
        parts: list[str] = []
        spans: list[Span] = []
        starts: list[tuple[Block, int]] = []
        offset = 0
        for block in self.blocks():
            if not block.text:
                continue
            if parts:
                joiner = BLOCK_SEPARATOR if block.continues is None else block.continues
                parts.append(joiner)
                offset += len(joiner)
            parts.append(block.text)
            starts.append((block, offset))
            for line in block.pieces_or_whole():
                spans.append(Span(offset + line.start, offset + line.end, block.page, line.box))
            offset += len(block.text)
        return BodyText("".join(parts), spans, starts)


@dataclass
class BodyText:
    text: str
    spans: list[Span]
    block_starts: list[tuple[Block, int]]


class SpanTable:
    """Offset -> (page, box) lookups over a document's spans (sorted by start)."""

    def __init__(self, spans: list[Span]):
        self.spans = sorted(spans, key=lambda s: s.start)
        self._starts = [s.start for s in self.spans]

    def locate(self, offset: int) -> Span | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.spans[i].start <= offset < self.spans[i].end:
            return self.spans[i]
        return None

    def boxes(self, start: int, end: int) -> list[tuple[int, Box]]:
        """Page boxes covering the characters [start, end); partial lines are cut in
        proportion to the characters they hold."""
        out: list[tuple[int, Box]] = []
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while i < len(self.spans) and self.spans[i].start < end:
            span = self.spans[i]
            i += 1
            lo, hi = max(start, span.start), min(end, span.end)
            if lo >= hi or span.box is None:
                continue
            n = span.end - span.start
            out.append((span.page, span.box.horizontal_slice((lo - span.start) / n,
                                                               (hi - span.start) / n)))
        return out

    def line_boxes(self, start: int, end: int) -> list[tuple[int, Box]]:
        """Like `boxes`, with the pieces of one line merged into one box."""
        merged: list[tuple[int, Box]] = []
        for page, box in self.boxes(start, end):
            if merged:
                last_page, last = merged[-1]
                overlap = min(last.y1, box.y1) - max(last.y0, box.y0)
                if (last_page == page and overlap > 0.5 * min(last.height, box.height)
                        and -2.0 <= box.x0 - last.x1 <= max(last.height, box.height) * 2):
                    merged[-1] = (page, last.union(box))
                    continue
            merged.append((page, box))
        return merged

    def pages(self, start: int, end: int) -> list[int]:
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        found: list[int] = []
        while i < len(self.spans) and self.spans[i].start < end:
            span = self.spans[i]
            i += 1
            if span.end > start and span.page not in found:
                found.append(span.page)
        return found
