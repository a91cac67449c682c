"""Heading rows PyMuPDF groups wrongly, put right before the page's blocks are read.

PyMuPDF groups a page's lines into blocks by position alone. A heading set tight above its
paragraph lands in the paragraph's block; a heading too long for one row can lose its second
row to a block of its own; two headings stacked without space ("PART I. FINANCIAL
INFORMATION" over "ITEM 1. FINANCIAL STATEMENTS") can share one block. Each would read as
the wrong heading, or as none. These functions work on `page.get_text("rawdict")` blocks.
"""

from __future__ import annotations

import pymupdf

from .headings import in_capitals, numbered_rank

DRAWN = 16 | 32  # MuPDF char flags: filled or stroked (render mode 3 has neither)
MAX_HEADING_LINES = 3
WRAP_GAP = 0.35  # a heading's next row starts at most this many font sizes below the row before


def is_visible(span: dict) -> bool:
    if span.get("alpha", 255) == 0:
        return False
    flags = span.get("char_flags")
    return flags is None or bool(flags & DRAWN)


def line_style(line: dict) -> tuple[float, bool, int]:
    """(largest size, set in bold, visible characters) of a rawdict line."""
    size, bold, n = 0.0, 0, 0
    for span in line["spans"]:
        k = sum(1 for ch in span["chars"] if not ch["c"].isspace())
        if k and is_visible(span):
            size = max(size, round(span["size"], 1))
            bold += k if span["flags"] & pymupdf.TEXT_FONT_BOLD or "bold" in span["font"].lower() else 0
            n += k
    return size, n > 0 and bold > 0.9 * n, n


def _first_char(line: dict) -> str:
    return next((ch["c"] for span in line["spans"] for ch in span["chars"] if not ch["c"].isspace()), "")


def _text(lines: list[dict]) -> str:
    return " ".join("".join(ch["c"] for span in line["spans"] for ch in span["chars"]).strip() for line in lines)


def _shown(raw: dict) -> list[dict]:
    return [line for line in raw.get("lines", ()) if line_style(line)[2]]


def _with_lines(raw: dict, lines: list[dict]) -> dict:
    x0 = min(line["bbox"][0] for line in lines)
    y0 = min(line["bbox"][1] for line in lines)
    x1 = max(line["bbox"][2] for line in lines)
    y1 = max(line["bbox"][3] for line in lines)
    return {**raw, "lines": lines, "bbox": (x0, y0, x1, y1)}


def split_heading_lines(raw_blocks: list[dict]) -> list[dict]:
    """Blocks whose first lines are set apart from the rest (larger, or wholly bold above
    plain text) split there, unless the next line goes on with the same sentence (a caption,
    a run-in heading): a heading PyMuPDF grouped with the paragraph under it becomes a block
    of its own, at most MAX_HEADING_LINES lines. A block of stacked numbered headings, a Part
    over its first Item or Chapter, splits into one block per heading."""
    out = []
    for raw in raw_blocks:
        lines = _shown(raw)
        styles = [line_style(line) for line in lines]
        cut = 0
        if len(lines) >= 2:
            body_size, body_bold, _ = styles[-1]
            for i, (size, bold, _) in enumerate(styles[:MAX_HEADING_LINES]):
                if size >= body_size * 1.1 or (bold and not body_bold and size >= body_size * 0.95):
                    cut = i + 1
                else:
                    break
            rest = styles[cut:]
            if cut and (not rest or any(s >= body_size * 1.1 or (b and not body_bold) for s, b, _ in rest)
                        or _first_char(lines[cut]).islower()):
                cut = 0  # the rest is not one plain paragraph, or it goes on with the same sentence
        if cut:
            out.append(_with_lines(raw, lines[:cut]))
            out.append(_with_lines(raw, lines[cut:]))
        else:
            out.extend(_split_stacked(raw, lines))
    return out


def _split_stacked(raw: dict, lines: list[dict]) -> list[dict]:
    """A block of a few lines that starts with a Part heading and has a line numbered as an
    Item, Chapter or Part further down, cut before that line."""
    if not 2 <= len(lines) <= MAX_HEADING_LINES + 1 or numbered_rank(_text(lines[:1])) != 0:
        return [raw]
    for i in range(1, len(lines)):
        rank = numbered_rank(_text(lines[i:i + 1]))
        if rank is not None and rank <= 1:
            return [_with_lines(raw, lines[:i]), _with_lines(raw, lines[i:])]
    return [raw]


def join_wrapped_headings(raw_blocks: list[dict]) -> list[dict]:
    """A numbered heading's block followed by a block that is its wrapped second row joins
    it: at most two rows each, every row in the same size and weight, the next block not
    numbered itself, starting right under the heading's last row and within its width."""
    out: list[dict] = []
    for raw in raw_blocks:
        lines = _shown(raw)
        above = _shown(out[-1]) if out else []
        if lines and _wraps(above, lines):
            out[-1] = _with_lines(out[-1], above + lines)
        else:
            out.append(raw)
    return out


def _wraps(above: list[dict], below: list[dict]) -> bool:
    if not above or len(above) > 2 or len(below) > 2 or numbered_rank(_text(above)) is None \
            or numbered_rank(_text(below)) is not None:
        return False
    styles = {line_style(line)[:2] for line in above + below}
    if len(styles) != 1:
        return False
    [(size, bold)] = styles
    if not (bold or in_capitals(_text(above + below))):
        return False
    last, first = above[-1]["bbox"], below[0]["bbox"]
    gap = first[1] - last[3]
    left = min(line["bbox"][0] for line in above)
    right = max(line["bbox"][2] for line in above)
    return -0.5 * size <= gap <= WRAP_GAP * size and first[0] >= left - size and first[2] <= right + size
