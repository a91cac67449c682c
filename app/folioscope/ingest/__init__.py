"""Reading files into `Document`s: one reader per file type, a per-page route for PDFs.

    from folioscope.ingest import read_document
    doc = read_document(Path("paper.pdf"))
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..core import Document, Progress, UnreadableFile
from .options import IngestOptions, deferred_image_ocr
from .registry import READERS, Reader, check_content, dialog_filter, reader_for, register, supported_extensions


def _lazy(module: str, function: str):
    """A reader that imports its module on first use (PyMuPDF, python-docx, OCR are heavy)."""
    def read(path, options, progress):
        from importlib import import_module
        return getattr(import_module(module, __package__), function)(path, options, progress)
    return read


register(Reader("pdf", "PDF", (".pdf",), _lazy(".pdf", "read_pdf")))
register(Reader("image", "Images", (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"), _lazy(".image", "read_image")))
register(Reader("docx", "Word", (".docx",), _lazy(".docx", "read_docx")))
register(Reader("markdown", "Markdown", (".md", ".markdown"), _lazy(".text", "read_markdown")))
register(Reader("text", "Text", (".txt", ".text"), _lazy(".text", "read_text")))
register(Reader("transcript", "Transcripts", (".srt", ".vtt"), _lazy(".transcript", "read_transcript")))


def check_readable(path: Path) -> Reader:
    """The reader for `path`, after the checks that need no parsing (exists, permissions,
    size, content matching the extension)."""
    return _checked(path, whole=False)[0]


def open_file(path: Path) -> tuple[Reader, bytes]:
    """The reader for `path` and the file's bytes, read once, after the same checks as
    `check_readable` (an ingest hashes and keeps these bytes; the reader parses the file)."""
    return _checked(path, whole=True)


def _checked(path: Path, whole: bool) -> tuple[Reader, bytes]:
    reader = reader_for(path)
    try:
        size = path.stat().st_size
        if not os.access(path, os.R_OK):
            raise PermissionError
        with path.open("rb") as fh:
            data = fh.read() if whole else fh.read(2048)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{path.name} does not exist.") from exc
    except PermissionError as exc:
        raise UnreadableFile(f"{path.name} cannot be opened: permission denied.") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(f"{path.name} is a folder, not a file.") from exc
    if size == 0:
        raise UnreadableFile(f"{path.name} is empty (0 bytes).")
    check_content(path, reader, data[:2048])
    return reader, data


def read_document(path: Path, options: IngestOptions | None = None,
                  progress: Progress | None = None, reader: Reader | None = None) -> Document:
    """The file read into a `Document`; `reader`: the one `open_file` or `check_readable`
    already found (the file is not checked again)."""
    path = Path(path)
    reader = reader or check_readable(path)
    return reader.read(path, options or IngestOptions(), progress or Progress())


def read_in_stages(path: Path, options: IngestOptions | None, progress: Progress | None, reader: Reader | None,
                   on_text: Callable[[Document], object]) -> Document:
    """`path` read, `on_text(document)` told as soon as its text can be stored: a PDF's text
    layer first (images on its text pages left unread, `defer_image_ocr`), then, when images
    were left, the file read again whole (returned); other files are read once."""
    from dataclasses import replace
    options = options or IngestOptions()
    first = read_document(path, replace(options, defer_image_ocr=True), progress, reader)
    on_text(first)
    if not deferred_image_ocr(first):
        return first
    return read_document(path, options, progress, reader)


def page_sizes(path: Path) -> list[tuple[float, float]] | None:
    """Each page's size in the reader's units (PDF points, image pixels), from the file's page
    tree or image headers alone, no page parsed: what the window needs to lay the pages out
    and show the first while the file is read. None for files without pages."""
    kind = reader_for(path).name
    if kind == "pdf":
        import pymupdf
        with pymupdf.open(path) as pdf:
            return [(page.rect.width, page.rect.height) for page in pdf]
    if kind == "image":
        from PIL import Image, ImageOps
        with Image.open(path) as image:
            sizes = []
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                sizes.append(ImageOps.exif_transpose(image).size if frame == 0 else image.size)
            return [(float(w), float(h)) for w, h in sizes]
    return None


def reading_cost(path: Path) -> tuple[bool, int]:
    """A cheap guess at how long a file takes to read, no page read: whether its text will
    come from OCR (an image, or a PDF whose first pages have no text layer), then its pages.
    A batch reads the cheapest first, so most files are searchable soonest."""
    try:
        kind = reader_for(path).name
        if kind == "image":
            return True, 1
        if kind == "pdf":
            import pymupdf
            with pymupdf.open(path) as pdf:
                return (not any(pdf[i].get_text("text").strip() for i in range(min(3, pdf.page_count))),
                        pdf.page_count)
    except Exception:  # noqa: BLE001 - a file that cannot be opened gets its one sentence from the reader
        pass
    return False, 1


__all__ = ["IngestOptions", "READERS", "Reader", "check_readable", "deferred_image_ocr", "dialog_filter", "reading_cost", "open_file",
           "page_sizes", "read_document", "read_in_stages", "supported_extensions"]
