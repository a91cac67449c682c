"""Reading order for OCR output: columns where the page has prose columns, rows where its
lines line up in rows (key and value pairs, receipts, forms, tables).

OCR engines return lines roughly top to bottom, which interleaves the columns of a
two-column page; grouping lines into column blocks and ordering the blocks (XY-cut) fixes
that, and puts every label of a receipt before every amount. So the order is decided per
region, from geometry:

1. Recursive XY-cut over the lines: a region is cut along its widest empty horizontal band
   first; it is cut into columns along an empty vertical band that runs its height, when the
   lines on both sides are prose (long lines that fill their column) or when the columns do
   not line up in rows (the columns of a form). Columns whose lines line up in rows (a
   table, labels beside their values, a receipt's items beside their prices) stay one
   region, and so does a lone value or label at a table's edge beside the row it belongs
   to. Where the evidence for columns is weak, the region is read in rows, top down.
2. A leaf region whose lines share baseline bands with other lines beside them (at least a
   third of its lines) is read in rows: each band top to bottom, its lines left to right, a
   row per block. Any other leaf is prose: lines that follow one another form a block.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

BoxT = tuple[float, float, float, float]

MIN_GAP = 4.0  # pixels: narrower empty bands do not separate regions
ROW_SHARE = 1 / 3  # of a region's lines in rows of two or more: a row region
PROSE_FILL = 0.55  # median line width over column width for a column of prose
PROSE_ASPECT = 8.0  # median line width over line height for a column of prose: long lines
PROSE_MIN_LINES = 3
ENTRY_MIN_ITEMS = 3  # labelled items in a column for it to be a form's labels
ENTRY_LEVEL_SHARE = 0.6  # of the lines beside them level with an item, for the lines to be its entries
PITCH_TOLERANCE = 0.15  # of a row step: columns whose rows are off each other's grid are read apart


@dataclass
class LineGroup:
    indices: list[int] = field(default_factory=list)
    box: BoxT = (0.0, 0.0, 0.0, 0.0)
    kind: str = "prose"  # "prose" (lines of a paragraph) or "row" (cells of one row)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _union(boxes: Sequence[BoxT], indices: Sequence[int]) -> BoxT:
    return (min(boxes[i][0] for i in indices), min(boxes[i][1] for i in indices),
            max(boxes[i][2] for i in indices), max(boxes[i][3] for i in indices))


def group_lines(boxes: Sequence[BoxT], indices: Sequence[int] | None = None, gap_factor: float = 0.8) -> list[LineGroup]:
    """Lines that follow one another vertically (gap under `gap_factor` x line height)
    and overlap horizontally by half the narrower one's width form one group."""
    chosen = list(range(len(boxes))) if indices is None else list(indices)
    order = sorted(chosen, key=lambda i: (boxes[i][1], boxes[i][0]))
    groups: list[LineGroup] = []
    for i in order:
        x0, y0, x1, y1 = boxes[i]
        height = y1 - y0
        best = None
        for g in groups:
            last = boxes[g.indices[-1]]
            gap = y0 - last[3]
            width = min(x1 - x0, last[2] - last[0])
            if -0.5 * height <= gap <= gap_factor * height and width > 0 and \
                    _overlap(x0, x1, last[0], last[2]) >= 0.5 * width and \
                    abs(height - (last[3] - last[1])) <= 0.6 * max(height, last[3] - last[1]):
                best = g
                break
        if best is None:
            groups.append(LineGroup([i], boxes[i]))
        else:
            best.indices.append(i)
            best.box = _union(boxes, best.indices)
    return groups


def row_bands(boxes: Sequence[BoxT], indices: Sequence[int]) -> list[list[int]]:
    """Lines sharing a baseline band (their vertical extents overlap by half the smaller
    height), each band sorted left to right, bands top to bottom."""
    bands: list[list[int]] = []
    for i in sorted(indices, key=lambda i: (boxes[i][1] + boxes[i][3]) / 2):
        y0, y1 = boxes[i][1], boxes[i][3]
        for band in reversed(bands[-3:]):
            b0 = statistics.median(boxes[j][1] for j in band)
            b1 = statistics.median(boxes[j][3] for j in band)
            if _overlap(y0, y1, b0, b1) >= 0.5 * min(y1 - y0, b1 - b0):
                band.append(i)
                break
        else:
            bands.append([i])
    return [sorted(b, key=lambda i: boxes[i][0]) for b in bands]


def is_row_region(boxes: Sequence[BoxT], indices: Sequence[int]) -> bool:
    """Whether enough of the region's lines sit beside another line on the same band."""
    if len(indices) < 2:
        return False
    in_rows = sum(len(b) for b in row_bands(boxes, indices) if len(b) > 1)
    return in_rows >= ROW_SHARE * len(indices)


def _is_prose(boxes: Sequence[BoxT], indices: Sequence[int]) -> bool:
    if len(indices) < PROSE_MIN_LINES:
        return False
    x0, _, x1, _ = _union(boxes, indices)
    width = max(x1 - x0, 1e-6)
    if statistics.median((boxes[i][2] - boxes[i][0]) / width for i in indices) < PROSE_FILL:
        return False
    # a column of amounts fills its narrow column too: prose lines are also long
    return statistics.median((boxes[i][2] - boxes[i][0]) / max(boxes[i][3] - boxes[i][1], 1e-6)
                             for i in indices) >= PROSE_ASPECT


def _gutters(boxes: Sequence[BoxT], indices: list[int]) -> list[tuple[float, float]]:
    """The empty vertical bands between prose columns of a region ([] if it has none)."""
    parts = _split(boxes, indices, 0)
    if len(parts) < 2 or not all(_is_prose(boxes, p) for p in parts if len(p) > 1):
        return []
    return [(max(boxes[i][2] for i in a), min(boxes[i][0] for i in b)) for a, b in zip(parts, parts[1:])]


def _merge_column_bands(boxes: Sequence[BoxT], parts: list[list[int]]) -> list[list[int]]:
    """Join neighbouring horizontal bands that continue the same prose columns (their
    gutters overlap), so that a column is read to its end before the next one: a heading
    that starts both columns at one height must not cut the page across."""
    merged: list[list[int]] = []
    gutters: list[list[tuple[float, float]]] = []
    for part in parts:
        mine = _gutters(boxes, part)
        if merged and mine and gutters[-1] and len(mine) == len(gutters[-1]) and all(
                _overlap(a0, a1, b0, b1) > 0 for (a0, a1), (b0, b1) in zip(mine, gutters[-1])):
            merged[-1] = merged[-1] + part
            gutters[-1] = [(max(a0, b0), min(a1, b1)) for (a0, a1), (b0, b1) in zip(mine, gutters[-1])]
        else:
            merged.append(part)
            gutters.append(mine)
    return merged


def _aligned_runs(boxes: Sequence[BoxT], parts: list[list[int]]) -> list[list[int]]:
    """Neighbouring columns joined while they line up in rows (one table, labels beside
    their values); columns that do not are read one after the other. A lone line (a caption,
    a stamp, a heading over a picture) is a region of its own, unless it stands at an edge of
    a table and shares a row with it: the amount beside a receipt's last label, a label left
    of a row of values. Between two columns it joins only when the column after it lines up
    with the table too; a lone line left apart (a stray mark) does not part the columns
    around it."""
    runs = [list(parts[0])]
    table = 0 if len(parts[0]) > 1 else None  # the run of columns the next column may join
    last = parts[0]
    for k, part in enumerate(parts[1:], 1):
        after = parts[k + 1] if k + 1 < len(parts) else None
        if len(part) > 1 and k == 1 and len(last) == 1:  # a lone label at the left edge of a table
            join_to = 0 if _aligned(boxes, [last, part]) else None
        elif len(part) > 1:
            join_to = table if table is not None and _aligned(boxes, [last if len(last) > 1 else runs[table], part]) \
                else None
        elif table is not None and _aligned(boxes, [runs[table], part]) and (
                after is None or len(after) > 1 and _aligned(boxes, [runs[table], after])):
            join_to = table
        else:
            join_to = None
        if join_to is not None:
            runs[join_to] += part
            table = join_to
        else:
            runs.append(list(part))
            if len(part) > 1:
                table = len(runs) - 1
        last = part
    return runs


def _aligned(boxes: Sequence[BoxT], parts: list[list[int]]) -> bool:
    """Whether neighbouring columns line up in rows (a table, key/value pairs): their rows
    fall on one grid, and most lines of the shorter column, and at least one, share a
    baseline band with a line of the next one. Columns of a form or a payment slip stacked
    side by side do not."""
    for left, right in zip(parts, parts[1:]):
        if not _same_grid(boxes, left, right):
            return False  # rows on different grids: separate columns of text
        small, other = (left, right) if len(left) <= len(right) else (right, left)
        partnered = sum(1 for i in small if any(_same_row(boxes[i], boxes[j]) for j in other))
        if not partnered or partnered < 0.5 * len(small):
            return False
    return True


def _row_steps(boxes: Sequence[BoxT], indices: list[int]) -> list[float]:
    """The distances between consecutive rows of a column; lines side by side count once."""
    centres = [statistics.median((boxes[i][1] + boxes[i][3]) / 2 for i in band)
               for band in row_bands(boxes, indices)]
    return [b - a for a, b in zip(centres, centres[1:])]


def _same_grid(boxes: Sequence[BoxT], left: list[int], right: list[int]) -> bool:
    """Whether the two columns' rows fall on one grid: most row steps of both are a whole
    number of the finest step either has (a price on every other row of an item list; a
    total set larger than the rows above it is one step off). No verdict under three steps
    in all."""
    steps = _row_steps(boxes, left) + _row_steps(boxes, right)
    if len(steps) < 3 or min(steps) <= 0:
        return True
    pitch = min(steps)
    on_grid = sum(1 for step in steps if abs(step / pitch - round(step / pitch)) <= PITCH_TOLERANCE * step / pitch)
    return on_grid > 0.5 * len(steps)


def _labels_with_entries(boxes: Sequence[BoxT], labels: list[int], entries: list[int]) -> list[list[int]]:
    """A form's column of labels beside their entries: the labels stand in items (blocks
    apart from one another); the lines beside them are cells in rows (the boxes' operators,
    a "see instructions", a note under the boxes), not a column of text of their own, and
    most sit level with an item. Returns each item followed by the lines beside it, item by
    item ([] if the columns are not that): a note under an item's boxes goes with it."""
    items = _split(boxes, labels, 1)
    if len(items) < ENTRY_MIN_ITEMS or not is_row_region(boxes, entries):
        return []  # entries are cells in rows, not a column of text of their own
    spans = [(min(boxes[i][1] for i in it), max(boxes[i][3] for i in it)) for it in items]
    beside: list[list[int]] = [[] for _ in items]
    level = 0
    for i in entries:
        centre = (boxes[i][1] + boxes[i][3]) / 2
        inside = [k for k, (y0, y1) in enumerate(spans) if y0 <= centre <= y1]
        level += bool(inside)
        above = [k for k, (y0, _) in enumerate(spans) if y0 <= centre]
        beside[inside[0] if inside else above[-1] if above else 0].append(i)
    if level < ENTRY_LEVEL_SHARE * len(entries):
        return []
    return [part for item, lines in zip(items, beside) for part in (item, lines) if part]


def _same_row(a: BoxT, b: BoxT) -> bool:
    """Two lines on one row of a table: text of about the same size, centred on one line."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    if min(ha, hb) < 0.75 * max(ha, hb):
        return False
    return abs((a[1] + a[3]) - (b[1] + b[3])) / 2 <= 0.25 * max(ha, hb)


def _split(boxes: Sequence[BoxT], indices: list[int], axis: int) -> list[list[int]]:
    """Parts of `indices` separated by empty bands along axis 1 (y: rows of regions) or
    0 (x: columns)."""
    lo, hi = axis, axis + 2
    spans = sorted(indices, key=lambda i: boxes[i][lo])
    parts: list[list[int]] = [[spans[0]]]
    reach = boxes[spans[0]][hi]
    for i in spans[1:]:
        if boxes[i][lo] - reach >= MIN_GAP:
            parts.append([i])
        else:
            parts[-1].append(i)
        reach = max(reach, boxes[i][hi])
    return parts


def regions(boxes: Sequence[BoxT]) -> list[list[int]]:
    """The lines cut into regions in reading order (recursive XY-cut, columns only between
    prose)."""

    def cut(indices: list[int]) -> list[list[int]]:
        if len(indices) <= 1:
            return [indices]
        parts = _merge_column_bands(boxes, _split(boxes, indices, 1))
        if len(parts) > 1:
            return [r for part in parts for r in cut(part)]
        parts = _split(boxes, indices, 0)
        # columns of prose: two or more, each prose (a lone line beside one is not a column)
        if sum(len(p) > 1 for p in parts) > 1 and all(_is_prose(boxes, p) for p in parts if len(p) > 1):
            return [r for part in parts for r in cut(part)]
        groups = _aligned_runs(boxes, parts)
        if len(groups) > 1:
            strips = _labels_with_entries(boxes, groups[0], [i for g in groups[1:] for i in g])
            if strips:
                return [r for strip in strips for r in cut(strip)]
            return [r for group in groups for r in cut(group)]
        return [indices]

    return cut(list(range(len(boxes)))) if boxes else []


def reading_order(boxes: Sequence[BoxT]) -> tuple[list[LineGroup], dict]:
    """Blocks of line indices in reading order, and what was decided (for the page's reason)."""
    blocks: list[LineGroup] = []
    counts = {"prose regions": 0, "row regions": 0}
    pending: list[list[int]] = []  # neighbouring small regions, judged together

    def flush() -> None:
        if pending:
            emit([i for part in pending for i in part])
            pending.clear()

    def emit(indices: list[int]) -> None:
        if is_row_region(boxes, indices):
            counts["row regions"] += 1
            blocks.extend(LineGroup(band, _union(boxes, band), "row") for band in row_bands(boxes, indices))
        else:
            counts["prose regions"] += 1
            groups = group_lines(boxes, indices)
            order = xy_cut_order([g.box for g in groups])
            blocks.extend(groups[k] for k in order)

    for region in regions(boxes):
        # one-line regions (a row of a form, cut off by the bands around it) are judged
        # with their neighbours, so that a column of key/value rows is read as rows
        if len(region) == 1 or is_row_region(boxes, region) and len(row_bands(boxes, region)) == 1:
            pending.append(region)
            continue
        flush()
        emit(region)
    flush()
    kind = ("rows" if not counts["prose regions"] else "columns" if not counts["row regions"]
            else "columns and rows")
    return blocks, {"order": kind, **counts}


def xy_cut_order(boxes: Sequence[BoxT]) -> list[int]:
    """Indices of `boxes` in reading order (recursive XY-cut over whole boxes)."""

    def cut(indices: list[int]) -> list[int]:
        if len(indices) <= 1:
            return indices
        for axis in (1, 0):
            parts = _split(boxes, indices, axis)
            if len(parts) > 1:
                return [i for part in parts for i in cut(part)]
        return sorted(indices, key=lambda i: (boxes[i][1], boxes[i][0]))

    return cut(list(range(len(boxes))))

