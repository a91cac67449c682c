"""Domain types. Depends on nothing else in the project and on no GUI or model library."""

from .chunking import DEFAULT_BUDGET, DEFAULT_MINIMUM, DEFAULT_STRATEGY, Chunking, ChunkOptions, Edit, TableSpan
from .document import (
                       BLOCK_SEPARATOR,
                       Block,
                       BodyText,
                       Box,
                       Document,
                       Page,
                       Piece,
                       Rendered,
                       Role,
                       Route,
                       Span,
                       SpanTable,
)
from .errors import Cancelled, FolioscopeError, UnreadableFile, out_of_memory
from .progress import Progress, ProgressEvent
from .protocols import ChatModel, Encoder, StreamingModel
from .segments import Answer, Boundary, Chapter, Chunk, Evidence, Sentence

__all__ = [
    "Answer", "BLOCK_SEPARATOR", "Block", "BodyText", "Boundary", "Box", "Cancelled", "Chapter", "ChatModel",
    "Chunk", "ChunkOptions", "Chunking", "DEFAULT_BUDGET", "DEFAULT_MINIMUM", "DEFAULT_STRATEGY", "Document",
    "Edit", "Encoder", "Evidence", "FolioscopeError", "Piece", "Page", "Progress", "ProgressEvent", "Rendered",
    "Role", "Route", "Sentence", "Span", "SpanTable", "StreamingModel", "TableSpan", "UnreadableFile", "out_of_memory",
]
