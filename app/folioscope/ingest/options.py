"""What ingest may do; the settings object and the CLI fill it in."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import Document
from .ocr import OcrEngine, get_engine


@dataclass(frozen=True)
class IngestOptions:
    ocr_engine: str = "rapidocr"
    dpi: int = 200  # rendering resolution for OCR
    ocr_images: bool = True  # also OCR large images on pages that have a text layer
    # those images' OCR left for a second read (the page keeps its text layer and says so):
    # a staged ingest stores the text layer at once, then reads the images
    defer_image_ocr: bool = False
    repair: bool = False  # LLM repair of low-confidence OCR lines (off: it raised CER, see README)
    repair_threshold: float = 0.85  # OCR line confidence under which repair is tried
    repair_model: str | None = None  # a GGUF path; None: the bundled model
    max_image_pixels: int = 64_000_000  # larger images are refused, not decoded
    # titles of chapters cut from chunks: "embedding" (keyphrase nearest the chapter's
    # embedding: best on eval chapters), "llm" (the local model) or "keyphrases" (TF-IDF)
    chapter_titles: str = "embedding"
    # a chapter the role model is sure of is titled by its role ("Introduction", ...)
    role_titles: bool = True

    def engine(self) -> OcrEngine:
        return get_engine(self.ocr_engine)


DEFERRED = "images_deferred"  # a page's reason: its untexted images are still to be OCR'd


def deferred_image_ocr(document: Document) -> bool:
    """Whether a document read with `defer_image_ocr` has images left to OCR."""
    return any(page.reason.get(DEFERRED) for page in document.pages)

