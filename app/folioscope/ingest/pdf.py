"""PDF reader: the text layer where it is good, OCR where it is not, decided page by page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf

from ..core import Block, Box, Document, Page, Piece, Progress, Role, Route, UnreadableFile, out_of_memory
from .flow import join_continued, mark_running_lines
from .heading_lines import is_visible, join_wrapped_headings, split_heading_lines
from .headings import document_title, drop_contents_entries, filing_title, is_signature, lift_parts, looks_like_heading
from .options import DEFERRED, IngestOptions
from .repair import repair_page
from .router import PageFeatures, decide, is_garbage_char
from .scan import scan_blocks
from .tables import looks_tabular, replace_with_tables, table_blocks

# Ligatures are expanded ("ﬁ" -> "fi") so that search and embeddings see plain words.
TEXT_FLAGS = ((pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES & ~pymupdf.TEXT_PRESERVE_LIGATURES)
              | pymupdf.TEXT_MEDIABOX_CLIP)
GRID = 48  # resolution of the coverage raster


def open_pdf(path: Path | None = None, data: bytes | None = None) -> pymupdf.Document:
    """Open a PDF or fail with one sentence a user understands."""
    name = path.name if path else "the document"
    try:
        doc = pymupdf.open(path, filetype="pdf") if data is None else pymupdf.open(stream=data, filetype="pdf")
    except pymupdf.EmptyFileError as exc:
        raise UnreadableFile(f"{name} is empty (0 bytes).") from exc
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        raise UnreadableFile(f"{name} is damaged and cannot be read as a PDF.") from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise UnreadableFile(f"{name} is password-protected; Folioscope cannot open encrypted PDFs.")
    if doc.page_count == 0:
        doc.close()
        raise UnreadableFile(f"{name} has no pages.")
    return doc


@dataclass
class _TextBlock:
    block: Block
    size: float  # dominant font size
    chars: int
    lines: int  # rows a reader sees
    bold: bool = False  # most of its characters set in a bold face
    pieces: int = 1  # PyMuPDF's lines: several on one row are cells or tab stops


def read_pdf(path: Path, options: IngestOptions, progress: Progress) -> Document:
    doc = open_pdf(path)
    try:
        pages: list[Page] = []
        sized: list[_TextBlock] = []
        tables = 0
        for index in range(doc.page_count):
            progress.step(path.name, index, doc.page_count, f"page {index + 1}")
            try:
                page = doc.load_page(index)
                result, text_blocks = read_page(page, index, options)
            except PAGE_DAMAGE as exc:  # one damaged page does not lose the rest of the document
                if out_of_memory(exc):
                    raise
                result, text_blocks = damaged_page(doc, index, exc), []
                pages.append(result)
                continue
            if result.route in (Route.TEXT_LAYER, Route.TEXT_AND_OCR) and looks_tabular(result.blocks):
                started = time.perf_counter()
                try:
                    found = table_blocks(page, index, tables + 1, result.blocks)
                except PAGE_DAMAGE:
                    found = []
                result.blocks = replace_with_tables(result.blocks, found)
                result.reason["tables"] = len(found)
                result.timings["tables"] = time.perf_counter() - started
                tables += len(found)
            pages.append(result)
            sized.extend(text_blocks)
        assign_text_roles(sized, pages)
        mark_running_lines(pages)
        join_continued(pages)
        meta = doc.metadata or {}
        title = filing_title(cover_lines(pages[:3])) or document_title(meta.get("title") or "", path.stem,
                               [(tb.block, tb.size) for tb in sized if tb.block.page == 0
                                and any(tb.block is b for b in pages[0].blocks)],  # not a table's cell
                               body_size(sized))
        outline = [[lvl, text, pno - 1] for lvl, text, pno in doc.get_toc(simple=True)]
        return Document(title=title, kind="pdf", pages=pages,
                        metadata={"outline": outline, "page_count": doc.page_count,
                                  "author": meta.get("author") or ""})
    finally:
        doc.close()


# what MuPDF raises on a page whose content it cannot parse or draw
PAGE_DAMAGE = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)


def cover_lines(pages: list[Page]) -> list[str]:
    """The first pages' text, line by line, in reading order."""
    return [line for page in pages for block in page.blocks for line in block.text.splitlines() if line.strip()]


def damaged_page(doc: pymupdf.Document, index: int, error: Exception) -> Page:
    """An empty page that says why: MuPDF could not read or draw it."""
    try:
        rect = doc.load_page(index).rect
        width, height = rect.width, rect.height
    except PAGE_DAMAGE:
        width = height = 0.0
    return Page(index=index, width=width, height=height, route=Route.EMPTY,
                reason={"why": "the page is damaged and could not be read",
                        "error": f"{type(error).__name__}: {str(error)[:200]}"})


def read_page(page: pymupdf.Page, index: int, options: IngestOptions) -> tuple[Page, list[_TextBlock]]:
    t0 = time.perf_counter()
    text_blocks, features = extract_text_layer(page, index)
    route, reason = decide(features, ocr_images=options.ocr_images)
    if route is Route.TEXT_AND_OCR and options.defer_image_ocr:  # its text layer now, its images later
        route = Route.TEXT_LAYER
        reason[DEFERRED] = True
        reason["why"] += "; its text layer first, the images are read next"
    timings = {"text_layer": time.perf_counter() - t0}
    rect = page.rect
    result = Page(index=index, width=rect.width, height=rect.height, route=route, reason=reason,
                  timings=timings)
    if route in (Route.TEXT_LAYER, Route.TEXT_AND_OCR):
        result.blocks = [tb.block for tb in text_blocks]
    if route is Route.OCR:
        t1 = time.perf_counter()
        image, scale = rasterize(page, options.dpi)
        scan = scan_blocks(options.engine(), image, index, scale)
        result.blocks, result.rotation = scan.blocks, scan.rotation
        reason["ocr_confidence"] = round(scan.confidence, 3)
        reason["ocr_lines"] = scan.n_lines
        reason["order"] = scan.layout["order"]
        timings["ocr"] = time.perf_counter() - t1
        timings.update({f"ocr {stage}": seconds for stage, seconds in scan.timings.items()})
        repair_page(result, options)
        text_blocks = []
    elif route is Route.TEXT_AND_OCR:
        t1 = time.perf_counter()
        result.blocks = place_by_position(result.blocks, ocr_untexted_images(page, index, options, reason))
        timings["ocr"] = time.perf_counter() - t1
    return result, text_blocks


def rasterize(page: pymupdf.Page, dpi: int, clip: pymupdf.Rect | None = None) -> tuple[np.ndarray, float]:
    """The page as displayed (rotation applied), RGB pixels, and pixels per point."""
    pix = page.get_pixmap(dpi=dpi, clip=clip, alpha=False, colorspace=pymupdf.csRGB)
    image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    return image[:, :, :3].copy(), dpi / 72.0


def extract_text_layer(page: pymupdf.Page, index: int) -> tuple[list[_TextBlock], PageFeatures]:
    """Blocks of the visible text layer, with a box per word (as displayed), and the
    page's routing features."""
    data = page.get_text("rawdict", flags=TEXT_FLAGS)
    matrix = page.rotation_matrix
    visible = invisible = garbage = 0
    blocks: list[_TextBlock] = []
    text_rects: list[tuple[tuple, int]] = []  # unrotated line boxes, for image/text overlap
    for raw in join_wrapped_headings(split_heading_lines(data["blocks"])):
        builder = _BlockText(matrix if page.rotation else None)
        size_chars: dict[float, int] = {}
        bold_chars = 0
        for raw_line in raw.get("lines", ()):
            chars: list[tuple[str, tuple]] = []
            for span in raw_line["spans"]:
                span_chars = [(_valid(ch["c"]), ch["bbox"]) for ch in span["chars"]]
                n = sum(1 for c, _ in span_chars if not c.isspace())
                if not is_visible(span):
                    invisible += n
                    continue
                chars.extend(span_chars)
                size = round(span["size"], 1)
                size_chars[size] = size_chars.get(size, 0) + n
                if span["flags"] & pymupdf.TEXT_FONT_BOLD or "bold" in span["font"].lower():
                    bold_chars += n
            n = builder.add_line(chars)
            if n:
                visible += n
                line_text = builder.last_line_text
                garbage += sum(1 for ch in line_text if is_garbage_char(ch)) + 5 * line_text.count("(cid:")
                text_rects.append((raw_line["bbox"], n))
        if not builder.pieces:
            continue
        text = builder.text()
        box = builder.pieces[0].box
        for piece in builder.pieces[1:]:
            box = box.union(piece.box)
        size = max(size_chars, key=size_chars.get)
        blocks.append(_TextBlock(Block(text=text, page=index, box=box, source="text",
                                       pieces=builder.pieces), size, len(text), builder.lines,
                                 bold_chars > 0.6 * sum(size_chars.values()), builder.raw_lines))
    coverage, untexted = _image_coverage(page, text_rects)
    drawings = 0
    if visible == 0 and invisible == 0 and coverage == 0:
        drawings = len(page.get_drawings())
    features = PageFeatures(visible_chars=visible, invisible_chars=invisible, garbage_chars=garbage,
                            image_coverage=coverage, untexted_image_coverage=untexted,
                            drawings=drawings)
    return blocks, features


def _valid(ch: str) -> str:
    """A lone surrogate (a broken font mapping) becomes U+FFFD, which counts as unreadable."""
    return "\ufffd" if "\ud800" <= ch <= "\udfff" else ch


class _BlockText:
    """Builds a block's text line by line: one space between lines (a hyphen at a line end
    before a lower-case letter joins the word), one space for any run of spaces, and a piece
    with its box for every word. `lines` counts the rows a reader sees: PyMuPDF's lines that
    share a row ("ITEM 5." and its title set at a tab stop) are one."""

    def __init__(self, matrix: pymupdf.Matrix | None):
        self.matrix = matrix
        self.parts: list[str] = []
        self.pieces: list[Piece] = []
        self.length = 0
        self.lines = 0
        self.raw_lines = 0
        self.last_line_text = ""
        self._row: tuple[float, float] | None = None  # the vertical extent of the last row

    def text(self) -> str:
        return "".join(self.parts)

    def _shown(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        """A box as the page is displayed (its rotation applied)."""
        if self.matrix is None:
            return Box(x0, y0, x1, y1)
        return _box(pymupdf.Rect(x0, y0, x1, y1) * self.matrix)

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def add_line(self, chars: list[tuple[str, tuple]]) -> int:
        words: list[tuple[str, Box]] = []
        current: list[str] = []
        x0 = y0 = x1 = y1 = 0.0
        for c, bbox in chars + [(" ", None)]:
            if c.isspace():
                if current:
                    words.append(("".join(current), self._shown(x0, y0, x1, y1)))
                current = []
                continue
            if not current:
                x0, y0, x1, y1 = bbox
            else:
                x0, y0 = min(x0, bbox[0]), min(y0, bbox[1])
                x1, y1 = max(x1, bbox[2]), max(y1, bbox[3])
            current.append(c)
        if not words:
            return 0
        self.last_line_text = " ".join(w for w, _ in words)
        self.raw_lines += 1
        top, bottom = min(b.y0 for _, b in words), max(b.y1 for _, b in words)
        if self._row is None or not self._row[0] <= (top + bottom) / 2 <= self._row[1]:
            self.lines += 1
            self._row = (top, bottom)
        if self.pieces:
            previous = self.pieces[-1]
            if self.parts[-1].endswith("-") and words[0][0][:1].islower():
                self.parts[-1] = self.parts[-1][:-1]  # join the hyphenated word
                self.length -= 1
                self.pieces[-1] = Piece(previous.start, previous.end - 1, previous.box)
            else:
                self._append(" ")
        for i, (word, rect) in enumerate(words):
            if i:
                self._append(" ")
            self.pieces.append(Piece(self.length, self.length + len(word), rect))
            self._append(word)
        return sum(len(w) for w, _ in words)


def _box(rect: pymupdf.Rect) -> Box:
    return Box(rect.x0, rect.y0, rect.x1, rect.y1)


def _image_rects(page: pymupdf.Page) -> list[pymupdf.Rect]:
    if not page.get_images():
        return []
    rects = []
    for info in page.get_image_info():
        rect = pymupdf.Rect(info["bbox"]) & page.cropbox
        if not rect.is_empty:
            rects.append(rect)
    return rects


def _image_coverage(page: pymupdf.Page, text_rects) -> tuple[float, float]:
    """Share of the page covered by images, and by images carrying no visible text."""
    rects = _image_rects(page)
    if not rects:
        return 0.0, 0.0
    area = page.cropbox
    covered = np.zeros((GRID, GRID), dtype=bool)
    untexted = np.zeros((GRID, GRID), dtype=bool)
    for rect in rects:
        cols = slice(int((rect.x0 - area.x0) / area.width * GRID),
                     int(np.ceil((rect.x1 - area.x0) / area.width * GRID)))
        rows = slice(int((rect.y0 - area.y0) / area.height * GRID),
                     int(np.ceil((rect.y1 - area.y0) / area.height * GRID)))
        covered[rows, cols] = True
        chars_on = sum(n for (tx0, ty0, tx1, ty1), n in text_rects
                       if rect.x0 <= (tx0 + tx1) / 2 <= rect.x1 and rect.y0 <= (ty0 + ty1) / 2 <= rect.y1)
        if chars_on < 20:
            untexted[rows, cols] = True
    return float(covered.mean()), float(untexted.mean())


def ocr_untexted_images(page: pymupdf.Page, index: int, options: IngestOptions,
                        reason: dict) -> list[Block]:
    """OCR the images of a text page that have no text layer over them."""
    image, scale = rasterize(page, options.dpi)
    matrix = page.rotation_matrix
    blocks: list[Block] = []
    confidences = []
    for rect in _image_rects(page):
        shown = rect * matrix
        if shown.get_area() < page.rect.get_area() * 0.02:
            continue
        x0, y0 = int(shown.x0 * scale), int(shown.y0 * scale)
        crop = image[y0:int(shown.y1 * scale), x0:int(shown.x1 * scale)]
        if crop.size == 0:
            continue
        scan = scan_blocks(options.engine(), crop, index, scale)
        for block in scan.blocks:
            block.box = _shift(block.box, shown.x0, shown.y0)
            block.pieces = [Piece(pc.start, pc.end, _shift(pc.box, shown.x0, shown.y0), pc.confidence)
                            for pc in block.pieces]
            blocks.append(block)
        if scan.n_lines:
            confidences.append(scan.confidence)
    reason["ocr_blocks"] = len(blocks)
    if confidences:
        reason["ocr_confidence"] = round(float(np.mean(confidences)), 3)
    return blocks


def place_by_position(text_blocks: list[Block], extra: list[Block]) -> list[Block]:
    """Insert `extra` blocks into the text-layer order before the first block below them."""
    merged = list(text_blocks)
    for block in extra:
        at = next((i for i, b in enumerate(merged)
                   if b.box is not None and block.box is not None and b.box.y0 > block.box.y0),
                  len(merged))
        merged.insert(at, block)
    return merged


def _shift(box: Box | None, dx: float, dy: float) -> Box | None:
    return None if box is None else Box(box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy)


HEADING_RATIO = 1.15
MAX_SIZE_LEVELS = 6  # heading sizes beyond the sixth largest share its level
PAGE_BODY_CHARS = 600  # a page's own body size needs this much text set in it
MARGIN = 0.06  # top and bottom share of the page where running headers and footers sit


def body_size(blocks: list[_TextBlock]) -> float:
    """The font size most of the text is set in (0 without text)."""
    by_size: dict[float, int] = {}
    for tb in blocks:
        by_size[tb.size] = by_size.get(tb.size, 0) + tb.chars
    return max(by_size, key=by_size.get) if by_size else 0.0


def page_body_sizes(blocks: list[_TextBlock]) -> dict[int, float]:
    """The pages whose own running text is set larger than the document's body (an exhibit,
    a letter or an appendix bound in), with that size: there, text of that size is body text,
    not a heading. A page counts when at least PAGE_BODY_CHARS of its text share one size."""
    by_page: dict[int, dict[float, int]] = {}
    for tb in blocks:
        sizes = by_page.setdefault(tb.block.page, {})
        sizes[tb.size] = sizes.get(tb.size, 0) + tb.chars
    body = body_size(blocks)
    out = {}
    for page, sizes in by_page.items():
        size = max(sizes, key=sizes.get)
        if size > body and sizes[size] >= PAGE_BODY_CHARS:
            out[page] = size
    return out


def assign_text_roles(blocks: list[_TextBlock], pages: list[Page]) -> None:
    """Headings from font size relative to the body text, and body-size lines numbered and set
    like headings (`headings.looks_like_heading`) below those; headers and footers from
    position; contents-page entries are not headings."""
    if not blocks:
        return
    body = body_size(blocks)
    local = page_body_sizes(blocks)
    heading_sizes = sorted({tb.size for tb in blocks if tb.size >= body * HEADING_RATIO}, reverse=True)
    level_of = {size: min(i + 1, MAX_SIZE_LEVELS) for i, size in enumerate(heading_sizes)}
    numbered_from = min(len(heading_sizes), MAX_SIZE_LEVELS) + 1  # numbered levels sit below every size level
    for tb in blocks:
        block = tb.block
        page = pages[block.page]
        level = None
        if is_signature(block.text):
            pass  # signature lines of an exhibit are set like headings, but head nothing
        elif tb.size in level_of and tb.size >= local.get(block.page, body) * HEADING_RATIO and len(block.text) < 200 \
                and tb.lines <= 3 and sum(c.isalpha() for c in block.text) >= 2:  # not a page number
            level = level_of[tb.size]
        elif tb.size >= body * 0.9 and (rank := looks_like_heading(block.text, tb.bold, tb.lines, tb.pieces)) is not None:
            level = numbered_from + rank
        if block.box is not None and len(block.text) < 120:
            # a heading set at the very top of a page with a narrow margin stays a heading; a
            # running head repeated on other pages is set apart later (flow.mark_running_lines)
            if block.box.y1 < page.height * MARGIN and level is None:
                block.role = Role.HEADER
                continue
            if block.box.y0 > page.height * (1 - MARGIN):
                block.role = Role.FOOTER
                continue
        if level is not None:
            block.role, block.level = Role.HEADING, level
    drop_contents_entries([tb.block for tb in blocks])
    lift_parts([tb.block for tb in blocks])
