"""Render a stored source page to RGB pixels, for display.

Page coordinates are the reader's (points for PDFs, pixels for images); the output is
`scale` pixels per page unit, so boxes multiply by `scale` to land on the image.
"""

from __future__ import annotations

import io

from ..core import Rendered


class PageRenderer:
    """Opens one stored document once and renders its pages. Not thread-safe: use one per
    thread."""

    def __init__(self, source: bytes, kind: str):
        self.kind = kind
        self._pdf = None
        self._image = None
        if kind == "pdf":
            import pymupdf  # here, not at the top: the window names these functions without loading PyMuPDF
            self._pdf = pymupdf.open(stream=source, filetype="pdf")
        else:
            from PIL import Image
            self._image = Image.open(io.BytesIO(source))

    def render(self, page: int, page_width: float, scale: float) -> Rendered:
        if self._pdf is not None:
            import pymupdf
            pdf_page = self._pdf[page]
            zoom = scale * page_width / pdf_page.rect.width
            pix = pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                                      colorspace=pymupdf.csRGB)
            return Rendered(pix.width, pix.height, pix.stride, bytes(pix.samples))
        from PIL import Image, ImageOps
        self._image.seek(page)
        frame = ImageOps.exif_transpose(self._image).convert("RGB")
        size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
        frame = frame.resize(size, Image.Resampling.BILINEAR)
        return Rendered(frame.width, frame.height, frame.width * 3, frame.tobytes())

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
        if self._image is not None:
            self._image.close()


# ---- the render child process (gui.render_thread.RenderThread) -----------------------------
# PyMuPDF holds the GIL while it renders (10-60 ms a page), which the window would feel as
# stalls; so the window's pages are rendered in a child process, one open document at a time.

_shared: PageRenderer | None = None


def open_shared(source: bytes, kind: str, *, progress=None, emit=None) -> None:
    global _shared
    if _shared is not None:
        _shared.close()
    _shared = PageRenderer(source, kind)


def render_shared(page: int, page_width: float, scale: float, *, progress=None, emit=None) -> Rendered:
    if _shared is None:
        raise RuntimeError("no document is open")
    return _shared.render(page, page_width, scale)
