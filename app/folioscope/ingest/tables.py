"""Tables of born-digital PDF pages: found by PyMuPDF (`find_tables`), read row by row.

`find_tables` costs about a second a page, so it runs only on pages whose text layer looks
tabular: several lines split into three or more cells by wide gaps. Each table becomes one
block per row, its cells separated by " | ": the first row (or a header PyMuPDF finds
above the table) is a `table_header` block, the others `table_row` blocks, and every block
of the table carries the table's number in `level`. The text-layer blocks the table covers
are replaced by its rows. Chunking never cuts inside a row, and a chunk that starts inside a
table carries its header (segment.chunker).
"""

from __future__ import annotations

from ..core import Block, Box, Piece, Role

CELL_GAP = 2.5  # a gap wider than this many character widths separates two cells
MIN_CELLS = 3
MIN_TABULAR_LINES = 3
SEPARATOR = " | "


def looks_tabular(blocks: list[Block]) -> bool:
    """Whether at least MIN_TABULAR_LINES text lines are split into MIN_CELLS or more cells by
    wide gaps (words are the pieces of text-layer blocks)."""
    lines: list[list[Box]] = []
    for block in blocks:
        for piece in block.pieces:
            box = piece.box
            if box is None:
                continue
            for line in lines[-6:]:
                last = line[-1]
                if min(last.y1, box.y1) - max(last.y0, box.y0) > 0.5 * min(last.height, box.height):
                    line.append(box)
                    break
            else:
                lines.append([box])
    tabular = 0
    for line in lines:
        line.sort(key=lambda b: b.x0)
        char = sum(b.height for b in line) / len(line) * 0.5  # about a character's width
        cells = 1 + sum(1 for a, b in zip(line, line[1:]) if b.x0 - a.x1 > CELL_GAP * char)
        tabular += cells >= MIN_CELLS
    return tabular >= MIN_TABULAR_LINES


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _inside(block: Block, box: Box) -> bool:
    if block.box is None:
        return False
    cx, cy = (block.box.x0 + block.box.x1) / 2, (block.box.y0 + block.box.y1) / 2
    return box.x0 - 1 <= cx <= box.x1 + 1 and box.y0 - 1 <= cy <= box.y1 + 1


def _words(blocks: list[Block]) -> list[tuple[str, Box]]:
    return [(b.text[p.start:p.end], p.box) for b in blocks for p in b.pieces if p.box is not None]


def _cell_text(words: list[tuple[str, Box]], cell) -> str:
    """The page's own words whose centre lies in the cell, line by line, left to right (the
    text layer as Folioscope reads it: PyMuPDF's table text loses spaces in some fonts)."""
    if cell is None:
        return ""
    x0, y0, x1, y1 = cell
    inside = [(w, b) for w, b in words if x0 <= (b.x0 + b.x1) / 2 <= x1 and y0 <= (b.y0 + b.y1) / 2 <= y1]
    inside.sort(key=lambda wb: (round((wb[1].y0 + wb[1].y1) / 2 / max(wb[1].height, 1)), wb[1].x0))
    return " ".join(w for w, _ in inside)


def table_blocks(page, index: int, first_number: int, blocks: list[Block]) -> list[tuple[Box, list[Block]]]:
    """(table box, row blocks) for every table PyMuPDF finds on the page; `blocks` are the
    page's text-layer blocks, whose words fill the cells."""
    import contextlib
    import io
    out = []
    number = first_number
    words = _words(blocks)
    with contextlib.redirect_stdout(io.StringIO()):  # PyMuPDF advertises a package on stdout
        found = page.find_tables().tables
    for table in found:
        rows = [[_cell_text(words, c) for c in r.cells] for r in table.rows]
        boxes = [r.bbox for r in table.rows]
        keep = [(cells, box) for cells, box in zip(rows, boxes) if any(cells)]
        if len(keep) < 2 or table.col_count < 2:
            continue
        blocks = []
        header = table.header
        if header is not None and header.external and any(_clean(n) for n in header.names):
            names = [_clean(n) for n in header.names]
            keep.insert(0, (names, header.bbox))
        for k, (cells, box) in enumerate(keep):
            text = SEPARATOR.join(c for c in cells if c)
            row_box = Box(*box) if box else None
            blocks.append(Block(text=text, page=index, box=row_box,
                                role=Role.TABLE_HEADER if k == 0 else Role.TABLE_ROW, source="text:table",
                                level=number, pieces=[Piece(0, len(text), row_box)]))
        out.append((Box(*table.bbox), blocks))
        number += 1
    return out


def replace_with_tables(blocks: list[Block], tables: list[tuple[Box, list[Block]]]) -> list[Block]:
    """The page's blocks with those inside a table replaced by the table's rows (placed
    where the first covered block was)."""
    out = list(blocks)
    for box, rows in tables:
        covered = [i for i, b in enumerate(out) if _inside(b, box)]
        at = covered[0] if covered else next((i for i, b in enumerate(out) if b.box and b.box.y0 > box.y0), len(out))
        out = [b for i, b in enumerate(out) if i not in set(covered)]
        at -= sum(1 for i in covered if i < at)
        out[at:at] = rows
    return out
