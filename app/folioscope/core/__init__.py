"""Domain types. Depends on nothing else in the project and on no GUI or model library."""

from .document import (BLOCK_SEPARATOR, Block, BodyText, Box, Document, Piece, Page, Rendered, Role, Route,
                       Span, SpanTable)
from .errors import Cancelled, FolioscopeError, UnreadableFile
from .progress import Progress, ProgressEvent
from .segments import Answer, Boundary, Chapter, Chunk, Evidence, Sentence

__all__ = [
    "Answer", "BLOCK_SEPARATOR", "Block", "BodyText", "Boundary", "Box", "Cancelled", "Chapter", "Chunk",
    "Document", "Evidence", "FolioscopeError", "Piece", "Page", "Progress",
    "ProgressEvent", "Rendered", "Role", "Route", "Sentence", "Span", "SpanTable", "UnreadableFile",
]
